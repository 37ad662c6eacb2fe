//! Adversarial inputs cost linear time and bounded memory (issue 17, item 2): for each reader
//! (CSV, JSON lines, SQL, scan; mapped and streamed) a generated input that once cost time
//! quadratic in its size, or memory without limit, or that exercises the search paths where
//! that could happen again.
//!
//! The time checks compare one input against the same made four times as large, read the same
//! way: linear work takes about 4× as long, quadratic 16× (and at these sizes, past any
//! patience). The bound, 10× (with a floor for runs too short to time), is loose on purpose:
//! these are complexity guards on a loaded 2-core machine, not speed claims (speed is measured
//! in the benchmarks). The memory checks run in a child process and read its peak RSS.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{read_path, records, write};
use leakmatch_ingest::{Format, IngestError, ReadOptions, SkipReason, MAX_RECORD};

const M: &str = "03001234567";
const C: &str = "35202-1234567-1";

fn zst(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    let mut enc = zstd::Encoder::new(std::fs::File::create(&p).unwrap(), 3).unwrap();
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap();
    p
}

/// The ways every input is read: mapped with the default chunks, mapped with small chunks
/// (many cuts to search), streamed from a file in small blocks, streamed from `.zst`.
fn ways(format: Format) -> Vec<(&'static str, ReadOptions, bool)> {
    let base = ReadOptions {
        format,
        msisdn_cols: vec![],
        ..ReadOptions::default()
    };
    vec![
        ("mapped", base.clone(), false),
        (
            "mapped, 64 KiB chunks",
            ReadOptions {
                chunk_size: 64 << 10,
                ..base.clone()
            },
            false,
        ),
        (
            "streamed, 64 KiB blocks",
            ReadOptions {
                chunk_size: 64 << 10,
                mmap: false,
                ..base.clone()
            },
            false,
        ),
        (
            "zst, 64 KiB blocks",
            ReadOptions {
                chunk_size: 64 << 10,
                ..base
            },
            true,
        ),
    ]
}

fn best_of_two(path: &Path, opts: &ReadOptions) -> Duration {
    (0..2)
        .map(|_| {
            let t = Instant::now();
            read_path(path, opts).unwrap();
            t.elapsed()
        })
        .min()
        .unwrap()
}

/// Reads `make(n)` and `make(4 n)` every way and checks the time grew about linearly.
fn assert_linear(what: &str, format: Format, ext: &str, n: usize, make: impl Fn(usize) -> Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let small = make(n);
    let large = make(4 * n);
    let files = [
        (
            write(&dir, &format!("small.{ext}"), &small),
            zst(&dir, &format!("small.{ext}.zst"), &small),
        ),
        (
            write(&dir, &format!("large.{ext}"), &large),
            zst(&dir, &format!("large.{ext}.zst"), &large),
        ),
    ];
    for (way, opts, compressed) in ways(format) {
        let pick = |i: usize| {
            if compressed {
                files[i].1.clone()
            } else {
                files[i].0.clone()
            }
        };
        let t1 = best_of_two(&pick(0), &opts);
        let t4 = best_of_two(&pick(1), &opts);
        let floor = Duration::from_millis(300);
        assert!(
            t4 <= floor || t4 < t1 * 10,
            "{what}, {way}: {} bytes took {t1:?}, {} bytes {t4:?} (quadratic?)",
            small.len(),
            large.len()
        );
    }
}

/// The reported case: a run of blank lines inside a multi-line INSERT's tuple list. Every cut
/// searched forward over the same whitespace from every line start, mapped and streamed.
#[test]
fn sql_blank_lines_in_tuple_list_are_linear() {
    assert_linear("sql blank lines", Format::Sql, "sql", 1 << 20, |n| {
        let mut v = format!("INSERT INTO `t` (`msisdn`) VALUES\n('{M}'),\n").into_bytes();
        v.resize(v.len() + n, b'\n');
        v.extend_from_slice(format!("('{M}');\nINSERT INTO `t` VALUES ('{M}');\n").as_bytes());
        v
    });
}

