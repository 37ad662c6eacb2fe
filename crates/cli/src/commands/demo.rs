//! `leakmatch demo`: the whole job on built-in synthetic data, one explained step at a time.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use leakmatch_hashing::{write_key_file, Filter, Key};
use leakmatch_ingest::{DumpFormat, GenOptions, InputSource, ReadOptions};
use leakmatch_match::{build, match_inputs, BuildOptions, KindSelection, MatchOptions};

use super::gen::write_all;
use super::UsageError;
use crate::output::{stdout_write, Printer};
use crate::summary;

/// Files the demo writes into its directory.
const DEMO_FILES: [&str; 5] = [
    "leaked-dump.csv",
    "operator-subscribers.csv",
    "truth.json",
    "shared.key",
    "dump.lmf",
];

pub fn run(rows: u64, keep: Option<&Path>, printer: &Printer) -> anyhow::Result<ExitCode> {
    let tmp;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            // Never delete or overwrite a file of the user's: refuse before writing anything.
            let existing: Vec<String> = DEMO_FILES
                .iter()
                .filter(|name| d.join(name).symlink_metadata().is_ok())
                .map(|name| name.to_string())
                .collect();
            if !existing.is_empty() {
                return Err(UsageError(format!(
                    "demo --keep {}: {} already exist(s) there; the demo never overwrites a \
                     file: choose an empty or new directory",
                    d.display(),
                    existing.join(", ")
                ))
                .into());
            }
            d.to_path_buf()
        }
        None => {
            tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
            tmp.path().to_path_buf()
        }
    };
    let started = Instant::now();
    let step = |s: String| stdout_write(&format!("{s}\n"));
    let base_rows = (rows / 10).max(100);
    step(format!(
        "leakmatch demo: all data below is synthetic, made up on the spot in {}",
        dir.display()
    ))?;

    let dump = dir.join("leaked-dump.csv");
    let base = dir.join("operator-subscribers.csv");
    let opts = GenOptions {
        rows,
        seed: 2022,
        format: DumpFormat::Csv,
        subscriber_rows: Some(base_rows),
        overlap: 0.3,
        ..GenOptions::default()
    };
    let truth = write_all(&opts, &dump, Some(&base), &dir.join("truth.json"))?;
    step(format!(
        "1. A leaker's dump: {rows} messy rows (every way numbers are written, duplicates, junk, quoted addresses)."
    ))?;
    step(format!(
        "2. An operator's own subscriber base: {base_rows} rows; 30% of these people are planted in the dump."
    ))?;

    let key_path = dir.join("shared.key");
    let key = Key::generate()?;
    write_key_file(&key_path, &key)?;
    step(format!(
        "3. The dump holder and the operator share a secret key (id {}), agreed out of band.",
        key.id()
    ))?;

    let filter_path = dir.join("dump.lmf");
    let mut built = build(
        &key,
        &[InputSource::Path(dump.clone())],
        &ReadOptions::default(),
        &BuildOptions {
            target_fpr: 1e-6,
            // The safe default of `build`: a filter for another key holder holds pairs only.
            kinds: KindSelection {
                msisdn: false,
                cnic: false,
                pair: true,
            },
            ..BuildOptions::default()
        },
        &printer.progress(),
    )?;
    built.filter.save(&filter_path, &key)?;
    let t = &built.totals;
    step(format!(
        "4. The dump holder builds a keyed pair-only filter: {} records, {} valid MSISDNs and {} valid CNICs \
         ({} rejected, {} of them Excel-mangled and never guessed) -> {} bytes, FPR {:.1e}.",
        t.records,
        t.msisdn.valid,
        t.cnic.valid,
        t.msisdn.rejected_total() + t.cnic.rejected_total(),
        t.msisdn.rejected[leakmatch_ingest::RejectReason::Lossy.index()]
            + t.cnic.rejected[leakmatch_ingest::RejectReason::Lossy.index()],
        built.filter.header.params.bytes(),
        built.filter.header.measured_fpr,
    ))?;
    step(
        "5. Only the filter travels: keyed hashes of (number, CNIC) pairs, which even the key \
         can test only for people whose number and CNIC one already knows."
            .to_string(),
    )?;

    let filter = Filter::map(&filter_path, &key)?;
    let matched = match_inputs(
        &key,
        &filter,
        &[InputSource::Path(base.clone())],
        &ReadOptions::default(),
        &MatchOptions {
            keep_matched_rows: true,
            ..MatchOptions::default()
        },
        &printer.progress(),
    )?;
    let r = &matched.report;
    step(format!(
        "6. The operator tests its base against the filter: {} of {} rows match.",
        r.rows_matched_any, r.rows_read
    ))?;
    step("   What the operator sees:".to_string())?;
    for line in summary::match_text(r).lines() {
        step(format!("   | {line}"))?;
    }
    if let Some(o) = &truth.overlap {
        let pair = r
            .kinds
            .pair
            .as_ref()
            .map(|k| k.distinct_matched)
            .unwrap_or(0);
        step(format!(
            "7. Check against the generator's truth: {} planted (MSISDN, CNIC) pairs, {} found.",
            o.pair, pair
        ))?;
    }
    step(format!(
        "Done in {:.1}s. Try it on your own data: see README.md (keygen, build, match).",
        started.elapsed().as_secs_f64()
    ))?;
    Ok(ExitCode::SUCCESS)
}
