//! The stylesheet and the icon, under content-hashed paths so they can be
//! cached for a year; `/favicon.ico` (asked for by browsers that ignore the
//! icon link) redirects to the icon.

use super::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(asset))
        .route("/favicon.ico", get(favicon_ico))
}

async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let path = format!("/static/{file}");
    if path == iop_templates::favicon_path() {
        return (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("image/svg+xml"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            iop_templates::FAVICON,
        )
            .into_response();
    }
    if path == iop_templates::stylesheet_path() {
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

async fn favicon_ico() -> Response {
    axum::response::Redirect::permanent(&iop_templates::favicon_path()).into_response()
}
