//! Errors of the sizing library. None ever holds an identifier.

use leakmatch_ingest::IngestError;

/// Why sizing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SizingError {
    /// An input could not be read (the error names the input, never a value from it).
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The operating system gave no randomness for the run's key.
    #[error("cannot draw a fresh random key from the operating system: {0}")]
    Random(String),
    /// Overlap was asked for with fewer than two inputs.
    #[error("overlap compares inputs pairwise: it needs at least two inputs, got {inputs}")]
    OverlapNeedsTwo {
        /// Inputs given.
        inputs: usize,
    },
}

/// A `--memory` value that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad memory size {given:?}: expected a positive number with an optional unit K, M, G or T (binary: 1G = 2^30 bytes), e.g. 4G or 512M")]
pub struct ParseMemoryError {
    /// The text given (a command-line value, never data).
    pub given: String,
}
