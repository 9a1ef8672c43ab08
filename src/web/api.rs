//! The JSON API: `/api/v1/search` and `/api/v1/programs/{id}`.

use super::{AppState, Error};
use crate::json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::listing::is_listing_id;
use iop_index::{SearchRequest, UnknownParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(search))
        .route("/api/v1/programs/{id}", get(program))
}

async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    super::lang::blocking(move || search_now(&state, query)).await
}

/// The search itself, on the blocking pool.
fn search_now(state: &AppState, query: Option<String>) -> Response {
    let request = match SearchRequest::from_query_string(
        query.as_deref().unwrap_or(""),
        UnknownParams::Refuse,
    ) {
        Ok(r) => r,
        Err(e) => return Error::from(e).json(),
    };
    let generation = state.generation();
    match generation.index.search(&request) {
        Ok(results) => Json(json::search(&results)).into_response(),
        Err(e) => Error::Internal(e.to_string()).json(),
    }
}

async fn program(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let generation = state.generation();
    match generation.index.listing(&id).filter(|_| is_listing_id(&id)) {
        Some(listing) => Json(json::program(&listing)).into_response(),
        None => Error::NotFound(format!("no program has the id {id:?}")).json(),
    }
}
