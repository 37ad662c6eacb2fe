//! Exact counts on every committed fixture, in every format, against the generator's truth;
//! 100% overlap between formats of the same dump; the memory fallback; no identifier in output.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leakmatch_ingest::{Format, InputSource, NoProgress, ReadOptions};
use leakmatch_sizing::{render_html, size_inputs, InputSize, SizeOptions};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// (dump file, truth file, format to read with).
const DUMPS: &[(&str, &str, Format)] = &[
    ("dump-small.csv", "dump-small.csv.truth.json", Format::Auto),
    (
        "dump-small.csv.gz",
        "dump-small.csv.truth.json",
        Format::Auto,
    ),
    ("dump-small.tsv", "dump-small.tsv.truth.json", Format::Auto),
    (
        "dump-small-semicolon.csv",
        "dump-small-semicolon.csv.truth.json",
        Format::Auto,
    ),
    (
        "dump-small-pipe.csv",
        "dump-small-pipe.csv.truth.json",
        Format::Auto,
    ),
    (
        "dump-small.jsonl",
        "dump-small.jsonl.truth.json",
        Format::Auto,
    ),
    ("dump-small.sql", "dump-small.sql.truth.json", Format::Auto),
    (
        "dump-small-phpmyadmin.sql",
        "dump-small-phpmyadmin.sql.truth.json",
        Format::Auto,
    ),
    ("dump-small.txt", "dump-small.txt.truth.json", Format::Scan),
];

fn truth(file: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["dump"].clone()
}

fn map(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect()
}

