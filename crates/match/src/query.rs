//! `query`: an operator's subscriber base against one or several online filters, through the
//! dump holder's server — the online `match`.
//!
//! 1. Every filter is opened (integrity checked) and must be the server's: its header's epoch
//!    and public key those of the server's current epoch, its digest listed by that epoch's
//!    descriptor ([`OnlineError::FilterNotCurrent`], [`OnlineError::PublicKeyMismatch`],
//!    [`OnlineError::FilterNotListed`]); then it is checked as `match` checks a filter
//!    (normalization version, header against bits, implied false-positive rate).
//! 2. The base is read once to collect every distinct MSISDN and CNIC the filters' kinds need
//!    (standard input and pipes are refused: the base is read twice).
//! 3. Before anything is evaluated, the server is asked for the budget left; a base needing
//!    more distinct evaluations is refused ([`OnlineError::BudgetExceeded`]).
//! 4. The identifiers are blinded and sent in batches; every answer's batch proofs are
//!    verified against the epoch's published key before anything is finalized, so a server
//!    answering with any other key is caught ([`OnlineError::BadAnswer`]) and nothing is
//!    reported.
//! 5. The base is read again: its tokens are made from those outputs and tested against every
//!    filter, counted exactly as [`match_inputs`](crate::match_inputs) counts (the same
//!    [`MatchReport`] per filter, the same matched rows); the second read must see exactly
//!    what the first did ([`OnlineError::InputChanged`]).
//!
//! The server sees only uniformly random blinded elements, and how many: never an identifier,
//! hashed or not. Memory: 8 bytes per distinct identifier per input chunk while collecting,
//! then 72 per distinct identifier (its key and its 64-byte output), plus
//! per batch in flight the blinding states, and the counting memory `match` uses, per filter.
//!
//! ```
//! use leakmatch_ingest::{InputSource, NoProgress, ReadOptions};
//! use leakmatch_match::{publish, query, BuildOptions, LocalOracle, OnlineFilter, QueryOptions};
//! use leakmatch_oprf::{EpochKey, MasterSecret};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let dump = dir.path().join("dump.csv");
//! std::fs::write(&dump, "name,msisdn,cnic\nA,0300-1234567,35202-1234567-1\nB,0345 7654321,\n").unwrap();
//! let base = dir.path().join("base.csv");
//! std::fs::write(&base, "msisdn,cnic\n923001234567,3520212345671\n923211112222,\n").unwrap();
//! let read = ReadOptions::default();
//!
//! // The dump holder: the epoch's key never leaves the server.
//! let key = EpochKey::derive(&MasterSecret::generate()?, 1)?;
//! let lmf = dir.path().join("dump.lmf");
//! let published = publish(&key, &[InputSource::Path(dump)], &read, &BuildOptions::default(),
//!     &lmf, &NoProgress, &NoProgress)?;
//!
//! // The operator, through the server (here in process, with a budget of 10 evaluations).
//! let server = LocalOracle::new(key, vec![published.digest], 10);
//! let filter = OnlineFilter::open(&lmf, true)?;
//! let outcome = query(&server, &[filter], &[InputSource::Path(base)], &read,
//!     &QueryOptions::default(), &NoProgress, &NoProgress)?;
//! let report = &outcome.report.filters[0];
//! assert_eq!(report.kinds.msisdn.as_ref().unwrap().distinct_matched, 1);
//! assert_eq!(report.kinds.pair.as_ref().unwrap().distinct_matched, 1);
//! assert_eq!(outcome.report.budget.used, 3); // two MSISDNs and one CNIC, each once
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use leakmatch_hashing::{FileDigest, Filter, FilterAuth};
use leakmatch_ingest::{InputSource, Progress, ReadOptions};
use serde::Serialize;

use crate::evaluate::{evaluate_blind, EvalProgress, EvaluationCounts};
use crate::identifiers::{collect, refuse_unless_file};
use crate::matcher::{check_filter, filter_kinds, run_match, RowMatches};
use crate::outputs::OnlineTokens;
use crate::publish::changed;
use crate::report::OnlineFilterSummary;
use crate::tokens::{KindSelection, Tokenizer};
use crate::{MatchOptions, MatchReport, OnlineError, Oracle, PipelineError};

/// Schema tag of [`QueryReport`].
pub const QUERY_SCHEMA: &str = "leakmatch.query.v1";

/// Blinded elements per round trip by default: a few server requests of at most 4,096 each.
pub const DEFAULT_QUERY_BATCH: usize = 8192;

/// How to query.
#[derive(Debug, Clone, Copy)]
pub struct QueryOptions {
    /// As for `match`: matched rows kept, counting memory (per filter), high-FPR filters.
    pub matching: MatchOptions,
    /// Identifiers blinded and sent per round trip.
    pub batch: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            matching: MatchOptions::default(),
            batch: DEFAULT_QUERY_BATCH,
        }
    }
}

/// An online filter file, opened and integrity-checked, not yet authenticated (`query` checks
/// its digest against the server's descriptor).
#[derive(Debug)]
pub struct OnlineFilter {
    /// The file as given.
    pub name: String,
    /// The filter.
    pub filter: Filter,
    /// BLAKE3 of the whole file.
    pub digest: FileDigest,
}

impl OnlineFilter {
    /// Opens `path` (mapped when `mmap`), checking its integrity; refuses a shared-key filter.
    pub fn open(path: &Path, mmap: bool) -> Result<OnlineFilter, OnlineError> {
        let (filter, digest) = Filter::open_online(path, mmap).map_err(PipelineError::from)?;
        Ok(OnlineFilter {
            name: path.display().to_string(),
            filter,
            digest,
        })
    }
}

