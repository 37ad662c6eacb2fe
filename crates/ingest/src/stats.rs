//! Per-input counters.

use crate::RejectReason;

/// Counters for one identifier kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindStats {
    /// Candidates that normalized.
    pub valid: u64,
    /// Rejected candidates, indexed by [`RejectReason::index`].
    pub rejected: [u64; RejectReason::COUNT],
}

impl KindStats {
    /// Adds another counter set.
    pub fn merge(&mut self, other: &KindStats) {
        self.valid += other.valid;
        for (a, b) in self.rejected.iter_mut().zip(other.rejected.iter()) {
            *a += b;
        }
    }
    /// Counts one rejection.
    pub fn reject(&mut self, reason: RejectReason) {
        self.rejected[reason.index()] += 1;
    }
    /// Total rejected.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().sum()
    }
}

/// Counters for one input (or a sum of inputs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputStats {
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Records seen (data rows, excluding a header).
    pub records: u64,
    /// Records that could not be parsed at all and were skipped.
    pub skipped_records: u64,
    /// MSISDN candidates.
    pub msisdn: KindStats,
    /// CNIC candidates.
    pub cnic: KindStats,
    /// (MSISDN, CNIC) pairs emitted.
    pub pairs: u64,
}

impl InputStats {
    /// Adds another input's counters.
    pub fn merge(&mut self, other: &InputStats) {
        self.bytes += other.bytes;
        self.records += other.records;
        self.skipped_records += other.skipped_records;
        self.msisdn.merge(&other.msisdn);
        self.cnic.merge(&other.cnic);
        self.pairs += other.pairs;
    }
}
