//! Helpers shared by the reader tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use leakmatch_ingest::{
    read_input, IngestError, InputSource, NoProgress, ReadOptions, ReadOutcome, Record, RecordSink,
};

/// One record as a sink saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub offset: u64,
    pub raw: Vec<u8>,
    pub msisdns: Vec<String>,
    pub cnics: Vec<String>,
}

/// Keeps every record.
#[derive(Debug, Default)]
pub struct Keep(pub Vec<Seen>);

impl RecordSink for Keep {
    fn record(&mut self, r: &Record<'_>) {
        self.0.push(Seen {
            offset: r.offset,
            raw: r.raw.to_vec(),
            msisdns: r.msisdns.iter().map(|m| m.as_str().to_string()).collect(),
            cnics: r.cnics.iter().map(|c| c.as_str().to_string()).collect(),
        });
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<ReadOutcome<Keep>, IngestError> {
    read_input(
        &InputSource::Path(path.to_path_buf()),
        opts,
        Keep::default,
        &NoProgress,
    )
}

/// All records, in order.
pub fn records(out: &ReadOutcome<Keep>) -> Vec<Seen> {
    out.sinks.iter().flat_map(|s| s.0.iter().cloned()).collect()
}

/// Writes `bytes` to a fresh file named `name` in `dir`.
pub fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}
