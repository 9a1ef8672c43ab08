//! A provider's site read as a whole, served on 127.0.0.1: a small
//! real-looking site (home page with a footer, program page, contact page,
//! insurance page, blog post) makes one listing, checked field by field; bad
//! sites (image only, an address contradicting its ZIP, an unknown encoding)
//! make none, with a clear line in the report, and do not disturb other
//! sources.

use axum::routing::get;
use axum::Router;
use iop_crawler::sources::{crawl, SourceKind};

#[allow(dead_code)]
use crate::common;
use common::html;

const HOME: &str = include_str!("../fixtures/site-small/home.html");
const IOP: &str = include_str!("../fixtures/site-small/adult-iop.html");
const CONTACT: &str = include_str!("../fixtures/site-small/contact.html");
const INSURANCE: &str = include_str!("../fixtures/site-small/insurance.html");
const POST: &str = include_str!("../fixtures/site-small/blog-post.html");

/// robots.txt names its sitemap by a relative URL; the contact page is
/// linked from nowhere but the sitemap... and the home page's menu.
fn small_site(_base: &str) -> Router {
    let sitemap = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>BASE/</loc></url>
<url><loc>BASE/programs/adult-iop?utm_source=a</loc></url>
<url><loc>BASE/programs/adult-iop?utm_source=b</loc></url>
<url><loc>BASE/programs/adult-iop/print</loc></url>
<url><loc>BASE/admissions/verify-your-insurance</loc></url>
</urlset>"#;
    let base = _base.to_string();
    Router::new()
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n" }),
        )
        .route(
            "/sitemap.xml",
            get(move || async move {
                (
                    [("content-type", "application/xml")],
                    sitemap.replace("BASE", &base),
                )
            }),
        )
        .route("/", get(|| async { html(HOME) }))
        .route("/programs/adult-iop", get(|| async { html(IOP) }))
        .route("/programs/adult-iop/print", get(|| async { html(IOP) }))
        .route(
            "/admissions/verify-your-insurance",
            get(|| async { html(INSURANCE) }),
        )
        .route("/contact", get(|| async { html(CONTACT) }))
        .route("/insurance", get(|| async { html(INSURANCE) }))
        .route("/blog/what-is-an-iop", get(|| async { html(POST) }))
}

#[tokio::test]
async fn a_small_site_makes_one_listing_field_by_field() {
    let (base, log) = common::serve_logged(small_site).await;
    let out = common::crawl_website(&format!("{base}/")).await.unwrap();
    println!("{:#?}", out.notes);
    assert_eq!(
        common::requested(&log, "/sitemap.xml"),
        1,
        "relative Sitemap: line"
    );
    assert_eq!(common::requested(&log, "/contact"), 1);
    assert_eq!(common::requested(&log, "/insurance"), 1);
    assert_eq!(
        common::requested(&log, "/blog/what-is-an-iop"),
        0,
        "blog posts"
    );
    // the report says which pages were not read, and why
    assert!(
        out.notes[0].contains(
            "links not followed: 1 blog or news posts, 1 not about a program or the organization"
        ),
        "the blog post and /about: {:?}",
        out.notes[0]
    );
    assert_eq!(
        out.listings.len(),
        1,
        "one program, one place: {:#?}",
        out.listings
    );
    let l = &out.listings[0];
    assert_eq!(l.name, "Cedar Grove Counseling");
    assert_eq!(
        l.program_name.as_deref(),
        Some("Adult Intensive Outpatient Program")
    );
    assert_eq!(
        l.address.street.as_deref(),
        Some("1240 Oak Street, Suite 3")
    );
    assert_eq!(
        (
            l.address.city.as_str(),
            l.address.state.as_str(),
            l.address.zip.as_str()
        ),
        ("Eugene", "OR", "97401")
    );
    assert_eq!(l.phone.as_deref(), Some("(541) 555-0123"), "never the fax");
    assert_eq!(
        l.website.as_deref(),
        Some(format!("{base}/programs/adult-iop").as_str())
    );
    assert_eq!(l.values("focus"), ["ocd-anxiety", "mood"]);
    assert_eq!(
        l.values("modality"),
        ["cbt", "dbt", "group-therapy", "individual-therapy"]
    );
    assert_eq!(l.values("age"), ["adults"]);
    assert_eq!(l.values("format"), ["telehealth"]);
    assert_eq!(l.values("schedule"), ["evening"]);
    assert_eq!(
        l.schedule.sessions.len(),
        3,
        "office hours are not sessions"
    );
    assert_eq!(
        l.level_of_care.php, None,
        "stepping down from PHP elsewhere"
    );
    // the organization's facts, joined from its insurance page
    assert_eq!(
        l.values("insurance"),
        ["medicaid", "private", "aetna", "cigna"]
    );
    assert_eq!(l.values("accreditation"), ["state-licensed"]);
    assert_eq!(l.values("language"), ["spanish"]);
    let (prov, source) = l.provenance_of("insurance/aetna").unwrap();
    assert_eq!(prov.evidence.as_deref(), Some("Aetna"));
    assert_eq!(
        source.url.as_deref(),
        Some(format!("{base}/insurance").as_str())
    );
    let (prov, source) = l.provenance_of("modality/dbt").unwrap();
    assert!(prov
        .evidence
        .as_deref()
        .unwrap()
        .contains("but are not limited to"));
    assert_eq!(
        source.url.as_deref(),
        Some(format!("{base}/programs/adult-iop").as_str())
    );
    assert!(!l.has_value("insurance", "medicare"), "a negation");
    assert!(!l.has_value("insurance", "kaiser"), "the blog's words");
}

fn one_page_site(page: &'static str) -> impl FnOnce(&str) -> Router {
    move |_| {
        Router::new()
            .route("/", get(move || async move { html(page) }))
            .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
    }
}

#[tokio::test]
async fn bad_sites_make_no_listing_and_say_why() {
    let ctx = common::context_without_retries();
    // only images
    let (images, _) = common::serve_logged(one_page_site(
        "<html><head><title>Sunrise</title></head><body><img src=a.jpg alt=''><img src=b.jpg></body></html>",
    ))
    .await;
    // an address whose ZIP is in another state
    let (wrong_zip, _) = common::serve_logged(one_page_site(
        "<html><head><title>Harbor IOP</title></head><body><h1>Harbor IOP</h1>\
         <p>Our intensive outpatient program meets evenings.</p>\
         <footer><p>12 Main Street<br>Boston, CA 02108</p></footer></body></html>",
    ))
    .await;
    // a good site beside them
    let (good, _) = common::serve_logged(small_site).await;

    let out = crawl(SourceKind::Website, &format!("{images}/"), &ctx)
        .await
        .unwrap();
    assert!(out.listings.is_empty());
    assert!(
        out.notes[0].contains("no listing: no IOP page"),
        "{:?}",
        out.notes
    );

    let out = crawl(SourceKind::Website, &format!("{wrong_zip}/"), &ctx)
        .await
        .unwrap();
    assert!(out.listings.is_empty(), "{:?}", out.listings);
    assert!(
        out.notes[0].contains("no listing: no address"),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("ZIP 02108 is in MA, not CA")),
        "{:?}",
        out.notes
    );

    let out = crawl(SourceKind::Website, &format!("{good}/"), &ctx)
        .await
        .unwrap();
    assert_eq!(out.listings.len(), 1, "other sources unaffected");
}
