//! # leakmatch-match: the pipeline from dumps to filters and from a subscriber base to counts
//!
//! This crate wires [`leakmatch_ingest`] (records and normalized identifiers) to
//! [`leakmatch_hashing`] (keyed tokens and Bloom filters):
//!
//! - [`build`]: a dump holder turns one or more dumps into a keyed [`Filter`](leakmatch_hashing::Filter)
//!   that can be shared without revealing the identifiers to anyone who lacks the key;
//! - [`match_inputs`]: an operator tests its own subscriber base against that filter and gets a
//!   [`MatchReport`] of counts — never anything from the dump — plus, if asked, its own matched rows;
//! - [`FilterBuilder`]: the filter `build` fills, open to records from anywhere (in-memory
//!   columns of the Python package): the same records and options give the same bytes;
//! - [`inspect_fields`]: the `leakmatch.inspect.v1` report of a filter's header and fill;
//! - [`policy`]: what a shared-key filter discloses to a key holder ([`enumeration_cost`],
//!   [`key_holder_can_recover`]), the allowed FPR range ([`check_fpr`]) and the empty-filter
//!   refusal ([`EmptyFilter`]);
//! - [`estimate`]: false-positive correction of matched counts with a 95% interval.
//! - Online mode, with no shared key (issue #16): [`publish`](fn@publish) is `build` with
//!   tokens from OPRF outputs of the dump holder's epoch key; [`query`](fn@query) is `match`
//!   through an [`Oracle`] (the dump holder's server, or [`LocalOracle`] in process) that
//!   evaluates blinded identifiers under a budget, with every answer's proofs verified. The
//!   same sizing, filling, counting and reports: the token source is the only difference (a
//!   tokenizer seam shared by both pipelines).
//!
//! Both pipelines hash in batches (the SIMD path of [`TokenHasher::hash_many`](leakmatch_hashing::TokenHasher::hash_many))
//! and touch the filter in batches with prefetch, one sink per input chunk on the current rayon pool.
//!
//! ```
//! use leakmatch_hashing::Key;
//! use leakmatch_ingest::{InputSource, NoProgress, ReadOptions};
//! use leakmatch_match::{build, match_inputs, BuildOptions, MatchOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let dump = dir.path().join("dump.csv");
//! std::fs::write(&dump, "name,msisdn,cnic\nA,0300-1234567,35202-1234567-1\nB,0345 7654321,\n").unwrap();
//! let base = dir.path().join("base.csv");
//! std::fs::write(&base, "msisdn,cnic\n923001234567,3520212345671\n923211112222,\n").unwrap();
//!
//! let key = Key::from_bytes([7; 32]);
//! let read = ReadOptions::default();
//! let built = build(&key, &[InputSource::Path(dump)], &read, &BuildOptions::default(), &NoProgress).unwrap();
//! let outcome = match_inputs(&key, &built.filter, &[InputSource::Path(base)], &read, &MatchOptions::default(), &NoProgress).unwrap();
//! assert_eq!(outcome.report.kinds.msisdn.as_ref().unwrap().distinct_matched, 1);
//! assert_eq!(outcome.report.kinds.pair.as_ref().unwrap().distinct_matched, 1);
//! ```
#![deny(missing_docs)]

mod budget;
mod builder;
mod counts;
mod distinct;
mod error;
pub mod estimate;
mod evaluate;
mod filling;
pub mod hll;
mod identifiers;
mod inspect;
mod matcher;
mod online_error;
#[cfg(test)]
mod online_tests;
mod oracle;
mod outputs;
pub mod policy;
pub mod publish;
pub mod query;
mod report;
mod tokens;

pub use budget::Budget;
pub use builder::{build, estimate_capacity, BuildOptions, BuildOutcome};
pub use distinct::DistinctSet;
pub use error::PipelineError;
pub use evaluate::{EvalProgress, EvaluationCounts};
pub use filling::{Filled, FilterBuilder, FilterSink};
pub use inspect::{header_kinds, inspect_fields, INSPECT_SCHEMA};
pub use matcher::{
    match_inputs, MatchOptions, MatchOutcome, MatchedRow, MatchedRows, RowMatch, RowMatches,
    DEFAULT_MATCH_MEMORY, MAX_FPR_RATIO,
};
pub use online_error::OnlineError;
pub use oracle::{EpochInfo, LocalOracle, Oracle, OracleError};
pub use policy::{
    check_fpr, enumeration_cost, key_holder_can_recover, EmptyFilter, EnumerationCost,
    FprOutOfRange,
};
pub use publish::{publish, PublishOutcome};
pub use query::{
    query, BudgetUse, OnlineFilter, QueryOptions, QueryOutcome, QueryReport, DEFAULT_QUERY_BATCH,
    QUERY_SCHEMA,
};
pub use report::{
    InputSummary, KindReport, KindsReport, MatchReport, OnlineFilterSummary, RejectCounts,
};
pub use tokens::KindSelection;
