//! Online mode end to end over loopback (issue #16): `server init`, `add-client`,
//! `server publish`, `server run --listen 127.0.0.1:0` (started and killed by a guard),
//! `query`; against the shared-key `build`/`match` of the same generated dump and base.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use util::*;

/// A `server run` on a free loopback port, killed when dropped; its stderr (the request log)
/// goes to a file in the test directory.
struct Running {
    child: Child,
    url: String,
}

impl Running {
    fn start(d: &Dir, state: &str, log: &str) -> Running {
        let log = std::fs::File::create(d.path(log)).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_leakmatch"))
            .current_dir(d.tmp.path())
            .args(["server", "run", state, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line of server run: {first:?}"))
            .to_string();
        Running { child, url }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A generated dump and base, and a server state with a client `acme` and the dump published.
fn setup(rows: u64, budget: u64) -> Dir {
    let d = Dir::new();
    d.cmd(&[
        "gen",
        "--rows",
        &rows.to_string(),
        "--seed",
        "16",
        "-o",
        "dump.csv",
    ])
    .arg("--subscribers")
    .arg("base.csv")
    .ok();
    d.cmd(&["server", "init", "state"]).ok();
    d.cmd(&["server", "add-client", "state", "acme", "--budget"])
        .arg(budget.to_string())
        .arg("-o")
        .arg("acme.cred")
        .ok();
    d.cmd(&["server", "publish", "state", "-o", "dump.lmf", "dump.csv"])
        .ok();
    d
}

fn query(d: &Dir, url: &str, extra: &[&str]) -> Run {
    let mut c = d.cmd(&[
        "query",
        "--server",
        url,
        "--credential",
        "acme.cred",
        "-f",
        "dump.lmf",
    ]);
    for e in extra {
        c = c.arg(e);
    }
    c
}

/// The counts that must agree between the modes (implied FPRs differ: other bits are set).
fn comparable(report: &serde_json::Value) -> serde_json::Value {
    let mut v = report.clone();
    v.as_object_mut().unwrap().remove("filter");
    for kind in ["msisdn", "cnic", "pair"] {
        let k = v["kinds"][kind].as_object_mut().unwrap();
        for f in ["expected_false_positives", "estimated_true_matches", "ci95"] {
            k.remove(f);
        }
    }
    v
}

/// Evaluations the server charged to `acme`, from `server status --json`.
fn used(d: &Dir) -> u64 {
    let status = json(&d.cmd(&["server", "status", "state", "--json"]).ok());
    let clients = status["clients"].as_array().unwrap();
    let acme = clients.iter().find(|c| c["name"] == "acme").unwrap();
    acme["used"].as_u64().unwrap()
}

#[test]
fn loopback_query_equals_shared_key_match() {
    let d = setup(4000, 1_000_000);
    d.key("k.key");
    d.cmd(&[
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "-k",
        "k.key",
        "-o",
        "shared.lmf",
        "dump.csv",
    ])
    .ok();
    let shared = json(
        &d.cmd(&[
            "match",
            "--json",
            "-k",
            "k.key",
            "-f",
            "shared.lmf",
            "--matches-out",
            "shared-rows.csv",
            "base.csv",
        ])
        .ok(),
    );
    let server = Running::start(&d, "state", "server.log");
    let online = json(
        &query(
            &d,
            &server.url,
            &["--json", "--matches-out", "online-rows.csv", "base.csv"],
        )
        .ok(),
    );
    assert_eq!(online["schema"], "leakmatch.query.v1");
    assert_eq!(online["server"], server.url.as_str());
    assert_eq!(online["epoch"], 1);
    let report = &online["filters"][0];
    assert_eq!(report["schema"], "leakmatch.match.v1");
    assert_eq!(report["filter"]["online"]["path"], "dump.lmf");
    assert_eq!(comparable(report), comparable(&shared));
    assert!(
        shared["kinds"]["pair"]["distinct_matched"]
            .as_u64()
            .unwrap()
            > 100
    );
    // The same rows of the operator's own base, marked the same way.
    assert_eq!(
        std::fs::read(d.path("online-rows.csv")).unwrap(),
        std::fs::read(d.path("shared-rows.csv")).unwrap()
    );
    // Charged once per distinct identifier, and the server agrees.
    let evaluated = shared["kinds"]["msisdn"]["distinct_tested"]
        .as_u64()
        .unwrap()
        + shared["kinds"]["cnic"]["distinct_tested"].as_u64().unwrap();
    assert_eq!(online["budget"]["used"], evaluated);
    assert_eq!(online["budget"]["left_after"], 1_000_000 - evaluated);
    drop(server);
    assert_eq!(used(&d), evaluated);
    // The text report says the same, with the server and the budget.
    let server = Running::start(&d, "state", "server2.log");
    let text = stdout(&query(&d, &server.url, &["base.csv"]).ok());
    assert!(text.contains("(epoch 1)"), "{text}");
    assert!(text.contains("budget left"), "{text}");
    assert!(text.contains("pair "), "{text}");
}

#[test]
fn a_budget_too_small_is_refused_with_exit_4_before_anything_is_evaluated() {
    let d = setup(2000, 20);
    let server = Running::start(&d, "state", "server.log");
    let out = query(
        &d,
        &server.url,
        &["--json", "--matches-out", "rows.csv", "base.csv"],
    )
    .code(4);
    let err = stderr(&out);
    assert!(err.contains("budget"), "{err}");
    assert!(err.contains("nothing was evaluated"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!d.path("rows.csv").exists());
    drop(server);
    assert_eq!(used(&d), 0);
}

/// A server that publishes one key and answers with another (to tag its clients) is caught
/// by the proofs: exit 3, nothing reported. Made by serving a copy of the state whose master
/// secret was replaced: the copy still lists the original public key and filter.
#[test]
fn a_server_answering_with_another_key_is_caught_with_exit_3() {
    let d = setup(1500, 1_000_000);
    d.cmd(&["server", "init", "other"]).ok();
    copy_dir(&d.path("state"), &d.path("forged"));
    std::fs::remove_file(d.path("forged/master.secret")).unwrap();
    std::fs::copy(
        d.path("other/master.secret"),
        d.path("forged/master.secret"),
    )
    .unwrap();
    let server = Running::start(&d, "forged", "server.log");
    let out = query(
        &d,
        &server.url,
        &["--json", "--matches-out", "rows.csv", "base.csv"],
    )
    .code(3);
    let err = stderr(&out);
    assert!(err.contains("does not verify"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!d.path("rows.csv").exists());
    // Another server's filter (a key and digest this server does not list): exit 3 too.
    drop(server);
    let server = Running::start(&d, "other", "server-other.log");
    let out = query(&d, &server.url, &["base.csv"]).code(3);
    assert!(out.stdout.is_empty());
}

/// Copies a state directory, keeping its modes (0700 directory, 0600 files).
fn copy_dir(from: &Path, to: &Path) {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// No identifier of the dump or the base appears in anything the online commands print or
/// write, the server's request log and state included; only `--matches-out` holds the
/// operator's own rows.
#[test]
fn no_identifier_leaves_the_online_commands() {
    let d = setup(2000, 1_000_000);
    let forms = identifier_forms(&[&d.path("dump.csv"), &d.path("base.csv")]);
    assert!(forms.len() > 500, "{}", forms.len());
    let mut captured = Vec::new();
    let mut keep = |out: std::process::Output| {
        captured.extend(out.stdout);
        captured.extend(out.stderr);
    };
    keep(
        d.cmd(&[
            "server",
            "publish",
            "-v",
            "state",
            "-o",
            "again.lmf",
            "--json",
            "dump.csv",
        ])
        .ok(),
    );
    keep(d.cmd(&["server", "status", "state"]).ok());
    let server = Running::start(&d, "state", "server.log");
    keep(
        query(
            &d,
            &server.url,
            &["-v", "--matches-out", "own.csv", "base.csv"],
        )
        .ok(),
    );
    keep(query(&d, &server.url, &["-v", "--json", "base.csv"]).ok());
    keep(query(&d, &server.url, &["-v", "-"]).code(1));
    drop(server);
    keep(d.cmd(&["server", "status", "state", "--json"]).ok());
    assert!(d.path("own.csv").exists());
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
    assert!(hay.contains("acme"), "the server log names its client");
    for form in &forms {
        assert!(
            !hay.contains(form.as_str()),
            "an identifier leaked into an output"
        );
    }
}
