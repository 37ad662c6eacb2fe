//! `POST /v1/budget`: a signed read of the client's own budget. It changes nothing, so its
//! request id is a nonce only and is not recorded.

use std::sync::Arc;

use crate::clients::Budget;
use crate::http::app::App;
use crate::http::auth::{authenticate, parse_signed};
use crate::http::log::LogInfo;
use crate::http::reject::{json_error, Rejection};
use crate::signing::budget_message;
use crate::wire::BudgetRequest;

/// Handles one budget request body; fills `log` as far as it gets.
pub(crate) async fn budget(
    app: &Arc<App>,
    body: &[u8],
    log: &mut LogInfo,
) -> Result<Budget, Rejection> {
    let req: BudgetRequest =
        serde_json::from_slice(body).map_err(|e| json_error("the budget request", &e))?;
    let signed = parse_signed(
        &req.client,
        &req.request_id,
        req.timestamp,
        &req.signature,
        crate::store::now(),
    )?;
    let app2 = Arc::clone(app);
    let (result, name) = tokio::task::spawn_blocking(move || {
        let message = budget_message(&signed.client, &signed.request_id, signed.timestamp);
        match authenticate(&app2.state, &signed, &message) {
            Ok(client) => {
                let budget = app2
                    .state
                    .budget_of(&client.name)
                    .map_err(|_| Rejection::Store);
                (budget, Some(client.name))
            }
            Err(e) => (Err(e), None),
        }
    })
    .await
    .map_err(|_| Rejection::Internal)?;
    log.client = name;
    let budget = result?;
    log.left = Some(budget.left);
    log.outcome = Some("ok");
    Ok(budget)
}
