//! `/` (the search form) and `/search` (results with facets).

use super::{AppState, Error};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::{SearchRequest, UnknownParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(results))
}

async fn home(State(state): State<AppState>) -> Response {
    iop_templates::home(&state.site()).into_response()
}

async fn results(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let request = match SearchRequest::from_query_string(&query, UnknownParams::Ignore) {
        Ok(r) => r,
        Err(e) => return Error::from(e).page(&state, Some(&query)),
    };
    let generation = state.generation();
    match generation.index.search(&request) {
        Ok(results) => iop_templates::results(&state.site(), &request, &results).into_response(),
        Err(e) => Error::Internal(e.to_string()).page(&state, None),
    }
}
