//! One dump, three renderings — headed CSV, headerless pipe-separated text, free text — read
//! in auto mode: `size`, `build` and `match` give the same counts and the same filter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{json, stderr, Dir};

/// `(format flags, file name)` of each rendering.
const RENDERINGS: [(&[&str], &str); 3] = [
    (&["--format", "csv"], "dump.csv"),
    (&["--format", "pipe", "--no-header"], "dump.txt"),
    (&["--format", "text"], "notes.txt"),
];

fn generate(dir: &Dir) {
    for (flags, name) in RENDERINGS {
        let mut args = vec!["gen", "-q", "--rows", "4000", "--seed", "11", "-o", name];
        args.extend_from_slice(flags);
        if name == "dump.csv" {
            args.extend_from_slice(&["--subscribers", "base.csv"]);
        }
        dir.cmd(&args).ok();
    }
}

#[test]
fn headed_headerless_and_free_text_renderings_size_build_and_match_alike() {
    let dir = Dir::new();
    generate(&dir);
    let truth = util::read_json(&dir.path("dump.csv.truth.json"));
    let key = dir.key("k.key");
    let mut sizes = Vec::new();
    let mut filters = Vec::new();
    let mut matches = Vec::new();
    for (i, (_, name)) in RENDERINGS.iter().enumerate() {
        let out = dir.cmd(&["size", "--json", name]).ok();
        let how = stderr(&out);
        let v = json(&out);
        let t = &v["total"];
        sizes.push(serde_json::json!({
            "distinct": t["distinct"],
            "msisdn_valid": t["msisdn"]["valid"],
            "cnic_valid": t["cnic"]["valid"],
            "pairs": t["pairs"],
            "operators": t["msisdn_by_operator"],
            "provinces": t["cnic_by_province"],
        }));
        match i {
            0 => assert_eq!(v["inputs"][0]["format"], "csv"),
            1 => {
                assert_eq!(v["inputs"][0]["format"], "csv");
                assert!(how.contains("chosen by content"), "{how}");
            }
            _ => {
                assert_eq!(v["inputs"][0]["format"], "scan");
                assert!(how.contains("read as free text"), "{how}");
            }
        }
        let lmf = format!("f{i}.lmf");
        let mut build = dir.cmd(&[
            "build",
            "-q",
            "--key",
            "k.key",
            "--kinds",
            "msisdn,cnic,pair",
            "--capacity",
            "20000",
            "-o",
            &lmf,
            name,
        ]);
        build.cmd.env("SOURCE_DATE_EPOCH", "1700000000");
        build.ok();
        filters.push(std::fs::read(dir.path(&lmf)).unwrap());
        let out = dir
            .cmd(&["match", "--json", "--key", "k.key", "-f", &lmf, "base.csv"])
            .ok();
        matches.push(json(&out)["kinds"].clone());
    }
    assert_eq!(
        sizes[0]["distinct"]["msisdn"],
        truth["dump"]["distinct_msisdn"]
    );
    assert_eq!(sizes[0]["distinct"]["cnic"], truth["dump"]["distinct_cnic"]);
    assert_eq!(
        sizes[0]["distinct"]["pairs"],
        truth["dump"]["distinct_pairs"]
    );
    for i in 1..RENDERINGS.len() {
        let name = RENDERINGS[i].1;
        assert_eq!(sizes[i], sizes[0], "size of {name}");
        assert!(filters[i] == filters[0], "filter of {name} differs");
        assert_eq!(matches[i], matches[0], "match against the filter of {name}");
    }
    let _ = key;
}
