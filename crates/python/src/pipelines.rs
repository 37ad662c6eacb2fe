//! `size`, `build` and `match` over files: the library pipelines, returning the JSON the
//! CLI prints with `--json` (the Python side parses it into dicts).

use std::path::PathBuf;
use std::str::FromStr;

use leakmatch_hashing::Filter;
use leakmatch_ingest::{ColumnRef, Format, InputSource, NoProgress, ReadOptions};
use leakmatch_match::{BuildOptions, EmptyFilter, KindSelection, MatchOptions};
use leakmatch_sizing::{parse_memory, SizeOptions, SizingError};
use pyo3::prelude::*;

use crate::errors::{filter_error, message, pipeline_error, InputError, UsageError};
use crate::keys::Key;
use crate::pool::native;

/// How inputs are read: the CLI's `--format`, `--msisdn-col`, `--cnic-col`, `--no-mmap`,
/// `--allow-truncated`.
fn read_options(
    format: &str,
    msisdn_cols: &[String],
    cnic_cols: &[String],
    mmap: bool,
    allow_truncated: bool,
) -> PyResult<ReadOptions> {
    let format = Format::from_str(format)
        .map_err(|_| UsageError::new_err(format!("unknown --format '{format}'")))?;
    let cols = |v: &[String]| -> PyResult<Vec<ColumnRef>> {
        v.iter()
            .map(|c| {
                ColumnRef::from_str(c).map_err(|_| UsageError::new_err(format!("bad column '{c}'")))
            })
            .collect()
    };
    Ok(ReadOptions {
        format,
        msisdn_cols: cols(msisdn_cols)?,
        cnic_cols: cols(cnic_cols)?,
        mmap,
        allow_truncated,
        ..ReadOptions::default()
    })
}

fn sources(paths: &[PathBuf]) -> PyResult<Vec<InputSource>> {
    if paths.is_empty() {
        return Err(UsageError::new_err("no input given"));
    }
    Ok(paths.iter().cloned().map(InputSource::Path).collect())
}

fn memory(text: &str) -> PyResult<u64> {
    parse_memory(text).map_err(|e| UsageError::new_err(e.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| InputError::new_err(e.to_string()))
}

/// `leakmatch size --json`.
#[pyfunction]
#[pyo3(signature = (paths, format="auto", msisdn_cols=vec![], cnic_cols=vec![], sim_limit=8, memory="4G", overlap=false, mmap=true, allow_truncated=false))]
#[allow(clippy::too_many_arguments)]
pub fn size(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    format: &str,
    msisdn_cols: Vec<String>,
    cnic_cols: Vec<String>,
    sim_limit: u32,
    memory: &str,
    overlap: bool,
    mmap: bool,
    allow_truncated: bool,
) -> PyResult<String> {
    let read = read_options(format, &msisdn_cols, &cnic_cols, mmap, allow_truncated)?;
    let inputs = sources(&paths)?;
    let opts = SizeOptions {
        sim_limit,
        memory_limit: self::memory(memory)?,
        overlap,
    };
    let outcome = native(py, || {
        leakmatch_sizing::size_inputs(&inputs, &read, &opts, &NoProgress)
    })?
    .map_err(|e| match &e {
        SizingError::Ingest(_) => InputError::new_err(message("", &e)),
        _ => UsageError::new_err(message("", &e)),
    })?;
    json(&outcome.report)
}

/// `leakmatch build --json`: writes the filter to `output`.
#[pyfunction]
#[pyo3(signature = (paths, key, output, fpr=1e-6, capacity=None, kinds="pair", format="auto", msisdn_cols=vec![], cnic_cols=vec![], mmap=true, allow_truncated=false))]
#[allow(clippy::too_many_arguments)]
pub fn build(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    key: &Key,
    output: PathBuf,
    fpr: f64,
    capacity: Option<u64>,
    kinds: &str,
    format: &str,
    msisdn_cols: Vec<String>,
    cnic_cols: Vec<String>,
    mmap: bool,
    allow_truncated: bool,
) -> PyResult<String> {
    let kinds: KindSelection = kinds.parse().map_err(UsageError::new_err)?;
    let read = read_options(format, &msisdn_cols, &cnic_cols, mmap, allow_truncated)?;
    let inputs = sources(&paths)?;
    if leakmatch_match::check_fpr(fpr).is_err() {
        return Err(UsageError::new_err(format!(
            "--fpr must be between 0 and 1, got {fpr}"
        )));
    }
    let opts = BuildOptions {
        kinds,
        target_fpr: fpr,
        capacity,
        output: Some(output.clone()),
        ..BuildOptions::default()
    };
    let key = key.key.clone();
    native(py, move || {
        let mut outcome = leakmatch_match::build(&key, &inputs, &read, &opts, &NoProgress)
            .map_err(|e| pipeline_error("", &e))?;
        if let Err(empty) = outcome.refuse_empty() {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            let (names, output) = (names.join(", "), output.display());
            return Err(InputError::new_err(match empty {
                EmptyFilter::NoPairs {
                    msisdn_valid,
                    cnic_valid,
                } => format!(
                    "no record of {names} has both a valid MSISDN and a valid CNIC \
                     ({msisdn_valid} valid MSISDNs, {cnic_valid} valid CNICs): a pair-only \
                     filter (the default) would be empty; not writing {output}. To build \
                     single-identifier tokens, pass kinds=\"msisdn\" (or cnic): anyone holding \
                     the key can then recover every such identifier in the filter"
                ),
                // Worded as the CLI's, which the suite compares with.
                EmptyFilter::NoIdentifier { records } => format!(
                    "no valid identifier found in {names} ({records} records read): not writing \
                     an empty filter to {output}; check the input, or choose columns with \
                     --msisdn-col / --cnic-col"
                ),
            }));
        }
        outcome
            .filter
            .save(&output, &key)
            .map_err(|e| filter_error(&format!("cannot write filter {}", output.display()), &e))?;
        Ok(outcome.summary_json(&output).to_string())
    })?
}

/// `leakmatch match --json`: tests the inputs against the filter at `filter`.
#[pyfunction(name = "match_files")]
#[pyo3(signature = (paths, key, filter, memory="128M", accept_high_fpr=false, format="auto", msisdn_cols=vec![], cnic_cols=vec![], mmap=true, allow_truncated=false))]
#[allow(clippy::too_many_arguments)]
pub fn match_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    key: &Key,
    filter: PathBuf,
    memory: &str,
    accept_high_fpr: bool,
    format: &str,
    msisdn_cols: Vec<String>,
    cnic_cols: Vec<String>,
    mmap: bool,
    allow_truncated: bool,
) -> PyResult<String> {
    let read = read_options(format, &msisdn_cols, &cnic_cols, mmap, allow_truncated)?;
    let inputs = sources(&paths)?;
    let opts = MatchOptions {
        keep_matched_rows: false,
        memory_limit: self::memory(memory)?,
        accept_high_fpr,
    };
    let key = key.key.clone();
    native(py, move || {
        let open = if mmap { Filter::map } else { Filter::load };
        let opened = open(&filter, &key)
            .map_err(|e| filter_error(&format!("cannot use filter {}", filter.display()), &e))?;
        let outcome =
            leakmatch_match::match_inputs(&key, &opened, &inputs, &read, &opts, &NoProgress)
                .map_err(|e| {
                    pipeline_error(&format!("cannot match against {}", filter.display()), &e)
                })?;
        json(&outcome.report)
    })?
}
