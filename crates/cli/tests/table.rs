//! Parquet (and Arrow IPC) inputs: the same dump as CSV and as a table reads alike, and broken
//! table files fail with exit 1 naming the file, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{json, stderr, Dir};

fn without_names(mut v: serde_json::Value) -> serde_json::Value {
    for s in v["inputs"].as_array_mut().unwrap() {
        for k in ["name", "format", "bytes"] {
            s.as_object_mut().unwrap().remove(k);
        }
    }
    for k in ["name", "format", "bytes"] {
        if let Some(t) = v.get_mut("total").and_then(|t| t.as_object_mut()) {
            t.remove(k);
        }
    }
    v
}

#[test]
fn parquet_dump_sizes_builds_and_matches_as_its_csv() {
    let d = Dir::new();
    d.key("k.key");
    d.cmd(&["gen", "--rows", "6000", "--seed", "11", "-o", "dump.csv"])
        .arg("--subscribers")
        .arg(d.path("base.csv"))
        .ok();
    d.cmd(&[
        "gen",
        "--rows",
        "6000",
        "--seed",
        "11",
        "--format",
        "parquet",
        "-o",
        "dump.parquet",
    ])
    .ok();
    let size = |f: &str| without_names(json(&d.cmd(&["size", "--json", f]).ok()));
    let csv = size("dump.csv");
    assert!(csv["inputs"][0]["distinct"]["pairs"].as_u64().unwrap() > 1000);
    assert_eq!(csv, size("dump.parquet"));
    for (input, out) in [("dump.csv", "c.lmf"), ("dump.parquet", "p.lmf")] {
        d.cmd(&[
            "build",
            "--json",
            "-k",
            "k.key",
            "--capacity",
            "20000",
            "-o",
            out,
            input,
        ])
        .ok();
    }
    assert_eq!(
        std::fs::read(d.path("c.lmf")).unwrap(),
        std::fs::read(d.path("p.lmf")).unwrap(),
        "the Parquet dump's filter differs from the CSV dump's"
    );
    // Without --capacity, the footer's row count sizes the filter.
    let b = json(
        &d.cmd(&[
            "build",
            "--json",
            "-k",
            "k.key",
            "-o",
            "e.lmf",
            "dump.parquet",
        ])
        .ok(),
    );
    assert!(b["capacity"].as_u64().unwrap() >= 6000, "{b}");
    // A Parquet base matches as its CSV does, and its matched rows are written.
    let base = json(
        &d.cmd(&[
            "match",
            "--json",
            "-k",
            "k.key",
            "-f",
            "c.lmf",
            "--matches-out",
            "m.csv",
        ])
        .arg(d.path("base.csv"))
        .ok(),
    );
    let kinds = &base["kinds"];
    assert!(
        kinds["pair"]["rows_matched"].as_u64().unwrap() > 0,
        "{base}"
    );
    let from_parquet = json(
        &d.cmd(&["match", "--json", "-k", "k.key", "-f", "p.lmf"])
            .arg(d.path("base.csv"))
            .ok(),
    );
    assert_eq!(&from_parquet["kinds"], kinds);
}

#[test]
fn parquet_matches_out_holds_the_matched_rows_as_csv() {
    let d = Dir::new();
    d.key("k.key");
    d.cmd(&[
        "gen",
        "--rows",
        "3000",
        "--seed",
        "5",
        "--format",
        "parquet",
        "-o",
        "dump.parquet",
    ])
    .ok();
    d.cmd(&["build", "-k", "k.key", "-o", "f.lmf", "dump.parquet"])
        .ok();
    // The dump against itself: every row with a valid pair matches.
    let r = json(
        &d.cmd(&[
            "match",
            "--json",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
            "--matches-out",
            "m.csv",
            "dump.parquet",
        ])
        .ok(),
    );
    let matched = r["rows_matched_any"].as_u64().unwrap();
    assert!(matched > 1000, "{r}");
    let text = std::fs::read_to_string(d.path("m.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_ascii_lowercase();
    assert!(
        header.starts_with("matched_kinds,") && header.contains("msisdn"),
        "{header}"
    );
    // Rows may hold quoted newlines (addresses): count records by their matched_kinds field.
    let rows = text.matches("\npair,").count();
    assert_eq!(rows as u64, matched);
}

#[test]
fn broken_parquet_files_fail_naming_the_file() {
    let d = Dir::new();
    d.cmd(&[
        "gen",
        "--rows",
        "3000",
        "--seed",
        "3",
        "--format",
        "parquet",
        "-o",
        "good.parquet",
    ])
    .ok();
    let good = std::fs::read(d.path("good.parquet")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.parquet", good[..good.len() / 2].to_vec()),
        ("no-footer.parquet", good[..good.len() - 3].to_vec()),
        ("not-parquet.parquet", b"msisdn\n03001234567\n".to_vec()),
        ("empty.parquet", Vec::new()),
    ];
    // The footer intact, a row group's data overwritten.
    let mut garbled = good.clone();
    for b in &mut garbled[200..good.len() / 2] {
        *b = 0x5a;
    }
    cases.push(("garbled.parquet", garbled));
    // Magic bytes at both ends and garbage between (auto mode by content, no extension).
    let mut forged = b"PAR1".to_vec();
    forged.extend(std::iter::repeat_n(0xffu8, 500));
    forged.extend(200u32.to_le_bytes());
    forged.extend(b"PAR1");
    cases.push(("forged.bin", forged));
    for (name, bytes) in cases {
        d.write(name, &bytes);
        let o = d.cmd(&["size", name]).code(1);
        let err = stderr(&o);
        assert!(err.contains(name), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // From standard input: refused, saying why.
    let o = d
        .cmd(&["size", "--format", "parquet", "-"])
        .stdin_file(&d.path("good.parquet"))
        .code(1);
    assert!(
        stderr(&o).contains("not from standard input"),
        "{}",
        stderr(&o)
    );
}
