//! The stylesheet and the icon, under content-hashed paths so they can be
//! cached for a year; `/favicon.ico` (asked for by browsers that ignore the
//! icon link) redirects to the icon; `/static/share.js`, the small script
//! that adds "Copy link" and "Share" to the shortlist page (cached an hour:
//! its path has no hash). All of them come from the templates crate.

use super::{AppState, PageError};
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(asset))
        .route("/favicon.ico", get(favicon_ico))
        .route("/static/share.js", get(share_js))
}

async fn asset(Path(file): Path<String>) -> Result<Response, PageError> {
    let path = format!("/static/{file}");
    if path == iop_templates::favicon_path() {
        return Ok((
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
            .into_response());
    }
    if path == iop_templates::stylesheet_path() {
        Ok((
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
            .into_response())
    } else {
        Err(super::error::not_found().await)
    }
}

async fn share_js() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        iop_templates::SHARE_JS,
    )
        .into_response()
}

async fn favicon_ico() -> Response {
    axum::response::Redirect::permanent(&iop_templates::favicon_path()).into_response()
}
