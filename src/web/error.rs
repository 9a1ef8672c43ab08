//! One error type for the web app. Pages render it as a friendly HTML page
//! (with the 988 line, what went wrong and a way back); the API as JSON
//! `{"error": "...", "parameter": "..."}`. Internal errors are logged, never
//! shown.

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use iop_index::request::encode;
use iop_index::ParamError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadParam(#[from] ParamError),
    #[error("{0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Error::BadParam(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Error::Internal(detail) => {
                tracing::error!("{detail}");
                "Something went wrong on our side. Please try again in a moment.".into()
            }
            other => other.to_string(),
        }
    }

    /// The error as JSON, for the API.
    pub fn json(self) -> Response {
        let status = self.status();
        let parameter = match &self {
            Error::BadParam(p) => Some(p.parameter.clone()),
            _ => None,
        };
        let suggestions = match &self {
            Error::BadParam(p) if !p.suggestions.is_empty() => Some(p.suggestions.clone()),
            _ => None,
        };
        let body = json!({"error": self.public_message(), "parameter": parameter, "suggestions": suggestions});
        (status, Json(body)).into_response()
    }

    /// The error as a page. `query` is the request's raw query string, used to
    /// turn suggestions into links that fix the one bad parameter.
    pub fn page(self, state: &AppState, query: Option<&str>) -> Response {
        let status = self.status();
        let mut links = Vec::new();
        if let (Error::BadParam(p), Some(query)) = (&self, query) {
            for suggestion in p
                .suggestions
                .iter()
                .filter(|_| p.parameter == "near")
                .take(8)
            {
                let query = known_filters_only(query);
                links.push((
                    suggestion.clone(),
                    format!("/search?{}", replace_param(&query, "near", suggestion)),
                ));
            }
        }
        let title = match status {
            StatusCode::BAD_REQUEST => "We couldn't understand that search",
            StatusCode::NOT_FOUND => "Page not found",
            _ => "Something went wrong",
        };
        let site = state.site();
        // the page's language: parameter errors are worded from their kind;
        // other messages are translated when the catalog has them, and a
        // message built at run time (naming an id) falls back to a general
        // one in the page's language
        let message = match &self {
            Error::BadParam(p) => iop_templates::param_error_message(&site, p),
            other => {
                let english = other.public_message();
                match iop_templates::i18n::lookup(site.lang, &english) {
                    Some(translated) => translated.to_string(),
                    None if site.lang == iop_templates::Lang::En => english,
                    None => site
                        .t(match status {
                            StatusCode::NOT_FOUND => "There is no page at this address. It may have moved, or the link may be incomplete.",
                            _ => "Something went wrong on our side. Please try again in a moment.",
                        })
                        .to_string(),
                }
            }
        };
        // a search that could not be understood keeps what was typed in the form
        let typed = query.map(typed_search).unwrap_or_default();
        let markup = iop_templates::error_page_with_search(
            &site,
            status.as_u16(),
            title,
            &message,
            &links,
            &typed,
        );
        (status, markup).into_response()
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
                let pair = (group.to_string(), value.trim().to_string());
                if iop_index::Vocabulary::get()
                    .lookup(&pair.0, &pair.1)
                    .is_some()
                    && !typed.filters.contains(&pair)
                {
                    typed.filters.push(pair);
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
            vocabulary.group_by_slug(k).is_none() || vocabulary.lookup(k, v.trim()).is_some()
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

pub async fn not_found(State(state): State<AppState>) -> Response {
    Error::NotFound(
        "There is no page at this address. It may have moved, or the link may be incomplete."
            .into(),
    )
    .page(&state, None)
}
