//! Keyed hashing of encoded identifiers, batched through blake3's SIMD `hash_many`.
//!
//! `blake3::keyed_hash` costs ~93 ns on a short input; hashing 8 or 16 single-block inputs at
//! once with the SIMD kernel behind blake3's hidden `platform::Platform::hash_many` costs
//! ~15 ns each. For one 64-byte block, BLAKE3 keyed hashing is a single compression with
//! counter 0, block length 64 and flags `CHUNK_START | CHUNK_END | ROOT | KEYED_HASH`, whose
//! first 32 output bytes are the hash; `hash_many` computes exactly that when given those
//! flags, so the result equals `blake3::keyed_hash(key, block)`.
//!
//! The hidden API has no stability promise, which is why the workspace pins `blake3 = "=1.8.7"`,
//! the tests compare both paths on thousands of random inputs, and [`TokenHasher::new`]
//! checks a sample at run time and falls back to the public `keyed_hash` if they ever differ.

use std::fmt;

use blake3::platform::Platform;
use blake3::IncrementCounter;

use crate::token::{Encoded, Token};
use crate::Key;

// Domain flags of the BLAKE3 compression function. blake3 keeps them private; these values
// are from blake3 1.8.7 `src/lib.rs` (CHUNK_START = 1 << 0, CHUNK_END = 1 << 1,
// ROOT = 1 << 3, KEYED_HASH = 1 << 4) and from the BLAKE3 specification, table 3.
const CHUNK_START: u8 = 1 << 0;
const CHUNK_END: u8 = 1 << 1;
const ROOT: u8 = 1 << 3;
const KEYED_HASH: u8 = 1 << 4;

/// Inputs per `hash_many` call: a multiple of every SIMD degree (4, 8, 16) that keeps the
/// output buffer on the stack small.
const BATCH: usize = 16;

/// Computes [`Token`]s with one key; cheap to share across threads (`Sync`).
///
/// `hash` and `hash_many` always equal `blake3::keyed_hash(key, &encoded.0)`.
pub struct TokenHasher {
    key: [u8; 32],
    key_words: [u32; 8],
    backend: Backend,
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    /// blake3's hidden batched kernel for the detected CPU.
    Batched(Platform),
    /// The public `blake3::keyed_hash`, one input at a time.
    Public,
}

impl TokenHasher {
    /// A hasher using the fastest kernel for this CPU, verified against the public API.
    pub fn new(key: &Key) -> Self {
        let mut hasher = Self::with_backend(key, Backend::Batched(Platform::detect()));
        // Guards against a blake3 upgrade changing the hidden API's meaning.
        let sample = crate::token::encode(crate::TokenKind::Pair, b"self-check");
        let expected = crate::wipe::keyed_hash(&hasher.key, &sample.0);
        let mut got = [Token::default(); 1];
        hasher.hash_many(&[sample], &mut got);
        if got[0].0 != *expected.as_bytes() {
            hasher.backend = Backend::Public;
        }
        hasher
    }

    /// A hasher that always uses the public `blake3::keyed_hash` (the slow reference path).
    pub fn new_portable(key: &Key) -> Self {
        Self::with_backend(key, Backend::Public)
    }

    fn with_backend(key: &Key, backend: Backend) -> Self {
        let key = *key.secret();
        let key_words = blake3::platform::words_from_le_bytes_32(&key);
        TokenHasher {
            key,
            key_words,
            backend,
        }
    }

    /// Whether the batched SIMD path is in use (false: the public `keyed_hash` fallback).
    pub fn is_batched(&self) -> bool {
        matches!(self.backend, Backend::Batched(_))
    }

    /// Hashes one encoded identifier. Prefer [`hash_many`](Self::hash_many) in loops.
    pub fn hash(&self, e: &Encoded) -> Token {
        let mut out = [Token::default(); 1];
        self.hash_many(std::slice::from_ref(e), &mut out);
        out[0]
    }

