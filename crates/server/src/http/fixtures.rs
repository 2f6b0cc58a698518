//! `POST /api/test/contracts` (only with `--test-fixtures`): a contract for the caller in a
//! given state, for the browser tests.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::error::ApiError;
use super::extract::AuthUser;
use super::state::{blocking, AppState};
use crate::app::seed::{self, Fixture};

#[derive(Serialize)]
pub struct Created {
    id: i64,
}

pub async fn create_fixture(
    State(state): State<AppState>,
    user: AuthUser,
    Json(f): Json<Fixture>,
) -> Result<Json<Created>, ApiError> {
    let id = blocking(move || Ok(seed::create_fixture(&*state.store, user.0, &f)?)).await?;
    Ok(Json(Created { id }))
}
