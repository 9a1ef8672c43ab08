//! `/programs/{id}`: one listing with every fact, its source and date.

use super::{AppState, Error};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::listing::is_listing_id;

pub fn router() -> Router<AppState> {
    Router::new().route("/programs/{id}", get(program))
}

async fn program(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let generation = state.generation();
    match generation.index.listing(&id).filter(|_| is_listing_id(&id)) {
        Some(listing) => iop_templates::program(&state.site(), &listing).into_response(),
        None => Error::NotFound(format!(
            "No program has the id {id:?}. It may have closed or been removed from the directory; search again to find programs near you."
        ))
        .page(&state, None),
    }
}
