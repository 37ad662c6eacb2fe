//! CLI integration tests: every command, exit codes, JSON shapes, exact counts against the
//! generator's truth, and the privacy guarantee. One temp dir per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{fixture, json, read_json, stderr, stdout, Dir};

/// Generates a dump and a base with truth in `dir`; returns (dump, base, truth).
fn gen(
    dir: &Dir,
    rows: u64,
    format: &str,
) -> (std::path::PathBuf, std::path::PathBuf, serde_json::Value) {
    let dump = format!("dump.{format}");
    dir.cmd(&[
        "gen",
        "--rows",
        &rows.to_string(),
        "--seed",
        "11",
        "--format",
        format,
        "-o",
        &dump,
    ])
    .arg("--subscribers")
    .arg("base.csv")
    .arg("--subscriber-rows")
    .arg((rows / 4).to_string())
    .ok();
    let truth = read_json(&dir.path(&format!("{dump}.truth.json")));
    (dir.path(&dump), dir.path("base.csv"), truth)
}

fn build(
    dir: &Dir,
    key: &str,
    out: &str,
    inputs: &[&std::path::Path],
    extra: &[&str],
) -> serde_json::Value {
    let mut c = dir.cmd(&["build", "--json", "--fpr", "1e-9", "-k", key, "-o", out]);
    if !extra.contains(&"--kinds") {
        c = c.arg("--kinds").arg("msisdn,cnic,pair");
    }
    for e in extra {
        c = c.arg(e);
    }
    for i in inputs {
        c = c.arg(i);
    }
    json(&c.ok())
}

fn match_json(dir: &Dir, key: &str, filter: &str, base: &std::path::Path) -> serde_json::Value {
    json(
        &dir.cmd(&["match", "--json", "-k", key, "-f", filter])
            .arg(base)
            .ok(),
    )
}

#[test]
fn keygen_writes_private_key_and_refuses_to_overwrite() {
    let d = Dir::new();
    let key = d.key("k.key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let out = d.cmd(&["keygen", "-o", "k.key"]).code(1);
    assert!(stderr(&out).contains("k.key"), "{}", stderr(&out));
}

#[test]
fn key_readable_by_others_is_refused_with_the_fix() {
    let d = Dir::new();
    let key = d.key("k.key");
    let dump = d.write("d.csv", "msisdn\n03001234567\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
        ])
        .arg(&dump)
        .code(1);
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    assert!(!d.path("f.lmf").exists());
    d.cmd(&[
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "--allow-insecure-key",
        "-k",
        "k.key",
        "-o",
        "f.lmf",
    ])
    .arg(&dump)
    .ok();
}

