//! CSV chunker and record splitter: parallel record-aligned chunks (mapped and streamed, any
//! chunk size) see exactly the records a single sequential pass sees; with header detection,
//! and headerless with index columns (third byte's low bit).
#![no_main]

use leakmatch_fuzz::differential;
use leakmatch_ingest::{ColumnRef, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut opts = ReadOptions {
        format: Format::Csv,
        ..ReadOptions::default()
    };
    if mode & 1 == 1 {
        opts.msisdn_cols = vec![ColumnRef::Index(usize::from(mode >> 1 & 3) + 1)];
        opts.cnic_cols = vec![ColumnRef::Index(usize::from(mode >> 3 & 3) + 1)];
    }
    differential("csv", rest, opts);
});
