//! `leakmatch inspect`: what a filter holds and what it would cost to enumerate it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::{file_digest, Filter, FilterAuth, TokenKind};
use leakmatch_match::{header_kinds, inspect_fields};
use serde_json::json;

use super::load_key;
use crate::output::{escape_control, stdout_write};

/// Valid national mobile numbers under `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`:
/// (5·10 + 9 + 1 + 1) · 10^7.
pub const MSISDN_SPACE: f64 = 6.1e8;
/// Valid CNICs: first digit 1–7, eleven free digits, last digit 1–9.
pub const CNIC_SPACE: f64 = 7.0 * 1e11 * 9.0;
/// Identifiers per second per core a key holder can test: batched SIMD hashing (~82M/s) then a
/// filter lookup (~28–38M/s), as measured by this project's benchmarks (BENCHMARKS.md).
pub const TESTS_PER_CORE_SECOND: f64 = 2.0e7;

pub fn run(
    path: &Path,
    key: Option<&Path>,
    allow_insecure_key: bool,
    as_json: bool,
    no_mmap: bool,
) -> anyhow::Result<ExitCode> {
    let context = || format!("cannot use filter {}", path.display());
    let (filter, digest, authenticated) = match key {
        Some(key_path) => {
            let key = load_key(key_path, allow_insecure_key)?;
            let open = if no_mmap { Filter::load } else { Filter::map };
            let filter = open(path, &key).with_context(context)?;
            let digest = file_digest(path).with_context(context)?;
            (filter, digest, true)
        }
        None => {
            let (filter, digest) =
                Filter::open_unauthenticated(path, !no_mmap).with_context(context)?;
            (filter, digest, false)
        }
    };
    let h = &filter.header;
    let fill = filter.checked_fill().with_context(context)?;
    let auth_text = match (&h.auth, authenticated) {
        (FilterAuth::SharedKey { key_id }, true) => {
            format!("verified: MAC checked under key {key_id}")
        }
        (FilterAuth::SharedKey { .. }, false) => {
            "not authenticated: no key given (integrity checked only; pass --key to verify its MAC)"
                .to_string()
        }
        (FilterAuth::Online { epoch, .. }, _) => format!(
            "online filter, epoch {epoch}: authentic only if its digest is listed by that epoch's descriptor (integrity checked)"
        ),
    };
    let kinds = header_kinds(h);
    let costs: Vec<serde_json::Value> = kinds.iter().map(|k| enumeration_cost(*k)).collect();
    if as_json {
        let mut v = inspect_fields(path, h, &digest, authenticated, &fill);
        v.insert("authentication".into(), json!(auth_text));
        v.insert("enumeration_cost".into(), json!(costs));
        stdout_write(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    s += &format!(
        "filter            {}\n",
        escape_control(&path.display().to_string())
    );
    s += &format!("authentication    {auth_text}\n");
    match &h.auth {
        FilterAuth::SharedKey { key_id } => s += &format!("key id            {key_id}\n"),
        FilterAuth::Online { epoch, public_key } => {
            s += &format!("online epoch      {epoch}\n");
            let hex: String = public_key.iter().map(|b| format!("{b:02x}")).collect();
            s += &format!("public key        {hex}\n");
        }
    }
    s += &format!("file digest       {digest}\n");
    s += &format!("normalization     v{}\n", h.normalization_version);
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    s += &format!("kinds             {}\n", names.join(", "));
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
pub fn enumeration_cost(kind: TokenKind) -> serde_json::Value {
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
