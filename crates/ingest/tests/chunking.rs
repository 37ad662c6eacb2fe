//! Chunked, streamed and sequential parsing see exactly the same records, whatever the chunk
//! size; and no input makes any format panic.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use common::{read_path, records, write};
use leakmatch_ingest::{Format, ReadOptions};
use proptest::prelude::*;

/// Pieces that stress quoting: quotes, doubled quotes, newlines in quotes, CRLF, delimiters,
/// valid and invalid identifiers.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        ",",
        ",",
        "\n",
        "\n",
        "\r\n",
        "\"",
        "\"\"",
        "03001234567",
        "35202-1234567-1",
        "x",
        "\"0300-1234567\"",
        "\"a,\nb\"",
        " ",
        "{",
        "}",
        "'",
        "(",
        ")",
        "923451234567",
    ])
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..120).prop_map(|v| v.concat())
}

fn read_all(
    path: &std::path::Path,
    o: ReadOptions,
) -> (leakmatch_ingest::InputStats, Vec<common::Seen>, Vec<String>) {
    let out = read_path(path, &o).unwrap();
    let recs = records(&out);
    (out.stats, recs, out.diagnostics.warnings)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn csv_chunking_matches_sequential(b in body(), chunk in 1usize..64, stream_chunk in 1usize..64) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("msisdn,cnic,note\n{b}");
        let p = write(&dir, "p.csv", text.as_bytes());
        let whole = read_all(&p, ReadOptions { format: Format::Csv, chunk_size: 1 << 20, ..ReadOptions::default() });
        let chunked = read_all(&p, ReadOptions { format: Format::Csv, chunk_size: chunk, ..ReadOptions::default() });
        let streamed = read_all(&p, ReadOptions { format: Format::Csv, chunk_size: stream_chunk, mmap: false, ..ReadOptions::default() });
        prop_assert_eq!(&whole, &chunked);
        prop_assert_eq!(&whole, &streamed);
    }

    #[test]
    fn line_formats_chunking_matches_sequential(b in body(), chunk in 1usize..64) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "p.txt", b.as_bytes());
        for format in [Format::Scan, Format::Jsonl, Format::Sql] {
            let whole = read_all(&p, ReadOptions { format, chunk_size: 1 << 20, ..ReadOptions::default() });
            let chunked = read_all(&p, ReadOptions { format, chunk_size: chunk, ..ReadOptions::default() });
            let streamed = read_all(&p, ReadOptions { format, chunk_size: chunk, mmap: false, ..ReadOptions::default() });
            prop_assert_eq!(&whole, &chunked);
            prop_assert_eq!(&whole, &streamed);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), chunk in 1usize..50) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "r.bin", &bytes);
        for format in [Format::Auto, Format::Csv, Format::Scan, Format::Jsonl, Format::Sql] {
            let _ = read_path(&p, &ReadOptions { format, chunk_size: chunk, ..ReadOptions::default() });
        }
    }
}

/// Generated messy dumps (quoted addresses with commas and newlines: about 3 in 10 newlines
/// are inside quotes) and adversarial variants, read with chunk sizes that make hundreds of
/// windows: every record, counter and warning is as in one sequential read. Cuts of a mapped
/// CSV input are guessed and checked (`speculate.rs`); this covers guesses that are right,
/// wrong and undecided, and the fallback after a wrong one.
#[test]
fn csv_guessed_cuts_match_sequential_on_generated_dumps() {
    use leakmatch_ingest::{generate, DumpFormat, GenOptions};
    let opts = GenOptions {
        rows: 3_000,
        seed: 11,
        format: DumpFormat::Csv,
        ..GenOptions::default()
    };
    let mut dump = Vec::new();
    generate(&opts, &mut dump, None).unwrap();
    let text = String::from_utf8_lossy(&dump).into_owned();
    // Misleading quotes right after newlines inside quoted fields, so that guesses go wrong.
    let misleading = text.replace("\n", "\n\"x\",\"");
    // An unterminated quote at the very end.
    let unterminated = format!("{text}\"0300-1234567,\n3520212345671\n");
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("plain", &text),
        ("misleading", &misleading),
        ("open", &unterminated),
    ] {
        let p = write(&dir, &format!("{name}.csv"), body.as_bytes());
        let whole = read_all(
            &p,
            ReadOptions {
                format: Format::Csv,
                chunk_size: 1 << 30,
                ..ReadOptions::default()
            },
        );
        assert!(whole.0.records > 1000, "{name}");
        for chunk in [97, 1000, 4096, 65_536] {
            let chunked = read_all(
                &p,
                ReadOptions {
                    format: Format::Csv,
                    chunk_size: chunk,
                    ..ReadOptions::default()
                },
            );
            assert_eq!(whole, chunked, "{name}, chunks of {chunk} bytes");
        }
    }
}
