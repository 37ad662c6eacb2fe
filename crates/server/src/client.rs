//! [`ServerClient`]: the blocking client of the HTTP API (ureq).
//!
//! [`ServerClient::evaluate`] splits a batch into requests of at most
//! [`ClientConfig::max_elements`], one after the other. Each request has a random request id
//! that it keeps across retries: a transport failure or a 503 is retried (with backoff, up
//! to [`ClientConfig::retries`] times) with the same id and elements, re-signed with a fresh
//! timestamp, so a request the server charged but whose answer was lost is answered again
//! without a second charge. The answers are returned as they came; verifying their proofs
//! against the published key is the caller's job (`Blinded::finalize`).

use std::fmt;
use std::thread::sleep;
use std::time::Duration;

use leakmatch_oprf::{BlindedElement, EvaluatedBatch};

use crate::clients::Budget;
use crate::credential::Credential;
use crate::descriptor::Descriptors;
use crate::signing::{budget_message, elements_digest, evaluate_message};
use crate::wire::{self, BudgetRequest, ErrorBody, EvaluateRequest, EvaluateResponse};
use crate::{hex, store};

/// Most bytes read from one answer.
const ANSWER_MAX: u64 = 4 << 20;

/// The client's limits and retry policy.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Most elements per request (default and server maximum
    /// [`MAX_ELEMENTS`](crate::wire::MAX_ELEMENTS)).
    pub max_elements: usize,
    /// Retries of one request after a transport failure or a 503 (default 8).
    pub retries: u32,
    /// Wait before the first retry; doubled each time (default 250 ms).
    pub first_backoff: Duration,
    /// Longest wait between retries (default 4 s).
    pub max_backoff: Duration,
    /// Time allowed for one request, connecting to reading the answer (default 120 s).
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            max_elements: wire::MAX_ELEMENTS,
            retries: 8,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Errors of [`ServerClient`]. They hold the server's URL, statuses and the server's own
/// messages, never an element or a signature.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server URL is not usable.
    #[error("server URL {url}: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The server could not be reached (after the retries).
    #[error("server {url}: {reason} (after {attempts} attempts)")]
    Transport {
        /// The server.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The client's budget does not cover the request (HTTP 402); nothing was charged.
    #[error(
        "server {url}: budget exhausted: {requested} more evaluations needed, {} left of {} \
         (used {})",
        budget.left,
        budget.budget,
        budget.used
    )]
    OverBudget {
        /// The server.
        url: String,
        /// The budget as the server reported it.
        budget: Budget,
        /// Evaluations the refused request asked for.
        requested: u64,
    },
    /// The server refused the request.
    #[error("server {url} refused the request ({status} {code}): {message}")]
    Refused {
        /// The server.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's error code (`unknown_client`, `epoch_withdrawn`, …).
        code: String,
        /// The server's message.
        message: String,
    },
    /// The server's answer is not what the protocol expects.
    #[error("server {url} sent an answer that does not follow the protocol: {reason}")]
    Protocol {
        /// The server.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// A blocking client of one server, authenticating as one [`Credential`].
pub struct ServerClient {
    url: String,
    credential: Credential,
    agent: ureq::Agent,
    config: ClientConfig,
}

impl fmt::Debug for ServerClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerClient({}, {:?})", self.url, self.credential)
    }
}

impl ServerClient {
    /// A client of the server at `url` (`http://HOST:PORT`, an optional trailing `/`) with
    /// the default [`ClientConfig`].
    pub fn new(url: &str, credential: Credential) -> Result<ServerClient, ClientError> {
        ServerClient::with_config(url, credential, ClientConfig::default())
    }

