//! `/healthz`: 200 with the served generation once the index is loaded.

use super::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    let g = state.generation();
    Json(json!({
        "status": "ok",
        "generation": g.meta.generation,
        "listings": g.meta.listings,
        "sample": g.meta.sample,
        "built_at": g.meta.built_at,
    }))
}
