//! False-positive correction of match counts.
//!
//! A Bloom filter has no false negatives: every true member that is tested matches. Each
//! non-member matches independently with probability `p` (the filter's false-positive rate).
//! With `n` distinct identifiers tested and `m` of them matched, the number of true members `t`
//! satisfies `E[m] = t + (n - t)·p`, so `t̂ = (m - n·p) / (1 - p)`; the false positives are
//! Binomial(`n - t`, `p`), which gives the 95% interval `t̂ ± 1.96·√((n - t̂)·p·(1 - p)) / (1 - p)`,
//! clamped to `[0, m]` (there cannot be more true matches than matches).

use serde::Serialize;

/// A corrected count with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Corrected {
    /// Expected false positives among the tested non-members, `(n - t̂)·p`.
    pub expected_false_positives: f64,
    /// Estimated true matches `t̂`.
    pub estimated_true_matches: f64,
    /// Lower end of the 95% interval.
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
}

/// Corrects `matched` out of `tested` distinct identifiers for a false-positive rate `fpr`.
pub fn correct(tested: u64, matched: u64, fpr: f64) -> Corrected {
    let (n, m) = (tested as f64, matched.min(tested) as f64);
    let p = if fpr.is_finite() {
        fpr.clamp(0.0, 0.999_999)
    } else {
        0.0
    };
    let t = ((m - n * p) / (1.0 - p)).clamp(0.0, m);
    let non_members = (n - t).max(0.0);
    let half = 1.96 * (non_members * p * (1.0 - p)).sqrt() / (1.0 - p);
    Corrected {
        expected_false_positives: non_members * p,
        estimated_true_matches: t,
        ci95_low: (t - half).clamp(0.0, m),
        ci95_high: (t + half).clamp(0.0, m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_fpr_is_exact() {
        let c = correct(1000, 40, 0.0);
        assert_eq!(c.estimated_true_matches, 40.0);
        assert_eq!((c.ci95_low, c.ci95_high), (40.0, 40.0));
    }

    #[test]
    fn subtracts_expected_false_positives() {
        // 1M tested, 1% FPR, 10,000 true members: about 9,900 false positives on top.
        let c = correct(1_000_000, 19_900, 0.01);
        assert!((c.estimated_true_matches - 10_000.0).abs() < 1.0);
        assert!(c.ci95_low < 10_000.0 && c.ci95_high > 10_000.0);
        assert!(c.ci95_high - c.ci95_low < 500.0);
    }

    #[test]
    fn never_negative_or_above_matches() {
        let c = correct(100, 0, 0.5);
        assert_eq!(c.estimated_true_matches, 0.0);
        let c = correct(10, 10, 0.9);
        assert!(c.ci95_high <= 10.0 && c.ci95_low >= 0.0);
        let c = correct(0, 0, f64::NAN);
        assert_eq!(c.estimated_true_matches, 0.0);
    }
}
