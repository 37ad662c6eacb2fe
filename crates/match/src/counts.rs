//! Distinct counts of a match run: exact under a memory budget, HyperLogLog estimates past it.
//!
//! Every sink keeps the integer keys of the identifiers it tested and matched (8 bytes per
//! MSISDN or CNIC tested, 16 per pair tested and per match) and charges them to the run's
//! shared [`Budget`] in steps. Sorting and deduplicating them at the end gives exact distinct
//! counts and the operator and province breakdowns. Once the budget is exceeded, each sink
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

    fn absorb(&self, keys: &Keys) {
        let tested = [&keys.tested[MSISDN], &keys.tested[CNIC]];
        for (kind, set) in tested.into_iter().enumerate() {
            set.raw()
                .iter()
                .for_each(|&k| self.add_tested(kind, u128::from(k)));
        }
        keys.tested_pair
            .raw()
            .iter()
            .for_each(|&k| self.add_tested(PAIR, k));
        for (kind, set) in keys.matched.iter().enumerate() {
            set.raw().iter().for_each(|&k| self.add_matched(kind, k));
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

/// Exact keys held by one sink (or, once absorbed, by the run).
#[derive(Default)]
struct Keys {
    /// MSISDN and CNIC keys tested.
    tested: [DistinctSet<u64>; 2],
    tested_pair: DistinctSet<u128>,
    matched: [DistinctSet<u128>; KINDS],
}

impl Keys {
    /// Sorts and deduplicates every set, the sets side by side on the rayon pool.
    fn finish(&mut self) {
        let Keys {
            tested: [m, c],
            tested_pair,
            matched: [mm, mc, mp],
        } = self;
        rayon::scope(|s| {
            // Largest first, so the small ones fill in around them.
            s.spawn(|_| tested_pair.finish_on_this_thread());
            s.spawn(|_| m.finish_on_this_thread());
            s.spawn(|_| c.finish_on_this_thread());
            s.spawn(|_| mp.finish_on_this_thread());
            s.spawn(|_| mm.finish_on_this_thread());
            s.spawn(|_| mc.finish_on_this_thread());
        });
    }

    fn absorb(&mut self, other: Keys) {
        let Keys {
            tested: [m, c],
            tested_pair,
            matched,
        } = other;
        self.tested[MSISDN].absorb(m);
        self.tested[CNIC].absorb(c);
        self.tested_pair.absorb(tested_pair);
        for (mine, theirs) in self.matched.iter_mut().zip(matched) {
            mine.absorb(theirs);
        }
    }
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

    /// An identifier (or pair) of `kind` was tested.
    #[inline]
    pub(crate) fn tested(&mut self, kind: usize, key: u128) {
        if self.budget.is_over() {
            self.sketches.add_tested(kind, key);
            return;
        }
        match kind {
            MSISDN | CNIC => self.keys.tested[kind].push(key as u64),
            _ => self.keys.tested_pair.push(key),
        }
        self.charge(if kind == PAIR { 16 } else { 8 });
    }

    /// An identifier (or pair) of `kind` matched.
    #[inline]
    pub(crate) fn matched(&mut self, kind: usize, key: u128) {
        if self.budget.is_over() {
            self.sketches.add_matched(kind, key);
            return;
        }
        self.keys.matched[kind].push(key);
        self.charge(16);
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
        let keys = &mut self.keys;
        keys.finish();
        let mut by_operator = BTreeMap::new();
        for &key in keys.matched[MSISDN].keys() {
            if let Some(m) = msisdn_from_key(key as u64) {
                *by_operator.entry(m.operator().name()).or_insert(0) += 1;
            }
        }
        let mut by_province = BTreeMap::new();
        for &key in keys.matched[CNIC].keys() {
            if let Some(c) = cnic_from_key(key as u64) {
                *by_province.entry(c.province().name()).or_insert(0) += 1;
            }
        }
        DistinctCounts {
            exact: true,
            tested: [
                keys.tested[MSISDN].len(),
                keys.tested[CNIC].len(),
                keys.tested_pair.len(),
            ],
            matched: std::array::from_fn(|k| keys.matched[k].len()),
            matched_by_operator: by_operator,
            matched_by_province: by_province,
        }
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
