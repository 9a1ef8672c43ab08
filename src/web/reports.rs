//! `/programs/{id}/report`: "report a problem" with a listing.
//!
//! A report is what is wrong (one of [`iop_templates::REPORT_PROBLEMS`]),
//! optional words and an optional way to reach the reporter; no account and
//! no e-mail address. Each is appended as one JSON line to `reports.jsonl` in
//! the reports directory (`serve --reports-dir`, by default `reports/` in the
//! data directory; one `write` of the whole line to a file opened for
//! appending, so replicas sharing the directory never interleave lines) and
//! flushed to disk before
//! the thank-you page (POST, redirect, GET). The client's address and user
//! agent are never stored. A report that needs fixing is answered 400 with
//! the form, what the visitor typed and what to fix.
//!
//! One party must not fill the reports file and lock real reports out:
//! - each client may send [`REPORT_BURST`] reports at once, then one a
//!   minute (429 beyond). The limiter is in memory and keyed by a salted
//!   hash of the client's address (its /64 for IPv6), so no address is kept
//!   even there. Behind a reverse proxy the peer is the proxy: with
//!   `serve --trusted-proxy CIDR` ([`trust_proxies`]) a post from a trusted
//!   peer is keyed on the right-most address of `X-Forwarded-For` that is
//!   not a trusted proxy (the one the first trusted proxy saw); from any
//!   other peer the header is ignored, since a client can write it;
//! - a post from another site is refused (403): `Sec-Fetch-Site` other than
//!   `same-origin`/`none`, or an `Origin` that is not this site's;
//! - the body must be the form's `application/x-www-form-urlencoded` (415);
//! - refusals are logged at most once a minute, with how many there were.

use super::extract::{KnownListing, Site};
use super::{AppState, PageError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use iop_index::request::{REPORT_CONTACT_MAX, REPORT_DETAILS_MAX};
use iop_templates::SiteContext;
use iop_templates::{ReportDraft, ReportFix, REPORT_PROBLEMS};
use serde::Serialize;
use std::fs::OpenOptions;
use std::hash::BuildHasher;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The reports file stops growing at this size (the operator reads and
/// clears it); further reports are refused with a phone number to call.
pub const MAX_REPORTS_BYTES: u64 = 20 * 1024 * 1024;

/// The largest request body read (a full report is at most about 25 KB
/// percent-encoded).
const MAX_BODY: usize = 64 * 1024;

/// One writer at a time, so lines never interleave.
static WRITER: Mutex<()> = Mutex::new(());

/// Reports one client may send at once; after that, one a minute.
pub const REPORT_BURST: u32 = 10;

/// Clients remembered by the limiter before those that are back to a full
/// allowance are forgotten.
const LIMITER_CLIENTS: usize = 10_000;

static LIMITER: LazyLock<DefaultKeyedRateLimiter<u64>> = LazyLock::new(|| {
    let burst = NonZeroU32::new(REPORT_BURST).expect("a burst of at least one");
    RateLimiter::keyed(Quota::per_minute(NonZeroU32::MIN).allow_burst(burst))
});

/// The salt of the client keys: random in each process.
static CLIENT_SALT: LazyLock<std::collections::hash_map::RandomState> =
    LazyLock::new(std::collections::hash_map::RandomState::new);

/// The limiter's key for a client: a salted hash of its address (of its /64
/// for IPv6, which one client usually holds whole).
fn client_key(ip: IpAddr) -> u64 {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !(u128::MAX >> 64)).into()),
        },
        v4 => v4,
    };
    CLIENT_SALT.hash_one(ip)
}

/// The reverse proxies whose `X-Forwarded-For` is believed (set once, at
/// start, by [`trust_proxies`]; none by default).
static TRUSTED_PROXIES: std::sync::OnceLock<Vec<ipnet::IpNet>> = std::sync::OnceLock::new();

/// Believe `X-Forwarded-For` from peers in `proxies` (networks, from
/// `serve --trusted-proxy`) when keying the report limiter. Takes effect
/// once per process: a second call is ignored.
pub fn trust_proxies(proxies: Vec<ipnet::IpNet>) {
    let _ = TRUSTED_PROXIES.set(proxies);
}

/// The client a request comes from: the peer `peer`, or, when the peer is
/// one of `trusted` proxies, the right-most `X-Forwarded-For` address that
/// is not a trusted proxy (the left-most if all are; the last trusted hop
/// if an entry is not an address).
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// Whether the client may send a report now.
fn allowed(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    let Some(peer) = peer else { return true };
    let trusted = TRUSTED_PROXIES.get().map_or(&[][..], Vec::as_slice);
    let client = client_address(peer.ip(), headers, trusted);
    let ok = LIMITER.check_key(&client_key(client)).is_ok();
    if LIMITER.len() > LIMITER_CLIENTS {
        LIMITER.retain_recent();
    }
    ok
}

/// The last refusal logged and how many were not logged since.
static REFUSALS: Mutex<Option<(Instant, u64)>> = Mutex::new(None);

