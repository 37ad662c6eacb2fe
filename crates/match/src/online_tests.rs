//! Online publish and query against the shared-key build and match, on generated data, with
//! an in-process oracle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use leakmatch_hashing::{Filter, Key};
use leakmatch_ingest::{generate, GenOptions, InputSource, NoProgress, ReadOptions};
use leakmatch_oprf::{EpochKey, MasterSecret};

use crate::*;

struct Data {
    dir: tempfile::TempDir,
    dump: PathBuf,
    base: PathBuf,
}

fn data(rows: u64, seed: u64) -> Data {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.csv");
    let base = dir.path().join("base.csv");
    let opts = GenOptions {
        rows,
        seed,
        subscriber_rows: Some(rows / 4),
        ..Default::default()
    };
    let mut d = std::fs::File::create(&dump).unwrap();
    let mut b = std::fs::File::create(&base).unwrap();
    generate(&opts, &mut d, Some(&mut b)).unwrap();
    Data { dir, dump, base }
}

fn epoch_key(epoch: u64) -> EpochKey {
    EpochKey::derive(&MasterSecret::from_bytes([11; 32]), epoch).unwrap()
}

fn all_kinds() -> BuildOptions {
    BuildOptions::default()
}

fn publish_to(key: &EpochKey, dumps: &[&Path], out: &Path) -> PublishOutcome {
    let inputs: Vec<InputSource> = dumps.iter().map(|p| InputSource::Path(p.into())).collect();
    publish(
        key,
        &inputs,
        &ReadOptions::default(),
        &all_kinds(),
        out,
        &NoProgress,
        &NoProgress,
    )
    .unwrap()
}

fn shared_key_report(d: &Data, keep_rows: bool) -> MatchOutcome {
    let key = Key::from_bytes([5; 32]);
    let read = ReadOptions::default();
    let mut built = build(
        &key,
        &[InputSource::Path(d.dump.clone())],
        &read,
        &all_kinds(),
        &NoProgress,
    )
    .unwrap();
    let path = d.dir.path().join("shared.lmf");
    built.filter.save(&path, &key).unwrap();
    let filter = Filter::map(&path, &key).unwrap();
    let opts = MatchOptions {
        keep_matched_rows: keep_rows,
        ..MatchOptions::default()
    };
    match_inputs(
        &key,
        &filter,
        &[InputSource::Path(d.base.clone())],
        &read,
        &opts,
        &NoProgress,
    )
    .unwrap()
}

fn query_opts(keep_rows: bool) -> QueryOptions {
    QueryOptions {
        matching: MatchOptions {
            keep_matched_rows: keep_rows,
            ..MatchOptions::default()
        },
        // Small batches: several round trips and several proof chunks each.
        batch: 700,
    }
}

fn run_query(
    oracle: &dyn Oracle,
    filters: &[&Path],
    base: &Path,
    keep_rows: bool,
) -> Result<QueryOutcome, OnlineError> {
    let filters: Vec<OnlineFilter> = filters
        .iter()
        .map(|p| OnlineFilter::open(p, true).unwrap())
        .collect();
    query(
        oracle,
        &filters,
        &[InputSource::Path(base.into())],
        &ReadOptions::default(),
        &query_opts(keep_rows),
        &NoProgress,
        &NoProgress,
    )
}

/// The counts that must agree between the two modes (the implied FPR differs: other tokens
/// fill other bits).
fn comparable(r: &MatchReport) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("filter");
    for kind in ["msisdn", "cnic", "pair"] {
        let k = v["kinds"][kind].as_object_mut().unwrap();
        for f in ["expected_false_positives", "estimated_true_matches", "ci95"] {
            k.remove(f);
        }
    }
    v
}

