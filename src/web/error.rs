//! The web app's errors, one type per kind of answer:
//!
//! - [`PageError`]: what a page request can fail with, answered as the
//!   friendly HTML page (the 988 line, what went wrong and a way back), in
//!   the request's language;
//! - [`ApiError`]: what a JSON request can fail with, answered as
//!   `{"error": "...", "parameter": "...", "suggestions": [...]}`.
//!
//! Both implement [`IntoResponse`], so handlers return `Result<_, PageError>`
//! or `Result<_, ApiError>` and use `?`. Internal errors keep their source
//! chain ([`anyhow::Error`]): it is logged with `tracing` (`{:#}`: every
//! cause), never shown; the visitor reads a general sentence.
//!
//! A page needs what every page knows of the site (the listing count, the
//! language), which `IntoResponse` does not have: [`PageError`] answers
//! with its status and itself in the response's extensions, and
//! [`render_pages`], a layer over the routes, renders it with the request's
//! [`Site`] (the extractor the page handlers take too).

use super::extract::Site;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use iop_index::request::encode;
use iop_index::request::ParamErrorKind;
use iop_index::ParamError;
use serde_json::json;
use std::sync::Arc;

/// What the visitor reads instead of an internal error.
const INTERNAL_MESSAGE: &str = "Something went wrong on our side. Please try again in a moment.";

/// What the visitor reads for an address that names no page.
pub(crate) const NO_PAGE_MESSAGE: &str =
    "There is no page at this address. It may have moved, or the link may be incomplete.";

