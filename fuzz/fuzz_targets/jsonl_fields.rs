//! JSON-lines field extractor: broken lines are skipped and counted; chunked = sequential.
//! The first byte picks JSON lines, scan mode or automatic detection.
#![no_main]

use leakmatch_fuzz::differential;
use leakmatch_ingest::{Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let format = match mode % 4 {
        0 | 1 => Format::Jsonl,
        2 => Format::Scan,
        _ => Format::Auto,
    };
    differential(
        "jsonl",
        rest,
        ReadOptions {
            format,
            ..ReadOptions::default()
        },
    );
});
