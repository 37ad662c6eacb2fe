//! Human-readable summaries. Counts and file names only: never an identifier.

use std::path::Path;
use std::time::Duration;

use leakmatch_ingest::{Diagnostics, InputStats, KindStats, RejectReason};
use leakmatch_match::{BuildOutcome, KindReport, MatchReport};

use crate::output::Printer;

/// Prints skipped-record diagnostics (count always, details with --verbose) and input warnings;
/// returns how many records were skipped plus how many warnings were given, in all (what
/// `--strict` turns into exit status 1).
pub fn report_diagnostics(printer: &Printer, diags: &[(String, Diagnostics)]) -> u64 {
    let mut total = 0;
    for (input, d) in diags {
        total += d.skipped_total + d.warnings.len() as u64;
        if let Some(choice) = &d.columns_by_content {
            printer.info(format!("{input}: {choice}"));
        }
        if let Some(text) = &d.read_as_free_text {
            printer.info(format!("{input}: {text}"));
        }
        for w in &d.warnings {
            printer.warn(format!("{input}: {w}"));
        }
        if d.skipped_total > 0 {
            printer.warn(format!(
                "{input}: skipped {} unreadable records (use --verbose for line numbers and byte offsets)",
                d.skipped_total
            ));
            for s in &d.skipped {
                printer.detail(format!(
                    "  {input}: line {}, byte offset {}: {}",
                    s.line,
                    s.offset,
                    s.reason.name()
                ));
            }
            if d.skipped_total > d.skipped.len() as u64 {
                printer.detail(format!(
                    "  ... and {} more",
                    d.skipped_total - d.skipped.len() as u64
                ));
            }
        }
    }
    total
}

fn reasons(k: &KindStats) -> String {
    let parts: Vec<String> = RejectReason::ALL
        .iter()
        .filter(|r| k.rejected[r.index()] > 0)
        .map(|r| format!("{} {}", r.name(), k.rejected[r.index()]))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn stats_lines(s: &InputStats) -> String {
    format!(
        "  records          {} ({} skipped), {} bytes\n  msisdn           {} valid; rejected: {}\n  cnic             {} valid; rejected: {}\n  pairs            {}\n",
        s.records,
        s.skipped_records,
        s.bytes,
        s.msisdn.valid,
        reasons(&s.msisdn),
        s.cnic.valid,
        reasons(&s.cnic),
        s.pairs
    )
}

pub fn build_text(o: &BuildOutcome, output: &Path, elapsed: Duration) -> String {
    let h = &o.filter.header;
    let mut s = format!(
        "built {} in {:.2}s\n",
        output.display(),
        elapsed.as_secs_f64()
    );
    s += &stats_lines(&o.totals);
    s += &format!(
        "  tokens           msisdn {}, cnic {}, pair {} (duplicates included)\n",
        h.counts.msisdn, h.counts.cnic, h.counts.pair
    );
    s += &format!(
        "  filter           {} bytes, k = {}, sized for {} tokens{}\n",
        h.params.bytes(),
        h.params.k,
        o.capacity,
        if o.capacity_estimated {
            " (estimated; set --capacity to size it exactly)"
        } else {
            ""
        }
    );
    s += &format!(
        "  false positives  target {:.2e}, measured {:.2e} on random probes, implied by fill {:.2e}\n",
        h.target_fpr,
        h.measured_fpr,
        o.fill.implied_fpr
    );
    if let Some(id) = h.key_id() {
        s += &format!("  key id           {id}");
    }
    s
}

fn kind_line(name: &str, k: &Option<KindReport>) -> String {
    match k {
        None => format!("{name:<7} not in this filter\n"),
        Some(k) => format!(
            "{name:<7} {} tested ({} distinct), {} rows matched, {} distinct matched; expected false positives {:.2}, true matches {:.0} (95% {:.0}-{:.0}){}\n",
            k.tested,
            k.distinct_tested,
            k.rows_matched,
            k.distinct_matched,
            k.expected_false_positives,
            k.estimated_true_matches,
            k.ci95[0],
            k.ci95[1],
            k.warning
                .as_ref()
                .map(|w| format!("; {w}"))
                .unwrap_or_default()
        ),
    }
}

pub fn match_text(r: &MatchReport) -> String {
    let mut s = format!(
        "{} rows read, {} rows with a match (filter key id {}, implied FPR {:.2e})\n",
        r.rows_read, r.rows_matched_any, r.filter.key_id, r.filter.implied_fpr
    );
    s += &kind_line("msisdn", &r.kinds.msisdn);
    s += &kind_line("cnic", &r.kinds.cnic);
    s += &kind_line("pair", &r.kinds.pair);
    if !r.distinct_counts_exact {
        s += "distinct counts are HyperLogLog estimates (±0.81%): they did not fit --memory\n";
    }
    if !r.matched_msisdn_by_operator.is_empty() {
        let parts: Vec<String> = r
            .matched_msisdn_by_operator
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        s += &format!(
            "matched MSISDNs by original prefix allocation: {}\n",
            parts.join(", ")
        );
    }
    if !r.matched_cnic_by_province.is_empty() {
        let parts: Vec<String> = r
            .matched_cnic_by_province
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        s += &format!("matched CNICs by province: {}\n", parts.join(", "));
    }
    if r.kinds
        .pair
        .as_ref()
        .is_some_and(|p| p.distinct_matched > 0)
    {
        s += "pair matches mean identity-registration data (number + CNIC together) of these customers leaked.\n";
    }
    s
}
