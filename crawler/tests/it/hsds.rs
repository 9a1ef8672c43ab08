//! The `hsds` source: an HSDS 3.0 API and a data package, served on
//! 127.0.0.1 (and the package read from disk).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{crawl, CrawlContext, SourceError, SourceKind};
use iop_index::listing::Weekday;
use iop_index::{Listing, Precision};

#[allow(dead_code)]
use crate::common;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/hsds")
            .join(path),
    )
    .unwrap()
}

fn json(body: String) -> Response {
    ([("content-type", "application/json")], body).into_response()
}

#[derive(Clone, Default)]
struct Api {
    log: Arc<Mutex<Vec<String>>>,
    fail_page_2: Arc<AtomicBool>,
}

async fn services(State(api): State<Api>, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").cloned().unwrap_or_default();
    api.log
        .lock()
        .unwrap()
        .push(format!("services?page={page}"));
    if q.get("full").map(String::as_str) != Some("true") {
        return (StatusCode::BAD_REQUEST, "full=true expected").into_response();
    }
    match page.as_str() {
        "1" => json(fixture("api/services-page1.json")),
        "2" if api.fail_page_2.load(Ordering::SeqCst) => {
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        "2" => json(fixture("api/services-page2.json")),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn service(State(api): State<Api>, UrlPath(id): UrlPath<String>) -> Response {
    api.log.lock().unwrap().push(format!("services/{id}"));
    match std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/hsds/api/service-{id}.json")),
    ) {
        Ok(body) => json(body),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn package_file(UrlPath(file): UrlPath<String>) -> Response {
    match std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/hsds/package/{file}")),
    ) {
        Ok(body) => json(body),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn csv_package_file(UrlPath(file): UrlPath<String>) -> Response {
    let content_type = if file.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    match std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/hsds/csv-package/{file}")),
    ) {
        Ok(body) => ([("content-type", content_type)], body).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve(api: Api) -> String {
    let app = Router::new()
        .route("/csvpkg/{file}", get(csv_package_file))
        .route("/hsds/services", get(services))
        .route("/hsds/services/{id}", get(service))
        .route("/pkg/{file}", get(package_file))
        .with_state(api);
    common::serve(app).await
}

fn context() -> CrawlContext {
    common::context(FetcherConfig {
        retries: 0,
        ..common::loopback_config()
    })
}

fn by_program<'a>(listings: &'a [Listing], name: &str) -> &'a Listing {
    listings
        .iter()
        .find(|l| l.program_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no listing {name}"))
}

#[tokio::test]
async fn api_pages_are_read_and_iop_services_mapped() {
    let api = Api::default();
    let base = serve(api.clone()).await;
    let out = crawl(SourceKind::Hsds, &format!("{base}/hsds/"), &context())
        .await
        .unwrap();
    assert_eq!(
        *api.log.lock().unwrap(),
        ["services?page=1", "services?page=2", "services/svc-3"],
        "both pages; the service listed without locations is read whole"
    );
    assert_eq!(out.pages_fetched, 3);

    // svc-2 is not IOP, svc-4 inactive; svc-3's virtual location has no address
    let mut programs: Vec<&str> = out
        .listings
        .iter()
        .filter_map(|l| l.program_name.as_deref())
        .collect();
    programs.sort();
    assert_eq!(
        programs,
        [
            "Adult Intensive Outpatient Program",
            "Teen Intensive Outpatient"
        ]
    );
    assert_eq!(out.errors.get("no-address"), Some(&1), "{:?}", out.notes);

    let adult = by_program(&out.listings, "Adult Intensive Outpatient Program");
    assert_eq!(adult.name, "Harbor Light Behavioral Health");
    assert_eq!(
        adult.address.street.as_deref(),
        Some("100 Main Street"),
        "the physical address, not the postal one"
    );
    assert_eq!(adult.address.zip, "02108");
    let point = adult.point.unwrap();
    assert_eq!(point.precision, Precision::Exact);
    assert!((point.lat - 42.3571).abs() < 1e-9);
    assert_eq!(adult.phone.as_deref(), Some("(617) 555-0142 ext. 12"));
    assert_eq!(
        adult.website.as_deref(),
        Some("https://harbor.example.org/adult-iop")
    );
    assert_eq!(
        adult.values("insurance"),
        ["medicaid"],
        "not Medicare: negated"
    );
    assert!(adult.has_value("modality", "dbt"), "from the description");
    assert!(adult.has_value("language", "spanish"));
    let days: Vec<Weekday> = adult.schedule.sessions.iter().map(|s| s.weekday).collect();
    assert_eq!(days, [Weekday::Mon, Weekday::Wed, Weekday::Thu]);
    assert_eq!(adult.schedule.hours_per_week, Some(9.0));
    assert!(adult.has_value("schedule", "evening"));
    let (prov, source) = adult.provenance_of("insurance/medicaid").unwrap();
    assert_eq!(prov.evidence.as_deref(), Some("MD: Medicaid"));
    assert_eq!(source.kind, "hsds");
    assert_eq!(
        source.url, None,
        "a loopback address ({base}) is never shown as a source"
    );
    assert_eq!(source.title, "Open Referral HSDS directory");
    assert_eq!(
        source.record.as_deref(),
        Some("service svc-1 at location loc-1")
    );
    let (prov, _) = adult.provenance_of("modality/dbt").unwrap();
    assert!(prov
        .evidence
        .as_deref()
        .unwrap()
        .contains("dialectical behavior therapy"));

    let teen = by_program(&out.listings, "Teen Intensive Outpatient");
    assert_eq!(teen.name, "Willow Creek Youth Services");
    assert_eq!(teen.address.state, "MA");
    assert_eq!(
        teen.point.unwrap().precision,
        Precision::Exact,
        "string coordinates"
    );
    assert_eq!(teen.phone.as_deref(), Some("(413) 555-0177"));
    assert!(teen.has_value("age", "adolescents"));
    assert_eq!(teen.schedule.sessions.len(), 2, "service-level schedules");
}

#[tokio::test]
async fn a_failed_list_page_fails_the_source() {
    let api = Api::default();
    api.fail_page_2.store(true, Ordering::SeqCst);
    let base = serve(api.clone()).await;
    let err = crawl(
        SourceKind::Hsds,
        &format!("{base}/hsds/services"),
        &context(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SourceError::Failed { message, .. } if message.contains("page 2") && message.contains("503")),
        "{err}"
    );
}

fn check_package(out: &iop_crawler::sources::SourceCrawl) {
    assert_eq!(out.listings.len(), 1, "{:?}", out.notes);
    let l = &out.listings[0];
    assert_eq!(l.name, "Riverbend Recovery Center");
    assert_eq!(l.program_name.as_deref(), Some("Riverbend IOP"));
    assert_eq!(l.address.city, "Burlington");
    assert_eq!(l.point.unwrap().precision, Precision::Exact);
    assert_eq!(
        l.phone.as_deref(),
        Some("(802) 555-0151"),
        "the service's phone before the location's"
    );
    assert!(l.has_value("modality", "cbt"), "a joined taxonomy term");
    assert!(l.has_value("insurance", "medicaid") && l.has_value("insurance", "private"));
    assert_eq!(l.schedule.sessions.len(), 3);
    assert_eq!(l.schedule.days_per_week, Some(3));
    assert_eq!(
        out.errors.get("no-location"),
        Some(&1),
        "Family IOP has no location"
    );
}

#[tokio::test]
async fn a_data_package_over_http() {
    let base = serve(Api::default()).await;
    let out = crawl(
        SourceKind::Hsds,
        &format!("{base}/pkg/datapackage.json"),
        &context(),
    )
    .await
    .unwrap();
    check_package(&out);
    assert_eq!(
        out.pages_fetched, 11,
        "datapackage.json (a 404: no descriptor) and every table asked for, languages.json a 404"
    );
}

#[tokio::test]
async fn a_data_package_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds/package");
    let out = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
        .await
        .unwrap();
    check_package(&out);
    let file = dir.join("datapackage.json");
    let out = crawl(SourceKind::Hsds, file.to_str().unwrap(), &context())
        .await
        .unwrap();
    check_package(&out);
    let err = crawl(SourceKind::Hsds, "/nonexistent/hsds", &context())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("services.json"), "{err}");
}

fn package_dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hsds")
        .join(name)
}

/// The CSV package (`fixtures/hsds/csv-package`, Open Referral's tabular
/// form): two IOP services, a non-IOP one, an inactive one, a virtual
/// location; a quoted description with commas and a line break, empty cells.
fn check_csv_package(out: &iop_crawler::sources::SourceCrawl) {
    assert!(
        out.notes[0].contains("4 services, 2 intensive outpatient, 1 inactive, 2 listings"),
        "{:?}",
        out.notes
    );
    let mut programs: Vec<&str> = out
        .listings
        .iter()
        .filter_map(|l| l.program_name.as_deref())
        .collect();
    programs.sort();
    assert_eq!(
        programs,
        ["Adult Intensive Outpatient Program", "Teen Program"],
        "not the counseling service, not the inactive summer IOP: {:?}",
        out.notes
    );
    assert_eq!(
        out.errors.get("no-address"),
        Some(&1),
        "the telehealth location: {:?}",
        out.errors
    );
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);

    let adult = by_program(&out.listings, "Adult Intensive Outpatient Program");
    assert_eq!(adult.name, "Lakeshore Behavioral Health");
    assert_eq!(adult.address.street.as_deref(), Some("233 S Wacker Dr"));
    assert_eq!(adult.address.street2, None, "an empty cell is absent");
    assert_eq!(
        (adult.address.city.as_str(), adult.address.zip.as_str()),
        ("Chicago", "60606"),
        "the physical address, not the postal one"
    );
    let point = adult.point.unwrap();
    assert_eq!(point.precision, Precision::Exact, "latitude read from text");
    assert!((point.lat - 41.8789).abs() < 1e-9 && (point.lon + 87.6359).abs() < 1e-9);
    assert_eq!(adult.phone.as_deref(), Some("(312) 555-0140 ext. 12"));
    assert_eq!(
        adult.website.as_deref(),
        Some("https://lakeshore.example.org/adult-iop")
    );
    let description = adult.description.as_deref().unwrap();
    assert!(
        description.starts_with("Group therapy, individual sessions, and family education.")
            && description.contains("dialectical behavior therapy"),
        "the quoted field with commas and a line break is one cell: {description:?}"
    );
    assert!(adult.has_value("insurance", "medicaid") && adult.has_value("insurance", "medicare"));
    assert!(adult.has_value("modality", "cbt"), "a joined taxonomy term");
    assert!(adult.has_value("modality", "dbt"), "from the description");
    assert!(adult.has_value("language", "spanish"));
    let days: Vec<Weekday> = adult.schedule.sessions.iter().map(|s| s.weekday).collect();
    assert_eq!(days, [Weekday::Mon, Weekday::Wed, Weekday::Thu]);
    assert_eq!(adult.schedule.hours_per_week, Some(9.0));

    let teen = by_program(&out.listings, "Teen Program");
    assert_eq!(
        teen.name, "Prairie Youth Services",
        "an empty status cell is active"
    );
    assert_eq!(teen.address.street2.as_deref(), Some("Suite 200"));
    assert_eq!(teen.address.zip, "62701");
    assert_eq!(
        teen.phone.as_deref(),
        Some("(217) 555-0190"),
        "the organization's"
    );
    assert!(teen.has_value("age", "adolescents"));
    assert!(teen.has_value("insurance", "medicaid"), "code MD");
    let days: Vec<Weekday> = teen.schedule.sessions.iter().map(|s| s.weekday).collect();
    assert_eq!(
        days,
        [Weekday::Tue, Weekday::Thu],
        "the service-at-location's schedule"
    );
}

#[tokio::test]
async fn a_csv_data_package_directory() {
    let dir = package_dir("csv-package");
    let out = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
        .await
        .unwrap();
    check_csv_package(&out);
    assert_eq!(out.pages_fetched, 0);
    let file = dir.join("datapackage.json");
    let out = crawl(SourceKind::Hsds, file.to_str().unwrap(), &context())
        .await
        .unwrap();
    check_csv_package(&out);
}

#[tokio::test]
async fn a_csv_data_package_over_http() {
    let (app, log) =
        common::with_request_log(Router::new().route("/csvpkg/{file}", get(csv_package_file)));
    let base = common::serve(app).await;
    let location = format!("{base}/csvpkg/datapackage.json");
    let out = crawl(SourceKind::Hsds, &location, &context())
        .await
        .unwrap();
    check_csv_package(&out);
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log.iter().filter(|p| p.ends_with(".csv")).count(),
        10,
        "every HSDS table the descriptor lists: {log:?}"
    );
    assert!(
        !log.iter().any(|p| p.ends_with("programs.csv")),
        "a resource the mapping does not use is not fetched: {log:?}"
    );
    assert_eq!(log[0], "/robots.txt");
    assert!(log.contains(&"/csvpkg/datapackage.json".to_string()));
    assert_eq!(out.pages_fetched, 11, "the descriptor and ten tables");
    let adult = by_program(&out.listings, "Adult Intensive Outpatient Program");
    let (_, source) = adult.provenance_of("insurance/medicaid").unwrap();
    assert_eq!(source.url, None, "not the loopback {location}");
}

