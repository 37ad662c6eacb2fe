//! `leakmatch server status STATE_DIR [--json]`

use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::open_state;
use crate::output::{escape_terminal, stdout_write};

pub fn run(dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let state = open_state(dir)?;
    let descriptors = state.descriptors()?;
    let clients = state.clients()?;
    if json {
        let v = json!({
            "state_dir": dir.display().to_string(),
            "suite": descriptors.suite,
            "current_epoch": descriptors.current_epoch,
            "epochs": descriptors.epochs,
            "clients": clients,
        });
        stdout_write(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    writeln!(out, "suite {}", descriptors.suite)?;
    writeln!(out, "current epoch {}", descriptors.current_epoch)?;
    writeln!(out, "epochs:")?;
    for e in &descriptors.epochs {
        let state = if e.withdrawn { "withdrawn" } else { "current" };
        writeln!(
            out,
            "  {:>4}  {state:<9}  public key {}  filters {}",
            e.epoch,
            e.public_key,
            e.filters.len()
        )?;
        for f in &e.filters {
            writeln!(
                out,
                "        {}  {}  rows {}",
                f.digest,
                escape_terminal(&f.name),
                f.rows
            )?;
        }
    }
    writeln!(out, "clients:")?;
    if clients.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for c in &clients {
        writeln!(
            out,
            "  {:<20} budget {:>12}  used {:>12}  left {:>12}",
            c.name, c.budget, c.used, c.left
        )?;
    }
    stdout_write(&out)?;
    Ok(ExitCode::SUCCESS)
}
