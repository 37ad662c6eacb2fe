//! What a client signs, byte by byte, and how the server checks it.
//!
//! Every signed request is Ed25519 (RFC 8032, `verify_strict`) over one of:
//!
//! | request | message |
//! |---|---|
//! | evaluate | `b"leakmatch evaluate v1\0"` ‖ client id (16) ‖ request id (16) ‖ epoch (u64 BE) ‖ BLAKE3(elements) (32) ‖ timestamp (u64 BE) |
//! | budget | `b"leakmatch budget v1\0"` ‖ client id (16) ‖ request id (16) ‖ timestamp (u64 BE) |
//!
//! where *elements* is the concatenation of the 32-byte blinded elements in request order and
//! *timestamp* the client's Unix time in seconds. The server refuses a timestamp more than
//! [`TIMESTAMP_WINDOW`] seconds from its own clock, so a captured request cannot be replayed
//! later (and within the window, a replay of an evaluation is answered from the ledger,
//! free). The distinct prefixes keep one kind of signature from passing as the other.

use ed25519_dalek::{Signature, VerifyingKey};
use leakmatch_oprf::BlindedElement;

use crate::credential::ClientId;

/// Most seconds between a request's timestamp and the server's clock, either way.
pub const TIMESTAMP_WINDOW: u64 = 300;

const EVALUATE_TAG: &[u8] = b"leakmatch evaluate v1\0";
const BUDGET_TAG: &[u8] = b"leakmatch budget v1\0";

/// BLAKE3 of the concatenated elements.
pub fn elements_digest(elements: &[BlindedElement]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    for e in elements {
        h.update(&e.0);
    }
    *h.finalize().as_bytes()
}

/// The message of an evaluate request.
pub fn evaluate_message(
    client: &ClientId,
    request_id: &[u8; 16],
    epoch: u64,
    digest: &[u8; 32],
    timestamp: u64,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(EVALUATE_TAG.len() + 16 + 16 + 8 + 32 + 8);
    m.extend_from_slice(EVALUATE_TAG);
    m.extend_from_slice(&client.0);
    m.extend_from_slice(request_id);
    m.extend_from_slice(&epoch.to_be_bytes());
    m.extend_from_slice(digest);
    m.extend_from_slice(&timestamp.to_be_bytes());
    m
}

/// The message of a budget request.
pub fn budget_message(client: &ClientId, request_id: &[u8; 16], timestamp: u64) -> Vec<u8> {
    let mut m = Vec::with_capacity(BUDGET_TAG.len() + 16 + 16 + 8);
    m.extend_from_slice(BUDGET_TAG);
    m.extend_from_slice(&client.0);
    m.extend_from_slice(request_id);
    m.extend_from_slice(&timestamp.to_be_bytes());
    m
}

/// Whether `signature` is a valid strict Ed25519 signature of `message` under `public_key`.
pub(crate) fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(signature))
        .is_ok()
}

/// Whether `timestamp` is within [`TIMESTAMP_WINDOW`] of `now`.
pub(crate) fn fresh(timestamp: u64, now: u64) -> bool {
    timestamp.abs_diff(now) <= TIMESTAMP_WINDOW
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Credential;

    #[test]
    fn signatures_bind_every_field_and_kind() {
        let cred = Credential::generate("a").unwrap();
        let pk = cred.verifying_key().to_bytes();
        let id = cred.client_id();
        let digest = elements_digest(&[BlindedElement([7; 32])]);
        let m = evaluate_message(&id, &[1; 16], 3, &digest, 1000);
        let sig = cred.sign(&m);
        assert!(verify(&pk, &m, &sig));
        let variants = [
            evaluate_message(&ClientId([9; 16]), &[1; 16], 3, &digest, 1000),
            evaluate_message(&id, &[2; 16], 3, &digest, 1000),
            evaluate_message(&id, &[1; 16], 4, &digest, 1000),
            evaluate_message(&id, &[1; 16], 3, &[0; 32], 1000),
            evaluate_message(&id, &[1; 16], 3, &digest, 1001),
            budget_message(&id, &[1; 16], 1000),
        ];
        for v in &variants {
            assert!(!verify(&pk, v, &sig));
        }
        let other = Credential::generate("b").unwrap();
        assert!(!verify(&other.verifying_key().to_bytes(), &m, &sig));
        let mut bad = sig;
        bad[5] ^= 1;
        assert!(!verify(&pk, &m, &bad));
        assert!(!verify(&[0xff; 32], &m, &sig));
    }

    #[test]
    fn window_is_symmetric() {
        assert!(fresh(1000, 1300) && fresh(1300, 1000));
        assert!(!fresh(1000, 1301) && !fresh(1301, 1000));
        assert!(!fresh(0, u64::MAX));
    }
}
