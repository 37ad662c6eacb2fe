//! What every handler shares: the state, the gate, the limits and the counters.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use crate::http::gate::Gate;
use crate::http::log::LogSink;
use crate::State;

/// The server's limits.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Most elements per evaluate request (default [`MAX_ELEMENTS`](crate::wire::MAX_ELEMENTS)).
    pub max_elements: usize,
    /// Most bytes per request body (default [`MAX_BODY`](crate::wire::MAX_BODY)).
    pub max_body: usize,
    /// Requests evaluated at once (default: the available cores).
    pub eval_slots: usize,
    /// Requests that may wait for a slot before more are refused with 503 (default 64).
    pub max_queued: usize,
    /// Time allowed to receive a request body (default 30 s).
    pub body_timeout: Duration,
    /// Time in-flight requests get to finish after a shutdown is asked (default 10 s).
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_elements: crate::wire::MAX_ELEMENTS,
            max_body: crate::wire::MAX_BODY,
            eval_slots: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_queued: 64,
            body_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Counters of a running server (since it started).
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Elements evaluated for fresh (charged) requests: equals the charges made.
    pub evaluated: AtomicU64,
    /// Elements evaluated again for retries (charged before, not again).
    pub replayed: AtomicU64,
    /// Requests answered (any status).
    pub requests: AtomicU64,
}

pub(crate) struct App {
    pub(crate) state: Arc<State>,
    pub(crate) gate: Gate,
    pub(crate) config: ServerConfig,
    pub(crate) stats: Arc<ServerStats>,
    pub(crate) log: LogSink,
}
