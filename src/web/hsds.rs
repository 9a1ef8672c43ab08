//! `/hsds/`: the directory as an Open Referral HSDS 3.0 API (HSDA), as
//! described by the specification's `openapi.json` (see [`crate::hsds`] for
//! the records).
//!
//! - `/hsds/`: `{"version": "3.0", "profile": ..., "openapi_url": ...}`.
//! - `/hsds/services`, `/hsds/organizations`, `/hsds/service_at_locations`,
//!   `/hsds/taxonomies`, `/hsds/taxonomy_terms`: HSDA's `Page` envelope
//!   (`total_items`, `total_pages`, `page_number`, `size`, `first_page`,
//!   `last_page`, `empty`, `contents`), in the directory's name order.
//!   `page` (from 1) and `per_page` (1 to [`MAX_PER_PAGE`], default
//!   [`DEFAULT_PER_PAGE`]); `search` (the site's text search); on services
//!   and service-at-locations `taxonomy_term_id`, `taxonomy_id`,
//!   `organization_id`, `modified_after` (RFC 3339 date-time or
//!   `YYYY-MM-DD`: listings checked on or after it), `full`; on
//!   service-at-locations `postcode` (a five-digit ZIP: programs at that
//!   ZIP) and `proximity` (metres, with `postcode`: programs within that
//!   distance of the ZIP's centre instead, as HSDA says; at most
//!   [`MAX_PROXIMITY_METRES`]; a program without a known place is not
//!   near anything); on services `minimal` (each service as just its `id`
//!   and `modified_date`, the RFC 3339 `last_modified` of the full record;
//!   as HSDA asks, one page holds all services up to
//!   [`MAX_MINIMAL_PER_PAGE`], its default; not with `full`); on organizations
//!   `full`, `full_service`; on taxonomy terms `taxonomy_id`, `parent_id`,
//!   `top_only` (terms without a parent only). Lists give one-to-one fields unless `full=true`.
//!   Every list takes `format`: `json` (the default: pages) or `ndjson`
//!   (every result, one record a line, `application/x-ndjson`, without the
//!   envelope; not with `page` or `per_page`), as HSDA's `format` says.
//! - `/hsds/{kind}/{id}`: one record, fully nested.
//!
//! An unknown parameter or a bad value is answered 400 with the API's error
//! body (`{"error", "parameter", "suggestions"}`); an unknown id 404.

use super::{ApiError, AppState};
use crate::hsds;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::request::form_urlencoded_pairs;
use iop_index::Listing;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// Records per page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most records one page gives.
pub const MAX_PER_PAGE: usize = 500;
/// The most (and the default number of) services one `minimal=true` page
/// gives: HSDA asks for every service in one call.
pub const MAX_MINIMAL_PER_PAGE: usize = 20_000;
/// The largest `proximity`, in metres (500 miles, the site's largest
/// search radius).
pub const MAX_PROXIMITY_METRES: f64 = iop_index::request::MAX_RADIUS_MILES * METRES_PER_MILE;
const METRES_PER_MILE: f64 = 1_609.344;
/// Where the HSDA description this API follows is published.
const OPENAPI_URL: &str =
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hsds", get(root))
        .route("/hsds/", get(root))
        .route("/hsds/services", get(services))
        .route("/hsds/services/{id}", get(service))
        .route("/hsds/organizations", get(organizations))
        .route("/hsds/organizations/{id}", get(organization))
        .route("/hsds/service_at_locations", get(service_at_locations))
        .route("/hsds/service_at_locations/{id}", get(service_at_location))
        .route("/hsds/taxonomies", get(taxonomies))
        .route("/hsds/taxonomies/{id}", get(taxonomy))
        .route("/hsds/taxonomy_terms", get(taxonomy_terms))
        .route("/hsds/taxonomy_terms/{id}", get(taxonomy_term))
}

/// A 400 answer naming the parameter and how to fix it (`message` is the
/// whole sentence, which names the parameter itself).
fn bad(parameter: &str, message: String, suggestions: Option<Vec<String>>) -> ApiError {
    ApiError::BadParam {
        parameter: parameter.to_string(),
        error: message,
        suggestions: suggestions.unwrap_or_default(),
    }
}

fn not_found(kind: &str, id: &str) -> ApiError {
    ApiError::NotFound(format!("no {kind} has the id {id:?}"))
}

async fn root() -> Json<Value> {
    Json(json!({
        "version": hsds::VERSION,
        "profile": hsds::PROFILE,
        "openapi_url": OPENAPI_URL,
    }))
}

