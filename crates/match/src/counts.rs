//! Distinct counts of a match run: exact under a memory budget, HyperLogLog estimates past it.
//!
//! Every sink keeps the integer key of each identifier it tested, with one more bit saying
//! whether it matched (8 bytes per MSISDN or CNIC, 16 per pair), and charges them to the run's
//! shared [`Budget`] in steps. A filter answers the same for the same token every time, so
//! all copies of a key carry the same bit: sorting and deduplicating the tested keys gives
//! exact distinct counts of both tested and matched identifiers, and the operator and province
//! breakdowns, with no second set for the matches. Once the budget is exceeded, each sink
//! moves what it holds into shared atomic HyperLogLog sketches (±0.81%, see [`crate::hll`])
//! and adds to them from then on, so memory stays within the budget whatever the size of the
//! base; the report says which kind of count it carries.

use std::collections::BTreeMap;

use leakmatch_ingest::{Operator, Province};

use crate::hll::{mix128, mix64, Hll};
use crate::tokens::{cnic_from_key, msisdn_from_key};
use crate::{Budget, DistinctSet};

/// Kinds in report order: msisdn, cnic, pair.
pub(crate) const KINDS: usize = 3;
const MSISDN: usize = 0;
const CNIC: usize = 1;
const PAIR: usize = 2;
/// Sinks charge the shared budget in steps of this many bytes, not per key.
const CHARGE_STEP: u64 = 256 << 10;

/// Distinct counts per kind, exact or estimated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DistinctCounts {
    /// Whether the counts are exact (false: HyperLogLog estimates).
    pub(crate) exact: bool,
    pub(crate) tested: [u64; KINDS],
    pub(crate) matched: [u64; KINDS],
    pub(crate) matched_by_operator: BTreeMap<&'static str, u64>,
    pub(crate) matched_by_province: BTreeMap<&'static str, u64>,
}

/// The sketches every sink of a run adds to once the budget is over.
pub(crate) struct Sketches {
    tested: [Hll; KINDS],
    matched: [Hll; KINDS],
    by_operator: [Hll; Operator::COUNT],
    by_province: [Hll; Province::COUNT],
}

impl Sketches {
    pub(crate) fn new() -> Self {
        Sketches {
            tested: std::array::from_fn(|_| Hll::new()),
            matched: std::array::from_fn(|_| Hll::new()),
            by_operator: std::array::from_fn(|_| Hll::new()),
            by_province: std::array::from_fn(|_| Hll::new()),
        }
    }

    fn add_tested(&self, kind: usize, key: u128) {
        self.tested[kind].insert_hash(hash(kind, key));
    }

    fn add_matched(&self, kind: usize, key: u128) {
        let h = hash(kind, key);
        self.matched[kind].insert_hash(h);
        match kind {
            MSISDN => {
                if let Some(m) = msisdn_from_key(key as u64) {
                    self.by_operator[m.operator().index()].insert_hash(h);
                }
            }
            CNIC => {
                if let Some(c) = cnic_from_key(key as u64) {
                    self.by_province[c.province().index()].insert_hash(h);
                }
            }
            _ => {}
        }
    }

    fn add(&self, kind: usize, key: u128, hit: bool) {
        self.add_tested(kind, key);
        if hit {
            self.add_matched(kind, key);
        }
    }

    fn absorb(&self, keys: &Keys) {
        for (kind, set) in keys.singles.iter().enumerate() {
            for &k in set.raw() {
                self.add(kind, u128::from(k >> 1), k & 1 == 1);
            }
        }
        for &k in keys.pairs.raw() {
            self.add(PAIR, k >> 1, k & 1 == 1);
        }
    }

    fn counts(&self) -> DistinctCounts {
        let estimate = |h: &Hll| h.estimate().round() as u64;
        let named = |names: &mut dyn Iterator<Item = (&'static str, &Hll)>| {
            names
                .map(|(name, h)| (name, estimate(h)))
                .filter(|(_, n)| *n > 0)
                .collect()
        };
        DistinctCounts {
            exact: false,
            tested: std::array::from_fn(|k| estimate(&self.tested[k])),
            matched: std::array::from_fn(|k| estimate(&self.matched[k])),
            matched_by_operator: named(
                &mut Operator::ALL
                    .iter()
                    .map(|o| (o.name(), &self.by_operator[o.index()])),
            ),
            matched_by_province: named(
                &mut Province::ALL
                    .iter()
                    .map(|p| (p.name(), &self.by_province[p.index()])),
            ),
        }
    }
}

/// The 64-bit hash a sketch takes for a key of `kind`.
fn hash(kind: usize, key: u128) -> u64 {
    if kind == PAIR {
        mix128(key)
    } else {
        mix64(key as u64)
    }
}

/// Exact keys held by one sink (or, once absorbed, by the run): each key shifted left by one,
/// its low bit set if it matched.
#[derive(Default)]
struct Keys {
    /// MSISDN and CNIC keys.
    singles: [DistinctSet<u64>; 2],
    pairs: DistinctSet<u128>,
}

