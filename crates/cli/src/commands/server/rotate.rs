//! `leakmatch server rotate STATE_DIR`

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::open_state;
use crate::output::{stdout_write, Printer};

pub fn run(dir: &Path, json: bool, printer: &Printer) -> anyhow::Result<ExitCode> {
    let state = open_state(dir)?;
    let old = state.current_epoch()?;
    let epoch = state.rotate()?;
    let (_, key) = state.current_epoch_key()?;
    if json {
        let v = json!({
            "epoch": epoch,
            "withdrawn": old,
            "public_key": key.public_key().to_string(),
        });
        stdout_write(&format!("{v}\n"))?;
    } else {
        stdout_write(&format!("epoch {epoch} public key {}\n", key.public_key()))?;
    }
    printer.info(format!(
        "epoch {epoch} is current; epoch {old} is withdrawn and its filters are refused from now \
         on. Publish the dumps again under epoch {epoch}. Budgets are unchanged."
    ));
    Ok(ExitCode::SUCCESS)
}
