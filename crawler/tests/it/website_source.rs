//! The `website` source against a provider site served on 127.0.0.1.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use iop_crawler::sources::SourceError;
use iop_index::Precision;

#[allow(dead_code)]
use crate::common;
use common::html;

const HOME: &str = include_str!("../fixtures/website/home.html");
const ADULT: &str = include_str!("../fixtures/website/adult-iop.html");
const FAMILY: &str = include_str!("../fixtures/website/family-therapy.html");
const EVENING: &str = include_str!("../fixtures/website/evening-iop.html");
const TEEN_CP1252: &[u8] = include_bytes!("../fixtures/website/teen-iop-cp1252.html");

/// The site: robots.txt (one page disallowed, a sitemap), pages, a 404, a PDF.
fn site(base: &str) -> Router {
    let robots =
        format!("User-agent: *\nDisallow: /programs/private-iop\nSitemap: {base}/sitemap.xml\n");
    let sitemap = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/</loc></url>
<url><loc>{base}/programs/adult-iop</loc></url>
<url><loc>{base}/programs/evening-iop</loc></url>
<url><loc>{base}/blog/holiday-hours</loc></url>
</urlset>"#
    );
    Router::new()
        .route("/robots.txt", get(move || async move { robots }))
        .route(
            "/sitemap.xml",
            get(move || async move { ([("content-type", "application/xml")], sitemap) }),
        )
        .route("/", get(|| async { html(HOME) }))
        .route("/programs/adult-iop", get(|| async { html(ADULT) }))
        .route("/programs/family-therapy", get(|| async { html(FAMILY) }))
        .route("/programs/evening-iop", get(|| async { html(EVENING) }))
        .route("/programs/private-iop", get(|| async { html(EVENING) }))
        .route(
            "/programs/teen-iop",
            get(|| async {
                (
                    [("content-type", "text/html; charset=windows-1252")],
                    TEEN_CP1252,
                )
            }),
        )
        .route(
            "/files/brochure.pdf",
            get(|| async { ([("content-type", "application/pdf")], "%PDF-1.4") }),
        )
        .route("/blog/holiday-hours", get(|| async { html(FAMILY) }))
        .route("/about", get(|| async { html(FAMILY) }))
}

#[tokio::test]
async fn crawls_program_pages_politely_and_keeps_evidence() {
    let (base, log) = common::serve_logged(site).await;
    let out = common::crawl_website(&format!("{base}/")).await.unwrap();

    // what was and was not requested
    for path in [
        "/",
        "/robots.txt",
        "/sitemap.xml",
        "/programs/adult-iop",
        "/programs/teen-iop",
        "/programs/evening-iop",
        "/programs/family-therapy",
        "/programs/missing",
        "/contact",
    ] {
        assert_eq!(
            common::requested(&log, path),
            1,
            "{path} once: {:?}",
            log.lock()
        );
    }
    for path in [
        "/programs/private-iop",
        "/files/brochure.pdf",
        "/about",
        "/blog/holiday-hours",
        "/programs/family-therapy/faq",
    ] {
        assert_eq!(common::requested(&log, path), 0, "{path} never");
    }
    assert_eq!(out.errors.get("robots_disallowed"), Some(&1));
    assert_eq!(
        out.errors.get("status"),
        Some(&2),
        "the 404s: a missing program page, the contact page"
    );
    assert_eq!(out.errors.get("not_html"), Some(&1), "the PDF");
    assert_eq!(out.pages_fetched, 9, "{:?}", out.notes);

    let mut programs: Vec<&str> = out
        .listings
        .iter()
        .map(|l| l.program_name.as_deref().unwrap_or("-"))
        .collect();
    programs.sort();
    assert_eq!(
        programs,
        [
            "Adult Intensive Outpatient Program",
            "Evening IOP for Professionals",
            "Teen Intensive Outpatient – Cambridge"
        ],
        "the home page is not a listing when program pages are"
    );
    let by = |name: &str| {
        out.listings
            .iter()
            .find(|l| l.program_name.as_deref() == Some(name))
            .unwrap()
    };

    // a page without structured data takes the site's address
    let adult = by("Adult Intensive Outpatient Program");
    assert_eq!(adult.name, "Harbor Light Behavioral Health");
    assert_eq!(adult.address.zip, "02108");
    assert_eq!(adult.point.unwrap().precision, Precision::Exact);
    assert_eq!(adult.phone.as_deref(), Some("(617) 555-0142"));
    assert!(adult.has_value("insurance", "medicaid"));
    assert!(
        !adult.has_value("insurance", "medicare"),
        "a negation is not a fact"
    );
    assert!(adult.has_value("modality", "dbt"));
    assert_eq!(adult.schedule.sessions.len(), 3);
    let (prov, source) = adult.provenance_of("insurance/medicaid").unwrap();
    assert!(
        prov.evidence
            .as_deref()
            .unwrap()
            .contains("We accept Medicaid"),
        "{prov:?}"
    );
    assert_eq!(
        source.url.as_deref(),
        Some(format!("{base}/programs/adult-iop").as_str())
    );
    assert_eq!(source.kind, "website");
    assert_eq!(source.title, "Adult IOP | Harbor Light");

    // windows-1252 decoded; its own JSON-LD address
    let teen = by("Teen Intensive Outpatient – Cambridge");
    assert_eq!(teen.name, "Harbor Light Cambridge");
    assert_eq!(
        (teen.address.city.as_str(), teen.address.zip.as_str()),
        ("Cambridge", "02138")
    );
    assert!(teen.has_value("language", "spanish"));
    let (prov, source) = teen.provenance_of("language/spanish").unwrap();
    assert!(prov.evidence.as_deref().unwrap().contains("español"));
    assert_eq!(
        source.url.as_deref(),
        Some(format!("{base}/programs/teen-iop").as_str()),
        "fragment dropped"
    );
}

#[tokio::test]
async fn a_sitemap_url_starts_the_crawl() {
    let (base, log) = common::serve_logged(site).await;
    let out = common::crawl_website(&format!("{base}/sitemap.xml"))
        .await
        .unwrap();
    assert_eq!(common::requested(&log, "/programs/evening-iop"), 1);
    assert_eq!(common::requested(&log, "/blog/holiday-hours"), 0);
    assert_eq!(common::requested(&log, "/sitemap.xml"), 1);
    assert!(out
        .listings
        .iter()
        .any(|l| l.program_name.as_deref() == Some("Evening IOP for Professionals")));
    // the home page's links are followed too
    assert_eq!(common::requested(&log, "/programs/teen-iop"), 1);
}

#[tokio::test]
async fn a_site_whose_only_page_is_the_iop_yields_the_start_page() {
    let (base, _) = common::serve_logged(|_| {
        Router::new().route(
            "/",
            get(|| async {
                html(
                    include_str!("../fixtures/website/home.html")
                        .replace("/programs/", "/gone/")
                        .leak(),
                )
            }),
        )
    })
    .await;
    let out = common::crawl_website(&format!("{base}/")).await.unwrap();
    assert_eq!(out.listings.len(), 1, "{:?}", out.notes);
    assert_eq!(out.listings[0].name, "Harbor Light Behavioral Health");
}

#[tokio::test]
async fn a_failed_start_page_fails_the_source() {
    let (base, _) = common::serve_logged(|_| {
        Router::new().route("/", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
    })
    .await;
    let err = common::crawl_website(&format!("{base}/"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Failed { message, .. } if message.contains("start page")),
        "{err}"
    );
}