/// How a page request failed; answered as an HTML error page (see the
/// module documentation).
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// 400: a parameter the page cannot use. `query` is the request's raw
    /// query string when the parameter is one of a search: the page then
    /// keeps what was typed in its search form, and turns suggestions for
    /// `near` into links that fix the one bad parameter.
    #[error("{error}")]
    BadParam {
        /// What was wrong, in words for the visitor.
        error: Box<ParamError>,
        /// The search's raw query string (`near=...&q=...`), if a search.
        query: Option<String>,
    },
    /// 404, with what the visitor reads (English; translated when the
    /// catalog has the sentence).
    #[error("{0}")]
    NotFound(String),
    /// 308: the page is at another path (a listing merged into another:
    /// its old URL leads to the one listing), given as the `Location`.
    #[error("moved to {0}")]
    Moved(String),
    /// 500: what failed and why (logged, never shown).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl PageError {
    /// A 400 of a search: `error` of the search in `query` (see
    /// [`PageError::BadParam`]).
    pub fn bad_search(error: ParamError, query: &str) -> PageError {
        PageError::BadParam {
            error: Box::new(error),
            query: Some(query.to_string()),
        }
    }

    /// The HTTP status of the page.
    pub fn status(&self) -> StatusCode {
        match self {
            PageError::BadParam { .. } => StatusCode::BAD_REQUEST,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Moved(_) => StatusCode::PERMANENT_REDIRECT,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error page, with what `site` knows (the request's language).
    fn render(&self, site: &iop_templates::SiteContext) -> Response {
        if let PageError::Moved(to) = self {
            return axum::response::Redirect::permanent(to).into_response();
        }
        let status = self.status();
        let mut links = Vec::new();
        let mut query = None;
        if let PageError::BadParam {
            error,
            query: Some(q),
        } = self
        {
            query = Some(q.as_str());
            for suggestion in error
                .suggestions
                .iter()
                .filter(|_| error.parameter == "near")
                .take(8)
            {
                let known = known_filters_only(q);
                links.push((
                    suggestion.clone(),
                    format!("/search?{}", replace_param(&known, "near", suggestion)),
                ));
            }
            // a mistyped name: the search with the name it was nearest
            if let ParamErrorKind::MisspeltParameter { meant } = &error.kind {
                let fixed: Vec<(String, String)> = iop_index::request::form_urlencoded_pairs(q)
                    .into_iter()
                    .map(|(k, v)| {
                        if k == error.parameter {
                            (meant.clone(), v)
                        } else {
                            (k, v)
                        }
                    })
                    .collect();
                let written = |(k, v): &(String, String)| format!("{}={}", encode(k), encode(v));
                let shown = fixed
                    .iter()
                    .filter(|(k, _)| k == meant)
                    .map(written)
                    .collect::<Vec<_>>()
                    .join("&");
                let query = fixed.iter().map(written).collect::<Vec<_>>().join("&");
                links.push((shown, format!("/search?{}", known_filters_only(&query))));
            }
        }
        // a place of another page's query (a shortlist's, a comparison's
        // `near`): its suggestions fix it on that page
        if let PageError::BadParam { error, query: None } = self {
            if error.parameter == "near" {
                let (path, page_query) = site.path.split_once('?').unwrap_or((&site.path, ""));
                for suggestion in error.suggestions.iter().take(8) {
                    links.push((
                        suggestion.clone(),
                        format!("{path}?{}", replace_param(page_query, "near", suggestion)),
                    ));
                }
            }
        }
        let title = match status {
            StatusCode::BAD_REQUEST => "We couldn't understand that search",
            StatusCode::NOT_FOUND => "Page not found",
            _ => "Something went wrong",
        };
        // the page's language: parameter errors are worded from their kind;
        // other messages are translated when the catalog has them, and a
        // message built at run time (naming an id) falls back to a general
        // one in the page's language
        let message = match self {
            PageError::BadParam { error, .. } => iop_templates::param_error_message(site, error),
            PageError::NotFound(english) => match iop_templates::i18n::lookup(site.lang, english) {
                Some(translated) => translated.to_string(),
                None if site.lang == iop_templates::Lang::En => english.clone(),
                None => site.t(NO_PAGE_MESSAGE).to_string(),
            },
            PageError::Internal(_) | PageError::Moved(_) => site.t(INTERNAL_MESSAGE).to_string(),
        };
        // a search that could not be understood keeps what was typed in the form
        let typed = query.map(typed_search).unwrap_or_default();
        let markup = iop_templates::error_page_with_search(
            site,
            status.as_u16(),
            title,
            &message,
            &links,
            &typed,
        );
        (status, markup).into_response()
    }
}

impl From<ParamError> for PageError {
    /// A 400 of a parameter that is not a search's.
    fn from(error: ParamError) -> PageError {
        PageError::BadParam {
            error: Box::new(error),
            query: None,
        }
    }
}

/// A page error on its way to [`render_pages`], in a response's extensions.
#[derive(Clone)]
struct Unrendered(Arc<PageError>);

impl IntoResponse for PageError {
    /// The status alone, with the error for [`render_pages`] to render (an
    /// internal error is logged here, with its causes).
    fn into_response(self) -> Response {
        if let PageError::Internal(e) = &self {
            tracing::error!("{e:#}");
        }
        if let PageError::Moved(to) = &self {
            return axum::response::Redirect::permanent(to).into_response();
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Unrendered(Arc::new(self)));
        response
    }
}

/// The layer that renders a handler's [`PageError`] as its page, with the
/// request's [`Site`] (see the module documentation).
pub async fn render_pages(Site(site): Site, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match response.extensions().get::<Unrendered>() {
        Some(Unrendered(error)) => error.render(&site),
        None => response,
    }
}

/// The layer that answers a handler's panic (a bug) as an internal error,
/// instead of closing the connection with no answer: the API's and HSDS's
/// JSON error body on their paths, the error page (with the 988 line, in
/// the page's language, by [`render_pages`]) on every other. The panic
/// itself is printed by the panic hook, as any panic is.
pub async fn answer_panics(request: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let json = super::http_cache::is_cross_origin(request.uri().path());
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(_) if json => ApiError::Internal(anyhow::anyhow!("a handler panicked")).into_response(),
        Err(_) => PageError::Internal(anyhow::anyhow!("a handler panicked")).into_response(),
    }
}

/// How a JSON request failed; answered as the API's error body.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a parameter the API cannot use.
    #[error("{error}")]
    BadParam {
        /// The parameter's name (the body's `parameter`).
        parameter: String,
        /// What is wrong and how to fix it, in English (the body's `error`).
        error: String,
        /// Values the client may have meant (the body's `suggestions`;
        /// `null` when empty).
        suggestions: Vec<String>,
    },
    /// 404, with the message the body's `error` gives.
    #[error("{0}")]
    NotFound(String),
    /// 308 to this path: the listing was merged into another, whose URL it
    /// is (the `Location`; the body says so too).
    #[error("moved to {0}")]
    Moved(String),
    /// 500: what failed and why (logged, never shown).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<ParamError> for ApiError {
    /// A search parameter's error: `error` is its one English wording
    /// ([`ParamError::wording`]), the English page's sentence too.
    fn from(e: ParamError) -> ApiError {
        ApiError::BadParam {
            error: e.message,
            parameter: e.parameter,
            suggestions: e.suggestions,
        }
    }
}

