//! `/programs/{id}`: one listing with every fact, its source and date; its
//! canonical URL, share tags and JSON-LD are absolute against the public base
//! URL (see [`super::seo::public_url`]). `list=` carries a shortlist.

use super::seo::public_url;
use super::{AppState, PageError};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::listing::is_listing_id;
use iop_index::{SearchRequest, UnknownParams};

pub fn router() -> Router<AppState> {
    Router::new().route("/programs/{id}", get(program))
}

async fn program(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (rest, shortlist) = super::shortlist::take_list(&query.unwrap_or_default())?;
    // the search the visitor came from rides along on the card's link: a
    // link back to it when it is one (anything else is ignored)
    let search = SearchRequest::from_query_string(&rest, UnknownParams::Ignore)
        .ok()
        .filter(|r| r.near.is_some() || r.text.is_some() || !r.filters.is_empty());
    let generation = state.generation();
    match generation.index.listing(&id).filter(|_| is_listing_id(&id)) {
        Some(listing) => {
            let reported = crate::inbox::open_report_dates(&state.reports_dir, &listing.id);
            Ok(iop_templates::program_page_from(
                &state.site(),
                &listing,
                &shortlist,
                &public_url(&headers),
                search.as_ref(),
                &reported,
            )
            .into_response())
        }
        None => Err(PageError::NotFound(
            "There is no program at this address. It may have closed or been removed from the directory; search again to find programs near you."
                .into(),
        )),
    }
}
