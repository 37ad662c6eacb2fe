//! The HTTP server: axum on a small tokio runtime, evaluation on blocking threads behind a
//! gate, graceful shutdown.
//!
//! | route | request | answer |
//! |---|---|---|
//! | `GET /v1/descriptors` | — | [`Descriptors`](crate::Descriptors) |
//! | `POST /v1/budget` | [`BudgetRequest`](crate::wire::BudgetRequest) (signed) | [`Budget`](crate::Budget) |
//! | `POST /v1/evaluate` | [`EvaluateRequest`](crate::wire::EvaluateRequest) (signed) | [`EvaluateResponse`](crate::wire::EvaluateResponse) |
//!
//! Refusals, each with an [`ErrorBody`](crate::wire::ErrorBody): 400 `malformed` (bad JSON,
//! ids, base64, an invalid element), 413 `too_large`, 401 `unknown_client` /
//! `bad_signature` / `stale_timestamp`, 404 `unknown_epoch`, 410 `epoch_withdrawn`, 402
//! `over_budget`, 409 `request_id_conflict`, 503 `busy` / `store_unavailable`. None of them
//! charges or evaluates anything.

mod app;
mod auth;
mod budget;
mod evaluate;
mod gate;
mod log;
mod reject;
mod routes;

use std::sync::Arc;

use tokio::sync::watch;

pub use app::{ServerConfig, ServerStats};
pub use log::{LogSink, RequestLog};

use crate::State;

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The runtime or the listener could not be set up, or accepting failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Asks a running [`Server`] to stop: it stops accepting, lets in-flight requests finish
/// (up to [`ServerConfig::shutdown_grace`]) and returns from [`Server::run`].
#[derive(Clone, Debug)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Shutdown {
    /// Asks the server to stop (idempotent; callable from any thread, a signal watcher's
    /// included).
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }
}

/// An OPRF server over a [`State`].
pub struct Server {
    state: Arc<State>,
    config: ServerConfig,
    log: LogSink,
    stats: Arc<ServerStats>,
    shutdown: Shutdown,
}

impl Server {
    /// A server for `state` with `config`; requests are logged nowhere until
    /// [`on_request`](Self::on_request).
    pub fn new(state: Arc<State>, config: ServerConfig) -> Server {
        Server {
            state,
            config,
            log: Arc::new(|_: &RequestLog| {}),
            stats: Arc::new(ServerStats::default()),
            shutdown: Shutdown {
                tx: Arc::new(watch::channel(false).0),
            },
        }
    }

    /// Sends each request's [`RequestLog`] to `sink` (called on the runtime's threads: keep it
    /// short, e.g. one `eprintln!`).
    pub fn on_request(mut self, sink: impl Fn(&RequestLog) + Send + Sync + 'static) -> Server {
        self.log = Arc::new(sink);
        self
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// The server's counters.
    pub fn stats(&self) -> Arc<ServerStats> {
        Arc::clone(&self.stats)
    }

    /// Serves on `listener` until [`Shutdown::trigger`], on a tokio runtime of its own (two
    /// workers for I/O; evaluation runs on blocking threads and rayon).
    pub fn run(self, listener: std::net::TcpListener) -> Result<(), ServeError> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(self.config.eval_slots.max(1) + 8)
            .thread_name("leakmatch-server")
            .enable_all()
            .build()?;
        let grace = self.config.shutdown_grace;
        let app = Arc::new(app::App {
            state: self.state,
            gate: gate::Gate::new(self.config.eval_slots, self.config.max_queued),
            config: self.config,
            stats: self.stats,
            log: self.log,
        });
        let mut stop = self.shutdown.tx.subscribe();
        let result = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let mut stop2 = stop.clone();
            let serve =
                axum::serve(listener, routes::router(app)).with_graceful_shutdown(async move {
                    let _ = stop2.wait_for(|s| *s).await;
                });
            let deadline = async move {
                let _ = stop.wait_for(|s| *s).await;
                tokio::time::sleep(grace).await;
            };
            tokio::select! {
                r = serve => r,
                () = deadline => Ok(()),
            }
        });
        runtime.shutdown_timeout(grace);
        Ok(result?)
    }
}