/// Long multi-line statements (tuple lines, blank and indented lines), and unclosed `CREATE
/// TABLE (` text: the streamed cut search and the table scan must not rescan them.
#[test]
fn sql_long_statements_and_unclosed_create_tables_are_linear() {
    assert_linear("sql statements", Format::Sql, "sql", 1 << 20, |n| {
        let mut v = b"INSERT INTO `t` (`msisdn`) VALUES\n".to_vec();
        while v.len() < n {
            v.extend_from_slice(format!("  ('{M}'),\n\n \t\n").as_bytes());
        }
        v.extend_from_slice(format!("('{M}');\n").as_bytes());
        while v.len() < 2 * n {
            v.extend_from_slice(b"CREATE TABLE t (a int,\n");
        }
        v
    });
}

/// CSV: a record with an unclosed quote early on makes the rest one record, over many chunks
/// (window growth, failed speculation); then quotes at every chunk edge.
#[test]
fn csv_unclosed_quotes_and_quote_runs_are_linear() {
    assert_linear("csv quotes", Format::Csv, "csv", 1 << 20, |n| {
        let mut v = format!("msisdn,cnic\n{M},{C}\n").into_bytes();
        while v.len() < n {
            v.extend_from_slice(format!("\"{M}\n\",\"\"\"\n\",{C}\n").as_bytes());
        }
        v.extend_from_slice(b"\"x,");
        while v.len() < 2 * n {
            v.extend_from_slice(format!("{M},{C}\n").as_bytes());
        }
        v
    });
}

/// JSON lines: deep nesting, runs of backslashes before quotes, many keys, blank lines.
#[test]
fn jsonl_nesting_escapes_and_keys_are_linear() {
    assert_linear("jsonl", Format::Jsonl, "jsonl", 1 << 19, |n| {
        let mut v = Vec::new();
        v.extend_from_slice(b"{\"a\":");
        v.resize(v.len() + n / 4, b'[');
        v.extend_from_slice(b"\n{\"s\":\"");
        while v.len() < n / 2 {
            v.extend_from_slice(b"\\\\\\\\\\\\\\\\\\\"");
        }
        v.extend_from_slice(b"\"}\n{");
        let mut k = 0;
        while v.len() < n {
            v.extend_from_slice(format!("\"k{k}\":\"{M}\",\"msisdn\":\"{M}\",").as_bytes());
            k += 1;
        }
        v.extend_from_slice(b"\"z\":1}\n");
        v.resize(v.len() + n / 8, b'\n');
        v
    });
}

/// Scan mode: digit groups joined by spaces and separators, long digit runs, no newline.
#[test]
fn scan_digit_runs_and_separators_are_linear() {
    assert_linear("scan", Format::Scan, "txt", 1 << 19, |n| {
        let mut v = Vec::new();
        while v.len() < n / 2 {
            v.extend_from_slice(b"0 0 0 0 0 0 0 0 0 0123456789012345 +92 (0300) 1-2-3 ");
        }
        v.resize(v.len() + n / 4, b'7');
        while v.len() < n {
            v.extend_from_slice(b"35202 1234567 1 92 300 1234567 ((((----....    ");
        }
        v
    });
}

