//! The `findtreatment` source against a loopback server replaying
//! recorded-style pages of FindTreatment.gov's JSON API.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{crawl, findtreatment, CrawlContext, Progress, SourceError, SourceKind};
use iop_index::Precision;

#[allow(dead_code)]
use crate::common;

const PAGES: [&str; 3] = [
    include_str!("../fixtures/findtreatment/page1.json"),
    include_str!("../fixtures/findtreatment/page2.json"),
    include_str!("../fixtures/findtreatment/page3.json"),
];

#[derive(Clone, Default)]
struct Api {
    /// Every query received.
    queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// Answer page 2 with a server error.
    fail_page_2: Arc<AtomicBool>,
}

async fn export(State(api): State<Api>, Query(q): Query<HashMap<String, String>>) -> Response {
    api.queries.lock().unwrap().push(q.clone());
    let bad = |what: &str| (StatusCode::BAD_REQUEST, what.to_string()).into_response();
    if q.get("sAddr").map(String::as_str) != Some("40.75,-73.99") {
        return bad("sAddr");
    }
    if q.get("limitType").map(String::as_str) != Some("2") {
        return bad("limitType");
    }
    if q.get("limitValue").map(String::as_str) != Some("80467") {
        return bad("limitValue");
    }
    if !q
        .get("sCodes")
        .is_some_and(|c| c.split(',').any(|c| c == "OIT"))
    {
        return bad("sCodes");
    }
    if q.get("pageSize")
        .and_then(|s| s.parse::<u32>().ok())
        .is_none_or(|s| s > 2000)
    {
        return bad("pageSize");
    }
    let page: usize = match q.get("page").and_then(|p| p.parse().ok()) {
        Some(p @ 1..=3) => p,
        _ => return bad("page"),
    };
    if page == 2 && api.fail_page_2.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [("content-type", "application/json")],
        PAGES[page - 1].to_string(),
    )
        .into_response()
}

async fn serve(api: Api) -> String {
    let app = Router::new()
        .route("/locator/exportsAsJson/v2", get(export))
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .with_state(api);
    common::serve(app).await
}

fn context() -> CrawlContext {
    common::context(FetcherConfig {
        retries: 1,
        ..common::loopback_config()
    })
}

#[tokio::test]
async fn pages_through_the_search_and_maps_labels_to_codes() {
    let api = Api::default();
    let base = serve(api.clone()).await;
    let mut ctx = context();
    let progress: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let p = progress.clone();
    ctx.progress = Arc::new(move |x| p.lock().unwrap().push(x));
    let location = format!("{base}/locator/exportsAsJson/v2?sAddr=40.75,-73.99&limitValue=80467");
    let out = crawl(SourceKind::FindTreatment, &location, &ctx)
        .await
        .unwrap();

    let queries = api.queries.lock().unwrap().clone();
    let pages: Vec<&str> = queries.iter().map(|q| q["page"].as_str()).collect();
    assert_eq!(pages, ["1", "2", "3"], "every page, in order");
    assert_eq!(queries[0]["sCodes"], "OIT");
    assert_eq!(out.pages_fetched, 3);
    let last = *progress.lock().unwrap().last().unwrap();
    assert_eq!((last.done, last.total), (7, Some(7)));

    // 7 rows: one without OIT, one duplicate, one with a bad state
    let names: Vec<&str> = out.listings.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Harbor Recovery Center",
            "Chelsea Counseling Services",
            "Hudson Valley Behavioral Health",
            "Jersey City Recovery"
        ]
    );
    assert_eq!(out.errors.get("rejected-record"), Some(&1));

    let harbor = &out.listings[0];
    let point = harbor.point.unwrap();
    assert_eq!(point.precision, Precision::Exact);
    assert!((point.lat - 42.3571).abs() < 1e-9 && (point.lon + 71.0570).abs() < 1e-9);
    assert_eq!(
        harbor.values("insurance"),
        ["medicaid", "medicare", "private"]
    );
    assert_eq!(harbor.values("focus"), ["substance-use", "co-occurring"]);
    assert_eq!(
        harbor.values("language"),
        ["spanish"],
        "the duplicate row's services are merged"
    );
    assert_eq!(harbor.level_of_care.outpatient, Some(true));
    assert_eq!(harbor.level_of_care.php, Some(false));
    assert_eq!(harbor.intake_phone.as_deref(), Some("(617) 555-0101"));
    let (prov, source) = harbor.provenance_of("insurance/medicaid").unwrap();
    assert_eq!(prov.evidence.as_deref(), Some("MD: Medicaid"));
    assert_eq!(source.kind, "findtreatment");

    // labels in any case; missing coordinates fall back to the ZIP centroid
    let chelsea = &out.listings[1];
    assert_eq!(chelsea.values("modality"), ["cbt", "dbt"]);
    assert_eq!(chelsea.values("focus"), ["mental-health"]);
    assert_eq!(chelsea.level_of_care.php, Some(true));
    assert_eq!(chelsea.point.unwrap().precision, Precision::ZipCentroid);
    assert_eq!(chelsea.intake_phone.as_deref(), Some("(212) 555-0199"));
    let (prov, _) = chelsea.provenance_of("modality/cbt").unwrap();
    assert_eq!(
        prov.evidence.as_deref(),
        Some("CBT: cognitive BEHAVIORAL therapy")
    );
    assert_eq!(
        out.listings[3].point.unwrap().precision,
        Precision::ZipCentroid,
        "a row without latitude/longitude keys"
    );
    assert_eq!(out.listings[2].address.state, "NY");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("Telepathic group work")),
        "unknown labels are reported: {:?}",
        out.notes
    );

    // the id depends on name, street and ZIP only: a second crawl agrees
    let again = crawl(SourceKind::FindTreatment, &location, &ctx)
        .await
        .unwrap();
    let ids = |v: &[iop_index::Listing]| v.iter().map(|l| l.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again.listings), ids(&out.listings));
}

