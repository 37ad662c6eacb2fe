//! The server over real HTTP on 127.0.0.1:0: round trips, every refused request class,
//! concurrent clients, retries and restarts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use leakmatch_hashing::TokenKind;
use leakmatch_oprf::{blind, oprf_input, BlindedElement};
use serde_json::{json, Value};

use crate::signing::{budget_message, elements_digest, evaluate_message};
use crate::store::now;
use crate::{hex, wire};
use crate::{
    ClientConfig, ClientError, Credential, Server, ServerClient, ServerConfig, ServerStats,
    Shutdown, State,
};

/// A server on an ephemeral port, stopped (and joined) on drop.
struct Running {
    url: String,
    shutdown: Shutdown,
    stats: Arc<ServerStats>,
    logs: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    fn start(state: Arc<State>) -> Running {
        Running::start_with(state, ServerConfig::default())
    }

    fn start_with(state: Arc<State>, config: ServerConfig) -> Running {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        let server = Server::new(state, config)
            .on_request(move |line| sink.lock().unwrap().push(line.to_string()));
        let shutdown = server.shutdown_handle();
        let stats = server.stats();
        let thread = std::thread::spawn(move || server.run(listener).unwrap());
        Running {
            url,
            shutdown,
            stats,
            logs,
            thread: Some(thread),
        }
    }

    fn stop(mut self) -> Vec<String> {
        self.shutdown.trigger();
        self.thread.take().unwrap().join().unwrap();
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Fixture {
    tmp: tempfile::TempDir,
    state: Arc<State>,
}

impl Fixture {
    fn new(clients: &[(&str, u64)]) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let state = State::init(&tmp.path().join("state")).unwrap();
        for (name, budget) in clients {
            state
                .add_client(name, *budget, &tmp.path().join(format!("{name}.cred")))
                .unwrap();
        }
        Fixture {
            tmp,
            state: Arc::new(state),
        }
    }

    fn cred(&self, name: &str) -> Credential {
        Credential::read_file(&self.tmp.path().join(format!("{name}.cred"))).unwrap()
    }

    fn used(&self, name: &str) -> u64 {
        self.state
            .clients()
            .unwrap()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap()
            .used
    }
}

fn inputs(n: usize, salt: u64) -> Vec<Vec<u8>> {
    (0..n as u64)
        .map(|i| {
            oprf_input(
                TokenKind::Msisdn,
                format!("92300{:07}", i * 7919 + salt).as_bytes(),
            )
        })
        .collect()
}

fn elements(n: usize) -> Vec<BlindedElement> {
    let inputs = inputs(n, 0);
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    blind(&refs).unwrap().1
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    )
}

