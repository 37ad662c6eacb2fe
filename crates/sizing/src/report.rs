//! The size report: counts only, never an identifier. Serialized as the JSON object
//! `leakmatch.size.v1`, documented in the README ("Sizing a breach").

use std::collections::BTreeMap;

use leakmatch_match::InputSummary;
use serde::Serialize;

/// JSON schema name of [`SizeReport`].
pub const SCHEMA: &str = "leakmatch.size.v1";

/// Everything `leakmatch size` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeReport {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Whether every figure (per input, total and overlap) is exact.
    pub exact: bool,
    /// The per-person SIM limit used for `cnics_over_limit`.
    pub sim_limit: u32,
    /// The memory budget for collected keys, in bytes.
    pub memory_limit_bytes: u64,
    /// One entry per input, in the order given.
    pub inputs: Vec<InputSize>,
    /// All inputs together (distinct figures of the union).
    pub total: InputSize,
    /// Pairwise overlap, when asked for (`None` otherwise).
    pub overlap: Option<Vec<Overlap>>,
}

/// What was read from one input (or all of them), and its sizes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSize {
    /// Counters of the read: bytes, records, candidates by rejection reason, pairs.
    #[serde(flatten)]
    pub read: InputSummary,
    /// Distinct identifiers and breakdowns.
    #[serde(flatten)]
    pub sizes: Sizes,
}

/// Distinct identifiers of one input or of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizes {
    /// Exact counts (`true`), or HyperLogLog estimates with 0.81% standard error (`false`).
    pub exact: bool,
    /// Distinct MSISDNs, CNICs and (MSISDN, CNIC) pairs.
    pub distinct: PerKind<u64>,
    /// Share of valid fields (pairs: of record pairs) repeating an identifier seen before:
    /// `(valid − distinct) / valid`, 0 when nothing was valid.
    pub duplicate_ratio: PerKind<f64>,
    /// Distinct MSISDNs by the operator the prefix was originally allocated to (numbers port:
    /// not necessarily the operator serving the number today).
    pub msisdn_by_operator: BTreeMap<&'static str, u64>,
    /// Distinct CNICs by province (first digit).
    pub cnic_by_province: BTreeMap<&'static str, u64>,
    /// Distinct CNICs by gender as registered (last digit odd: male, even: female). Not
    /// authoritative.
    pub cnic_by_registered_gender: BTreeMap<&'static str, u64>,
    /// Distinct MSISDNs per distinct CNIC, over distinct pairs. `None` when estimated.
    pub sims_per_cnic: Option<SimsPerCnic>,
}

/// One figure per identifier kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PerKind<T> {
    /// MSISDNs.
    pub msisdn: T,
    /// CNICs.
    pub cnic: T,
    /// (MSISDN, CNIC) pairs.
    pub pairs: T,
}

/// The SIMs-per-CNIC distribution: a classic SIM-fraud signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimsPerCnic {
    /// Number of SIMs → number of CNICs holding exactly that many distinct MSISDNs.
    pub histogram: BTreeMap<u64, u64>,
    /// CNICs appearing in at least one pair.
    pub cnics_with_pairs: u64,
    /// CNICs with more distinct MSISDNs than the SIM limit.
    pub cnics_over_limit: u64,
    /// The largest number of distinct MSISDNs on one CNIC.
    pub max_sims: u64,
}

/// Overlap of two inputs' distinct identifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// Index of the first input in `inputs`.
    pub a: usize,
    /// Index of the second input in `inputs`.
    pub b: usize,
    /// Exact (`true`) or estimated by inclusion–exclusion of sketches (`false`).
    pub exact: bool,
    /// Per kind.
    pub msisdn: OverlapKind,
    /// Per kind.
    pub cnic: OverlapKind,
    /// Per kind.
    pub pairs: OverlapKind,
}

/// Overlap of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OverlapKind {
    /// Distinct in A.
    pub a: u64,
    /// Distinct in B.
    pub b: u64,
    /// Distinct in both.
    pub both: u64,
    /// `both / a` in percent (0 when A is empty).
    pub pct_of_a: f64,
    /// `both / b` in percent.
    pub pct_of_b: f64,
    /// `both / |A ∪ B|` (0 when both are empty).
    pub jaccard: f64,
}

impl OverlapKind {
    pub(crate) fn new(a: u64, b: u64, both: u64) -> Self {
        let both = both.min(a).min(b);
        let pct = |n: u64| {
            if n == 0 {
                0.0
            } else {
                100.0 * both as f64 / n as f64
            }
        };
        let union = a + b - both;
        OverlapKind {
            a,
            b,
            both,
            pct_of_a: pct(a),
            pct_of_b: pct(b),
            jaccard: if union == 0 {
                0.0
            } else {
                both as f64 / union as f64
            },
        }
    }
}
