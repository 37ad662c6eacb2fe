//! One module per subcommand, plus what they share.

pub mod build;
pub mod demo;
pub mod docs;
pub mod gen;
pub mod inspect;
pub mod keygen;
pub mod matching;
pub mod merge;
pub mod server;
pub mod size;

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use leakmatch_hashing::{read_key_file, FilterError, Key};
use leakmatch_ingest::{ColumnRef, Format, InputSource, ReadOptions};

use crate::args::InputArgs;

/// A mistake in the command line found after parsing (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Errors that mean "this artifact is not usable with this key/tool" (exit status 3).
pub fn is_artifact_error(e: &FilterError) -> bool {
    !matches!(e, FilterError::Io { .. })
}

pub fn read_options(args: &InputArgs) -> anyhow::Result<ReadOptions> {
    let format = Format::from_str(&args.format)
        .map_err(|_| UsageError(format!("unknown --format '{}'", args.format)))?;
    let cols = |v: &[String]| -> anyhow::Result<Vec<ColumnRef>> {
        v.iter()
            .map(|c| {
                ColumnRef::from_str(c)
                    .map_err(|e| UsageError(format!("bad column '{c}': {e}")).into())
            })
            .collect()
    };
    Ok(ReadOptions {
        format,
        msisdn_cols: cols(&args.msisdn_cols)?,
        cnic_cols: cols(&args.cnic_cols)?,
        mmap: !args.no_mmap,
        allow_truncated: args.allow_truncated,
        ..ReadOptions::default()
    })
}

pub fn input_sources(args: &InputArgs) -> Vec<InputSource> {
    args.inputs.iter().map(InputSource::from_arg).collect()
}

pub fn load_key(path: &Path, allow_insecure: bool) -> anyhow::Result<Key> {
    read_key_file(path, allow_insecure)
        .with_context(|| format!("cannot use key file {}", path.display()))
}
