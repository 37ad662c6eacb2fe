//! `leakmatch merge`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::Filter;

use crate::output::Printer;

pub fn run(
    output: &std::path::Path,
    inputs: &[PathBuf],
    no_mmap: bool,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let open = if no_mmap { Filter::load } else { Filter::map };
    let mut filters = Vec::with_capacity(inputs.len());
    for p in inputs {
        filters.push(open(p).with_context(|| format!("cannot use filter {}", p.display()))?);
    }
    let mut merged =
        Filter::merge_for_file(&filters, output).context("cannot merge these filters")?;
    merged
        .save(output)
        .with_context(|| format!("cannot write filter {}", output.display()))?;
    let h = &merged.header;
    let fill = merged.bloom.fill_stats();
    printer.info(format!(
        "merged {} filters into {}: tokens msisdn {}, cnic {}, pair {}; about {:.0} distinct tokens, implied false-positive rate {:.2e}",
        inputs.len(),
        output.display(),
        h.counts.msisdn,
        h.counts.cnic,
        h.counts.pair,
        fill.estimated_distinct,
        fill.implied_fpr
    ));
    Ok(ExitCode::SUCCESS)
}
