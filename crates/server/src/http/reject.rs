//! Every way the server refuses a request, its HTTP status and its [`ErrorBody`].
//!
//! Messages name counts, positions and epochs, never an element, a signature or a request
//! field's content (a JSON syntax error gives its line and column only).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::clients::Budget;
use crate::wire::ErrorBody;

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// 400: not a well-formed request.
    Malformed(String),
    /// 413: body or element count over the limits.
    TooLarge(String),
    /// 401: no such client id.
    UnknownClient,
    /// 401: the signature does not verify.
    BadSignature,
    /// 401: the timestamp is outside the window.
    Stale,
    /// 404: the epoch never existed.
    UnknownEpoch { current: u64 },
    /// 410: the epoch was withdrawn.
    Withdrawn { current: u64 },
    /// 402: the budget does not cover the request.
    OverBudget { budget: Budget, requested: u64 },
    /// 409: the request id was used before with other elements.
    Conflict,
    /// 503: too many requests waiting.
    Busy,
    /// 503: the store failed; nothing was charged or evaluated.
    Store,
    /// 500: evaluation failed after charging (a bug).
    Internal,
    /// 404: no such route.
    NotFound,
}

impl Rejection {
    /// The stable code of [`ErrorBody::error`], also logged.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::TooLarge(_) => "too_large",
            Rejection::UnknownClient => "unknown_client",
            Rejection::BadSignature => "bad_signature",
            Rejection::Stale => "stale_timestamp",
            Rejection::UnknownEpoch { .. } => "unknown_epoch",
            Rejection::Withdrawn { .. } => "epoch_withdrawn",
            Rejection::OverBudget { .. } => "over_budget",
            Rejection::Conflict => "request_id_conflict",
            Rejection::Busy => "busy",
            Rejection::Store => "store_unavailable",
            Rejection::Internal => "internal",
            Rejection::NotFound => "not_found",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Rejection::Malformed(_) => StatusCode::BAD_REQUEST,
            Rejection::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::UnknownClient | Rejection::BadSignature | Rejection::Stale => {
                StatusCode::UNAUTHORIZED
            }
            Rejection::UnknownEpoch { .. } | Rejection::NotFound => StatusCode::NOT_FOUND,
            Rejection::Withdrawn { .. } => StatusCode::GONE,
            Rejection::OverBudget { .. } => StatusCode::PAYMENT_REQUIRED,
            Rejection::Conflict => StatusCode::CONFLICT,
            Rejection::Busy | Rejection::Store => StatusCode::SERVICE_UNAVAILABLE,
            Rejection::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            Rejection::Malformed(m) | Rejection::TooLarge(m) => m.clone(),
            Rejection::UnknownClient => "no client is registered with this client id".into(),
            Rejection::BadSignature => {
                "the request's signature does not verify with the client's registered key".into()
            }
            Rejection::Stale => format!(
                "the request's timestamp is more than {} seconds from the server's clock; check \
                 the client's clock",
                crate::signing::TIMESTAMP_WINDOW
            ),
            Rejection::UnknownEpoch { current } => {
                format!("no such epoch; the current epoch is {current}")
            }
            Rejection::Withdrawn { current } => format!(
                "the epoch was withdrawn by a key rotation; the current epoch is {current} \
                 (filters of withdrawn epochs are refused: get the ones published under it)"
            ),
            Rejection::OverBudget { budget, requested } => format!(
                "the request needs {requested} evaluations but the client has {} left of {} \
                 (used {}); nothing was charged",
                budget.left, budget.budget, budget.used
            ),
            Rejection::Conflict => {
                "this request id was used before with other elements; use a new request id".into()
            }
            Rejection::Busy => "the server is busy; retry shortly".into(),
            Rejection::Store => {
                "the server cannot record the request right now; nothing was charged or evaluated"
                    .into()
            }
            Rejection::Internal => "internal error while evaluating".into(),
            Rejection::NotFound => "no such endpoint".into(),
        }
    }

    /// The body this refusal sends.
    pub(crate) fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code().to_string(),
            message: self.message(),
            budget: match self {
                Rejection::OverBudget { budget, .. } => Some(*budget),
                _ => None,
            },
            current_epoch: match self {
                Rejection::UnknownEpoch { current } | Rejection::Withdrawn { current } => {
                    Some(*current)
                }
                _ => None,
            },
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if matches!(self, Rejection::Busy | Rejection::Store) {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
        }
        response
    }
}

/// A JSON parse error as a message without any of the input: its category and position.
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> Rejection {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => {
            "JSON of the wrong shape (a field missing, unknown or of the wrong type)"
        }
        serde_json::error::Category::Eof => "truncated JSON",
    };
    Rejection::Malformed(format!(
        "{what} is {kind} at line {}, column {}",
        e.line(),
        e.column()
    ))
}
