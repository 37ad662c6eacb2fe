//! The JSON messages of the HTTP API and their byte fields.
//!
//! - `GET /v1/descriptors` → [`Descriptors`](crate::Descriptors).
//! - `POST /v1/budget` [`BudgetRequest`] → [`Budget`].
//! - `POST /v1/evaluate` [`EvaluateRequest`] → [`EvaluateResponse`].
//! - Any refusal → an HTTP error status with an [`ErrorBody`].
//!
//! Byte fields: ids are lowercase hex (client 32 digits, request 32), signatures 128 hex
//! digits; elements are one standard-alphabet, padded base64 string of the concatenated
//! 32-byte elements, proofs the base64 of their 64 bytes. Unknown fields are refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use leakmatch_oprf::{BlindedElement, EvaluatedBatch, EvaluatedChunk};
use serde::{Deserialize, Serialize};

use crate::clients::Budget;

/// Most blinded elements in one evaluate request.
pub const MAX_ELEMENTS: usize = 4096;
/// Most bytes in a request body (a full evaluate request is about 175 KiB).
pub const MAX_BODY: usize = 256 * 1024;

/// `POST /v1/evaluate`: blinded elements to evaluate under `epoch`, signed
/// ([`crate::signing`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Client id, 32 hex digits.
    pub client: String,
    /// Request id, 32 hex digits, random per request and kept across retries.
    pub request_id: String,
    /// The epoch whose key is asked for (the current one).
    pub epoch: u64,
    /// The client's Unix time in seconds.
    pub timestamp: u64,
    /// The concatenated elements, base64.
    pub elements: String,
    /// Ed25519 signature, 128 hex digits.
    pub signature: String,
}

/// The answer to an evaluate request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateResponse {
    /// The epoch whose key answered.
    pub epoch: u64,
    /// Elements charged by this request (0 for a retry answered again).
    pub charged: u64,
    /// Whether this was a retry of a request already charged.
    pub replayed: bool,
    /// The client's budget after the charge.
    pub budget: Budget,
    /// The proved chunks, in request order.
    pub chunks: Vec<WireChunk>,
}

/// One proved chunk of an answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireChunk {
    /// Concatenated evaluated elements, base64.
    pub elements: String,
    /// The batch DLEQ proof (64 bytes), base64.
    pub proof: String,
}

/// `POST /v1/budget`: the client's budget, signed ([`crate::signing`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetRequest {
    /// Client id, 32 hex digits.
    pub client: String,
    /// Request id, 32 hex digits (a nonce: budget requests change nothing).
    pub request_id: String,
    /// The client's Unix time in seconds.
    pub timestamp: u64,
    /// Ed25519 signature, 128 hex digits.
    pub signature: String,
}

/// The body of every refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code: `malformed`, `too_large`, `unknown_client`, `bad_signature`,
    /// `stale_timestamp`, `unknown_epoch`, `epoch_withdrawn`, `over_budget`,
    /// `request_id_conflict`, `busy`, `store_unavailable`, `internal`, `not_found`.
    pub error: String,
    /// A sentence for people.
    pub message: String,
    /// With `over_budget`: the budget, which the request exceeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// With `unknown_epoch` and `epoch_withdrawn`: the epoch to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_epoch: Option<u64>,
}

/// Elements as one base64 string.
pub fn encode_elements(elements: &[BlindedElement]) -> String {
    let mut bytes = Vec::with_capacity(elements.len() * 32);
    for e in elements {
        bytes.extend_from_slice(&e.0);
    }
    STANDARD.encode(bytes)
}

/// The elements of a base64 string; `None` if it is not base64 of a whole number of
/// 32-byte elements, or holds more than `max`.
pub fn decode_elements(text: &str, max: usize) -> Option<Vec<BlindedElement>> {
    // Refuse before decoding anything much larger than allowed.
    if text.len() > (max * 32).div_ceil(3) * 4 {
        return None;
    }
    let bytes = STANDARD.decode(text).ok()?;
    if bytes.len() % 32 != 0 || bytes.len() / 32 > max {
        return None;
    }
    Some(
        bytes
            .chunks_exact(32)
            .map(|c| {
                let mut e = [0u8; 32];
                e.copy_from_slice(c);
                BlindedElement(e)
            })
            .collect(),
    )
}

/// A batch as wire chunks.
pub fn encode_batch(batch: &EvaluatedBatch) -> Vec<WireChunk> {
    batch
        .chunks
        .iter()
        .map(|c| WireChunk {
            elements: STANDARD.encode(c.elements.concat()),
            proof: STANDARD.encode(c.proof),
        })
        .collect()
}

/// Wire chunks as a batch; `None` if a field is not base64 of the right size.
pub fn decode_batch(chunks: &[WireChunk]) -> Option<EvaluatedBatch> {
    let chunks = chunks
        .iter()
        .map(|c| {
            let bytes = STANDARD.decode(&c.elements).ok()?;
            if bytes.len() % 32 != 0 {
                return None;
            }
            let proof: [u8; 64] = STANDARD.decode(&c.proof).ok()?.try_into().ok()?;
            let elements = bytes
                .chunks_exact(32)
                .map(|e| {
                    let mut a = [0u8; 32];
                    a.copy_from_slice(e);
                    a
                })
                .collect();
            Some(EvaluatedChunk { elements, proof })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(EvaluatedBatch { chunks })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn elements_round_trip_and_bounds() {
        let els: Vec<_> = (0..5u8).map(|i| BlindedElement([i; 32])).collect();
        let text = encode_elements(&els);
        assert_eq!(decode_elements(&text, 5).unwrap(), els);
        assert!(decode_elements(&text, 4).is_none());
        assert!(decode_elements(&STANDARD.encode([1u8; 33]), 5).is_none());
        assert!(decode_elements("!!!!", 5).is_none());
        assert_eq!(decode_elements("", 5).unwrap(), vec![]);
        let full = encode_elements(&vec![BlindedElement([0xaa; 32]); MAX_ELEMENTS]);
        assert!(full.len() + 1024 < MAX_BODY);
        assert_eq!(
            decode_elements(&full, MAX_ELEMENTS).unwrap().len(),
            MAX_ELEMENTS
        );
    }

    #[test]
    fn batch_round_trips() {
        let batch = EvaluatedBatch {
            chunks: vec![
                EvaluatedChunk {
                    elements: vec![[1; 32], [2; 32]],
                    proof: [3; 64],
                },
                EvaluatedChunk {
                    elements: vec![[4; 32]],
                    proof: [5; 64],
                },
            ],
        };
        assert_eq!(decode_batch(&encode_batch(&batch)).unwrap(), batch);
        let mut bad = encode_batch(&batch);
        bad[0].proof = STANDARD.encode([0u8; 63]);
        assert!(decode_batch(&bad).is_none());
    }
}
