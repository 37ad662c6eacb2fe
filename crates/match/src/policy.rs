//! Policy: what a shared-key filter discloses to whoever holds its key, which false-positive
//! targets are allowed, and when a filter is too empty to be worth writing.
//!
//! These are decisions, not mechanics, so they live here once and the CLI and the Python
//! package only phrase them (naming their own flags).

use leakmatch_hashing::{KindSet, TokenKind};
use leakmatch_ingest::InputStats;
use serde::Serialize;

use crate::BuildOutcome;

/// Valid national mobile numbers under `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`:
/// (5·10 + 9 + 1 + 1) · 10^7.
pub const MSISDN_SPACE: f64 = 6.1e8;
/// Valid CNICs: first digit 1–7, eleven free digits, last digit 1–9.
pub const CNIC_SPACE: f64 = 7.0 * 1e11 * 9.0;
/// Identifiers per second per core a key holder can test: batched SIMD hashing (~82M/s) then a
/// filter lookup (~28–38M/s), as measured by this project's benchmarks (BENCHMARKS.md).
pub const TESTS_PER_CORE_SECOND: f64 = 2.0e7;

/// What it costs someone holding a shared key to test every possible identifier of one kind
/// against a filter (the `enumeration_cost` entries of `leakmatch.inspect.v1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumerationCost {
    /// The token kind's name (`msisdn`, `cnic`, `pair`).
    pub kind: &'static str,
    /// How many values of that kind are valid.
    pub space: f64,
    /// Core-seconds to test them all at [`TESTS_PER_CORE_SECOND`].
    pub core_seconds: f64,
    /// One sentence for people.
    pub summary: String,
}

/// The enumeration cost of `kind` (see [`EnumerationCost`]).
pub fn enumeration_cost(kind: TokenKind) -> EnumerationCost {
    let cnic_hours = CNIC_SPACE / TESTS_PER_CORE_SECOND / 3600.0;
    let (space, summary) = match kind {
        TokenKind::Msisdn => {
            let secs = MSISDN_SPACE / TESTS_PER_CORE_SECOND;
            (
                MSISDN_SPACE,
                format!(
                    "{MSISDN_SPACE:.1e} valid numbers: about {secs:.0} core-seconds. Anyone with \
                     the key can recover every number in the filter."
                ),
            )
        }
        TokenKind::Cnic => (
            CNIC_SPACE,
            format!(
                "{CNIC_SPACE:.1e} valid CNICs: about {cnic_hours:.0} core-hours. Recoverable by a \
                 key holder with a modest cluster."
            ),
        ),
        TokenKind::Pair => {
            let space = MSISDN_SPACE * CNIC_SPACE;
            (
                space,
                format!(
                    "{space:.1e} pairs: infeasible blind; knowing a number, finding its CNIC still \
                     costs about {cnic_hours:.0} core-hours per number. Testable cheaply only by \
                     someone who already holds both (an operator, for its own customers)."
                ),
            )
        }
    };
    EnumerationCost {
        kind: kind.name(),
        space,
        core_seconds: space / TESTS_PER_CORE_SECOND,
        summary,
    }
}

/// The phrase ending each [`key_holder_can_recover`] line; front ends replace it with their
/// own flag (`--kinds pair` in the CLI).
pub const PAIR_ONLY_ADVICE: &str = "build pair tokens only (the default).";

/// What anyone holding the key can recover from a shared-key filter of `kinds`, by
/// enumeration: one line per single-identifier kind, none for a pair-only filter.
pub fn key_holder_can_recover(kinds: KindSet) -> Vec<String> {
    [TokenKind::Msisdn, TokenKind::Cnic]
        .into_iter()
        .filter(|k| kinds.contains(*k))
        .map(|kind| {
            format!(
                "{} tokens: anyone holding the key can recover every {} in this filter ({}). \
                 Send it with the key only to someone entitled to that whole list; for an \
                 operator, {PAIR_ONLY_ADVICE}",
                kind.name(),
                kind.name(),
                enumeration_cost(kind).summary
            )
        })
        .collect()
}

/// A false-positive target outside (0, 1).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("the false-positive rate must be between 0 and 1, got {0}")]
pub struct FprOutOfRange(pub f64);

