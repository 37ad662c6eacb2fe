//! Errors of filters and filter files. None of them contains a key, token or identifier.

use std::path::PathBuf;

use crate::KeyId;

/// Why a filter could not be built, combined, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// Reading or writing a filter file failed.
    #[error("filter file {}: {source}", path.display())]
    Io {
        /// The filter file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is shorter than its header says it must be.
    #[error(
        "filter file {} is truncated: expected {expected} bytes, found {actual}",
        path.display()
    )]
    Truncated {
        /// The filter file.
        path: PathBuf,
        /// Size the file should have.
        expected: u64,
        /// Size it has.
        actual: u64,
    },
    /// The file does not start with the `.lmf` magic bytes.
    #[error("{} is not a leakmatch filter file (bad magic bytes)", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
    },
    /// The file is a filter of a format version this build cannot read.
    #[error(
        "filter file {} has format version {version}; this build reads version 2 only \
         (version 1 filters are not authenticated: rebuild the filter with this version)",
        path.display()
    )]
    UnsupportedVersion {
        /// The filter file.
        path: PathBuf,
        /// Its format version.
        version: u32,
    },
    /// The header is inconsistent.
    #[error("filter file {} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The filter file.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
    /// The content does not match its checksum.
    #[error("filter file {} is corrupt: checksum mismatch", path.display())]
    ChecksumMismatch {
        /// The filter file.
        path: PathBuf,
    },
    /// The shared-key MAC does not verify: the file was changed after it was made.
    #[error(
        "filter file {} failed authentication: its MAC does not verify under this key, so it \
         was changed (forged or damaged) after it was made",
        path.display()
    )]
    AuthenticationFailed {
        /// The filter file.
        path: PathBuf,
    },
    /// An online-mode filter was given where a shared-key filter is needed.
    #[error(
        "this is an online-mode filter (epoch {epoch}): match it with `leakmatch query` \
         against its server, not with a shared key"
    )]
    OnlineFilter {
        /// Its epoch.
        epoch: u64,
    },
    /// A shared-key filter was given where an online filter is needed.
    #[error("this is a shared-key filter (key id {key_id}), not an online-mode filter")]
    NotOnline {
        /// Its key id.
        key_id: KeyId,
    },
    /// The header's counts or kinds do not agree with the bits.
    #[error("filter header does not agree with its bits: {reason} (a forged or damaged filter)")]
    Inconsistent {
        /// What disagrees.
        reason: String,
    },
    /// The filter was built with a different key.
    #[error("filter was built with key {filter}, but the key given is {key}")]
    KeyMismatch {
        /// Key id recorded in the filter.
        filter: KeyId,
        /// Id of the key given.
        key: KeyId,
    },
    /// Filters cannot be combined.
    #[error("filters cannot be combined: {reason}")]
    Incompatible {
        /// What differs.
        reason: String,
    },
    /// The parameters or header fields cannot describe a filter.
    #[error("invalid filter parameters: {reason}")]
    InvalidParams {
        /// What is wrong.
        reason: String,
    },
    /// The filter would exceed the size limit.
    #[error("filter of {bytes} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Requested size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Memory for the bit array could not be mapped.
    #[error("cannot allocate {bytes} bytes for the filter: {source}")]
    Alloc {
        /// Requested size.
        bytes: u64,
        /// The operating system's error.
        source: std::io::Error,
    },
}
