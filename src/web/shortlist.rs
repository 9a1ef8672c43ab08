//! `/shortlist` and `/shortlist/print`: a shortlist that lives in its URL
//! (`?ids=a1b2c3d4e5f6,0123456789ab[&near=95814]`); the pages load
//! `/static/share.js` (served by `assets`) for "Copy link" and "Share".
//!
//! Nothing is stored: the ids come in with the request and go out in every
//! link. Search and program pages carry the list as `list=` (see
//! [`take_list`]).

use super::extract::Site;
use super::seo::public_url;
use super::{AppState, PageError, CSP_WITH_SCRIPT};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::geo::haversine_miles;
use iop_index::request::Shortlist;
use iop_index::request::{encode, form_urlencoded_pairs};
use iop_index::{Hit, Origin, ParamError, SearchRequest, UnknownParams};
use iop_templates::{ShortlistView, SiteContext};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shortlist", get(page))
        .route("/shortlist/print", get(print))
}

/// A 400 naming the parameter and what to do about it.
pub(crate) fn bad_param(parameter: &str, message: impl Into<String>) -> PageError {
    PageError::from(ParamError::other(parameter, message))
}

/// Split `list=` (the shortlist carried by search and program pages) off a
/// raw query string: the rest of the query, and the parsed shortlist.
pub(crate) fn take_list(query: &str) -> Result<(String, Shortlist), PageError> {
    // most queries carry no list: they are the rest as they are (they
    // decode to the same pairs), without decoding and encoding every pair
    if !form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "list") {
        return Ok((query.to_string(), Shortlist::default()));
    }
    let mut rest = Vec::new();
    let mut list = None;
    for (key, value) in form_urlencoded_pairs(query) {
        if key == "list" {
            if list.is_some() {
                return Err(bad_param(
                    "list",
                    "the link gives the shortlist twice: copy the link again",
                ));
            }
            list = Some(parse_list("list", &value)?);
        } else {
            rest.push(format!("{}={}", encode(&key), encode(&value)));
        }
    }
    Ok((rest.join("&"), list.unwrap_or_default()))
}

pub(crate) fn parse_list(parameter: &str, text: &str) -> Result<Shortlist, PageError> {
    Shortlist::parse(text).map_err(|e| bad_param(parameter, e.to_string()))
}

/// The parameters of the shortlist pages: `ids` (required, may be empty)
/// and `near` (optional: distances are measured from it).
pub(crate) struct ShortlistQuery {
    pub ids: Shortlist,
    pub near: Option<String>,
    pub origin: Option<Origin>,
}

impl ShortlistQuery {
    pub(crate) fn parse(query: &str) -> Result<ShortlistQuery, PageError> {
        let mut ids = None;
        let mut near = None;
        for (key, value) in form_urlencoded_pairs(query) {
            match key.as_str() {
                "ids" if ids.is_none() => ids = Some(parse_list("ids", &value)?),
                "near" if near.is_none() => {
                    near = Some(value.trim().to_string()).filter(|n| !n.is_empty())
                }
                "ids" | "near" => {
                    return Err(bad_param(
                        &key,
                        format!("the link gives the {} twice: copy the link again", if key == "ids" { "list of programs" } else { "place" }),
                    ))
                }
                _ => {
                    return Err(bad_param(
                        &key,
                        "this page takes only ids of programs and a place: copy the link again, or open the shortlist from the search results",
                    ))
                }
            }
        }
        let Some(ids) = ids else {
            return Err(bad_param(
                "ids",
                "the list of programs is missing from the link: add programs from the search results with \"Add to shortlist\"",
            ));
        };
        let origin = match &near {
            Some(near) => {
                SearchRequest::from_pairs([("near", near.as_str())], UnknownParams::Refuse)?.origin
            }
            None => None,
        };
        Ok(ShortlistQuery { ids, near, origin })
    }

