//! False-positive correction of match counts.
//!
//! A Bloom filter has no false negatives: every true member that is tested matches. Each
//! non-member matches independently with probability `p` (the filter's false-positive rate).
//! With `n` distinct identifiers tested and `m` of them matched, the number of true members `t`
//! satisfies `E[m] = t + (n - t)·p`, so `t̂ = (m - n·p) / (1 - p)`.
//!
//! The 95% interval comes from the `x = n - m` identifiers that did *not* match: they are all
//! non-members, and each of the `u = n - t` non-members misses with probability `a = 1 - p`,
//! so `x ~ Binomial(u, a)`. The interval holds every `u` whose `x` is within 1.96 standard
//! deviations with a continuity correction, `|x - a·u| ≤ 1.96·√(u·p·a) + ½` (a score
//! interval: solved exactly as a quadratic in `√u`), turned into whole numbers of true
//! matches within `[0, m]`. Unlike the symmetric `t̂ ± 1.96·σ(t̂)` interval it stays right at
//! the edges: everything matched (`x = 0`) still leaves `u` up to about `1.92·p/a + …`
//! non-members possible, so a filter that matches everything (`p` near 1) gives `[0, m]`
//! instead of a confident `[m, m]`; nothing matched gives `[0, 0]`; a tiny base gives the
//! wide interval it deserves; `p = 0` is exact.
//!
//! `p` must be the filter's *measured* rate (implied by its fill), never only its target:
//! `match` passes [`FillStats::implied_fpr`](leakmatch_hashing::FillStats).

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

/// Corrects `matched` out of `tested` distinct identifiers for a false-positive rate `fpr`
/// (see the [module docs](self)).
pub fn correct(tested: u64, matched: u64, fpr: f64) -> Corrected {
    const Z: f64 = 1.96;
    let (n, m) = (tested as f64, matched.min(tested) as f64);
    let p = if fpr.is_finite() {
        fpr.clamp(0.0, 0.999_999)
    } else {
        0.0
    };
    let a = 1.0 - p;
    let x = n - m;
    let t = (n - x / a).clamp(0.0, m);
    if p == 0.0 {
        return Corrected {
            expected_false_positives: 0.0,
            estimated_true_matches: m,
            ci95_low: m,
            ci95_high: m,
        };
    }
    let b = Z * (p * a).sqrt();
    // Largest u: a·s² - b·s - (x + ½) = 0; smallest: a·s² + b·s - (x - ½) = 0 (s = √u).
    let s_hi = (b + (b * b + 4.0 * a * (x + 0.5)).sqrt()) / (2.0 * a);
    let s_lo = if x > 0.5 {
        (-b + (b * b + 4.0 * a * (x - 0.5)).sqrt()) / (2.0 * a)
    } else {
        0.0
    };
    let whole = |v: f64, round: fn(f64) -> f64| round(v).clamp(0.0, m);
    Corrected {
        expected_false_positives: (n - t).max(0.0) * p,
        estimated_true_matches: t,
        ci95_low: whole(n - s_hi * s_hi - 1e-9, f64::ceil),
        ci95_high: whole(n - s_lo * s_lo + 1e-9, f64::floor),
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
    fn everything_matched_by_a_filter_that_matches_everything_is_not_confident() {
        // The issue-17 case: all 19226 tested matched, implied FPR 1.
        let c = correct(19_226, 19_226, 1.0);
        assert_eq!((c.ci95_low, c.ci95_high), (0.0, 19_226.0), "{c:?}");
        // Half the base matched at FPR 0.5: about nothing is a true match.
        let c = correct(10_000, 5_000, 0.5);
        assert!(c.estimated_true_matches < 1.0 && c.ci95_low == 0.0, "{c:?}");
        assert!(c.ci95_high > 50.0 && c.ci95_high < 400.0, "{c:?}");
    }

    #[test]
    fn interval_is_right_at_the_edges() {
        // Everything matched, tiny FPR: certainly all true.
        let c = correct(19_226, 19_226, 1e-6);
        assert_eq!((c.ci95_low, c.ci95_high), (19_226.0, 19_226.0), "{c:?}");
        // Everything matched, FPR 0.5, 10 tested: a few could be false (exact: u <= 5).
        let c = correct(10, 10, 0.5);
        assert_eq!(c.ci95_high, 10.0);
        assert!((4.0..=6.0).contains(&c.ci95_low), "{c:?}");
        // Nothing matched: nothing true, whatever the FPR.
        for p in [0.0, 1e-6, 0.3, 0.99] {
            let c = correct(500, 0, p);
            assert_eq!(
                (c.ci95_low, c.ci95_high, c.estimated_true_matches),
                (0.0, 0.0, 0.0)
            );
        }
        // Tiny bases.
        let c = correct(1, 1, 1e-6);
        assert_eq!((c.ci95_low, c.ci95_high), (1.0, 1.0));
        let c = correct(1, 1, 0.5);
        assert_eq!((c.ci95_low, c.ci95_high), (0.0, 1.0), "{c:?}");
        let c = correct(1, 0, 0.5);
        assert_eq!((c.ci95_low, c.ci95_high), (0.0, 0.0));
        let c = correct(0, 0, 0.01);
        assert_eq!((c.ci95_low, c.ci95_high), (0.0, 0.0));
        // The interval always holds the estimate and whole numbers within [0, m].
        for (n, m, p) in [(100, 7, 0.01), (1_000_000, 19_900, 0.01), (37, 36, 0.2)] {
            let c = correct(n, m, p);
            assert!(c.ci95_low <= c.estimated_true_matches + 1.0, "{c:?}");
            assert!(c.ci95_high + 1.0 >= c.estimated_true_matches, "{c:?}");
            assert!(c.ci95_low.fract() == 0.0 && c.ci95_high.fract() == 0.0);
            assert!(c.ci95_high <= m as f64);
        }
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
