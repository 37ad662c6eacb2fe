//! Per-chunk output: normalizes candidates, counts them, assembles records for the sink and
//! records skips and warnings with chunk-relative line numbers (made absolute by the driver).

use memchr::memchr_iter;

use crate::outcome::{SkipReason, MAX_SKIPS_KEPT};
use crate::{Cnic, InputStats, Msisdn, Record, RecordSink, RejectReason, MAX_PAIRS_PER_RECORD};

/// Column kind bit: MSISDN candidate.
pub(crate) const KIND_MSISDN: u8 = 1;
/// Column kind bit: CNIC candidate.
pub(crate) const KIND_CNIC: u8 = 2;

/// Something worth reporting, found in a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Skip(SkipReason),
    UnterminatedQuote,
    /// A record with more MSISDN × CNIC combinations than
    /// [`MAX_PAIRS_PER_RECORD`](crate::MAX_PAIRS_PER_RECORD): its pairs are not formed.
    Unpaired {
        msisdns: u32,
        cnics: u32,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// Newlines in the chunk before the event.
    pub line: u64,
    /// Absolute byte offset.
    pub offset: u64,
    pub kind: EventKind,
}

/// Everything a chunk reports besides its sink.
#[derive(Debug, Default)]
pub(crate) struct ChunkReport {
    pub stats: InputStats,
    pub events: Vec<Event>,
    /// Names of columns/keys used (JSON keys and SQL columns are only known per chunk).
    pub msisdn_names: Vec<String>,
    pub cnic_names: Vec<String>,
    /// CSV: the chunk ended inside quotes (an odd number of `"` in it). Chunks are cut at
    /// record ends, so only the input's last chunk may, and only if its quote is unterminated
    /// (see [`crate::speculate`], which relies on this to check guessed cuts).
    pub ends_in_quotes: bool,
}

/// Collects one chunk's records. Buffers are reused across records: nothing is allocated per
/// record.
pub(crate) struct Emitter<'s, S> {
    sink: &'s mut S,
    msisdns: Vec<Msisdn>,
    cnics: Vec<Cnic>,
    pub report: ChunkReport,
    skips_kept: usize,
    lines_pos: usize,
    lines: u64,
    /// The chunk being parsed and its absolute offset, for events raised at a record's end.
    chunk: &'s [u8],
    base: u64,
}

impl<'s, S: RecordSink> Emitter<'s, S> {
    pub fn new(sink: &'s mut S) -> Self {
        Emitter {
            sink,
            msisdns: Vec::with_capacity(8),
            cnics: Vec::with_capacity(8),
            report: ChunkReport::default(),
            skips_kept: 0,
            lines_pos: 0,
            lines: 0,
            chunk: &[],
            base: 0,
        }
    }

    /// Tells the emitter the chunk it reports on (absolute offset `base`), so that the end of
    /// a record can raise an event with its line.
    pub fn at(mut self, chunk: &'s [u8], base: u64) -> Self {
        self.chunk = chunk;
        self.base = base;
        self
    }

    /// Normalizes `field` as the kinds in `kind` (a bit set of `KIND_*`).
    #[inline]
    pub fn candidate(&mut self, kind: u8, field: &[u8]) {
        if kind & KIND_MSISDN != 0 {
            self.msisdn(field);
        }
        if kind & KIND_CNIC != 0 {
            self.cnic(field);
        }
    }

    #[inline]
    pub fn msisdn(&mut self, field: &[u8]) {
        self.push_msisdn(Msisdn::parse(field));
    }

    /// [`Emitter::msisdn`] for a scan-mode digit run.
    #[inline]
    pub fn msisdn_run(&mut self, run: &[u8]) {
        self.push_msisdn(Msisdn::parse_run(run));
    }

    /// [`Emitter::msisdn_run`] for a run of `n` ASCII digits (the low bytes of `digits`) and
    /// dashes, after a `+` if `plus` (see `normalize::known`).
    #[inline(always)]
    pub fn msisdn_digits(&mut self, digits: u128, n: u32, plus: bool) {
        match Msisdn::valid_known_digits(digits, n, plus) {
            Some(m) => {
                self.report.stats.msisdn.valid += 1;
                self.msisdns.push(m);
            }
            None => self.msisdn_digits_cold(digits, n, plus),
        }
    }