/// The budget a query used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BudgetUse {
    /// Evaluations left before the query.
    pub left_before: u64,
    /// Evaluations this query was charged: one per distinct identifier.
    pub used: u64,
    /// Evaluations left after it (as far as this query knows: `left_before - used`).
    pub left_after: u64,
}

/// Everything `leakmatch query` reports: counts only, never an identifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryReport {
    /// Always [`QUERY_SCHEMA`].
    pub schema: &'static str,
    /// Who answered.
    pub server: String,
    /// The server's epoch every filter was published under.
    pub epoch: u64,
    /// That epoch's public key (64 hex digits); every answer was verified against it.
    pub public_key: String,
    /// The budget used.
    pub budget: BudgetUse,
    /// Distinct identifiers evaluated, per kind.
    pub evaluated: EvaluationCounts,
    /// One `leakmatch.match.v1` report per filter, in the order given; each names its filter
    /// in `filter.online`.
    pub filters: Vec<MatchReport>,
}

/// The report and, if asked, the matched rows.
#[derive(Debug)]
pub struct QueryOutcome {
    /// Counts only.
    pub report: QueryReport,
    /// Rows of the user's own input that matched any filter, with the kinds per filter, per
    /// input, when [`MatchOptions::keep_matched_rows`] was set.
    pub matched_rows: Vec<RowMatches>,
    /// Skipped records and warnings per input (of the second read).
    pub diagnostics: Vec<(String, leakmatch_ingest::Diagnostics)>,
    /// Wall time of each phase, in order.
    pub timings: Vec<(String, std::time::Duration)>,
}

/// Queries `inputs` against `filters` through `oracle` (see the [module docs](self)), on the
/// current rayon pool.
pub fn query(
    oracle: &dyn Oracle,
    filters: &[OnlineFilter],
    inputs: &[InputSource],
    read: &ReadOptions,
    opts: &QueryOptions,
    progress: &dyn Progress,
    evaluated: &dyn EvalProgress,
) -> Result<QueryOutcome, OnlineError> {
    let mut laps = crate::builder::Laps::new();
    if filters.is_empty() {
        return Err(OnlineError::NoFilter);
    }
    // Before asking the server anything: the base is read twice.
    for input in inputs {
        refuse_unless_file(input)?;
    }
    let info = oracle.current_epoch()?;
    for f in filters {
        let (epoch, public_key) = match f.filter.header.auth {
            FilterAuth::Online { epoch, public_key } => (epoch, public_key),
            // `OnlineFilter::open` refuses these; a caller may have built one by hand.
            FilterAuth::SharedKey { key_id } => {
                let e = leakmatch_hashing::FilterError::NotOnline { key_id };
                return Err(PipelineError::Filter(e).into());
            }
        };
        if epoch != info.epoch {
            return Err(OnlineError::FilterNotCurrent {
                filter: f.name.clone(),
                filter_epoch: epoch,
                server_epoch: info.epoch,
            });
        }
        if public_key != info.public_key.0 {
            return Err(OnlineError::PublicKeyMismatch {
                filter: f.name.clone(),
                epoch,
            });
        }
        if !info.filters.contains(&f.digest) {
            return Err(OnlineError::FilterNotListed {
                filter: f.name.clone(),
                epoch,
                digest: f.digest.to_string(),
            });
        }
    }
    let checked = filters
        .iter()
        .map(|f| check_filter(&f.filter, &opts.matching))
        .collect::<Result<Vec<_>, _>>()?;
    let sel = filters
        .iter()
        .map(|f| filter_kinds(&f.filter))
        .fold(KindSelection::NONE, KindSelection::union);
    laps.lap("check filters against the server's epoch".into());

    let collected = collect(inputs, read, sel, progress)?;
    let counts = EvaluationCounts::of(&collected.identifiers);
    laps.lap("read, collect distinct identifiers".into());
    let left = oracle.budget_left()?;
    if counts.total() > left {
        return Err(OnlineError::BudgetExceeded {
            needed: counts.total(),
            left,
        });
    }
    let (msisdn, cnic) = evaluate_blind(
        oracle,
        info.epoch,
        &info.public_key,
        &collected.identifiers,
        opts.batch,
        evaluated,
    )?;
    laps.lap(format!(
        "blind, evaluate, verify, finalize {} identifiers",
        counts.total()
    ));

    let table = OnlineTokens::new(collected.identifiers, msisdn, cnic);
    let run = run_match(
        Tokenizer::Online(&table),
        &checked,
        inputs,
        read,
        &opts.matching,
        progress,
    )?;
    if table.missing() > 0 || run.inputs != collected.inputs {
        return Err(OnlineError::InputChanged {
            input: changed(&run.inputs, &collected.inputs),
        });
    }
    let mut reports = run.reports;
    for (report, f) in reports.iter_mut().zip(filters) {
        report.filter.online = Some(OnlineFilterSummary {
            path: f.name.clone(),
            epoch: info.epoch,
            public_key: info.public_key.to_string(),
            digest: f.digest.to_string(),
        });
    }
    let mut timings = laps.timings;
    timings.extend(run.timings);
    Ok(QueryOutcome {
        report: QueryReport {
            schema: QUERY_SCHEMA,
            server: oracle.server(),
            epoch: info.epoch,
            public_key: info.public_key.to_string(),
            budget: BudgetUse {
                left_before: left,
                used: counts.total(),
                left_after: left - counts.total(),
            },
            evaluated: counts,
            filters: reports,
        },
        matched_rows: run.rows,
        diagnostics: run.diagnostics,
        timings,
    })
}