#[test]
fn online_query_equals_shared_key_match() {
    let d = data(6000, 3);
    let key = epoch_key(1);
    let out = d.dir.path().join("online.lmf");
    let published = publish_to(&key, &[&d.dump], &out);
    assert_eq!(
        published.digest,
        leakmatch_hashing::file_digest(&out).unwrap()
    );
    assert!(published.evaluated.msisdn > 1000 && published.evaluated.cnic > 1000);

    // Same sizing and counts as a keyed build of the same dump: only the tokens differ.
    let shared = shared_key_report(&d, true);
    let keyed = build(
        &Key::from_bytes([5; 32]),
        &[InputSource::Path(d.dump.clone())],
        &ReadOptions::default(),
        &all_kinds(),
        &NoProgress,
    )
    .unwrap();
    let h = &published.built.filter.header;
    assert_eq!(h.params, keyed.filter.header.params);
    assert_eq!(h.counts, keyed.filter.header.counts);
    assert_eq!(published.built.inputs, keyed.inputs);
    assert_eq!(
        h.auth,
        leakmatch_hashing::FilterAuth::Online {
            epoch: 1,
            public_key: key.public_key().0
        }
    );

    let oracle = LocalOracle::new(key.clone(), vec![published.digest], 1_000_000);
    let online = run_query(&oracle, &[&out], &d.base, true).unwrap();
    let r = &online.report;
    assert_eq!(r.schema, QUERY_SCHEMA);
    assert_eq!(r.epoch, 1);
    assert_eq!(r.filters.len(), 1);
    assert_eq!(comparable(&r.filters[0]), comparable(&shared.report));
    assert!(shared.report.kinds.pair.as_ref().unwrap().distinct_matched > 100);
    // Charged once per distinct identifier of the base, nothing more.
    let base_msisdn = shared.report.kinds.msisdn.as_ref().unwrap().distinct_tested;
    let base_cnic = shared.report.kinds.cnic.as_ref().unwrap().distinct_tested;
    assert_eq!(r.evaluated.msisdn, base_msisdn);
    assert_eq!(r.evaluated.cnic, base_cnic);
    assert_eq!(r.budget.used, base_msisdn + base_cnic);
    assert_eq!(oracle.evaluated(), r.budget.used);
    assert_eq!(r.budget.left_after, 1_000_000 - r.budget.used);
    let summary = r.filters[0].filter.online.as_ref().unwrap();
    assert_eq!(summary.digest, published.digest.to_string());
    assert_eq!(summary.public_key, key.public_key().to_string());
    // The same matched rows, with the same kinds.
    let rows: Vec<_> = online.matched_rows[0]
        .rows
        .iter()
        .map(|row| (row.kinds[0], row.raw.clone()))
        .collect();
    let want: Vec<_> = shared.matched_rows[0]
        .rows
        .iter()
        .map(|row| (row.kinds, row.raw.clone()))
        .collect();
    assert_eq!(rows, want);
    assert_eq!(online.matched_rows[0].header, shared.matched_rows[0].header);
}

#[test]
fn several_filters_say_which_dump_each_row_is_in() {
    let a = data(3000, 21);
    let b = data(3000, 22);
    let key = epoch_key(4);
    let (fa, fb) = (a.dir.path().join("a.lmf"), a.dir.path().join("b.lmf"));
    let pa = publish_to(&key, &[&a.dump], &fa);
    let pb = publish_to(&key, &[&b.dump], &fb);
    let oracle = LocalOracle::new(key, vec![pa.digest, pb.digest], u64::MAX);
    let both = run_query(&oracle, &[&fa, &fb], &a.base, true).unwrap();
    let used_both = oracle.evaluated();
    let alone_a = run_query(&oracle, &[&fa], &a.base, true).unwrap();
    let alone_b = run_query(&oracle, &[&fb], &a.base, true).unwrap();
    // Each distinct identifier evaluated once for both filters.
    assert_eq!(oracle.evaluated(), 3 * used_both);
    assert_eq!(both.report.filters.len(), 2);
    assert_eq!(
        comparable(&both.report.filters[0]),
        comparable(&alone_a.report.filters[0])
    );
    assert_eq!(
        comparable(&both.report.filters[1]),
        comparable(&alone_b.report.filters[0])
    );
    // A base drawn from dump A matches A far more than B.
    let pairs = |r: &MatchReport| r.kinds.pair.as_ref().unwrap().distinct_matched;
    assert!(pairs(&both.report.filters[0]) > 50);
    assert!(pairs(&both.report.filters[1]) < pairs(&both.report.filters[0]) / 10);
    // Rows matched in any filter, with per-filter kinds.
    let rows = &both.matched_rows[0].rows;
    assert!(rows.iter().all(|r| r.kinds.len() == 2));
    let in_a = rows
        .iter()
        .filter(|r| r.kinds[0] != KindSelection::NONE)
        .count();
    assert_eq!(in_a, alone_a.matched_rows[0].rows.len());
    let in_b = rows
        .iter()
        .filter(|r| r.kinds[1] != KindSelection::NONE)
        .count();
    assert_eq!(in_b, alone_b.matched_rows[0].rows.len());
}

