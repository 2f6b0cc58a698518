//! What the confirm-then-send forms (response, report, removal) share: the idempotency key that
//! follows the request body, and plain words for a failed send.

use serde::{Deserialize, Serialize};

use crate::api::{new_idempotency_key, ApiError};

/// A request body and the Idempotency-Key it was (or will be) sent with. The same body keeps
/// its key, so a retry — even after a reload — replays instead of posting twice; a changed
/// body gets a new key, so the server never sees one key with two bodies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyedBody {
    pub body: String,
    pub key: String,
}

pub fn key_for(previous: Option<KeyedBody>, body: String) -> KeyedBody {
    match previous {
        Some(p) if p.body == body => p,
        _ => KeyedBody {
            body,
            key: new_idempotency_key(),
        },
    }
}

/// What to tell the person when a send failed; `what` is "response", "report", "request".
pub fn failure_message(e: &ApiError, what: &str) -> String {
    match e {
        ApiError::Network => format!(
            "Your {what} was not sent: we couldn't reach the server. Your text is kept here. Check your connection, then try again."
        ),
        ApiError::Timeout => format!(
            "The server didn't answer in time, so we can't tell whether your {what} arrived. Try again: it will not be posted twice."
        ),
        ApiError::Server(_) | ApiError::BadResponse => format!(
            "Something went wrong on our side and your {what} was not saved. Your text is kept here; try again in a moment."
        ),
        ApiError::Unauthorized => format!(
            "Your session has ended, so your {what} was not sent. Sign in again; your text is kept here."
        ),
        other => format!("Your {what} was not sent: {other}"),
    }
}
