//! Charging a request: the one durable transaction that stands between a request and its
//! evaluation.
//!
//! `State::charge` checks, in one write transaction: the epoch is current; the request id is
//! new for this client (or a retry of the same elements, which is answered again free); the
//! budget covers the elements. Then it adds them to `used`, records the request in the
//! ledger, and commits durably — all *before* anything is evaluated. A crash after the commit
//! leaves the client charged for an answer it may not have received (it retries with the same
//! request id and gets it free); a crash before leaves nothing. Any store error refuses the
//! request.
//!
//! Ledger entries are kept for [`LEDGER_KEEP`] seconds past their request's timestamp: a retry
//! older than that is refused as stale before it reaches the ledger, so the entry is no
//! longer needed. Each charge prunes a few expired entries.

use redb::ReadableTable;

use crate::clients::Budget;
use crate::credential::ClientId;
use crate::store::{now, CLIENTS, EPOCHS, LEDGER, LEDGER_EXPIRY, META};
use crate::{State, StateError};

/// Seconds a ledger entry outlives its request's timestamp (twice the signature window).
pub const LEDGER_KEEP: u64 = 2 * crate::signing::TIMESTAMP_WINDOW;
/// Expired ledger entries removed per charge, at most.
const PRUNE_PER_CHARGE: usize = 16;

/// A request to charge, as the server authenticated it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChargeRequest<'a> {
    pub(crate) client: &'a ClientId,
    pub(crate) name: &'a str,
    pub(crate) request_id: [u8; 16],
    pub(crate) epoch: u64,
    pub(crate) digest: [u8; 32],
    pub(crate) count: u64,
    pub(crate) timestamp: u64,
}

/// What charging decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charged {
    /// Charged now: evaluate.
    Fresh(Budget),
    /// Charged before (a retry with the same elements): evaluate again, free.
    Replay(Budget),
    /// The epoch is unknown (`current` is the one to use).
    UnknownEpoch { current: u64 },
    /// The epoch was withdrawn by a rotation.
    Withdrawn { current: u64 },
    /// The request id was used before with other elements or another epoch.
    Conflict,
    /// The budget does not cover the elements; nothing charged.
    OverBudget(Budget),
}

impl State {
    /// Charges `req` (see the [module docs](self)).
    pub(crate) fn charge(&self, req: ChargeRequest<'_>) -> Result<Charged, StateError> {
        let txn = self.begin_write()?;
        let outcome;
        {
            let meta = txn.open_table(META).map_err(|e| self.err(e))?;
            let current = crate::state::read_current(self, &meta)?;
            if req.epoch != current {
                let epochs = txn.open_table(EPOCHS).map_err(|e| self.err(e))?;
                let known = epochs.get(req.epoch).map_err(|e| self.err(e))?.is_some();
                return Ok(if known {
                    Charged::Withdrawn { current }
                } else {
                    Charged::UnknownEpoch { current }
                });
            }
            let mut clients = txn.open_table(CLIENTS).map_err(|e| self.err(e))?;
            let row = clients
                .get(req.name)
                .map_err(|e| self.err(e))?
                .map(|v| v.value())
                .ok_or_else(|| StateError::UnknownClient {
                    name: req.name.to_string(),
                })?;
            let (id, pk, budget, used, created) = row;
            let mut ledger = txn.open_table(LEDGER).map_err(|e| self.err(e))?;
            let key = (req.client.0, req.request_id);
            if let Some(entry) = ledger.get(key).map_err(|e| self.err(e))? {
                let (digest, epoch, count, _) = entry.value();
                let same = digest == req.digest && epoch == req.epoch && count == req.count;
                return Ok(if same {
                    Charged::Replay(Budget::new(budget, used))
                } else {
                    Charged::Conflict
                });
            }
            let after = used.checked_add(req.count).filter(|&u| u <= budget);
            let Some(after) = after else {
                return Ok(Charged::OverBudget(Budget::new(budget, used)));
            };
            clients
                .insert(req.name, (id, pk, budget, after, created))
                .map_err(|e| self.err(e))?;
            ledger
                .insert(key, (req.digest, req.epoch, req.count, req.timestamp))
                .map_err(|e| self.err(e))?;
            let mut expiry = txn.open_table(LEDGER_EXPIRY).map_err(|e| self.err(e))?;
            expiry
                .insert((req.timestamp, req.client.0, req.request_id), ())
                .map_err(|e| self.err(e))?;
            prune(self, &mut ledger, &mut expiry)?;
            outcome = Charged::Fresh(Budget::new(budget, after));
        }
        txn.commit().map_err(|e| self.err(e))?;
        Ok(outcome)
    }

    /// Ledger entries held (tests and `status`).
    pub fn ledger_len(&self) -> Result<u64, StateError> {
        use redb::{ReadableDatabase, ReadableTableMetadata};
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let ledger = txn.open_table(LEDGER).map_err(|e| self.err(e))?;
        ledger.len().map_err(|e| self.err(e))
    }
}

type Ledger<'t> = redb::Table<'t, ([u8; 16], [u8; 16]), crate::store::LedgerRow>;
type Expiry<'t> = redb::Table<'t, (u64, [u8; 16], [u8; 16]), ()>;

/// Removes up to [`PRUNE_PER_CHARGE`] entries whose timestamp is older than [`LEDGER_KEEP`].
fn prune(
    state: &State,
    ledger: &mut Ledger<'_>,
    expiry: &mut Expiry<'_>,
) -> Result<(), StateError> {
    let cutoff = now().saturating_sub(LEDGER_KEEP);
    let mut expired = Vec::new();
    for entry in expiry
        .range((0, [0u8; 16], [0u8; 16])..(cutoff, [0u8; 16], [0u8; 16]))
        .map_err(|e| state.err(e))?
        .take(PRUNE_PER_CHARGE)
    {
        let (key, _) = entry.map_err(|e| state.err(e))?;
        expired.push(key.value());
    }
    for (t, client, request) in expired {
        expiry
            .remove((t, client, request))
            .map_err(|e| state.err(e))?;
        ledger.remove((client, request)).map_err(|e| state.err(e))?;
    }
    Ok(())
}
