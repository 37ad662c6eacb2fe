//! The errors of the state directory and its store. No variant carries an identifier, an
//! element, a secret or a signature: they name files, client names, epochs and counts.

use std::path::PathBuf;

use leakmatch_oprf::OprfError;

/// Errors of [`State`](crate::State) and of the state directory.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// An I/O operation on a file of the state directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `init` found something already at the path.
    #[error(
        "{} already exists and is not an empty directory; refusing to initialise a state \
         directory there",
        path.display()
    )]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// The path is not a state directory (no store or master secret in it).
    #[error(
        "{} is not a leakmatch server state directory (missing {missing}); create one with \
         `leakmatch server init`",
        path.display()
    )]
    NotStateDir {
        /// The directory.
        path: PathBuf,
        /// The file that is missing.
        missing: &'static str,
    },
    /// The directory or the store may be accessed by group or others.
    #[error(
        "{} has permissions {mode:04o}, which let other users access it; fix with `chmod {fix} {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions {
        /// The file or directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// The mode to set (`700` or `600`).
        fix: &'static str,
    },
    /// The store failed (I/O, corruption, lock): the server refuses everything it cannot
    /// record.
    #[error("state store {}: {reason}", path.display())]
    Store {
        /// The store file.
        path: PathBuf,
        /// redb's message (it never holds stored values).
        reason: String,
    },
    /// The store holds a record this version cannot read.
    #[error("state store {}: {what}", path.display())]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The master secret or a key derivation failed.
    #[error(transparent)]
    Oprf(#[from] OprfError),
    /// A client name that is not 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    #[error(
        "client name must be 1 to 64 characters of letters, digits, '.', '_' and '-' (got {len} \
         characters)"
    )]
    BadClientName {
        /// Its length in characters.
        len: usize,
    },
    /// `add-client` with a name already registered.
    #[error("client '{name}' already exists")]
    ClientExists {
        /// The name.
        name: String,
    },
    /// No client of that name.
    #[error("no client named '{name}'")]
    UnknownClient {
        /// The name.
        name: String,
    },
    /// A filter recorded under an epoch that is unknown or withdrawn.
    #[error("epoch {epoch} is not the current epoch (current: {current}); publish under epoch {current}")]
    EpochNotCurrent {
        /// The epoch asked for.
        epoch: u64,
        /// The current epoch.
        current: u64,
    },
    /// Writing the credential file failed; nothing was registered.
    #[error(transparent)]
    Credential(#[from] crate::CredentialError),
}
