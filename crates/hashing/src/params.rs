//! Sizing of blocked Bloom filters from the blocked-filter false-positive formula.
//!
//! The standard formula `(1 − e^{−k/c})^k` is too optimistic for a blocked filter: keys land
//! in blocks unevenly, and crowded blocks dominate the false positives. With `B = 512` bits
//! per block, `λ` keys per block on average and `P(i)` the Poisson(λ) probability that a block
//! holds `i` keys, a filter that sets `k` bits anywhere in one block has
//!
//! ```text
//! FPR = Σ_i P(i) · (1 − (1 − 1/B)^{i·k})^k
//! ```
//!
//! (measured FPR matches this within noise; see `/work/shared/PERF-NOTES.md`). We use this
//! "blocked" variant rather than split-block because it needs fewer bits per key at every
//! target (15.5 vs 15.7 at 1e-3, 21.9 vs 23.0 at 1e-4, 38.5 vs 39.2 at 1e-6), and 21 bit
//! positions of 9 bits fit in the 192 token bits left after choosing the block, so `k ≤ 21`.
//! [`BloomParams::for_capacity`] searches every `k` in `1..=21` for the fewest blocks that
//! meet the target.

/// Bits per block: one 64-byte cache line.
pub const BLOCK_BITS: u64 = 512;
/// Bytes per block.
pub const BLOCK_BYTES: u64 = 64;
/// Largest supported number of bits set per key.
pub const MAX_K: u32 = 21;
/// Largest filter this crate will allocate or load (1 TiB).
pub const MAX_FILTER_BYTES: u64 = 1 << 40;

/// Shape of a [`BlockedBloom`](crate::BlockedBloom): number of 512-bit blocks and bits per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BloomParams {
    /// Number of 512-bit blocks (at least 1).
    pub blocks: u64,
    /// Bits set per key, `1..=21`.
    pub k: u32,
}

impl BloomParams {
    /// The smallest filter expected to hold `n` distinct tokens at false-positive rate
    /// `target_fpr` or better, by the blocked-filter formula.
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
            k: 1,
        };
        for k in 1..=MAX_K {
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
        blocked_fpr(n as f64 / self.blocks as f64, self.k)
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
        if !(1..=MAX_K).contains(&self.k) {
            return Err(format!("k = {} is outside 1..={MAX_K}", self.k));
        }
        Ok(())
    }
}

/// Fewest blocks (≤ `cap`) meeting `target` with `k` bits per key, searching up from `start`.
fn min_blocks(n: u64, k: u32, target: f64, start: u64, cap: u64) -> Option<u64> {
    let fpr = |blocks: u64| blocked_fpr(n as f64 / blocks as f64, k);
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

/// `Σ_i Poisson(λ)(i) · (1 − (1 − 1/512)^{i·k})^k`, summed over `i ≤ λ + 12√λ + 40`.
pub(crate) fn blocked_fpr(lambda: f64, k: u32) -> f64 {
    let k_f = f64::from(k);
    let q = (1.0 - 1.0 / BLOCK_BITS as f64).powf(k_f);
    let ln_lambda = lambda.ln();
    let last = (lambda + 12.0 * lambda.sqrt() + 40.0) as u64;
    let mut ln_p = -lambda; // ln P(0)
    let mut sum = 0.0;
    for i in 0..=last {
        if i > 0 {
            ln_p += ln_lambda - (i as f64).ln();
        }
        let fill = 1.0 - q.powf(i as f64);
        sum += (ln_p + k_f * fill.ln()).exp();
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_per_key_match_perf_notes() {
        // PERF-NOTES: blocked-512 (best k) needs 15.5, 21.9 and 38.5 bits per key.
        let n = 10_000_000;
        for (fpr, bits) in [(1e-3, 15.5), (1e-4, 21.9), (1e-6, 38.5)] {
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
        // One key per block on average, k = 1: FPR ≈ λ/512 for small λ.
        let f = blocked_fpr(0.01, 1);
        assert!((f - 0.01 / 512.0).abs() / f < 0.01, "{f}");
        assert_eq!(BloomParams { blocks: 10, k: 5 }.theoretical_fpr(0), 0.0);
        assert!(blocked_fpr(10_000.0, 8) > 0.99);
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
        assert!(BloomParams { blocks: 0, k: 3 }.check().is_err());
        assert!(BloomParams { blocks: 1, k: 22 }.check().is_err());
        assert_eq!(
            BloomParams {
                blocks: u64::MAX,
                k: 1
            }
            .bytes(),
            u64::MAX
        );
    }
}
