//! Ground truth, computed by construction with exact sets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::row::Row;
use crate::RejectReason;

/// Exact counts for one generated file (a dump or a base).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTruth {
    /// Data rows (records; Text: lines), excluding any header.
    pub rows: u64,
    /// Distinct valid canonical MSISDNs.
    pub distinct_msisdn: u64,
    /// Distinct valid canonical CNICs.
    pub distinct_cnic: u64,
    /// Distinct (MSISDN, CNIC) pairs from records holding both, valid.
    pub distinct_pairs: u64,
    /// MSISDN fields that normalize (with repeats).
    pub valid_msisdn_fields: u64,
    /// CNIC fields that normalize (with repeats).
    pub valid_cnic_fields: u64,
    /// Records holding a valid MSISDN and a valid CNIC (pairs emitted, with repeats).
    pub pair_records: u64,
    /// Records holding at least one valid identifier.
    pub records_with_valid_id: u64,
    /// Rejected MSISDN fields by [`RejectReason::name`] (all five keys, zeros included).
    /// Text (scan mode) never holds junk identifiers: all zero.
    pub rejected_msisdn_by_reason: BTreeMap<String, u64>,
    /// Rejected CNIC fields by reason (all five keys; `not_mobile` is always 0).
    pub rejected_cnic_by_reason: BTreeMap<String, u64>,
    /// Distinct MSISDNs by original allocation: `jazz`, `zong`, `ufone`, `telenor`, `sco`,
    /// `instaphone` (all keys).
    pub distinct_msisdn_by_operator: BTreeMap<String, u64>,
    /// Distinct CNICs by province digit: `khyber_pakhtunkhwa`, `fata`, `punjab`, `sindh`,
    /// `balochistan`, `islamabad`, `gilgit_baltistan` (all keys).
    pub distinct_cnic_by_province: BTreeMap<String, u64>,
    /// Distinct CNICs by last digit parity: `male` (odd), `female` (even).
    pub distinct_cnic_by_registered_gender: BTreeMap<String, u64>,
    /// Distinct MSISDNs per distinct CNIC, over distinct pairs: SIM count → number of CNICs.
    pub sims_per_cnic_histogram: BTreeMap<u32, u64>,
}

/// Base identifiers that also occur (valid) in the dump.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlapTruth {
    /// Distinct valid base MSISDNs present among the dump's valid MSISDNs.
    pub msisdn: u64,
    /// Distinct valid base CNICs present among the dump's valid CNICs.
    pub cnic: u64,
    /// Distinct base pairs present among the dump's pairs.
    pub pair: u64,
    /// Base rows whose valid MSISDN or valid CNIC occurs in the dump.
    pub base_rows_matching_any: u64,
}

/// Everything a generated dump (and base) is known to contain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The dump.
    pub dump: SetTruth,
    /// The subscriber base, if one was generated.
    pub base: Option<SetTruth>,
    /// Base ∩ dump, if a base was generated.
    pub overlap: Option<OverlapTruth>,
}

/// Sorted distinct identifiers of one file.
#[derive(Debug, Default)]
pub(crate) struct Sets {
    pub msisdns: Vec<u64>,
    pub cnics: Vec<u64>,
    /// `cnic << 64 | national`: sorted by CNIC first.
    pub pairs: Vec<u128>,
}

/// A growing set kept as a vector, sorted and deduplicated whenever it doubles.
struct Compacting<T: Ord> {
    items: Vec<T>,
    next_compaction: usize,
}

impl<T: Ord> Compacting<T> {
    fn new() -> Self {
        Compacting {
            items: Vec::new(),
            next_compaction: 1 << 16,
        }
    }
    fn push(&mut self, v: T) {
        self.items.push(v);
        if self.items.len() >= self.next_compaction {
            self.compact();
            self.next_compaction = (self.items.len() * 2).max(1 << 16);
        }
    }
    fn compact(&mut self) {
        self.items.sort_unstable();
        self.items.dedup();
    }
    fn finish(mut self) -> Vec<T> {
        self.compact();
        self.items.shrink_to_fit();
        self.items
    }
}

/// Accumulates one file's truth row by row.
pub(crate) struct Acc {
    t: SetTruth,
    rej_m: [u64; RejectReason::COUNT],
    rej_c: [u64; RejectReason::COUNT],
    msisdns: Compacting<u64>,
    cnics: Compacting<u64>,
    pairs: Compacting<u128>,
}

pub(crate) fn pair_key(national: u64, cnic: u64) -> u128 {
    (u128::from(cnic) << 64) | u128::from(national)
}