    /// A client with `config`.
    pub fn with_config(
        url: &str,
        credential: Credential,
        config: ClientConfig,
    ) -> Result<ServerClient, ClientError> {
        let bad = |reason| ClientError::BadUrl {
            url: url.to_string(),
            reason,
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("must start with http:// (this build has no TLS client)"))?;
        let base = url.trim_end_matches('/');
        if rest.trim_end_matches('/').is_empty() || rest.trim_end_matches('/').contains('/') {
            return Err(bad("must be http://HOST:PORT with no path"));
        }
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(config.timeout))
                .build(),
        );
        Ok(ServerClient {
            url: base.to_string(),
            credential,
            agent,
            config: ClientConfig {
                max_elements: config.max_elements.clamp(1, wire::MAX_ELEMENTS),
                ..config
            },
        })
    }

    /// The server URL (no trailing `/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The credential's client name.
    pub fn client_name(&self) -> &str {
        self.credential.name()
    }

    /// The server's epoch descriptors (`GET /v1/descriptors`).
    pub fn descriptors(&self) -> Result<Descriptors, ClientError> {
        let body = self.with_retries(|| {
            let response = self
                .agent
                .get(format!("{}/v1/descriptors", self.url))
                .call();
            self.read(response)
        })?;
        self.parse(&body)
    }

    /// The client's budget (`POST /v1/budget`, signed).
    pub fn budget(&self) -> Result<Budget, ClientError> {
        let request_id = self.request_id()?;
        let body = self.with_retries(|| {
            let timestamp = store::now();
            let message = budget_message(&self.credential.client_id(), &request_id, timestamp);
            let req = BudgetRequest {
                client: self.credential.client_id().to_string(),
                request_id: hex::encode(&request_id),
                timestamp,
                signature: hex::encode(&self.credential.sign(&message)),
            };
            self.post("/v1/budget", &req)
        })?;
        self.parse(&body)
    }

    /// Evaluates `elements` under `epoch`, in requests of at most
    /// [`ClientConfig::max_elements`]; the answers' chunks in order (one
    /// [`EvaluatedBatch`] for the whole input). Proofs are not verified here.
    ///
    /// An over-budget refusal ([`ClientError::OverBudget`]) stops at the request refused:
    /// earlier requests were charged and answered, and their answers are lost with the
    /// error, so check [`budget`](Self::budget) first.
    pub fn evaluate(
        &self,
        epoch: u64,
        elements: &[BlindedElement],
    ) -> Result<EvaluatedBatch, ClientError> {
        let mut batch = EvaluatedBatch::default();
        for part in elements.chunks(self.config.max_elements) {
            let answer = self.evaluate_one(epoch, part)?;
            batch.chunks.extend(answer.chunks);
        }
        Ok(batch)
    }

    /// One request of at most `max_elements`, with its retries.
    fn evaluate_one(
        &self,
        epoch: u64,
        elements: &[BlindedElement],
    ) -> Result<EvaluatedBatch, ClientError> {
        let request_id = self.request_id()?;
        let digest = elements_digest(elements);
        let encoded = wire::encode_elements(elements);
        let body = self
            .with_retries(|| {
                let timestamp = store::now();
                let message = evaluate_message(
                    &self.credential.client_id(),
                    &request_id,
                    epoch,
                    &digest,
                    timestamp,
                );
                let req = EvaluateRequest {
                    client: self.credential.client_id().to_string(),
                    request_id: hex::encode(&request_id),
                    epoch,
                    timestamp,
                    elements: encoded.clone(),
                    signature: hex::encode(&self.credential.sign(&message)),
                };
                self.post("/v1/evaluate", &req)
            })
            .map_err(|e| match e {
                ClientError::OverBudget { url, budget, .. } => ClientError::OverBudget {
                    url,
                    budget,
                    requested: elements.len() as u64,
                },
                e => e,
            })?;
        let answer: EvaluateResponse = self.parse(&body)?;
        if answer.epoch != epoch {
            return Err(self.protocol(format!(
                "answered under epoch {} instead of {epoch}",
                answer.epoch
            )));
        }
        let batch = wire::decode_batch(&answer.chunks).ok_or_else(|| {
            self.protocol("a chunk is not base64 of whole elements and a proof".into())
        })?;
        if batch.len() != elements.len() {
            return Err(self.protocol(format!(
                "{} evaluated elements for {} sent",
                batch.len(),
                elements.len()
            )));
        }
        Ok(batch)
    }

    fn request_id(&self) -> Result<[u8; 16], ClientError> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| ClientError::Transport {
            url: self.url.clone(),
            attempts: 0,
            reason: format!("random number generator failed: {e}"),
        })?;
        Ok(id)
    }

    fn post<T: serde::Serialize>(&self, path: &str, body: &T) -> Attempt {
        let bytes = match serde_json::to_vec(body) {
            Ok(b) => b,
            Err(e) => return Attempt::Fatal(self.protocol(e.to_string())),
        };
        let response = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .send(&bytes[..]);
        self.read(response)
    }

    /// Classifies one HTTP exchange.
    fn read(&self, response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Attempt {
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(e.to_string()),
        };
        let status = response.status().as_u16();
        let body = match response
            .body_mut()
            .with_config()
            .limit(ANSWER_MAX)
            .read_to_vec()
        {
            Ok(b) => b,
            Err(e) => return Attempt::Retry(format!("reading the answer: {e}")),
        };
        if status == 200 {
            return Attempt::Done(body);
        }
        let error: Option<ErrorBody> = serde_json::from_slice(&body).ok();
        if status == 503 {
            let why = error.map_or_else(|| "503".to_string(), |e| e.message);
            return Attempt::Retry(why);
        }
        let Some(error) = error else {
            return Attempt::Fatal(ClientError::Refused {
                url: self.url.clone(),
                status,
                code: "unknown".into(),
                message: "the server's error body is not JSON".into(),
            });
        };
        if status == 402 {
            if let Some(budget) = error.budget {
                return Attempt::Fatal(ClientError::OverBudget {
                    url: self.url.clone(),
                    budget,
                    requested: 0,
                });
            }
        }
        Attempt::Fatal(ClientError::Refused {
            url: self.url.clone(),
            status,
            code: error.error,
            message: error.message,
        })
    }

    fn with_retries(&self, mut attempt: impl FnMut() -> Attempt) -> Result<Vec<u8>, ClientError> {
        let mut wait = self.config.first_backoff;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match attempt() {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fatal(e) => return Err(e),
                Attempt::Retry(reason) => {
                    if attempts > self.config.retries {
                        return Err(ClientError::Transport {
                            url: self.url.clone(),
                            attempts,
                            reason,
                        });
                    }
                    sleep(wait);
                    wait = (wait * 2).min(self.config.max_backoff);
                }
            }
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, body: &[u8]) -> Result<T, ClientError> {
        serde_json::from_slice(body).map_err(|e| {
            self.protocol(format!(
                "the answer is not the expected JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })
    }

    fn protocol(&self, reason: String) -> ClientError {
        ClientError::Protocol {
            url: self.url.clone(),
            reason,
        }
    }
}

/// The outcome of one attempt at an exchange.
enum Attempt {
    Done(Vec<u8>),
    Retry(String),
    Fatal(ClientError),
}