/// A record longer than the limit is skipped and counted, with its line and offset, the same
/// mapped and streamed, in every format; the records around it are read.
#[test]
fn records_longer_than_the_limit_are_skipped_and_counted() {
    let long = "9".repeat(300);
    let cases: Vec<(Format, &str, String, u64)> = vec![
        (
            Format::Csv,
            "csv",
            format!("msisdn,cnic\n{M},{C}\n\"{long}\n{long}\",{C}\n{M},{C}\n"),
            3,
        ),
        (
            Format::Csv,
            "csv",
            format!("msisdn,cnic\n{M},{C}\n\"{long}\n{M},{C}\n"),
            3,
        ),
        (
            Format::Jsonl,
            "jsonl",
            format!("{{\"msisdn\":\"{M}\"}}\n{{\"x\":\"{long}\"}}\n{{\"msisdn\":\"{M}\"}}"),
            2,
        ),
        (
            Format::Sql,
            "sql",
            format!(
                "INSERT INTO `t` (`msisdn`) VALUES ('{M}');\nINSERT INTO `t` (`msisdn`) VALUES ('{long}');\nINSERT INTO `t` (`msisdn`) VALUES ('{M}');\n"
            ),
            2,
        ),
        (Format::Scan, "txt", format!("{M}\n{long}\n{M}\n"), 2),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (format, ext, text, line)) in cases.into_iter().enumerate() {
        let plain = write(&dir, &format!("{i}.{ext}"), text.as_bytes());
        let packed = zst(&dir, &format!("{i}.{ext}.zst"), text.as_bytes());
        let offset = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum::<usize>() as u64;
        let mut seen = None;
        for chunk in [1, 7, 64, 200, 1 << 20] {
            for (path, mmap) in [(&plain, true), (&plain, false), (&packed, true)] {
                let opts = ReadOptions {
                    format,
                    chunk_size: chunk,
                    mmap,
                    max_record: 250,
                    ..ReadOptions::default()
                };
                let out = read_path(path, &opts).unwrap();
                let what = format!("case {i} ({ext}), chunk {chunk}, mmap {mmap}, {path:?}");
                let skips = &out.diagnostics.skipped;
                assert_eq!(skips.len(), 1, "{what}: {skips:?}");
                assert_eq!(skips[0].reason, SkipReason::RecordTooLong, "{what}");
                assert_eq!((skips[0].line, skips[0].offset), (line, offset), "{what}");
                assert_eq!(out.stats.skipped_records, 1, "{what}");
                assert!(out.stats.msisdn.valid >= 1, "{what}");
                assert!(out.diagnostics.warnings.is_empty(), "{what}");
                let got = (records(&out), out.stats.records, out.stats.msisdn);
                match &seen {
                    None => seen = Some(got),
                    Some(s) => assert_eq!(s, &got, "{what}"),
                }
            }
        }
    }
}

/// A CSV whose first record (the header) is longer than the limit is an error that names the
/// input, line and offset and holds no data, mapped and streamed.
#[test]
fn csv_header_longer_than_the_limit_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}msisdn,\"{}\n{M}\n", M.repeat(100));
    let plain = write(&dir, "h.csv", text.as_bytes());
    let packed = zst(&dir, "h.csv.zst", text.as_bytes());
    for (path, mmap) in [(&plain, true), (&plain, false), (&packed, true)] {
        let opts = ReadOptions {
            mmap,
            chunk_size: 16,
            max_record: 500,
            ..ReadOptions::default()
        };
        let err = read_path(path, &opts).unwrap_err();
        assert!(
            matches!(
                err,
                IngestError::RecordTooLong {
                    line: 1,
                    offset: 3,
                    limit: 500,
                    ..
                }
            ),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("h.csv") && !msg.contains(M), "{msg}");
    }
}