/// Log a refused report, at most once a minute.
fn log_refusal(why: &str) {
    let mut last = REFUSALS.lock().unwrap_or_else(|e| e.into_inner());
    match last.as_mut() {
        Some((at, quiet)) if at.elapsed() < Duration::from_secs(60) => *quiet += 1,
        _ => {
            let quiet = last.map_or(0, |(_, q)| q);
            tracing::warn!("report refused: {why} ({quiet} more refusals not logged before this)");
            *last = Some((Instant::now(), 0));
        }
    }
}

/// A post a browser sent from another site (or from nowhere it will say).
fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match text(header::ORIGIN.as_str()) {
        None => false,
        Some(origin) => {
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let ours = text(header::HOST.as_str());
            let public = super::seo::public_url(&HeaderMap::new());
            host.is_none_or(|h| Some(h) != ours && origin != public)
        }
    }
}

/// The form's content type, with or without parameters.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// A refusal page with `status`.
fn refusal(site: &SiteContext, status: StatusCode, title: &str, message: &str) -> Response {
    let markup = iop_templates::error_page(site, status.as_u16(), title, message, &[]);
    (status, markup).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programs/{id}/report", get(form).post(submit))
        .route("/programs/{id}/report/thanks", get(thanks))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The path of the reports file in the reports directory.
pub fn reports_path(state: &AppState) -> PathBuf {
    state.reports_dir.join("reports.jsonl")
}

/// One stored report.
#[derive(Debug, Serialize)]
struct StoredReport<'a> {
    /// When it was received (UTC, RFC 3339, to the second).
    received: String,
    listing: &'a str,
    listing_name: String,
    /// The index generation the visitor saw.
    generation: &'a str,
    problem: &'a str,
    details: &'a str,
    /// Empty when the visitor left it empty.
    contact: &'a str,
}

async fn form(Site(site): Site, KnownListing(listing, _): KnownListing) -> Response {
    iop_templates::report_page(&site, &listing, &ReportDraft::default(), &[]).into_response()
}

async fn thanks(Site(site): Site, KnownListing(listing, _): KnownListing) -> Response {
    iop_templates::report_thanks(&site, &listing).into_response()
}

/// Text as typed, without control characters other than line breaks and
/// tabs, line breaks made `\n`, trimmed.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// The form fields, and what to fix (nothing when the report can be stored).
fn read_report(body: &[u8]) -> (ReportDraft, Vec<ReportFix>) {
    let mut draft = ReportDraft::default();
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "problem" => draft.problem = Some(clean(&value)).filter(|p| !p.is_empty()),
            "details" => draft.details = clean(&value),
            "contact" => draft.contact = clean(&value),
            _ => {}
        }
    }
    let mut fixes = Vec::new();
    match draft.problem.as_deref() {
        None => fixes.push(ReportFix::CHOOSE_PROBLEM),
        Some(p) if !REPORT_PROBLEMS.iter().any(|(value, _)| *value == p) => {
            draft.problem = None;
            fixes.push(ReportFix::UNKNOWN_PROBLEM);
        }
        Some("other") if draft.details.is_empty() => fixes.push(ReportFix::DESCRIBE),
        Some(_) => {}
    }
    if draft.details.chars().count() > REPORT_DETAILS_MAX {
        fixes.push(ReportFix::DETAILS_TOO_LONG);
    }
    if draft.contact.chars().count() > REPORT_CONTACT_MAX {
        fixes.push(ReportFix::CONTACT_TOO_LONG);
    }
    (draft, fixes)
}

/// Why a report could not be stored.
enum StoreFailure {
    Full,
    Io(std::io::Error),
}

/// Append one line and flush it to disk.
fn append_line(path: &std::path::Path, line: &str) -> Result<(), StoreFailure> {
    let _guard = WRITER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(StoreFailure::Io)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(StoreFailure::Io)?;
    let size = file.metadata().map_err(StoreFailure::Io)?.len();
    if size + line.len() as u64 + 1 > MAX_REPORTS_BYTES {
        return Err(StoreFailure::Full);
    }
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes).map_err(StoreFailure::Io)?;
    file.sync_data().map_err(StoreFailure::Io)
}

