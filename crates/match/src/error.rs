//! Errors of the build and match pipelines.

use leakmatch_hashing::FilterError;
use leakmatch_ingest::IngestError;

/// Why a pipeline stopped. Messages name inputs and offsets, never an identifier.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Reading an input failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The filter could not be made, loaded or used.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// The filter was built under other normalization rules: its tokens cannot match.
    #[error(
        "filter was built with normalization version {filter}, this leakmatch uses version {ours}: rebuild the filter with this version"
    )]
    NormalizationMismatch {
        /// Version recorded in the filter.
        filter: u32,
        /// Version of this build.
        ours: u32,
    },
    /// The filter's implied false-positive rate is far above its target.
    #[error(
        "the filter's false-positive rate implied by its fill, {implied:.2e}, is more than 10x \
         its target {target:.2e}: estimates from it would be dominated by false positives (an \
         overfilled, damaged or forged filter). Ask for a filter built with a larger --capacity, \
         or pass --accept-high-fpr to match anyway (every estimate then says it is unreliable)"
    )]
    FprFarAboveTarget {
        /// Implied by the fill.
        implied: f64,
        /// Recorded target.
        target: f64,
    },
    /// A false-positive target outside (0, 1).
    #[error(transparent)]
    Fpr(#[from] crate::policy::FprOutOfRange),
    /// Invalid options.
    #[error("{0}")]
    Options(String),
}