/// Checks a false-positive target: strictly between 0 and 1 (NaN refused).
pub fn check_fpr(fpr: f64) -> Result<(), FprOutOfRange> {
    if fpr > 0.0 && fpr < 1.0 {
        Ok(())
    } else {
        Err(FprOutOfRange(fpr))
    }
}

/// Why a built filter is not written: an empty filter matches nothing, and sent on it would
/// say "none of your customers leaked". It is almost always a wrong column, an empty download
/// or an unrecognized format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmptyFilter {
    /// Identifiers were found, but no record had both, and only pairs were asked for.
    #[error(
        "no record has both a valid MSISDN and a valid CNIC ({msisdn_valid} valid MSISDNs, \
         {cnic_valid} valid CNICs): a pair-only filter would be empty"
    )]
    NoPairs {
        /// Valid MSISDN fields read.
        msisdn_valid: u64,
        /// Valid CNIC fields read.
        cnic_valid: u64,
    },
    /// No valid identifier at all.
    #[error("no valid identifier found ({records} records read)")]
    NoIdentifier {
        /// Records read.
        records: u64,
    },
}

impl EmptyFilter {
    /// Why a filter of `kinds` that got no token from inputs totalling `totals` is empty.
    pub fn of(kinds: KindSet, totals: &InputStats) -> EmptyFilter {
        let singles = kinds.contains(TokenKind::Msisdn) || kinds.contains(TokenKind::Cnic);
        let valid = totals.msisdn.valid + totals.cnic.valid;
        if !singles && valid > 0 {
            EmptyFilter::NoPairs {
                msisdn_valid: totals.msisdn.valid,
                cnic_valid: totals.cnic.valid,
            }
        } else {
            EmptyFilter::NoIdentifier {
                records: totals.records,
            }
        }
    }
}

impl BuildOutcome {
    /// Refuses a filter that holds no token ([`EmptyFilter`]); `Ok` otherwise.
    pub fn refuse_empty(&self) -> Result<(), EmptyFilter> {
        if self.filter.header.counts.total() > 0 {
            Ok(())
        } else {
            Err(EmptyFilter::of(self.filter.header.kinds, &self.totals))
        }
    }

    /// [`key_holder_can_recover`] for this filter's kinds.
    pub fn key_holder_can_recover(&self) -> Vec<String> {
        key_holder_can_recover(self.filter.header.kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fpr_range_is_open_and_refuses_nan() {
        assert!(check_fpr(1e-6).is_ok());
        for bad in [0.0, 1.0, -1e-3, 2.0, f64::NAN, f64::INFINITY] {
            assert!(check_fpr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pair_only_filters_disclose_nothing_to_a_key_holder() {
        let mut pair = KindSet::EMPTY;
        pair.insert(TokenKind::Pair);
        assert!(key_holder_can_recover(pair).is_empty());
        let all = key_holder_can_recover(KindSet::ALL);
        assert_eq!(all.len(), 2);
        assert!(all[0].starts_with("msisdn tokens") && all[0].ends_with(PAIR_ONLY_ADVICE));
        assert!(all[1].starts_with("cnic tokens"));
    }

    #[test]
    fn msisdn_enumeration_costs_about_thirty_core_seconds() {
        let c = enumeration_cost(TokenKind::Msisdn);
        assert_eq!(c.kind, "msisdn");
        assert!((c.core_seconds - 30.5).abs() < 1e-9);
        assert!(c.summary.contains("about 30 core-seconds"));
    }

    #[test]
    fn empty_filter_says_whether_pairs_were_the_problem() {
        let mut pair = KindSet::EMPTY;
        pair.insert(TokenKind::Pair);
        let mut totals = InputStats {
            records: 5,
            ..InputStats::default()
        };
        assert_eq!(
            EmptyFilter::of(pair, &totals),
            EmptyFilter::NoIdentifier { records: 5 }
        );
        totals.msisdn.valid = 3;
        assert_eq!(
            EmptyFilter::of(pair, &totals),
            EmptyFilter::NoPairs {
                msisdn_valid: 3,
                cnic_valid: 0
            }
        );
        assert_eq!(
            EmptyFilter::of(KindSet::ALL, &totals),
            EmptyFilter::NoIdentifier { records: 5 }
        );
    }
}
