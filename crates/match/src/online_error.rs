//! Errors of the online pipelines (`publish`, `query`).

use leakmatch_oprf::OprfError;

use crate::{OracleError, PipelineError};

/// Why `publish` or `query` stopped. Messages name inputs, filters, epochs and counts, never
/// an identifier, an element or an output. When `query` fails, nothing is reported as matched.
#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    /// Reading an input, or making, opening or checking a filter, failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// An input is standard input or not a regular file: the online pipelines read their
    /// inputs twice (once to collect the distinct identifiers, once to make the tokens).
    #[error(
        "{input} is not a regular file: online matching reads its inputs twice (distinct \
         identifiers first, then the tokens), so standard input and pipes cannot be used; \
         write it to a file first"
    )]
    NotAFile {
        /// The input as given.
        input: String,
    },
    /// The inputs gave other records on the second read than on the first.
    #[error(
        "{input} changed while it was being read (its second read differs from the first): \
         nothing is reported; rerun on a file that is not being written"
    )]
    InputChanged {
        /// The input as given (or all inputs).
        input: String,
    },
    /// The base needs more distinct evaluations than the client's budget has left: nothing
    /// was evaluated.
    #[error(
        "this base needs {needed} evaluations (one per distinct MSISDN and CNIC) but the \
         server grants only {left} more to this credential: nothing was evaluated; ask the dump \
         holder for a larger budget, or query a smaller base"
    )]
    BudgetExceeded {
        /// Distinct identifiers to evaluate.
        needed: u64,
        /// Evaluations left.
        left: u64,
    },
    /// A filter was published under an epoch other than the server's current one.
    #[error(
        "filter {filter} was published under epoch {filter_epoch}, but the server's current \
         epoch is {server_epoch}: its tokens cannot be matched any more; ask for the filter \
         published under epoch {server_epoch}"
    )]
    FilterNotCurrent {
        /// The filter as given.
        filter: String,
        /// Its epoch.
        filter_epoch: u64,
        /// The server's.
        server_epoch: u64,
    },
    /// A filter names the server's epoch but another public key.
    #[error(
        "filter {filter} names epoch {epoch} with a public key other than the one the server \
         publishes for it: it is not this server's filter (or was forged)"
    )]
    PublicKeyMismatch {
        /// The filter as given.
        filter: String,
        /// The epoch.
        epoch: u64,
    },
    /// A filter's digest is not among those the server lists for its epoch.
    #[error(
        "filter {filter} (digest {digest}) is not among the filters the server lists for \
         epoch {epoch}: it was altered, or not published by this server"
    )]
    FilterNotListed {
        /// The filter as given.
        filter: String,
        /// The epoch.
        epoch: u64,
        /// Its digest (hex).
        digest: String,
    },
    /// The server's answer did not verify against its published public key (or was
    /// malformed): it answered with another key, or the answer was altered. Nothing is
    /// reported.
    #[error(
        "the server's answer does not verify against its published key (epoch {epoch}): it \
         answered with another key or the answer was altered; nothing is reported: {source}"
    )]
    BadAnswer {
        /// The epoch asked for.
        epoch: u64,
        /// What failed.
        source: OprfError,
    },
    /// The OPRF layer failed on our side (publishing, or blinding).
    #[error(transparent)]
    Oprf(OprfError),
    /// The server could not be asked, or refused.
    #[error(transparent)]
    Oracle(#[from] OracleError),
    /// Publishing made no token: an empty filter would say "nobody leaked".
    #[error(
        "{inputs}: {reason}: not writing an empty filter; check the input, or choose columns \
         with --msisdn-col / --cnic-col"
    )]
    NothingToPublish {
        /// The inputs, comma-separated.
        inputs: String,
        /// Why the filter is empty.
        reason: crate::EmptyFilter,
    },
    /// No filter given to query.
    #[error("no filter to query")]
    NoFilter,
}
