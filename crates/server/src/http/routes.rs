//! The router: the three endpoints, body limits, and the one log line per request.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State as Shared};
use axum::http::{header, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::http::app::App;
use crate::http::log::{LogInfo, RequestLog};
use crate::http::reject::Rejection;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/descriptors", get(descriptors))
        .route("/v1/budget", post(budget))
        .route("/v1/evaluate", post(evaluate))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            log_request,
        ))
        .with_state(app)
}

async fn descriptors(Shared(app): Shared<Arc<App>>) -> Response {
    let state = Arc::clone(&app.state);
    let result = tokio::task::spawn_blocking(move || state.descriptors()).await;
    let mut info = LogInfo::default();
    let response = match result {
        Ok(Ok(d)) => {
            info.outcome = Some("ok");
            Json(d).into_response()
        }
        _ => reject(&mut info, Rejection::Store),
    };
    with_info(response, info)
}

async fn budget(Shared(app): Shared<Arc<App>>, body: Body) -> Response {
    let mut info = LogInfo::default();
    let response = match read_body(&app, body).await {
        Ok(bytes) => match crate::http::budget::budget(&app, &bytes, &mut info).await {
            Ok(b) => Json(b).into_response(),
            Err(r) => reject(&mut info, r),
        },
        Err(r) => reject(&mut info, r),
    };
    with_info(response, info)
}

async fn evaluate(Shared(app): Shared<Arc<App>>, body: Body) -> Response {
    let mut info = LogInfo::default();
    let response = match read_body(&app, body).await {
        Ok(bytes) => match crate::http::evaluate::evaluate(&app, &bytes, &mut info).await {
            Ok(r) => Json(r).into_response(),
            Err(r) => reject(&mut info, r),
        },
        Err(r) => reject(&mut info, r),
    };
    with_info(response, info)
}

async fn not_found() -> Response {
    let mut info = LogInfo::default();
    let response = reject(&mut info, Rejection::NotFound);
    with_info(response, info)
}

fn reject(info: &mut LogInfo, r: Rejection) -> Response {
    info.outcome = Some(r.code());
    r.into_response()
}

fn with_info(mut response: Response, info: LogInfo) -> Response {
    response.extensions_mut().insert(info);
    response
}

/// The body, at most `max_body` bytes, received within `body_timeout`.
async fn read_body(app: &App, body: Body) -> Result<axum::body::Bytes, Rejection> {
    let max = app.config.max_body;
    let too_large = || Rejection::TooLarge(format!("the request body is larger than {max} bytes"));
    let read = axum::body::to_bytes(body, max);
    match tokio::time::timeout(app.config.body_timeout, read).await {
        Err(_) => Err(Rejection::Malformed(
            "the request body was not received in time".into(),
        )),
        Ok(Err(e)) => {
            // axum reports an over-limit body as a length-limit error in its source chain.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = source {
                if s.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large());
                }
                source = s.source();
            }
            Err(Rejection::Malformed(
                "the request body could not be read".into(),
            ))
        }
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

async fn log_request(Shared(app): Shared<Arc<App>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = route_name(req.method(), req.uri().path());
    // Refuse an announced oversized body before reading any of it.
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut response = match announced {
        Some(n) if n > app.config.max_body as u64 => {
            let mut info = LogInfo::default();
            let r = Rejection::TooLarge(format!(
                "the request body is larger than {} bytes",
                app.config.max_body
            ));
            with_info(reject(&mut info, r), info)
        }
        _ => next.run(req).await,
    };
    let info = response
        .extensions_mut()
        .remove::<LogInfo>()
        .unwrap_or_default();
    let status = response.status().as_u16();
    app.stats.requests.fetch_add(1, Ordering::SeqCst);
    (app.log)(&RequestLog {
        route,
        status,
        outcome: info
            .outcome
            .unwrap_or(if status < 400 { "ok" } else { "refused" }),
        client: info.client,
        elements: info.elements,
        charged: info.charged,
        left: info.left,
        millis: start.elapsed().as_secs_f64() * 1000.0,
    });
    response
}

/// The route as logged: only the server's own route names, never a client-chosen path.
fn route_name(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path) {
        ("GET", "/v1/descriptors") => "GET /v1/descriptors",
        ("POST", "/v1/budget") => "POST /v1/budget",
        ("POST", "/v1/evaluate") => "POST /v1/evaluate",
        _ => "other",
    }
}