    /// The programs of the list still in the directory, in list order, with
    /// their distances; and the ids not found. An id of a listing merged
    /// into another ([`iop_index::Listing::merged_ids`]) is replaced in
    /// `self.ids` by that listing's id, so a program saved under both shows
    /// once and every link (remove, share, compare) carries the current id.
    pub(crate) fn programs(&mut self, state: &AppState) -> (Vec<Hit>, Vec<String>) {
        let generation = state.generation();
        let mut hits: Vec<Hit> = Vec::new();
        let mut missing = Vec::new();
        let mut current = Shortlist::default();
        for id in self.ids.ids() {
            match generation.index.listing(id) {
                Some(listing) => {
                    current = current.with(&listing.id);
                    if hits.iter().any(|h| h.listing.id == listing.id) {
                        continue;
                    }
                    let distance_miles = match (&self.origin, listing.point) {
                        (Some(o), Some(p)) => Some(haversine_miles(o.lat, o.lon, p.lat, p.lon)),
                        _ => None,
                    };
                    hits.push(Hit {
                        listing,
                        distance_miles,
                        score: 0.0,
                    });
                }
                None => {
                    current = current.with(id);
                    missing.push(id.clone());
                }
            }
        }
        self.ids = current;
        (hits, missing)
    }
}

/// The shortlist pages take their query as an extractor: a bad one is
/// answered with the 400 page.
impl<S: Send + Sync> FromRequestParts<S> for ShortlistQuery {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        ShortlistQuery::parse(parts.uri.query().unwrap_or(""))
    }
}

/// A shortlist page's query parsed and its programs looked up.
pub(crate) struct Loaded {
    pub parsed: ShortlistQuery,
    pub programs: Vec<Hit>,
    pub missing: Vec<String>,
}

impl Loaded {
    /// The programs of `parsed` looked up in the current generation.
    pub(crate) fn new(state: &AppState, mut parsed: ShortlistQuery) -> Loaded {
        let (programs, missing) = parsed.programs(state);
        Loaded {
            parsed,
            programs,
            missing,
        }
    }

    /// Make `site`'s path (whose query the frame's links carry: canonical,
    /// language switch, nav) the page's path with the list's current ids,
    /// those of [`ShortlistQuery::programs`].
    pub(crate) fn frame_path(&self, site: &mut SiteContext) {
        if let Some((path, _)) = site.path.split_once('?') {
            site.path = self.parsed.ids.page(path, self.parsed.near.as_deref());
        }
    }

    /// The view of the shortlist and print pages; `share_url` from [`Self::share_url`].
    fn view<'a>(&'a self, share_url: &'a str) -> ShortlistView<'a> {
        ShortlistView {
            shortlist: &self.parsed.ids,
            programs: &self.programs,
            missing: self.missing.len(),
            near: self.parsed.near.as_deref(),
            near_label: self.parsed.origin.as_ref().map(|o| o.label.as_str()),
            share_url,
        }
    }

    /// The shortlist page's absolute URL, in the page's language.
    fn share_url(&self, site: &SiteContext, headers: &HeaderMap) -> String {
        format!(
            "{}{}",
            public_url(headers),
            site.href(
                &self
                    .parsed
                    .ids
                    .page("/shortlist", self.parsed.near.as_deref())
            )
        )
    }
}

/// Both shortlist pages: the list looked up and handed to `render` with
/// the page's view.
fn with_view(
    state: &AppState,
    site: SiteContext,
    headers: &HeaderMap,
    parsed: ShortlistQuery,
    render: impl FnOnce(&SiteContext, &ShortlistView<'_>) -> Response,
) -> Response {
    let loaded = Loaded::new(state, parsed);
    let mut site = site;
    loaded.frame_path(&mut site);
    let share_url = loaded.share_url(&site, headers);
    render(&site, &loaded.view(&share_url))
}

async fn page(
    State(state): State<AppState>,
    Site(site): Site,
    headers: HeaderMap,
    parsed: ShortlistQuery,
) -> Response {
    with_view(&state, site, &headers, parsed, |site, view| {
        (
            [(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP_WITH_SCRIPT),
            )],
            iop_templates::shortlist(site, view),
        )
            .into_response()
    })
}

async fn print(
    State(state): State<AppState>,
    Site(site): Site,
    headers: HeaderMap,
    parsed: ShortlistQuery,
) -> Response {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    with_view(&state, site, &headers, parsed, |site, view| {
        (
            // the same script as the shortlist page: its "Print" button
            [(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP_WITH_SCRIPT),
            )],
            iop_templates::handout(site, view, &today),
        )
            .into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_taken_off_the_search_query() {
        let (rest, list) =
            take_list("near=95814&list=0123456789ab%2Caaaaaaaaaaaa&insurance=medicaid").unwrap();
        assert_eq!(rest, "near=95814&insurance=medicaid");
        assert_eq!(list.ids(), ["0123456789ab", "aaaaaaaaaaaa"]);
        assert!(take_list("list=nope").is_err());
        assert!(take_list("list=0123456789ab&list=0123456789ab").is_err());
    }
}
