//! The whole directory as files: `/download/iop-programs.jsonl` (one program
//! per line, as `/api/v1/programs/{id}` gives it), `/download/iop-programs.csv`
//! (the columns of `/search.csv`) and `/download/datapackage.json` (a
//! Frictionless data package descriptor: the files, the generation they were
//! built from and when, each source with its licence and check dates).
//! Each file names the descriptor in a `Link: rel="describedby"` header.
//! Linked from the About page and listed in the sitemap.

use super::export::{push_record, row, COLUMNS};
use super::seo::public_url;
use super::{ApiError, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iop_index::Hit;
use serde_json::{json, Value};

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

fn file(content_type: &'static str, name: &str, body: String) -> Response {
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

/// An internal error of a download: what failed, with its cause.
fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(anyhow::Error::new(e).context("building a download of the directory"))
}

async fn jsonl(State(state): State<AppState>) -> Result<Response, ApiError> {
    let g = state.generation().clone();
    let body = super::blocking(move || -> Result<String, ApiError> {
        let listings = g.index.all_listings().map_err(internal)?;
        let mut out = String::with_capacity(listings.len() * 2048);
        for l in &listings {
            out.push_str(&crate::json::program(l).to_string());
            out.push('\n');
        }
        Ok(out)
    })
    .await;
    let body = body?;
    Ok(file("application/x-ndjson", "iop-programs.jsonl", body))
}

async fn csv(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let g = state.generation().clone();
    let origin = public_url(&headers);
    let body = super::blocking(move || -> Result<String, ApiError> {
        let listings = g.index.all_listings().map_err(internal)?;
        let mut out = String::with_capacity(listings.len() * 512);
        push_record(&mut out, COLUMNS.iter().map(|c| c.to_string()));
        for l in listings {
            let hit = Hit {
                listing: l,
                distance_miles: None,
                score: 0.0,
            };
            push_record(&mut out, row(&hit, &origin));
        }
        Ok(out)
    })
    .await;
    let body = body?;
    Ok(file("text/csv; charset=utf-8", "iop-programs.csv", body))
}