/// POSTs raw bytes; the status and the JSON body.
fn post_raw(url: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let mut r = agent()
        .post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A signed evaluate request body, with fields to tamper with afterwards.
fn signed_evaluate(
    cred: &Credential,
    rid: [u8; 16],
    epoch: u64,
    els: &[BlindedElement],
    ts: u64,
) -> Value {
    let m = evaluate_message(&cred.client_id(), &rid, epoch, &elements_digest(els), ts);
    json!({
        "client": cred.client_id().to_string(),
        "request_id": hex::encode(&rid),
        "epoch": epoch,
        "timestamp": ts,
        "elements": wire::encode_elements(els),
        "signature": hex::encode(&cred.sign(&m)),
    })
}

/// Announces a body of `len` bytes, sends none, and returns the raw answer.
fn oversized_request(url: &str, len: usize) -> String {
    use std::io::{Read, Write};
    let addr = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /v1/evaluate HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {len}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn post_json(url: &str, path: &str, v: &Value) -> (u16, Value) {
    post_raw(url, path, &serde_json::to_vec(v).unwrap())
}

#[test]
fn round_trip_matches_direct_evaluation_and_logs_no_element() {
    let fx = Fixture::new(&[("acme", 10_000)]);
    let server = Running::start(Arc::clone(&fx.state));
    let client = ServerClient::new(&server.url, fx.cred("acme")).unwrap();
    let d = client.descriptors().unwrap();
    assert_eq!(d, fx.state.descriptors().unwrap());
    let b = client.budget().unwrap();
    assert_eq!((b.budget, b.used, b.left), (10_000, 0, 10_000));

    // 5000 elements: two requests (4096 + 904), proofs verify against the published key.
    let ins = inputs(5000, 3);
    let refs: Vec<&[u8]> = ins.iter().map(Vec::as_slice).collect();
    let (states, els) = blind(&refs).unwrap();
    let batch = client.evaluate(d.current_epoch, &els).unwrap();
    let pk = d.current().unwrap().public_key().unwrap();
    let outputs = states.finalize(&refs, &batch, &pk).unwrap();
    let (_, key) = fx.state.current_epoch_key().unwrap();
    assert_eq!(outputs, key.evaluate(&refs).unwrap());
    assert_eq!(client.budget().unwrap().used, 5000);
    assert_eq!(server.stats.evaluated.load(Ordering::SeqCst), 5000);

    let logs = server.stop();
    // descriptors, 2 budgets, 2 evaluates: one line each.
    assert_eq!(logs.len(), 5, "{logs:#?}");
    let evals: Vec<_> = logs.iter().filter(|l| l.contains("/v1/evaluate")).collect();
    assert!(
        evals[0].contains("client=acme") && evals[0].contains("elements=4096"),
        "{}",
        evals[0]
    );
    assert!(
        evals[1].contains("charged=904") && evals[1].contains("left=5000"),
        "{}",
        evals[1]
    );
    let all = logs.join("\n");
    for e in els.iter().take(50) {
        let b64 = wire::encode_elements(std::slice::from_ref(e));
        assert!(!all.contains(&b64[..20]) && !all.contains(&hex::encode(&e.0)[..20]));
    }
    assert!(!all.contains(&fx.cred("acme").client_id().to_string()));
}

#[test]
fn every_refused_class_charges_and_evaluates_nothing() {
    let fx = Fixture::new(&[("acme", 100), ("other", 100)]);
    let server = Running::start(Arc::clone(&fx.state));
    let url = server.url.clone();
    let cred = fx.cred("acme");
    let els = elements(10);
    let ts = now();
    let good = signed_evaluate(&cred, [1; 16], 1, &els, ts);

    let mut cases: Vec<(&str, Vec<u8>, u16, &str)> = Vec::new();
    cases.push(("not json", b"{nope".to_vec(), 400, "malformed"));
    cases.push((
        "truncated",
        serde_json::to_vec(&good).unwrap()[..40].to_vec(),
        400,
        "malformed",
    ));
    let mut v = good.clone();
    v["extra"] = json!(1);
    cases.push((
        "unknown field",
        serde_json::to_vec(&v).unwrap(),
        400,
        "malformed",
    ));
    let mut v = good.clone();
    v["client"] = json!("xyz");
    cases.push((
        "bad client id",
        serde_json::to_vec(&v).unwrap(),
        400,
        "malformed",
    ));
    let mut v = good.clone();
    v["elements"] = json!("@@@@");
    cases.push((
        "bad base64",
        serde_json::to_vec(&v).unwrap(),
        400,
        "malformed",
    ));
    let mut v = good.clone();
    v["epoch"] = json!("one");
    cases.push((
        "wrong type",
        serde_json::to_vec(&v).unwrap(),
        400,
        "malformed",
    ));
    cases.push((
        "no elements",
        serde_json::to_vec(&signed_evaluate(&cred, [2; 16], 1, &[], ts)).unwrap(),
        400,
        "malformed",
    ));
    let mut bad_point = els.clone();
    bad_point[3] = BlindedElement([0xff; 32]);
    cases.push((
        "invalid element",
        serde_json::to_vec(&signed_evaluate(&cred, [3; 16], 1, &bad_point, ts)).unwrap(),
        400,
        "malformed",
    ));
    let many = vec![els[0]; wire::MAX_ELEMENTS + 1];
    cases.push((
        "too many elements",
        serde_json::to_vec(&signed_evaluate(&cred, [4; 16], 1, &many, ts)).unwrap(),
        413,
        "too_large",
    ));
    let stranger = Credential::generate("stranger").unwrap();
    cases.push((
        "unknown client",
        serde_json::to_vec(&signed_evaluate(&stranger, [5; 16], 1, &els, ts)).unwrap(),
        401,
        "unknown_client",
    ));
    // Signed by another registered client's key, sent as acme.
    let other = fx.cred("other");
    let mut v = signed_evaluate(&other, [6; 16], 1, &els, ts);
    v["client"] = json!(cred.client_id().to_string());
    cases.push((
        "signed by another key",
        serde_json::to_vec(&v).unwrap(),
        401,
        "bad_signature",
    ));
    let mut v = good.clone();
    v["epoch"] = json!(2);
    cases.push((
        "field changed after signing",
        serde_json::to_vec(&v).unwrap(),
        401,
        "bad_signature",
    ));
    let mut v = good.clone();
    v["elements"] = json!(wire::encode_elements(&els[1..]));
    cases.push((
        "elements changed after signing",
        serde_json::to_vec(&v).unwrap(),
        401,
        "bad_signature",
    ));
    for (name, t) in [("stale", ts - 301), ("future", ts + 400)] {
        cases.push((
            name,
            serde_json::to_vec(&signed_evaluate(&cred, [7; 16], 1, &els, t)).unwrap(),
            401,
            "stale_timestamp",
        ));
    }
    cases.push((
        "unknown epoch",
        serde_json::to_vec(&signed_evaluate(&cred, [8; 16], 7, &els, ts)).unwrap(),
        404,
        "unknown_epoch",
    ));
    let many_ok = elements(101);
    cases.push((
        "over budget",
        serde_json::to_vec(&signed_evaluate(&cred, [9; 16], 1, &many_ok, ts)).unwrap(),
        402,
        "over_budget",
    ));
    for (name, body, status, code) in &cases {
        let (s, v) = post_raw(&url, "/v1/evaluate", body);
        assert_eq!(
            (s, v["error"].as_str().unwrap_or("?")),
            (*status, *code),
            "{name}: {v}"
        );
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        assert_eq!(fx.used("acme"), 0, "{name}");
        assert_eq!(server.stats.evaluated.load(Ordering::SeqCst), 0, "{name}");
    }
    let (_, v) = post_raw(
        &url,
        "/v1/evaluate",
        &serde_json::to_vec(&signed_evaluate(&cred, [9; 16], 1, &many_ok, ts)).unwrap(),
    );
    assert_eq!(v["budget"]["left"], 100);
    // An announced oversized body is refused before any of it is read.
    let head = oversized_request(&url, wire::MAX_BODY + 1);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("too_large"), "{head}");

    // The good request, then its retry (free) and a conflicting reuse of its id.
    let (s, v) = post_json(&url, "/v1/evaluate", &good);
    assert_eq!(
        (s, v["charged"].as_u64(), v["replayed"].as_bool()),
        (200, Some(10), Some(false))
    );
    let (s, v) = post_json(&url, "/v1/evaluate", &good);
    assert_eq!(
        (s, v["charged"].as_u64(), v["replayed"].as_bool()),
        (200, Some(0), Some(true))
    );
    let conflict = signed_evaluate(&cred, [1; 16], 1, &els[..9], ts);
    let (s, v) = post_json(&url, "/v1/evaluate", &conflict);
    assert_eq!((s, v["error"].as_str()), (409, Some("request_id_conflict")));
    assert_eq!(fx.used("acme"), 10);
    assert_eq!(server.stats.evaluated.load(Ordering::SeqCst), 10);
    assert_eq!(server.stats.replayed.load(Ordering::SeqCst), 10);

    // A rotation while running: the old epoch is withdrawn, budgets stay.
    fx.state.rotate().unwrap();
    let (s, v) = post_json(
        &url,
        "/v1/evaluate",
        &signed_evaluate(&cred, [10; 16], 1, &els, ts),
    );
    assert_eq!(
        (s, v["error"].as_str(), v["current_epoch"].as_u64()),
        (410, Some("epoch_withdrawn"), Some(2))
    );
    let (s, _) = post_json(
        &url,
        "/v1/evaluate",
        &signed_evaluate(&cred, [10; 16], 2, &els, ts),
    );
    assert_eq!(s, 200);
    assert_eq!(fx.used("acme"), 20);

    // Budget requests: signed too.
    let m = budget_message(&cred.client_id(), &[1; 16], ts);
    let mut b = json!({
        "client": cred.client_id().to_string(),
        "request_id": hex::encode(&[1; 16]),
        "timestamp": ts,
        "signature": hex::encode(&cred.sign(&m)),
    });
    let (s, v) = post_json(&url, "/v1/budget", &b);
    assert_eq!(
        (s, v["used"].as_u64(), v["left"].as_u64()),
        (200, Some(20), Some(80))
    );
    b["timestamp"] = json!(ts + 1);
    let (s, v) = post_json(&url, "/v1/budget", &b);
    assert_eq!((s, v["error"].as_str()), (401, Some("bad_signature")));
    // An evaluate signature does not pass as a budget signature.
    b["signature"] = good["signature"].clone();
    b["timestamp"] = json!(ts);
    let (s, _) = post_json(&url, "/v1/budget", &b);
    assert_eq!(s, 401);

    // Unknown routes and methods.
    let (s, v) = post_raw(&url, "/v2/evaluate", b"{}");
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")));
    let r = agent().get(format!("{url}/v1/evaluate")).call().unwrap();
    assert_eq!(r.status().as_u16(), 405);

    let logs = server.stop();
    let all = logs.join("\n");
    assert!(all.lines().count() >= cases.len() + 8, "{all}");
    assert!(all.contains("outcome=bad_signature") && all.contains("outcome=over_budget"));
    assert!(!all.contains(good["elements"].as_str().unwrap().get(..16).unwrap()));
    assert!(!all.contains(good["signature"].as_str().unwrap().get(..16).unwrap()));
}

#[test]
fn client_reports_refusals_typed() {
    let fx = Fixture::new(&[("acme", 5)]);
    let server = Running::start(Arc::clone(&fx.state));
    let client = ServerClient::new(&server.url, fx.cred("acme")).unwrap();
    let e = client.evaluate(1, &elements(6)).unwrap_err();
    assert!(
        matches!(e, ClientError::OverBudget { budget, requested: 6, .. } if budget.left == 5),
        "{e}"
    );
    let e = client.evaluate(9, &elements(1)).unwrap_err();
    assert!(
        matches!(&e, ClientError::Refused { status: 404, code, .. } if code == "unknown_epoch"),
        "{e}"
    );
    let stranger = ServerClient::new(&server.url, Credential::generate("x").unwrap()).unwrap();
    let e = stranger.budget().unwrap_err();
    assert!(
        matches!(&e, ClientError::Refused { status: 401, .. }),
        "{e}"
    );
    assert!(ServerClient::new("https://h:1", fx.cred("acme")).is_err());
    assert!(ServerClient::new("http://h:1/path", fx.cred("acme")).is_err());
    // Nothing listening: transport error after the retries.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let config = ClientConfig {
        retries: 2,
        first_backoff: std::time::Duration::from_millis(10),
        ..ClientConfig::default()
    };
    let c = ServerClient::with_config(&dead_url, fx.cred("acme"), config).unwrap();
    assert!(matches!(
        c.budget().unwrap_err(),
        ClientError::Transport { attempts: 3, .. }
    ));
}

