//! The `leakmatch.inspect.v1` report of a filter: what its header records and what its bits
//! measure. One builder for every front end (the CLI's `inspect --json`, the Python package's
//! `Filter.inspect()`), so the two cannot drift apart. It reads only the header and the fill:
//! a filter holds no identifier, and neither does this report.

use std::path::Path;

use leakmatch_hashing::{FileDigest, FillStats, FilterAuth, FilterHeader, TokenKind};
use serde_json::{json, Map, Value};

/// Schema name of the inspect report.
pub const INSPECT_SCHEMA: &str = "leakmatch.inspect.v1";

/// The kinds a header says the filter holds, in [`TokenKind::ALL`] order.
pub fn header_kinds(header: &FilterHeader) -> Vec<TokenKind> {
    TokenKind::ALL
        .iter()
        .copied()
        .filter(|k| header.kinds.contains(*k))
        .collect()
}

/// The inspect report's fields for the filter at `path`: mode, key id or epoch and public key,
/// whether its MAC was checked (`authenticated`), digest, parameters, counts and measured fill.
/// Front ends may add fields of their own (the CLI adds `authentication` and
/// `enumeration_cost`); keys serialize in sorted order.
pub fn inspect_fields(
    path: &Path,
    header: &FilterHeader,
    digest: &FileDigest,
    authenticated: bool,
    fill: &FillStats,
) -> Map<String, Value> {
    let (mode, key_id, epoch, public_key) = match &header.auth {
        FilterAuth::SharedKey { key_id } => ("shared-key", Some(key_id.to_string()), None, None),
        FilterAuth::Online { epoch, public_key } => {
            let hex: String = public_key.iter().map(|b| format!("{b:02x}")).collect();
            ("online", None, Some(*epoch), Some(hex))
        }
    };
    let kinds: Vec<&str> = header_kinds(header).iter().map(|k| k.name()).collect();
    let c = &header.counts;
    let v = json!({
        "schema": INSPECT_SCHEMA,
        "file": path.display().to_string(),
        "mode": mode,
        "key_id": key_id,
        "epoch": epoch,
        "public_key": public_key,
        "authenticated": authenticated,
        "file_digest": digest.to_string(),
        "normalization_version": header.normalization_version,
        "kinds": kinds,
        "tokens_inserted": { "msisdn": c.msisdn, "cnic": c.cnic, "pair": c.pair },
        "blocks": header.params.blocks,
        "k": header.params.k,
        "filter_bytes": header.params.bytes(),
        "target_fpr": header.target_fpr,
        "measured_fpr": header.measured_fpr,
        "fill_ratio": fill.fill_ratio,
        "estimated_distinct_tokens": fill.estimated_distinct,
        "implied_fpr": fill.implied_fpr,
    });
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
