//! Extractors: what handlers take from a request, parsed and checked once.
//!
//! - [`PageSearch`]: a page's search (`/search`'s parameters, unknown ones
//!   ignored) and the visitor's shortlist (`list=`); rejected with the 400
//!   page, which keeps what was typed.
//! - [`ApiSearch`]: the API's search (unknown parameters refused); rejected
//!   with the JSON error.
//! - [`ShortlistQuery`](super::shortlist::ShortlistQuery): the shortlist
//!   pages' `ids=` and `near=` (implemented in `shortlist`).
//! - [`KnownListing`]: the listing a path's `{id}` names, rejected with the
//!   page's or the API's 404.
//!
//! - [`Site`]: the page's [`SiteContext`] in the request's language (the
//!   language layer, [`super::lang`], sets it for the whole request); the
//!   error-page layer ([`super::error::render_pages`]) takes it too.

use super::{ApiError, AppState, PageError};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use iop_index::listing::is_listing_id;
use iop_index::request::Shortlist;
use iop_index::{Listing, SearchRequest, UnknownParams};
use iop_templates::SiteContext;
use std::marker::PhantomData;
use std::sync::Arc;

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

/// The listing the path's `{id}` names (`/programs/{id}`,
/// `/programs/{id}/report`, `/api/v1/programs/{id}`): its id has the shape
/// of one (12 lowercase hex digits, [`is_listing_id`]) and the current
/// generation has it. Rejected with `E`'s 404 ([`PageError`] for pages,
/// [`ApiError`] for the JSON API), from [`NoListing`].
pub struct KnownListing<E = PageError>(pub Arc<Listing>, pub PhantomData<fn() -> E>);

/// A path `{id}` that names no listing: malformed, or not in the directory,
/// or merged into another listing (`moved_to`).
#[derive(Debug)]
pub struct NoListing {
    /// The id as the path gives it (percent-decoded).
    pub id: String,
    /// When the id is of a listing merged into another
    /// ([`Listing::merged_ids`]): the same path and query with that
    /// listing's id, in the request's language (`/es/programs/...`).
    pub moved_to: Option<String>,
}

impl From<NoListing> for PageError {
    /// The page's 404 (one wording for the program page and its report
    /// form), or its permanent redirect when the listing was merged.
    fn from(e: NoListing) -> PageError {
        if let Some(to) = e.moved_to {
            return PageError::Moved(to);
        }
        PageError::NotFound(
            "There is no program at this address. It may have closed or been removed from the directory; search again to find programs near you."
                .into(),
        )
    }
}

impl From<NoListing> for ApiError {
    /// The JSON 404: `no program has the id "..."`, or the permanent
    /// redirect of a merged listing.
    fn from(e: NoListing) -> ApiError {
        if let Some(to) = e.moved_to {
            return ApiError::Moved(to);
        }
        ApiError::NotFound(format!("no program has the id {:?}", e.id))
    }
}

impl<E> FromRequestParts<AppState> for KnownListing<E>
where
    E: From<NoListing> + IntoResponse,
{
    type Rejection = E;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // a path without a decodable `{id}` names no listing either
        let id = match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => id,
            Err(_) => {
                return Err(E::from(NoListing {
                    id: String::new(),
                    moved_to: None,
                }))
            }
        };
        match state
            .generation()
            .index
            .listing(&id)
            .filter(|_| is_listing_id(&id))
        {
            Some(listing) if listing.id == id => Ok(KnownListing(listing, PhantomData)),
            // merged into another listing: the same path with its id
            Some(listing) => {
                let path =
                    parts
                        .uri
                        .path()
                        .replacen(&format!("/{id}"), &format!("/{}", listing.id), 1);
                let query = parts
                    .uri
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default();
                let prefix = if path.starts_with("/api/") {
                    ""
                } else {
                    super::lang::current().lang.prefix()
                };
                Err(E::from(NoListing {
                    id,
                    moved_to: Some(format!("{prefix}{path}{query}")),
                }))
            }
            None => Err(E::from(NoListing { id, moved_to: None })),
        }
    }
}

/// What a page needs to render, in the request's language (`/es/...` is
/// Spanish, see [`super::lang`]): the language, the page's path and public
/// URL, and the directory's count and date. Never rejects.
pub struct Site(pub SiteContext);

impl FromRequestParts<AppState> for Site {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Site(state.site()))
    }
}
