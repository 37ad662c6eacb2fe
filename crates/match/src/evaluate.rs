//! The OPRF outputs of a run's distinct identifiers: direct evaluation with the epoch key
//! (`publish`) or blinded, proved evaluation through an [`Oracle`] (`query`), in batches, with
//! progress.

use leakmatch_hashing::TokenKind;
use leakmatch_ingest::NoProgress;
use leakmatch_oprf::{blind, oprf_input, EpochKey, OprfError, Output, PublicKey};
use serde::Serialize;

use crate::identifiers::Identifiers;
use crate::tokens::{cnic_from_key, msisdn_from_key};
use crate::{OnlineError, Oracle};

/// Progress of the evaluations, once per batch (never per identifier), from the calling
/// thread.
pub trait EvalProgress: Sync {
    /// Evaluation of `total` distinct identifiers starts.
    fn begin(&self, total: u64);
    /// `n` more were evaluated.
    fn advance(&self, n: u64);
    /// Evaluation ended (also after an error).
    fn finish(&self);
}

impl EvalProgress for NoProgress {
    fn begin(&self, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Distinct identifiers evaluated, per kind (pairs need none: their tokens come from their
/// two identifiers' outputs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EvaluationCounts {
    /// Distinct MSISDNs.
    pub msisdn: u64,
    /// Distinct CNICs.
    pub cnic: u64,
}

impl EvaluationCounts {
    pub(crate) fn of(ids: &Identifiers) -> Self {
        EvaluationCounts {
            msisdn: ids.msisdn.len() as u64,
            cnic: ids.cnic.len() as u64,
        }
    }

    /// Both kinds together: the evaluations charged.
    pub fn total(&self) -> u64 {
        self.msisdn + self.cnic
    }
}

/// Identifiers evaluated directly per batch (publish): large, the key evaluates in parallel.
const DIRECT_BATCH: usize = 1 << 16;

/// The OPRF inputs of `keys` of `kind` (`oprf_input(kind, canonical digits)`).
fn inputs_of(kind: TokenKind, keys: &[u64]) -> Result<Vec<Vec<u8>>, OprfError> {
    keys.iter()
        .enumerate()
        .map(|(index, &key)| {
            let canonical = match kind {
                TokenKind::Msisdn => msisdn_from_key(key).map(|m| oprf_input(kind, m.as_bytes())),
                _ => cnic_from_key(key).map(|c| oprf_input(kind, c.as_bytes())),
            };
            // Keys come from valid identifiers: this cannot fail, but never panics if it does.
            canonical.ok_or(OprfError::Input { index })
        })
        .collect()
}

/// Every identifier's output under `key` (msisdn outputs, cnic outputs, in key order).
pub(crate) fn evaluate_direct(
    key: &EpochKey,
    ids: &Identifiers,
    progress: &dyn EvalProgress,
) -> Result<(Vec<Output>, Vec<Output>), OnlineError> {
    progress.begin(ids.len());
    let run = |kind, keys: &[u64]| -> Result<Vec<Output>, OprfError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(DIRECT_BATCH) {
            let inputs = inputs_of(kind, chunk)?;
            let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            out.extend(key.evaluate(&refs)?);
            progress.advance(chunk.len() as u64);
        }
        Ok(out)
    };
    let result = run(TokenKind::Msisdn, &ids.msisdn)
        .and_then(|m| Ok((m, run(TokenKind::Cnic, &ids.cnic)?)))
        .map_err(OnlineError::Oprf);
    progress.finish();
    result
}

/// Every identifier's output through `oracle`: blinded in batches of `batch`, evaluated under
/// `epoch`, every proof verified against `pk` before anything is finalized.
pub(crate) fn evaluate_blind(
    oracle: &dyn Oracle,
    epoch: u64,
    pk: &PublicKey,
    ids: &Identifiers,
    batch: usize,
    progress: &dyn EvalProgress,
) -> Result<(Vec<Output>, Vec<Output>), OnlineError> {
    progress.begin(ids.len());
    let run = |kind, keys: &[u64]| -> Result<Vec<Output>, OnlineError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(batch.max(1)) {
            let inputs = inputs_of(kind, chunk).map_err(OnlineError::Oprf)?;
            let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            let (states, elements) = blind(&refs).map_err(OnlineError::Oprf)?;
            let answer = oracle.evaluate(epoch, &elements)?;
            let outputs = states
                .finalize(&refs, &answer, pk)
                .map_err(|source| OnlineError::BadAnswer { epoch, source })?;
            out.extend(outputs);
            progress.advance(chunk.len() as u64);
        }
        Ok(out)
    };
    let result =
        run(TokenKind::Msisdn, &ids.msisdn).and_then(|m| Ok((m, run(TokenKind::Cnic, &ids.cnic)?)));
    progress.finish();
    result
}
