//! CSV exports: `/search.csv?<the parameters of /search>` (every matching
//! program, at most [`CSV_MAX_ROWS`]) and `/shortlist.csv?ids=...`.
//!
//! RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted
//! with inner quotes doubled. Text that a spreadsheet would run as a formula
//! (beginning with `=`, `+`, `-`, `@`, tab or CR) gets a leading apostrophe.
//!
//! An export is built on the blocking pool, and at most [`MAX_EXPORTS`] at
//! once: beyond that the answer is 429 Too Many Requests with Retry-After,
//! so a flood of exports never slows the searches of everyone else.

use super::extract::Site;
use super::seo::public_url;
use super::shortlist::{take_list, Loaded, ShortlistQuery};
use super::{AppState, PageError};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::request::form_urlencoded_pairs;
use iop_index::request::CSV_MAX_ROWS;
use iop_index::{Hit, Listing, SearchRequest, UnknownParams, Vocabulary};
use iop_templates::SiteContext;

/// Exports built at once; more are answered 429.
pub const MAX_EXPORTS: usize = 4;

static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_EXPORTS);

/// Build an export with `build` on the blocking pool, if one of the
/// [`MAX_EXPORTS`] places is free; 429 otherwise.
async fn limited(
    site: &SiteContext,
    build: impl FnOnce() -> Result<Response, PageError> + Send + 'static,
) -> Result<Response, PageError> {
    let Ok(_permit) = EXPORTS.try_acquire() else {
        let mut response = iop_templates::error_page(
            site,
            429,
            "Too many downloads at once",
            "Many lists are being downloaded right now. Please try again in a minute; searching works as usual.",
            &[],
        )
        .into_response();
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return Ok(response);
    };
    super::blocking(build).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search.csv", get(search_csv))
        .route("/shortlist.csv", get(shortlist_csv))
}

/// The columns, in order.
pub(super) const COLUMNS: [&str; 25] = [
    "Name",
    "Program",
    "Street",
    "City",
    "State",
    "ZIP",
    "Phone",
    "Intake phone",
    "Website",
    "Distance (miles)",
    "Focus",
    "Ages",
    "Insurance",
    "Approaches",
    "Schedule",
    "Hours a week",
    "Format",
    "Languages",
    "Populations",
    "Accreditation",
    "Accepting new clients",
    "Last checked",
    "Sources",
    "Sample (fictional)",
    "Listing",
];

/// The facet groups of the columns "Focus" to "Accreditation", in order,
/// with the two plain columns between them left to [`row`]: the order the
/// compare page lists them in.
const GROUPS: [&str; 9] = iop_templates::FACET_GROUPS;

async fn search_csv(
    State(state): State<AppState>,
    Site(site): Site,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    limited(&site, move || search_csv_now(state, headers, query)).await
}

fn search_csv_now(
    state: AppState,
    headers: HeaderMap,
    query: Option<String>,
) -> Result<Response, PageError> {
    let (request, hits, total) = search_rows(&state, &query.unwrap_or_default())?;
    let name = match &request.near {
        Some(near) => format!("iop-programs-near-{}.csv", file_slug(near)),
        None => "iop-programs.csv".to_string(),
    };
    Ok(csv_response(&hits, &public_url(&headers), &name, total))
}

/// Every program the search matches (up to the cap), and the total.
fn search_rows(
    state: &AppState,
    query: &str,
) -> Result<(SearchRequest, Vec<Hit>, usize), PageError> {
    // `list` (the visitor's shortlist) and `lang` ride along on search URLs;
    // `page` and `per_page` mean nothing here: the export is every match.
    let (query, _list) = take_list(query)?;
    let pairs = form_urlencoded_pairs(&query)
        .into_iter()
        .filter(|(k, _)| k != "lang" && k != "page" && k != "per_page");
    let mut request = SearchRequest::from_pairs(pairs, UnknownParams::Refuse)?;
    request.page = 1;
    request.per_page = CSV_MAX_ROWS;
    let results = state.generation().index.search(&request).map_err(|e| {
        PageError::Internal(anyhow::Error::new(e).context("searching for an export"))
    })?;
    Ok((request, results.hits, results.total))
}