#[test]
fn build_and_match_find_exactly_the_planted_people() {
    let d = Dir::new();
    d.key("k.key");
    let (dump, base, truth) = gen(&d, 4000, "csv");
    let b = build(&d, "k.key", "f.lmf", &[&dump], &[]);
    assert_eq!(
        b["inputs"][0]["msisdn"]["valid"],
        truth["dump"]["valid_msisdn_fields"]
    );
    assert_eq!(
        b["inputs"][0]["cnic"]["valid"],
        truth["dump"]["valid_cnic_fields"]
    );
    let r = match_json(&d, "k.key", "f.lmf", &base);
    assert_eq!(r["schema"], "leakmatch.match.v1");
    let o = &truth["overlap"];
    assert_eq!(r["kinds"]["msisdn"]["distinct_matched"], o["msisdn"]);
    assert_eq!(r["kinds"]["cnic"]["distinct_matched"], o["cnic"]);
    assert_eq!(r["kinds"]["pair"]["distinct_matched"], o["pair"]);
    assert_eq!(
        r["kinds"]["msisdn"]["distinct_tested"],
        truth["base"]["distinct_msisdn"]
    );
    let by_op: u64 = r["matched_msisdn_by_operator"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(Some(by_op), o["msisdn"].as_u64());
    assert_eq!(r["distinct_counts_exact"], true);
    // --no-mmap reads the filter (and the base) instead of mapping them: the same report.
    let read = json(
        &d.cmd(&["match", "--json", "--no-mmap", "-k", "k.key", "-f", "f.lmf"])
            .arg(&base)
            .ok(),
    );
    assert_eq!(read["kinds"], r["kinds"]);
    assert_eq!(
        read["matched_msisdn_by_operator"],
        r["matched_msisdn_by_operator"]
    );

    // Past --memory the distinct counts become labelled estimates, close to the truth.
    let out = d
        .cmd(&[
            "match", "--json", "--memory", "1K", "-k", "k.key", "-f", "f.lmf",
        ])
        .arg(&base)
        .ok();
    let e = json(&out);
    assert_eq!(e["distinct_counts_exact"], false);
    for kind in ["msisdn", "cnic", "pair"] {
        let got = e["kinds"][kind]["distinct_matched"].as_f64().unwrap();
        let want = o[kind].as_f64().unwrap();
        assert!((got / want - 1.0).abs() < 0.03, "{kind}: {got} vs {want}");
        assert_eq!(
            e["kinds"][kind]["rows_matched"],
            r["kinds"][kind]["rows_matched"]
        );
    }
    let text = d
        .cmd(&["match", "--memory", "1K", "-k", "k.key", "-f", "f.lmf"])
        .arg(&base)
        .ok();
    assert!(
        stdout(&text).contains("HyperLogLog estimates"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn every_fixture_format_gives_the_truths_counts() {
    let d = Dir::new();
    d.key("k.key");
    let base = fixture("base-small.csv");
    for name in [
        "dump-small.csv",
        "dump-small.tsv",
        "dump-small-semicolon.csv",
        "dump-small-pipe.csv",
        "dump-small.jsonl",
        "dump-small.sql",
        "dump-small-phpmyadmin.sql",
        "dump-small.txt",
        "dump-small.csv.gz",
    ] {
        let dump = fixture(name);
        let truth = read_json(&fixture(&truth_name(name)));
        let mut extra = vec![];
        if name.ends_with(".txt") {
            extra.push("--format=scan");
        }
        let b = build(&d, "k.key", "f.lmf", &[&dump], &extra);
        // No "FPR above target" warning: the capacity estimate held for every format (a
        // phpMyAdmin dump once sampled 4x too few records, and matches became flaky).
        assert_eq!(b["warnings"], serde_json::json!([]), "{name}");
        let t = &truth["dump"];
        assert_eq!(b["inputs"][0]["records"], t["rows"], "{name}");
        assert_eq!(
            b["inputs"][0]["msisdn"]["valid"], t["valid_msisdn_fields"],
            "{name}"
        );
        assert_eq!(
            b["inputs"][0]["cnic"]["valid"], t["valid_cnic_fields"],
            "{name}"
        );
        for (reason, n) in t["rejected_msisdn_by_reason"].as_object().unwrap() {
            assert_eq!(
                &b["inputs"][0]["msisdn"][reason], n,
                "{name}: msisdn {reason}"
            );
        }
        let r = match_json(&d, "k.key", "f.lmf", &base);
        let o = &truth["overlap"];
        for kind in ["msisdn", "cnic", "pair"] {
            assert_eq!(
                r["kinds"][kind]["distinct_matched"], o[kind],
                "{name}: {kind}"
            );
        }
        std::fs::remove_file(d.path("f.lmf")).unwrap();
    }
}

/// Truth file for a fixture (`dump-small.csv.gz` shares `dump-small.csv`'s truth).
fn truth_name(name: &str) -> String {
    let base = name.trim_end_matches(".gz");
    let candidate = format!("{base}.truth.json");
    if fixture(&candidate).exists() {
        candidate
    } else {
        "truth-small.json".into()
    }
}

#[test]
fn matches_out_holds_only_own_rows_marked_with_kinds() {
    let d = Dir::new();
    d.key("k.key");
    let dump = d.write(
        "dump.csv",
        "name,msisdn,cnic\nA,0300-1234567,35202-1234567-1\nB,0345 7654321,\n",
    );
    let base = d.write("base.csv", "id;mobile;cnic\n1;+92 300 1234567;3520212345671\n2;03211112222;\n3;0345-7654321;4210111111113\n");
    build(&d, "k.key", "f.lmf", &[&dump], &[]);
    d.cmd(&[
        "match",
        "-k",
        "k.key",
        "-f",
        "f.lmf",
        "--matches-out",
        "hits.csv",
    ])
    .arg(&base)
    .ok();
    let hits = std::fs::read_to_string(d.path("hits.csv")).unwrap();
    assert_eq!(
        hits,
        "matched_kinds;id;mobile;cnic\nmsisdn+cnic+pair;1;+92 300 1234567;3520212345671\nmsisdn;3;0345-7654321;4210111111113\n"
    );
}

#[test]
fn wrong_key_exits_3_naming_both_key_ids() {
    let d = Dir::new();
    let id1 = stdout(&d.cmd(&["keygen", "-o", "a.key"]).ok())
        .trim()
        .to_string();
    let id2 = stdout(&d.cmd(&["keygen", "-o", "b.key"]).ok())
        .trim()
        .to_string();
    let dump = d.write("d.csv", "msisdn\n03001234567\n");
    build(&d, "a.key", "f.lmf", &[&dump], &[]);
    let out = d
        .cmd(&["match", "-k", "b.key", "-f", "f.lmf"])
        .arg(&dump)
        .code(3);
    let err = stderr(&out);
    assert!(err.contains(&id1) && err.contains(&id2), "{err}");
}

#[test]
fn corrupt_or_truncated_filter_exits_3() {
    let d = Dir::new();
    d.key("k.key");
    let dump = d.write("d.csv", "msisdn\n03001234567\n");
    build(&d, "k.key", "f.lmf", &[&dump], &[]);
    let bytes = std::fs::read(d.path("f.lmf")).unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    d.write("flipped.lmf", &flipped);
    d.write("short.lmf", &bytes[..bytes.len() - 1]);
    d.write("junk.lmf", b"not a filter at all");
    for f in ["flipped.lmf", "short.lmf", "junk.lmf"] {
        d.cmd(&["inspect", f]).code(3);
        d.cmd(&["match", "-k", "k.key", "-f", f]).arg(&dump).code(3);
    }
}

#[test]
fn inspect_reports_header_fill_and_enumeration_cost() {
    let d = Dir::new();
    d.key("k.key");
    let (dump, _, _) = gen(&d, 2000, "csv");
    build(&d, "k.key", "f.lmf", &[&dump], &["--kinds", "msisdn,pair"]);
    let v = json(&d.cmd(&["inspect", "--json", "f.lmf"]).ok());
    assert_eq!(v["schema"], "leakmatch.inspect.v1");
    assert_eq!(v["kinds"], serde_json::json!(["msisdn", "pair"]));
    assert!(v["estimated_distinct_tokens"].as_f64().unwrap() > 100.0);
    assert_eq!(v["enumeration_cost"].as_array().unwrap().len(), 2);
    let text = stdout(&d.cmd(&["inspect", "f.lmf"]).ok());
    assert!(text.contains("enumeration cost"), "{text}");
    // Read instead of mapped: the same report.
    let read = json(&d.cmd(&["inspect", "--json", "--no-mmap", "f.lmf"]).ok());
    assert_eq!(read, v);
}

#[test]
fn merge_unions_and_refuses_other_keys() {
    let d = Dir::new();
    d.key("k.key");
    d.key("other.key");
    let a = d.write("a.csv", "msisdn\n03001234567\n");
    let b = d.write("b.csv", "msisdn\n03451234567\n");
    let base = d.write(
        "base.csv",
        "msisdn\n03001234567\n03451234567\n03331234567\n",
    );
    for (inp, out) in [(&a, "a.lmf"), (&b, "b.lmf")] {
        build(&d, "k.key", out, &[inp], &["--capacity", "1000"]);
    }
    build(&d, "other.key", "o.lmf", &[&a], &["--capacity", "1000"]);
    d.cmd(&["merge", "-k", "k.key", "-o", "ab.lmf", "a.lmf", "b.lmf"])
        .ok();
    let r = match_json(&d, "k.key", "ab.lmf", &base);
    assert_eq!(r["kinds"]["msisdn"]["distinct_matched"], 2);
    d.cmd(&[
        "merge",
        "-k",
        "k.key",
        "--no-mmap",
        "-o",
        "ab2.lmf",
        "a.lmf",
        "b.lmf",
    ])
    .ok();
    let r2 = match_json(&d, "k.key", "ab2.lmf", &base);
    assert_eq!(r2["kinds"], r["kinds"]);
    d.cmd(&["merge", "-k", "k.key", "-o", "bad.lmf", "a.lmf", "o.lmf"])
        .code(3);
    assert!(!d.path("bad.lmf").exists());
}

#[test]
fn usage_errors_exit_2() {
    let d = Dir::new();
    d.cmd(&["build"]).code(2);
    d.cmd(&["frobnicate"]).code(2);
    d.key("k.key");
    d.cmd(&[
        "build", "-k", "k.key", "-o", "f.lmf", "--kinds", "imsi", "x.csv",
    ])
    .code(2);
    d.cmd(&["--help"]).ok();
}

#[test]
fn missing_input_exits_1_and_leaves_no_output() {
    let d = Dir::new();
    d.key("k.key");
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
            "nope.csv",
        ])
        .code(1);
    assert!(stderr(&out).contains("nope.csv"), "{}", stderr(&out));
    assert!(!d.path("f.lmf").exists());
    assert_eq!(d.files().len(), 1, "{:?}", d.files());
}

#[test]
fn stdin_input_works() {
    let d = Dir::new();
    d.key("k.key");
    let dump = d.write("d.csv", "msisdn,cnic\n03001234567,35202-1234567-1\n");
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--json",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
            "--capacity",
            "100",
            "-",
        ])
        .stdin_file(&dump)
        .ok();
    assert_eq!(json(&out)["tokens_inserted"]["pair"], 1);
}

