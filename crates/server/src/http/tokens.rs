//! Bearer tokens looked up in the store per request, behind a short cache: users can be added
//! or revoked while instances run (no instance holds a copy read at start). A revoked token
//! keeps working for at most `KNOWN_TTL` on an instance that had just seen it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use feedback_domain::ProblemKind;

use super::error::ApiError;
use super::state::in_request_span;
use crate::storage::Store;

/// How long a token that named a user is trusted without asking the database again.
pub const KNOWN_TTL: Duration = Duration::from_secs(30);
/// How long an unknown token is remembered as unknown (so a flood of bad tokens doesn't reach
/// the database on every request).
pub const UNKNOWN_TTL: Duration = Duration::from_secs(5);
/// Entries kept before the expired ones are swept (then, if still full, all).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Option<i64>, Instant)>>,
}

impl TokenCache {
    /// The user `token` belongs to, or `None` if it names nobody.
    pub async fn user(&self, store: &Arc<dyn Store>, token: &str) -> Result<Option<i64>, ApiError> {
        let now = Instant::now();
        if let Some((user, until)) = self.lock().get(token) {
            if *until > now {
                return Ok(*user);
            }
        }
        let (store, owned) = (store.clone(), token.to_string());
        let user = in_request_span(move || store.user_by_token(&owned))
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "token lookup failed");
                ApiError::new(
                    ProblemKind::Unavailable,
                    "Your sign-in could not be checked just now. Try again in a moment.",
                )
            })?;
        let ttl = if user.is_some() {
            KNOWN_TTL
        } else {
            UNKNOWN_TTL
        };
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(token.to_string(), (user, now + ttl));
        Ok(user)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Option<i64>, Instant)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