async fn submit(
    State(state): State<AppState>,
    Site(site): Site,
    KnownListing(listing, _): KnownListing,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, PageError> {
    if cross_site(&headers) {
        log_refusal("posted from another site");
        return Ok(refusal(
            &site,
            StatusCode::FORBIDDEN,
            "Reports are sent from this site only",
            "This report came from another web site, so it was not sent. To report a problem, use the form on the program's page here.",
        ));
    }
    if !is_form(&headers) {
        log_refusal("not the form's content type");
        return Ok(refusal(
            &site,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the report with the form",
            "Reports are accepted as the report form sends them (application/x-www-form-urlencoded). Please use the form on the program's page.",
        ));
    }
    if !allowed(client.map(|Extension(ConnectInfo(addr))| addr), &headers) {
        log_refusal("too many from one client");
        let mut response = refusal(
            &site,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports at once",
            "Thank you for your reports. Please wait a minute before sending another one.",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        return Ok(response);
    }
    let (draft, fixes) = match &body {
        Ok(bytes) => read_report(bytes),
        Err(_) => (ReportDraft::default(), vec![ReportFix::DETAILS_TOO_LONG]),
    };
    if !fixes.is_empty() {
        return Ok((
            StatusCode::BAD_REQUEST,
            iop_templates::report_page(&site, &listing, &draft, &fixes),
        )
            .into_response());
    }
    let generation = state.generation();
    let report = StoredReport {
        received: now_rfc3339(),
        listing: &listing.id,
        listing_name: listing.display_name(),
        generation: &generation.meta.generation,
        problem: draft.problem.as_deref().unwrap_or_default(),
        details: &draft.details,
        contact: &draft.contact,
    };
    let line = serde_json::to_string(&report)
        .map_err(|e| PageError::Internal(anyhow::Error::new(e).context("encoding a report")))?;
    let path = reports_path(&state);
    match super::blocking(move || append_line(&path, &line)).await {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                site.href(&format!("/programs/{}/report/thanks", listing.id)),
            )],
        )
            .into_response()),
        Err(StoreFailure::Full) => {
            log_refusal(&format!(
                "the reports file is full ({MAX_REPORTS_BYTES} bytes)"
            ));
            let markup = iop_templates::error_page(
                &site,
                503,
                "We cannot take reports right now",
                "Too many reports are waiting to be read. Please call the program to confirm its details, or try again in a few days.",
                &[],
            );
            Ok((StatusCode::SERVICE_UNAVAILABLE, markup).into_response())
        }
        Err(StoreFailure::Io(e)) => Err(PageError::Internal(
            anyhow::Error::new(e).context("storing a report"),
        )),
    }
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_keyed_without_their_address() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::ffff:2".parse().unwrap();
        let other: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b), "one /64, one client");
        assert_ne!(client_key(a), client_key(other));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(v4), client_key(mapped));
        let mut headers = HeaderMap::new();
        assert!(!cross_site(&headers), "no browser headers: a plain client");
        headers.insert("host", "127.0.0.1:3000".parse().unwrap());
        headers.insert("origin", "http://127.0.0.1:3000".parse().unwrap());
        assert!(!cross_site(&headers));
        headers.insert("origin", "https://evil.example".parse().unwrap());
        assert!(cross_site(&headers));
        headers.insert("origin", "null".parse().unwrap());
        assert!(cross_site(&headers));
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!cross_site(&headers), "the browser's own word wins");
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(cross_site(&headers));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        headers.append("x-forwarded-for", "10.0.0.9".parse().unwrap());
        let client =
            |peer: IpAddr, trusted: &[ipnet::IpNet]| client_address(peer, &headers, trusted);
        // no trusted proxy: the peer, whatever the header says
        assert_eq!(client(proxy, &[]), proxy);
        // a peer outside the trusted networks writes what it likes
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client(stranger, &trusted), stranger);
        // through trusted proxies: the right-most untrusted hop, not the
        // left-most (which the client wrote itself)
        assert_eq!(
            client(proxy, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // all hops trusted: the left-most; garbage ends the walk
        let mut inner = HeaderMap::new();
        inner.insert("x-forwarded-for", "10.1.1.1, 10.2.2.2".parse().unwrap());
        assert_eq!(
            client_address(proxy, &inner, &trusted),
            "10.1.1.1".parse::<IpAddr>().unwrap()
        );
        inner.insert(
            "x-forwarded-for",
            "198.51.100.7, not-an-address, 10.2.2.2".parse().unwrap(),
        );
        assert_eq!(
            client_address(proxy, &inner, &trusted),
            "10.2.2.2".parse::<IpAddr>().unwrap()
        );
        // no header: the proxy itself
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
    }

    #[test]
    fn reports_are_read_and_checked() {
        let (draft, fixes) = read_report(b"problem=closed&details=+Gone+%0D%0Asince+May+&contact=");
        assert!(fixes.is_empty(), "{fixes:?}");
        assert_eq!(draft.problem.as_deref(), Some("closed"));
        assert_eq!(draft.details, "Gone \nsince May");
        let (_, fixes) = read_report(b"");
        assert_eq!(fixes[0].field, "problem");
        let (draft, fixes) = read_report(b"problem=%3Cscript%3E");
        assert_eq!(draft.problem, None);
        assert_eq!(fixes[0].field, "problem");
        let (_, fixes) = read_report(b"problem=other&details=++");
        assert_eq!(fixes[0].field, "details");
        let long = format!("problem=other&details={}", "x".repeat(2001));
        assert_eq!(read_report(long.as_bytes()).1[0].field, "details");
        let ok = format!("problem=other&details={}", "\u{e9}".repeat(2000));
        assert!(read_report(ok.as_bytes()).1.is_empty());
    }
}
