//! The stylesheet, under a content-hashed path so it can be cached for a year.

use super::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{file}", get(asset))
}

async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == iop_templates::stylesheet_path() {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            iop_templates::STYLESHEET,
        )
            .into_response()
    } else {
        super::error::not_found(State(state)).await
    }
}
