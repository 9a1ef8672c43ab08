//! The whole directory as files: `/download/iop-programs.jsonl` (one program
//! per line, as `/api/v1/programs/{id}` gives it), `/download/iop-programs.csv`
//! (the columns of `/search.csv`) and `/download/datapackage.json` (a
//! Frictionless data package descriptor: the files, the generation they were
//! built from and when, each source with its licence and check dates).
//! Each file names the descriptor in a `Link: rel="describedby"` header.
//! Linked from the About page and listed in the sitemap.
//!
//! The two files stream: listings are decoded [`BATCH`] at a time, in name
//! order, on a blocking thread, and each batch is sent as it is written
//! (at most a few batches wait for a slow client), so a download of a
//! million programs never holds the directory in memory. The answer keeps
//! the generation it started with, even if a new one is installed meanwhile.
//! A failure after the first bytes ends the body early (the status line is
//! already sent): a client sees a truncated file, not a wrong one.

use super::export::{push_record, row, COLUMNS};
use super::seo::public_url;
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::{Generation, Hit, Listing};
use serde_json::{json, Value};
use std::sync::Arc;

/// The paths of the download, in the order the sitemap lists them.
pub const PATHS: [&str; 3] = [
    "/download/datapackage.json",
    "/download/iop-programs.jsonl",
    "/download/iop-programs.csv",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATHS[0], get(descriptor))
        .route(PATHS[1], get(jsonl))
        .route(PATHS[2], get(csv))
}

/// Listings decoded and written per chunk of a download.
pub const BATCH: usize = 1_000;

/// Chunks written ahead of a slow client.
const AHEAD: usize = 4;

/// A body that is `head` then each listing of `g` in name order as
/// `write` puts it, written [`BATCH`] listings at a time on a blocking
/// thread while the client reads (a batch `write` leaves empty is not
/// sent).
pub(super) fn streamed(
    g: Arc<Generation>,
    head: String,
    write: impl Fn(&Arc<Listing>, &mut String) + Send + 'static,
) -> Body {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(AHEAD);
    tokio::task::spawn_blocking(move || {
        if !head.is_empty() && sender.blocking_send(Ok(Bytes::from(head))).is_err() {
            return;
        }
        let mut start = 0;
        while start < g.index.len() {
            let chunk = match g.index.listings_in_order(start..start + BATCH) {
                Ok(listings) => {
                    let mut out = String::with_capacity(listings.len() * 1024);
                    for l in &listings {
                        write(l, &mut out);
                    }
                    if out.is_empty() {
                        start += BATCH;
                        continue;
                    }
                    Ok(Bytes::from(out))
                }
                Err(e) => {
                    tracing::error!("download at listing {start}: {e}");
                    Err(std::io::Error::other(e.to_string()))
                }
            };
            let failed = chunk.is_err();
            // a closed channel: the client went away
            if sender.blocking_send(chunk).is_err() || failed {
                return;
            }
            start += BATCH;
        }
    });
    let mut receiver = receiver;
    // answers None again if polled after the end (hyper may)
    Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }))
}

fn file(content_type: &'static str, name: &str, body: Body) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::LINK,
        HeaderValue::from_static("</download/datapackage.json>; rel=\"describedby\""),
    );
    response
}

async fn descriptor(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let g = state.generation();
    let base = public_url(&headers);
    let sources: Vec<Value> = g
        .meta
        .sources
        .iter()
        .map(|s| {
            json!({
                "title": s.title,
                "kind": s.kind,
                "listings": s.listings,
                "oldest_check": s.oldest_check,
                "newest_check": s.newest_check,
                "licence": crate::hsds::licence(&s.kind),
            })
        })
        .collect();
    let licenses: Vec<Value> = g
        .meta
        .sources
        .iter()
        .map(|s| json!({"name": s.kind, "title": crate::hsds::licence(&s.kind)}))
        .collect();
    Json(json!({
        "profile": "data-package",
        "name": "iop-finder-directory",
        "title": "IOP Finder: every intensive outpatient program in the directory",
        "description": "Each program with its address, phones, facts and the source and check date of every fact. The same data is served as an API (/api/v1/openapi.json) and as Open Referral HSDS 3.0 (/hsds/).",
        "homepage": format!("{base}/about"),
        "created": g.meta.built_at,
        "generation": g.meta.generation,
        "listings": g.meta.listings,
        "sample": g.meta.sample,
        "licenses": licenses,
        "sources": sources,
        "resources": [
            {"name": "iop-programs-jsonl", "path": format!("{base}{}", PATHS[1]), "format": "jsonl", "mediatype": "application/x-ndjson", "encoding": "utf-8"},
            {"name": "iop-programs-csv", "path": format!("{base}{}", PATHS[2]), "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": {"fields": COLUMNS.iter().map(|c| json!({"name": c, "type": "string"})).collect::<Vec<_>>()}},
        ],
    }))
}

async fn jsonl(State(state): State<AppState>) -> Response {
    let g = Arc::clone(&state.generation());
    let body = streamed(g, String::new(), |l, out| {
        out.push_str(&crate::json::program(l).to_string());
        out.push('\n');
    });
    file("application/x-ndjson", "iop-programs.jsonl", body)
}

async fn csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let g = Arc::clone(&state.generation());
    let origin = public_url(&headers);
    let mut head = String::new();
    push_record(&mut head, COLUMNS.iter().map(|c| c.to_string()));
    let body = streamed(g, head, move |l, out| {
        let hit = Hit {
            listing: Arc::clone(l),
            distance_miles: None,
            score: 0.0,
        };
        push_record(out, row(&hit, &origin));
    });
    file("text/csv; charset=utf-8", "iop-programs.csv", body)
}
