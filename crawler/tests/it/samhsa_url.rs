//! `samhsa-directory` read from an http URL served on 127.0.0.1.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{crawl, CrawlContext, SourceError, SourceKind};

#[allow(dead_code)]
use crate::common;

const CSV: &str = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
    Alpine County,Behavioral Health,40 Diamond Valley Road,,Markleeville,CA,96120,530-694-1816,,,,,SA * OP OIT * MD PI * ADLT\n\
    Harbor House,,1 Main St,,Boston,MA,02108,617-555-0100,,,,,SA * OP ORT * MD\n\
    Harbor Light,IOP,2 Main St,,Boston,MA,02108,617-555-0101,,,,,MH * OIT * MC\n";

const LEGEND: &str = "category_code,category_name,service_code,service_name,service_description\n\
    PAY,Payment,MD,Medicaid,\nPAY,Payment,MC,Medicare,\n";

async fn serve(app: Router) -> (String, common::Log) {
    let (app, log) = common::with_request_log(app);
    (common::serve(app).await, log)
}

fn context() -> CrawlContext {
    common::context(FetcherConfig {
        retries: 0,
        // smaller than the real workbook: the source raises it for data files
        max_body_bytes: 64 * 1024,
        ..common::loopback_config()
    })
}

#[tokio::test]
async fn csv_and_its_legend_are_downloaded() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/data/su_2022_facilities.csv",
            get(|| async { ([("content-type", "text/csv")], CSV) }),
        )
        .route(
            "/data/su_2022_service_codes.csv",
            get(|| async { ([("content-type", "text/csv")], LEGEND) }),
        );
    let (base, log) = serve(app).await;
    let location = format!("{base}/data/su_2022_facilities.csv");
    let out = crawl(SourceKind::SamhsaDirectory, &location, &context())
        .await
        .unwrap();
    assert_eq!(out.listings.len(), 2, "{:?}", out.notes);
    assert_eq!(out.pages_fetched, 2);
    assert!(log
        .lock()
        .unwrap()
        .contains(&"/data/su_2022_service_codes.csv".to_string()));
    let alpine = &out.listings[0];
    let (prov, source) = alpine.provenance_of("insurance/medicaid").unwrap();
    assert_eq!(prov.evidence.as_deref(), Some("MD: Medicaid"));
    assert_eq!(
        source.url.as_deref(),
        Some(iop_crawler::sources::samhsa::PUBLIC_PAGE),
        "the directory's public page, never the loopback {location}"
    );
    assert!(source.title.ends_with("2022"), "{}", source.title);
    assert_eq!(source.edition.as_deref(), Some("2022"));
    let light = &out.listings[1];
    assert_eq!(light.values("insurance"), ["medicare"]);
}

#[tokio::test]
async fn a_missing_legend_is_noted_not_fatal() {
    let app = Router::new().route(
        "/su_2022_facilities.csv",
        get(|| async { ([("content-type", "text/csv")], CSV) }),
    );
    let (base, _) = serve(app).await;
    let out = crawl(
        SourceKind::SamhsaDirectory,
        &format!("{base}/su_2022_facilities.csv"),
        &context(),
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 2);
    assert_eq!(out.errors.get("status"), Some(&1));
    let (prov, _) = out.listings[0].provenance_of("insurance/medicaid").unwrap();
    assert_eq!(prov.evidence.as_deref(), Some("MD"));
}

#[tokio::test]
async fn a_failed_download_fails_the_source() {
    let app = Router::new().route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }));
    let (base, _) = serve(app).await;
    let err = crawl(
        SourceKind::SamhsaDirectory,
        &format!("{base}/gone.csv"),
        &context(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SourceError::Failed { message, .. } if message.contains("404")),
        "{err}"
    );
}

/// The published workbook, read at test time from ../shared/data when present.
#[tokio::test]
async fn the_real_workbook_over_http() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/samhsa-national-directory-2022/National_Directory_SA_Facilities_2022.xlsx");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let app = Router::new().route(
        "/National_Directory_SA_Facilities_2022.xlsx",
        get(move || {
            let bytes = bytes.clone();
            async move {
                (
                    [(
                        "content-type",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )],
                    bytes,
                )
                    .into_response()
            }
        }),
    );
    let (base, _) = serve(app).await;
    let out = crawl(
        SourceKind::SamhsaDirectory,
        &format!("{base}/National_Directory_SA_Facilities_2022.xlsx"),
        &context(),
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 5523, "{:?}", out.notes);
}
