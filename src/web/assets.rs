//! The stylesheet and the icon, under content-hashed paths so they can be
//! cached for a year; `/favicon.ico` (asked for by browsers that ignore the
//! icon link) redirects to the icon; `/static/share.js`, the small script
//! that adds "Copy link" and "Share" to the shortlist page (cached an hour:
//! its path has no hash); the results map's line tiles (state and county
//! lines, `/map/lines-{hash}/{layer}/{z}/{x}/{y}.svg`, cached for a year:
//! the hash changes with the lines). All of them come from the templates
//! crate.

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
        .route("/map/{set}/{layer}/{z}/{x}/{file}", get(line_tile))
}

/// One tile of the results map's lines ([`iop_templates::map::line_tile`]);
/// 404 for another build's tiles, an unknown layer or a tile that is not
/// one.
async fn line_tile(
    Path((set, layer, z, x, file)): Path<(String, String, String, String, String)>,
) -> Result<Response, PageError> {
    use iop_templates::map::{line_tile, line_tile_prefix, LineLayer};
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let tile = (line_tile_prefix() == format!("/map/{set}"))
        .then_some(())
        .and_then(|()| {
            let layer = LineLayer::from_slug(&layer)?;
            let y = number(file.strip_suffix(".svg")?)?;
            line_tile(layer, number(&z)?, number(&x)?, y)
        });
    match tile {
        Some(svg) => Ok((
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
            svg,
        )
            .into_response()),
        None => Err(super::error::no_page()),
    }
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
        Err(super::error::no_page())
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
