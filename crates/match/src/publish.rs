//! `publish`: dumps → one online filter, the dump holder's side of online matching.
//!
//! The same inputs, options and filter as [`build`](crate::build), with online tokens
//! ([`leakmatch_hashing::online`]) instead of keyed ones:
//!
//! 1. read the inputs once, collecting every distinct MSISDN and CNIC the selected kinds need
//!    (standard input and pipes are refused: they cannot be read twice);
//! 2. evaluate each distinct identifier once, directly with the epoch's [`EpochKey`], in
//!    parallel ([`EpochKey::evaluate`]);
//! 3. read the inputs again into the builder `build` uses, sized as `build` sizes it, its
//!    tokens looked up from those outputs (pair tokens from the two outputs of a record's
//!    identifiers), and check that the second read saw exactly what the first did;
//! 4. save the filter atomically with its online header (epoch, public key) and return its
//!    [`FileDigest`], which the server's epoch descriptor must list for clients to accept it.
//!
//! Memory: 8 bytes per distinct identifier per input chunk while collecting, then 72 per
//! distinct identifier (its key and its 64-byte output) while the filter
//! is filled, plus the filter.

use std::path::{Path, PathBuf};

use leakmatch_hashing::{FileDigest, FilterAuth};
use leakmatch_ingest::{InputSource, Progress, ReadOptions};
use leakmatch_oprf::{EpochKey, PublicKey};

use crate::builder::{fill, Filling, Laps, Sizing};
use crate::evaluate::{evaluate_direct, EvalProgress, EvaluationCounts};
use crate::filling::FilterBuilder;
use crate::identifiers::collect;
use crate::outputs::OnlineTokens;
use crate::{BuildOptions, BuildOutcome, OnlineError};

/// A published online filter and what went into it.
#[derive(Debug)]
pub struct PublishOutcome {
    /// The build's outcome: the filter (saved), inputs, sizing, fill, warnings, timings.
    pub built: BuildOutcome,
    /// Where the filter was saved.
    pub output: PathBuf,
    /// BLAKE3 of the saved file: what the epoch's descriptor must list.
    pub digest: FileDigest,
    /// The epoch it was published under.
    pub epoch: u64,
    /// That epoch's public key.
    pub public_key: PublicKey,
    /// Distinct identifiers evaluated.
    pub evaluated: EvaluationCounts,
}

impl PublishOutcome {
    /// The `leakmatch server publish --json` summary (schema `leakmatch.publish.v1`): the
    /// `leakmatch.build.v1` fields plus the epoch, public key, digest and evaluations. Counts
    /// and parameters only: no identifier, no secret.
    pub fn summary_json(&self) -> serde_json::Value {
        let mut v = self.built.summary_json(&self.output);
        v["schema"] = "leakmatch.publish.v1".into();
        if let Some(o) = v.as_object_mut() {
            // Shared-key fields: an online filter has no key id and gives a holder nothing
            // to recover offline.
            o.remove("key_id");
            o.remove("key_holder_can_recover");
        }
        v["epoch"] = self.epoch.into();
        v["public_key"] = self.public_key.to_string().into();
        v["digest"] = self.digest.to_string().into();
        v["evaluated"] = serde_json::json!(self.evaluated);
        v
    }
}

/// Publishes one online filter of all `inputs` under `key`'s epoch, saved atomically to
/// `output` (see the [module docs](self)); `opts.output` is ignored. On the current rayon
/// pool.
pub fn publish(
    key: &EpochKey,
    inputs: &[InputSource],
    read: &ReadOptions,
    opts: &BuildOptions,
    output: &Path,
    progress: &dyn Progress,
    evaluated: &dyn EvalProgress,
) -> Result<PublishOutcome, OnlineError> {
    let mut laps = Laps::new();
    let collected = collect(inputs, read, opts.kinds, progress)?;
    laps.lap("read, collect distinct identifiers".into());
    let counts = EvaluationCounts::of(&collected.identifiers);
    let (msisdn, cnic) = evaluate_direct(key, &collected.identifiers, evaluated)?;
    laps.lap(format!("evaluate {} distinct identifiers", counts.total()));

    let sizing = Sizing::of(inputs, opts);
    let table = OnlineTokens::new(collected.identifiers, msisdn, cnic);
    let auth = FilterAuth::Online {
        epoch: key.epoch(),
        public_key: key.public_key().0,
    };
    let opts = BuildOptions {
        output: Some(output.to_path_buf()),
        ..opts.clone()
    };
    let filling = FilterBuilder::new_online(auth, table, sizing.capacity, &opts)?;
    laps.lap("sizing".into());
    let Filling {
        outcome: mut built,
        missing_outputs,
    } = fill(filling, sizing, inputs, read, progress, laps)?;
    if missing_outputs > 0 || built.inputs != collected.inputs {
        return Err(OnlineError::InputChanged {
            input: changed(&built.inputs, &collected.inputs),
        });
    }
    if let Err(reason) = built.refuse_empty() {
        return Err(OnlineError::NothingToPublish {
            inputs: inputs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            reason,
        });
    }
    let saving = std::time::Instant::now();
    let digest = built
        .filter
        .save_online(output)
        .map_err(crate::PipelineError::from)?;
    built
        .timings
        .push(("save (write, checksum, fsync)".into(), saving.elapsed()));
    Ok(PublishOutcome {
        built,
        output: output.to_path_buf(),
        digest,
        epoch: key.epoch(),
        public_key: key.public_key(),
        evaluated: counts,
    })
}

/// The name of the first input whose two reads differ (all inputs if none differs alone).
pub(crate) fn changed(second: &[crate::InputSummary], first: &[crate::InputSummary]) -> String {
    second
        .iter()
        .zip(first)
        .find(|(a, b)| a != b)
        .map(|(a, _)| a.name.clone())
        .unwrap_or_else(|| {
            first
                .iter()
                .map(|i| i.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        })
}
