//! [`State`]: a state directory opened — the master secret, the store, and the epochs.
//!
//! Epoch `n`'s key is derived from the master secret on demand and cached; the store keeps
//! only its public key. [`State::rotate`] starts epoch `n + 1` and withdraws `n` in one
//! transaction; client budgets are not touched.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;

use leakmatch_hashing::FileDigest;
use leakmatch_oprf::{EpochKey, MasterSecret, SUITE};
use redb::{Database, ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::descriptor::{Descriptors, EpochDescriptor, FilterEntry, FilterMeta};
use crate::dir::StateDir;
use crate::store::{self, now, EPOCHS, FILTERS, META, SCHEMA};
use crate::StateError;

/// An opened state directory. Cheap to share behind an `Arc`: every method takes `&self`,
/// and the store serialises writers (across processes too).
pub struct State {
    pub(crate) dir: StateDir,
    pub(crate) db: Database,
    master: MasterSecret,
    keys: Mutex<HashMap<u64, EpochKey>>,
}

/// A filter's row in the store (its digest and epoch are the key).
#[derive(Serialize, Deserialize)]
struct FilterRow {
    name: String,
    rows: u64,
    recorded_at: u64,
}

impl State {
    /// Creates a state directory at `dir` (new, or an existing empty directory; mode 0700)
    /// with a fresh master secret (0600), a store (0600), epoch 1 current and no client.
    pub fn init(dir: &Path) -> Result<State, StateError> {
        let paths = StateDir::create(dir)?;
        MasterSecret::write_file(&paths.master, &MasterSecret::generate()?)?;
        let state = State::open_unchecked(dir)?;
        let key = state.key(1)?;
        let txn = state.begin_write()?;
        {
            let mut meta = txn.open_table(META).map_err(|e| state.err(e))?;
            meta.insert("schema", SCHEMA).map_err(|e| state.err(e))?;
            meta.insert("current_epoch", 1).map_err(|e| state.err(e))?;
            let mut epochs = txn.open_table(EPOCHS).map_err(|e| state.err(e))?;
            epochs
                .insert(1, (key.public_key().0, now(), None, false))
                .map_err(|e| state.err(e))?;
            txn.open_table(FILTERS).map_err(|e| state.err(e))?;
            txn.open_table(store::CLIENTS).map_err(|e| state.err(e))?;
            txn.open_table(store::CLIENT_IDS)
                .map_err(|e| state.err(e))?;
            txn.open_table(store::LEDGER).map_err(|e| state.err(e))?;
            txn.open_table(store::LEDGER_EXPIRY)
                .map_err(|e| state.err(e))?;
        }
        txn.commit().map_err(|e| state.err(e))?;
        Ok(state)
    }

    /// Opens the state directory `dir` made by [`init`](Self::init), checking its
    /// permissions (directory 0700, files 0600) and the store's layout version.
    pub fn open(dir: &Path) -> Result<State, StateError> {
        let state = State::open_unchecked(dir)?;
        state.check_schema()?;
        Ok(state)
    }

    fn open_unchecked(dir: &Path) -> Result<State, StateError> {
        let paths = StateDir::open(dir)?;
        let master = MasterSecret::read_file(&paths.master)?;
        let db = store::open(&paths.store)?;
        Ok(State {
            dir: paths,
            db,
            master,
            keys: Mutex::new(HashMap::new()),
        })
    }

    fn check_schema(&self) -> Result<(), StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let schema = match txn.open_table(META) {
            Ok(meta) => meta
                .get("schema")
                .map_err(|e| self.err(e))?
                .map(|v| v.value()),
            // `init` was interrupted before its first commit: nothing usable.
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(self.err(e)),
        };
        match schema {
            Some(SCHEMA) => Ok(()),
            Some(other) => Err(self.corrupt(format!("unknown layout version {other}"))),
            None => Err(self.corrupt("not initialised (rerun `leakmatch server init`)".into())),
        }
    }

    /// The state directory.
    pub fn path(&self) -> &Path {
        &self.dir.root
    }

    /// The current epoch and its key: what `server publish` evaluates a dump with.
    pub fn current_epoch_key(&self) -> Result<(u64, EpochKey), StateError> {
        let epoch = self.current_epoch()?;
        Ok((epoch, self.key(epoch)?))
    }

    /// The current epoch number.
    pub fn current_epoch(&self) -> Result<u64, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let meta = txn.open_table(META).map_err(|e| self.err(e))?;
        read_current(self, &meta)
    }

    /// The key of `epoch`, derived once and cached.
    pub(crate) fn key(&self, epoch: u64) -> Result<EpochKey, StateError> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = keys.get(&epoch) {
            return Ok(k.clone());
        }
        let key = EpochKey::derive(&self.master, epoch)?;
        keys.insert(epoch, key.clone());
        Ok(key)
    }

    /// Records a filter published under `epoch` (its whole-file digest and `meta`), so the
    /// epoch's descriptor lists it. Refuses an epoch that is not current
    /// ([`StateError::EpochNotCurrent`]): a rotation between evaluating and recording makes
    /// the filter useless, and the publisher must start over. Recording the same digest
    /// again replaces its metadata.
    pub fn record_filter(
        &self,
        epoch: u64,
        digest: FileDigest,
        meta: FilterMeta,
    ) -> Result<(), StateError> {
        let txn = self.begin_write()?;
        {
            let meta_table = txn.open_table(META).map_err(|e| self.err(e))?;
            let current = read_current(self, &meta_table)?;
            if epoch != current {
                return Err(StateError::EpochNotCurrent { epoch, current });
            }
            let row = FilterRow {
                name: meta.name,
                rows: meta.rows,
                recorded_at: now(),
            };
            let json = serde_json::to_string(&row).map_err(|e| self.corrupt(e.to_string()))?;
            let mut filters = txn.open_table(FILTERS).map_err(|e| self.err(e))?;
            filters
                .insert((epoch, digest.0), json.as_str())
                .map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))
    }

    /// Every epoch's descriptor, oldest first, with its filters.
    pub fn descriptors(&self) -> Result<Descriptors, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let meta = txn.open_table(META).map_err(|e| self.err(e))?;
        let current_epoch = read_current(self, &meta)?;
        let epochs_table = txn.open_table(EPOCHS).map_err(|e| self.err(e))?;
        let filters_table = txn.open_table(FILTERS).map_err(|e| self.err(e))?;
        let mut epochs = Vec::new();
        for row in epochs_table.iter().map_err(|e| self.err(e))? {
            let (epoch, value) = row.map_err(|e| self.err(e))?;
            let epoch = epoch.value();
            let (pk, not_before, not_after, withdrawn) = value.value();
            let mut filters = Vec::new();
            let range = filters_table
                .range((epoch, [0u8; 32])..=(epoch, [0xff; 32]))
                .map_err(|e| self.err(e))?;
            for f in range {
                let (key, value) = f.map_err(|e| self.err(e))?;
                let row: FilterRow = serde_json::from_str(value.value())
                    .map_err(|_| self.corrupt(format!("epoch {epoch}: unreadable filter row")))?;
                filters.push(FilterEntry {
                    digest: FileDigest(key.value().1).to_string(),
                    name: row.name,
                    rows: row.rows,
                    recorded_at: row.recorded_at,
                });
            }
            epochs.push(EpochDescriptor {
                epoch,
                suite: SUITE.to_string(),
                public_key: leakmatch_oprf::PublicKey(pk).to_string(),
                filters,
                not_before,
                not_after,
                withdrawn,
            });
        }
        Ok(Descriptors {
            suite: SUITE.to_string(),
            current_epoch,
            epochs,
        })
    }

    /// Starts a new epoch: epoch `n + 1` becomes current and `n` is withdrawn (its filters
    /// are refused from now on), in one transaction. Budgets and usage are untouched.
    /// Returns the new epoch.
    pub fn rotate(&self) -> Result<u64, StateError> {
        let txn = self.begin_write()?;
        let next;
        {
            let mut meta = txn.open_table(META).map_err(|e| self.err(e))?;
            let current = read_current(self, &meta)?;
            next = current
                .checked_add(1)
                .ok_or_else(|| self.corrupt("epoch counter exhausted".into()))?;
            let key = self.key(next)?;
            let t = now();
            let mut epochs = txn.open_table(EPOCHS).map_err(|e| self.err(e))?;
            let old = epochs
                .get(current)
                .map_err(|e| self.err(e))?
                .map(|v| v.value())
                .ok_or_else(|| self.corrupt(format!("current epoch {current} has no record")))?;
            epochs
                .insert(current, (old.0, old.1, Some(t), true))
                .map_err(|e| self.err(e))?;
            epochs
                .insert(next, (key.public_key().0, t, None, false))
                .map_err(|e| self.err(e))?;
            meta.insert("current_epoch", next)
                .map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))?;
        Ok(next)
    }

    /// A durable write transaction.
    pub(crate) fn begin_write(&self) -> Result<redb::WriteTransaction, StateError> {
        self.db.begin_write().map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, e: impl Into<redb::Error>) -> StateError {
        store::store_error(&self.dir.store, e)
    }

    pub(crate) fn corrupt(&self, what: String) -> StateError {
        StateError::Corrupt {
            path: self.dir.store.clone(),
            what,
        }
    }
}

/// The current epoch from an open `meta` table.
pub(crate) fn read_current(
    state: &State,
    meta: &impl ReadableTable<&'static str, u64>,
) -> Result<u64, StateError> {
    meta.get("current_epoch")
        .map_err(|e| state.err(e))?
        .map(|v| v.value())
        .ok_or_else(|| state.corrupt("no current epoch".into()))
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "State({}, master secret <redacted>)",
            self.dir.root.display()
        )
    }
}
