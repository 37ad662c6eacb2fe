//! The server side: an epoch's key, derived from the master secret, and its evaluations.
//!
//! The key of epoch `n` is RFC 9497 `DeriveKeyPair(seed, info)` in VOPRF mode (voprf's
//! `VoprfServer::new_from_seed`) with `seed` = the 32 master secret bytes and
//! `info` = `b"leakmatch epoch v1"` ‖ `n` as a big-endian `u64`. Keys of different epochs
//! are unrelated, and no key is ever stored: the master secret re-derives it.
//!
//! - [`EpochKey::evaluate`]: direct evaluation of inputs the server holds (publishing a
//!   dump's filter), in parallel on rayon.
//! - [`EpochKey::blind_evaluate`]: a client's blinded elements, in chunks of at most
//!   [`PROOF_BATCH`] with one batch DLEQ proof each, chunks in parallel. The server learns
//!   nothing about the inputs behind the elements.

use std::fmt;

use rand_core::OsRng;
use rayon::prelude::*;
use voprf::{Group, Ristretto255, VoprfServer};
use zeroize::Zeroize;

use crate::messages::{BlindedElement, EvaluatedBatch, EvaluatedChunk, Output, PublicKey};
use crate::{MasterSecret, OprfError, PROOF_BATCH};

/// Prefix of the key-derivation `info`; the epoch number (big-endian `u64`) follows.
pub const EPOCH_INFO_PREFIX: &[u8] = b"leakmatch epoch v1";

/// The OPRF key of one epoch (a voprf `VoprfServer<Ristretto255>`, zeroized on drop).
///
/// `Debug` shows the epoch and the public key only.
#[derive(Clone)]
pub struct EpochKey {
    epoch: u64,
    pub(crate) server: VoprfServer<Ristretto255>,
    public_key: PublicKey,
}

impl EpochKey {
    /// The key of `epoch`, derived from `master` (see the [module docs](self)).
    pub fn derive(master: &MasterSecret, epoch: u64) -> Result<Self, OprfError> {
        let mut info = Vec::with_capacity(EPOCH_INFO_PREFIX.len() + 8);
        info.extend_from_slice(EPOCH_INFO_PREFIX);
        info.extend_from_slice(&epoch.to_be_bytes());
        Self::from_seed(master.secret(), &info, epoch)
    }

    /// RFC 9497 `DeriveKeyPair(seed, info)`, for [`derive`](Self::derive) and the RFC vectors.
    pub(crate) fn from_seed(seed: &[u8], info: &[u8], epoch: u64) -> Result<Self, OprfError> {
        let server = VoprfServer::<Ristretto255>::new_from_seed(seed, info)
            .map_err(|_| OprfError::KeyDerivation { epoch })?;
        let mut public_key = [0u8; 32];
        public_key.copy_from_slice(&Ristretto255::serialize_elem(server.get_public_key()));
        Ok(EpochKey {
            epoch,
            server,
            public_key: PublicKey(public_key),
        })
    }

    /// The epoch number.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The public key clients verify proofs against.
    pub fn public_key(&self) -> PublicKey {
        self.public_key
    }

    /// Direct evaluation of `inputs` (the server's own data: publishing a filter), in
    /// parallel on the current rayon pool; outputs in input order. Each input is
    /// typically [`oprf_input`](crate::oprf_input)`(kind, canonical)`.
    pub fn evaluate(&self, inputs: &[&[u8]]) -> Result<Vec<Output>, OprfError> {
        inputs
            .par_iter()
            .enumerate()
            .map(|(index, input)| {
                let mut out = self
                    .server
                    .evaluate(input)
                    .map_err(|_| OprfError::Input { index })?;
                Ok(take_output(&mut out))
            })
            .collect()
    }

    /// Evaluates a client's blinded elements: chunks of at most [`PROOF_BATCH`] elements in
    /// order, each with one batch DLEQ proof, chunks in parallel on the current rayon pool.
    ///
    /// Every element is decoded first: one that is not the canonical encoding of a
    /// non-identity element fails the whole batch ([`OprfError::MalformedElement`]) before
    /// anything is evaluated. An empty request gives an empty batch. A server that must
    /// refuse malformed input before doing anything else (charging a budget) calls
    /// [`DecodedElements::decode`] and [`blind_evaluate_decoded`](Self::blind_evaluate_decoded).
    pub fn blind_evaluate(&self, blinded: &[BlindedElement]) -> Result<EvaluatedBatch, OprfError> {
        self.blind_evaluate_decoded(&DecodedElements::decode(blinded)?)
    }

    /// [`blind_evaluate`](Self::blind_evaluate) of elements already decoded.
    pub fn blind_evaluate_decoded(
        &self,
        decoded: &DecodedElements,
    ) -> Result<EvaluatedBatch, OprfError> {
        let chunks = decoded
            .elements
            .par_chunks(PROOF_BATCH)
            .map(|chunk| self.prove_chunk(chunk))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EvaluatedBatch { chunks })
    }

    fn prove_chunk(
        &self,
        chunk: &[voprf::BlindedElement<Ristretto255>],
    ) -> Result<EvaluatedChunk, OprfError> {
        let prepared: Vec<_> = self
            .server
            .batch_blind_evaluate_prepare(chunk.iter())
            .collect();
        let finished = self
            .server
            .batch_blind_evaluate_finish(&mut OsRng, chunk.iter(), &prepared)
            // Only `Batch` can come back, and a chunk is at most PROOF_BATCH < u16::MAX long.
            .map_err(|_| OprfError::BatchMismatch {
                what: "elements in a proof chunk",
                expected: PROOF_BATCH,
                got: chunk.len(),
            })?;
        let elements = finished
            .messages
            .map(|m| {
                let mut e = [0u8; 32];
                e.copy_from_slice(&m.serialize());
                e
            })
            .collect();
        let mut proof = [0u8; 64];
        proof.copy_from_slice(&finished.proof.serialize());
        Ok(EvaluatedChunk { elements, proof })
    }
}

/// A client's blinded elements, each checked to be the canonical encoding of a non-identity
/// ristretto255 element: what [`EpochKey::blind_evaluate_decoded`] takes.
///
/// `Debug` shows the count only.
pub struct DecodedElements {
    elements: Vec<voprf::BlindedElement<Ristretto255>>,
}

impl DecodedElements {
    /// Decodes every element, in parallel; the first invalid one (by position) fails the
    /// whole batch with [`OprfError::MalformedElement`].
    pub fn decode(blinded: &[BlindedElement]) -> Result<DecodedElements, OprfError> {
        let elements = blinded
            .par_iter()
            .enumerate()
            .map(|(index, b)| {
                voprf::BlindedElement::<Ristretto255>::deserialize(&b.0)
                    .map_err(|_| OprfError::MalformedElement { index })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DecodedElements { elements })
    }

    /// Elements held.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether no element is held.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }
}

impl fmt::Debug for DecodedElements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecodedElements({})", self.elements.len())
    }
}

impl fmt::Debug for EpochKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EpochKey(epoch {}, public key {}, secret <redacted>)",
            self.epoch, self.public_key
        )
    }
}

/// Moves a voprf output into an [`Output`], wiping the source.
pub(crate) fn take_output(out: &mut [u8]) -> Output {
    let mut bytes = [0u8; 64];
    bytes.copy_from_slice(out);
    out.zeroize();
    Output(bytes)
}
