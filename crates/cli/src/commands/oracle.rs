//! The dump holder's server as `query` asks it: an [`Oracle`] over [`ServerClient`] (HTTP).
//!
//! The current epoch comes from the server's descriptors (`GET /v1/descriptors`): its public
//! key is what every answer's proofs are verified against, whatever the credential file says.

use leakmatch_hashing::FileDigest;
use leakmatch_match::{EpochInfo, Oracle, OracleError};
use leakmatch_oprf::{BlindedElement, EvaluatedBatch};
use leakmatch_server::{ClientError, ServerClient};

/// `query`'s oracle: one server, one credential.
pub struct ServerOracle {
    client: ServerClient,
}

impl ServerOracle {
    pub fn new(client: ServerClient) -> Self {
        ServerOracle { client }
    }
}

/// A budget refusal gets its own exit status; anything else is reported as it came.
fn oracle_error(e: ClientError) -> OracleError {
    match e {
        ClientError::OverBudget { .. } => OracleError::BudgetExhausted,
        e => OracleError::Failed(Box::new(e)),
    }
}

impl Oracle for ServerOracle {
    fn server(&self) -> String {
        self.client.url().to_string()
    }

    fn current_epoch(&self) -> Result<EpochInfo, OracleError> {
        let d = self.client.descriptors().map_err(oracle_error)?;
        let bad = |what: &str| {
            OracleError::Failed(
                format!(
                    "server {} lists {what} for its current epoch",
                    self.client.url()
                )
                .into(),
            )
        };
        let current = d.current().ok_or_else(|| bad("no descriptor"))?;
        if current.withdrawn {
            return Err(bad("a withdrawn descriptor"));
        }
        let public_key = current
            .public_key()
            .ok_or_else(|| bad("an unreadable public key"))?;
        let filters = current
            .filters
            .iter()
            .map(|f| FileDigest::from_hex(&f.digest).ok_or_else(|| bad("an unreadable digest")))
            .collect::<Result<_, _>>()?;
        Ok(EpochInfo {
            epoch: current.epoch,
            public_key,
            filters,
        })
    }

    fn budget_left(&self) -> Result<u64, OracleError> {
        Ok(self.client.budget().map_err(oracle_error)?.left)
    }

    fn evaluate(
        &self,
        epoch: u64,
        elements: &[BlindedElement],
    ) -> Result<EvaluatedBatch, OracleError> {
        self.client.evaluate(epoch, elements).map_err(|e| match e {
            ClientError::Refused { ref code, .. }
                if code == "epoch_withdrawn" || code == "unknown_epoch" =>
            {
                OracleError::EpochNotCurrent { epoch }
            }
            e => oracle_error(e),
        })
    }
}