    /// [`Emitter::msisdn_digits`] for digits that are no valid MSISDN (rare, so out of line).
    #[cold]
    #[inline(never)]
    fn msisdn_digits_cold(&mut self, digits: u128, n: u32, plus: bool) {
        self.push_msisdn(Msisdn::from_known_digits_cold(digits, n, plus));
    }

    #[inline(always)]
    fn push_msisdn(&mut self, parsed: Result<Msisdn, RejectReason>) {
        match parsed {
            Ok(m) => {
                self.report.stats.msisdn.valid += 1;
                self.msisdns.push(m);
            }
            Err(reason) => self.report.stats.msisdn.reject(reason),
        }
    }

    #[inline]
    pub fn cnic(&mut self, field: &[u8]) {
        self.push_cnic(Cnic::parse(field));
    }

    /// [`Emitter::cnic`] for a scan-mode digit run.
    #[inline]
    pub fn cnic_run(&mut self, run: &[u8]) {
        self.push_cnic(Cnic::parse_run(run));
    }

    /// [`Emitter::cnic_run`] for a run of 13 ASCII digits (the low bytes of `digits`) and
    /// dashes, after a `+` if `plus`.
    #[inline(always)]
    pub fn cnic_digits(&mut self, digits: u128, plus: bool) {
        match Cnic::valid_known_digits(digits, plus) {
            Some(c) => {
                self.report.stats.cnic.valid += 1;
                self.cnics.push(c);
            }
            None => self.cnic_digits_cold(digits, plus),
        }
    }

    /// [`Emitter::cnic_digits`] for digits that are no valid CNIC (rare, so out of line).
    #[cold]
    #[inline(never)]
    fn cnic_digits_cold(&mut self, digits: u128, plus: bool) {
        self.push_cnic(Cnic::from_known_digits_cold(digits, plus));
    }

    #[inline(always)]
    fn push_cnic(&mut self, parsed: Result<Cnic, RejectReason>) {
        match parsed {
            Ok(c) => {
                self.report.stats.cnic.valid += 1;
                self.cnics.push(c);
            }
            Err(reason) => self.report.stats.cnic.reject(reason),
        }
    }

    /// Ends a record: counts it and hands it to the sink if it holds an identifier.
    #[inline]
    pub fn record(&mut self, offset: u64, raw: &[u8]) {
        let stats = &mut self.report.stats;
        stats.records += 1;
        if self.msisdns.is_empty() && self.cnics.is_empty() {
            return;
        }
        let pairs = self.msisdns.len().saturating_mul(self.cnics.len());
        if pairs <= MAX_PAIRS_PER_RECORD {
            stats.pairs += pairs as u64;
        } else {
            self.unpaired(offset);
        }
        self.sink.record(&Record {
            msisdns: &self.msisdns,
            cnics: &self.cnics,
            offset,
            raw,
        });
        self.msisdns.clear();
        self.cnics.clear();
    }

    #[cold]
    #[inline(never)]
    fn unpaired(&mut self, offset: u64) {
        let kind = EventKind::Unpaired {
            msisdns: u32::try_from(self.msisdns.len()).unwrap_or(u32::MAX),
            cnics: u32::try_from(self.cnics.len()).unwrap_or(u32::MAX),
        };
        let pos = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX);
        self.event(self.chunk, pos, self.base, kind);
    }

    /// Drops the candidates gathered for a record that turned out unusable (their counts stay).
    pub fn discard(&mut self) {
        self.msisdns.clear();
        self.cnics.clear();
    }

    /// Counts a skipped record starting at `pos` of `chunk` (which begins at `base`).
    pub fn skip(&mut self, chunk: &[u8], pos: usize, base: u64, reason: SkipReason) {
        self.discard();
        self.report.stats.skipped_records += 1;
        if self.skips_kept < MAX_SKIPS_KEPT {
            self.skips_kept += 1;
            self.event(chunk, pos, base, EventKind::Skip(reason));
        }
    }

    /// Records an event at `pos` of `chunk`. Events must come in increasing `pos` order.
    pub fn event(&mut self, chunk: &[u8], pos: usize, base: u64, kind: EventKind) {
        if pos > self.lines_pos {
            let end = pos.min(chunk.len());
            self.lines += memchr_iter(b'\n', &chunk[self.lines_pos..end]).count() as u64;
            self.lines_pos = end;
        }
        self.report.events.push(Event {
            line: self.lines,
            offset: base + pos as u64,
            kind,
        });
    }

    pub fn into_report(self) -> ChunkReport {
        self.report
    }
}
