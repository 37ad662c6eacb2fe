//! The values that cross the wire or leave the OPRF: public key, blinded and evaluated
//! elements, proofs and outputs, as plain fixed-size bytes.
//!
//! Encodings are RFC 9497's for ristretto255-SHA512: an element is its 32-byte compressed
//! ristretto255 encoding, a proof is `c ‖ s` (two 32-byte little-endian scalars), an output
//! is the 64-byte SHA-512 `Finalize` hash.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// Most blinded elements covered by one batch DLEQ proof. Larger batches are split into
/// chunks of this size, proved (and verified) in parallel.
pub const PROOF_BATCH: usize = 512;

/// An epoch's public key: the compressed ristretto255 element `skS · G`.
///
/// `Display` and `Debug` print 64 lowercase hex digits; [`PublicKey::from_hex`] parses them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Parses 64 hex digits (either case); `None` on anything else. Whether the bytes are a
    /// valid element is checked where the key is used ([`OprfError::InvalidPublicKey`]).
    ///
    /// [`OprfError::InvalidPublicKey`]: crate::OprfError::InvalidPublicKey
    pub fn from_hex(hex: &str) -> Option<PublicKey> {
        let hex = hex.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(PublicKey(out))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// A blinded element the client sends: uniformly random to anyone without the blind, so
/// `Debug` shows it in hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlindedElement(pub [u8; 32]);

impl fmt::Debug for BlindedElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlindedElement(")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str(")")
    }
}

/// An OPRF output: `Finalize(input, skS · HashToGroup(input))`, 64 bytes, zeroized on drop.
///
/// An output stands for its identifier (anyone holding the filter can test it), so `Debug`
/// never shows it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Output(pub [u8; 64]);

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Output(<redacted>)")
    }
}

/// The server's answer to a batch of blinded elements: consecutive chunks of at most
/// [`PROOF_BATCH`] elements, in request order, each with one batch DLEQ proof.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvaluatedBatch {
    /// The chunks, in order; their elements concatenated answer the request element by
    /// element.
    pub chunks: Vec<EvaluatedChunk>,
}

impl EvaluatedBatch {
    /// Evaluated elements over all chunks.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.elements.len()).sum()
    }

    /// Whether the batch holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One proved chunk: evaluated elements `skS · Bᵢ` (compressed ristretto255) and the batch
/// DLEQ proof `c ‖ s` that they used the key of the published public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluatedChunk {
    /// The evaluated elements, one per blinded element of the chunk.
    pub elements: Vec<[u8; 32]>,
    /// The batch proof over the chunk.
    pub proof: [u8; 64],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_hex_round_trips() {
        let pk = PublicKey([0xc8; 32]);
        let hex = pk.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(PublicKey::from_hex(&hex), Some(pk));
        assert_eq!(PublicKey::from_hex(&hex.to_uppercase()), Some(pk));
        assert_eq!(PublicKey::from_hex(&hex[1..]), None);
        assert_eq!(PublicKey::from_hex(&format!("zz{}", &hex[2..])), None);
    }

    #[test]
    fn outputs_are_redacted() {
        assert_eq!(format!("{:?}", Output([0xab; 64])), "Output(<redacted>)");
    }
}
