//! Edge cases of the reader: odd bytes, odd files, compression, diagnostics.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use std::io::Write;

use common::{read_path, records, write};
use leakmatch_ingest::{ColumnRef, Format, IngestError, ReadOptions, RejectReason, SkipReason};

const M: &str = "03001234567";
const C: &str = "35202-1234567-1";

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn streamed(chunk: usize) -> ReadOptions {
    ReadOptions {
        mmap: false,
        chunk_size: chunk,
        ..ReadOptions::default()
    }
}

#[test]
fn empty_file_is_zero_records() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "empty.csv", b"");
    let out = read_path(&p, &opts()).unwrap();
    assert_eq!(out.stats.records, 0);
    assert!(out.sinks.is_empty());
    let p = write(&dir, "header-only.csv", b"msisdn,cnic\n");
    let out = read_path(&p, &opts()).unwrap();
    assert_eq!(out.stats.records, 0);
    assert_eq!(out.header.as_deref(), Some(&b"msisdn,cnic"[..]));
}

#[test]
fn directories_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_path(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, IngestError::NotAFile { .. }), "{err}");
    let missing = dir.path().join("nope.csv");
    let err = read_path(&missing, &opts()).unwrap_err();
    assert!(err.to_string().contains("nope.csv"), "{err}");
}

#[test]
fn bom_crlf_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "\u{feff}Name,\"Mobile No\",CNIC\r\n\"Khan, \"\"A\"\"\nsecond line\",\"{M}\",{C}\r\nB,,\r\n\r\n"
    );
    let p = write(&dir, "x.csv", text.as_bytes());
    for o in [
        opts(),
        streamed(7),
        ReadOptions {
            chunk_size: 5,
            ..opts()
        },
    ] {
        let out = read_path(&p, &o).unwrap();
        assert_eq!(out.header.as_deref(), Some(&b"Name,\"Mobile No\",CNIC"[..]));
        assert_eq!(out.columns.msisdn, vec!["\"Mobile No\""]);
        assert_eq!(out.stats.records, 2);
        assert_eq!(out.stats.msisdn.valid, 1);
        assert_eq!(out.stats.cnic.valid, 1);
        assert_eq!(out.stats.msisdn.rejected[RejectReason::Empty.index()], 1);
        assert_eq!(out.stats.pairs, 1);
        let recs = records(&out);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].offset, 3 + 23);
        assert!(recs[0].raw.ends_with(C.as_bytes()), "no \\r in raw");
        assert_eq!(recs[0].msisdns, vec!["923001234567"]);
    }
}

#[test]
fn unterminated_quote_warns_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("msisdn,name\n{M},a\n{M},\"open\nmore\n");
    let p = write(&dir, "open.csv", text.as_bytes());
    for o in [opts(), streamed(4)] {
        let out = read_path(&p, &o).unwrap();
        assert_eq!(out.stats.records, 2);
        assert_eq!(out.stats.msisdn.valid, 2);
        let w = &out.diagnostics.warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("line 3") && w[0].contains("byte 26"), "{w:?}");
        assert!(!w[0].contains(M));
    }
}

