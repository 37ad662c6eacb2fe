//! Collecting one input: a [`RecordSink`] per chunk turns identifiers into sort keys, charged
//! against a shared memory budget; past the budget, every sink switches to shared HyperLogLog
//! sketches. Holds no identifier: only keys from [`Keyer`].

use std::sync::OnceLock;

use leakmatch_ingest::{Operator, Record, RecordSink};
use leakmatch_match::DistinctSet;

use crate::keys::{category, pair_key, Keyer, CNIC_CATEGORIES};
use leakmatch_match::hll::{mix128, mix64, Hll};
use leakmatch_match::Budget;

/// Bytes per collected MSISDN or CNIC key, and per pair key.
pub(crate) const KEY_BYTES: u64 = 8;
pub(crate) const PAIR_BYTES: u64 = 16;
/// Sinks charge the budget in steps of this many bytes (not per record: the counter is shared).
const CHARGE_STEP: u64 = 256 << 10;

/// HyperLogLog sketches of one input (or a union), one per category.
#[derive(Debug)]
pub(crate) struct Sketches {
    pub(crate) msisdn: Vec<Hll>,
    pub(crate) cnic: Vec<Hll>,
    pub(crate) pairs: Hll,
}

impl Sketches {
    pub(crate) fn new() -> Self {
        Sketches {
            msisdn: (0..Operator::COUNT).map(|_| Hll::new()).collect(),
            cnic: (0..CNIC_CATEGORIES).map(|_| Hll::new()).collect(),
            pairs: Hll::new(),
        }
    }
    #[inline]
    fn add_msisdn(&self, key: u64) {
        if let Some(h) = self.msisdn.get(category(key)) {
            h.insert_hash(mix64(key));
        }
    }
    #[inline]
    fn add_cnic(&self, key: u64) {
        if let Some(h) = self.cnic.get(category(key)) {
            h.insert_hash(mix64(key));
        }
    }
    /// Adds every key of exact sets.
    pub(crate) fn absorb(&self, sets: &mut Sets) {
        sets.msisdn.keys().iter().for_each(|&k| self.add_msisdn(k));
        sets.cnic.keys().iter().for_each(|&k| self.add_cnic(k));
        sets.pairs
            .keys()
            .iter()
            .for_each(|&p| self.pairs.insert_hash(mix128(p)));
    }
    /// Adds everything `other` holds.
    pub(crate) fn merge(&self, other: &Sketches) {
        self.msisdn
            .iter()
            .zip(&other.msisdn)
            .for_each(|(a, b)| a.merge(b));
        self.cnic
            .iter()
            .zip(&other.cnic)
            .for_each(|(a, b)| a.merge(b));
        self.pairs.merge(&other.pairs);
    }
}

/// Exact key sets of one input (sorted and deduplicated once finished).
#[derive(Debug, Default)]
pub(crate) struct Sets {
    pub(crate) msisdn: DistinctSet<u64>,
    pub(crate) cnic: DistinctSet<u64>,
    pub(crate) pairs: DistinctSet<u128>,
}

impl Sets {
    fn absorb(&mut self, other: Sets) {
        self.msisdn.absorb(other.msisdn);
        self.cnic.absorb(other.cnic);
        self.pairs.absorb(other.pairs);
    }
    /// Sorts and deduplicates; returns the bytes the distinct keys occupy.
    pub(crate) fn finish(&mut self) -> u64 {
        rayon::join(
            || self.msisdn.finish_on_this_thread(),
            || {
                rayon::join(
                    || self.cnic.finish_on_this_thread(),
                    || self.pairs.finish_on_this_thread(),
                )
            },
        );
        (self.msisdn.len() + self.cnic.len()) * KEY_BYTES + self.pairs.len() * PAIR_BYTES
    }
}

/// One input's identifiers: exact sets, or sketches once the budget was exceeded.
#[derive(Debug)]
pub(crate) enum Collected {
    Exact(Sets),
    Estimated(Sketches),
}

impl Collected {
    /// Converts exact sets into sketches (frees the sets).
    pub(crate) fn into_estimated(self) -> Sketches {
        match self {
            Collected::Estimated(s) => s,
            Collected::Exact(mut sets) => {
                let sketches = Sketches::new();
                sketches.absorb(&mut sets);
                sketches
            }
        }
    }
}

/// What every chunk's sink shares.
pub(crate) struct Shared<'a> {
    pub(crate) keyer: &'a Keyer,
    pub(crate) budget: &'a Budget,
    /// This input's sketches, made when the budget is first exceeded.
    pub(crate) sketches: &'a OnceLock<Sketches>,
}

impl Shared<'_> {
    fn sketches(&self) -> &Sketches {
        self.sketches.get_or_init(Sketches::new)
    }

    /// Assembles the chunks' sets in input order, sorted and deduplicated. `None` if the budget
    /// was exceeded: then everything went into [`Shared::sketches`].
    pub(crate) fn collect(&self, sinks: Vec<SizingSink<'_>>) -> Option<Sets> {
        // The last bytes of every chunk, so the decision below sees the true total.
        self.budget.charge(sinks.iter().map(|s| s.uncharged).sum());
        let collected: u64 = sinks.iter().map(|s| s.bytes).sum();
        if self.budget.is_over() {
            let sketches = self.sketches();
            for mut sink in sinks {
                sketches.absorb(&mut sink.sets);
            }
            self.budget.release(collected);
            return None;
        }
        let mut sets = Sets::default();
        for sink in sinks {
            sets.absorb(sink.sets);
        }
        let kept = sets.finish();
        self.budget.release(collected.saturating_sub(kept));
        Some(sets)
    }
}

/// The sink of one chunk.
pub(crate) struct SizingSink<'a> {
    shared: &'a Shared<'a>,
    sets: Sets,
    /// Bytes collected by this sink.
    bytes: u64,
    /// Bytes collected but not yet charged to the budget.
    uncharged: u64,
}

impl<'a> SizingSink<'a> {
    pub(crate) fn new(shared: &'a Shared<'a>) -> Self {
        SizingSink {
            shared,
            sets: Sets::default(),
            bytes: 0,
            uncharged: 0,
        }
    }
}

impl RecordSink for SizingSink<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let keyer = self.shared.keyer;
        if self.shared.budget.is_over() {
            let sketches = self.shared.sketches();
            for m in record.msisdns {
                sketches.add_msisdn(keyer.msisdn(m));
            }
            let pairs = record.forms_pairs();
            for c in record.cnics {
                let ck = keyer.cnic(c);
                sketches.add_cnic(ck);
                for m in record.msisdns.iter().filter(|_| pairs) {
                    sketches
                        .pairs
                        .insert_hash(mix128(pair_key(keyer.msisdn(m), ck)));
                }
            }
            return;
        }
        for m in record.msisdns {
            self.sets.msisdn.push(keyer.msisdn(m));
        }
        let pairs = record.forms_pairs();
        for c in record.cnics {
            let ck = keyer.cnic(c);
            self.sets.cnic.push(ck);
            for m in record.msisdns.iter().filter(|_| pairs) {
                self.sets.pairs.push(pair_key(keyer.msisdn(m), ck));
            }
        }
        let (nm, nc) = (record.msisdns.len() as u64, record.cnics.len() as u64);
        let np = if pairs { nm * nc } else { 0 };
        let bytes = (nm + nc) * KEY_BYTES + np * PAIR_BYTES;
        self.bytes += bytes;
        self.uncharged += bytes;
        if self.uncharged >= CHARGE_STEP {
            self.shared.budget.charge(self.uncharged);
            self.uncharged = 0;
        }
    }
}
