//! `leakmatch gen`: synthetic dumps with their exact truth.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::Context;
use leakmatch_hashing::AtomicFile;
use leakmatch_ingest::{generate, DumpFormat, GenOptions, Truth};

use super::UsageError;
use crate::args::GenArgs;
use crate::output::Printer;

pub fn run(args: &GenArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let format = DumpFormat::from_str(&args.format)
        .map_err(|_| UsageError(format!("unknown --format '{}'", args.format)))?;
    if !(0.0..=1.0).contains(&args.overlap) {
        return Err(UsageError(format!(
            "--overlap must be between 0 and 1, got {}",
            args.overlap
        ))
        .into());
    }
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| truth_path_for(&args.output));
    let opts = GenOptions {
        rows: args.rows,
        seed: args.seed,
        format,
        subscriber_rows: args
            .subscribers
            .as_ref()
            .map(|_| args.subscriber_rows.unwrap_or((args.rows / 4).max(1))),
        overlap: args.overlap,
        header: !args.no_header,
        ..GenOptions::default()
    };
    let truth = write_all(
        &opts,
        &args.output,
        args.subscribers.as_deref(),
        &truth_path,
    )?;
    printer.info(format!(
        "wrote {} rows to {} ({} distinct valid MSISDNs, {} CNICs, {} pairs); truth in {}",
        truth.dump.rows,
        args.output.display(),
        truth.dump.distinct_msisdn,
        truth.dump.distinct_cnic,
        truth.dump.distinct_pairs,
        truth_path.display()
    ));
    if let (Some(base), Some(t)) = (&args.subscribers, &truth.base) {
        printer.info(format!(
            "wrote a subscriber base of {} rows to {}",
            t.rows,
            base.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `dump.csv` → `dump.csv.truth.json`.
pub fn truth_path_for(dump: &Path) -> PathBuf {
    let mut s = dump.as_os_str().to_owned();
    s.push(".truth.json");
    PathBuf::from(s)
}

/// Generates the dump, the optional base and the truth, each written atomically.
pub fn write_all(
    opts: &GenOptions,
    dump: &Path,
    base: Option<&Path>,
    truth_path: &Path,
) -> anyhow::Result<Truth> {
    let mut dump_file = AtomicFile::create_private(dump)
        .with_context(|| format!("cannot create {}", dump.display()))?;
    let mut base_file = match base {
        Some(p) => Some(
            AtomicFile::create_private(p)
                .with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => None,
    };
    let truth = {
        let mut dump_w = BufWriter::with_capacity(1 << 20, &mut dump_file);
        let mut base_w = base_file
            .as_mut()
            .map(|f| BufWriter::with_capacity(1 << 20, f));
        let truth = generate(
            opts,
            &mut dump_w,
            base_w.as_mut().map(|w| w as &mut dyn Write),
        )
        .context("cannot generate the synthetic data")?;
        dump_w.flush()?;
        if let Some(w) = base_w.as_mut() {
            w.flush()?;
        }
        truth
    };
    dump_file
        .commit()
        .with_context(|| format!("cannot write {}", dump.display()))?;
    if let (Some(f), Some(p)) = (base_file, base) {
        f.commit()
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    let mut t = AtomicFile::create_private(truth_path)
        .with_context(|| format!("cannot create {}", truth_path.display()))?;
    serde_json::to_writer_pretty(&mut t, &truth)?;
    t.write_all(b"\n")?;
    t.commit()
        .with_context(|| format!("cannot write {}", truth_path.display()))?;
    Ok(truth)
}
