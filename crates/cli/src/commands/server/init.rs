//! `leakmatch server init STATE_DIR`

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_server::State;
use serde_json::json;

use crate::output::{stdout_write, Printer};

pub fn run(dir: &Path, json: bool, printer: &Printer) -> anyhow::Result<ExitCode> {
    let state = State::init(dir)
        .with_context(|| format!("cannot create server state {}", dir.display()))?;
    let (epoch, key) = state.current_epoch_key()?;
    if json {
        let v = json!({
            "state_dir": dir.display().to_string(),
            "epoch": epoch,
            "public_key": key.public_key().to_string(),
        });
        stdout_write(&format!("{v}\n"))?;
    } else {
        stdout_write(&format!("epoch {epoch} public key {}\n", key.public_key()))?;
    }
    printer.info(format!(
        "created server state {} (mode 0700): master secret and store (0600), epoch {epoch}, no \
         client yet. Keep the directory private and backed up: it holds the only key.",
        dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}
