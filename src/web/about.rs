//! `/about`: sources, dates, how listings are checked.

use super::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/about", get(about))
}

async fn about(State(state): State<AppState>) -> Response {
    let generation = state.generation();
    iop_templates::about(&state.site(), &generation.meta).into_response()
}
