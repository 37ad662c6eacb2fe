//! What a read reports back: sinks, counters, the columns used and diagnostics; and the
//! progress callback.

use crate::{Format, InputStats};

/// Progress callback, called once per chunk (never per record) from worker threads.
pub trait Progress: Sync {
    /// Reading of `input` starts; `total_bytes` is known for uncompressed regular files.
    fn begin(&self, input: &str, total_bytes: Option<u64>);
    /// One chunk of `bytes` (decompressed) holding `records` records is done.
    fn advance(&self, bytes: u64, records: u64);
    /// Reading ended (also after an error).
    fn finish(&self);
}

/// A [`Progress`] that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _input: &str, _total_bytes: Option<u64>) {}
    fn advance(&self, _bytes: u64, _records: u64) {}
    fn finish(&self) {}
}

/// The columns (or keys) identifiers were taken from, for the summary. Names never hold data:
/// a header name that looks like data is shown as `<data?>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnsUsed {
    /// MSISDN columns: CSV header names (or `#N`, 1-based, without a header), JSON keys seen,
    /// SQL `table.column`. Empty in scan mode.
    pub msisdn: Vec<String>,
    /// CNIC columns, as for `msisdn`.
    pub cnic: Vec<String>,
    /// Whether the first CSV record was taken as a header.
    pub header: bool,
}

/// Why a record was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// A JSON line that is not a well-formed object.
    MalformedJson,
    /// An SQL tuple cut off by the end of its line (truncated dump).
    TruncatedSqlTuple,
    /// An SQL `INSERT` line that could not be parsed past this point.
    MalformedSql,
    /// A record longer than [`ReadOptions::max_record`](crate::ReadOptions::max_record): a
    /// line, or a CSV record with its quoted newlines (an unclosed quote runs to the end).
    RecordTooLong,
}

impl SkipReason {
    /// Stable snake_case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::MalformedJson => "malformed_json",
            SkipReason::TruncatedSqlTuple => "truncated_sql_tuple",
            SkipReason::MalformedSql => "malformed_sql",
            SkipReason::RecordTooLong => "record_too_long",
        }
    }
}

/// One skipped record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// 1-based line number in the (decompressed) input.
    pub line: u64,
    /// Byte offset of the record in the (decompressed) input.
    pub offset: u64,
    /// Why.
    pub reason: SkipReason,
}

/// Maximum number of [`Skip`]s kept in [`Diagnostics::skipped`].
pub const MAX_SKIPS_KEPT: usize = 100;

/// Problems that did not stop the read, and how columns were chosen when no header named them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The columns auto mode chose by content (positions and shares, never values), when no
    /// header name selected an identifier column.
    pub columns_by_content: Option<crate::ContentChoice>,
    /// Set when auto mode read the input as free text (scan mode): no column of its first
    /// lines held identifiers, but many of the lines did.
    pub read_as_free_text: Option<crate::FreeText>,
    /// The first [`MAX_SKIPS_KEPT`] skipped records, in input order.
    pub skipped: Vec<Skip>,
    /// All skipped records (equals `stats.skipped_records`).
    pub skipped_total: u64,
    /// Human-readable warnings (with line and offset where they apply); never an identifier.
    pub warnings: Vec<String>,
}

/// The result of [`crate::read_input`].
#[derive(Debug)]
pub struct ReadOutcome<S> {
    /// One sink per chunk, in input order.
    pub sinks: Vec<S>,
    /// Counters, made by the reader.
    pub stats: InputStats,
    /// The format actually used (never [`Format::Auto`]).
    pub format: Format,
    /// The raw header line of a CSV input (without its line terminator); `None` otherwise.
    pub header: Option<Vec<u8>>,
    /// The field delimiter of a CSV-like input (detected or given); `None` for other formats.
    pub delimiter: Option<u8>,
    /// Columns used.
    pub columns: ColumnsUsed,
    /// Skips and warnings.
    pub diagnostics: Diagnostics,
}
