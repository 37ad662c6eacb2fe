//! Headerless CSV-like dumps: auto mode chooses their columns by content and reads exactly what
//! the headed dump gives, mapped or streamed.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use common::{read_path, records, write};
use leakmatch_ingest::{generate, DumpFormat, GenOptions, IdKind, ReadOptions};

fn ids(out: &leakmatch_ingest::ReadOutcome<common::Keep>) -> Vec<(Vec<String>, Vec<String>)> {
    records(out)
        .into_iter()
        .map(|s| (s.msisdns, s.cnics))
        .collect()
}

#[test]
fn headerless_csv_tsv_semicolon_pipe_read_as_headed() {
    let dir = tempfile::tempdir().unwrap();
    for format in [
        DumpFormat::Csv,
        DumpFormat::Tsv,
        DumpFormat::Semicolon,
        DumpFormat::Pipe,
    ] {
        let opts = GenOptions {
            rows: 4000,
            seed: 7,
            format,
            subscriber_rows: None,
            ..GenOptions::default()
        };
        let mut text = Vec::new();
        let truth = generate(&opts, &mut text, None).unwrap();
        let headed = write(&dir, &format!("h.{format}"), &text);
        let first = text.iter().position(|&b| b == b'\n').unwrap();
        let bare = write(&dir, &format!("n.{format}"), &text[first + 1..]);
        let want = read_path(&headed, &ReadOptions::default()).unwrap();
        assert!(want.diagnostics.columns_by_content.is_none());
        assert_eq!(want.stats.records, truth.dump.rows, "{format}");
        for ro in [
            ReadOptions::default(),
            ReadOptions {
                mmap: false,
                chunk_size: 4096,
                ..ReadOptions::default()
            },
        ] {
            let got = read_path(&bare, &ro).unwrap();
            let mut stats = got.stats;
            stats.bytes = want.stats.bytes;
            assert_eq!(stats, want.stats, "{format}");
            assert_eq!(ids(&got), ids(&want), "{format}");
            assert!(got.header.is_none() && !got.columns.header, "{format}");
            let choice = got.diagnostics.columns_by_content.unwrap();
            let kinds: Vec<IdKind> = choice.chosen.iter().map(|c| c.kind).collect();
            assert_eq!(kinds.len(), 2, "{format}: {choice}");
            assert!(kinds.contains(&IdKind::Msisdn) && kinds.contains(&IdKind::Cnic));
        }
    }
}