#[tokio::test]
async fn csv_and_json_packages_give_the_same_listings() {
    let read = |name: &'static str| async move {
        let dir = package_dir(name);
        let mut listings = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
            .await
            .unwrap()
            .listings;
        listings.sort_by(|a, b| a.id.cmp(&b.id));
        serde_json::to_value(&listings).unwrap()
    };
    let csv = read("csv-package").await;
    let json = read("json-package").await;
    assert_eq!(csv.as_array().unwrap().len(), 2);
    assert_eq!(csv, json);
}

/// With a spill directory (as `iopfinder crawl` gives), the listings go to
/// disk as they are made and come back, in id order, the same as without.
#[tokio::test]
async fn a_package_read_into_a_spill_gives_the_same_listings() {
    let dir = package_dir("csv-package");
    let held = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
        .await
        .unwrap();
    assert!(held.spilled.is_none());
    let spill_dir = tempfile::tempdir().unwrap();
    let mut ctx = context();
    ctx.spill_dir = Some(spill_dir.path().to_path_buf());
    let out = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &ctx)
        .await
        .unwrap();
    assert!(out.listings.is_empty(), "every listing spilled");
    assert_eq!(out.notes[0], held.notes[0], "the same count in the note");
    let spilled: Vec<Listing> = out
        .spilled
        .expect("a spill")
        .sorted()
        .unwrap()
        .map(|r| r.unwrap().1)
        .collect();
    let mut listings = held.listings;
    listings.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listings.len(), 2);
    assert_eq!(
        serde_json::to_value(&spilled).unwrap(),
        serde_json::to_value(&listings).unwrap()
    );
}

