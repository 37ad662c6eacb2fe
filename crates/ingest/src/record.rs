//! What the reader hands to the next stage: one record's identifiers.

use crate::{Cnic, Msisdn};

/// The identifiers found in one record, borrowed from reader-owned buffers.
///
/// In column mode there is at most one MSISDN and one CNIC per selected column; in scan mode a
/// record (line) may hold several. Pairs are every (msisdn, cnic) combination of the record,
/// unless there are more than [`MAX_PAIRS_PER_RECORD`] of them ([`Record::forms_pairs`]).
#[derive(Debug)]
pub struct Record<'a> {
    /// Valid MSISDNs of the record, in column order.
    pub msisdns: &'a [Msisdn],
    /// Valid CNICs of the record, in column order.
    pub cnics: &'a [Cnic],
    /// Byte offset of the record's first byte in the (decompressed) input.
    pub offset: u64,
    /// The record's bytes exactly as in the input, without its line terminator.
    /// Only for outputs about the user's own input (`match --matches-out`).
    pub raw: &'a [u8],
}

/// Most MSISDN × CNIC combinations one record forms pairs from: 1024 (32 × 32). A record with
/// more (hundreds of numbers on one line, or a header naming thousands of identifier columns)
/// says nothing about who holds which, and its pairs would be quadratic in its size; its
/// identifiers are used, its pairs are not formed, and the read warns with its line.
pub const MAX_PAIRS_PER_RECORD: usize = 1024;

impl Record<'_> {
    /// Whether this record's pairs are formed: at most [`MAX_PAIRS_PER_RECORD`] combinations.
    /// Every sink that makes pairs asks this first.
    #[inline]
    pub fn forms_pairs(&self) -> bool {
        self.msisdns.len().saturating_mul(self.cnics.len()) <= MAX_PAIRS_PER_RECORD
    }
}

/// Consumes records. One sink is made per chunk and runs on one thread; sinks come back to the
/// caller in input order, so results can be combined deterministically.
pub trait RecordSink: Send {
    /// Called once per record that holds at least one valid identifier.
    fn record(&mut self, record: &Record<'_>);

    /// Called once after the chunk's last record, on the same thread: the place to complete
    /// work queued in batches and to free buffers, since sinks are kept until the whole input
    /// has been read. Does nothing by default.
    fn finish(&mut self) {}
}
