//! State, registry, budget and ledger tests (no HTTP).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use leakmatch_hashing::FileDigest;

use crate::credential::ClientId;
use crate::ledger::{ChargeRequest, Charged};
use crate::store::now;
use crate::{Budget, Credential, FilterMeta, State, StateError};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn charge(
    state: &State,
    cred: &Credential,
    rid: u8,
    digest: u8,
    count: u64,
    epoch: u64,
) -> Charged {
    state
        .charge(ChargeRequest {
            client: &cred.client_id(),
            name: cred.name(),
            request_id: [rid; 16],
            epoch,
            digest: [digest; 32],
            count,
            timestamp: now(),
        })
        .unwrap()
}

#[test]
fn init_makes_private_dir_epoch_one_and_refuses_a_second_init() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let state = State::init(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("master.secret")), 0o600);
    assert_eq!(mode(&dir.join("state.redb")), 0o600);
    let d = state.descriptors().unwrap();
    assert_eq!(d.current_epoch, 1);
    assert_eq!(d.epochs.len(), 1);
    let e = &d.epochs[0];
    assert!(!e.withdrawn && e.not_after.is_none() && e.filters.is_empty());
    let (epoch, key) = state.current_epoch_key().unwrap();
    assert_eq!(epoch, 1);
    assert_eq!(e.public_key().unwrap(), key.public_key());
    assert!(state.clients().unwrap().is_empty());
    drop(state);
    assert!(matches!(State::init(&dir), Err(StateError::Exists { .. })));
    // An existing empty directory is accepted and tightened.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o755)).unwrap();
    State::init(&empty).unwrap();
    assert_eq!(mode(&empty), 0o700);
}

#[test]
fn open_refuses_loose_permissions_and_non_state_dirs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    drop(State::init(&dir).unwrap());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750)).unwrap();
    let e = State::open(&dir).unwrap_err();
    assert!(e.to_string().contains("chmod 700"), "{e}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let store = dir.join("state.redb");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = State::open(&dir).unwrap_err();
    assert!(e.to_string().contains("chmod 600"), "{e}");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
    State::open(&dir).unwrap();
    let e = State::open(tmp.path()).unwrap_err();
    assert!(matches!(e, StateError::NotStateDir { .. }), "{e}");
}

#[test]
fn same_epoch_key_across_reopen_and_rotation_withdraws_without_touching_budgets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let state = State::init(&dir).unwrap();
    let pk1 = state.current_epoch_key().unwrap().1.public_key();
    state
        .add_client("acme", 100, &tmp.path().join("acme.cred"))
        .unwrap();
    let cred = Credential::read_file(&tmp.path().join("acme.cred")).unwrap();
    assert!(matches!(
        charge(&state, &cred, 1, 1, 30, 1),
        Charged::Fresh(_)
    ));
    drop(state);
    let state = State::open(&dir).unwrap();
    assert_eq!(state.current_epoch_key().unwrap().1.public_key(), pk1);
    assert_eq!(state.rotate().unwrap(), 2);
    let (epoch, key2) = state.current_epoch_key().unwrap();
    assert_eq!(epoch, 2);
    assert_ne!(key2.public_key(), pk1);
    let d = state.descriptors().unwrap();
    assert_eq!(d.current_epoch, 2);
    assert!(d.epochs[0].withdrawn && d.epochs[0].not_after.is_some());
    assert!(!d.epochs[1].withdrawn && d.epochs[1].not_after.is_none());
    assert_eq!(d.epoch(1).unwrap().public_key().unwrap(), pk1);
    let c = &state.clients().unwrap()[0];
    assert_eq!((c.budget, c.used, c.left), (100, 30, 70));
    // Requests for the withdrawn epoch or an unknown one are refused, nothing charged.
    assert_eq!(
        charge(&state, &cred, 2, 2, 5, 1),
        Charged::Withdrawn { current: 2 }
    );
    assert_eq!(
        charge(&state, &cred, 2, 2, 5, 9),
        Charged::UnknownEpoch { current: 2 }
    );
    assert_eq!(state.clients().unwrap()[0].used, 30);
    assert!(matches!(
        charge(&state, &cred, 2, 2, 5, 2),
        Charged::Fresh(_)
    ));
}

#[test]
fn record_filter_lists_it_under_the_current_epoch_only() {
    let tmp = tempfile::tempdir().unwrap();
    let state = State::init(&tmp.path().join("s")).unwrap();
    let digest = FileDigest([0xd1; 32]);
    let meta = FilterMeta {
        name: "dump.lmf".into(),
        rows: 1234,
    };
    state.record_filter(1, digest, meta.clone()).unwrap();
    let d = state.descriptors().unwrap();
    let f = &d.epochs[0].filters[0];
    assert_eq!((f.name.as_str(), f.rows), ("dump.lmf", 1234));
    assert_eq!(f.digest, digest.to_string());
    assert!(d.epochs[0].lists(&digest) && !d.epochs[0].lists(&FileDigest([0; 32])));
    state.rotate().unwrap();
    let e = state.record_filter(1, digest, meta.clone()).unwrap_err();
    assert!(
        matches!(
            e,
            StateError::EpochNotCurrent {
                epoch: 1,
                current: 2
            }
        ),
        "{e}"
    );
    state
        .record_filter(2, FileDigest([0xd2; 32]), meta)
        .unwrap();
    let d = state.descriptors().unwrap();
    assert_eq!(d.epochs[0].filters.len(), 1);
    assert_eq!(d.epochs[1].filters.len(), 1);
}