#[test]
fn column_choice_errors_and_headerless() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "nohdr.csv",
        format!("Ali,{M},{C}\nBo,{M},x\n").as_bytes(),
    );
    // Auto mode chooses by content.
    let out = read_path(&p, &opts()).unwrap();
    assert_eq!((out.stats.records, out.stats.pairs), (2, 1));
    assert_eq!(
        (out.columns.msisdn.clone(), out.columns.cnic.clone()),
        (vec!["#2".to_string()], vec!["#3".to_string()])
    );
    assert!(out.diagnostics.columns_by_content.is_some());
    // Nothing there to choose.
    let q = write(&dir, "nothing.csv", b"Ali,04235761234,x\nBo,0423576123,y\n");
    let err = read_path(&q, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, IngestError::NoIdentifierColumn { .. }));
    assert!(
        msg.contains("--format scan")
            && msg.contains("--msisdn-col")
            && !msg.contains("4235761234"),
        "{msg}"
    );
    // Only indices and digits in the first row: headerless.
    let o = ReadOptions {
        msisdn_cols: vec![ColumnRef::Index(2)],
        cnic_cols: vec![ColumnRef::Index(3)],
        ..opts()
    };
    let out = read_path(&p, &o).unwrap();
    assert_eq!(out.stats.records, 2);
    assert!(out.header.is_none() && !out.columns.header);
    assert_eq!(out.stats.pairs, 1);
    assert_eq!(out.columns.cnic, vec!["#3"]);
    // A name the header lacks.
    let p = write(&dir, "h.csv", format!("a,b\n{M},x\n").as_bytes());
    let o = ReadOptions {
        msisdn_cols: vec![ColumnRef::Name("phone".into())],
        ..opts()
    };
    let err = read_path(&p, &o).unwrap_err();
    assert!(matches!(err, IngestError::BadColumn { .. }), "{err}");
    // By name, other kind auto-picked.
    let p = write(
        &dir,
        "h2.csv",
        format!("Sub,cnic,mobile\n{M},{C},x\n").as_bytes(),
    );
    let o = ReadOptions {
        msisdn_cols: vec![ColumnRef::Name("SUB".into())],
        ..opts()
    };
    let out = read_path(&p, &o).unwrap();
    assert_eq!(out.columns.msisdn, vec!["Sub"]);
    assert_eq!(out.columns.cnic, vec!["cnic"]);
    assert_eq!(out.stats.pairs, 1);
}

#[test]
fn odd_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"msisdn;cnic\n".to_vec();
    text.extend_from_slice(b"0300\x001234567;\xff\xfe\n\x00\x00\n;;;;\n\"\"\"\n");
    let p = write(&dir, "odd.csv", &text);
    let out = read_path(&p, &opts()).unwrap();
    assert!(out.stats.msisdn.rejected_total() >= 1);
    assert_eq!(out.stats.msisdn.valid, 0);
    for f in [Format::Jsonl, Format::Sql, Format::Scan] {
        read_path(
            &p,
            &ReadOptions {
                format: f,
                ..opts()
            },
        )
        .unwrap();
    }
}

#[test]
fn a_ten_megabyte_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("msisdn,address,cnic\n{M},short,{C}\n{M},\"").into_bytes();
    text.extend(std::iter::repeat_n(b'x', 10 << 20));
    text.extend_from_slice(format!("\n,\",{C}\n{M},s,{C}\n").as_bytes());
    let p = write(&dir, "long.csv", &text);
    for o in [
        opts(),
        streamed(1 << 20),
        ReadOptions {
            chunk_size: 1 << 20,
            ..opts()
        },
    ] {
        let out = read_path(&p, &o).unwrap();
        assert_eq!(out.stats.records, 3);
        assert_eq!(out.stats.pairs, 3);
    }
    let mut scan = vec![b'7'; 10 << 20];
    scan.extend_from_slice(format!("\n{M} {C}\n").as_bytes());
    let p = write(&dir, "long.txt", &scan);
    let out = read_path(
        &p,
        &ReadOptions {
            format: Format::Scan,
            ..streamed(1 << 20)
        },
    )
    .unwrap();
    assert_eq!(out.stats.records, 2);
    assert_eq!(out.stats.pairs, 1);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn csv_rows(n: usize) -> Vec<u8> {
    let mut s = String::from("msisdn,cnic\n");
    for _ in 0..n {
        s.push_str(&format!("{M},{C}\n"));
    }
    s.into_bytes()
}

#[test]
fn compressed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv_rows(20_000);
    let z = zstd::encode_all(&data[..], 1).unwrap();
    for (name, bytes) in [
        ("a.csv.gz", gz(&data)),
        ("a.csv.zst", z.clone()),
        ("sniffed.csv", z),
    ] {
        let p = write(&dir, name, &bytes);
        let out = read_path(&p, &streamed(10_000)).unwrap();
        assert_eq!(out.stats.records, 20_000, "{name}");
        assert_eq!(out.stats.bytes, data.len() as u64, "{name}");
        assert!(out.sinks.len() > 2, "{name}: streamed in blocks");
    }
}

