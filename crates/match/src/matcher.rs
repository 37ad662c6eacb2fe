//! `match`: an operator's subscriber base against a filter.
//!
//! Each chunk's [`MatchSink`] queues the tokens of its records, tests them in batches, and counts
//! the distinct identifiers tested and matched (exactly under the memory budget, see
//! [`crate::counts`]). Only the user's own rows are ever kept, and only when asked.

use leakmatch_hashing::{BlockedBloom, Filter, Key, TokenHasher, TokenKind};
use leakmatch_ingest::NORMALIZATION_VERSION;
use leakmatch_ingest::{read_input, InputSource, Progress, ReadOptions, Record, RecordSink};

use crate::counts::{Counter, Sketches};
use crate::estimate::correct;
use crate::report::{FilterSummary, MATCH_SCHEMA};
use crate::tokens::{KindSelection, TokenBatch, Tokenizer, BATCH};
use crate::{Budget, InputSummary, KindReport, KindsReport, MatchReport, PipelineError};

/// How to match.
#[derive(Debug, Clone, Copy)]
pub struct MatchOptions {
    /// Keep the input rows that matched (for `--matches-out`). They are the user's own rows.
    pub keep_matched_rows: bool,
    /// Bytes of memory for exact distinct counts; past it they become HyperLogLog estimates
    /// (see [`MatchReport::distinct_counts_exact`]).
    pub memory_limit: u64,
    /// Match even a filter whose implied FPR is more than [`MAX_FPR_RATIO`] times its target
    /// (refused otherwise with [`PipelineError::FprFarAboveTarget`]); every estimate then
    /// carries a warning.
    pub accept_high_fpr: bool,
}

/// How far a filter's implied false-positive rate may exceed its target before `match`
/// refuses it: estimates from a filter far fuller than it was sized for (overfilled, damaged
/// or forged) are dominated by false positives.
pub const MAX_FPR_RATIO: f64 = 10.0;

/// Default [`MatchOptions::memory_limit`]: 128 MiB, about 4M base rows with both identifiers
/// counted exactly, and within the 256 MB a match may use beside its filter.
pub const DEFAULT_MATCH_MEMORY: u64 = 128 << 20;

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            keep_matched_rows: false,
            memory_limit: DEFAULT_MATCH_MEMORY,
            accept_high_fpr: false,
        }
    }
}

/// One matched row of the user's own input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedRow {
    /// Kinds that matched in this row.
    pub kinds: KindSelection,
    /// The row exactly as in the input.
    pub raw: Vec<u8>,
}

/// The matched rows of one input.
#[derive(Debug, Clone, Default)]
pub struct MatchedRows {
    /// The input as given.
    pub input: String,
    /// Its header line, if it had one (CSV).
    pub header: Option<Vec<u8>>,
    /// Its field delimiter, if it is CSV-like.
    pub delimiter: Option<u8>,
    /// Matched rows in input order.
    pub rows: Vec<MatchedRow>,
}

/// The report and, if asked, the matched rows per input.
#[derive(Debug)]
pub struct MatchOutcome {
    /// Counts only.
    pub report: MatchReport,
    /// Matched rows per input, when [`MatchOptions::keep_matched_rows`] was set.
    pub matched_rows: Vec<MatchedRows>,
    /// Skipped records and warnings per input.
    pub diagnostics: Vec<(String, leakmatch_ingest::Diagnostics)>,
    /// Wall time of each phase, in order (for `--verbose` and benchmarking).
    pub timings: Vec<(String, std::time::Duration)>,
}

/// Tests every input against `filter`, on the current rayon pool, after checking it: its key,
/// normalization version, its header against its bits ([`Filter::checked_fill`]) and its
/// implied false-positive rate against its target ([`MAX_FPR_RATIO`]), which is the rate the
/// estimates use.
pub fn match_inputs(
    key: &Key,
    filter: &Filter,
    inputs: &[InputSource],
    read: &ReadOptions,
    opts: &MatchOptions,
    progress: &dyn Progress,
) -> Result<MatchOutcome, PipelineError> {
    filter.check_key(key)?;
    let checked = check_filter(filter, opts)?;
    let hasher = TokenHasher::new(key);
    let run = run_match(
        Tokenizer::Keyed(&hasher),
        &[checked],
        inputs,
        read,
        opts,
        progress,
    )?;
    let MatchRun {
        mut reports,
        rows,
        diagnostics,
        timings,
        ..
    } = run;
    let matched_rows = rows
        .into_iter()
        .map(|r| MatchedRows {
            input: r.input,
            header: r.header,
            delimiter: r.delimiter,
            rows: r
                .rows
                .into_iter()
                .map(|row| MatchedRow {
                    kinds: row.kinds[0],
                    raw: row.raw,
                })
                .collect(),
        })
        .collect();
    Ok(MatchOutcome {
        report: reports.remove(0),
        matched_rows,
        diagnostics,
        timings,
    })
}

