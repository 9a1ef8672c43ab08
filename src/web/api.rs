//! The JSON API: `/api/v1/search` and `/api/v1/programs/{id}`.

use super::extract::{ApiSearch, KnownListing};
use super::{ApiError, AppState};
use crate::json;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::search::IN_MEMORY_LISTINGS_MAX;
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
    if state.generation().index.len() <= IN_MEMORY_LISTINGS_MAX {
        // listings held in memory: the search and its answer take well
        // under a millisecond, less than handing them to the blocking pool
        // costs (two thread switches a request)
        search_now(&state, &request)
    } else {
        super::blocking(move || search_now(&state, &request)).await
    }
}

/// The search itself (on the blocking pool above
/// [`IN_MEMORY_LISTINGS_MAX`] listings).
fn search_now(state: &AppState, request: &SearchRequest) -> Result<Response, ApiError> {
    let generation = state.generation();
    let results = generation
        .index
        .search_for_results(request)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("searching")))?;
    // `Json`'s answer, assembled from the generation's prepared rows
    let body = super::prepared::search_json(&generation.index, &results);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

async fn program(KnownListing(listing, _): KnownListing<ApiError>) -> Response {
    Json(json::program(&listing)).into_response()
}
