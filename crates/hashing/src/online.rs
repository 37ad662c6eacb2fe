//! Online tokens: what an online filter holds, derived from OPRF outputs instead of a key.
//!
//! In online mode (issue #16) nobody but the dump holder's server holds a key. Each distinct
//! identifier's OPRF output `F(k, oprf_input(kind, canonical))` (64 bytes, see
//! `leakmatch_oprf::oprf_input` and `leakmatch_oprf::Output`) is turned into a [`Token`] that
//! goes into the same blocked Bloom filter `build` makes. The server computes the outputs of
//! the dump's identifiers directly (publish); a client gets the outputs of its own identifiers
//! through blinded, proved evaluations (query). Both then derive the same tokens here:
//!
//! - [`token`]`(kind, output)` = `BLAKE3-derive_key(context, material)` with
//!
//!   | part | bytes | content |
//!   |---|---|---|
//!   | context | 25 | the ASCII string [`TOKEN_CONTEXT`] = `leakmatch online token v1` |
//!   | material 0 | 1 | kind: 1 = msisdn, 2 = cnic (the [`TokenKind`] discriminant) |
//!   | material 1..65 | 64 | the identifier's OPRF output |
//!
//! - [`pair_token`]`(msisdn output, cnic output)` = `BLAKE3-derive_key(context, material)`
//!   with
//!
//!   | part | bytes | content |
//!   |---|---|---|
//!   | context | 24 | the ASCII string [`PAIR_CONTEXT`] = `leakmatch online pair v1` |
//!   | material 0..64 | 64 | the OPRF output of the record's MSISDN |
//!   | material 64..128 | 64 | the OPRF output of the record's CNIC |
//!
//! The result is the 32-byte (default-length) BLAKE3 output. A pair needs no evaluation of its
//! own: its token comes from the two outputs the record's identifiers already cost. The
//! contexts are used for nothing else, so online tokens never collide with shared-key tokens
//! (keyed BLAKE3, [`crate::token`]) nor with each other across kinds. Without the outputs — that
//! is, without asking the server, which counts every evaluation against a budget — a token
//! cannot be computed, so an online filter gives its holder nothing to test offline.
//!
//! ```
//! use leakmatch_hashing::{online, TokenKind};
//!
//! let output = [7u8; 64];
//! let mut material = vec![TokenKind::Msisdn as u8];
//! material.extend_from_slice(&output);
//! let t = online::token(TokenKind::Msisdn, &output);
//! assert_eq!(t.0, blake3::derive_key(online::TOKEN_CONTEXT, &material));
//! assert_ne!(t, online::token(TokenKind::Cnic, &output));
//!
//! let (m, c) = ([1u8; 64], [2u8; 64]);
//! let p = online::pair_token(&m, &c);
//! assert_eq!(p.0, blake3::derive_key(online::PAIR_CONTEXT, &[m, c].concat()));
//! assert_ne!(p, online::pair_token(&c, &m));
//! ```

use crate::{Token, TokenKind};

/// BLAKE3 derive-key context of single-identifier online tokens.
pub const TOKEN_CONTEXT: &str = "leakmatch online token v1";
/// BLAKE3 derive-key context of pair online tokens.
pub const PAIR_CONTEXT: &str = "leakmatch online pair v1";

/// The online token of one identifier of `kind` (msisdn or cnic) from its OPRF output; layout
/// in the [module docs](self). A pair's token is [`pair_token`]: passing
/// [`TokenKind::Pair`] here gives a token no filter holds.
pub fn token(kind: TokenKind, output: &[u8; 64]) -> Token {
    let mut h = blake3::Hasher::new_derive_key(TOKEN_CONTEXT);
    h.update(&[kind as u8]);
    h.update(output);
    Token(*h.finalize().as_bytes())
}

/// The online token of a record's (msisdn, cnic) pair from the two identifiers' OPRF outputs,
/// msisdn first; layout in the [module docs](self).
pub fn pair_token(msisdn: &[u8; 64], cnic: &[u8; 64]) -> Token {
    let mut h = blake3::Hasher::new_derive_key(PAIR_CONTEXT);
    h.update(msisdn);
    h.update(cnic);
    Token(*h.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_exact_and_separated() {
        let out: [u8; 64] = std::array::from_fn(|i| i as u8);
        let mut material = [0u8; 65];
        material[0] = 2;
        material[1..].copy_from_slice(&out);
        assert_eq!(
            token(TokenKind::Cnic, &out).0,
            blake3::derive_key("leakmatch online token v1", &material)
        );
        let mut pair = [0u8; 128];
        pair[..64].copy_from_slice(&out);
        pair[64..].copy_from_slice(&[9; 64]);
        assert_eq!(
            pair_token(&out, &[9; 64]).0,
            blake3::derive_key("leakmatch online pair v1", &pair)
        );
        // Kinds, and single vs pair, never collide; nor do they equal a keyed token.
        let all = [
            token(TokenKind::Msisdn, &out),
            token(TokenKind::Cnic, &out),
            pair_token(&out, &out),
        ];
        assert_ne!(all[0], all[1]);
        assert_ne!(all[0], all[2]);
        assert_ne!(all[1], all[2]);
        let mut other = out;
        other[63] ^= 1;
        assert_ne!(token(TokenKind::Msisdn, &other), all[0]);
    }
}
