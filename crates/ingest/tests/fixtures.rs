//! Every synthetic fixture read in every way (mapped, streamed, tiny chunks) gives exactly the
//! counts and identifier sets of its truth file.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use std::collections::BTreeSet;

use common::{fixture, read_path, records};
use leakmatch_ingest::{Format, ReadOptions, RejectReason};
use serde_json::Value;

fn check(name: &str, truth: &str, format: Format) {
    let truth: Value = serde_json::from_slice(&std::fs::read(fixture(truth)).unwrap()).unwrap();
    let t = &truth["dump"];
    let ways = [
        ("mapped", ReadOptions::default()),
        (
            "streamed",
            ReadOptions {
                mmap: false,
                chunk_size: 3000,
                ..ReadOptions::default()
            },
        ),
        (
            "small chunks",
            ReadOptions {
                chunk_size: 1000,
                ..ReadOptions::default()
            },
        ),
    ];
    for (how, mut opts) in ways {
        opts.format = Format::Auto;
        if format == Format::Scan {
            opts.format = Format::Scan;
        }
        let out = read_path(&fixture(name), &opts).unwrap_or_else(|e| panic!("{name} {how}: {e}"));
        let ctx = format!("{name} ({how})");
        assert_eq!(out.format, format, "{ctx}");
        let s = &out.stats;
        assert_eq!(s.records, t["rows"].as_u64().unwrap(), "{ctx} rows");
        assert_eq!(s.skipped_records, 0, "{ctx}");
        assert_eq!(
            s.msisdn.valid,
            t["valid_msisdn_fields"].as_u64().unwrap(),
            "{ctx} msisdn"
        );
        assert_eq!(
            s.cnic.valid,
            t["valid_cnic_fields"].as_u64().unwrap(),
            "{ctx} cnic"
        );
        for r in RejectReason::ALL {
            let want = |k: &str| t[k][r.name()].as_u64().unwrap();
            assert_eq!(
                s.msisdn.rejected[r.index()],
                want("rejected_msisdn_by_reason"),
                "{ctx} msisdn {}",
                r.name()
            );
            assert_eq!(
                s.cnic.rejected[r.index()],
                want("rejected_cnic_by_reason"),
                "{ctx} cnic {}",
                r.name()
            );
        }
        let recs = records(&out);
        let pair_records = recs
            .iter()
            .filter(|r| !r.msisdns.is_empty() && !r.cnics.is_empty())
            .count();
        assert_eq!(
            pair_records as u64,
            t["pair_records"].as_u64().unwrap(),
            "{ctx}"
        );
        assert_eq!(
            recs.len() as u64,
            t["records_with_valid_id"].as_u64().unwrap(),
            "{ctx}"
        );
        assert_eq!(
            s.pairs, pair_records as u64,
            "{ctx}: one pair per record in these dumps"
        );
        let m: BTreeSet<_> = recs.iter().flat_map(|r| r.msisdns.clone()).collect();
        let c: BTreeSet<_> = recs.iter().flat_map(|r| r.cnics.clone()).collect();
        let p: BTreeSet<_> = recs
            .iter()
            .flat_map(|r| {
                r.msisdns
                    .iter()
                    .flat_map(move |m| r.cnics.iter().map(move |c| (m.clone(), c.clone())))
            })
            .collect();
        assert_eq!(
            m.len() as u64,
            t["distinct_msisdn"].as_u64().unwrap(),
            "{ctx}"
        );
        assert_eq!(
            c.len() as u64,
            t["distinct_cnic"].as_u64().unwrap(),
            "{ctx}"
        );
        assert_eq!(
            p.len() as u64,
            t["distinct_pairs"].as_u64().unwrap(),
            "{ctx}"
        );
        assert!(
            out.diagnostics.warnings.is_empty(),
            "{ctx}: {:?}",
            out.diagnostics.warnings
        );
        let len = std::fs::metadata(fixture(name)).unwrap().len();
        if !name.ends_with(".gz") {
            assert_eq!(s.bytes, len, "{ctx}");
        }
        for r in &recs {
            assert!(r.offset < s.bytes, "{ctx}");
        }
    }
}

#[test]
fn csv() {
    check("dump-small.csv", "dump-small.csv.truth.json", Format::Csv);
    check(
        "dump-small.csv.gz",
        "dump-small.csv.truth.json",
        Format::Csv,
    );
}

#[test]
fn other_delimiters() {
    check("dump-small.tsv", "dump-small.tsv.truth.json", Format::Csv);
    check(
        "dump-small-semicolon.csv",
        "dump-small-semicolon.csv.truth.json",
        Format::Csv,
    );
    check(
        "dump-small-pipe.csv",
        "dump-small-pipe.csv.truth.json",
        Format::Csv,
    );
}

#[test]
fn jsonl() {
    check(
        "dump-small.jsonl",
        "dump-small.jsonl.truth.json",
        Format::Jsonl,
    );
}

#[test]
fn sql() {
    check("dump-small.sql", "dump-small.sql.truth.json", Format::Sql);
    check(
        "dump-small-phpmyadmin.sql",
        "dump-small-phpmyadmin.sql.truth.json",
        Format::Sql,
    );
}

#[test]
fn scan() {
    check("dump-small.txt", "dump-small.txt.truth.json", Format::Scan);
}

#[test]
fn csv_header_and_columns_reported() {
    let out = read_path(&fixture("dump-small.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(
        out.header.as_deref(),
        Some(&b"id,name,father_name,msisdn,cnic,address,city,imsi,activation_date"[..])
    );
    assert_eq!(out.columns.msisdn, vec!["msisdn"]);
    assert_eq!(out.columns.cnic, vec!["cnic"]);
    let out = read_path(&fixture("dump-small.sql"), &ReadOptions::default()).unwrap();
    assert_eq!(out.columns.msisdn, vec!["subscribers.msisdn"]);
}
