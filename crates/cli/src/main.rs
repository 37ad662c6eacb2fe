//! `leakmatch`: the command-line tool. Wires the library crates together and owns all printing.
//!
//! Exit codes: 0 success, 1 runtime or input error, 2 usage error, 3 key mismatch or a corrupt,
//! truncated, forged or incompatible filter (online: a filter not of the server's current
//! epoch, or a server answer that does not verify), 4 a query over the client's budget;
//! 130/143 after Ctrl-C/SIGTERM, 135 when a mapped file was truncated while in use (see
//! `sigbus`). A closed stdout pipe is not an error.

mod args;
mod commands;
mod interrupt;
mod output;
mod sigbus;
mod summary;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::output::Printer;

/// Errors the user must fix in an artifact (wrong key, damaged filter) get their own status.
const EXIT_ARTIFACT: u8 = 3;
/// A query needing more evaluations than the client's budget has left.
const EXIT_BUDGET: u8 = 4;

fn main() -> ExitCode {
    interrupt::install();
    sigbus::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.no_progress);
    if let Some(n) = cli.global.threads {
        if n == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: cannot start {n} worker threads: {e}");
            return ExitCode::from(1);
        }
    }
    let result = match cli.command {
        Command::Keygen { output } => commands::keygen::run(&output, &printer),
        Command::Build(args) => commands::build::run(&args, &printer),
        Command::Match(args) => commands::matching::run(&args, &printer),
        Command::Inspect {
            json,
            key,
            allow_insecure_key,
            no_mmap,
            filter,
        } => commands::inspect::run(&filter, key.as_deref(), allow_insecure_key, json, no_mmap),
        Command::Merge {
            key,
            allow_insecure_key,
            output,
            no_mmap,
            filters,
        } => {
            let key = (key.as_path(), allow_insecure_key);
            commands::merge::run(&output, &filters, key, no_mmap, &printer)
        }
        Command::Gen(args) => commands::gen::run(&args, &printer),
        Command::Size(args) => commands::size::run(&args, &printer),
        Command::Completions { shell } => commands::docs::completions(shell),
        Command::Man => commands::docs::man(),
        Command::Server(args) => commands::server::run(&args, &printer),
        Command::Demo { rows, keep } => commands::demo::run(rows, keep.as_deref(), &printer),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // Paths and names come from the user or a file: never let them drive the terminal.
            eprintln!("error: {}", output::escape_terminal(&error_text(&err)));
            ExitCode::from(exit_status(&err))
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text the message
/// already holds (library errors often print their source themselves).
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

/// Maps an error to its documented exit status.
fn exit_status(err: &anyhow::Error) -> u8 {
    use leakmatch_hashing::FilterError;
    use leakmatch_match::{OnlineError, OracleError, PipelineError};
    let pipeline = |e: &PipelineError| match e {
        PipelineError::NormalizationMismatch { .. } | PipelineError::FprFarAboveTarget { .. } => {
            Some(EXIT_ARTIFACT)
        }
        PipelineError::Filter(e) if commands::is_artifact_error(e) => Some(EXIT_ARTIFACT),
        _ => None,
    };
    for cause in err.chain() {
        match cause.downcast_ref::<OnlineError>() {
            Some(
                OnlineError::BudgetExceeded { .. }
                | OnlineError::Oracle(OracleError::BudgetExhausted),
            ) => return EXIT_BUDGET,
            Some(
                OnlineError::FilterNotCurrent { .. }
                | OnlineError::PublicKeyMismatch { .. }
                | OnlineError::FilterNotListed { .. }
                | OnlineError::BadAnswer { .. }
                | OnlineError::Oracle(OracleError::EpochNotCurrent { .. }),
            ) => return EXIT_ARTIFACT,
            // Transparent: its source is the inner error's source, not the inner error.
            Some(OnlineError::Pipeline(e)) => {
                if let Some(code) = pipeline(e) {
                    return code;
                }
            }
            _ => {}
        }
        if let Some(e) = cause.downcast_ref::<FilterError>() {
            if commands::is_artifact_error(e) {
                return EXIT_ARTIFACT;
            }
        }
        if let Some(code) = cause.downcast_ref::<PipelineError>().and_then(pipeline) {
            return code;
        }
        if let Some(commands::UsageError(_)) = cause.downcast_ref::<commands::UsageError>() {
            return 2;
        }
    }
    1
}