#[tokio::test]
async fn a_descriptor_whose_services_file_is_missing_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hsds-missing");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("datapackage.json"),
        r#"{"resources": [{"name": "service", "path": "services.csv"},
            {"name": "organization", "path": "organizations.csv"}]}"#,
    )
    .unwrap();
    let err = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("services.csv"), "{err}");
    std::fs::write(
        dir.join("datapackage.json"),
        r#"{"resources": [{"name": "service", "path": "../outside/services.csv"}]}"#,
    )
    .unwrap();
    let err = crawl(SourceKind::Hsds, dir.to_str().unwrap(), &context())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("relative"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_hsds_3_package_without_a_descriptor_reads_service_at_location_csv() {
    // HSDS 3.0 names the file `service_at_location.csv`, in the singular
    let out = crawl(
        SourceKind::Hsds,
        package_dir("csv-package-3.0").to_str().unwrap(),
        &context(),
    )
    .await
    .unwrap();
    let reference = crawl(
        SourceKind::Hsds,
        package_dir("csv-package").to_str().unwrap(),
        &context(),
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 2, "{:?}", out.notes);
    for (a, b) in out.listings.iter().zip(&reference.listings) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.address, b.address, "joined to its location");
        assert_eq!(a.schedule, b.schedule, "the service-at-location's schedule");
    }
    // the service without an id is counted and said, not dropped silently
    assert_eq!(
        out.errors.get("service-without-id"),
        Some(&1),
        "{:?}",
        out.errors
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("1 services without an id")),
        "{:?}",
        out.notes
    );
}
