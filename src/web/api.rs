//! The JSON API: `/api/v1/search` and `/api/v1/programs/{id}`.

use super::extract::{ApiSearch, KnownListing};
use super::{ApiError, AppState};
use crate::json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::SearchRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(search))
        .route("/api/v1/programs/{id}", get(program))
}

async fn search(
    State(state): State<AppState>,
    ApiSearch(request): ApiSearch,
) -> Result<Response, ApiError> {
    super::blocking(move || search_now(&state, &request)).await
}

/// The search itself, on the blocking pool.
fn search_now(state: &AppState, request: &SearchRequest) -> Result<Response, ApiError> {
    let results = state
        .generation()
        .index
        .search(request)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("searching")))?;
    Ok(Json(json::search(&results)).into_response())
}

async fn program(KnownListing(listing, _): KnownListing<ApiError>) -> Response {
    Json(json::program(&listing)).into_response()
}
