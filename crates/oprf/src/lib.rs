//! # leakmatch-oprf: the verifiable OPRF behind online matching
//!
//! Online mode (issue #16) lets a dump holder answer *blinded* queries instead of sharing a
//! key: RFC 9497 VOPRF, suite [`SUITE`] (ristretto255-SHA512), through the `voprf` crate.
//! The server never sees a client's identifiers (only uniformly random blinded elements); the
//! client gets, per identifier, the [`Output`] `F(k, input)` it needs to look tokens up in the
//! published filter, and a batch DLEQ proof per chunk that the server used the key it
//! published, so a server that answers with another key is caught.
//!
//! - [`MasterSecret`]: 32 random bytes in a 0600 file, the only secret the server keeps.
//! - [`EpochKey`]: the OPRF key of one epoch, derived from the master secret
//!   ([`EpochKey::derive`]); [`EpochKey::evaluate`] (direct, for publishing) and
//!   [`EpochKey::blind_evaluate`] (a client's elements, [`PROOF_BATCH`] per proof).
//! - [`blind`], [`Blinded::finalize`]: the client's two steps.
//! - [`oprf_input`]: the domain-separated input of a (kind, canonical identifier), documented
//!   byte by byte in [`input`](mod@input).
//! - [`PublicKey`], [`BlindedElement`], [`EvaluatedBatch`], [`EvaluatedChunk`], [`Output`]:
//!   fixed-size byte values, ready for any wire format.
//!
//! Each distinct identifier should be evaluated once: budgets count evaluations, and the
//! RFC's security bound degrades with the number of queries a key answered.
//!
//! This crate never logs or prints; no error, `Debug` output or panic contains a secret, an
//! identifier or an output.
//!
//! ```
//! use leakmatch_hashing::TokenKind;
//! use leakmatch_oprf::{blind, oprf_input, EpochKey, MasterSecret};
//!
//! // Server: a master secret, the key of epoch 1, its public key published.
//! let master = MasterSecret::generate()?;
//! let key = EpochKey::derive(&master, 1)?;
//! let pk = key.public_key();
//!
//! // Client: blind, send the elements; the server evaluates them with proofs.
//! let input = oprf_input(TokenKind::Msisdn, b"923001234567");
//! let inputs = [input.as_slice()];
//! let (states, elements) = blind(&inputs)?;
//! let answer = key.blind_evaluate(&elements)?;
//! let outputs = states.finalize(&inputs, &answer, &pk)?;
//!
//! // The client's output equals the server's direct evaluation (what the filter holds).
//! assert_eq!(outputs, key.evaluate(&inputs)?);
//!
//! // An answer made with another key does not verify against the published one.
//! let other = EpochKey::derive(&master, 2)?;
//! let (states, elements) = blind(&inputs)?;
//! let forged = other.blind_evaluate(&elements)?;
//! assert!(states.finalize(&inputs, &forged, &pk).is_err());
//! # Ok::<(), leakmatch_oprf::OprfError>(())
//! ```
#![deny(missing_docs)]

mod client;
pub mod epoch;
mod error;
pub mod input;
pub mod master;
mod messages;
#[cfg(test)]
mod rfc9497_tests;

pub use client::{blind, Blinded};
pub use epoch::{DecodedElements, EpochKey, EPOCH_INFO_PREFIX};
pub use error::OprfError;
pub use input::{oprf_input, INPUT_TAG, MAX_CANONICAL_LEN};
pub use master::MasterSecret;
pub use messages::{
    BlindedElement, EvaluatedBatch, EvaluatedChunk, Output, PublicKey, PROOF_BATCH,
};

/// The RFC 9497 suite: VOPRF mode (verifiable) over ristretto255 with SHA-512.
pub const SUITE: &str = "ristretto255-SHA512";
