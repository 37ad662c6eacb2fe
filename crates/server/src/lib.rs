//! # leakmatch-server: the online OPRF service of leakmatch (issue #16)
//!
//! The dump holder keeps the only key and answers *blinded* queries; every evaluation is
//! charged to the asking client's lifetime budget before it is made.
//!
//! - [`State`]: a state directory (0700) with the master secret (0600) and a redb store
//!   (0600) of epochs, published filters, clients and the request ledger.
//!   [`State::current_epoch_key`] and [`State::record_filter`] are what publishing uses;
//!   [`State::rotate`] withdraws the current epoch and starts the next; budgets are never
//!   reset ([`State::add_client`], [`State::set_budget`], [`State::clients`]).
//! - [`Credential`]: a client's name, id and Ed25519 key, in a 0600 file.
//! - [`Server`]: the HTTP API ([`http`](mod@http)), requests signed ([`signing`]), charged
//!   durably in [`ledger`](mod@ledger) order, evaluated off the async workers, one
//!   [`RequestLog`] per request.
//! - [`ServerClient`]: the blocking client: descriptors, budget, evaluate (split into
//!   requests of at most [`wire::MAX_ELEMENTS`], retried with the same request id).
//!
//! Nothing here prints. No error, log record or `Debug` output holds an element, an output,
//! a signature or a secret.
//!
//! ```no_run
//! use std::sync::Arc;
//! use leakmatch_server::{Credential, Server, ServerClient, ServerConfig, State};
//!
//! let state = State::init("state".as_ref())?;
//! state.add_client("acme", 1_000_000, "acme.cred".as_ref())?;
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let url = format!("http://{}", listener.local_addr()?);
//! let server = Server::new(Arc::new(state), ServerConfig::default())
//!     .on_request(|line| eprintln!("{line}"));
//! std::thread::spawn(move || server.run(listener));
//!
//! let client = ServerClient::new(&url, Credential::read_file("acme.cred".as_ref())?)?;
//! assert_eq!(client.budget()?.left, 1_000_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod client;
mod clients;
pub mod credential;
mod descriptor;
pub mod dir;
mod error;
mod hex;
pub mod http;
pub mod ledger;
pub mod signing;
mod state;
mod store;
pub mod wire;

#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod state_tests;

pub use client::{ClientConfig, ClientError, ServerClient};
pub use clients::{check_name, Budget, ClientStatus, MAX_NAME_LEN};
pub use credential::{ClientId, Credential, CredentialError};
pub use descriptor::{Descriptors, EpochDescriptor, FilterEntry, FilterMeta};
pub use error::StateError;
pub use http::{RequestLog, ServeError, Server, ServerConfig, ServerStats, Shutdown};
pub use state::State;
