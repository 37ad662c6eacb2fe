//! The one record the server makes of each request, handed to the caller's sink.
//!
//! It holds the route, status, outcome code, client *name* (checked to be a safe label at
//! registration), batch size, charge, budget left and time taken — never an element, a
//! signature, a request id or anything else the client sent.

use std::fmt;
use std::sync::Arc;

/// One request, as logged.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestLog {
    /// `GET /v1/descriptors`, `POST /v1/evaluate`, … or `other` for an unknown route.
    pub route: &'static str,
    /// The HTTP status answered.
    pub status: u16,
    /// `ok`, `replayed`, or the refusal's code (see [`ErrorBody`](crate::wire::ErrorBody)).
    pub outcome: &'static str,
    /// The authenticated client's name, if the request got that far.
    pub client: Option<String>,
    /// Elements in the request (evaluate only).
    pub elements: usize,
    /// Elements charged by the request.
    pub charged: u64,
    /// The client's budget left after the request, if known.
    pub left: Option<u64>,
    /// Milliseconds from receiving the request to answering it.
    pub millis: f64,
}

/// Where the server sends its [`RequestLog`]s.
pub type LogSink = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// What a handler knows for the log line; the middleware adds route, status and time.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogInfo {
    pub(crate) outcome: Option<&'static str>,
    pub(crate) client: Option<String>,
    pub(crate) elements: usize,
    pub(crate) charged: u64,
    pub(crate) left: Option<u64>,
}

impl fmt::Display for RequestLog {
    /// `route=… status=… outcome=… client=… elements=… charged=… left=… ms=…` on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "route=\"{}\" status={} outcome={} client={} elements={} charged={} left={} ms={:.1}",
            self.route,
            self.status,
            self.outcome,
            self.client.as_deref().unwrap_or("-"),
            self.elements,
            self.charged,
            self.left.map_or_else(|| "-".to_string(), |l| l.to_string()),
            self.millis
        )
    }
}
