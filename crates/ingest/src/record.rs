//! What the reader hands to the next stage: one record's identifiers.

use crate::{Cnic, Msisdn};

/// The identifiers found in one record, borrowed from reader-owned buffers.
///
/// In column mode there is at most one MSISDN and one CNIC per selected column; in scan mode a
/// record (line) may hold several. Pairs are every (msisdn, cnic) combination of the record.
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
