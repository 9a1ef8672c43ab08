//! `/` (the search form) and `/search` (results with facets).

use super::{AppState, Error};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::{SearchRequest, UnknownParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(results))
}

async fn home(State(state): State<AppState>) -> Response {
    iop_templates::home(&state.site()).into_response()
}

async fn results(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    super::lang::blocking(move || results_now(state, query)).await
}

/// The search and its page, on the blocking pool.
fn results_now(state: AppState, query: Option<String>) -> Response {
    let query = query.unwrap_or_default();
    // `list=`: the visitor's shortlist, carried in the URL but not part of the search.
    let (query, shortlist) = match super::shortlist::take_list(&query) {
        Ok(taken) => taken,
        Err(e) => return e.page(&state, None),
    };
    let request = match SearchRequest::from_query_string(&query, UnknownParams::Ignore) {
        Ok(r) => r,
        Err(e) => return Error::from(e).page(&state, Some(&query)),
    };
    let generation = state.generation();
    match generation.index.search(&request) {
        Ok(results) if results.total == 0 => {
            // the empty state offers wider searches with the counts they give
            let mut widenings = Vec::new();
            for (change, next) in iop_templates::widenings_of(&request) {
                match generation.index.search(&next) {
                    Ok(found) => widenings.push(iop_templates::Widening {
                        change,
                        request: next,
                        total: found.total,
                    }),
                    Err(e) => return Error::Internal(e.to_string()).page(&state, None),
                }
            }
            iop_templates::results_page(
                &state.site(),
                &request,
                &results,
                &shortlist,
                Some(&widenings),
            )
            .into_response()
        }
        Ok(results) => {
            iop_templates::results_with_shortlist(&state.site(), &request, &results, &shortlist)
                .into_response()
        }
        Err(e) => Error::Internal(e.to_string()).page(&state, None),
    }
}
