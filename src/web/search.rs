//! `/` (the search form) and `/search` (results with facets).

use super::extract::{PageSearch, Site};
use super::{AppState, PageError};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::search::IN_MEMORY_LISTINGS_MAX;
use iop_templates::SiteContext;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(results))
}

async fn home(Site(site): Site) -> Response {
    iop_templates::home(&site).into_response()
}

async fn results(
    State(state): State<AppState>,
    Site(site): Site,
    search: PageSearch,
) -> Result<Response, PageError> {
    if state.generation().index.len() <= IN_MEMORY_LISTINGS_MAX {
        // listings held in memory: the search and the page take well under
        // a millisecond, less than handing them to the blocking pool costs
        // (two thread switches a request)
        results_now(state, &site, search)
    } else {
        super::blocking(move || results_now(state, &site, search)).await
    }
}

/// The search and its page (on the blocking pool above
/// [`IN_MEMORY_LISTINGS_MAX`] listings): with no result, the searches of the
/// empty state's wider ones too.
fn results_now(
    state: AppState,
    site: &SiteContext,
    search: PageSearch,
) -> Result<Response, PageError> {
    let PageSearch { request, shortlist } = search;
    let generation = state.generation();
    let results = generation
        .index
        .search_for_results(&request)
        .map_err(|e| PageError::Internal(anyhow::Error::new(e).context("searching")))?;
    if results.total > 0 {
        let cards = super::prepared::cards(&generation.index, &results, site.lang);
        return Ok(iop_templates::results_page_with_cards(
            site, &request, &results, &shortlist, None, &cards,
        )
        .into_response());
    }
    // the empty state offers wider searches with the counts they give
    let mut widenings = Vec::new();
    for (change, next) in iop_index::request::widenings_of(&request) {
        let total = generation
            .index
            .total(&next)
            .map_err(|e| PageError::Internal(anyhow::Error::new(e).context("counting")))?;
        widenings.push(iop_templates::Widening {
            change,
            request: next,
            total,
        });
    }
    Ok(
        iop_templates::results_page(site, &request, &results, &shortlist, Some(&widenings))
            .into_response(),
    )
}
