//! The OPRF input of an identifier: a domain-separated encoding of (kind, canonical form).
//!
//! `oprf_input(kind, canonical)` is, byte by byte:
//!
//! | bytes | content |
//! |---|---|
//! | 0..4 | tag `b"LMO1"` (leakmatch OPRF input, encoding v1) |
//! | 4 | kind: 1 = msisdn, 2 = cnic, 3 = pair (the [`TokenKind`] discriminant) |
//! | 5..7 | length of `canonical`, big-endian `u16` |
//! | 7.. | `canonical`: the canonical ASCII digits `build` uses (12 for an msisdn, 13 for a cnic) |
//!
//! The kind byte separates the domains (the same digits as an msisdn and as a cnic give
//! unrelated outputs) and the tag keeps these inputs apart from any other use of the suite.
//! RFC 9497 then hashes the input to the group with its own domain separation tag
//! (`HashToGroup-OPRFV1-\x01-ristretto255-SHA512`). Pair tokens are derived from the two
//! outputs of a record (`leakmatch_hashing::online::pair_token`), never evaluated, so the
//! pair kind is encoded here only for completeness.
//!
//! ```
//! use leakmatch_hashing::TokenKind;
//! use leakmatch_oprf::oprf_input;
//!
//! let input = oprf_input(TokenKind::Msisdn, b"923001234567");
//! assert_eq!(&input[..7], b"LMO1\x01\x00\x0c");
//! assert_eq!(&input[7..], b"923001234567");
//! ```

use leakmatch_hashing::TokenKind;

/// Tag at the start of every OPRF input.
pub const INPUT_TAG: &[u8; 4] = b"LMO1";

/// Most bytes of `canonical` an input can hold (RFC 9497 inputs are at most 65,535 bytes).
pub const MAX_CANONICAL_LEN: usize = u16::MAX as usize - 7;

/// The OPRF input of the identifier `canonical` of `kind` (layout in the [module docs](self)).
///
/// # Panics
///
/// If `canonical` is longer than [`MAX_CANONICAL_LEN`]: canonical identifiers are 12 or 13
/// digits, so this is a caller bug. The message does not contain the identifier.
pub fn oprf_input(kind: TokenKind, canonical: &[u8]) -> Vec<u8> {
    assert!(
        canonical.len() <= MAX_CANONICAL_LEN,
        "identifier longer than {MAX_CANONICAL_LEN} bytes"
    );
    let mut out = Vec::with_capacity(7 + canonical.len());
    out.extend_from_slice(INPUT_TAG);
    out.push(kind as u8);
    // Fits: checked above.
    out.extend_from_slice(&(canonical.len() as u16).to_be_bytes());
    out.extend_from_slice(canonical);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_lengths_are_separated() {
        let d = b"3520212345671";
        let all = [
            oprf_input(TokenKind::Msisdn, d),
            oprf_input(TokenKind::Cnic, d),
            oprf_input(TokenKind::Pair, d),
            oprf_input(TokenKind::Cnic, &d[..12]),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(&all[1][..7], b"LMO1\x02\x00\x0d");
        assert_eq!(oprf_input(TokenKind::Cnic, b"").len(), 7);
    }

    #[test]
    fn too_long_panics_without_the_value() {
        let long = vec![b'7'; MAX_CANONICAL_LEN + 1];
        let r = std::panic::catch_unwind(|| oprf_input(TokenKind::Msisdn, &long));
        let msg = r.unwrap_err();
        let msg = msg.downcast_ref::<String>().unwrap();
        assert!(!msg.contains("777"), "{msg}");
        assert_eq!(oprf_input(TokenKind::Msisdn, &long[1..]).len(), 65535);
    }
}
