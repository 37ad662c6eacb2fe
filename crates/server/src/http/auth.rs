//! Authenticating a signed request: field syntax, timestamp window, client lookup, signature.
//!
//! The cheap checks ([`parse_signed`]) run on the async workers; the lookup and the
//! signature check ([`authenticate`]) read the store and run on a blocking thread.

use crate::clients::Registered;
use crate::credential::ClientId;
use crate::http::reject::Rejection;
use crate::{hex, signing, State};

/// The authenticating fields of a request, parsed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signed {
    pub(crate) client: ClientId,
    pub(crate) request_id: [u8; 16],
    pub(crate) timestamp: u64,
    pub(crate) signature: [u8; 64],
}

/// Parses the fields and checks the timestamp against `now`.
pub(crate) fn parse_signed(
    client: &str,
    request_id: &str,
    timestamp: u64,
    signature: &str,
    now: u64,
) -> Result<Signed, Rejection> {
    let client = ClientId::from_hex(client)
        .ok_or_else(|| Rejection::Malformed("`client` is not 32 hex digits".into()))?;
    let request_id = hex::decode::<16>(request_id)
        .ok_or_else(|| Rejection::Malformed("`request_id` is not 32 hex digits".into()))?;
    let signature = hex::decode::<64>(signature)
        .ok_or_else(|| Rejection::Malformed("`signature` is not 128 hex digits".into()))?;
    if !signing::fresh(timestamp, now) {
        return Err(Rejection::Stale);
    }
    Ok(Signed {
        client,
        request_id,
        timestamp,
        signature,
    })
}

/// Looks the client up and verifies `signed.signature` over `message`.
pub(crate) fn authenticate(
    state: &State,
    signed: &Signed,
    message: &[u8],
) -> Result<Registered, Rejection> {
    let client = state
        .lookup(&signed.client)
        .map_err(|_| Rejection::Store)?
        .ok_or(Rejection::UnknownClient)?;
    if !signing::verify(&client.public_key, message, &signed.signature) {
        return Err(Rejection::BadSignature);
    }
    Ok(client)
}
