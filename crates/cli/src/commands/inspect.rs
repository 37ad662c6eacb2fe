//! `leakmatch inspect`: what a filter holds and what it would cost to enumerate it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::{file_digest, Filter, FilterAuth};
use leakmatch_match::{enumeration_cost, header_kinds, inspect_fields, EnumerationCost};
use serde_json::json;

use super::load_key;
use crate::output::{escape_control, stdout_write};

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
    let costs: Vec<EnumerationCost> = kinds.iter().map(|k| enumeration_cost(*k)).collect();
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
        s += &format!("  {:<7} {}\n", c.kind, c.summary);
    }
    stdout_write(&s)?;
    Ok(ExitCode::SUCCESS)
}
