//! Cache validators and cross-origin reading.
//!
//! Every successful `GET`/`HEAD` answer (pages, the JSON API, HSDS, CSV and
//! downloads) carries a weak `ETag` and a `Last-Modified` that change when
//! the served index generation changes, or when a visitor's report is
//! stored or the operator resolves one (a program page says when a
//! correction was reported), and a `Cache-Control` unless its handler set
//! one (the stylesheet's year, an export's `no-store`): [`MAX_AGE`] seconds,
//! `public`. A request whose `If-None-Match` (or, without one,
//! `If-Modified-Since`) matches is answered `304 Not Modified` without a
//! body. `/healthz` is never cached.
//!
//! The read-only JSON API (`/api/...`) and HSDS (`/hsds...`) answer every
//! origin: `Access-Control-Allow-Origin: *` (no credentials), and a
//! preflight `OPTIONS` allows `GET` and `HEAD` with the conditional headers.

use super::AppState;
use crate::inbox::InboxSizes;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::SystemTime;

/// How long a browser or CDN may reuse an answer without asking, seconds.
pub const MAX_AGE: u32 = 300;

/// Paths read from other origins: the JSON API and HSDS.
pub(super) fn is_cross_origin(path: &str) -> bool {
    path.starts_with("/api/") || path == "/hsds" || path.starts_with("/hsds/")
}

/// `Cache-Control` of an answer that sets none, made once.
static DEFAULT_CACHE_CONTROL: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    HeaderValue::from_str(&format!("public, max-age={MAX_AGE}")).expect("a valid header value")
});

/// The validators of what is served now: (`ETag`, `Last-Modified`) and the
/// reports files' sizes in the `ETag`.
pub(super) fn validators(state: &AppState) -> Validators {
    let generation = state.generation();
    let mut modified = generation.built;
    let mut size = |path: std::path::PathBuf| match std::fs::metadata(path) {
        Ok(meta) => {
            if let Ok(m) = meta.modified() {
                modified = modified.max(m);
            }
            meta.len()
        }
        Err(_) => 0,
    };
    let inbox = InboxSizes {
        reports: size(super::reports::reports_path(state)),
        resolutions: size(crate::inbox::resolutions_path(&state.reports_dir)),
    };
    let tag = format!(
        "W/\"{}-{}-{}\"",
        generation.meta.generation, inbox.reports, inbox.resolutions
    );
    Validators(tag, modified, inbox)
}

/// The validators a request is answered under: (`ETag`, `Last-Modified`),
/// worked out once per request, and the reports files' sizes they were
/// worked out from (a program page's open reports are read at the same
/// sizes: two `stat`s fewer). The page cache, outermost, leaves them in
/// the request's extensions for [`headers`], which leaves them there for
/// the handlers.
#[derive(Debug, Clone)]
pub(super) struct Validators(pub String, pub SystemTime, pub InboxSizes);

/// Does an `If-None-Match` list name `etag` (weak comparison)?
fn etag_matches(list: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    list.split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

fn not_modified(request: &HeaderMap, etag: &str, modified: SystemTime) -> bool {
    if let Some(list) = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return etag_matches(list, etag);
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    // HTTP dates are to the second
    let modified =
        httpdate::parse_http_date(&httpdate::fmt_http_date(modified)).unwrap_or(modified);
    since.is_some_and(|since| modified <= since)
}

fn allow_origin(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag"),
    );
}

/// `ETag`, `Last-Modified` and, unless the handler set one, the default
/// `Cache-Control`.
fn set_validators(h: &mut HeaderMap, etag: &str, modified: SystemTime) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        h.insert(header::LAST_MODIFIED, value);
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, DEFAULT_CACHE_CONTROL.clone());
    }
}

/// A search, a program, or the home or about page (English-form path, the
/// API's twins included): answers whose `200`s carry the default
/// `Cache-Control` and depend on nothing but the URL (with the `Host` and
/// `Accept-Encoding` it came with) and what the `ETag` covers.
pub(super) fn depends_on_url_only(path: &str) -> bool {
    matches!(path, "/" | "/about" | "/search" | "/api/v1/search")
        || ["/programs/", "/api/v1/programs/"].iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|id| !id.is_empty() && !id.contains('/'))
        })
}

/// Whether a request can be answered `304` before its handler runs: it
/// names the current `ETag` itself in `If-None-Match` (so the client had a
/// `200` of this generation; a `*` or a date alone does not tell that the
/// page exists), and its path is a search, a program, or the home or about
/// page, whose `200`s carry the default `Cache-Control` and depend on
/// nothing but the URL and what the `ETag` covers. Every other request is
/// answered, then turned into a `304` when its conditions match.
fn answered_before(path: &str, request: &HeaderMap, etag: &str) -> bool {
    depends_on_url_only(path)
        && request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|list| {
                list.split(',')
                    .any(|t| t.trim() != "*" && etag_matches(t, etag))
            })
}

/// The middleware (see the module documentation).
pub async fn headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let cross_origin = is_cross_origin(&path);
    if cross_origin && request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        allow_origin(h);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("If-None-Match, If-Modified-Since"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return response;
    }
    let readable = matches!(*request.method(), Method::GET | Method::HEAD) && path != "/healthz";
    // the two conditional headers only (most requests have neither)
    let mut conditions = HeaderMap::new();
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        if let Some(value) = request.headers().get(&name) {
            conditions.insert(name, value.clone());
        }
    }
    let Validators(etag, modified, _) = match request.extensions().get::<Validators>() {
        Some(v) => v.clone(),
        None => {
            let v = validators(&state);
            request.extensions_mut().insert(v.clone());
            v
        }
    };
    if readable && answered_before(&path, &conditions, &etag) {
        // the same answer as the 304 below, without rendering the page first
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if cross_origin {
            allow_origin(response.headers_mut());
        }
        set_validators(response.headers_mut(), &etag, modified);
        return response;
    }
    let mut response = next.run(request).await;
    if cross_origin {
        allow_origin(response.headers_mut());
    }
    if !readable || response.status() != StatusCode::OK {
        return response;
    }
    let no_store = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if no_store {
        return response;
    }
    set_validators(response.headers_mut(), &etag, modified);
    if not_modified(&conditions, &etag, modified) {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_are_compared_weakly() {
        assert!(etag_matches("W/\"g-1-0-0\"", "W/\"g-1-0-0\""));
        assert!(etag_matches("\"x\", \"g-1-0-0\"", "W/\"g-1-0-0\""));
        assert!(etag_matches("*", "W/\"g-1-0-0\""));
        assert!(!etag_matches("W/\"g-2-0-0\"", "W/\"g-1-0-0\""));
    }
}
