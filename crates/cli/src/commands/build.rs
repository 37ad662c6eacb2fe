//! `leakmatch build`

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use leakmatch_hashing::TokenKind;
use leakmatch_match::{build, BuildOptions, BuildOutcome, KindSelection};

use super::inspect::enumeration_cost;
use super::{input_sources, load_key, read_options, UsageError};
use crate::args::BuildArgs;
use crate::output::{stdout_write, Printer};
use crate::summary;

pub fn run(args: &BuildArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let kinds: KindSelection = args.kinds.parse().map_err(UsageError)?;
    let read = read_options(&args.input)?;
    let key = load_key(&args.key, args.allow_insecure_key)?;
    let opts = BuildOptions {
        kinds,
        target_fpr: args.fpr,
        capacity: args.capacity,
        output: Some(args.output.clone()),
        ..BuildOptions::default()
    };
    if !(args.fpr > 0.0 && args.fpr < 1.0) {
        return Err(UsageError(format!("--fpr must be between 0 and 1, got {}", args.fpr)).into());
    }
    let disclosure = disclosure(kinds);
    for line in &disclosure {
        printer.warn(line);
    }
    let started = Instant::now();
    let bars = printer.progress();
    let mut outcome = build(&key, &input_sources(&args.input), &read, &opts, &bars)?;
    let elapsed = started.elapsed();
    if outcome.filter.header.counts.total() == 0 {
        // An empty filter matches nothing: sent on, it would say "none of your customers
        // leaked". Almost always a wrong column, an empty download or an unrecognized format.
        summary::report_diagnostics(printer, &outcome.diagnostics);
        let t = &outcome.totals;
        if !kinds.msisdn && !kinds.cnic && t.msisdn.valid + t.cnic.valid > 0 {
            anyhow::bail!(
                "no record of {} has both a valid MSISDN and a valid CNIC ({} valid MSISDNs, {} \
                 valid CNICs): a pair-only filter (the default) would be empty; not writing {}. \
                 To build single-identifier tokens, pass --kinds msisdn (or cnic): anyone \
                 holding the key can then recover every such identifier in the filter",
                args.input.inputs.join(", "),
                t.msisdn.valid,
                t.cnic.valid,
                args.output.display()
            );
        }
        anyhow::bail!(
            "no valid identifier found in {} ({} records read): not writing an empty filter to \
             {}; check the input, or choose columns with --msisdn-col / --cnic-col",
            args.input.inputs.join(", "),
            outcome.totals.records,
            args.output.display()
        );
    }
    let saving = Instant::now();
    outcome
        .filter
        .save(&args.output, &key)
        .with_context(|| format!("cannot write filter {}", args.output.display()))?;
    outcome
        .timings
        .push(("save (write, checksum, fsync)".into(), saving.elapsed()));
    let problems =
        summary::report_diagnostics(printer, &outcome.diagnostics) + outcome.warnings.len() as u64;
    for w in &outcome.warnings {
        printer.warn(w);
    }
    if args.json {
        stdout_write(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json_summary(&outcome, args))?
        ))?;
    } else {
        printer.info(summary::build_text(&outcome, &args.output, elapsed));
    }
    printer.detail(format!(
        "build took {:.3}s, saving included:",
        started.elapsed().as_secs_f64()
    ));
    for (phase, took) in &outcome.timings {
        printer.detail(format!("  {:7.3}s  {phase}", took.as_secs_f64()));
    }
    Ok(if args.input.strict && problems > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The library's summary, plus what a key holder can recover (the CLI's cost model).
fn json_summary(o: &BuildOutcome, args: &BuildArgs) -> serde_json::Value {
    let mut v = o.summary_json(&args.output);
    v["key_holder_can_recover"] =
        serde_json::json!(disclosure(args.kinds.parse().unwrap_or_default()));
    v
}

/// What anyone holding the key can recover from a filter of these kinds, by enumeration
/// (the cost model `inspect` prints); empty for a pair-only filter.
fn disclosure(kinds: KindSelection) -> Vec<String> {
    [
        (kinds.msisdn, TokenKind::Msisdn),
        (kinds.cnic, TokenKind::Cnic),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, kind)| {
        let cost = enumeration_cost(kind);
        format!(
            "{} tokens: anyone holding the key can recover every {} in this filter ({}). Send \
             it with the key only to someone entitled to that whole list; for an operator, \
             build with --kinds pair (the default).",
            kind.name(),
            kind.name(),
            cost["summary"].as_str().unwrap_or_default()
        )
    })
    .collect()
}