/// A filter checked for matching, with the false-positive rate its estimates use.
pub(crate) struct Checked<'a> {
    pub(crate) filter: &'a Filter,
    implied: f64,
    far_above: bool,
}

/// The checks every filter passes before it is matched, whatever its mode: normalization
/// version, header against bits ([`Filter::checked_fill`]) and implied false-positive rate
/// against target ([`MAX_FPR_RATIO`]).
pub(crate) fn check_filter<'a>(
    filter: &'a Filter,
    opts: &MatchOptions,
) -> Result<Checked<'a>, PipelineError> {
    if filter.header.normalization_version != NORMALIZATION_VERSION {
        return Err(PipelineError::NormalizationMismatch {
            filter: filter.header.normalization_version,
            ours: NORMALIZATION_VERSION,
        });
    }
    let fill = filter.checked_fill()?;
    let (implied, target) = (fill.implied_fpr, filter.header.target_fpr);
    let far_above = implied.is_nan() || implied > target * MAX_FPR_RATIO;
    if far_above && !opts.accept_high_fpr {
        return Err(PipelineError::FprFarAboveTarget { implied, target });
    }
    Ok(Checked {
        filter,
        implied,
        far_above,
    })
}

/// The kinds a filter holds.
pub(crate) fn filter_kinds(filter: &Filter) -> KindSelection {
    KindSelection {
        msisdn: filter.header.kinds.contains(TokenKind::Msisdn),
        cnic: filter.header.kinds.contains(TokenKind::Cnic),
        pair: filter.header.kinds.contains(TokenKind::Pair),
    }
}

/// A row of the user's own input that matched at least one of the run's filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMatch {
    /// Kinds that matched in this row, per filter, in the filters' order.
    pub kinds: Vec<KindSelection>,
    /// The row exactly as in the input.
    pub raw: Vec<u8>,
}

/// The rows of one input that matched at least one filter.
#[derive(Debug, Clone, Default)]
pub struct RowMatches {
    /// The input as given.
    pub input: String,
    /// Its header line, if it had one (CSV).
    pub header: Option<Vec<u8>>,
    /// Its field delimiter, if it is CSV-like.
    pub delimiter: Option<u8>,
    /// Matched rows in input order.
    pub rows: Vec<RowMatch>,
}

/// What one read of the inputs against several filters gives.
pub(crate) struct MatchRun {
    /// One report per filter, in order.
    pub(crate) reports: Vec<MatchReport>,
    /// Matched rows per input, when kept.
    pub(crate) rows: Vec<RowMatches>,
    pub(crate) diagnostics: Vec<(String, leakmatch_ingest::Diagnostics)>,
    pub(crate) timings: Vec<(String, std::time::Duration)>,
    /// What was read from each input.
    pub(crate) inputs: Vec<InputSummary>,
}

