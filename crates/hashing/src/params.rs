//! Sizing of split-block Bloom filters from the blocked-filter false-positive formula.
//!
//! The standard formula `(1 − e^{−k/c})^k` is too optimistic for a blocked filter: keys land
//! in blocks unevenly, and crowded blocks dominate the false positives. With `B = 512` bits
//! per block, `λ` keys per block on average and `P(i)` the Poisson(λ) probability that a block
//! holds `i` keys, a **split-block** filter, which sets `k / 8` bits in each of the block's
//! eight 64-bit words, has
//!
//! ```text
//! FPR = Σ_i P(i) · (1 − (1 − 1/64)^{i·k/8})^k
//! ```
//!
//! (measured FPR matches this within noise; see `/work/shared/PERF-NOTES.md`). Split-block
//! rather than "k bits anywhere in the block": its mask is built in registers (each word's
//! bits come from fixed token bits), while a free layout ORs each bit into a word chosen at
//! run time, a chain of stores and reloads that made the mask cost more than the cache miss
//! (profiled: half of insert time). The space cost is small: 15.7 vs 15.5 bits per key at
//! 1e-3, 23.0 vs 21.9 at 1e-4, 39.2 vs 38.5 at 1e-6. `k` is 8, 16 or 24 (1–3 bits per word,
//! 6 token bits each: 144 of the 192 bits left after choosing the block);
//! [`BloomParams::for_capacity`] tries each for the fewest blocks that meet the target.

/// Bits per block: one 64-byte cache line.
pub const BLOCK_BITS: u64 = 512;
/// Bytes per block.
pub const BLOCK_BYTES: u64 = 64;
/// Largest supported number of bits set per key (a multiple of 8, see [`K_CHOICES`]).
pub const MAX_K: u32 = 24;
/// The supported numbers of bits set per key: 1, 2 or 3 bits in each of a block's 8 words.
pub const K_CHOICES: [u32; 3] = [8, 16, 24];
/// Largest filter this crate will allocate or load (1 TiB).
pub const MAX_FILTER_BYTES: u64 = 1 << 40;

/// Shape of a [`BlockedBloom`](crate::BlockedBloom): number of 512-bit blocks and bits per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BloomParams {
    /// Number of 512-bit blocks (at least 1).
    pub blocks: u64,
    /// Bits set per key: one of [`K_CHOICES`].
    pub k: u32,
}

impl BloomParams {
    /// The smallest filter expected to hold `n` distinct tokens at false-positive rate
    /// `target_fpr` or better, by the split-block formula.
    ///
    /// `n = 0` is treated as 1; `target_fpr` is clamped to `[1e-12, 0.5]` (NaN counts as 0.5).
    pub fn for_capacity(n: u64, target_fpr: f64) -> BloomParams {
        let n = n.max(1);
        let target = if target_fpr.is_nan() {
            0.5
        } else {
            target_fpr.clamp(1e-12, 0.5)
        };
        // Start near the standard-formula size; the blocked filter needs a little more.
        let standard_bits_per_key = -target.ln() / std::f64::consts::LN_2.powi(2);
        let start = ((n as f64 * standard_bits_per_key / BLOCK_BITS as f64) as u64).max(1);
        let mut best = BloomParams {
            blocks: u64::MAX,
            k: K_CHOICES[0],
        };
        for k in K_CHOICES {
            if let Some(blocks) = min_blocks(n, k, target, start, best.blocks) {
                if blocks < best.blocks {
                    best = BloomParams { blocks, k };
                }
            }
        }
        if best.blocks == u64::MAX {
            // Unreachable for clamped targets; keep a usable answer anyway.
            best.blocks = start.saturating_mul(4);
        }
        best
    }

    /// Expected false-positive rate after inserting `n` distinct tokens.
    pub fn theoretical_fpr(&self, n: u64) -> f64 {
        if n == 0 || self.blocks == 0 {
            return 0.0;
        }
        split_fpr(n as f64 / self.blocks as f64, self.k)
    }

    /// Size of the bit array in bytes (`blocks × 64`, saturating).
    pub fn bytes(&self) -> u64 {
        self.blocks.saturating_mul(BLOCK_BYTES)
    }

    /// Bits of filter per token for `n` tokens.
    pub fn bits_per_key(&self, n: u64) -> f64 {
        self.blocks as f64 * BLOCK_BITS as f64 / n.max(1) as f64
    }

    /// Why these parameters cannot make a filter, if they cannot.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.blocks == 0 {
            return Err("a filter needs at least one block".into());
        }
        if !K_CHOICES.contains(&self.k) {
            return Err(format!("k = {} is not one of {K_CHOICES:?}", self.k));
        }
        Ok(())
    }
}

