//! From collected keys to figures: one pass over sorted distinct keys (or the sketches), the
//! union of several inputs by a k-way merge, and the SIMs-per-CNIC histogram.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use leakmatch_ingest::{InputStats, Operator};

use crate::collect::{Sets, Sketches};
use crate::keys::{category, cnic_category_of, operator_of, pair_cnic, CNIC_CATEGORIES};
use crate::report::{PerKind, SimsPerCnic, Sizes};

/// Distinct counts by category, before naming.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figures {
    pub(crate) exact: bool,
    pub(crate) msisdn: [u64; Operator::COUNT],
    pub(crate) cnic: [u64; CNIC_CATEGORIES],
    pub(crate) pairs: u64,
    /// Distinct MSISDNs per CNIC → CNICs; exact figures only.
    pub(crate) sims: Option<BTreeMap<u64, u64>>,
}

impl Figures {
    /// Exact figures from sorted, deduplicated keys.
    pub(crate) fn from_sorted(
        msisdn: impl Iterator<Item = u64>,
        cnic: impl Iterator<Item = u64>,
        pairs: impl Iterator<Item = u128>,
    ) -> Self {
        let mut f = Figures {
            exact: true,
            msisdn: [0; Operator::COUNT],
            cnic: [0; CNIC_CATEGORIES],
            pairs: 0,
            sims: None,
        };
        tally(msisdn, &mut f.msisdn);
        tally(cnic, &mut f.cnic);
        let (n, histogram) = sims_per_cnic(pairs);
        f.pairs = n;
        f.sims = Some(histogram);
        f
    }

    /// Exact figures of one input.
    pub(crate) fn of_sets(sets: &mut Sets) -> Self {
        let msisdn = sets.msisdn.keys().iter().copied();
        let cnic = sets.cnic.keys().iter().copied();
        let pairs = sets.pairs.keys().iter().copied();
        Figures::from_sorted(msisdn, cnic, pairs)
    }

    /// Exact figures of the union of several inputs.
    pub(crate) fn of_union(sets: &mut [&mut Sets]) -> Self {
        let m: Vec<&[u64]> = sets.iter_mut().map(|s| s.msisdn.keys()).collect();
        let msisdn = Figures::from_sorted(union_sorted(&m), std::iter::empty(), std::iter::empty());
        let c: Vec<&[u64]> = sets.iter_mut().map(|s| s.cnic.keys()).collect();
        let cnic = Figures::from_sorted(std::iter::empty(), union_sorted(&c), std::iter::empty());
        let p: Vec<&[u128]> = sets.iter_mut().map(|s| s.pairs.keys()).collect();
        let pairs = Figures::from_sorted(std::iter::empty(), std::iter::empty(), union_sorted(&p));
        Figures {
            msisdn: msisdn.msisdn,
            cnic: cnic.cnic,
            ..pairs
        }
    }

    /// Estimated figures from sketches.
    pub(crate) fn of_sketches(s: &Sketches) -> Self {
        let mut f = Figures {
            exact: false,
            msisdn: [0; Operator::COUNT],
            cnic: [0; CNIC_CATEGORIES],
            pairs: s.pairs.estimate().round() as u64,
            sims: None,
        };
        for (out, h) in f.msisdn.iter_mut().zip(&s.msisdn) {
            *out = h.estimate().round() as u64;
        }
        for (out, h) in f.cnic.iter_mut().zip(&s.cnic) {
            *out = h.estimate().round() as u64;
        }
        f
    }

    /// Distinct counts per kind.
    pub(crate) fn distinct(&self) -> PerKind<u64> {
        PerKind {
            msisdn: self.msisdn.iter().sum(),
            cnic: self.cnic.iter().sum(),
            pairs: self.pairs,
        }
    }

    /// Names the categories and adds ratios.
    pub(crate) fn into_sizes(self, stats: &InputStats, sim_limit: u32) -> Sizes {
        let distinct = self.distinct();
        let ratio = |valid: u64, distinct: u64| {
            if valid == 0 {
                0.0
            } else {
                valid.saturating_sub(distinct) as f64 / valid as f64
            }
        };
        let mut by_province = BTreeMap::new();
        let mut by_gender = BTreeMap::new();
        for (cat, &n) in self.cnic.iter().enumerate() {
            if let Some((province, gender)) = cnic_category_of(cat) {
                *by_province.entry(province.name()).or_insert(0) += n;
                *by_gender.entry(gender.name()).or_insert(0) += n;
            }
        }
        let by_operator = (0..Operator::COUNT)
            .filter_map(|cat| Some((operator_of(cat)?.name(), self.msisdn[cat])))
            .collect();
        let sims = self.sims.map(|histogram| SimsPerCnic {
            cnics_with_pairs: histogram.values().sum(),
            cnics_over_limit: histogram
                .range(u64::from(sim_limit) + 1..)
                .map(|(_, n)| n)
                .sum(),
            max_sims: histogram.keys().next_back().copied().unwrap_or(0),
            histogram,
        });
        Sizes {
            exact: self.exact,
            distinct,
            duplicate_ratio: PerKind {
                msisdn: ratio(stats.msisdn.valid, distinct.msisdn),
                cnic: ratio(stats.cnic.valid, distinct.cnic),
                pairs: ratio(stats.pairs, distinct.pairs),
            },
            msisdn_by_operator: by_operator,
            cnic_by_province: by_province,
            cnic_by_registered_gender: by_gender,
            sims_per_cnic: sims,
        }
    }
}

