//! # leakmatch-sizing: how big is a breach?
//!
//! For researchers (CERTs, journalists, academics) holding one or more leak dumps: how many
//! distinct people are in it, which operators and provinces, how many SIMs per CNIC, and whether
//! a "new" dump is a repackage of an old one. Only counts come out, never an identifier.
//!
//! Design. Every record's identifiers go, chunk by chunk in parallel (one [`RecordSink`] per
//! chunk of [`leakmatch_ingest::read_input`]), through a keyed **injective** map into 64-bit
//! sort keys that carry the identifier's category (operator; province and registered gender) in
//! their high bits; pairs become 128-bit keys with the CNIC's key first. Sorting and
//! deduplicating (rayon, via [`leakmatch_match::DistinctSet`]) gives exact distinct counts,
//! breakdowns by category (contiguous runs), and the SIMs-per-CNIC histogram (runs of pairs by
//! CNIC). The key is fresh for every run and shared by its inputs, so sets of different dumps
//! intersect exactly. Because the map is injective on the identifier domain, *exact* means
//! exact: there are no hash collisions to allow for.
//!
//! Memory: 8 bytes per MSISDN or CNIC field and 16 per pair are collected (duplicates included
//! until the input is deduplicated). Past [`SizeOptions::memory_limit`], everything switches to
//! HyperLogLog sketches (precision 14, 0.81% standard error) and every affected figure says
//! `exact: false`.
//!
//! [`render_html`] draws the report as one self-contained HTML page with hand-made SVG charts
//! (no script, font or network access).
//!
//! ```
//! use leakmatch_ingest::{InputSource, NoProgress, ReadOptions};
//! use leakmatch_sizing::{size_inputs, SizeOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let dump = dir.path().join("dump.csv");
//! std::fs::write(
//!     &dump,
//!     "msisdn,cnic\n0300-1234567,35202-1234567-1\n+92 300 1234567,3520212345671\n0345 7654321,35202-1234567-1\n",
//! )
//! .unwrap();
//! let out = size_inputs(&[InputSource::Path(dump)], &ReadOptions::default(), &SizeOptions::default(), &NoProgress).unwrap();
//! let total = &out.report.total.sizes;
//! assert!(total.exact);
//! assert_eq!((total.distinct.msisdn, total.distinct.cnic, total.distinct.pairs), (2, 1, 2));
//! assert_eq!(total.msisdn_by_operator["jazz"], 1);
//! assert_eq!(total.sims_per_cnic.as_ref().unwrap().histogram[&2], 1);
//! assert!(leakmatch_sizing::render_html(&out.report).contains("<svg"));
//! ```
//!
//! [`RecordSink`]: leakmatch_ingest::RecordSink
#![deny(missing_docs)]

mod collect;
mod count;
mod error;
mod html;
mod keys;
mod options;
mod report;
mod size;
mod svg;

pub use error::{ParseMemoryError, SizingError};
pub use html::render_html;
pub use options::{parse_memory, SizeOptions, DEFAULT_MEMORY_LIMIT, DEFAULT_SIM_LIMIT};
pub use report::{
    InputSize, Overlap, OverlapKind, PerKind, SimsPerCnic, SizeReport, Sizes, SCHEMA,
};
pub use size::{size_inputs, SizeOutcome};
pub use svg::thousands;