/// The parameters of a list request.
#[derive(Debug, Default)]
struct ListParams {
    page: usize,
    per_page: usize,
    search: Option<String>,
    full: bool,
    full_service: bool,
    term: Option<hsds::TermFilter>,
    taxonomy_id: Option<String>,
    organization_id: Option<String>,
    modified_after: Option<time::OffsetDateTime>,
    postcode: Option<String>,
    /// `proximity` with `postcode`: (latitude, longitude, metres).
    near: Option<(f64, f64, f64)>,
    minimal: bool,
    parent_id: Option<String>,
    top_only: bool,
    /// `format=ndjson`: every result, one record a line, without pages.
    ndjson: bool,
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(bad(
            name,
            format!("{name}={value:?} is not true or false"),
            Some(vec!["true".into(), "false".into()]),
        )),
    }
}

fn number(name: &str, value: &str, max: usize) -> Result<usize, ApiError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(bad(
            name,
            format!("{name}={value:?} is not a whole number from 1 to {max}"),
            None,
        )),
    }
}

fn date_time(value: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let value = value.trim();
    time::OffsetDateTime::parse(value, &Rfc3339)
        .ok()
        .or_else(|| {
            time::Date::parse(
                value,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
            .map(|d| d.midnight().assume_utc())
        })
}

/// Read `query`, allowing the parameters in `allowed` only.
fn list_params(query: Option<&str>, allowed: &[&str]) -> Result<ListParams, ApiError> {
    let mut p = ListParams {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..ListParams::default()
    };
    let mut seen = HashSet::new();
    let mut per_page = None;
    let mut proximity = None;
    let mut paged = None;
    for (name, value) in form_urlencoded_pairs(query.unwrap_or("")) {
        if !allowed.contains(&name.as_str()) {
            return Err(bad(
                &name,
                format!(
                    "{name:?} is not a parameter of this list; its parameters are {}",
                    allowed.join(", ")
                ),
                Some(allowed.iter().map(|s| s.to_string()).collect()),
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(bad(&name, format!("{name} is given more than once"), None));
        }
        let text = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match name.as_str() {
            "page" => {
                p.page = number("page", &value, usize::MAX / MAX_PER_PAGE)?;
                paged = Some("page");
            }
            "format" => {
                p.ndjson = match value.trim().to_ascii_lowercase().as_str() {
                    "json" | "" => false,
                    "ndjson" => true,
                    _ => {
                        return Err(bad(
                            "format",
                            format!("format={value:?}: this API answers json (pages) or ndjson (every result, a record a line)"),
                            Some(vec!["json".into(), "ndjson".into()]),
                        ))
                    }
                };
            }
            // checked below: its largest value depends on `minimal`
            "per_page" => {
                per_page = Some(value);
                paged = Some("per_page");
            }
            "minimal" => p.minimal = boolean("minimal", &value)?,
            "proximity" => {
                if let Some(v) = text {
                    proximity = Some(
                        v.parse::<f64>()
                            .ok()
                            .filter(|m| *m > 0.0 && *m <= MAX_PROXIMITY_METRES)
                            .ok_or_else(|| {
                                bad(
                                    "proximity",
                                    format!("proximity={v:?} is not a distance in metres from 1 to {MAX_PROXIMITY_METRES:.0}"),
                                    None,
                                )
                            })?,
                    );
                }
            }
            "search" => p.search = text,
            "full" => p.full = boolean("full", &value)?,
            "full_service" => p.full_service = boolean("full_service", &value)?,
            "top_only" => p.top_only = boolean("top_only", &value)?,
            "taxonomy_term_id" => {
                if let Some(id) = text {
                    p.term = Some(hsds::term_filter(&id).ok_or_else(|| {
                        bad(
                            "taxonomy_term_id",
                            format!("no taxonomy term has the id {id:?}; the terms are listed at /hsds/taxonomy_terms"),
                            None,
                        )
                    })?);
                }
            }
            "taxonomy_id" => {
                if let Some(id) = text {
                    if !hsds::taxonomies().iter().any(|t| t["id"] == id.as_str()) {
                        return Err(bad(
                            "taxonomy_id",
                            format!("no taxonomy has the id {id:?}; they are listed at /hsds/taxonomies"),
                            None,
                        ));
                    }
                    p.taxonomy_id = Some(id);
                }
            }
            "organization_id" => p.organization_id = text,
            "parent_id" => p.parent_id = text,
            "modified_after" => {
                if let Some(v) = text {
                    p.modified_after = Some(date_time(&v).ok_or_else(|| {
                        bad(
                            "modified_after",
                            format!("modified_after={v:?} is not a date-time (2026-11-01T00:00:00Z) or a date (2026-11-01)"),
                            None,
                        )
                    })?);
                }
            }
            "postcode" => {
                if let Some(v) = text {
                    if v.len() != 5 || !v.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad(
                            "postcode",
                            format!("postcode={v:?} is not a five-digit ZIP code"),
                            None,
                        ));
                    }
                    p.postcode = Some(v);
                }
            }
            _ => {}
        }
    }
    let max = if p.minimal {
        MAX_MINIMAL_PER_PAGE
    } else {
        MAX_PER_PAGE
    };
    p.per_page = match per_page {
        Some(v) => number("per_page", &v, max)?,
        None if p.minimal => MAX_MINIMAL_PER_PAGE,
        None => DEFAULT_PER_PAGE,
    };
    if let (true, Some(name)) = (p.ndjson, paged) {
        return Err(bad(
            name,
            format!(
                "format=ndjson gives every result in one answer, without pages: leave out {name}"
            ),
            None,
        ));
    }
    if p.minimal && p.full {
        return Err(bad(
            "minimal",
            "minimal=true (just ids and dates) and full=true (whole records) ask for different answers: give one".into(),
            None,
        ));
    }
    if let Some(metres) = proximity {
        let Some(zip) = &p.postcode else {
            return Err(bad(
                "proximity",
                "proximity is measured from the centre of a postcode: give postcode too (postcode=02139&proximity=16000)".into(),
                Some(vec!["postcode".into()]),
            ));
        };
        let Some(place) = iop_index::Gazetteer::get().zip(zip) else {
            return Err(bad(
                "postcode",
                format!("postcode={zip:?}: no place is known for this ZIP code, so no distance can be measured from it"),
                None,
            ));
        };
        p.near = Some((place.lat, place.lon, metres));
    }
    Ok(p)
}

/// HSDA's `Page` envelope around `contents` (one page of `total_items`).
fn page(p: &ListParams, total_items: usize, contents: Vec<Value>) -> Json<Value> {
    let total_pages = total_items.div_ceil(p.per_page);
    Json(json!({
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": p.page,
        "size": contents.len(),
        "first_page": p.page == 1,
        "last_page": p.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    }))
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(anyhow::Error::new(e).context("selecting listings for HSDS"))
}

/// The filters of a list request, prepared once: the listings its text
/// search matches and whether its `taxonomy_id` is SAMHSA's.
struct Selection {
    matched: Option<HashSet<String>>,
    samhsa: Option<bool>,
}

impl Selection {
    /// Prepare `p`'s filters on `index` (runs the text search: call it on
    /// the blocking pool).
    fn prepare(index: &iop_index::SearchIndex, p: &ListParams) -> Result<Selection, ApiError> {
        let matched = match &p.search {
            Some(text) => Some(
                index
                    .text_matches(text)
                    .map_err(internal)?
                    .into_iter()
                    .collect(),
            ),
            None => None,
        };
        let samhsa = p
            .taxonomy_id
            .as_deref()
            .map(|id| hsds::taxonomies()[1]["id"] == id);
        Ok(Selection { matched, samhsa })
    }

    /// Whether `l` is one of the listings `p` selects.
    fn keeps(&self, p: &ListParams, l: &Listing) -> bool {
        self.matched.as_ref().is_none_or(|m| m.contains(&l.id))
            && p.term.as_ref().is_none_or(|t| t.matches(l))
            && match self.samhsa {
                // every listing carries SAMHSA's intensive outpatient code
                Some(true) => true,
                Some(false) => !l.facets.is_empty(),
                None => true,
            }
            && p.organization_id
                .as_deref()
                .is_none_or(|o| hsds::organization_id(l) == o)
            && p.modified_after.is_none_or(|after| {
                l.last_checked()
                    .is_some_and(|d| d.midnight().assume_utc() >= after)
            })
            && match p.near {
                // HSDA: with proximity, the postcode is the centre of a circle
                Some((lat, lon, metres)) => l.point.is_some_and(|at| {
                    iop_index::geo::haversine_miles(lat, lon, at.lat, at.lon) * METRES_PER_MILE
                        <= metres
                }),
                None => p.postcode.as_deref().is_none_or(|z| l.address.zip == z),
            }
    }
}

/// The listings a list request selects, in name order: one page and the
/// total.
fn select(state: &AppState, p: &ListParams) -> Result<(Vec<Arc<Listing>>, usize), ApiError> {
    let generation = state.generation();
    let index = &generation.index;
    let start = (p.page - 1) * p.per_page;
    let filtered = p.search.is_some()
        || p.term.is_some()
        || p.taxonomy_id.is_some()
        || p.organization_id.is_some()
        || p.modified_after.is_some()
        || p.postcode.is_some();
    if !filtered {
        let total = index.len();
        let rows = index
            .listings_in_order(start..start + p.per_page)
            .map_err(internal)?;
        return Ok((rows, total));
    }
    let selection = Selection::prepare(index, p)?;
    // decoded a batch at a time: only the selected listings are kept
    let mut selected: Vec<Arc<Listing>> = Vec::new();
    let mut from = 0;
    while from < index.len() {
        let batch = index
            .listings_in_order(from..from + super::download::BATCH)
            .map_err(internal)?;
        from += super::download::BATCH;
        selected.extend(batch.into_iter().filter(|l| selection.keeps(p, l)));
    }
    let total = selected.len();
    let rows = selected.into_iter().skip(start).take(p.per_page).collect();
    Ok((rows, total))
}

/// A `format=ndjson` answer with `body` (a record a line).
fn ndjson(body: axum::body::Body) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/x-ndjson"),
        )],
        body,
    )
        .into_response()
}

