//! `leakmatch server add-client` and `server set-budget`

use std::path::Path;
use std::process::ExitCode;

use leakmatch_server::ClientStatus;

use super::open_state;
use crate::output::{stdout_write, Printer};

pub fn add(
    dir: &Path,
    name: &str,
    budget: u64,
    output: &Path,
    json: bool,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let state = open_state(dir)?;
    let client = state.add_client(name, budget, output)?;
    print_client(&client, json)?;
    printer.info(format!(
        "added client '{}' with a budget of {budget} evaluations; its credential is in {} (mode \
         0600): hand it over privately",
        client.name,
        output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn set_budget(
    dir: &Path,
    name: &str,
    budget: u64,
    json: bool,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let state = open_state(dir)?;
    let client = state.set_budget(name, budget)?;
    print_client(&client, json)?;
    printer.info(format!(
        "client '{}': budget {}, used {}, left {}",
        client.name, client.budget, client.used, client.left
    ));
    Ok(ExitCode::SUCCESS)
}

fn print_client(client: &ClientStatus, json: bool) -> anyhow::Result<()> {
    if json {
        stdout_write(&format!("{}\n", serde_json::to_string(client)?))?;
    } else {
        stdout_write(&format!(
            "{} budget {} used {} left {}\n",
            client.name, client.budget, client.used, client.left
        ))?;
    }
    Ok(())
}