impl Keys {
    /// Sorts, deduplicates and counts every set, the sets side by side on the rayon pool.
    fn finish(&mut self) -> DistinctCounts {
        let Keys {
            singles: [m, c],
            pairs,
        } = self;
        let (mut tm, mut tc, mut tp) = Default::default();
        let (mut by_operator, mut by_province) = ([0u64; Operator::COUNT], [0; Province::COUNT]);
        rayon::scope(|s| {
            // Largest first, so the small ones fill in around it.
            s.spawn(|_| tp = tally(pairs, |_| {}));
            s.spawn(|_| {
                tm = tally(m, |key| {
                    if let Some(o) = Operator::of_national(key as u64) {
                        by_operator[o.index()] += 1;
                    }
                });
            });
            s.spawn(|_| {
                tc = tally(c, |key| {
                    if let Some(p) = Province::of_cnic(key as u64) {
                        by_province[p.index()] += 1;
                    }
                });
            });
        });
        let ((m_tested, m_matched), (c_tested, c_matched), (p_tested, p_matched)) = (tm, tc, tp);
        DistinctCounts {
            exact: true,
            tested: [m_tested, c_tested, p_tested],
            matched: [m_matched, c_matched, p_matched],
            matched_by_operator: named(
                Operator::ALL
                    .iter()
                    .map(|o| (o.name(), by_operator[o.index()])),
            ),
            matched_by_province: named(
                Province::ALL
                    .iter()
                    .map(|p| (p.name(), by_province[p.index()])),
            ),
        }
    }

    fn absorb(&mut self, other: Keys) {
        let Keys {
            singles: [m, c],
            pairs,
        } = other;
        self.singles[MSISDN].absorb(m);
        self.singles[CNIC].absorb(c);
        self.pairs.absorb(pairs);
    }
}

/// Finishes `set` on this thread; returns its distinct keys and distinct matched keys (see
/// [`Keys`]), calling `on_match` once per distinct matched key.
fn tally<T>(set: &mut DistinctSet<T>, mut on_match: impl FnMut(u128)) -> (u64, u64)
where
    T: Ord + Copy + Send + Into<u128>,
{
    set.finish_on_this_thread();
    let sorted = set.raw();
    let (mut tested, mut matched) = (0, 0);
    let mut prev: Option<u128> = None;
    let mut counted_match = false;
    for &k in sorted {
        let k: u128 = k.into();
        let (key, hit) = (k >> 1, k & 1 == 1);
        if prev != Some(key) {
            prev = Some(key);
            tested += 1;
            counted_match = false;
        }
        // Defensive: a key tested with both answers still counts once as matched.
        if hit && !counted_match {
            counted_match = true;
            matched += 1;
            on_match(key);
        }
    }
    (tested, matched)
}

/// Nonzero counts by name.
fn named(counts: impl Iterator<Item = (&'static str, u64)>) -> BTreeMap<&'static str, u64> {
    counts.filter(|(_, n)| *n > 0).collect()
}

/// One sink's distinct counting: see the [module docs](self).
pub(crate) struct Counter<'a> {
    budget: &'a Budget,
    sketches: &'a Sketches,
    keys: Keys,
    uncharged: u64,
}

impl<'a> Counter<'a> {
    pub(crate) fn new(budget: &'a Budget, sketches: &'a Sketches) -> Self {
        Counter {
            budget,
            sketches,
            keys: Keys::default(),
            uncharged: 0,
        }
    }

    /// An identifier (or pair) of `kind` was tested; `hit` says whether it matched.
    #[inline]
    pub(crate) fn record(&mut self, kind: usize, key: u128, hit: bool) {
        if self.budget.is_over() {
            self.sketches.add(kind, key, hit);
            return;
        }
        let bit = u128::from(hit);
        match kind {
            MSISDN | CNIC => {
                // Keys are below 10^13: the shifted key fits.
                self.keys.singles[kind].push(((key as u64) << 1) | bit as u64);
                self.charge(8);
            }
            _ => {
                self.keys.pairs.push((key << 1) | bit);
                self.charge(16);
            }
        }
    }

    /// Takes in another sink's keys (the budget already counts most of them).
    pub(crate) fn absorb(&mut self, other: Counter<'_>) {
        self.budget.charge(other.uncharged);
        self.keys.absorb(other.keys);
        self.spill_if_over();
    }

    /// The counts: exact if the budget held, estimates otherwise.
    pub(crate) fn finish(mut self) -> DistinctCounts {
        self.spill_if_over();
        if self.budget.is_over() {
            return self.sketches.counts();
        }
        self.keys.finish()
    }

    fn charge(&mut self, bytes: u64) {
        self.uncharged += bytes;
        if self.uncharged >= CHARGE_STEP {
            self.budget.charge(self.uncharged);
            self.uncharged = 0;
            self.spill_if_over();
        }
    }

    /// Once the budget is over, moves every key held into the sketches and frees it.
    fn spill_if_over(&mut self) {
        if self.budget.is_over() {
            let keys = std::mem::take(&mut self.keys);
            self.sketches.absorb(&keys);
        }
    }
}

#[cfg(test)]
#[path = "counts_tests.rs"]
mod tests;
