//! `/programs/{id}`: one listing with every fact, its source and date; its
//! canonical URL, share tags and JSON-LD are absolute against the public base
//! URL (see [`super::seo::public_url`]). `list=` carries a shortlist.

use super::extract::{KnownListing, Site};
use super::http_cache::Validators;
use super::seo::public_url;
use super::{AppState, PageError};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use iop_index::{SearchRequest, UnknownParams};

pub fn router() -> Router<AppState> {
    Router::new().route("/programs/{id}", get(program))
}

async fn program(
    State(state): State<AppState>,
    Site(site): Site,
    listing: Result<KnownListing, PageError>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    validators: Option<Extension<Validators>>,
) -> Result<Response, PageError> {
    // a bad shortlist is answered before an unknown id, as it always was
    let (rest, shortlist) = super::shortlist::take_list(&query.unwrap_or_default())?;
    let KnownListing(listing, _) = listing?;
    // the search the visitor came from rides along on the card's link: a
    // link back to it when it is one (anything else is ignored)
    let search = SearchRequest::from_query_string(&rest, UnknownParams::Ignore)
        .ok()
        .filter(|r| r.near.is_some() || r.text.is_some() || !r.filters.is_empty());
    // the reports files' sizes as the validators middleware stat'ed them
    // (it always leaves them; without it they are read here)
    let inbox = match validators {
        Some(Extension(Validators(_, _, inbox))) => inbox,
        None => super::http_cache::validators(&state).2,
    };
    let reported = crate::inbox::open_report_dates(&state.reports_dir, inbox, &listing.id);
    let generation = state.generation();
    let made;
    let tel = match super::prepared::tel_links(&generation.index, &listing.id) {
        Some(tel) => tel,
        None => {
            made = iop_templates::TelLinks::of(&listing);
            &made
        }
    };
    Ok(iop_templates::program_page_with_tel(
        &site,
        &listing,
        tel,
        &shortlist,
        &public_url(&headers),
        search.as_ref(),
        &reported,
    )
    .into_response())
}
