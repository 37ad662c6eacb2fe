//! The client side: blind identifiers, then verify the server's proofs and finalize.
//!
//! [`blind`] draws a fresh random blind per input and returns the blinded elements to send
//! (they reveal nothing about the inputs) with the [`Blinded`] states to keep.
//! [`Blinded::finalize`] checks every chunk's batch DLEQ proof against the *published*
//! public key — so a server answering with any other key (one per client, to recognise its
//! queries later; or a random one, to make every lookup miss) is detected
//! ([`OprfError::ProofInvalid`]) — then unblinds and hashes each element into its
//! [`Output`]. Chunks are verified in parallel on rayon.

use std::fmt;

use rand_core::OsRng;
use rayon::prelude::*;
use voprf::{Group, Ristretto255, VoprfClient};

use crate::epoch::take_output;
use crate::messages::{BlindedElement, EvaluatedBatch, EvaluatedChunk, Output, PublicKey};
use crate::OprfError;

/// The client's blinding states for one batch, in input order (zeroized on drop).
///
/// `Debug` shows the count only.
pub struct Blinded {
    pub(crate) states: Vec<VoprfClient<Ristretto255>>,
}

/// Blinds each input (typically [`oprf_input`](crate::oprf_input)`(kind, canonical)`) with a
/// fresh random scalar, in parallel; returns the states to keep and the elements to send,
/// both in input order.
pub fn blind(inputs: &[&[u8]]) -> Result<(Blinded, Vec<BlindedElement>), OprfError> {
    let results = inputs
        .par_iter()
        .enumerate()
        .map(|(index, input)| {
            // voprf refuses such an input only at finalize: refuse it before sending.
            if input.len() > usize::from(u16::MAX) {
                return Err(OprfError::Input { index });
            }
            VoprfClient::<Ristretto255>::blind(input, &mut OsRng)
                .map_err(|_| OprfError::Input { index })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(split(results))
}

fn split(
    results: Vec<voprf::VoprfClientBlindResult<Ristretto255>>,
) -> (Blinded, Vec<BlindedElement>) {
    let mut elements = Vec::with_capacity(results.len());
    let states = results
        .into_iter()
        .map(|r| {
            let mut e = [0u8; 32];
            e.copy_from_slice(&r.message.serialize());
            elements.push(BlindedElement(e));
            r.state
        })
        .collect();
    (Blinded { states }, elements)
}

impl Blinded {
    /// Blinding states held (one per input).
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether no input was blinded.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Verifies `batch` against `pk` and finalizes: `inputs` are the ones given to [`blind`],
    /// in the same order. Outputs in input order.
    ///
    /// Fails, returning no output at all, when the counts disagree or a chunk is empty
    /// ([`OprfError::BatchMismatch`]), the key or an element does not decode
    /// ([`OprfError::InvalidPublicKey`], [`OprfError::MalformedElement`]), or any chunk's
    /// proof does not verify against `pk` ([`OprfError::ProofInvalid`]).
    pub fn finalize(
        self,
        inputs: &[&[u8]],
        batch: &EvaluatedBatch,
        pk: &PublicKey,
    ) -> Result<Vec<Output>, OprfError> {
        let n = self.states.len();
        if inputs.len() != n {
            return Err(OprfError::BatchMismatch {
                what: "inputs given to finalize",
                expected: n,
                got: inputs.len(),
            });
        }
        if batch.len() != n {
            return Err(OprfError::BatchMismatch {
                what: "evaluated elements in the answer",
                expected: n,
                got: batch.len(),
            });
        }
        let pk = Ristretto255::deserialize_elem(&pk.0).map_err(|_| OprfError::InvalidPublicKey)?;
        // Each chunk's first position in the batch.
        let mut starts = Vec::with_capacity(batch.chunks.len());
        let mut at = 0;
        for (chunk, c) in batch.chunks.iter().enumerate() {
            if c.elements.is_empty() || c.elements.len() > usize::from(u16::MAX) {
                return Err(OprfError::BatchMismatch {
                    what: "elements in a chunk (1..=65535)",
                    expected: chunk,
                    got: c.elements.len(),
                });
            }
            starts.push(at);
            at += c.elements.len();
        }
        let per_chunk = batch
            .chunks
            .par_iter()
            .zip(starts.par_iter())
            .enumerate()
            .map(|(chunk, (c, &start))| {
                let end = start + c.elements.len();
                finalize_chunk(
                    &inputs[start..end],
                    &self.states[start..end],
                    c,
                    pk,
                    chunk,
                    start,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(per_chunk.into_iter().flatten().collect())
    }
}

fn finalize_chunk(
    inputs: &[&[u8]],
    states: &[VoprfClient<Ristretto255>],
    chunk: &EvaluatedChunk,
    pk: <Ristretto255 as Group>::Elem,
    index: usize,
    start: usize,
) -> Result<Vec<Output>, OprfError> {
    let messages = chunk
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            voprf::EvaluationElement::<Ristretto255>::deserialize(e)
                .map_err(|_| OprfError::MalformedElement { index: start + i })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // A proof whose scalars are not canonical cannot verify either.
    let proof = voprf::Proof::<Ristretto255>::deserialize(&chunk.proof)
        .map_err(|_| OprfError::ProofInvalid { chunk: index })?;
    // voprf takes owned collections by reference; the states are small and wiped on drop.
    let inputs: Vec<&[u8]> = inputs.to_vec();
    let states: Vec<VoprfClient<Ristretto255>> = states.to_vec();
    let outputs = VoprfClient::batch_finalize(&inputs, &states, &messages, &proof, pk).map_err(
        |e| match e {
            voprf::Error::ProofVerification => OprfError::ProofInvalid { chunk: index },
            _ => OprfError::BatchMismatch {
                what: "elements in a chunk",
                expected: states.len(),
                got: messages.len(),
            },
        },
    )?;
    outputs
        .enumerate()
        .map(|(i, out)| {
            let mut out = out.map_err(|_| OprfError::Input { index: start + i })?;
            Ok(take_output(&mut out))
        })
        .collect()
}

impl fmt::Debug for Blinded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blinded({} states, <redacted>)", self.states.len())
    }
}

#[cfg(test)]
pub(crate) fn blind_deterministic(
    inputs: &[&[u8]],
    blinds: &[[u8; 32]],
) -> (Blinded, Vec<BlindedElement>) {
    let results = inputs
        .iter()
        .zip(blinds)
        .map(|(input, b)| {
            let scalar = Ristretto255::deserialize_scalar(b).unwrap();
            VoprfClient::<Ristretto255>::deterministic_blind_unchecked(input, scalar).unwrap()
        })
        .collect();
    split(results)
}
