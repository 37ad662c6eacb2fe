//! Parquet and Arrow IPC tables, compressed as exporters compress them, read as the CSV text of
//! the same values: typed cells (integers, floats, decimals, dictionaries, binary, views, nulls)
//! give the records, identifiers, reject counts and columns the CSV of their text gives.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure report.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BinaryArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt64Array,
};
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use arrow_ipc::CompressionType;
use common::{read_path, records, write, Keep};
use leakmatch_ingest::{IngestError, ReadOptions, ReadOutcome};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;

/// Times the rows are repeated: several row groups and batches.
const REPEAT: usize = 2500;
const ROWS_PER_GROUP: usize = 4000;

/// The table's columns: name, typed values, and the CSV text of each value.
fn columns() -> Vec<(&'static str, ArrayRef, Vec<&'static str>)> {
    let n = REPEAT;
    let rep = |v: Vec<&'static str>| v.iter().cycle().take(8 * n).copied().collect::<Vec<_>>();
    let int = |v: [Option<i64>; 8]| Int64Array::from_iter(v.iter().cycle().take(8 * n).copied());
    vec![
        (
            "msisdn",
            Arc::new(int([
                Some(923001234567),
                Some(3001234567),
                None,
                Some(12),
                Some(3451234567),
                Some(-923001234567),
                Some(923211234567),
                Some(0),
            ])) as ArrayRef,
            rep(vec![
                "923001234567",
                "3001234567",
                "",
                "12",
                "3451234567",
                "-923001234567",
                "923211234567",
                "0",
            ]),
        ),
        (
            "Mobile No",
            Arc::new(Float64Array::from_iter(
                [
                    Some(923451234567.0),
                    Some(f64::NAN),
                    None,
                    Some(9230012345.5),
                    Some(f64::INFINITY),
                    Some(3211234567.0),
                    Some(92300123456.0),
                    Some(-3001234567.0),
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "923451234567",
                "",
                "",
                "9230012345.5",
                "inf",
                "3211234567",
                "92300123456",
                "-3001234567",
            ]),
        ),
        (
            "phone",
            Arc::new(
                Decimal128Array::from_iter(
                    [
                        Some(92300123456700),
                        None,
                        Some(5),
                        Some(300123456700),
                        Some(30012345670),
                        Some(-92300123456700),
                        Some(92311112222200),
                        Some(0),
                    ]
                    .iter()
                    .cycle()
                    .take(8 * n)
                    .copied(),
                )
                .with_precision_and_scale(20, 2)
                .unwrap(),
            ),
            rep(vec![
                "923001234567.00",
                "",
                "0.05",
                "3001234567.00",
                "300123456.70",
                "-923001234567.00",
                "923111122222.00",
                "0.00",
            ]),
        ),
        (
            "cell",
            Arc::new(StringArray::from_iter(
                [
                    Some("0300-1234567"),
                    Some(""),
                    None,
                    Some("9.23001E+11"),
                    Some("+92 345 7654321"),
                    Some("junk"),
                    Some("9.23001234567E+11"),
                    Some("923001234567"),
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "0300-1234567",
                "",
                "",
                "9.23001E+11",
                "+92 345 7654321",
                "junk",
                "9.23001234567E+11",
                "923001234567",
            ]),
        ),
        (
            "contact",
            Arc::new(
                [
                    Some("0300 1112222"),
                    None,
                    Some("0300 1112222"),
                    Some(""),
                    Some("3.00123E+09"),
                    Some("x"),
                    Some("0311-2223334"),
                    None,
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied()
                .collect::<DictionaryArray<Int32Type>>(),
            ),
            rep(vec![
                "0300 1112222",
                "",
                "0300 1112222",
                "",
                "3.00123E+09",
                "x",
                "0311-2223334",
                "",
            ]),
        ),
        (
            "mobile_bin",
            Arc::new(BinaryArray::from_iter(
                [
                    Some(b"03001234567".as_slice()),
                    None,
                    Some(b"0345-7654321".as_slice()),
                    Some(b"".as_slice()),
                    Some(b"\xd9\xa0\xd9\xa3".as_slice()),
                    Some(b"923001234567".as_slice()),
                    Some(b"0300123456".as_slice()),
                    None,
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "03001234567",
                "",
                "0345-7654321",
                "",
                "\u{660}\u{663}",
                "923001234567",
                "0300123456",
                "",
            ]),
        ),
        (
            "cnic",
            Arc::new(int([
                Some(3520212345671),
                None,
                Some(4210112345671),
                Some(12),
                Some(3520212345671),
                Some(-3520212345671),
                Some(6110111111111),
                Some(352021234567),
            ])),
            rep(vec![
                "3520212345671",
                "",
                "4210112345671",
                "12",
                "3520212345671",
                "-3520212345671",
                "6110111111111",
                "352021234567",
            ]),
        ),
        (
            "NIC",
            Arc::new(LargeStringArray::from_iter(
                [
                    Some("35202-1234567-1"),
                    Some("3.52021E+12"),
                    None,
                    Some(""),
                    Some("42101-1234567-1"),
                    Some("35202 1234567 1"),
                    Some("3520212345671"),
                    Some("nope"),
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "35202-1234567-1",
                "3.52021E+12",
                "",
                "",
                "42101-1234567-1",
                "35202 1234567 1",
                "3520212345671",
                "nope",
            ]),
        ),
        (
            "cnic2",
            Arc::new(UInt64Array::from_iter(
                [
                    Some(3520212345671u64),
                    Some(4210112345671),
                    None,
                    Some(0),
                    Some(u64::MAX),
                    Some(3520212345671),
                    Some(99),
                    Some(6110111111111),
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "3520212345671",
                "4210112345671",
                "",
                "0",
                "18446744073709551615",
                "3520212345671",
                "99",
                "6110111111111",
            ]),
        ),
        (
            "idcard",
            Arc::new(StringViewArray::from_iter(
                [
                    Some("3520212345671"),
                    None,
                    Some("35202-1234567-1"),
                    Some("a long value that does not fit inline in a view"),
                    Some(""),
                    Some("42101-1234567-1"),
                    Some("61101 1111111 1"),
                    Some("3520212345671"),
                ]
                .iter()
                .cycle()
                .take(8 * n)
                .copied(),
            )),
            rep(vec![
                "3520212345671",
                "",
                "35202-1234567-1",
                "a long value that does not fit inline in a view",
                "",
                "42101-1234567-1",
                "61101 1111111 1",
                "3520212345671",
            ]),
        ),
        (
            "name",
            Arc::new(StringArray::from_iter_values(
                [
                    "Ali", "Sara", "Bilal", "Hina", "Omar", "Ayesha", "Zain", "Nida",
                ]
                .iter()
                .cycle()
                .take(8 * n),
            )),
            rep(vec![
                "Ali", "Sara", "Bilal", "Hina", "Omar", "Ayesha", "Zain", "Nida",
            ]),
        ),
    ]
}

fn batch() -> RecordBatch {
    RecordBatch::try_from_iter(columns().into_iter().map(|(n, a, _)| (n, a))).unwrap()
}

/// The CSV of the same values' text.
fn csv_text() -> Vec<u8> {
    let cols = columns();
    let mut out = cols.iter().map(|c| c.0).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in 0..cols[0].2.len() {
        let cells: Vec<&str> = cols.iter().map(|c| c.2[row]).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn parquet(path: &Path, compression: Compression) {
    let b = batch();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        b.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
}

fn ipc(path: &Path, compression: Option<CompressionType>) {
    let b = batch();
    let opts = IpcWriteOptions::default()
        .try_with_compression(compression)
        .unwrap();
    let mut w =
        FileWriter::try_new_with_options(std::fs::File::create(path).unwrap(), &b.schema(), opts)
            .unwrap();
    let mut at = 0;
    while at < b.num_rows() {
        let len = 3000.min(b.num_rows() - at);
        w.write(&b.slice(at, len)).unwrap();
        at += len;
    }
    w.finish().unwrap();
}

/// What must agree between a table and its CSV: per record the identifiers, then the counts
/// and the columns used.
type Essence = (Vec<(Vec<String>, Vec<String>)>, String, String);

fn essence(out: &ReadOutcome<Keep>) -> Essence {
    let mut stats = out.stats;
    stats.bytes = 0;
    (
        records(out)
            .into_iter()
            .map(|r| (r.msisdns, r.cnics))
            .collect(),
        format!("{stats:?}"),
        format!("{:?}", out.columns),
    )
}

/// `got` equals `expected`, reported by the first record that differs.
fn same(got: &Essence, expected: &Essence, what: &str) {
    if let Some(i) = (0..got.0.len().min(expected.0.len())).find(|&i| got.0[i] != expected.0[i]) {
        panic!(
            "{what}: record {i}: {:?}, the CSV's {:?}",
            got.0[i], expected.0[i]
        );
    }
    assert_eq!(got.0.len(), expected.0.len(), "{what}: records");
    assert_eq!(got.1, expected.1, "{what}: counts");
    assert_eq!(got.2, expected.2, "{what}: columns");
}

#[test]
fn compressed_tables_read_as_the_csv_of_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(&dir, "rows.csv", &csv_text());
    let expected = essence(&read_path(&csv, &ReadOptions::default()).unwrap());
    assert_eq!(expected.0.len(), 8 * REPEAT);
    // The rows hold valid identifiers of both kinds, and each kind of reject.
    for needle in ["valid: ", "pairs: "] {
        assert!(expected.1.contains(needle), "{}", expected.1);
    }
    assert!(
        expected.0.iter().any(|(m, c)| m.len() >= 3 && c.len() >= 2),
        "{:?}",
        &expected.0[..8]
    );
    let parquets = [
        ("none", Compression::UNCOMPRESSED),
        ("snappy", Compression::SNAPPY),
        ("gzip", Compression::GZIP(GzipLevel::default())),
        ("lz4", Compression::LZ4),
        ("lz4_raw", Compression::LZ4_RAW),
        ("zstd", Compression::ZSTD(ZstdLevel::default())),
    ];
    for (name, c) in parquets {
        let p = dir.path().join(format!("rows.{name}.parquet"));
        parquet(&p, c);
        let out = read_path(&p, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("Parquet {name}: {e}"));
        same(&essence(&out), &expected, &format!("Parquet {name}"));
    }
    let ipcs = [
        ("none", None),
        ("lz4", Some(CompressionType::LZ4_FRAME)),
        ("zstd", Some(CompressionType::ZSTD)),
    ];
    for (name, c) in ipcs {
        let p = dir.path().join(format!("rows.{name}.feather"));
        ipc(&p, c);
        let out =
            read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("IPC {name}: {e}"));
        same(&essence(&out), &expected, &format!("Arrow IPC {name}"));
    }
}

#[test]
fn lossy_excel_numbers_count_as_lossy_in_tables_as_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rows.zstd.parquet");
    parquet(&p, Compression::ZSTD(ZstdLevel::default()));
    let out = read_path(&p, &ReadOptions::default()).unwrap();
    let lossy = leakmatch_ingest::RejectReason::Lossy as usize;
    // `9.23001E+11` and `9.23001234567E+11` in `cell`, `3.00123E+09` in `contact`: never guessed.
    assert_eq!(out.stats.msisdn.rejected[lossy], 3 * REPEAT as u64);
    assert_eq!(out.stats.cnic.rejected[lossy], REPEAT as u64);
}

#[test]
fn a_corrupted_compressed_page_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, kind) in [("lz4.parquet", 0), ("lz4.feather", 1), ("zstd.feather", 2)] {
        let p = dir.path().join(name);
        match kind {
            0 => parquet(&p, Compression::LZ4_RAW),
            1 => ipc(&p, Some(CompressionType::LZ4_FRAME)),
            _ => ipc(&p, Some(CompressionType::ZSTD)),
        }
        let mut bytes = std::fs::read(&p).unwrap();
        // Garble the data (not the footer): the compressed bodies.
        let end = bytes.len() / 2;
        for b in &mut bytes[64..end] {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        std::fs::write(&p, &bytes).unwrap();
        match read_path(&p, &ReadOptions::default()) {
            Err(e @ IngestError::Table { .. }) => {
                let text = e.to_string();
                assert!(text.contains(name), "{name}: {text}");
                let longest = text
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .max();
                assert!(longest < Some(10), "{name}: {text}");
            }
            Err(e) => panic!("{name}: unexpected error {e}"),
            Ok(_) => panic!("{name}: a garbled file was read"),
        }
    }
}

#[test]
fn date_columns_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let b = RecordBatch::try_from_iter([
        (
            "msisdn",
            Arc::new(StringArray::from(vec!["03001234567"])) as ArrayRef,
        ),
        ("registered", Arc::new(Date32Array::from(vec![19000]))),
    ])
    .unwrap();
    let p = dir.path().join("d.parquet");
    let mut w = ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), b.schema(), None).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    let out = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(out.stats.msisdn.valid, 1);
    assert_eq!(out.columns.msisdn, ["msisdn"]);
}
