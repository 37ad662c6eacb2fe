//! The redb store: its tables, their row layouts, and how it is opened.
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"schema"`, `"current_epoch"` | `u64` |
//! | `epochs` | epoch | (public key, not_before, not_after or none, withdrawn) |
//! | `filters` | (epoch, file digest) | JSON `{name, rows, recorded_at}` |
//! | `clients` | name | (client id, Ed25519 public key, budget, used, created) |
//! | `client_ids` | client id | name |
//! | `ledger` | (client id, request id) | (digest of the elements, epoch, elements charged, timestamp) |
//! | `ledger_expiry` | (timestamp, client id, request id) | () |
//!
//! Times are Unix seconds. The store is opened in redb's multi-writer mode, so `server
//! status`, `add-client`, `set-budget`, `rotate` and `publish` work while `server run` holds it
//! open: each transaction reads the committed state, and write transactions are serialised
//! across processes. Every write commits durably (fsync) before it returns.

use std::path::Path;

use redb::{ConcurrencyMode, Database, TableDefinition};

use crate::StateError;

/// The layout version written at `init`; `open` refuses any other.
pub(crate) const SCHEMA: u64 = 1;

pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
pub(crate) const EPOCHS: TableDefinition<u64, EpochRow> = TableDefinition::new("epochs");
pub(crate) const FILTERS: TableDefinition<(u64, [u8; 32]), &str> = TableDefinition::new("filters");
pub(crate) const CLIENTS: TableDefinition<&str, ClientRow> = TableDefinition::new("clients");
pub(crate) const CLIENT_IDS: TableDefinition<[u8; 16], &str> = TableDefinition::new("client_ids");
pub(crate) const LEDGER: TableDefinition<([u8; 16], [u8; 16]), LedgerRow> =
    TableDefinition::new("ledger");
pub(crate) const LEDGER_EXPIRY: TableDefinition<(u64, [u8; 16], [u8; 16]), ()> =
    TableDefinition::new("ledger_expiry");

/// (public key, not_before, not_after, withdrawn).
pub(crate) type EpochRow = ([u8; 32], u64, Option<u64>, bool);
/// (client id, Ed25519 public key, budget, used, created).
pub(crate) type ClientRow = ([u8; 16], [u8; 32], u64, u64, u64);
/// (BLAKE3 of the elements, epoch, elements charged, request timestamp).
pub(crate) type LedgerRow = ([u8; 32], u64, u64, u64);

/// Opens (or, for an empty file, initialises) the store at `path`.
pub(crate) fn open(path: &Path) -> Result<Database, StateError> {
    Database::builder()
        .set_concurrency_mode(ConcurrencyMode::MultiWriter)
        .create(path)
        .map_err(|e| store_error(path, e))
}

/// A redb error as a [`StateError::Store`] (redb messages never hold stored values).
pub(crate) fn store_error(path: &Path, e: impl Into<redb::Error>) -> StateError {
    StateError::Store {
        path: path.to_path_buf(),
        reason: e.into().to_string(),
    }
}

/// Unix time in seconds (0 for a clock set before 1970).
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
