//! [`Oracle`]: what `query` needs from the dump holder's server, and [`LocalOracle`], an
//! in-process one over an [`EpochKey`] (tests, benchmarks, a server's own checks).
//!
//! The server's current epoch descriptor says which epoch and public key its answers are
//! proved under and which filter files were published under it; `query` refuses a filter that
//! descriptor does not list, and verifies every answer's proofs against that public key.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use leakmatch_hashing::FileDigest;
use leakmatch_oprf::{BlindedElement, EpochKey, EvaluatedBatch, PublicKey};

/// The current epoch of a server, as its descriptor publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochInfo {
    /// The epoch number.
    pub epoch: u64,
    /// The epoch's OPRF public key: every answer's proofs must verify against it.
    pub public_key: PublicKey,
    /// Digests of the filter files published under this epoch.
    pub filters: Vec<FileDigest>,
}

/// Why an [`Oracle`] could not answer. Messages never hold an element or an identifier.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The server refused to evaluate: this client's budget is spent (another query may have
    /// used it since the budget was checked).
    #[error("the server refused to evaluate: this client's budget is spent")]
    BudgetExhausted,
    /// The server refused the epoch asked for: it was rotated or withdrawn meanwhile.
    #[error("the server no longer answers for epoch {epoch}: it was rotated or withdrawn")]
    EpochNotCurrent {
        /// The epoch asked for.
        epoch: u64,
    },
    /// Anything else: transport, authentication, a server error.
    #[error("{0}")]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

/// The dump holder's server, as `query` uses it. Calls are blocking and made from one thread.
pub trait Oracle {
    /// Who answers (a URL), for the report and messages.
    fn server(&self) -> String;
    /// The server's current epoch descriptor.
    fn current_epoch(&self) -> Result<EpochInfo, OracleError>;
    /// Evaluations this client may still ask for.
    fn budget_left(&self) -> Result<u64, OracleError>;
    /// Evaluates `elements` under `epoch`'s key: one evaluated element per blinded element,
    /// in order, in proved chunks (see [`EpochKey::blind_evaluate`]). Charged to the budget.
    fn evaluate(
        &self,
        epoch: u64,
        elements: &[BlindedElement],
    ) -> Result<EvaluatedBatch, OracleError>;
}

/// An in-process [`Oracle`] over an [`EpochKey`], with a budget. For tests and benchmarks,
/// and to check a server's answers without a network.
pub struct LocalOracle {
    key: EpochKey,
    /// The key answers are made with: `key` unless [`LocalOracle::answer_with`] replaced it
    /// (a dishonest server, for tests).
    answering: Mutex<EpochKey>,
    filters: Vec<FileDigest>,
    left: AtomicU64,
    evaluated: AtomicU64,
}

impl LocalOracle {
    /// An oracle publishing `key`'s epoch with `filters` listed, with `budget` evaluations.
    pub fn new(key: EpochKey, filters: Vec<FileDigest>, budget: u64) -> Self {
        LocalOracle {
            answering: Mutex::new(key.clone()),
            key,
            filters,
            left: AtomicU64::new(budget),
            evaluated: AtomicU64::new(0),
        }
    }

    /// From now on, answers with `other` while still publishing the original key: a server
    /// that tags a client with its own key. Its proofs do not verify.
    pub fn answer_with(&self, other: EpochKey) {
        if let Ok(mut k) = self.answering.lock() {
            *k = other;
        }
    }

    /// Elements evaluated so far.
    pub fn evaluated(&self) -> u64 {
        self.evaluated.load(Relaxed)
    }
}

impl Oracle for LocalOracle {
    fn server(&self) -> String {
        "in-process".into()
    }

    fn current_epoch(&self) -> Result<EpochInfo, OracleError> {
        Ok(EpochInfo {
            epoch: self.key.epoch(),
            public_key: self.key.public_key(),
            filters: self.filters.clone(),
        })
    }

    fn budget_left(&self) -> Result<u64, OracleError> {
        Ok(self.left.load(Relaxed))
    }

    fn evaluate(
        &self,
        epoch: u64,
        elements: &[BlindedElement],
    ) -> Result<EvaluatedBatch, OracleError> {
        if epoch != self.key.epoch() {
            return Err(OracleError::EpochNotCurrent { epoch });
        }
        let n = elements.len() as u64;
        // Charged before evaluating, as the server does; nothing charged when refused.
        self.left
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(n))
            .map_err(|_| OracleError::BudgetExhausted)?;
        let key = self
            .answering
            .lock()
            .map_err(|_| OracleError::Failed("in-process oracle poisoned".into()))?
            .clone();
        let answer = key
            .blind_evaluate(elements)
            .map_err(|e| OracleError::Failed(Box::new(e)))?;
        self.evaluated.fetch_add(n, Relaxed);
        Ok(answer)
    }
}
