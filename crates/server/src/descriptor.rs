//! Epoch descriptors: what the server publishes about its keys and the filters made with
//! them (`GET /v1/descriptors`, `server status`).
//!
//! A client checks an online filter against these before querying: the filter's epoch must
//! be listed, not withdrawn, with the public key the filter's header records, and its
//! [`FileDigest`] must be among that epoch's filters.

use leakmatch_hashing::FileDigest;
use leakmatch_oprf::PublicKey;
use serde::{Deserialize, Serialize};

/// Every epoch the server has had, oldest first, and which one is current.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptors {
    /// The RFC 9497 suite ([`leakmatch_oprf::SUITE`]).
    pub suite: String,
    /// The epoch requests must name.
    pub current_epoch: u64,
    /// All epochs, oldest first; all but the current one are withdrawn.
    pub epochs: Vec<EpochDescriptor>,
}

impl Descriptors {
    /// The descriptor of `epoch`, if the server has had it.
    pub fn epoch(&self, epoch: u64) -> Option<&EpochDescriptor> {
        self.epochs.iter().find(|e| e.epoch == epoch)
    }

    /// The descriptor of the current epoch.
    pub fn current(&self) -> Option<&EpochDescriptor> {
        self.epoch(self.current_epoch)
    }
}

/// One epoch's public descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochDescriptor {
    /// The epoch number (1, 2, …).
    pub epoch: u64,
    /// The RFC 9497 suite.
    pub suite: String,
    /// The epoch's public key, 64 hex digits ([`PublicKey`]'s `Display`).
    pub public_key: String,
    /// The filters published under this epoch.
    pub filters: Vec<FilterEntry>,
    /// When the epoch started (Unix seconds).
    pub not_before: u64,
    /// When it was withdrawn (Unix seconds); `None` while current.
    pub not_after: Option<u64>,
    /// Whether the epoch was withdrawn by a rotation: its filters are refused.
    pub withdrawn: bool,
}

impl EpochDescriptor {
    /// The public key, parsed; `None` if the descriptor holds no valid hex.
    pub fn public_key(&self) -> Option<PublicKey> {
        PublicKey::from_hex(&self.public_key)
    }

    /// Whether a filter with `digest` was published under this epoch.
    pub fn lists(&self, digest: &FileDigest) -> bool {
        let hex = digest.to_string();
        self.filters.iter().any(|f| f.digest == hex)
    }
}

/// A filter published under an epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterEntry {
    /// BLAKE3 of the whole filter file, 64 hex digits ([`FileDigest`]'s `Display`).
    pub digest: String,
    /// The name it was published under (its file name).
    pub name: String,
    /// Dump rows it was built from.
    pub rows: u64,
    /// When it was recorded (Unix seconds).
    pub recorded_at: u64,
}

/// What the publisher records with a filter's digest ([`State::record_filter`]).
///
/// [`State::record_filter`]: crate::State::record_filter
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterMeta {
    /// A name for the filter (its file name).
    pub name: String,
    /// Dump rows it was built from.
    pub rows: u64,
}