impl IntoResponse for ApiError {
    /// `{"error", "parameter", "suggestions"}` with the error's status; the
    /// last two are `null` when the error names no parameter or value.
    fn into_response(self) -> Response {
        let (status, error, parameter, suggestions) = match self {
            ApiError::BadParam {
                parameter,
                error,
                suggestions,
            } => (
                StatusCode::BAD_REQUEST,
                error,
                Some(parameter),
                Some(suggestions).filter(|s| !s.is_empty()),
            ),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, message, None, None),
            ApiError::Moved(to) => {
                let body = json!({
                    "error": format!("this program is listed as {to}: it was merged with another source's listing of the same program"),
                    "parameter": null,
                    "suggestions": null,
                });
                let mut response = (StatusCode::PERMANENT_REDIRECT, Json(body)).into_response();
                if let Ok(location) = axum::http::HeaderValue::from_str(&to) {
                    response
                        .headers_mut()
                        .insert(axum::http::header::LOCATION, location);
                }
                return response;
            }
            ApiError::Internal(e) => {
                tracing::error!("{e:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    INTERNAL_MESSAGE.to_string(),
                    None,
                    None,
                )
            }
        };
        let body = json!({"error": error, "parameter": parameter, "suggestions": suggestions});
        (status, Json(body)).into_response()
    }
}

/// The place, distance and words of a raw query string, as typed (the last
/// of each), and its filters that name vocabulary values; a distance that is
/// not a valid one is left out.
fn typed_search(query: &str) -> iop_templates::TypedSearch {
    let mut typed = iop_templates::TypedSearch::default();
    for (name, value) in iop_index::request::form_urlencoded_pairs(query) {
        match name.as_str() {
            "near" => typed.near = value,
            "q" => typed.q = value,
            "radius" => {
                typed.radius = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|m| *m > 0.0 && *m <= iop_index::request::MAX_RADIUS_MILES)
            }
            group => {
                // a filter that names a value is kept; one that does not
                // (perhaps the error itself) is dropped
                if let Some(known) =
                    iop_index::Vocabulary::get().lookup_written(group, value.trim())
                {
                    let pair = (group.to_string(), known.slug.clone());
                    if !typed.filters.contains(&pair) {
                        typed.filters.push(pair);
                    }
                }
            }
        }
    }
    typed
}

/// `query` without the filters that name no value of their group (a link
/// that keeps them would only fail again).
fn known_filters_only(query: &str) -> String {
    let vocabulary = iop_index::Vocabulary::get();
    iop_index::request::form_urlencoded_pairs(query)
        .into_iter()
        .filter(|(k, v)| {
            vocabulary.group_by_slug(k).is_none()
                || vocabulary.lookup_written(k, v.trim()).is_some()
        })
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `query` with every `name=` pair replaced by one `name=value`.
fn replace_param(query: &str, name: &str, value: &str) -> String {
    let mut out: Vec<String> = iop_index::request::form_urlencoded_pairs(query)
        .into_iter()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect();
    out.insert(0, format!("{}={}", encode(name), encode(value)));
    out.join("&")
}

/// The 404 page of an address that names no page.
pub fn no_page() -> PageError {
    PageError::NotFound(NO_PAGE_MESSAGE.into())
}

/// The 404 of an address that names no page: under `/api/`, the API's JSON
/// error naming its description; elsewhere the page.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound(format!(
            "the API has no {}: its paths are described at /api/v1/openapi.json",
            uri.path()
        ))
        .into_response()
    } else {
        no_page().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{layered, one_listing_state};
    use axum::routing::get;
    use axum::Router;

    /// A handler with a bug: it panics.
    async fn panics() -> &'static str {
        let words: Vec<&str> = Vec::new();
        words[0]
    }

    #[tokio::test]
    async fn a_handler_that_panics_is_answered_as_an_internal_error() {
        let tmp = std::env::temp_dir().join(format!("iopfinder-panic-{}", std::process::id()));
        let state = one_listing_state(&tmp);
        // the site's own layers over two handlers with the same bug
        let handlers = Router::new()
            .route("/about-broken", get(panics))
            .route("/api/v1/broken", get(panics));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, layered(handlers, state)).await });

        let page = reqwest::get(format!("{base}/about-broken")).await.unwrap();
        assert_eq!(page.status(), 500);
        assert!(page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("Something went wrong"), "{html}");
        assert!(html.contains("href=\"tel:988\""), "{html}");
        assert!(!html.contains("index out of bounds"), "{html}");

        let api = reqwest::get(format!("{base}/api/v1/broken")).await.unwrap();
        assert_eq!(api.status(), 500);
        let body: serde_json::Value = api.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        assert!(!body.to_string().contains("index out of bounds"), "{body}");

        // the server goes on answering
        let again = reqwest::get(format!("{base}/about-broken")).await.unwrap();
        assert_eq!(again.status(), 500);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