/// Peak RSS of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Runs the test `name` of this binary alone in a child process with `ADVERSARIAL_CHILD` set.
fn in_child(name: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env("ADVERSARIAL_CHILD", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A 256 MiB `.zst` (a few KiB on disk) with no newline, and one whose first data record opens
/// a quote it never closes: each once grew one buffer to the size of the whole stream (a 2 GB
/// one took 3.8 GB). Now the record is dropped as it is read, counted, and the peak RSS stays
/// near the record limit, whatever the stream's size.
#[test]
fn endless_streamed_records_stay_within_the_limit() {
    if std::env::var_os("ADVERSARIAL_CHILD").is_none() {
        return in_child("endless_streamed_records_stay_within_the_limit");
    }
    let dir = tempfile::tempdir().unwrap();
    let size = 256 << 20;
    let before = peak_rss_kib();
    for (name, format, head) in [
        ("nonl.txt.zst", Format::Scan, format!("{M}\n")),
        (
            "nonl.jsonl.zst",
            Format::Jsonl,
            format!("{{\"msisdn\":\"{M}\"}}\n"),
        ),
        ("quote.csv.zst", Format::Csv, format!("msisdn\n{M}\n\"")),
    ] {
        let p = dir.path().join(name);
        let mut enc = zstd::Encoder::new(std::fs::File::create(&p).unwrap(), 1).unwrap();
        enc.write_all(head.as_bytes()).unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..size / block.len() {
            enc.write_all(&block).unwrap();
        }
        enc.finish().unwrap();
        let opts = ReadOptions {
            format,
            ..ReadOptions::default()
        };
        let out = read_path(&p, &opts).unwrap();
        assert_eq!(out.stats.msisdn.valid, 1, "{name}");
        assert_eq!(out.stats.skipped_records, 1, "{name}");
        assert_eq!(out.diagnostics.skipped[0].reason, SkipReason::RecordTooLong);
        assert_eq!(out.stats.bytes, (head.len() + size) as u64, "{name}");
    }
    let grown = peak_rss_kib().saturating_sub(before) << 10;
    // The limit, a block or two in flight and the decoder's buffers; never the stream's size.
    assert!(
        grown < (MAX_RECORD as u64) * 4,
        "peak RSS grew by {} MiB",
        grown >> 20
    );
}

/// Counts the pairs a pair-making sink forms, asking [`Record::forms_pairs`] as such sinks do.
#[derive(Default)]
struct PairCount(u64);

impl leakmatch_ingest::RecordSink for PairCount {
    fn record(&mut self, r: &leakmatch_ingest::Record<'_>) {
        if r.forms_pairs() {
            for _ in r.msisdns {
                for _ in r.cnics {
                    self.0 += 1;
                }
            }
        }
    }
}

/// One record with hundreds of MSISDNs and CNICs (a scan-mode line, a CSV header naming
/// hundreds of identifier columns) once made pairs quadratic in its size: 16 MiB of such a
/// line is 4 × 10^11 pairs. Now its identifiers are used, its pairs not formed, and the read
/// warns with its line; a record at the limit still pairs.
#[test]
fn records_with_too_many_identifiers_form_no_pairs() {
    use leakmatch_ingest::{read_input, InputSource, NoProgress, MAX_PAIRS_PER_RECORD};
    let dir = tempfile::tempdir().unwrap();
    let many = format!("{M} {C} ").repeat(40);
    let edge = format!("{M} {C} ").repeat(32);
    let text = format!("{M} {C}\n{many}\n{edge}\n");
    let header = format!(
        "{}\n{}\n",
        "msisdn,cnic,".repeat(40),
        format!("{M},{C},").repeat(40)
    );
    for (name, format, body, warned_line) in [
        ("scan.txt", Format::Scan, text, 2),
        ("wide.csv", Format::Csv, header, 2),
    ] {
        let p = write(&dir, name, body.as_bytes());
        for opts in [
            ReadOptions {
                format,
                ..ReadOptions::default()
            },
            ReadOptions {
                format,
                mmap: false,
                chunk_size: 5,
                ..ReadOptions::default()
            },
        ] {
            let out = read_input(
                &InputSource::Path(p.clone()),
                &opts,
                PairCount::default,
                &NoProgress,
            )
            .unwrap();
            let formed: u64 = out.sinks.iter().map(|s| s.0).sum();
            let want = if format == Format::Scan {
                1 + MAX_PAIRS_PER_RECORD as u64
            } else {
                0
            };
            assert_eq!(formed, want, "{name}");
            assert_eq!(out.stats.pairs, want, "{name}");
            let w = &out.diagnostics.warnings;
            assert_eq!(w.len(), 1, "{name}: {w:?}");
            assert!(
                w[0].starts_with(&format!("line {warned_line} ")) && w[0].contains("40 MSISDNs"),
                "{name}: {w:?}"
            );
            assert!(!w[0].contains(M) && !w[0].contains(C), "{w:?}");
            assert!(
                out.stats.msisdn.valid >= 40 && out.stats.cnic.valid >= 40,
                "{name}"
            );
        }
    }
}