#[test]
fn a_budget_too_small_is_refused_before_any_evaluation() {
    let d = data(2000, 5);
    let key = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let p = publish_to(&key, &[&d.dump], &out);
    let oracle = LocalOracle::new(key.clone(), vec![p.digest], 10);
    let err = run_query(&oracle, &[&out], &d.base, false).unwrap_err();
    let OnlineError::BudgetExceeded { needed, left } = err else {
        panic!("{err}")
    };
    assert!(needed > 10);
    assert_eq!(left, 10);
    assert_eq!(oracle.evaluated(), 0);
    assert_eq!(oracle.budget_left().unwrap(), 10);
    // Exactly enough is enough.
    let oracle = LocalOracle::new(key, vec![p.digest], needed);
    run_query(&oracle, &[&out], &d.base, false).unwrap();
    assert_eq!(oracle.budget_left().unwrap(), 0);
}

#[test]
fn a_server_answering_with_another_key_is_caught() {
    let d = data(1500, 6);
    let key = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let p = publish_to(&key, &[&d.dump], &out);
    let oracle = LocalOracle::new(key, vec![p.digest], u64::MAX);
    oracle.answer_with(epoch_key(2));
    let err = run_query(&oracle, &[&out], &d.base, true).unwrap_err();
    assert!(matches!(err, OnlineError::BadAnswer { .. }), "{err}");
    assert!(err.to_string().contains("does not verify"), "{err}");
}

#[test]
fn filters_not_of_the_current_epoch_or_unlisted_are_refused() {
    let d = data(1000, 8);
    let old = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let p = publish_to(&old, &[&d.dump], &out);
    // Rotated: the server now answers epoch 2.
    let oracle = LocalOracle::new(epoch_key(2), vec![p.digest], u64::MAX);
    let err = run_query(&oracle, &[&out], &d.base, false).unwrap_err();
    assert!(
        matches!(
            err,
            OnlineError::FilterNotCurrent {
                filter_epoch: 1,
                server_epoch: 2,
                ..
            }
        ),
        "{err}"
    );
    // Same epoch number, another key (another server).
    let other = EpochKey::derive(&MasterSecret::from_bytes([12; 32]), 1).unwrap();
    let oracle = LocalOracle::new(other, vec![p.digest], u64::MAX);
    let err = run_query(&oracle, &[&out], &d.base, false).unwrap_err();
    assert!(
        matches!(err, OnlineError::PublicKeyMismatch { .. }),
        "{err}"
    );
    // The right server, but the file is not one it lists.
    let oracle = LocalOracle::new(old, vec![], u64::MAX);
    let err = run_query(&oracle, &[&out], &d.base, false).unwrap_err();
    assert!(matches!(err, OnlineError::FilterNotListed { .. }), "{err}");
    assert_eq!(oracle.evaluated(), 0);
    // A shared-key filter is not an online one.
    let key = Key::from_bytes([5; 32]);
    let mut built = build(
        &key,
        &[InputSource::Path(d.dump.clone())],
        &ReadOptions::default(),
        &all_kinds(),
        &NoProgress,
    )
    .unwrap();
    let shared = d.dir.path().join("s.lmf");
    built.filter.save(&shared, &key).unwrap();
    let err = OnlineFilter::open(&shared, true).unwrap_err();
    assert!(err.to_string().contains("shared"), "{err}");
}

