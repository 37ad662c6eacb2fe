//! `leakmatch size`: CLI behaviour, and the HTML report rendered by a real headless browser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::process::Command;

use util::{fixture, json, stderr, stdout, Dir};

#[test]
fn size_json_matches_truth_and_documents_schema() {
    let dir = Dir::new();
    let out = dir
        .cmd(&["size", "--json"])
        .arg(fixture("dump-small.jsonl"))
        .ok();
    let v = json(&out);
    assert_eq!(v["schema"], "leakmatch.size.v1");
    assert_eq!(v["exact"], true);
    let t = &v["total"];
    assert_eq!(t["distinct"]["msisdn"], 1397);
    assert_eq!(t["distinct"]["cnic"], 814);
    assert_eq!(t["distinct"]["pairs"], 1316);
    assert_eq!(t["msisdn"]["lossy"], 13);
    assert_eq!(t["msisdn_by_operator"]["jazz"], 490);
    assert_eq!(t["cnic_by_province"]["punjab"], 439);
    assert_eq!(t["cnic_by_registered_gender"]["female"], 377);
    assert_eq!(t["sims_per_cnic"]["histogram"]["11"], 1);
    assert_eq!(t["sims_per_cnic"]["cnics_over_limit"], 1);
    assert_eq!(v["inputs"][0]["format"], "jsonl");
    assert!(v["overlap"].is_null());
    // A lower SIM limit counts more CNICs over it.
    let out = dir
        .cmd(&["size", "--json", "--sim-limit", "4"])
        .arg(fixture("dump-small.csv"))
        .ok();
    assert_eq!(
        json(&out)["total"]["sims_per_cnic"]["cnics_over_limit"],
        6 + 5 + 5 + 1
    );
}

#[test]
fn size_overlap_of_one_dump_in_three_formats_is_total() {
    let dir = Dir::new();
    let out = dir
        .cmd(&["size", "--json", "--overlap"])
        .arg(fixture("dump-small.csv"))
        .arg(fixture("dump-small.sql"))
        .arg(fixture("dump-small.csv.gz"))
        .ok();
    let v = json(&out);
    let overlap = v["overlap"].as_array().unwrap();
    assert_eq!(overlap.len(), 3);
    for o in overlap {
        for kind in ["msisdn", "cnic", "pairs"] {
            assert_eq!(o[kind]["pct_of_a"], 100.0, "{o}");
            assert_eq!(o[kind]["pct_of_b"], 100.0, "{o}");
            assert_eq!(o[kind]["jaccard"], 1.0, "{o}");
        }
    }
    // Human-readable output says the same.
    let out = dir
        .cmd(&["size", "--overlap"])
        .arg(fixture("dump-small.csv"))
        .arg(fixture("dump-small.tsv"))
        .ok();
    assert!(stdout(&out).contains("100.00% of #1 (1,397), 100.00% of #2 (1,397), Jaccard 1.0000"));
}

#[test]
fn size_usage_errors_exit_2() {
    let dir = Dir::new();
    let out = dir
        .cmd(&["size", "--memory", "lots"])
        .arg(fixture("dump-small.csv"))
        .code(2);
    assert!(stderr(&out).contains("bad memory size"));
    let out = dir
        .cmd(&["size", "--overlap"])
        .arg(fixture("dump-small.csv"))
        .code(2);
    assert!(stderr(&out).contains("at least two"));
}

#[test]
fn size_past_memory_budget_labels_estimates() {
    let dir = Dir::new();
    let out = dir
        .cmd(&["size", "--json", "--memory", "2K"])
        .arg(fixture("dump-small.csv"))
        .ok();
    let v = json(&out);
    assert_eq!(v["exact"], false);
    assert_eq!(v["total"]["exact"], false);
    assert!(v["total"]["sims_per_cnic"].is_null());
    let msisdn = v["total"]["distinct"]["msisdn"].as_f64().unwrap();
    assert!((msisdn - 1397.0).abs() / 1397.0 < 0.03, "{msisdn}");
    assert!(stderr(&out).contains("HyperLogLog"));
}

/// Renders the HTML report in headless Chromium: the page loads and every chart is there.
/// Skips (loudly) when no browser is installed; `.ci/run` installs Debian's `chromium`.
#[test]
fn size_html_report_renders_in_headless_chromium() {
    let dir = Dir::new();
    let report = dir.path("report.html");
    dir.cmd(&["size", "-q", "--overlap", "--html"])
        .arg(&report)
        .arg(fixture("dump-small.csv"))
        .arg(fixture("base-small.csv"))
        .ok();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains("<script") && !html.contains("https://") && !html.contains("url("));
    let Some(browser) = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("SKIPPED size_html_report_renders_in_headless_chromium: no chromium on PATH (install Debian's `chromium`; .ci/run does)");
        return;
    };
    let url = format!("file://{}", report.display());
    let profile = dir.path("chromium-profile");
    let run = |extra: &[String]| {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ])
            .args([
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let dom = run(&["--dump-dom".to_string()]);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<title>leakmatch breach size report</title>"),
        "page did not load: {dom}"
    );
    for id in [
        "chart-operator",
        "chart-province",
        "chart-gender",
        "chart-sims",
        "chart-rejections",
        "chart-overlap-msisdn",
        "chart-overlap-cnic",
        "chart-overlap-pairs",
    ] {
        assert!(
            dom.contains(&format!("<svg id=\"{id}\"")),
            "chart {id} missing from the rendered DOM"
        );
    }
    let shot = dir.path("shot.png");
    let out = run(&[
        format!("--screenshot={}", shot.display()),
        "--window-size=1200,1600".to_string(),
    ]);
    assert!(
        out.status.success(),
        "chromium screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot of {} bytes",
        png.len()
    );
}
