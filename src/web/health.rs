//! `/healthz`: 200 with the served generation once the index is loaded, and
//! how the last look for a new generation went (`updates`), and how the
//! cache of rendered answers is used (`page_cache`: its bound and the bytes
//! and pages it holds, hits and misses since start).
//!
//! `status` is `"ok"`, or `"stale"` when a newer generation is offered (by
//! the data directory or the `--index-from` copy) but could not be fetched,
//! verified or opened: the old generation is still served (so the answer
//! stays 200 and a load balancer keeps the replica), and `updates.error`
//! says why.

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
    let updates = state.updates.state();
    Json(json!({
        "status": if updates.error.is_some() { "stale" } else { "ok" },
        "generation": g.meta.generation,
        "listings": g.meta.listings,
        "sample": g.meta.sample,
        "built_at": g.meta.built_at,
        "updates": {
            "from": state.updates.origin(),
            "checked_at": updates.checked_at,
            "offered": updates.offered,
            "error": updates.error,
            "failing_since": updates.failing_since,
        },
        "page_cache": state.page_cache.stats(),
    }))
}