/// Counts sorted keys by category.
fn tally(keys: impl Iterator<Item = u64>, counts: &mut [u64]) {
    for key in keys {
        if let Some(n) = counts.get_mut(category(key)) {
            *n += 1;
        }
    }
}

/// Distinct pairs, and the histogram of run lengths by CNIC over pairs sorted by CNIC key.
pub(crate) fn sims_per_cnic(pairs: impl Iterator<Item = u128>) -> (u64, BTreeMap<u64, u64>) {
    let mut histogram = BTreeMap::new();
    let (mut total, mut run, mut current) = (0u64, 0u64, None);
    for pair in pairs {
        total += 1;
        let cnic = pair_cnic(pair);
        if current == Some(cnic) {
            run += 1;
        } else {
            if run > 0 {
                *histogram.entry(run).or_insert(0) += 1;
            }
            current = Some(cnic);
            run = 1;
        }
    }
    if run > 0 {
        *histogram.entry(run).or_insert(0) += 1;
    }
    (total, histogram)
}

/// The distinct values of several sorted, deduplicated slices, in order (k-way merge).
pub(crate) fn union_sorted<'a, T: Ord + Copy + 'a>(
    slices: &'a [&'a [T]],
) -> impl Iterator<Item = T> + 'a {
    let mut heap: BinaryHeap<Reverse<(T, usize, usize)>> = slices
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some(Reverse((*s.first()?, i, 0))))
        .collect();
    let mut last = None;
    std::iter::from_fn(move || loop {
        let Reverse((value, slice, pos)) = heap.pop()?;
        if let Some(&next) = slices.get(slice).and_then(|s| s.get(pos + 1)) {
            heap.push(Reverse((next, slice, pos + 1)));
        }
        if last != Some(value) {
            last = Some(value);
            return Some(value);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{pair_key, ID_BITS};

    #[test]
    fn union_merges_and_deduplicates() {
        let (a, b, c) = (
            [1u64, 4, 9][..].to_vec(),
            vec![2u64, 4, 10],
            Vec::<u64>::new(),
        );
        let slices = [&a[..], &b[..], &c[..]];
        assert_eq!(union_sorted(&slices).collect::<Vec<_>>(), [1, 2, 4, 9, 10]);
        assert_eq!(union_sorted::<u64>(&[]).count(), 0);
    }

    #[test]
    fn histogram_counts_runs_by_cnic() {
        // CNIC 7 has three SIMs, CNIC 8 one, CNIC 9 two.
        let pairs = [(1, 7), (2, 7), (3, 7), (1, 8), (5, 9), (6, 9)].map(|(m, c)| pair_key(m, c));
        let (n, h) = sims_per_cnic(pairs.into_iter());
        assert_eq!(n, 6);
        assert_eq!(h, BTreeMap::from([(1, 1), (2, 1), (3, 1)]));
        assert_eq!(sims_per_cnic(std::iter::empty()).1, BTreeMap::new());
    }

    #[test]
    fn sorted_dedup_then_figures_by_category() {
        let mut sets = Sets::default();
        let jazz = 0u64 << ID_BITS;
        let telenor = (Operator::Telenor.index() as u64) << ID_BITS;
        for k in [jazz | 5, telenor | 1, jazz | 5, jazz | 2] {
            sets.msisdn.push(k);
        }
        // Category 5 = Punjab (index 2) female; 4 = Punjab male.
        for k in [
            (5u64 << ID_BITS) | 3,
            (4 << ID_BITS) | 3,
            (5 << ID_BITS) | 3,
        ] {
            sets.cnic.push(k);
        }
        for p in [
            pair_key(1, 3),
            pair_key(2, 3),
            pair_key(1, 3),
            pair_key(9, 4),
        ] {
            sets.pairs.push(p);
        }
        sets.finish();
        let f = Figures::of_sets(&mut sets);
        assert_eq!(
            f.distinct(),
            PerKind {
                msisdn: 3,
                cnic: 2,
                pairs: 3
            }
        );
        let stats = InputStats {
            pairs: 4,
            ..InputStats::default()
        };
        let sizes = f.into_sizes(&stats, 1);
        assert_eq!(sizes.msisdn_by_operator["jazz"], 2);
        assert_eq!(sizes.msisdn_by_operator["telenor"], 1);
        assert_eq!(sizes.cnic_by_province["punjab"], 2);
        assert_eq!(sizes.cnic_by_registered_gender["female"], 1);
        assert_eq!(sizes.duplicate_ratio.pairs, 0.25);
        let sims = sizes.sims_per_cnic.unwrap();
        assert_eq!(
            (sims.cnics_with_pairs, sims.cnics_over_limit, sims.max_sims),
            (2, 1, 2)
        );
    }
}
