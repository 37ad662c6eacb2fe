//! The crate's one error type. No variant carries an identifier, an output or a secret.

use std::path::PathBuf;

/// Errors of the OPRF layer. Messages name files, counts and positions, never a value.
#[derive(Debug, thiserror::Error)]
pub enum OprfError {
    /// An I/O operation on the master secret file failed.
    #[error("master secret file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The master secret file may be accessed by group or others.
    #[error(
        "master secret file {} has permissions {mode:04o}, which let other users access it; \
         fix with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a leakmatch master secret file.
    #[error("master secret file {} is malformed: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the content).
        reason: &'static str,
    },
    /// Refused to overwrite an existing file.
    #[error("master secret file {} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {reason}")]
    Rng {
        /// The generator's error message.
        reason: String,
    },
    /// voprf's key derivation failed (practically unreachable: RFC 9497 DeriveKeyPair fails
    /// with probability 2^-2040).
    #[error("epoch {epoch}: key derivation failed")]
    KeyDerivation {
        /// The epoch whose key was derived.
        epoch: u64,
    },
    /// An OPRF input was longer than 65,535 bytes.
    #[error("OPRF input {index} is longer than 65535 bytes")]
    Input {
        /// Its position in the batch.
        index: usize,
    },
    /// A blinded element (server side) or an evaluated element (client side) is not the
    /// canonical encoding of a non-identity ristretto255 element.
    #[error("element {index} is not a valid ristretto255 element")]
    MalformedElement {
        /// Its position in the batch (over all chunks).
        index: usize,
    },
    /// The public key is not the canonical encoding of a non-identity ristretto255 element.
    #[error("the public key is not a valid ristretto255 element")]
    InvalidPublicKey,
    /// A chunk's proof does not verify against the expected public key: the server answered
    /// with another key, or the answer was altered.
    #[error("the server's proof for chunk {chunk} does not verify against the published key")]
    ProofInvalid {
        /// The chunk whose proof failed.
        chunk: usize,
    },
    /// The numbers of inputs, blinding states or evaluated elements disagree, or a chunk is
    /// empty or too large.
    #[error("batch shape mismatch: {what} (expected {expected}, got {got})")]
    BatchMismatch {
        /// Which count disagrees.
        what: &'static str,
        /// The count expected.
        expected: usize,
        /// The count found.
        got: usize,
    },
}
