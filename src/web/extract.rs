//! Extractors: what handlers take from a request, parsed and checked once.
//!
//! - [`PageSearch`]: a page's search (`/search`'s parameters, unknown ones
//!   ignored) and the visitor's shortlist (`list=`); rejected with the 400
//!   page, which keeps what was typed.
//! - [`ApiSearch`]: the API's search (unknown parameters refused); rejected
//!   with the JSON error.
//! - [`ShortlistQuery`](super::shortlist::ShortlistQuery): the shortlist
//!   pages' `ids=` and `near=` (implemented in `shortlist`).
//!
//! The request's language is not an extractor: the language layer
//! ([`super::lang`]) sets it for the whole request, and
//! [`AppState::site`](super::AppState::site) reads it.

use super::{ApiError, PageError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use iop_index::request::Shortlist;
use iop_index::{SearchRequest, UnknownParams};

/// A page's search and the shortlist its links carry.
#[derive(Debug)]
pub struct PageSearch {
    /// The search, from every parameter but `list` (unknown ones ignored).
    pub request: SearchRequest,
    /// The visitor's shortlist (`list=`), empty when not given.
    pub shortlist: Shortlist,
}

impl PageSearch {
    /// Parse a raw query string (`near=95814&list=...`): a bad `list` is a
    /// 400 of its own, a bad search parameter the 400 of the search.
    pub fn parse(query: &str) -> Result<PageSearch, PageError> {
        let (query, shortlist) = super::shortlist::take_list(query)?;
        let request = SearchRequest::from_query_string(&query, UnknownParams::Ignore)
            .map_err(|e| PageError::bad_search(e, &query))?;
        Ok(PageSearch { request, shortlist })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageSearch {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        PageSearch::parse(parts.uri.query().unwrap_or(""))
    }
}

/// The API's search: every parameter must be one of the search's.
#[derive(Debug)]
pub struct ApiSearch(pub SearchRequest);

impl<S: Send + Sync> FromRequestParts<S> for ApiSearch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(ApiSearch(SearchRequest::from_query_string(
            query,
            UnknownParams::Refuse,
        )?))
    }
}