#[tokio::test]
async fn a_base_url_without_the_api_path_works() {
    let api = Api::default();
    let base = serve(api.clone()).await;
    let out = crawl(
        SourceKind::FindTreatment,
        &format!("{base}/?sAddr=40.75,-73.99&limitValue=80467&sCodes=MD"),
        &context(),
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 4);
    assert_eq!(api.queries.lock().unwrap()[0]["sCodes"], "MD,OIT");
}

#[tokio::test]
async fn a_server_error_mid_paging_fails_the_whole_source() {
    let api = Api::default();
    api.fail_page_2.store(true, Ordering::SeqCst);
    let base = serve(api.clone()).await;
    let err = crawl(
        SourceKind::FindTreatment,
        &format!("{base}/locator/exportsAsJson/v2?sAddr=40.75,-73.99&limitValue=80467"),
        &context(),
    )
    .await
    .unwrap_err();
    let SourceError::Failed { message, .. } = err;
    assert!(message.contains("page 2"), "{message}");
    assert!(message.contains("500"), "{message}");
    let pages: Vec<String> = api
        .queries
        .lock()
        .unwrap()
        .iter()
        .map(|q| q["page"].clone())
        .collect();
    assert_eq!(pages, ["1", "2", "2"], "one retry, then no page 3");
}

