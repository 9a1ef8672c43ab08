//! `/compare?ids=a,b[,c[,d]][&near=...]`: two to four programs side by side.

use super::extract::Site;
use super::shortlist::{Loaded, ShortlistQuery};
use super::{AppState, PageError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::request::{MAX_COMPARE, MIN_COMPARE};
use iop_templates::CompareView;
use iop_templates::SiteContext;

pub fn router() -> Router<AppState> {
    Router::new().route("/compare", get(compare))
}

async fn compare(
    State(state): State<AppState>,
    Site(mut site): Site,
    parsed: ShortlistQuery,
) -> Result<Response, PageError> {
    let loaded = Loaded::new(&state, parsed);
    loaded.frame_path(&mut site);
    let Loaded {
        parsed,
        programs,
        missing,
    } = loaded;
    let n = parsed.ids.len();
    if !(MIN_COMPARE..=MAX_COMPARE).contains(&n) {
        return Ok(wrong_count(&site, &parsed));
    }
    if !missing.is_empty() {
        // said without the ids: a page speaks to a person
        return Err(PageError::NotFound(
            "A program in this comparison is no longer in the directory. It may have closed or been removed: take it off the shortlist, or search again."
                .into(),
        ));
    }
    let view = CompareView {
        compared: &parsed.ids,
        programs: &programs,
        near: parsed.near.as_deref(),
        near_label: parsed.origin.as_ref().map(|o| o.label.as_str()),
    };
    Ok(iop_templates::compare(&site, &view).into_response())
}

/// 400: fewer than two or more than four programs. Says how many the link
/// has and offers the same programs as a shortlist, where they can be
/// added to or removed.
fn wrong_count(site: &SiteContext, parsed: &ShortlistQuery) -> Response {
    let n = parsed.ids.len();
    let advice = if n < MIN_COMPARE {
        site.t("Add programs to your shortlist from the search results, then choose \u{201c}Compare side by side\u{201d}.")
    } else {
        site.t("Remove some from your shortlist until 2 to 4 are left, or compare a few at a time.")
    };
    let message = format!(
        "{} {advice}",
        site.t("This link has {n}.").replace("{n}", &n.to_string())
    );
    let mut suggestions = Vec::new();
    if n > 0 {
        suggestions.push((
            site.t("Open these programs as a shortlist").to_string(),
            site.href(&parsed.ids.page("/shortlist", parsed.near.as_deref())),
        ));
    }
    let page = iop_templates::error_page(
        site,
        StatusCode::BAD_REQUEST.as_u16(),
        site.t("Compare needs 2 to 4 different programs").as_str(),
        &message,
        &suggestions,
    );
    (StatusCode::BAD_REQUEST, page).into_response()
}
