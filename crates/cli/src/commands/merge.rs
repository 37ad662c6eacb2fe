//! `leakmatch merge`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::Filter;

use super::load_key;
use crate::output::Printer;

pub fn run(
    output: &std::path::Path,
    inputs: &[PathBuf],
    (key, allow_insecure_key): (&std::path::Path, bool),
    no_mmap: bool,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let key = load_key(key, allow_insecure_key)?;
    let open = if no_mmap { Filter::load } else { Filter::map };
    let mut filters = Vec::with_capacity(inputs.len());
    for p in inputs {
        let context = || format!("cannot use filter {}", p.display());
        let filter = open(p, &key).with_context(context)?;
        filter.checked_fill().with_context(context)?;
        filters.push(filter);
    }
    let mut merged =
        Filter::merge_for_file(&filters, output).context("cannot merge these filters")?;
    merged
        .save(output, &key)
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
