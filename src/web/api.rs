//! The JSON API: `/api/v1/search` and `/api/v1/programs/{id}`.

use super::extract::ApiSearch;
use super::{ApiError, AppState};
use crate::json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::listing::is_listing_id;
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

async fn program(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let generation = state.generation();
    match generation.index.listing(&id).filter(|_| is_listing_id(&id)) {
        Some(listing) => Ok(Json(json::program(&listing)).into_response()),
        None => Err(ApiError::NotFound(format!("no program has the id {id:?}"))),
    }
}