#[test]
fn broken_compression_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv_rows(20_000);
    let full = gz(&data);
    let p = write(&dir, "cut.csv.gz", &full[..full.len() / 2]);
    let err = read_path(&p, &streamed(16 << 10)).unwrap_err();
    match &err {
        IngestError::Decompress {
            input,
            records_processed,
            decompressed,
            ..
        } => {
            assert!(input.ends_with("cut.csv.gz"));
            assert!(*records_processed > 0);
            assert!(*decompressed > 0);
        }
        other => panic!("{other}"),
    }
    assert!(!err.to_string().contains(M));
    let p = write(&dir, "fake.zst", b"msisdn\n03001234567\n");
    let err = read_path(&p, &opts()).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::Decompress {
                records_processed: 0,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("fake.zst"));
}

#[test]
fn jsonl_skips_broken_lines_with_absolute_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 1..=300 {
        if i % 100 == 0 {
            text.push_str("{\"msisdn\": \"0300\n");
        } else {
            text.push_str(&format!(
                "{{\"Mobile\":{},\"nested\":{{\"cnic\":1}},\"CNIC\":\"{C}\"}}\n",
                &M[1..]
            ));
        }
    }
    text.push_str("{\"msisdn\":9.23001e11}\n");
    let p = write(&dir, "a.jsonl", text.as_bytes());
    for o in [
        opts(),
        streamed(500),
        ReadOptions {
            chunk_size: 300,
            ..opts()
        },
    ] {
        let out = read_path(&p, &o).unwrap();
        assert_eq!(out.format, Format::Jsonl);
        assert_eq!(out.stats.records, 298);
        assert_eq!(out.stats.skipped_records, 3);
        let lines: Vec<u64> = out.diagnostics.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![100, 200, 300]);
        assert!(out
            .diagnostics
            .skipped
            .iter()
            .all(|s| s.reason == SkipReason::MalformedJson));
        assert_eq!(out.stats.pairs, 297);
        assert_eq!(out.stats.msisdn.rejected[RejectReason::Lossy.index()], 1);
        assert_eq!(
            out.columns.msisdn,
            vec!["Mobile".to_string(), "msisdn".to_string()]
        );
    }
}

#[test]
fn sql_columns_tuples_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "-- dump\nCREATE TABLE `subs` (\n  `id` int,\n  `cell_no` varchar(20),\n  `nic` varchar(20)\n);\n\
         INSERT INTO `subs` VALUES (1,'{M}','{C}'),(2,'O\\'Brien, \\\\ ''x''',NULL);\n\
         INSERT INTO other (`phone`,`x`) VALUES ('{M}','a'),(3,'{M}');\n\
         INSERT INTO `subs` VALUES (4,'{M}','{C}'),(5,'{M}','3520"
    );
    let p = write(&dir, "d.sql", text.as_bytes());
    for o in [opts(), streamed(40)] {
        let out = read_path(&p, &o).unwrap();
        assert_eq!(out.format, Format::Sql);
        assert_eq!(out.stats.records, 5);
        assert_eq!(out.stats.pairs, 2);
        assert_eq!(out.stats.skipped_records, 1);
        let s = out.diagnostics.skipped[0];
        assert_eq!((s.line, s.reason), (9, SkipReason::TruncatedSqlTuple));
        let recs = records(&out);
        assert_eq!(recs[0].raw, format!("(1,'{M}','{C}')").into_bytes());
        assert_eq!(out.columns.cnic, vec!["subs.nic"]);
    }
}

