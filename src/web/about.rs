//! `/about`: sources, dates, how listings are checked.

use super::extract::Site;
use super::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_crawler::sources::SourceKind;

pub fn router() -> Router<AppState> {
    Router::new().route("/about", get(about))
}

async fn about(State(state): State<AppState>, Site(site): Site) -> Response {
    let generation = state.generation();
    let public_domain: Vec<&str> = SourceKind::ALL
        .into_iter()
        .filter(|&kind| credited_as_public_domain(kind))
        .map(SourceKind::as_str)
        .collect();
    iop_templates::about(&site, &generation.meta, &public_domain).into_response()
}

/// Whether the About page's credits name a kind's facility data as public
/// domain: SAMHSA's National Directory (a work of the U.S. government).
/// FindTreatment's facts are public domain too but have never been named
/// there (kept as it was).
fn credited_as_public_domain(kind: SourceKind) -> bool {
    match kind {
        SourceKind::SamhsaDirectory => true,
        SourceKind::FindTreatment | SourceKind::Hsds | SourceKind::Sample | SourceKind::Website => {
            false
        }
    }
}
