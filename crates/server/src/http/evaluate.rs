//! `POST /v1/evaluate`: authenticate, decode, charge, evaluate — in that order, so nothing
//! is charged for a request that fails a check and nothing is evaluated before its charge is
//! durable.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use leakmatch_oprf::DecodedElements;

use crate::http::app::App;
use crate::http::auth::{authenticate, parse_signed};
use crate::http::log::LogInfo;
use crate::http::reject::{json_error, Rejection};
use crate::ledger::{ChargeRequest, Charged};
use crate::signing::{elements_digest, evaluate_message};
use crate::wire::{self, EvaluateRequest, EvaluateResponse};

/// Handles one evaluate request body; fills `log` as far as it gets.
pub(crate) async fn evaluate(
    app: &Arc<App>,
    body: &[u8],
    log: &mut LogInfo,
) -> Result<EvaluateResponse, Rejection> {
    let req: EvaluateRequest =
        serde_json::from_slice(body).map_err(|e| json_error("the evaluate request", &e))?;
    let max = app.config.max_elements;
    if req.elements.len() > (max * 32).div_ceil(3) * 4 {
        return Err(Rejection::TooLarge(format!(
            "a request holds at most {max} elements; split the batch"
        )));
    }
    let elements = wire::decode_elements(&req.elements, max).ok_or_else(|| {
        Rejection::Malformed(format!(
            "`elements` is not base64 of at most {max} 32-byte elements"
        ))
    })?;
    log.elements = elements.len();
    if elements.is_empty() {
        return Err(Rejection::Malformed("`elements` holds no element".into()));
    }
    let signed = parse_signed(
        &req.client,
        &req.request_id,
        req.timestamp,
        &req.signature,
        crate::store::now(),
    )?;
    let _slot = app.gate.enter().await.ok_or(Rejection::Busy)?;
    let app2 = Arc::clone(app);
    let epoch = req.epoch;
    let work = tokio::task::spawn_blocking(move || {
        let mut log = LogInfo::default();
        let result = evaluate_blocking(&app2, &signed, epoch, &elements, &mut log);
        (result, log)
    });
    let (result, blocking_log) = work.await.map_err(|_| Rejection::Internal)?;
    log.client = blocking_log.client;
    log.charged = blocking_log.charged;
    log.left = blocking_log.left;
    log.outcome = blocking_log.outcome;
    result
}

fn evaluate_blocking(
    app: &App,
    signed: &crate::http::auth::Signed,
    epoch: u64,
    elements: &[leakmatch_oprf::BlindedElement],
    log: &mut LogInfo,
) -> Result<EvaluateResponse, Rejection> {
    let digest = elements_digest(elements);
    let message = evaluate_message(
        &signed.client,
        &signed.request_id,
        epoch,
        &digest,
        signed.timestamp,
    );
    let client = authenticate(&app.state, signed, &message)?;
    log.client = Some(client.name.clone());
    let decoded =
        DecodedElements::decode(elements).map_err(|e| Rejection::Malformed(e.to_string()))?;
    let count = elements.len() as u64;
    let charged = app
        .state
        .charge(ChargeRequest {
            client: &signed.client,
            name: &client.name,
            request_id: signed.request_id,
            epoch,
            digest,
            count,
            timestamp: signed.timestamp,
        })
        .map_err(|_| Rejection::Store)?;
    let (budget, replayed) = match charged {
        Charged::Fresh(b) => (b, false),
        Charged::Replay(b) => (b, true),
        Charged::UnknownEpoch { current } => return Err(Rejection::UnknownEpoch { current }),
        Charged::Withdrawn { current } => return Err(Rejection::Withdrawn { current }),
        Charged::Conflict => return Err(Rejection::Conflict),
        Charged::OverBudget(budget) => {
            log.left = Some(budget.left);
            return Err(Rejection::OverBudget {
                budget,
                requested: count,
            });
        }
    };
    let charge = if replayed { 0 } else { count };
    log.charged = charge;
    log.left = Some(budget.left);
    let key = app.state.key(epoch).map_err(|_| Rejection::Internal)?;
    let batch = key
        .blind_evaluate_decoded(&decoded)
        .map_err(|_| Rejection::Internal)?;
    let counter = if replayed {
        &app.stats.replayed
    } else {
        &app.stats.evaluated
    };
    counter.fetch_add(count, Ordering::SeqCst);
    log.outcome = Some(if replayed { "replayed" } else { "ok" });
    Ok(EvaluateResponse {
        epoch,
        charged: charge,
        replayed,
        budget,
        chunks: wire::encode_batch(&batch),
    })
}
