//! `leakmatch query`: the operator's `match` against online filters, through the dump
//! holder's server.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::AtomicFile;
use leakmatch_match::{query, MatchOptions, OnlineFilter, QueryOptions, RowMatches};
use leakmatch_server::{Credential, ServerClient};
use leakmatch_sizing::parse_memory;

use super::oracle::ServerOracle;
use super::{input_sources, read_options, UsageError};
use crate::args::QueryArgs;
use crate::output::{stdout_write, Printer};
use crate::summary;

pub fn run(args: &QueryArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let read = read_options(&args.input)?;
    let inputs = input_sources(&args.input);
    let opts = QueryOptions {
        matching: MatchOptions {
            keep_matched_rows: args.matches_out.is_some(),
            memory_limit: parse_memory(&args.memory).map_err(|e| UsageError(e.to_string()))?,
            accept_high_fpr: args.accept_high_fpr,
        },
        ..QueryOptions::default()
    };
    let started = std::time::Instant::now();
    let filters = args
        .filters
        .iter()
        .map(|f| {
            OnlineFilter::open(f, !args.input.no_mmap)
                .with_context(|| format!("cannot use filter {}", f.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let credential = Credential::read_file(&args.credential)
        .with_context(|| format!("cannot use credential {}", args.credential.display()))?;
    let client = ServerClient::new(&args.server, credential)?;
    let oracle = ServerOracle::new(client);
    let bars = printer.progress();
    let outcome = query(&oracle, &filters, &inputs, &read, &opts, &bars, &bars)
        .with_context(|| format!("cannot query {}", args.server))?;
    if let Some(path) = &args.matches_out {
        let names: Vec<String> = filters.iter().map(|f| f.name.clone()).collect();
        let n = write_matched_rows(path, &names, &outcome.matched_rows)
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
        stdout_write(&summary::query_text(&outcome.report))?;
    }
    printer.detail(format!(
        "query took {:.3}s:",
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

/// Writes the user's own matched rows as `match --matches-out` does: with one filter, a
/// `matched_kinds` column (e.g. `msisdn+pair`) in front of each row exactly as read; with
/// several, one such column per filter, in the order given, headed by the filter's file name
/// (empty where that filter did not match the row), so each row says which dumps it is in.
fn write_matched_rows(
    path: &std::path::Path,
    filters: &[String],
    inputs: &[RowMatches],
) -> anyhow::Result<u64> {
    // The operator's own customers: 0600 from creation.
    let mut file = AtomicFile::create_private(path)?;
    let mut out = std::io::BufWriter::new(&mut file);
    let mut n = 0u64;
    let mut header_written = false;
    for input in inputs {
        let delim = input.delimiter.unwrap_or(b',');
        if let Some(header) = &input.header {
            if !header_written {
                if filters.len() == 1 {
                    out.write_all(b"matched_kinds")?;
                    out.write_all(&[delim])?;
                } else {
                    for name in filters {
                        out.write_all(&csv_field(file_name(name).as_bytes(), delim))?;
                        out.write_all(&[delim])?;
                    }
                }
                out.write_all(header)?;
                out.write_all(b"\n")?;
                header_written = true;
            }
        }
        for row in &input.rows {
            for kinds in &row.kinds {
                let names: Vec<&str> = [
                    (kinds.msisdn, "msisdn"),
                    (kinds.cnic, "cnic"),
                    (kinds.pair, "pair"),
                ]
                .into_iter()
                .filter_map(|(on, name)| on.then_some(name))
                .collect();
                out.write_all(names.join("+").as_bytes())?;
                out.write_all(&[delim])?;
            }
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

/// The file name of a filter path (the path itself if it has none).
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// `field` quoted as RFC 4180 asks when it holds the delimiter, a quote or a line break.
fn csv_field(field: &[u8], delim: u8) -> Vec<u8> {
    if !field
        .iter()
        .any(|&b| b == delim || b == b'"' || b == b'\n' || b == b'\r')
    {
        return field.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_names_are_quoted_when_needed() {
        assert_eq!(csv_field(b"a.lmf", b','), b"a.lmf");
        assert_eq!(csv_field(b"a,b.lmf", b','), b"\"a,b.lmf\"");
        assert_eq!(csv_field(b"a\"b", b';'), b"\"a\"\"b\"");
        assert_eq!(file_name("dir/x.lmf"), "x.lmf");
    }
}