#[tokio::test]
async fn a_location_without_saddr_is_refused_clearly() {
    let err = crawl(
        SourceKind::FindTreatment,
        "http://127.0.0.1:9/locator/exportsAsJson/v2?limitValue=5",
        &context(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("sAddr"), "{err}");
}

/// A file of `../shared/data/findtreatment` (beside the repository); `None`,
/// said, when absent.
fn shared_findtreatment(name: &str) -> Option<std::path::PathBuf> {
    crate::common::shared_in("findtreatment", name)
}

#[tokio::test]
async fn every_label_of_the_real_2019_page_is_mapped_or_named_in_the_report() {
    let Some(path) = shared_findtreatment("cbhsq_2019_page1.json") else {
        return;
    };
    let page: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // the labels, read independently of the source
    let mut labels: std::collections::BTreeMap<String, String> = Default::default();
    for row in page["rows"].as_array().unwrap() {
        for group in row["services"].as_array().unwrap() {
            for label in group["f3"].as_str().unwrap_or("").split(';') {
                let label = label.trim();
                if !label.is_empty() {
                    labels.insert(label.to_string(), group["f2"].as_str().unwrap().into());
                }
            }
        }
    }
    assert_eq!(labels.len(), 184);
    let out = crawl(
        SourceKind::FindTreatment,
        path.to_str().unwrap(),
        &context(),
    )
    .await
    .unwrap();
    let report = out.notes.join("\n");
    let mut mapped = 0;
    for (label, category) in &labels {
        if findtreatment::match_label(label, Some(category)).is_empty() {
            assert!(
                report.contains(&format!("{label:?}")),
                "{label:?} is neither mapped nor named:\n{report}"
            );
        } else {
            mapped += 1;
        }
    }
    assert!(mapped >= 160, "{mapped} of 184 mapped");
    assert!(report.contains("184 distinct service labels"), "{report}");

    // the facts that vanished before: TRICARE, CARF, co-occurring,
    // telehealth, group / individual / family counseling
    assert_eq!(out.listings.len(), 5, "the page's IOP facilities");
    let any = |group: &str, slug: &str| out.listings.iter().any(|l| l.has_value(group, slug));
    for (group, slug) in [
        ("insurance", "tricare"),
        ("focus", "co-occurring"),
        ("format", "in-person"),
        ("modality", "group-therapy"),
        ("modality", "individual-therapy"),
        ("modality", "family-therapy"),
    ] {
        assert!(any(group, slug), "{group}/{slug}");
    }
    // CARF and telehealth are on the page's other (mental health) rows
    for (label, code) in [
        (
            "Commission on Accreditation of Rehabilitation Facilities",
            "CARF",
        ),
        ("Telemedicine/telehealth", "TELE"),
    ] {
        let category = labels.get(label).map(String::as_str);
        assert!(category.is_some(), "{label} is on the page");
        assert_eq!(findtreatment::match_label(label, category), [code]);
    }
    // the row's frid is its identity; the source link is the public page
    let rows = page["rows"].as_array().unwrap();
    let frids: Vec<String> = rows
        .iter()
        .map(|r| format!("frid:{}", r["frid"].as_str().unwrap()))
        .collect();
    for l in &out.listings {
        assert!(
            frids
                .iter()
                .any(|f| iop_index::listing::stable_id("findtreatment", f) == l.id),
            "{} not from a frid",
            l.name
        );
        let (_, source) = l.provenance_of("name").unwrap();
        assert_eq!(source.public_url(), Some(findtreatment::PUBLIC_PAGE));
    }
}

#[tokio::test]
async fn the_real_export_csv_with_padded_headers_is_read() {
    let Some(path) = shared_findtreatment("loud-study-facility-detail.csv") else {
        return;
    };
    let out = crawl(
        SourceKind::FindTreatment,
        path.to_str().unwrap(),
        &context(),
    )
    .await
    .unwrap();
    let report = out.notes.join("\n");
    assert!(
        report.contains("662 rows, 80 intensive outpatient"),
        "{report}"
    );
    assert!(!out.listings.is_empty() && out.listings.len() <= 80);
    assert!(!out.errors.contains_key("rejected-record"), "{report}");
    for l in &out.listings {
        assert!(
            ["MA", "VT"].contains(&l.address.state.as_str()),
            "{}",
            l.address.state
        );
        assert_eq!(l.point.unwrap().precision, Precision::Exact, "{}", l.name);
        assert!(l.has_value("focus", "substance-use"), "type SU: {}", l.name);
    }
    // the first row of the file with oit set: read by hand
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[col("oit")] == "1")
        .unwrap();
    let l = out
        .listings
        .iter()
        .find(|l| {
            l.name == row[col("name1")].trim()
                && l.address.street.as_deref() == Some(row[col("street1")].trim())
        })
        .unwrap();
    let lat: f64 = row[col("latitude")].parse().unwrap();
    assert!((l.point.unwrap().lat - lat).abs() < 1e-9);
    assert_eq!(l.has_value("insurance", "medicaid"), &row[col("md")] == "1");
    assert_eq!(
        l.has_value("format", "telehealth"),
        &row[col("tele")] == "1"
    );
}