/// Reads every input once and tests each record's tokens (made by `tokenizer`) against every
/// filter: one report per filter, counted exactly as `match` counts (each filter has its own
/// memory budget of `opts.memory_limit`).
pub(crate) fn run_match(
    tokenizer: Tokenizer<'_>,
    filters: &[Checked<'_>],
    inputs: &[InputSource],
    read: &ReadOptions,
    opts: &MatchOptions,
    progress: &dyn Progress,
) -> Result<MatchRun, PipelineError> {
    let sels: Vec<KindSelection> = filters.iter().map(|c| filter_kinds(c.filter)).collect();
    let counting: Vec<(Budget, Sketches)> = filters
        .iter()
        .map(|_| (Budget::new(opts.memory_limit), Sketches::new()))
        .collect();
    let blooms: Vec<(&BlockedBloom, KindSelection)> = filters
        .iter()
        .map(|c| &c.filter.bloom)
        .zip(sels.iter().copied())
        .collect();
    let shared = Shared {
        tokenizer,
        blooms: &blooms,
        counting: &counting,
    };
    let mut total = MatchSink::new(&shared, false);
    let mut inputs_out = Vec::new();
    let mut matched_rows = Vec::new();
    let mut diagnostics = Vec::new();
    let mut laps = crate::builder::Laps::new();
    // Tables render their rows' text only when it is kept.
    let read = &ReadOptions {
        keep_rows: read.keep_rows || opts.keep_matched_rows,
        ..read.clone()
    };
    for input in inputs {
        let keep = opts.keep_matched_rows;
        // Each sink tested its last batch when its chunk finished (`RecordSink::finish`).
        let outcome = read_input(input, read, || MatchSink::new(&shared, keep), progress)?;
        let mut rows = RowMatches {
            input: input.to_string(),
            header: outcome.header,
            delimiter: outcome.delimiter,
            rows: Vec::new(),
        };
        for mut sink in outcome.sinks {
            rows.rows.append(&mut sink.rows);
            total.absorb(sink);
        }
        inputs_out.push(InputSummary::new(
            input.to_string(),
            format!("{:?}", outcome.format).to_lowercase(),
            &outcome.stats,
        ));
        if keep {
            matched_rows.push(rows);
        }
        diagnostics.push((input.to_string(), outcome.diagnostics));
        laps.lap(format!("read, hash, look up {input}"));
    }
    let reports = total
        .tallies
        .into_iter()
        .zip(filters)
        .map(|(tally, c)| tally.report(c.filter, c.implied, c.far_above, inputs_out.clone()))
        .collect();
    laps.lap("distinct counts".into());
    Ok(MatchRun {
        reports,
        rows: matched_rows,
        diagnostics,
        timings: laps.timings,
        inputs: inputs_out,
    })
}

const KINDS: [TokenKind; 3] = TokenKind::ALL;

fn kind_index(k: TokenKind) -> usize {
    match k {
        TokenKind::Msisdn => 0,
        TokenKind::Cnic => 1,
        TokenKind::Pair => 2,
    }
}

/// A queued record: how many tokens it has and where its raw bytes are in the arena.
struct Pending {
    tokens: usize,
    raw: std::ops::Range<usize>,
}

/// What every sink of a run shares: the tokenizer, the filters (with their kinds) and each
/// filter's counting memory.
struct Shared<'a> {
    tokenizer: Tokenizer<'a>,
    blooms: &'a [(&'a BlockedBloom, KindSelection)],
    counting: &'a [(Budget, Sketches)],
}

/// One filter's figures in one sink (or, once absorbed, in the run).
struct Tally<'a> {
    bloom: &'a BlockedBloom,
    sel: KindSelection,
    tested: [u64; 3],
    rows_matched: [u64; 3],
    rows_matched_any: u64,
    distinct: Counter<'a>,
}

struct MatchSink<'a> {
    tokenizer: Tokenizer<'a>,
    /// The kinds any filter holds: what is tokenized.
    sel: KindSelection,
    keep_rows: bool,
    /// Queued tokens, with each one's identifier key.
    batch: TokenBatch,
    pending: Vec<Pending>,
    arena: Vec<u8>,
    hits: Vec<bool>,
    /// Per pending record, per filter: the kinds that matched.
    masks: Vec<[bool; 3]>,
    tallies: Vec<Tally<'a>>,
    rows: Vec<RowMatch>,
}

