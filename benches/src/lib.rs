//! # leakmatch-benches: kernel benchmarks and baselines
//!
//! - `benches/*.rs`: criterion benchmarks of the kernels at realistic sizes (normalization,
//!   chunk scanning, token hashing, filters against the `bloomfilter` and `fastbloom` crates,
//!   the whole build/match pipelines). `cargo bench -p leakmatch-benches`.
//! - `src/bin/naive.rs`: the naive Rust baseline of `scripts/bench.sh` (the `csv` crate, scalar
//!   `blake3::keyed_hash`, the `bloomfilter` crate, one thread).
//! - `src/bin/benchtool.rs`: what `scripts/bench.sh` needs beyond coreutils (wall time and peak
//!   RSS of a command via `wait4`, one value out of a JSON file).
//!
//! This crate holds the small helpers the benchmarks share: deterministic pseudo-random tokens
//! and a synthetic dump generated once into a temporary file.
#![deny(missing_docs)]

use leakmatch_hashing::Token;

/// SplitMix64: a fast, deterministic stream of well-mixed 64-bit values.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next value.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` pseudo-random tokens (uniform like keyed hashes) from `seed`.
pub fn random_tokens(n: usize, seed: u64) -> Vec<Token> {
    let mut rng = SplitMix(seed);
    (0..n)
        .map(|_| {
            let mut t = [0u8; 32];
            for w in t.chunks_exact_mut(8) {
                w.copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            Token(t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_deterministic_and_distinct() {
        let a = random_tokens(1000, 7);
        assert_eq!(a, random_tokens(1000, 7));
        let mut s = a.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 1000);
    }
}
