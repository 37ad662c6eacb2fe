//! `leakmatch server publish STATE_DIR -o dump.lmf DUMP...`: `build`, online.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use leakmatch_match::{publish, BuildOptions, KindSelection};
use leakmatch_server::FilterMeta;

use super::args::PublishArgs;
use super::open_state;
use crate::commands::{input_sources, read_options, UsageError};
use crate::output::{stdout_write, Printer};
use crate::summary;

pub fn run(args: &PublishArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let kinds: KindSelection = args.kinds.parse().map_err(UsageError)?;
    if !(args.fpr > 0.0 && args.fpr < 1.0) {
        return Err(UsageError(format!("--fpr must be between 0 and 1, got {}", args.fpr)).into());
    }
    let read = read_options(&args.input)?;
    let opts = BuildOptions {
        kinds,
        target_fpr: args.fpr,
        capacity: args.capacity,
        ..BuildOptions::default()
    };
    let state = open_state(&args.state_dir)?;
    let (epoch, key) = state.current_epoch_key()?;
    let started = Instant::now();
    let bars = printer.progress();
    let mut outcome = publish(
        &key,
        &input_sources(&args.input),
        &read,
        &opts,
        &args.output,
        &bars,
        &bars,
    )
    .with_context(|| format!("cannot publish {}", args.output.display()))?;
    let elapsed = started.elapsed();
    let name = args
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.output.display().to_string());
    let recording = Instant::now();
    state
        .record_filter(
            epoch,
            outcome.digest,
            FilterMeta {
                name,
                rows: outcome.built.totals.records,
            },
        )
        .with_context(|| {
            format!(
                "wrote {} but could not record its digest in {}: clients will refuse it until \
                 it is published again",
                args.output.display(),
                args.state_dir.display()
            )
        })?;
    outcome
        .built
        .timings
        .push(("record the digest".into(), recording.elapsed()));
    let problems = summary::report_diagnostics(printer, &outcome.built.diagnostics)
        + outcome.built.warnings.len() as u64;
    for w in &outcome.built.warnings {
        printer.warn(w);
    }
    if args.json {
        stdout_write(&format!(
            "{}\n",
            serde_json::to_string_pretty(&outcome.summary_json())?
        ))?;
    } else {
        printer.info(summary::publish_text(&outcome, elapsed));
    }
    printer.detail(format!(
        "publish took {:.3}s:",
        started.elapsed().as_secs_f64()
    ));
    for (phase, took) in &outcome.built.timings {
        printer.detail(format!("  {:7.3}s  {phase}", took.as_secs_f64()));
    }
    Ok(if args.input.strict && problems > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
