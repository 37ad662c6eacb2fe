//! The client registry: names, ids, Ed25519 public keys and lifetime budgets.
//!
//! A budget counts evaluations over the client's lifetime: `used` only grows (one per
//! blinded element evaluated, charged before evaluating), rotations leave both alone, and
//! [`State::set_budget`] changes the total (below `used` leaves nothing).

use std::path::Path;

use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::credential::{ClientId, Credential};
use crate::store::{now, CLIENTS, CLIENT_IDS};
use crate::{State, StateError};

/// Longest client name.
pub const MAX_NAME_LEN: usize = 64;

/// A client's budget: evaluations granted over its lifetime, used, and left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Evaluations granted.
    pub budget: u64,
    /// Evaluations charged so far.
    pub used: u64,
    /// `budget - used`, or 0.
    pub left: u64,
}

impl Budget {
    pub(crate) fn new(budget: u64, used: u64) -> Budget {
        Budget {
            budget,
            used,
            left: budget.saturating_sub(used),
        }
    }
}

/// A registered client as `server status` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStatus {
    /// The client's name.
    pub name: String,
    /// Its id, 32 hex digits.
    pub client_id: String,
    /// Evaluations granted.
    pub budget: u64,
    /// Evaluations charged.
    pub used: u64,
    /// Evaluations left.
    pub left: u64,
    /// When it was added (Unix seconds).
    pub created: u64,
}

impl ClientStatus {
    fn from_row(name: &str, row: crate::store::ClientRow) -> ClientStatus {
        let (id, _, budget, used, created) = row;
        ClientStatus {
            name: name.to_string(),
            client_id: ClientId(id).to_string(),
            budget,
            used,
            left: budget.saturating_sub(used),
            created,
        }
    }
}

/// A client as the server authenticates it.
#[derive(Clone, Debug)]
pub(crate) struct Registered {
    pub(crate) name: String,
    pub(crate) public_key: [u8; 32],
}

/// Checks a client name: 1 to [`MAX_NAME_LEN`] characters of `A-Z a-z 0-9 . _ -`, so it is
/// safe in a log line, a file name and a terminal.
pub fn check_name(name: &str) -> Result<(), StateError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StateError::BadClientName {
            len: name.chars().count(),
        })
    }
}

impl State {
    /// Registers client `name` with `budget` evaluations and writes its credential to a new
    /// file `credential` (0600). The file is written inside the registering transaction:
    /// if it cannot be created (it exists, say) nothing is registered, and if the commit
    /// fails the file is removed.
    pub fn add_client(
        &self,
        name: &str,
        budget: u64,
        credential: &Path,
    ) -> Result<ClientStatus, StateError> {
        check_name(name)?;
        let cred = Credential::generate(name).map_err(|e| leakmatch_oprf::OprfError::Rng {
            reason: e.to_string(),
        })?;
        let row = (
            cred.client_id().0,
            cred.verifying_key().to_bytes(),
            budget,
            0,
            now(),
        );
        let txn = self.begin_write()?;
        {
            let mut clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
            if clients.get(name).map_err(|e| self.err(e))?.is_some() {
                return Err(StateError::ClientExists {
                    name: name.to_string(),
                });
            }
            clients.insert(name, row).map_err(|e| self.err(e))?;
            let mut ids = txn.open_table(CLIENT_IDS).map_err(|e| self.err(e))?;
            ids.insert(cred.client_id().0, name)
                .map_err(|e| self.err(e))?;
        }
        cred.write_new(credential)?;
        if let Err(e) = txn.commit() {
            let _ = std::fs::remove_file(credential);
            return Err(self.err(e));
        }
        Ok(ClientStatus::from_row(name, row))
    }

    /// Sets client `name`'s lifetime budget to `budget` (what it has used stays).
    pub fn set_budget(&self, name: &str, budget: u64) -> Result<ClientStatus, StateError> {
        let txn = self.begin_write()?;
        let row;
        {
            let mut clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
            let old = clients
                .get(name)
                .map_err(|e| self.err(e))?
                .map(|v| v.value())
                .ok_or_else(|| StateError::UnknownClient {
                    name: name.to_string(),
                })?;
            row = (old.0, old.1, budget, old.3, old.4);
            clients.insert(name, row).map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))?;
        Ok(ClientStatus::from_row(name, row))
    }

    /// Every client, by name.
    pub fn clients(&self) -> Result<Vec<ClientStatus>, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in clients.iter().map_err(|e| self.err(e))? {
            let (name, value) = row.map_err(|e| self.err(e))?;
            out.push(ClientStatus::from_row(name.value(), value.value()));
        }
        Ok(out)
    }

    /// The client with id `id`, if registered.
    pub(crate) fn lookup(&self, id: &ClientId) -> Result<Option<Registered>, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let ids = txn.open_table(CLIENT_IDS).map_err(|e| self.err(e))?;
        let Some(name) = ids.get(id.0).map_err(|e| self.err(e))? else {
            return Ok(None);
        };
        let name = name.value().to_string();
        let clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
        let row = clients
            .get(name.as_str())
            .map_err(|e| self.err(e))?
            .map(|v| v.value())
            .ok_or_else(|| self.corrupt("a client id names no client".into()))?;
        Ok(Some(Registered {
            name,
            public_key: row.1,
        }))
    }

    /// The budget of the client with id `id`.
    pub(crate) fn budget_of(&self, name: &str) -> Result<Budget, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
        let row = clients
            .get(name)
            .map_err(|e| self.err(e))?
            .map(|v| v.value())
            .ok_or_else(|| StateError::UnknownClient {
                name: name.to_string(),
            })?;
        Ok(Budget::new(row.2, row.3))
    }
}