#[test]
fn eight_concurrent_clients_total_charged_equals_total_evaluated() {
    let names: Vec<String> = (0..8).map(|i| format!("op{i}")).collect();
    let clients: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 3000)).collect();
    let fx = Fixture::new(&clients);
    let config = ServerConfig {
        eval_slots: 2,
        max_queued: 64,
        ..ServerConfig::default()
    };
    let server = Running::start_with(Arc::clone(&fx.state), config);
    let els = elements(700);
    // Each client sends 5 requests of 700 from two threads: 3500 asked, 3000 granted, so
    // some requests are refused over budget, and the sums must still agree.
    let received: u64 = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for name in &names {
            for _ in 0..2 {
                let client = ServerClient::new(&server.url, fx.cred(name)).unwrap();
                let els = &els;
                handles.push(s.spawn(move || {
                    let mut got = 0u64;
                    for _ in 0..3 {
                        match client.evaluate(1, els) {
                            Ok(b) => got += b.len() as u64,
                            Err(ClientError::OverBudget { .. }) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    got
                }));
            }
        }
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let charged: u64 = fx.state.clients().unwrap().iter().map(|c| c.used).sum();
    let evaluated = server.stats.evaluated.load(Ordering::SeqCst);
    assert_eq!(charged, evaluated);
    assert_eq!(charged, received);
    // 6 requests of 700 per client against 3000: 4 fit each.
    assert_eq!(charged, 8 * 4 * 700);
    for c in fx.state.clients().unwrap() {
        assert!(c.used <= c.budget, "{c:?}");
    }
}

#[test]
fn budget_survives_a_restart_and_a_retry_after_it_is_free() {
    let fx = Fixture::new(&[("acme", 1000)]);
    let dir = fx.state.path().to_path_buf();
    let cred = fx.cred("acme");
    let els = elements(300);
    let req = signed_evaluate(&cred, [42; 16], 1, &els, now());
    let server = Running::start(Arc::clone(&fx.state));
    let (s, _) = post_json(&server.url, "/v1/evaluate", &req);
    assert_eq!(s, 200);
    server.stop();
    let Fixture { tmp, state } = fx;
    drop(Arc::into_inner(state).unwrap());

    let state = Arc::new(State::open(&dir).unwrap());
    let server = Running::start(Arc::clone(&state));
    let client = ServerClient::new(&server.url, cred).unwrap();
    assert_eq!(client.budget().unwrap().used, 300);
    // The request whose answer was "lost": answered again, free.
    let (s, v) = post_json(&server.url, "/v1/evaluate", &req);
    assert_eq!((s, v["replayed"].as_bool()), (200, Some(true)));
    assert_eq!(client.budget().unwrap().used, 300);
    drop(tmp);
}

#[test]
fn a_single_slot_server_without_queue_serves_concurrent_clients_through_retries() {
    let fx = Fixture::new(&[("acme", 100_000)]);
    let config = ServerConfig {
        eval_slots: 1,
        max_queued: 0,
        ..ServerConfig::default()
    };
    let server = Running::start_with(Arc::clone(&fx.state), config);
    let els = elements(4096);
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let client = ServerClient::new(&server.url, fx.cred("acme")).unwrap();
                let els = &els;
                s.spawn(move || client.evaluate(1, els).unwrap().len() as u64)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(total, 4 * 4096);
    assert_eq!(fx.used("acme"), 4 * 4096);
    assert_eq!(server.stats.evaluated.load(Ordering::SeqCst), 4 * 4096);
}
