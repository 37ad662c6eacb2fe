//! Inputs in other encodings and containers: UTF-16 text is converted and read exactly like its
//! UTF-8 form; workbooks, databases and archives are refused with a clear error.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use std::io::Write;

use common::{fixture, read_path, records, write};
use leakmatch_ingest::{Format, IngestError, ReadOptions};

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Every committed fixture, saved as UTF-16 (as Excel's "Unicode Text" does), read mapped,
/// streamed and gzipped: the same records and identifiers as its UTF-8 text.
#[test]
fn utf16_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "dump-small.csv",
        "dump-small.tsv",
        "dump-small.jsonl",
        "dump-small.sql",
        "dump-small-phpmyadmin.sql",
    ] {
        let text = String::from_utf8_lossy(&std::fs::read(fixture(name)).unwrap()).into_owned();
        let plain = write(&dir, &format!("utf8-{name}"), text.as_bytes());
        let want = read_path(&plain, &ReadOptions::default()).unwrap();
        let want_ids: Vec<_> = records(&want)
            .into_iter()
            .map(|r| (r.msisdns, r.cnics))
            .collect();
        for big_endian in [false, true] {
            let wide = utf16(&text, big_endian);
            let ext = name.rsplit('.').next().unwrap();
            let p = write(&dir, &format!("utf16-{big_endian}.{ext}"), &wide);
            let pz = write(&dir, &format!("utf16z-{big_endian}.{ext}.gz"), &gz(&wide));
            for (path, opts) in [
                (&p, ReadOptions::default()),
                (
                    &p,
                    ReadOptions {
                        mmap: false,
                        chunk_size: 4096,
                        ..ReadOptions::default()
                    },
                ),
                (&pz, ReadOptions::default()),
            ] {
                let got = read_path(path, &opts).unwrap();
                let what = format!("{name} big_endian={big_endian} {}", path.display());
                assert_eq!(got.stats.records, want.stats.records, "{what}");
                assert_eq!(got.stats.msisdn, want.stats.msisdn, "{what}");
                assert_eq!(got.stats.cnic, want.stats.cnic, "{what}");
                assert_eq!(got.stats.pairs, want.stats.pairs, "{what}");
                let got_ids: Vec<_> = records(&got)
                    .into_iter()
                    .map(|r| (r.msisdns, r.cnics))
                    .collect();
                assert_eq!(got_ids, want_ids, "{what}");
            }
        }
    }
}

/// An odd trailing byte or an unpaired surrogate is replaced, never a panic or an error.
#[test]
fn broken_utf16_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut wide = utf16("msisdn\n03001234567\n", false);
    wide.extend([0x00, 0xd8, b'\n', 0x00, 0x41]);
    let p = write(&dir, "odd.csv", &wide);
    let out = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(out.stats.msisdn.valid, 1);
}

/// A ZIP (.xlsx), an Access database, a legacy .xls and others: a named error saying what the
/// file is and how to export it, whatever the extension, compressed or not, mapped or not.
#[test]
fn binary_containers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut jet = b"\x00\x01\x00\x00Standard Jet DB\x00".to_vec();
    jet.extend(std::iter::repeat_n(0u8, 300));
    jet.extend(utf16("0300-1234567", false));
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "leak.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml 03001234567".to_vec(),
            "ZIP",
        ),
        ("leak.mdb", jet, "Access"),
        (
            "leak.csv",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00923001234567".to_vec(),
            "OLE2",
        ),
        ("leak.db", b"SQLite format 3\x00\x10\x00".to_vec(), "SQLite"),
    ];
    for (name, bytes, what) in cases {
        let p = write(&dir, name, &bytes);
        let pz = write(&dir, &format!("{name}.gz"), &gz(&bytes));
        for (path, mmap) in [(&p, true), (&p, false), (&pz, true)] {
            let opts = ReadOptions {
                mmap,
                ..ReadOptions::default()
            };
            let err = read_path(path, &opts).unwrap_err();
            assert!(matches!(err, IngestError::NotText { .. }), "{name}: {err}");
            let msg = err.to_string();
            assert!(
                msg.contains(what) && msg.contains("CSV") || msg.contains("extract"),
                "{msg}"
            );
            assert!(!msg.contains("3001234567"), "{msg}");
        }
        // Scan mode reads any bytes, as asked.
        let scan = ReadOptions {
            format: Format::Scan,
            ..ReadOptions::default()
        };
        assert!(read_path(&p, &scan).is_ok(), "{name}");
    }
}