/// Original allocation of a national mobile number, by its first three digits.
pub(crate) fn operator(national: u64) -> &'static str {
    match national / 10_000_000 {
        300..=309 | 320..=329 => "jazz",
        310..=319 | 370..=379 => "zong",
        330..=339 => "ufone",
        340..=349 => "telenor",
        355 => "sco",
        _ => "instaphone",
    }
}

const OPERATORS: [&str; 6] = ["jazz", "zong", "ufone", "telenor", "sco", "instaphone"];
const PROVINCES: [&str; 7] = [
    "khyber_pakhtunkhwa",
    "fata",
    "punjab",
    "sindh",
    "balochistan",
    "islamabad",
    "gilgit_baltistan",
];

fn zeroed(keys: &[&str]) -> BTreeMap<String, u64> {
    keys.iter().map(|k| ((*k).to_owned(), 0)).collect()
}

fn by_reason(counts: &[u64; RejectReason::COUNT]) -> BTreeMap<String, u64> {
    RejectReason::ALL
        .iter()
        .map(|r| (r.name().to_owned(), counts[r.index()]))
        .collect()
}

impl Acc {
    pub(crate) fn new() -> Acc {
        Acc {
            t: SetTruth::default(),
            rej_m: [0; RejectReason::COUNT],
            rej_c: [0; RejectReason::COUNT],
            msisdns: Compacting::new(),
            cnics: Compacting::new(),
            pairs: Compacting::new(),
        }
    }

    /// Counts one row. `junk_rendered`: whether rejected fields appear in the output (not in
    /// Text, which leaves them out).
    pub(crate) fn observe(&mut self, row: &Row, junk_rendered: bool) {
        self.t.rows += 1;
        let (m, c) = (row.msisdn.valid(), row.cnic.valid());
        if junk_rendered {
            if let super::row::Field::Reject(_, r) = &row.msisdn {
                self.rej_m[r.index()] += 1;
            }
            if let super::row::Field::Reject(_, r) = &row.cnic {
                self.rej_c[r.index()] += 1;
            }
        }
        if let Some(m) = m {
            self.t.valid_msisdn_fields += 1;
            self.msisdns.push(m);
        }
        if let Some(c) = c {
            self.t.valid_cnic_fields += 1;
            self.cnics.push(c);
        }
        if let (Some(m), Some(c)) = (m, c) {
            self.t.pair_records += 1;
            self.pairs.push(pair_key(m, c));
        }
        if m.is_some() || c.is_some() {
            self.t.records_with_valid_id += 1;
        }
    }

    pub(crate) fn finish(self) -> (SetTruth, Sets) {
        let mut t = self.t;
        let sets = Sets {
            msisdns: self.msisdns.finish(),
            cnics: self.cnics.finish(),
            pairs: self.pairs.finish(),
        };
        t.distinct_msisdn = sets.msisdns.len() as u64;
        t.distinct_cnic = sets.cnics.len() as u64;
        t.distinct_pairs = sets.pairs.len() as u64;
        t.rejected_msisdn_by_reason = by_reason(&self.rej_m);
        t.rejected_cnic_by_reason = by_reason(&self.rej_c);
        t.distinct_msisdn_by_operator = zeroed(&OPERATORS);
        for &m in &sets.msisdns {
            *t.distinct_msisdn_by_operator
                .entry(operator(m).to_owned())
                .or_default() += 1;
        }
        t.distinct_cnic_by_province = zeroed(&PROVINCES);
        t.distinct_cnic_by_registered_gender = zeroed(&["male", "female"]);
        for &c in &sets.cnics {
            let p = PROVINCES[((c / 1_000_000_000_000) as usize).clamp(1, 7) - 1];
            *t.distinct_cnic_by_province.entry(p.to_owned()).or_default() += 1;
            let g = if c % 2 == 1 { "male" } else { "female" };
            *t.distinct_cnic_by_registered_gender
                .entry(g.to_owned())
                .or_default() += 1;
        }
        let mut i = 0;
        while i < sets.pairs.len() {
            let cnic = sets.pairs[i] >> 64;
            let run = sets.pairs[i..]
                .iter()
                .take_while(|p| **p >> 64 == cnic)
                .count();
            *t.sims_per_cnic_histogram.entry(run as u32).or_default() += 1;
            i += run;
        }
        (t, sets)
    }
}

/// Size of the intersection of two sorted distinct slices.
pub(crate) fn intersect<T: Ord>(a: &[T], b: &[T]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}
