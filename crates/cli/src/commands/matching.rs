//! `leakmatch match`

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::{AtomicFile, Filter};
use leakmatch_match::{match_inputs, MatchOptions, MatchedRows};
use leakmatch_sizing::parse_memory;

use super::{input_sources, load_key, read_options, UsageError};
use crate::args::MatchArgs;
use crate::output::{stdout_write, Printer};
use crate::summary;

pub fn run(args: &MatchArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let read = read_options(&args.input)?;
    let key = load_key(&args.key, args.allow_insecure_key)?;
    let inputs = input_sources(&args.input);
    // Mapped: a filter file written by `build` or `merge` maps as huge pages (see
    // `leakmatch_hashing`'s file module), sparing the copy into fresh memory. `--no-mmap`
    // reads it instead, as it does the inputs (a filter on a network disk).
    let started = std::time::Instant::now();
    let open = if args.input.no_mmap {
        Filter::load
    } else {
        Filter::map
    };
    let filter = open(&args.filter, &key)
        .with_context(|| format!("cannot use filter {}", args.filter.display()))?;
    let opened = started.elapsed();
    let opts = MatchOptions {
        keep_matched_rows: args.matches_out.is_some(),
        memory_limit: parse_memory(&args.memory).map_err(|e| UsageError(e.to_string()))?,
        accept_high_fpr: args.accept_high_fpr,
    };
    let bars = printer.progress();
    let outcome = match_inputs(&key, &filter, &inputs, &read, &opts, &bars)
        .with_context(|| format!("cannot match against {}", args.filter.display()))?;
    if let Some(path) = &args.matches_out {
        let n = write_matched_rows(path, &outcome.matched_rows)
            .with_context(|| format!("cannot write {}", path.display()))?;
        printer.info(format!(
            "wrote {n} matched rows of your own input to {}",
            path.display()
        ));
    }
    let problems = summary::report_diagnostics(printer, &outcome.diagnostics);
    if args.json {
        stdout_write(&format!(
            "{}\n",
            serde_json::to_string_pretty(&outcome.report)?
        ))?;
    } else {
        stdout_write(&summary::match_text(&outcome.report))?;
    }
    printer.detail(format!(
        "match took {:.3}s:\n  {:7.3}s  open and verify the filter",
        started.elapsed().as_secs_f64(),
        opened.as_secs_f64()
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

/// Writes the user's own matched rows: a `matched_kinds` column (e.g. `msisdn+pair`) in front of
/// each row exactly as it was read, with the input's delimiter; the input's header likewise.
fn write_matched_rows(path: &std::path::Path, inputs: &[MatchedRows]) -> anyhow::Result<u64> {
    // The operator's own customers: 0600 from creation, like the key.
    let mut file = AtomicFile::create_private(path)?;
    let mut out = std::io::BufWriter::new(&mut file);
    let mut n = 0u64;
    let mut header_written = false;
    for input in inputs {
        // The reader's own delimiter (JSON lines and SQL rows get a comma).
        let delim = input.delimiter.unwrap_or(b',');
        if let Some(header) = &input.header {
            if !header_written {
                out.write_all(b"matched_kinds")?;
                out.write_all(&[delim])?;
                out.write_all(header)?;
                out.write_all(b"\n")?;
                header_written = true;
            }
        }
        for row in &input.rows {
            let kinds: Vec<&str> = [
                (row.kinds.msisdn, "msisdn"),
                (row.kinds.cnic, "cnic"),
                (row.kinds.pair, "pair"),
            ]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
            out.write_all(kinds.join("+").as_bytes())?;
            out.write_all(&[delim])?;
            out.write_all(&row.raw)?;
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    out.flush()?;
    drop(out);
    file.commit()?;
    Ok(n)
}
