//! `leakmatch server …`: the online OPRF service (issue #16). One file per subcommand.

pub mod args;
mod clients;
mod init;
mod rotate;
mod run;
mod status;

use std::process::ExitCode;

use anyhow::Context;
use leakmatch_server::State;

use crate::output::Printer;
use args::{ServerArgs, ServerCommand};

pub fn run(args: &ServerArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    match &args.command {
        ServerCommand::Init { state_dir, json } => init::run(state_dir, *json, printer),
        ServerCommand::AddClient {
            state_dir,
            name,
            budget,
            output,
            json,
        } => clients::add(state_dir, name, *budget, output, *json, printer),
        ServerCommand::SetBudget {
            state_dir,
            name,
            budget,
            json,
        } => clients::set_budget(state_dir, name, *budget, *json, printer),
        ServerCommand::Status { state_dir, json } => status::run(state_dir, *json),
        ServerCommand::Rotate { state_dir, json } => rotate::run(state_dir, *json, printer),
        ServerCommand::Run {
            state_dir,
            listen,
            eval_slots,
        } => run::run(state_dir, listen, *eval_slots, printer),
    }
}

/// Opens a state directory, naming it in the error.
pub fn open_state(dir: &std::path::Path) -> anyhow::Result<State> {
    State::open(dir).with_context(|| format!("cannot open server state {}", dir.display()))
}
