//! mysqldump reader: CREATE TABLE columns and INSERT tuple parsing; chunked = sequential.
#![no_main]

use leakmatch_fuzz::differential;
use leakmatch_ingest::{Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    differential(
        "sql",
        data,
        ReadOptions {
            format: Format::Sql,
            ..ReadOptions::default()
        },
    );
});