#[test]
fn scan_mode() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("call +92 300 1234567 or {M}; cnic {C}, imsi 410011234567890\nnothing 12345\r\n");
    let p = write(&dir, "t.log", text.as_bytes());
    let out = read_path(
        &p,
        &ReadOptions {
            format: Format::Scan,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(out.stats.records, 2);
    assert_eq!(out.stats.msisdn.valid, 2);
    assert_eq!(out.stats.cnic.valid, 1);
    assert_eq!(out.stats.pairs, 2);
    assert_eq!(
        out.stats.msisdn.rejected_total() + out.stats.cnic.rejected_total(),
        0
    );
}

#[test]
fn fifo_is_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !ok.is_ok_and(|s| s.success()) {
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, csv_rows(1000)).unwrap())
    };
    let out = read_path(&fifo, &opts()).unwrap();
    writer.join().unwrap();
    assert_eq!(out.stats.records, 1000);
}

#[test]
fn streamed_and_mapped_detect_the_same_delimiter() {
    // The header alone says `;`, the next records say `,`: both reads must agree.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("msisdn;cnic\n");
    for _ in 0..15 {
        text.push_str(&format!("{M},{C};x\n"));
    }
    let p = write(&dir, "mixed.csv", text.as_bytes());
    let mapped = read_path(&p, &opts()).unwrap();
    let streamed = read_path(&p, &streamed(16)).unwrap();
    assert_eq!(mapped.stats, streamed.stats);
    assert_eq!(records(&mapped), records(&streamed));
}

#[derive(Default)]
struct Tally {
    begins: std::sync::atomic::AtomicU64,
    finishes: std::sync::atomic::AtomicU64,
    advances: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
    records: std::sync::atomic::AtomicU64,
}

impl leakmatch_ingest::Progress for Tally {
    fn begin(&self, _input: &str, _total: Option<u64>) {
        self.begins
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn advance(&self, bytes: u64, records: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.advances.fetch_add(1, Relaxed);
        self.bytes.fetch_add(bytes, Relaxed);
        self.records.fetch_add(records, Relaxed);
    }
    fn finish(&self) {
        self.finishes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn progress_is_per_chunk() {
    use std::sync::atomic::Ordering::Relaxed;
    let dir = tempfile::tempdir().unwrap();
    let data = csv_rows(6000);
    let p = write(&dir, "p.csv", &data);
    for o in [
        ReadOptions {
            chunk_size: 4096,
            ..opts()
        },
        streamed(4096),
    ] {
        let tally = Tally::default();
        let src = leakmatch_ingest::InputSource::Path(p.clone());
        let out = leakmatch_ingest::read_input(&src, &o, common::Keep::default, &tally).unwrap();
        assert_eq!(tally.begins.load(Relaxed), 1);
        assert_eq!(tally.finishes.load(Relaxed), 1);
        assert_eq!(tally.advances.load(Relaxed), out.sinks.len() as u64);
        assert!(out.sinks.len() > 1);
        assert_eq!(tally.records.load(Relaxed), 6000);
        // Every byte after the header is reported once.
        assert_eq!(tally.bytes.load(Relaxed), data.len() as u64 - 12);
    }
}

/// ASCII-only JSON exporters escape non-ASCII digits: the escapes are decoded before
/// normalization, so these are the same people as their plain forms; a malformed escape is
/// junk, as any junk.
#[test]
fn json_escapes_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        r#"{"msisdn":"\u06f0\u06f3\u06f0\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7","cnic":"35202\u002d1234567\u002d1"}"#,
        "\n",
        r#"{"msisdn":"0300\/1234567","cnic":"\ud83d"}"#,
        "\n",
    );
    let p = write(&dir, "esc.jsonl", text.as_bytes());
    let out = read_path(&p, &opts()).unwrap();
    assert_eq!(out.stats.msisdn.valid, 1);
    assert_eq!(out.stats.cnic.valid, 1);
    let recs = records(&out);
    assert_eq!(recs[0].msisdns, ["923001234567"]);
    assert_eq!(recs[0].cnics, ["3520212345671"]);
    assert_eq!(out.stats.msisdn.rejected_total(), 1);
    assert_eq!(out.stats.cnic.rejected_total(), 1);
}