/// A named pipe (as `<(zcat dump.gz)` gives) is read whole: sizing the filter must not sample
/// its start, which would take those bytes from the reader (it once lost every record).
#[test]
fn named_pipe_input_loses_nothing() {
    let d = Dir::new();
    d.key("k.key");
    let fifo = d.path("dump.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    let dump = fixture("dump-small.csv");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let data = std::fs::read(dump).unwrap();
            std::fs::write(fifo, data).unwrap();
        })
    };
    let b = build(&d, "k.key", "f.lmf", &[&fifo], &[]);
    writer.join().unwrap();
    let truth = read_json(&fixture("dump-small.csv.truth.json"));
    assert_eq!(b["inputs"][0]["records"], truth["dump"]["rows"]);
}

#[test]
fn closed_stdout_pipe_is_not_an_error() {
    let d = Dir::new();
    d.key("k.key");
    let (dump, _, _) = gen(&d, 500, "csv");
    build(&d, "k.key", "f.lmf", &[&dump], &[]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakmatch"))
        .current_dir(d.tmp.path())
        .args(["inspect", "--json", "f.lmf"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn demo_runs_and_explains_each_step() {
    let d = Dir::new();
    let out = d.cmd(&["demo", "--rows", "3000"]).ok();
    let text = stdout(&out);
    for step in ["1.", "2.", "3.", "4.", "5.", "6.", "7."] {
        assert!(text.contains(step), "missing step {step}:\n{text}");
    }
}

/// Issue 17 item 5: `demo --keep DIR` never deletes or overwrites a file already in DIR (it
/// used to delete an existing `shared.key`); an empty or new DIR works, pair-only.
#[test]
fn demo_keep_never_overwrites_a_users_file() {
    let d = Dir::new();
    std::fs::create_dir(d.path("mine")).unwrap();
    d.write("mine/shared.key", "my real key");
    let out = d.cmd(&["demo", "--rows", "2000", "--keep", "mine"]).code(2);
    assert!(stderr(&out).contains("shared.key"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(d.path("mine/shared.key")).unwrap(),
        "my real key"
    );
    assert_eq!(std::fs::read_dir(d.path("mine")).unwrap().count(), 1);
    let out = d.cmd(&["demo", "--rows", "2000", "--keep", "new"]).ok();
    assert!(stdout(&out).contains("pair-only"), "{}", stdout(&out));
    assert!(d.path("new/shared.key").exists() && d.path("new/dump.lmf").exists());
}

/// Canonical and common raw renderings of every identifier the generator planted.
fn identifier_forms(dir: &Dir, truth_ids: &[String]) -> Vec<String> {
    let _ = dir;
    let mut forms = Vec::new();
    for id in truth_ids {
        forms.push(id.clone());
        if id.len() == 12 {
            // 923001234567 → 3001234567 (national): a substring of every ASCII form.
            forms.push(id[2..].to_string());
        } else if id.len() == 13 {
            forms.push(format!("{}-{}-{}", &id[..5], &id[5..12], &id[12..]));
        }
    }
    forms
}

#[test]
fn no_identifier_leaves_the_process() {
    let d = Dir::new();
    d.key("k.key");
    let (dump, base, _) = gen(&d, 3000, "csv");
    // The identifiers in both inputs, canonical, as the library reads them.
    let ids = collect_ids(&[&dump, &base]);
    assert!(ids.len() > 1000);
    let mut captured = Vec::new();
    for args in [
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--verbose",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
        ],
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--verbose",
            "--json",
            "-k",
            "k.key",
            "-o",
            "g.lmf",
        ],
    ] {
        let out = d.cmd(&args).arg(&dump).ok();
        captured.extend(out.stdout);
        captured.extend(out.stderr);
    }
    for args in [
        vec![
            "match",
            "--verbose",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
            "--matches-out",
            "own.csv",
        ],
        vec!["match", "--verbose", "--json", "-k", "k.key", "-f", "f.lmf"],
        vec!["inspect", "f.lmf"],
        vec!["inspect", "--json", "f.lmf"],
    ] {
        let out = d.cmd(&args).arg(&base).output();
        captured.extend(out.stdout);
        captured.extend(out.stderr);
    }
    for f in d.files() {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if ["dump.csv", "base.csv", "own.csv"].contains(&name.as_str())
            || name.ends_with(".truth.json")
        {
            continue;
        }
        captured.extend(std::fs::read(&f).unwrap());
    }
    let hay = String::from_utf8_lossy(&captured);
    for form in identifier_forms(&d, &ids) {
        assert!(!hay.contains(&form), "an identifier leaked into an output");
    }
}

fn collect_ids(inputs: &[&std::path::Path]) -> Vec<String> {
    use leakmatch_ingest::{read_input, InputSource, NoProgress, ReadOptions, Record, RecordSink};
    struct Ids(Vec<String>);
    impl RecordSink for Ids {
        fn record(&mut self, r: &Record<'_>) {
            self.0
                .extend(r.msisdns.iter().map(|m| m.as_str().to_string()));
            self.0
                .extend(r.cnics.iter().map(|c| c.as_str().to_string()));
        }
    }
    let mut ids = Vec::new();
    for p in inputs {
        let out = read_input(
            &InputSource::Path(p.to_path_buf()),
            &ReadOptions::default(),
            || Ids(Vec::new()),
            &NoProgress,
        )
        .unwrap();
        for s in out.sinks {
            ids.extend(s.0);
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// `--matches-out` uses the delimiter the reader detected, even when the header alone (one
/// column) says nothing about it.
#[test]
fn matches_out_keeps_the_readers_delimiter() {
    let d = Dir::new();
    d.key("k.key");
    let dump = d.write("dump.csv", "msisdn\n0300-1234567\n");
    let base = d.write(
        "base.csv",
        "msisdn\n03001234567;Ali;Lahore\n03451234567;Sana;Quetta\n",
    );
    build(&d, "k.key", "f.lmf", &[&dump], &[]);
    d.cmd(&[
        "match",
        "-k",
        "k.key",
        "-f",
        "f.lmf",
        "--matches-out",
        "hits.csv",
    ])
    .arg(&base)
    .ok();
    let hits = std::fs::read_to_string(d.path("hits.csv")).unwrap();
    assert_eq!(
        hits,
        "matched_kinds;msisdn\nmsisdn;03001234567;Ali;Lahore\n"
    );
}

/// `size`, `build` and `match` count a dump the same as headed CSV and as headerless pipe text
/// (its columns chosen by content): every rendering the generator knows, same seed.
#[test]
fn headerless_pipe_dump_counts_as_its_headed_csv() {
    let d = Dir::new();
    d.key("k.key");
    let (csv, base, truth) = gen(&d, 3000, "csv");
    let (pipe, _, _) = gen(&d, 3000, "pipe");
    let text = std::fs::read(&pipe).unwrap();
    let first = text.iter().position(|&b| b == b'\n').unwrap();
    let headerless = d.write("dump-nohdr.txt", &text[first + 1..]);
    let inputs = [csv.as_path(), headerless.as_path()];

    let size = |p: &std::path::Path| {
        let out = d.cmd(&["size", "--json"]).arg(p).ok();
        let mut v = json(&out)["inputs"][0].clone();
        for k in ["name", "format", "bytes"] {
            v.as_object_mut().unwrap().remove(k);
        }
        (v, stderr(&out))
    };
    let (a, _) = size(&csv);
    let (b, note) = size(&headerless);
    assert_eq!(a, b);
    assert_eq!(a["records"], truth["dump"]["rows"]);
    assert!(
        note.contains("no header") && note.contains("msisdn (") && note.contains("cnic ("),
        "{note}"
    );

    build(&d, "k.key", "base.lmf", &[&base], &[]);
    let mut reports = Vec::new();
    for (i, dump) in inputs.iter().enumerate() {
        let f = format!("f{i}.lmf");
        let mut b = build(&d, "k.key", &f, &[dump], &[]);
        let input = b["inputs"][0].as_object_mut().unwrap();
        for k in ["name", "format", "bytes"] {
            input.remove(k);
        }
        let r = match_json(&d, "k.key", &f, &base);
        // The dump as the matched input, against a filter of the base.
        let own = match_json(&d, "k.key", "base.lmf", dump);
        let mut own_inputs = own["inputs"].clone();
        for k in ["name", "format", "bytes"] {
            own_inputs[0].as_object_mut().unwrap().remove(k);
        }
        reports.push((
            b["inputs"].clone(),
            b["tokens_inserted"].clone(),
            r["kinds"].clone(),
            own["kinds"].clone(),
            own_inputs,
        ));
    }
    assert_eq!(reports[0], reports[1]);
    assert_eq!(
        reports[0].2["pair"]["distinct_matched"],
        truth["overlap"]["pair"]
    );
}

#[test]
fn completions_and_man_page_cover_every_subcommand() {
    let d = Dir::new();
    let subcommands = [
        "keygen", "build", "match", "inspect", "merge", "gen", "size", "demo",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&d.cmd(&["completions", shell]).ok());
        for sub in subcommands {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
        assert!(script.contains("msisdn-col"), "{shell}");
    }
    d.cmd(&["completions", "tcsh"]).code(2);
    let page = stdout(&d.cmd(&["man"]).ok());
    assert!(
        page.starts_with(".ie") || page.contains(".TH leakmatch"),
        "{page}"
    );
    for sub in subcommands {
        assert!(
            page.contains(&format!(".SS \"leakmatch {sub}\"")),
            "man page lacks {sub}"
        );
    }
    assert!(page.contains("EXIT STATUS") && page.contains("key mismatch"));
    assert!(page.contains("EXAMPLES"));
}
