//! `leakmatch build`

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use leakmatch_hashing::KindSet;
use leakmatch_match::policy::PAIR_ONLY_ADVICE;
use leakmatch_match::{
    build, check_fpr, key_holder_can_recover, BuildOptions, BuildOutcome, EmptyFilter,
    KindSelection,
};

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
    if check_fpr(args.fpr).is_err() {
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
    if let Err(empty) = outcome.refuse_empty() {
        summary::report_diagnostics(printer, &outcome.diagnostics);
        let inputs = args.input.inputs.join(", ");
        let output = args.output.display();
        match empty {
            EmptyFilter::NoPairs {
                msisdn_valid,
                cnic_valid,
            } => anyhow::bail!(
                "no record of {inputs} has both a valid MSISDN and a valid CNIC ({msisdn_valid} \
                 valid MSISDNs, {cnic_valid} valid CNICs): a pair-only filter (the default) \
                 would be empty; not writing {output}. To build single-identifier tokens, pass \
                 --kinds msisdn (or cnic): anyone holding the key can then recover every such \
                 identifier in the filter"
            ),
            EmptyFilter::NoIdentifier { records } => anyhow::bail!(
                "no valid identifier found in {inputs} ({records} records read): not writing an \
                 empty filter to {output}; check the input, or choose columns with --msisdn-col \
                 / --cnic-col"
            ),
        }
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

/// The library's summary, with the disclosure phrased for the CLI.
fn json_summary(o: &BuildOutcome, args: &BuildArgs) -> serde_json::Value {
    let mut v = o.summary_json(&args.output);
    v["key_holder_can_recover"] = serde_json::json!(with_flag_hint(o.key_holder_can_recover()));
    v
}

/// What anyone holding the key can recover from a filter of these kinds (the library's
/// policy), naming the CLI's flag; empty for a pair-only filter.
fn disclosure(kinds: KindSelection) -> Vec<String> {
    let mut set = KindSet::EMPTY;
    for kind in kinds.kinds() {
        set.insert(kind);
    }
    with_flag_hint(key_holder_can_recover(set))
}

fn with_flag_hint(lines: Vec<String>) -> Vec<String> {
    lines
        .into_iter()
        .map(|l| l.replace(PAIR_ONLY_ADVICE, "build with --kinds pair (the default)."))
        .collect()
}
