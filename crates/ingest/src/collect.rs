//! Merging chunk results, in input order, into one [`ReadOutcome`]: counters, sinks, column
//! names, and diagnostics with absolute 1-based line numbers.

use crate::emit::{ChunkReport, EventKind};
use crate::outcome::{ColumnsUsed, Diagnostics, Skip, MAX_SKIPS_KEPT};
use crate::plan::{Plan, Prepared};
use crate::{Format, InputStats, ReadOutcome};

/// Most column names listed per kind in [`ColumnsUsed`].
const MAX_NAMES: usize = 32;

/// Merges chunk results in input order.
pub(crate) struct Collector<S> {
    sinks: Vec<S>,
    stats: InputStats,
    diagnostics: Diagnostics,
    columns: ColumnsUsed,
    /// Records whose pairs were not formed (the first [`UNPAIRED_WARNED`] are warned about).
    unpaired: u64,
}

/// Records with too many combinations to pair that get a warning of their own.
const UNPAIRED_WARNED: u64 = 10;

impl<S> Collector<S> {
    pub fn new(columns: ColumnsUsed) -> Self {
        Collector {
            sinks: Vec::new(),
            stats: InputStats::default(),
            diagnostics: Diagnostics::default(),
            columns,
            unpaired: 0,
        }
    }

    /// Adds a chunk whose first byte is on 1-based line `first_line`.
    pub fn push(&mut self, sink: S, report: ChunkReport, first_line: u64) {
        self.sinks.push(sink);
        self.stats.merge(&report.stats);
        self.diagnostics.skipped_total += report.stats.skipped_records;
        for ev in report.events {
            let line = first_line + ev.line;
            match ev.kind {
                EventKind::Skip(reason) => {
                    if self.diagnostics.skipped.len() < MAX_SKIPS_KEPT {
                        self.diagnostics.skipped.push(Skip {
                            line,
                            offset: ev.offset,
                            reason,
                        });
                    }
                }
                EventKind::UnterminatedQuote => self.diagnostics.warnings.push(format!(
                    "line {line} (byte {}): unterminated quote at end of input; the last \
                     record was read as it is",
                    ev.offset
                )),
                EventKind::Unpaired { msisdns, cnics } => {
                    self.unpaired += 1;
                    if self.unpaired <= UNPAIRED_WARNED {
                        self.diagnostics.warnings.push(format!(
                            "line {line} (byte {}): {msisdns} MSISDNs and {cnics} CNICs in one \
                             record: its identifiers are used, its pairs not formed (more than {} \
                             combinations)",
                            ev.offset,
                            crate::MAX_PAIRS_PER_RECORD
                        ));
                    }
                }
            }
        }
        for (have, new) in [
            (&mut self.columns.msisdn, report.msisdn_names),
            (&mut self.columns.cnic, report.cnic_names),
        ] {
            for n in new {
                if have.len() < MAX_NAMES && !have.contains(&n) {
                    have.push(n);
                }
            }
        }
    }

    /// Adds a warning for the whole input.
    pub fn warn(&mut self, warning: String) {
        self.diagnostics.warnings.push(warning);
    }

    /// Records counted so far.
    pub fn records(&self) -> u64 {
        self.stats.records
    }

    pub fn finish(mut self, prepared: Prepared, bytes: u64) -> ReadOutcome<S> {
        self.stats.bytes = bytes;
        if self.unpaired > UNPAIRED_WARNED {
            self.diagnostics.warnings.push(format!(
                "{} more records with too many identifiers to pair",
                self.unpaired - UNPAIRED_WARNED
            ));
        }
        if self.stats.records > 0
            && self.stats.msisdn.valid + self.stats.msisdn.rejected_total() == 0
            && self.stats.cnic.valid + self.stats.cnic.rejected_total() == 0
            && matches!(prepared.format, Format::Jsonl | Format::Sql)
        {
            self.diagnostics.warnings.push(format!(
                "no identifier {} found: choose them with --msisdn-col / --cnic-col",
                if prepared.format == Format::Jsonl {
                    "keys"
                } else {
                    "columns"
                }
            ));
        }
        let delimiter = match &prepared.plan {
            Plan::Csv(p) => Some(p.delim),
            _ => None,
        };
        self.diagnostics.read_as_free_text = prepared.free_text;
        self.outcome(
            prepared.format,
            prepared.header,
            delimiter,
            prepared.by_content,
        )
    }

    /// [`Collector::finish`] for a table (Parquet, Arrow IPC): `header` is its column names as
    /// a CSV line, the delimiter of its rows' text a comma.
    pub fn finish_table(
        mut self,
        format: Format,
        header: Option<Vec<u8>>,
        by_content: Option<crate::ContentChoice>,
        bytes: u64,
    ) -> ReadOutcome<S> {
        self.stats.bytes = bytes;
        self.outcome(format, header, Some(b','), by_content)
    }

    fn outcome(
        mut self,
        format: Format,
        header: Option<Vec<u8>>,
        delimiter: Option<u8>,
        by_content: Option<crate::ContentChoice>,
    ) -> ReadOutcome<S> {
        self.diagnostics.columns_by_content = by_content;
        ReadOutcome {
            sinks: self.sinks,
            stats: self.stats,
            format,
            header,
            delimiter,
            columns: self.columns,
            diagnostics: self.diagnostics,
        }
    }
}