const SERVICE_PARAMS: [&str; 10] = [
    "minimal",
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "full",
    "format",
];

/// The listing whose entity (named by `id_of`) has the id `id`: `Ok`, or
/// the 404 naming `kind`; or, when `id` is the record of a listing merged
/// into another ([`Listing::merged_ids`]), the 308 to the same path with
/// the merged listing's record id (query kept), as the program pages do.
fn listing_by(
    state: &AppState,
    uri: &Uri,
    kind: &str,
    id: &str,
    id_of: fn(&Listing) -> String,
) -> Result<Arc<Listing>, ApiError> {
    let listing = hsds::listing_id_of(id).and_then(|lid| {
        let listing = state.generation().index.listing(lid)?;
        Some((lid == listing.id, listing))
    });
    match listing {
        Some((true, listing)) if id_of(&listing) == id.trim() => Ok(listing),
        // found by an id merged into it: the record of the listing now shown
        Some((false, listing)) => {
            let path = uri.path().replacen(id, &id_of(&listing), 1);
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            Err(ApiError::Moved(format!("{path}{query}")))
        }
        _ => Err(not_found(kind, id)),
    }
}

/// A list endpoint's answer: the query checked against `allowed`, the
/// listings it selects, one page of them, each made a record by `record`;
/// on the blocking pool (a text search, or a pass over every listing).
/// With `format=ndjson`, every selected record, a line each, streamed as
/// the download streams (a batch of listings at a time, in name order).
async fn list_answer(
    state: AppState,
    query: Option<String>,
    allowed: &'static [&'static str],
    record: fn(&ListParams, &Listing) -> Value,
) -> Result<Response, ApiError> {
    super::blocking(move || {
        let p = list_params(query.as_deref(), allowed)?;
        if p.ndjson {
            let generation = Arc::clone(&state.generation());
            let selection = Selection::prepare(&generation.index, &p)?;
            let body = super::download::streamed(generation, String::new(), move |l, out| {
                if selection.keeps(&p, l) {
                    out.push_str(&record(&p, l).to_string());
                    out.push('\n');
                }
            });
            return Ok(ndjson(body));
        }
        let (rows, total) = select(&state, &p)?;
        let contents = rows.iter().map(|l| record(&p, l)).collect();
        Ok(page(&p, total, contents).into_response())
    })
    .await
}