/// Fewest blocks (≤ `cap`) meeting `target` with `k` bits per key, searching up from `start`.
fn min_blocks(n: u64, k: u32, target: f64, start: u64, cap: u64) -> Option<u64> {
    let fpr = |blocks: u64| split_fpr(n as f64 / blocks as f64, k);
    // Larger blocks counts only lower the FPR: double until the target is met, then bisect.
    let mut hi = start;
    while fpr(hi) > target {
        if hi >= cap || hi > n.saturating_mul(1 << 16) {
            return None;
        }
        hi = hi.saturating_mul(2);
    }
    let mut lo = 0; // invariant: fpr(lo) > target (or lo == 0), fpr(hi) <= target
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fpr(mid) <= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// False-positive rate of a split-block filter with `λ` keys per block on average:
/// `Σ_i Poisson(λ)(i) · word(i·c)^8` with `c = k / 8`, where `word(m)` is the probability that
/// `c` random probe bits all hit set bits of a 64-bit word into which `m` random bits were
/// thrown. With `X` the number of distinct bits set, `word(m) = E[(X/64)^c]`, computed exactly
/// from the falling moments `E[(X)_r] = (64)_r · Σ_j (−1)^j C(r,j) (1 − j/64)^m` and Stirling
/// numbers. (`(E[X]/64)^c`, the textbook shortcut, ignores that a probe's bits in one word are
/// correlated and under-states the rate by ~10% at k = 16.) Summed over `i ≤ λ + 12√λ + 40`.
pub(crate) fn split_fpr(lambda: f64, k: u32) -> f64 {
    let c = (k / 8).clamp(1, 3) as usize;
    let ln_lambda = lambda.ln();
    let last = (lambda + 12.0 * lambda.sqrt() + 40.0) as u64;
    let mut ln_p = -lambda; // ln P(0)
    let mut sum = 0.0;
    for i in 0..=last {
        if i > 0 {
            ln_p += ln_lambda - (i as f64).ln();
        }
        let word = word_hit(i as f64 * c as f64, c);
        if word > 0.0 {
            sum += (ln_p + 8.0 * word.ln()).exp();
        }
    }
    sum.min(1.0)
}

/// `E[(X/64)^c]` for `X` distinct bits set by `m` uniform throws into a 64-bit word, `c ≤ 3`.
fn word_hit(m: f64, c: usize) -> f64 {
    const W: f64 = 64.0;
    // E[(X)_r] for r = 1, 2, 3.
    let miss = |j: f64| (1.0 - j / W).powf(m);
    let f1 = W * (1.0 - miss(1.0));
    let f2 = W * (W - 1.0) * (1.0 - 2.0 * miss(1.0) + miss(2.0));
    let f3 = W * (W - 1.0) * (W - 2.0) * (1.0 - 3.0 * miss(1.0) + 3.0 * miss(2.0) - miss(3.0));
    // E[X^c] = Σ_r S(c, r) E[(X)_r] (Stirling numbers of the second kind).
    let moment = match c {
        1 => f1,
        2 => f2 + f1,
        _ => f3 + 3.0 * f2 + f1,
    };
    (moment / W.powi(c as i32)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_per_key_match_perf_notes() {
        // PERF-NOTES: split-512 needs about 15.7 (k=8), 23.0 (k=16) and 39.2 (k=16) bits per
        // key (from the textbook per-word fill; the exact term here differs by under 3%).
        let n = 10_000_000;
        for (fpr, bits) in [(1e-3, 15.7), (1e-4, 23.0), (1e-6, 39.2)] {
            let p = BloomParams::for_capacity(n, fpr);
            let got = p.bits_per_key(n);
            assert!(
                (got - bits).abs() / bits < 0.03,
                "{fpr}: {got} bits/key, {p:?}"
            );
            assert!(p.theoretical_fpr(n) <= fpr);
            let smaller = BloomParams {
                blocks: p.blocks - 1,
                ..p
            };
            assert!(smaller.theoretical_fpr(n) > fpr, "not minimal: {p:?}");
        }
    }

    #[test]
    fn formula_reduces_to_known_values() {
        // Few keys per block, k = 8 (one bit per word): blocks with one key match a random
        // probe with probability 64^-8, blocks with j keys with (1 − (63/64)^j)^8.
        let l: f64 = 0.01;
        let f = split_fpr(l, 8);
        let keys = |j: i32| (1.0 - (63.0f64 / 64.0).powi(j)).powi(8);
        let expect = (-l).exp() * (l * keys(1) + l * l / 2.0 * keys(2) + l.powi(3) / 6.0 * keys(3));
        assert!((f - expect).abs() / expect < 0.01, "{f} vs {expect}");
        // k = 16, one key per block: a word holds 1 or 2 distinct bits (2 with p = 63/64), and
        // both probe bits must hit them.
        let one_key_word =
            (1.0 / 64.0) * (1.0 / 64.0f64).powi(2) + (63.0 / 64.0) * (2.0 / 64.0f64).powi(2);
        assert!((word_hit(2.0, 2) - one_key_word).abs() < 1e-12);
        assert!((word_hit(1e6, 3) - 1.0).abs() < 1e-9 && word_hit(0.0, 2) == 0.0);
        assert_eq!(BloomParams { blocks: 10, k: 8 }.theoretical_fpr(0), 0.0);
        assert!(split_fpr(10_000.0, 8) > 0.99);
    }

    #[test]
    fn degenerate_inputs_still_give_valid_params() {
        for (n, fpr) in [
            (0, 1e-3),
            (1, f64::NAN),
            (5, 0.9),
            (1000, 0.0),
            (u64::MAX / 1024, 1e-3),
        ] {
            let p = BloomParams::for_capacity(n, fpr);
            assert!(p.check().is_ok(), "{n} {fpr}: {p:?}");
        }
        assert!(BloomParams { blocks: 0, k: 8 }.check().is_err());
        for bad in [0, 1, 7, 9, 21, 32] {
            assert!(BloomParams { blocks: 1, k: bad }.check().is_err(), "{bad}");
        }
        assert_eq!(
            BloomParams {
                blocks: u64::MAX,
                k: 8
            }
            .bytes(),
            u64::MAX
        );
    }
}