    /// Hashes `inputs[i]` into `out[i]`, for any number of inputs.
    ///
    /// # Panics
    ///
    /// If `out.len() != inputs.len()`.
    pub fn hash_many(&self, inputs: &[Encoded], out: &mut [Token]) {
        assert_eq!(
            inputs.len(),
            out.len(),
            "hash_many: output length differs from input"
        );
        let platform = match self.backend {
            Backend::Batched(p) => p,
            Backend::Public => {
                for (e, t) in inputs.iter().zip(out.iter_mut()) {
                    *t = Token(*crate::wipe::keyed_hash(&self.key, &e.0).as_bytes());
                }
                return;
            }
        };
        const EMPTY: [u8; 64] = [0; 64];
        let mut blocks: [&[u8; 64]; BATCH] = [&EMPTY; BATCH];
        let mut hashes = [0u8; BATCH * 32];
        for (ins, outs) in inputs.chunks(BATCH).zip(out.chunks_mut(BATCH)) {
            for (slot, e) in blocks.iter_mut().zip(ins) {
                *slot = &e.0;
            }
            let n = ins.len();
            platform.hash_many(
                &blocks[..n],
                &self.key_words,
                0,
                IncrementCounter::No,
                KEYED_HASH | ROOT,
                CHUNK_START,
                CHUNK_END,
                &mut hashes[..n * 32],
            );
            for (t, h) in outs.iter_mut().zip(hashes.chunks_exact(32)) {
                t.0.copy_from_slice(h);
            }
        }
    }
}

impl Drop for TokenHasher {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
        zeroize::Zeroize::zeroize(&mut self.key_words);
    }
}

impl fmt::Debug for TokenHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenHasher")
            .field("key", &"<redacted>")
            .field("backend", &self.backend)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{encode, encode_pair, TokenKind};
    use proptest::prelude::*;

    fn reference(key: &[u8; 32], e: &Encoded) -> Token {
        Token(*blake3::keyed_hash(key, &e.0).as_bytes())
    }

    #[test]
    fn batched_backend_is_selected_and_agrees() {
        let key = Key::from_bytes([3; 32]);
        let h = TokenHasher::new(&key);
        assert!(h.is_batched(), "self-check fell back: {h:?}");
        let e = encode(TokenKind::Msisdn, b"923001234567");
        assert_eq!(h.hash(&e), reference(&[3; 32], &e));
        assert_eq!(TokenHasher::new_portable(&key).hash(&e), h.hash(&e));
        assert!(!format!("{h:?}").contains("3, 3"));
    }

    #[test]
    fn every_platform_matches_keyed_hash() {
        let key_bytes = [0x5a; 32];
        let key = Key::from_bytes(key_bytes);
        let inputs: Vec<Encoded> = (0..37u64)
            .map(|i| encode(TokenKind::Cnic, i.to_string().as_bytes()))
            .collect();
        let want: Vec<Token> = inputs.iter().map(|e| reference(&key_bytes, e)).collect();
        let mut platforms = vec![Platform::Portable, Platform::detect()];
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        platforms.extend(
            Platform::sse2()
                .into_iter()
                .chain(Platform::sse41())
                .chain(Platform::avx2()),
        );
        for p in platforms {
            let h = TokenHasher::with_backend(&key, Backend::Batched(p));
            let mut got = vec![Token::default(); inputs.len()];
            h.hash_many(&inputs, &mut got);
            assert_eq!(got, want, "{p:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Thousands of random inputs in batches of random length, including lengths that
        /// are not multiples of any SIMD degree.
        #[test]
        fn hash_many_equals_keyed_hash(
            key in any::<[u8; 32]>(),
            ids in prop::collection::vec(
                (0u8..3, prop::collection::vec(b'0'..=b'9', 0..=28),
                 prop::collection::vec(b'0'..=b'9', 0..=28)),
                0..120),
        ) {
            let inputs: Vec<Encoded> = ids
                .iter()
                .map(|(kind, a, b)| match kind {
                    0 => encode(TokenKind::Msisdn, a),
                    1 => encode(TokenKind::Cnic, b),
                    _ => encode_pair(a, b),
                })
                .collect();
            let h = TokenHasher::new(&Key::from_bytes(key));
            let mut got = vec![Token::default(); inputs.len()];
            h.hash_many(&inputs, &mut got);
            for (e, t) in inputs.iter().zip(&got) {
                prop_assert_eq!(*t, reference(&key, e));
            }
        }
    }

    #[test]
    #[should_panic(expected = "output length")]
    fn mismatched_output_length_panics() {
        let h = TokenHasher::new(&Key::from_bytes([0; 32]));
        h.hash_many(&[encode(TokenKind::Msisdn, b"1")], &mut []);
    }
}
