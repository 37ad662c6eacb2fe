//! The match report: counts only, never an identifier. Serialized as the stable JSON object
//! `leakmatch.match.v1` (documented in the README, section "JSON output").

use std::collections::BTreeMap;

use leakmatch_ingest::{InputStats, KindStats, RejectReason};
use serde::Serialize;

/// Identifier candidates of one kind: valid, and rejected by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RejectCounts {
    /// Candidates that normalized.
    pub valid: u64,
    /// Empty fields.
    pub empty: u64,
    /// Digits of the right shape that are not a PK mobile number (or an invalid CNIC).
    pub not_mobile: u64,
    /// Wrong number of digits.
    pub bad_length: u64,
    /// Scientific notation: digits lost, never guessed.
    pub lossy: u64,
    /// Other characters.
    pub junk: u64,
}

impl From<&KindStats> for RejectCounts {
    fn from(s: &KindStats) -> Self {
        let r = |reason: RejectReason| s.rejected[reason.index()];
        RejectCounts {
            valid: s.valid,
            empty: r(RejectReason::Empty),
            not_mobile: r(RejectReason::NotMobile),
            bad_length: r(RejectReason::BadLength),
            lossy: r(RejectReason::Lossy),
            junk: r(RejectReason::Junk),
        }
    }
}

/// What was read from one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    /// The input as given (path or `<stdin>`).
    pub name: String,
    /// Format used (`csv`, `jsonl`, `sql`, `scan`).
    pub format: String,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Data records.
    pub records: u64,
    /// Records that could not be parsed and were skipped.
    pub skipped_records: u64,
    /// MSISDN candidates.
    pub msisdn: RejectCounts,
    /// CNIC candidates.
    pub cnic: RejectCounts,
    /// (MSISDN, CNIC) pairs.
    pub pairs: u64,
}

impl InputSummary {
    /// Summarizes one input's counters.
    pub fn new(name: String, format: String, s: &InputStats) -> Self {
        InputSummary {
            name,
            format,
            bytes: s.bytes,
            records: s.records,
            skipped_records: s.skipped_records,
            msisdn: (&s.msisdn).into(),
            cnic: (&s.cnic).into(),
            pairs: s.pairs,
        }
    }
}

/// Match figures for one token kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindReport {
    /// Valid identifiers (or pairs) tested, duplicates included.
    pub tested: u64,
    /// Distinct identifiers (or pairs) tested.
    pub distinct_tested: u64,
    /// Input rows with at least one match of this kind.
    pub rows_matched: u64,
    /// Distinct identifiers (or pairs) that matched.
    pub distinct_matched: u64,
    /// Expected false positives among the distinct non-members tested.
    pub expected_false_positives: f64,
    /// False-positive-corrected estimate of true distinct matches.
    pub estimated_true_matches: f64,
    /// 95% interval of that estimate, `[low, high]`.
    pub ci95: [f64; 2],
    /// Why these estimates are unreliable, when the filter was matched despite an implied
    /// false-positive rate far above its target (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Per-kind reports; a kind absent from the filter is `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindsReport {
    /// Single MSISDNs.
    pub msisdn: Option<KindReport>,
    /// Single CNICs.
    pub cnic: Option<KindReport>,
    /// (MSISDN, CNIC) pairs of one record.
    pub pair: Option<KindReport>,
}

/// The filter as the report describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterSummary {
    /// Public key id the filter was built with (absent for an online filter).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_id: String,
    /// Kinds present in the filter.
    pub kinds: Vec<String>,
    /// Target false-positive rate at build time.
    pub target_fpr: f64,
    /// False-positive rate measured at build time.
    pub measured_fpr: f64,
    /// False-positive rate implied by the filter's fill (used for the corrections).
    pub implied_fpr: f64,
    /// Whether that rate is more than 10x the target (matched only with `--accept-high-fpr`;
    /// absent when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fpr_far_above_target: bool,
    /// An online filter's file, epoch, public key and digest (`query`; absent for a
    /// shared-key filter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<OnlineFilterSummary>,
}

/// What identifies an online filter in a `query` report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnlineFilterSummary {
    /// The filter file as given.
    pub path: String,
    /// The server's key epoch it was published under.
    pub epoch: u64,
    /// That epoch's OPRF public key (64 hex digits).
    pub public_key: String,
    /// BLAKE3 of the whole file (64 hex digits), as the epoch's descriptor lists it.
    pub digest: String,
}

/// Everything `leakmatch match` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    /// Always `leakmatch.match.v1`.
    pub schema: &'static str,
    /// The filter tested against.
    pub filter: FilterSummary,
    /// What was read from each input.
    pub inputs: Vec<InputSummary>,
    /// Data rows read over all inputs.
    pub rows_read: u64,
    /// Rows with at least one match of any kind.
    pub rows_matched_any: u64,
    /// Figures per kind.
    pub kinds: KindsReport,
    /// Whether the distinct counts (and the breakdowns below) are exact. False when they
    /// would not fit the memory limit (`--memory`): they are then HyperLogLog estimates,
    /// ±0.81% standard error.
    pub distinct_counts_exact: bool,
    /// Distinct matched MSISDNs by original operator allocation of the prefix (numbers port:
    /// this is who was allocated the prefix, not who serves the number today).
    pub matched_msisdn_by_operator: BTreeMap<&'static str, u64>,
    /// Distinct matched CNICs by the province of the first digit.
    pub matched_cnic_by_province: BTreeMap<&'static str, u64>,
}

/// Schema tag of [`MatchReport`].
pub const MATCH_SCHEMA: &str = "leakmatch.match.v1";