async fn services(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    list_answer(state, query, &SERVICE_PARAMS, |p, l| {
        if p.minimal {
            json!({
                "id": hsds::service_id(l),
                "modified_date": l.last_checked().map(|d| format!("{d}T00:00:00Z")),
            })
        } else if p.full {
            hsds::service(l)
        } else {
            hsds::service_core(l)
        }
    })
    .await
}

/// A record's id from the path (`/hsds/services/{id}` and the like); an id
/// that is not UTF-8 after percent-decoding is the API's JSON 400, not
/// axum's plain-text rejection.
struct RecordId(String);

impl FromRequestParts<AppState> for RecordId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(RecordId(id)),
            Err(_) => Err(ApiError::BadParam {
                parameter: "id".into(),
                error: "The id in the path is not valid UTF-8 text: use an id from a list answer."
                    .into(),
                suggestions: Vec::new(),
            }),
        }
    }
}

async fn service(
    State(state): State<AppState>,
    uri: Uri,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let l = listing_by(&state, &uri, "service", &id, hsds::service_id)?;
    Ok(Json(hsds::service(&l)).into_response())
}

async fn organizations(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let allowed: &[&str] = &[
        "search",
        "page",
        "per_page",
        "full",
        "full_service",
        "format",
    ];
    list_answer(state, query, allowed, |p, l| {
        if p.full || p.full_service {
            hsds::organization(l, p.full_service)
        } else {
            hsds::organization_core(l)
        }
    })
    .await
}