#[test]
fn clients_names_budgets_and_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let state = State::init(&tmp.path().join("s")).unwrap();
    let cred_path = tmp.path().join("a.cred");
    let st = state.add_client("op-1.jazz_x", 50, &cred_path).unwrap();
    assert_eq!((st.budget, st.used, st.left), (50, 0, 50));
    assert_eq!(mode(&cred_path), 0o600);
    let cred = Credential::read_file(&cred_path).unwrap();
    assert_eq!(cred.client_id().to_string(), st.client_id);
    // The registry holds the public key only; the lookup finds it by id.
    let reg = state.lookup(&cred.client_id()).unwrap().unwrap();
    assert_eq!(reg.public_key, cred.verifying_key().to_bytes());
    assert!(state.lookup(&ClientId([0; 16])).unwrap().is_none());
    // Same name again: refused, and the existing credential file is untouched.
    let e = state
        .add_client("op-1.jazz_x", 5, &tmp.path().join("b.cred"))
        .unwrap_err();
    assert!(matches!(e, StateError::ClientExists { .. }), "{e}");
    assert!(!tmp.path().join("b.cred").exists());
    // An existing credential path: nothing registered.
    let e = state.add_client("other", 5, &cred_path).unwrap_err();
    assert!(matches!(e, StateError::Credential(_)), "{e}");
    assert_eq!(state.clients().unwrap().len(), 1);
    for bad in ["", "a b", "a/b", "ünï", &"x".repeat(65), "a\u{1b}[2J"] {
        let e = state
            .add_client(bad, 1, &tmp.path().join("z.cred"))
            .unwrap_err();
        assert!(
            matches!(e, StateError::BadClientName { .. }),
            "{bad:?}: {e}"
        );
    }
    assert!(charge(&state, &cred, 1, 1, 40, 1) == Charged::Fresh(Budget::new(50, 40)));
    let st = state.set_budget("op-1.jazz_x", 30).unwrap();
    assert_eq!((st.budget, st.used, st.left), (30, 40, 0));
    let st = state.set_budget("op-1.jazz_x", 100).unwrap();
    assert_eq!(st.left, 60);
    assert!(matches!(
        state.set_budget("nobody", 1),
        Err(StateError::UnknownClient { .. })
    ));
}

#[test]
fn ledger_replays_free_refuses_conflicts_and_never_overdraws() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let state = State::init(&dir).unwrap();
    state
        .add_client("c", 100, &tmp.path().join("c.cred"))
        .unwrap();
    let cred = Credential::read_file(&tmp.path().join("c.cred")).unwrap();
    assert_eq!(
        charge(&state, &cred, 1, 1, 60, 1),
        Charged::Fresh(Budget::new(100, 60))
    );
    // The same request again: answered, not charged.
    assert_eq!(
        charge(&state, &cred, 1, 1, 60, 1),
        Charged::Replay(Budget::new(100, 60))
    );
    // Same id, other elements: conflict, nothing charged.
    assert_eq!(charge(&state, &cred, 1, 2, 60, 1), Charged::Conflict);
    // Over budget: refused whole, nothing charged.
    assert_eq!(
        charge(&state, &cred, 2, 2, 41, 1),
        Charged::OverBudget(Budget::new(100, 60))
    );
    assert_eq!(
        charge(&state, &cred, 2, 2, 40, 1),
        Charged::Fresh(Budget::new(100, 100))
    );
    assert_eq!(
        charge(&state, &cred, 3, 3, 1, 1),
        Charged::OverBudget(Budget::new(100, 100))
    );
    // A paid request is still answered when the budget is spent.
    assert_eq!(
        charge(&state, &cred, 1, 1, 60, 1),
        Charged::Replay(Budget::new(100, 100))
    );
    assert_eq!(state.ledger_len().unwrap(), 2);
    // Everything survives reopening the store.
    drop(state);
    let state = State::open(&dir).unwrap();
    assert_eq!(state.clients().unwrap()[0].used, 100);
    assert_eq!(
        charge(&state, &cred, 2, 2, 40, 1),
        Charged::Replay(Budget::new(100, 100))
    );
    assert_eq!(charge(&state, &cred, 2, 9, 40, 1), Charged::Conflict);
}

#[test]
fn expired_ledger_entries_are_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let state = State::init(&tmp.path().join("s")).unwrap();
    state
        .add_client("c", 1000, &tmp.path().join("c.cred"))
        .unwrap();
    let cred = Credential::read_file(&tmp.path().join("c.cred")).unwrap();
    let old = now() - crate::ledger::LEDGER_KEEP - 10;
    for rid in 0..20u8 {
        state
            .charge(ChargeRequest {
                client: &cred.client_id(),
                name: "c",
                request_id: [rid; 16],
                epoch: 1,
                digest: [0; 32],
                count: 1,
                timestamp: old,
            })
            .unwrap();
    }
    // Each charge prunes up to 16 expired entries, its own included once old enough.
    assert!(state.ledger_len().unwrap() < 20);
    assert_eq!(state.clients().unwrap()[0].used, 20);
}

#[test]
fn concurrent_charges_from_threads_lose_no_update() {
    let tmp = tempfile::tempdir().unwrap();
    let state = std::sync::Arc::new(State::init(&tmp.path().join("s")).unwrap());
    state
        .add_client("c", 1000, &tmp.path().join("c.cred"))
        .unwrap();
    let cred = Credential::read_file(&tmp.path().join("c.cred")).unwrap();
    let fresh = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u8)
            .map(|t| {
                let state = &state;
                let cred = &cred;
                s.spawn(move || {
                    (0..20u8)
                        .filter(|i| {
                            matches!(charge(state, cred, t * 20 + i, 0, 7, 1), Charged::Fresh(_))
                        })
                        .count() as u64
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });
    // 160 requests of 7 against 1000: 142 fit; used is exactly what was granted.
    assert_eq!(fresh, 142);
    assert_eq!(state.clients().unwrap()[0].used, fresh * 7);
}
