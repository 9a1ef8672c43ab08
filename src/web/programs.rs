//! `/programs/{id}`: one listing with every fact, its source and date; its
//! canonical URL, share tags and JSON-LD are absolute against the public base
//! URL (see [`super::seo::public_url`]). `list=` carries a shortlist.

use super::seo::public_url;
use super::{AppState, Error};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::listing::is_listing_id;

pub fn router() -> Router<AppState> {
    Router::new().route("/programs/{id}", get(program))
}

async fn program(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let shortlist = match super::shortlist::take_list(&query.unwrap_or_default()) {
        Ok((_, shortlist)) => shortlist,
        Err(e) => return e.page(&state, None),
    };
    let generation = state.generation();
    match generation.index.listing(&id).filter(|_| is_listing_id(&id)) {
        Some(listing) => {
            let reported = crate::inbox::open_report_dates(state.data.root(), &listing.id);
            iop_templates::program_page_with_reports(
                &state.site(),
                &listing,
                &shortlist,
                &public_url(&headers),
                &reported,
            )
            .into_response()
        }
        None => Error::NotFound(format!(
            "No program has the id {id:?}. It may have closed or been removed from the directory; search again to find programs near you."
        ))
        .page(&state, None),
    }
}