async fn shortlist_csv(
    State(state): State<AppState>,
    Site(site): Site,
    headers: HeaderMap,
    parsed: ShortlistQuery,
) -> Result<Response, PageError> {
    limited(&site, move || shortlist_csv_now(state, headers, parsed)).await
}

fn shortlist_csv_now(
    state: AppState,
    headers: HeaderMap,
    parsed: ShortlistQuery,
) -> Result<Response, PageError> {
    let hits = Loaded::new(&state, parsed).programs;
    let total = hits.len();
    Ok(csv_response(
        &hits,
        &public_url(&headers),
        "iop-shortlist.csv",
        total,
    ))
}

fn csv_response(hits: &[Hit], origin: &str, file_name: &str, total: usize) -> Response {
    let mut body = String::with_capacity(256 * (hits.len() + 1));
    push_record(&mut body, COLUMNS.iter().map(|c| c.to_string()));
    for hit in hits {
        push_record(&mut body, row(hit, origin));
    }
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    // How many programs matched, so a cut-off export says so.
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    if total > hits.len() {
        response.headers_mut().insert(
            "x-export-note",
            HeaderValue::from_static("truncated: the first 10000 matches only"),
        );
    }
    response
}

/// One program's cells, in [`COLUMNS`] order.
pub(super) fn row(hit: &Hit, origin: &str) -> Vec<String> {
    let l: &Listing = &hit.listing;
    let labels = |group: &str| -> String {
        l.values(group)
            .iter()
            .map(|slug| {
                Vocabulary::get()
                    .lookup(group, slug)
                    .map_or_else(|| slug.clone(), |v| v.label.clone())
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut cells = vec![
        l.name.clone(),
        opt(&l.program_name),
        [l.address.street.clone(), l.address.street2.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        l.address.city.clone(),
        l.address.state.clone(),
        l.address.zip.clone(),
        opt(&l.phone),
        opt(&l.intake_phone),
        opt(&l.website),
        hit.distance_miles
            .map(|m| format!("{m:.1}"))
            .unwrap_or_default(),
    ];
    for group in &GROUPS[..5] {
        cells.push(labels(group));
    }
    cells.push(
        l.schedule
            .hours_per_week
            .map(|h| h.to_string())
            .unwrap_or_default(),
    );
    for group in &GROUPS[5..] {
        cells.push(labels(group));
    }
    cells.push(match l.accepting_new_clients {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    });
    cells.push(l.last_checked().map(|d| d.to_string()).unwrap_or_default());
    cells.push(
        l.sources
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    );
    cells.push(if l.sample { "yes" } else { "no" }.into());
    cells.push(format!("{origin}/programs/{}", l.id));
    debug_assert_eq!(cells.len(), COLUMNS.len());
    cells
}

/// Append one CSV record (CRLF-terminated).
pub(super) fn push_record(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&cell));
    }
    out.push_str("\r\n");
}

/// One field: formula-defused, then quoted when it needs to be.
fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// "Denver, CO" -> "denver-co", for file names.
fn file_slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(40).collect();
    if slug.is_empty() {
        "search".into()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("+1 555"), "'+1 555");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(
            csv_field("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(file_slug("Denver, CO"), "denver-co");
        assert_eq!(file_slug("\"/..\""), "search");
    }

    /// Every export place taken (held here, as builds in progress would
    /// hold them): a further export is refused with 429, a message that says
    /// why and that searching works, and Retry-After; a freed place serves
    /// the export again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exports_beyond_the_cap_are_answered_429_with_retry_after() {
        let tmp = std::env::temp_dir().join(format!("iopfinder-export-cap-{}", std::process::id()));
        let state = super::super::one_listing_state(&tmp);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/search.csv", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, super::super::router(state)).await });

        let held = EXPORTS.acquire_many(MAX_EXPORTS as u32).await.unwrap();
        let refused = reqwest::get(&url).await.unwrap();
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "30");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Too many downloads at once"), "{page}");
        assert!(page.contains("searching works as usual"), "{page}");
        drop(held);
        let served = reqwest::get(&url).await.unwrap();
        assert_eq!(served.status(), 200);
        assert!(served.text().await.unwrap().contains("Alpha"));
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