async fn organization(
    State(state): State<AppState>,
    uri: Uri,
    RecordId(id): RecordId,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = list_params(query.as_deref(), &["full_service"])?;
    let l = listing_by(&state, &uri, "organization", &id, hsds::organization_id)?;
    Ok(Json(hsds::organization(&l, p.full_service)).into_response())
}

async fn service_at_locations(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let allowed: &[&str] = &[
        "search",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "full",
        "format",
        "postcode",
        "proximity",
    ];
    list_answer(state, query, allowed, |p, l| {
        if p.full {
            hsds::service_at_location(l)
        } else {
            json!({
                "id": hsds::service_at_location_id(l),
                "service_id": hsds::service_id(l),
                "location_id": hsds::location_id(l),
            })
        }
    })
    .await
}

async fn service_at_location(
    State(state): State<AppState>,
    uri: Uri,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let l = listing_by(
        &state,
        &uri,
        "service_at_location",
        &id,
        hsds::service_at_location_id,
    )?;
    Ok(Json(hsds::service_at_location(&l)).into_response())
}

/// Page through a fixed list of records, keeping those `search` names
/// (all of them, a line each, with `format=ndjson`).
fn static_page(p: &ListParams, records: Vec<&Value>) -> Response {
    let words: Vec<String> = p
        .search
        .as_deref()
        .map(|s| s.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    let selected: Vec<&Value> = records
        .into_iter()
        .filter(|r| {
            let text = format!("{} {} {}", r["name"], r["code"], r["description"]).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    if p.ndjson {
        let mut lines = String::new();
        for r in selected {
            lines.push_str(&r.to_string());
            lines.push('\n');
        }
        return ndjson(lines.into());
    }
    let total = selected.len();
    let contents = selected
        .into_iter()
        .skip((p.page - 1) * p.per_page)
        .take(p.per_page)
        .cloned()
        .collect();
    page(p, total, contents).into_response()
}

async fn taxonomies(RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let allowed = ["search", "page", "per_page", "format"];
    let p = list_params(query.as_deref(), &allowed)?;
    let all = hsds::taxonomies();
    Ok(static_page(&p, all.iter().collect()))
}

async fn taxonomy(RecordId(id): RecordId) -> Result<Response, ApiError> {
    match hsds::taxonomies()
        .into_iter()
        .find(|t| t["id"] == id.as_str())
    {
        Some(t) => Ok(Json(t).into_response()),
        None => Err(not_found("taxonomy", &id)),
    }
}

async fn taxonomy_terms(RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let allowed = [
        "search",
        "page",
        "per_page",
        "format",
        "taxonomy_id",
        "top_only",
        "parent_id",
    ];
    let p = list_params(query.as_deref(), &allowed)?;
    let terms: Vec<&Value> = hsds::taxonomy_terms()
        .iter()
        .filter(|t| {
            p.taxonomy_id
                .as_deref()
                .is_none_or(|id| t["taxonomy_id"] == id)
        })
        .filter(|t| p.parent_id.as_deref().is_none_or(|id| t["parent_id"] == id))
        .filter(|t| !p.top_only || t.get("parent_id").is_none())
        .collect();
    Ok(static_page(&p, terms))
}

async fn taxonomy_term(RecordId(id): RecordId) -> Result<Response, ApiError> {
    match hsds::taxonomy_terms()
        .iter()
        .find(|t| t["id"] == id.as_str())
    {
        Some(t) => Ok(Json(t.clone()).into_response()),
        None => Err(not_found("taxonomy term", &id)),
    }
}