fn named<K: ToString>(m: &BTreeMap<K, u64>) -> BTreeMap<String, u64> {
    m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn read(format: Format) -> ReadOptions {
    ReadOptions {
        format,
        ..ReadOptions::default()
    }
}

fn check_against_truth(s: &InputSize, t: &Value, what: &str) {
    check_distinct(s, t, what);
    assert_eq!(
        s.read.msisdn.valid,
        t["valid_msisdn_fields"].as_u64().unwrap(),
        "{what}"
    );
    assert_eq!(
        s.read.cnic.valid,
        t["valid_cnic_fields"].as_u64().unwrap(),
        "{what}"
    );
    assert_eq!(s.read.pairs, t["pair_records"].as_u64().unwrap(), "{what}");
    assert_eq!(s.read.records, t["rows"].as_u64().unwrap(), "{what}");
    let rejected = |r: &leakmatch_match::RejectCounts| {
        BTreeMap::from([
            ("empty".to_string(), r.empty),
            ("not_mobile".to_string(), r.not_mobile),
            ("bad_length".to_string(), r.bad_length),
            ("lossy".to_string(), r.lossy),
            ("junk".to_string(), r.junk),
        ])
    };
    assert_eq!(
        rejected(&s.read.msisdn),
        map(&t["rejected_msisdn_by_reason"]),
        "{what}"
    );
    assert_eq!(
        rejected(&s.read.cnic),
        map(&t["rejected_cnic_by_reason"]),
        "{what}"
    );
}

/// The distinct figures and breakdowns (not the read counters).
fn check_distinct(s: &InputSize, t: &Value, what: &str) {
    let z = &s.sizes;
    assert!(z.exact, "{what}");
    assert_eq!(
        z.distinct.msisdn,
        t["distinct_msisdn"].as_u64().unwrap(),
        "{what}"
    );
    assert_eq!(
        z.distinct.cnic,
        t["distinct_cnic"].as_u64().unwrap(),
        "{what}"
    );
    assert_eq!(
        z.distinct.pairs,
        t["distinct_pairs"].as_u64().unwrap(),
        "{what}"
    );
    let nonzero = |m: BTreeMap<String, u64>| -> BTreeMap<String, u64> {
        m.into_iter().filter(|(_, n)| *n > 0).collect()
    };
    assert_eq!(
        nonzero(named(&z.msisdn_by_operator)),
        nonzero(map(&t["distinct_msisdn_by_operator"])),
        "{what}"
    );
    assert_eq!(
        nonzero(named(&z.cnic_by_province)),
        nonzero(map(&t["distinct_cnic_by_province"])),
        "{what}"
    );
    assert_eq!(
        named(&z.cnic_by_registered_gender),
        map(&t["distinct_cnic_by_registered_gender"]),
        "{what}"
    );
    let sims = z.sims_per_cnic.as_ref().unwrap();
    assert_eq!(
        named(&sims.histogram),
        map(&t["sims_per_cnic_histogram"]),
        "{what}"
    );
}

#[test]
fn exact_counts_match_truth_in_every_format() {
    for &(dump, truth_file, format) in DUMPS {
        let source = InputSource::Path(fixtures().join(dump));
        let out = size_inputs(
            &[source],
            &read(format),
            &SizeOptions::default(),
            &NoProgress,
        )
        .unwrap();
        let t = truth(truth_file);
        check_against_truth(&out.report.inputs[0], &t, dump);
        check_against_truth(&out.report.total, &t, dump);
        let sims = out.report.total.sizes.sims_per_cnic.as_ref().unwrap();
        assert_eq!((sims.cnics_over_limit, sims.max_sims), (1, 11), "{dump}");
    }
}

#[test]
fn same_dump_in_different_formats_overlaps_completely() {
    let sources: Vec<InputSource> = ["dump-small.csv", "dump-small.jsonl", "dump-small.sql"]
        .iter()
        .map(|f| InputSource::Path(fixtures().join(f)))
        .collect();
    let opts = SizeOptions {
        overlap: true,
        ..SizeOptions::default()
    };
    let out = size_inputs(&sources, &ReadOptions::default(), &opts, &NoProgress).unwrap();
    let overlap = out.report.overlap.as_ref().unwrap();
    assert_eq!(
        overlap.iter().map(|o| (o.a, o.b)).collect::<Vec<_>>(),
        [(0, 1), (0, 2), (1, 2)]
    );
    for o in overlap {
        assert!(o.exact);
        for k in [&o.msisdn, &o.cnic, &o.pairs] {
            assert_eq!((k.pct_of_a, k.pct_of_b, k.jaccard), (100.0, 100.0, 1.0));
        }
        assert_eq!(o.msisdn.both, 1397);
        assert_eq!(o.pairs.both, 1316);
    }
    // The union of three copies is one copy.
    check_distinct(
        &out.report.total,
        &truth("dump-small.csv.truth.json"),
        "union",
    );
    assert_eq!(out.report.total.read.records, 3 * 1600);
    assert_eq!(out.report.total.read.format, "mixed");
}

#[test]
fn dump_and_base_overlap_as_in_truth() {
    let sources: Vec<InputSource> = ["dump-small.csv", "base-small.csv"]
        .iter()
        .map(|f| InputSource::Path(fixtures().join(f)))
        .collect();
    let opts = SizeOptions {
        overlap: true,
        ..SizeOptions::default()
    };
    let out = size_inputs(&sources, &ReadOptions::default(), &opts, &NoProgress).unwrap();
    let text = std::fs::read_to_string(fixtures().join("truth-small.json")).unwrap();
    let t: Value = serde_json::from_str(&text).unwrap();
    let o = &out.report.overlap.as_ref().unwrap()[0];
    assert_eq!(o.msisdn.both, t["overlap"]["msisdn"].as_u64().unwrap());
    assert_eq!(o.cnic.both, t["overlap"]["cnic"].as_u64().unwrap());
    assert_eq!(o.pairs.both, t["overlap"]["pair"].as_u64().unwrap());
    assert_eq!(o.msisdn.b, t["base"]["distinct_msisdn"].as_u64().unwrap());
    let union = out.report.total.sizes.distinct.msisdn;
    assert_eq!(union, o.msisdn.a + o.msisdn.b - o.msisdn.both);
}

#[test]
fn over_the_memory_budget_figures_are_labelled_estimates() {
    let sources: Vec<InputSource> = ["dump-small.csv", "dump-small.sql"]
        .iter()
        .map(|f| InputSource::Path(fixtures().join(f)))
        .collect();
    let opts = SizeOptions {
        overlap: true,
        memory_limit: 4096,
        ..SizeOptions::default()
    };
    let out = size_inputs(&sources, &ReadOptions::default(), &opts, &NoProgress).unwrap();
    let r = &out.report;
    assert!(!r.exact && !r.total.sizes.exact && r.total.sizes.sims_per_cnic.is_none());
    let close = |got: u64, want: u64| (got as f64 - want as f64).abs() / (want as f64) < 0.03;
    let d = r.total.sizes.distinct;
    assert!(
        close(d.msisdn, 1397) && close(d.cnic, 814) && close(d.pairs, 1316),
        "{d:?}"
    );
    let o = &r.overlap.as_ref().unwrap()[0];
    assert!(!o.exact && o.msisdn.pct_of_a > 95.0, "{o:?}");
    // Counters of the read stay exact.
    assert_eq!(r.total.read.msisdn.valid, 2 * 1494);
}

#[test]
fn no_identifier_appears_in_json_or_html() {
    let sources: Vec<InputSource> = ["dump-small.csv", "dump-small.txt"]
        .iter()
        .map(|f| InputSource::Path(fixtures().join(f)))
        .collect();
    let opts = SizeOptions {
        overlap: true,
        ..SizeOptions::default()
    };
    let out = size_inputs(&sources, &ReadOptions::default(), &opts, &NoProgress).unwrap();
    let json = serde_json::to_string(&out.report).unwrap();
    let html = render_html(&out.report);
    let ids = identifiers(&fixtures().join("dump-small.csv"));
    assert!(ids.len() > 2000);
    for text in [&json, &html] {
        assert!(
            !ids.iter().any(|id| text.contains(id.as_str())),
            "an identifier in the output"
        );
    }
    assert!(!html.contains("https://") && !html.contains("<script") && !html.contains("url("));
    for id in [
        "chart-operator",
        "chart-province",
        "chart-sims",
        "chart-rejections",
        "chart-overlap-msisdn",
    ] {
        assert!(html.contains(&format!("<svg id=\"{id}\"")), "{id}");
    }
}

#[test]
fn overlap_needs_two_inputs() {
    let source = InputSource::Path(fixtures().join("dump-small.csv"));
    let opts = SizeOptions {
        overlap: true,
        ..SizeOptions::default()
    };
    let err = size_inputs(&[source], &ReadOptions::default(), &opts, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("at least two inputs"));
}

/// Every valid identifier of a dump, in the canonical and national forms.
fn identifiers(path: &Path) -> Vec<String> {
    struct Collect(Vec<String>);
    impl leakmatch_ingest::RecordSink for Collect {
        fn record(&mut self, r: &leakmatch_ingest::Record<'_>) {
            for m in r.msisdns {
                self.0.push(m.as_str().to_string());
                self.0.push(m.as_str()[2..].to_string());
            }
            for c in r.cnics {
                self.0.push(c.as_str().to_string());
            }
        }
    }
    let source = InputSource::Path(path.to_path_buf());
    let out = leakmatch_ingest::read_input(
        &source,
        &ReadOptions::default(),
        || Collect(Vec::new()),
        &NoProgress,
    )
    .unwrap();
    out.sinks.into_iter().flat_map(|s| s.0).collect()
}
