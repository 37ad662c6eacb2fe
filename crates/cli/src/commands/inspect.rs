//! `leakmatch inspect`: what a filter holds and what it would cost to enumerate it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::{Filter, TokenKind};
use serde_json::json;

use crate::output::stdout_write;

/// Valid national mobile numbers under `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`:
/// (5·10 + 9 + 1 + 1) · 10^7.
pub const MSISDN_SPACE: f64 = 6.1e8;
/// Valid CNICs: first digit 1–7, eleven free digits, last digit 1–9.
pub const CNIC_SPACE: f64 = 7.0 * 1e11 * 9.0;
/// Identifiers per second per core a key holder can test: batched SIMD hashing (~82M/s) then a
/// filter lookup (~28–38M/s), as measured by this project's benchmarks (BENCHMARKS.md).
pub const TESTS_PER_CORE_SECOND: f64 = 2.0e7;

pub fn run(path: &Path, as_json: bool, no_mmap: bool) -> anyhow::Result<ExitCode> {
    let open = if no_mmap { Filter::load } else { Filter::map };
    let filter = open(path).with_context(|| format!("cannot use filter {}", path.display()))?;
    let h = &filter.header;
    let fill = filter.bloom.fill_stats();
    let kinds: Vec<&str> = TokenKind::ALL
        .iter()
        .filter(|k| h.kinds.contains(**k))
        .map(|k| k.name())
        .collect();
    let costs: Vec<serde_json::Value> = TokenKind::ALL
        .iter()
        .filter(|k| h.kinds.contains(**k))
        .map(|k| enumeration_cost(*k))
        .collect();
    if as_json {
        let v = json!({
            "schema": "leakmatch.inspect.v1",
            "file": path.display().to_string(),
            "key_id": h.key_id.to_string(),
            "normalization_version": h.normalization_version,
            "kinds": kinds,
            "tokens_inserted": { "msisdn": h.counts.msisdn, "cnic": h.counts.cnic, "pair": h.counts.pair },
            "blocks": h.params.blocks,
            "k": h.params.k,
            "filter_bytes": h.params.bytes(),
            "target_fpr": h.target_fpr,
            "measured_fpr": h.measured_fpr,
            "fill_ratio": fill.fill_ratio,
            "estimated_distinct_tokens": fill.estimated_distinct,
            "implied_fpr": fill.implied_fpr,
            "created_unix": h.created_unix,
            "tool_version": h.tool_version,
            "enumeration_cost": costs,
        });
        stdout_write(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    s += &format!("filter            {}\n", path.display());
    s += &format!("key id            {}\n", h.key_id);
    s += &format!(
        "made by           {} (normalization v{})\n",
        h.tool_version, h.normalization_version
    );
    s += &format!("kinds             {}\n", kinds.join(", "));
    s += &format!(
        "tokens inserted   msisdn {}, cnic {}, pair {} (duplicates included)\n",
        h.counts.msisdn, h.counts.cnic, h.counts.pair
    );
    s += &format!(
        "size              {} bytes, {} blocks of 512 bits, k = {}\n",
        h.params.bytes(),
        h.params.blocks,
        h.params.k
    );
    s += &format!(
        "fill              {:.4}% of bits set\n",
        fill.fill_ratio * 100.0
    );
    s += &format!(
        "distinct tokens   about {:.0} (estimated from the fill)\n",
        fill.estimated_distinct
    );
    s += &format!(
        "false positives   target {:.2e}, measured at build {:.2e}, implied by fill {:.2e}\n",
        h.target_fpr, h.measured_fpr, fill.implied_fpr
    );
    s += "enumeration cost for someone holding the key:\n";
    for c in &costs {
        s += &format!(
            "  {:<7} {}\n",
            c["kind"].as_str().unwrap_or(""),
            c["summary"].as_str().unwrap_or("")
        );
    }
    stdout_write(&s)?;
    Ok(ExitCode::SUCCESS)
}

/// What it costs a key holder to test every possible identifier of a kind against the filter.
fn enumeration_cost(kind: TokenKind) -> serde_json::Value {
    let (space, summary) = match kind {
        TokenKind::Msisdn => {
            let secs = MSISDN_SPACE / TESTS_PER_CORE_SECOND;
            (MSISDN_SPACE, format!(
                "{MSISDN_SPACE:.1e} valid numbers: about {secs:.0} core-seconds. Anyone with the key can recover every number in the filter."
            ))
        }
        TokenKind::Cnic => {
            let hours = CNIC_SPACE / TESTS_PER_CORE_SECOND / 3600.0;
            (CNIC_SPACE, format!(
                "{CNIC_SPACE:.1e} valid CNICs: about {hours:.0} core-hours. Recoverable by a key holder with a modest cluster."
            ))
        }
        TokenKind::Pair => {
            let space = MSISDN_SPACE * CNIC_SPACE;
            let hours = CNIC_SPACE / TESTS_PER_CORE_SECOND / 3600.0;
            (space, format!(
                "{space:.1e} pairs: infeasible blind; knowing a number, finding its CNIC still costs about {hours:.0} core-hours per number. Testable cheaply only by someone who already holds both (an operator, for its own customers)."
            ))
        }
    };
    json!({
        "kind": kind.name(),
        "space": space,
        "core_seconds": space / TESTS_PER_CORE_SECOND,
        "summary": summary,
    })
}