impl<'a> MatchSink<'a> {
    fn new(shared: &Shared<'a>, keep_rows: bool) -> Self {
        let tallies: Vec<Tally<'a>> = shared
            .blooms
            .iter()
            .zip(shared.counting)
            .map(|(&(bloom, sel), (budget, sketches))| Tally {
                bloom,
                sel,
                tested: [0; 3],
                rows_matched: [0; 3],
                rows_matched_any: 0,
                distinct: Counter::new(budget, sketches),
            })
            .collect();
        let sel = tallies
            .iter()
            .fold(KindSelection::NONE, |a, t| a.union(t.sel));
        MatchSink {
            tokenizer: shared.tokenizer,
            sel,
            keep_rows,
            batch: TokenBatch::for_tokenizer(&shared.tokenizer, true),
            pending: Vec::new(),
            arena: Vec::new(),
            hits: Vec::with_capacity(BATCH + 8),
            masks: Vec::new(),
            tallies,
            rows: Vec::new(),
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let (kinds, tokens, keys) = self.batch.tokenize(&self.tokenizer);
        let n = self.tallies.len();
        self.masks.clear();
        self.masks.resize(self.pending.len() * n, [false; 3]);
        for (f, tally) in self.tallies.iter_mut().enumerate() {
            self.hits.clear();
            self.hits.resize(tokens.len(), false);
            tally.bloom.contains_many(tokens, &mut self.hits);
            let mut t = 0;
            for (p, pending) in self.pending.iter().enumerate() {
                let mut mask = [false; 3];
                let span = t..t + pending.tokens;
                for ((kind, hit), key) in kinds[span.clone()]
                    .iter()
                    .zip(&self.hits[span.clone()])
                    .zip(&keys[span])
                {
                    if !tally.sel.has(*kind) {
                        continue;
                    }
                    let k = kind_index(*kind);
                    tally.tested[k] += 1;
                    tally.distinct.record(k, *key, *hit);
                    mask[k] |= *hit;
                }
                t += pending.tokens;
                if mask.iter().any(|m| *m) {
                    tally.rows_matched_any += 1;
                    for (k, hit) in mask.iter().enumerate() {
                        tally.rows_matched[k] += u64::from(*hit);
                    }
                }
                self.masks[p * n + f] = mask;
            }
        }
        if self.keep_rows {
            for (p, pending) in self.pending.iter().enumerate() {
                let masks = &self.masks[p * n..(p + 1) * n];
                if masks.iter().flatten().any(|m| *m) {
                    self.rows.push(RowMatch {
                        kinds: masks
                            .iter()
                            .map(|mask| KindSelection {
                                msisdn: mask[0],
                                cnic: mask[1],
                                pair: mask[2],
                            })
                            .collect(),
                        raw: self.arena[pending.raw.clone()].to_vec(),
                    });
                }
            }
        }
        self.batch.clear();
        self.pending.clear();
        self.arena.clear();
    }

    fn absorb(&mut self, other: MatchSink<'_>) {
        for (mine, theirs) in self.tallies.iter_mut().zip(other.tallies) {
            mine.absorb(theirs);
        }
    }
}

impl Tally<'_> {
    fn absorb(&mut self, other: Tally<'_>) {
        for k in 0..3 {
            self.tested[k] += other.tested[k];
            self.rows_matched[k] += other.rows_matched[k];
        }
        self.rows_matched_any += other.rows_matched_any;
        self.distinct.absorb(other.distinct);
    }

    fn report(
        self,
        filter: &Filter,
        fpr: f64,
        far_above: bool,
        inputs: Vec<InputSummary>,
    ) -> MatchReport {
        let warning = far_above.then(|| {
            format!(
                "unreliable: the filter's implied false-positive rate {fpr:.2e} is more than \
                 {MAX_FPR_RATIO}x its target {:.2e} (matched with --accept-high-fpr)",
                filter.header.target_fpr
            )
        });
        let counts = self.distinct.finish();
        let mut kinds = KindsReport::default();
        for kind in KINDS {
            if !self.sel.has(kind) {
                continue;
            }
            let k = kind_index(kind);
            let c = correct(counts.tested[k], counts.matched[k], fpr);
            let r = KindReport {
                tested: self.tested[k],
                distinct_tested: counts.tested[k],
                rows_matched: self.rows_matched[k],
                distinct_matched: counts.matched[k],
                expected_false_positives: c.expected_false_positives,
                estimated_true_matches: c.estimated_true_matches,
                ci95: [c.ci95_low, c.ci95_high],
                warning: warning.clone(),
            };
            match kind {
                TokenKind::Msisdn => kinds.msisdn = Some(r),
                TokenKind::Cnic => kinds.cnic = Some(r),
                TokenKind::Pair => kinds.pair = Some(r),
            }
        }
        let h = &filter.header;
        MatchReport {
            schema: MATCH_SCHEMA,
            filter: FilterSummary {
                key_id: h.key_id().map(|k| k.to_string()).unwrap_or_default(),
                kinds: KINDS
                    .iter()
                    .filter(|k| h.kinds.contains(**k))
                    .map(|k| k.name().to_string())
                    .collect(),
                target_fpr: h.target_fpr,
                measured_fpr: h.measured_fpr,
                implied_fpr: fpr,
                fpr_far_above_target: far_above,
                online: None,
            },
            rows_read: inputs.iter().map(|i| i.records).sum(),
            inputs,
            rows_matched_any: self.rows_matched_any,
            kinds,
            distinct_counts_exact: counts.exact,
            matched_msisdn_by_operator: counts.matched_by_operator,
            matched_cnic_by_province: counts.matched_by_province,
        }
    }
}

impl RecordSink for MatchSink<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let queued =
            self.batch
                .push_record(self.sel, record.msisdns, record.cnics, record.forms_pairs());
        if queued == 0 {
            return;
        }
        let raw = if self.keep_rows {
            let start = self.arena.len();
            self.arena.extend_from_slice(record.raw);
            start..self.arena.len()
        } else {
            0..0
        };
        self.pending.push(Pending {
            tokens: queued,
            raw,
        });
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn finish(&mut self) {
        self.flush();
        self.batch.release();
        self.pending = Vec::new();
        self.arena = Vec::new();
        self.hits = Vec::new();
        self.masks = Vec::new();
    }
}
