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

use super::{AppState, Error};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_index::listing::is_listing_id;
use iop_index::Listing;
use iop_templates::{
    ReportDraft, ReportFix, REPORT_CONTACT_MAX, REPORT_DETAILS_MAX, REPORT_PROBLEMS,
};
use serde::Serialize;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The reports file stops growing at this size (the operator reads and
/// clears it); further reports are refused with a phone number to call.
pub const MAX_REPORTS_BYTES: u64 = 20 * 1024 * 1024;

/// The largest request body read (a full report is at most about 25 KB
/// percent-encoded).
const MAX_BODY: usize = 64 * 1024;

/// One writer at a time, so lines never interleave.
static WRITER: Mutex<()> = Mutex::new(());

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

fn listing_or_404(state: &AppState, id: &str) -> Result<Arc<Listing>, Error> {
    state
        .generation()
        .index
        .listing(id)
        .filter(|_| is_listing_id(id))
        .ok_or_else(|| {
            Error::NotFound(
                "There is no program at this address, so there is nothing to report about it. It may have closed or been removed from the directory."
                    .into(),
            )
        })
}

async fn form(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match listing_or_404(&state, &id) {
        Ok(listing) => {
            iop_templates::report_page(&state.site(), &listing, &ReportDraft::default(), &[])
                .into_response()
        }
        Err(e) => e.page(&state, None),
    }
}

async fn thanks(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match listing_or_404(&state, &id) {
        Ok(listing) => iop_templates::report_thanks(&state.site(), &listing).into_response(),
        Err(e) => e.page(&state, None),
    }
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
        None => fixes.push(ReportFix {
            field: "problem",
            message: "Choose what is wrong with the listing.",
        }),
        Some(p) if !REPORT_PROBLEMS.iter().any(|(value, _)| *value == p) => {
            draft.problem = None;
            fixes.push(ReportFix {
                field: "problem",
                message: "Choose one of the problems listed.",
            });
        }
        Some("other") if draft.details.is_empty() => fixes.push(ReportFix {
            field: "details",
            message: "Describe what is wrong in a few words.",
        }),
        Some(_) => {}
    }
    if draft.details.chars().count() > REPORT_DETAILS_MAX {
        fixes.push(ReportFix {
            field: "details",
            message: "Shorten the description to 2,000 characters or fewer.",
        });
    }
    if draft.contact.chars().count() > REPORT_CONTACT_MAX {
        fixes.push(ReportFix {
            field: "contact",
            message: "Shorten the contact details to 200 characters or fewer, or leave them empty.",
        });
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
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let site = state.site();
    let listing = match listing_or_404(&state, &id) {
        Ok(listing) => listing,
        Err(e) => return e.page(&state, None),
    };
    let (draft, fixes) = match &body {
        Ok(bytes) => read_report(bytes),
        Err(_) => (
            ReportDraft::default(),
            vec![ReportFix {
                field: "details",
                message: "Shorten the description to 2,000 characters or fewer.",
            }],
        ),
    };
    if !fixes.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            iop_templates::report_page(&site, &listing, &draft, &fixes),
        )
            .into_response();
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
    let line = match serde_json::to_string(&report) {
        Ok(line) => line,
        Err(e) => return Error::Internal(format!("encoding a report: {e}")).page(&state, None),
    };
    let path = reports_path(&state);
    let stored = tokio::task::spawn_blocking(move || append_line(&path, &line)).await;
    match stored {
        Ok(Ok(())) => (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                site.href(&format!("/programs/{}/report/thanks", listing.id)),
            )],
        )
            .into_response(),
        Ok(Err(StoreFailure::Full)) => {
            tracing::warn!("the reports file is full ({MAX_REPORTS_BYTES} bytes): report refused");
            let markup = iop_templates::error_page(
                &site,
                503,
                "We cannot take reports right now",
                "Too many reports are waiting to be read. Please call the program to confirm its details, or try again in a few days.",
                &[],
            );
            (StatusCode::SERVICE_UNAVAILABLE, markup).into_response()
        }
        Ok(Err(StoreFailure::Io(e))) => {
            Error::Internal(format!("storing a report: {e}")).page(&state, None)
        }
        Err(e) => Error::Internal(format!("storing a report: {e}")).page(&state, None),
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
