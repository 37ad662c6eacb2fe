//! Shared harness for the fuzz targets: reads fuzz input through the public reader API
//! (a scratch file per process and target, on tmpfs when there is one) and checks invariants
//! that must hold for every input, however hostile.
//!
//! Every target panics only on a broken invariant; an `Err` from the library is a correct
//! answer to bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is the fuzzer's failure report

use std::path::PathBuf;

use leakmatch_ingest::{
    read_input, Cnic, Diagnostics, Format, InputSource, InputStats, Msisdn, NoProgress,
    ReadOptions, Record, RecordSink,
};

/// A scratch path unique to this process and `tag`, rewritten on every iteration.
pub fn scratch(tag: &str) -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("leakmatch-fuzz-{}-{tag}", std::process::id()))
}

/// One record as a sink saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub offset: u64,
    pub raw: Vec<u8>,
    pub msisdns: Vec<String>,
    pub cnics: Vec<String>,
}

#[derive(Default)]
struct Keep(Vec<Seen>);

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

/// What one read produced, in a comparable form.
#[derive(Debug, PartialEq, Eq)]
pub struct Read {
    pub stats: InputStats,
    pub format: Format,
    pub records: Vec<Seen>,
    pub diagnostics: Diagnostics,
}

/// Reads `data` (written to the scratch file `tag`) with `opts`; `Err` is the error's text.
pub fn read(tag: &str, data: &[u8], opts: &ReadOptions) -> Result<Read, String> {
    let path = scratch(tag);
    std::fs::write(&path, data).expect("write scratch file");
    let out = read_input(&InputSource::Path(path), opts, Keep::default, &NoProgress)
        .map_err(|e| e.to_string())?;
    Ok(Read {
        stats: out.stats,
        format: out.format,
        records: out.sinks.into_iter().flat_map(|s| s.0).collect(),
        diagnostics: out.diagnostics,
    })
}

/// Invariants of any successful read of an uncompressed `data`.
pub fn check_read(data: &[u8], r: &Read) {
    assert_eq!(r.stats.bytes, data.len() as u64, "bytes counted");
    assert_ne!(r.format, Format::Auto, "format resolved");
    assert_eq!(r.diagnostics.skipped_total, r.stats.skipped_records);
    assert!(r.diagnostics.skipped.len() as u64 <= r.diagnostics.skipped_total);
    let mut last = None;
    for s in &r.records {
        // Records come in input order, and `raw` is exactly the input's bytes at `offset`.
        assert!(last.is_none_or(|l| l < s.offset), "records out of order");
        last = Some(s.offset);
        let start = usize::try_from(s.offset).unwrap();
        assert_eq!(
            data.get(start..start + s.raw.len()),
            Some(&s.raw[..]),
            "raw at offset"
        );
        assert!(
            !s.msisdns.is_empty() || !s.cnics.is_empty(),
            "record without identifier"
        );
        for m in &s.msisdns {
            check_msisdn_canonical(m);
        }
        for c in &s.cnics {
            check_cnic_canonical(c);
        }
    }
    for skip in &r.diagnostics.skipped {
        assert!(
            skip.offset <= data.len() as u64,
            "skip offset inside the input"
        );
        assert!(skip.line >= 1);
    }
    // Warnings never quote the input: no identifier of the input may appear in them.
    for w in &r.diagnostics.warnings {
        for s in &r.records {
            for id in s.msisdns.iter().chain(&s.cnics) {
                assert!(!w.contains(id.as_str()), "identifier in a warning");
            }
        }
    }
}

/// A canonical MSISDN parses to itself.
pub fn check_msisdn_canonical(m: &str) {
    assert_eq!(m.len(), 12);
    assert!(m.starts_with("92") && m.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        Msisdn::parse(m.as_bytes()).map(|x| x.as_str().to_string()),
        Ok(m.to_string())
    );
}

/// A canonical CNIC parses to itself.
pub fn check_cnic_canonical(c: &str) {
    assert_eq!(c.len(), 13);
    assert!(c.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        Cnic::parse(c.as_bytes()).map(|x| x.as_str().to_string()),
        Ok(c.to_string())
    );
}

/// Splits a fuzz input into (chunk size for the mapped read, block size for the streamed read,
/// the data): small sizes so that a few hundred bytes cross many chunk boundaries.
pub fn sizes(data: &[u8]) -> Option<(usize, usize, &[u8])> {
    match data {
        [a, b, rest @ ..] => Some((usize::from(*a % 64) + 1, usize::from(*b % 64) + 1, rest)),
        _ => None,
    }
}

/// The differential check shared by the reader targets: one big chunk, many small mapped
/// chunks and a small-block stream must see exactly the same records, counts and diagnostics.
///
/// The record limit is small (32 to 2048 bytes, from the chunk size byte), so records longer
/// than it, skipped and counted, are compared too.
pub fn differential(tag: &str, fuzz_input: &[u8], base: ReadOptions) {
    let Some((chunk, block, data)) = sizes(fuzz_input) else {
        return;
    };
    let base = ReadOptions {
        max_record: 32 * chunk,
        ..base
    };
    let whole = read(
        tag,
        data,
        &ReadOptions {
            chunk_size: 1 << 20,
            ..base.clone()
        },
    );
    let chunked = read(
        tag,
        data,
        &ReadOptions {
            chunk_size: chunk,
            ..base.clone()
        },
    );
    let streamed = read(
        tag,
        data,
        &ReadOptions {
            chunk_size: block,
            mmap: false,
            ..base
        },
    );
    // gzip/zstd magic bytes switch to a decoder, and a UTF-16 byte-order mark to a conversion:
    // offsets and byte counts are then in the decoded stream.
    let compressed = data.starts_with(&[0x1f, 0x8b]) || data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    let converted = data.starts_with(&[0xff, 0xfe]) || data.starts_with(&[0xfe, 0xff]);
    match (&whole, &chunked, &streamed) {
        (Ok(w), Ok(c), Ok(s)) => {
            if !compressed && !converted {
                check_read(data, w);
            }
            assert_eq!(w, c, "chunked read differs from the sequential one");
            assert_eq!(w, s, "streamed read differs from the sequential one");
        }
        // A corrupt compressed stream fails wherever its decoder gives up, and how much it
        // decodes first depends on the buffer sizes the reads hand it (zstd: "destination
        // buffer is too small" at 0 or at 82112 decompressed bytes for the same input); so the
        // error can be the decompression itself or whatever the partial text led to. All three
        // must still fail.
        (Err(_), Err(_), Err(_)) if compressed => {}
        (Err(a), Err(b), Err(c)) => {
            assert_eq!(a, b);
            assert_eq!(a, c);
        }
        _ => panic!(
            "reads disagree on success: {:?} {:?} {:?}",
            whole.is_ok(),
            chunked.is_ok(),
            streamed.is_ok()
        ),
    }
}