#[test]
fn publish_refuses_stdin_and_empty_dumps_and_match_refuses_its_filter() {
    let d = data(500, 9);
    let key = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let err = publish(
        &key,
        &[InputSource::Stdin],
        &ReadOptions::default(),
        &all_kinds(),
        &out,
        &NoProgress,
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, OnlineError::NotAFile { .. }), "{err}");
    let empty = d.dir.path().join("empty.csv");
    std::fs::write(&empty, "name,city\nA,B\n").unwrap();
    let err = publish(
        &key,
        &[InputSource::Path(empty)],
        &ReadOptions::default(),
        &all_kinds(),
        &out,
        &NoProgress,
        &NoProgress,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            OnlineError::NothingToPublish { .. } | OnlineError::Pipeline(_)
        ),
        "{err}"
    );
    assert!(!out.exists());
    // Nothing but the dump and base files is left behind (no temporary).
    let names: Vec<_> = std::fs::read_dir(d.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");

    publish_to(&key, &[&d.dump], &out);
    let err = Filter::map(&out, &Key::from_bytes([5; 32])).unwrap_err();
    assert!(err.to_string().contains("query"), "{err}");
}

#[test]
fn publish_is_reproducible_and_independent_of_threads() {
    let d = data(2500, 10);
    let key = epoch_key(3);
    let one = d.dir.path().join("1.lmf");
    let two = d.dir.path().join("2.lmf");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a = pool.install(|| publish_to(&key, &[&d.dump], &one));
    let b = publish_to(&key, &[&d.dump], &two);
    assert_eq!(a.digest, b.digest);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
}

/// Rewrites the base once its first read ends: the second read then sees other records.
struct Rewrite {
    path: PathBuf,
    done: std::sync::atomic::AtomicBool,
}

impl leakmatch_ingest::Progress for Rewrite {
    fn begin(&self, _input: &str, _total_bytes: Option<u64>) {}
    fn advance(&self, _bytes: u64, _records: u64) {}
    fn finish(&self) {
        if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let mut text = std::fs::read(&self.path).unwrap();
            text.extend_from_slice(b"\n03459876543,6110198765431\n");
            std::fs::write(&self.path, text).unwrap();
        }
    }
}

#[test]
fn a_base_changed_between_the_reads_is_refused() {
    let d = data(1000, 12);
    let key = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let p = publish_to(&key, &[&d.dump], &out);
    let oracle = LocalOracle::new(key, vec![p.digest], u64::MAX);
    let filter = OnlineFilter::open(&out, true).unwrap();
    let rewrite = Rewrite {
        path: d.base.clone(),
        done: false.into(),
    };
    let err = query(
        &oracle,
        &[filter],
        &[InputSource::Path(d.base.clone())],
        &ReadOptions::default(),
        &query_opts(true),
        &rewrite,
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, OnlineError::InputChanged { .. }), "{err}");
    assert!(err.to_string().contains("base.csv"), "{err}");
}

/// Claims more budget than the oracle behind it grants: the server refuses during the query.
struct Overstating(LocalOracle);

impl Oracle for Overstating {
    fn server(&self) -> String {
        self.0.server()
    }
    fn current_epoch(&self) -> Result<EpochInfo, OracleError> {
        self.0.current_epoch()
    }
    fn budget_left(&self) -> Result<u64, OracleError> {
        Ok(u64::MAX)
    }
    fn evaluate(
        &self,
        epoch: u64,
        elements: &[leakmatch_oprf::BlindedElement],
    ) -> Result<leakmatch_oprf::EvaluatedBatch, OracleError> {
        self.0.evaluate(epoch, elements)
    }
}

#[test]
fn a_budget_spent_during_the_query_stops_it_with_nothing_reported() {
    let d = data(2000, 13);
    let key = epoch_key(1);
    let out = d.dir.path().join("o.lmf");
    let p = publish_to(&key, &[&d.dump], &out);
    // Enough for the first round trip (the base's MSISDNs), not for the CNICs after it.
    let oracle = Overstating(LocalOracle::new(key, vec![p.digest], 600));
    let Err(err) = run_query(&oracle, &[&out], &d.base, true) else {
        panic!("the query went through")
    };
    assert!(
        matches!(err, OnlineError::Oracle(OracleError::BudgetExhausted)),
        "{err}"
    );
    let evaluated = oracle.0.evaluated();
    assert!(evaluated > 0 && evaluated <= 600, "{evaluated}");
    assert_eq!(oracle.0.budget_left().unwrap(), 600 - evaluated);
}
