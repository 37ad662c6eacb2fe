//! # leakmatch-ingest: from a raw leak dump to normalized identifiers
//!
//! The first stage of the leakmatch pipeline. It reads dumps of any common shape (CSV-like text,
//! JSON lines, mysqldump SQL, or free text in scan mode), memory-mapping regular files and
//! streaming pipes and compressed inputs, splits them into record-aligned chunks processed in
//! parallel, and hands every record's normalized identifiers to a [`RecordSink`].
//!
//! Normalization is exact: an [`Msisdn`] is valid only if its national number matches
//! libphonenumber's Pakistani mobile pattern, a [`Cnic`] only under python-stdnum's rules, and
//! every rejection is counted with its [`RejectReason`]. Nothing is guessed.
//!
//! This crate never logs, prints or puts an identifier into an error: errors cite the input,
//! line and byte offset only.
//!
//! ```
//! use leakmatch_ingest::{Cnic, Msisdn, RejectReason};
//!
//! let m = Msisdn::parse(b"+92 (0) 300 1234567").unwrap();
//! assert_eq!(m.as_str(), "923001234567");
//! assert_eq!(Msisdn::parse(b"9.23001E+11"), Err(RejectReason::Lossy));
//! let c = Cnic::parse(b"35202-1234567-1").unwrap();
//! assert_eq!(c.as_str(), "3520212345671");
//! ```
#![deny(missing_docs)]

mod chunk;
mod collect;
mod columns;
mod container;
mod content;
mod csv;
mod emit;
mod error;
mod json_unescape;
mod jsonl;
mod normalize;
mod options;
mod outcome;
mod plan;
mod read;
mod record;
mod sample;
mod scan;
mod source;
mod speculate;
mod sql;
mod stats;
mod stream;
mod structural;
mod swar;
mod synth;
mod table;

pub use content::{ColumnScore, ContentChoice, FreeText, IdKind};
pub use error::IngestError;
pub use normalize::{Cnic, Msisdn, Operator, Province, RegisteredGender, RejectReason};
pub use options::{
    ColumnRef, Format, InputSource, ParseOptionError, ReadOptions, DEFAULT_CHUNK_SIZE,
    MAX_COLUMN_INDEX, MAX_RECORD,
};
pub use outcome::{
    ColumnsUsed, Diagnostics, NoProgress, Progress, ReadOutcome, Skip, SkipReason, MAX_SKIPS_KEPT,
};
pub use read::read_input;
pub use record::{Record, RecordSink, MAX_PAIRS_PER_RECORD};
pub use sample::{sample_text, TextSample};
pub use stats::{InputStats, KindStats};
pub use synth::{
    generate, DumpFormat, GenError, GenOptions, Messiness, OverlapTruth, SetTruth, Truth,
};
pub use table::table_rows;

/// Version of the normalization rules. Recorded in every filter: tokens built under different
/// rules do not match, so a mismatch is reported instead of silently matching nothing.
pub const NORMALIZATION_VERSION: u32 = 1;
