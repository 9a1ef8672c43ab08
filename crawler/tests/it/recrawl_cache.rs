//! Conditional GET across crawls of the `website` source: a page cache in a
//! directory, validators sent on the recrawl, 304s read from the cache, and
//! the content hash for servers that ignore validators.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use iop_crawler::fetch::cache::PageCache;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{crawl, CrawlContext, SourceCrawl, SourceKind};
use serde_json::Value;

#[allow(dead_code)]
use crate::common;

const HOME: &str = include_str!("../fixtures/website/home.html");
const ADULT: &str = include_str!("../fixtures/website/adult-iop.html");
const FAMILY: &str = include_str!("../fixtures/website/family-therapy.html");
const EVENING: &str = include_str!("../fixtures/website/evening-iop.html");
const TEEN_CP1252: &[u8] = include_bytes!("../fixtures/website/teen-iop-cp1252.html");

const LAST_MODIFIED: &str = "Tue, 24 Nov 2026 08:00:00 GMT";

/// One request: path, If-None-Match, If-Modified-Since, the status answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    status: u16,
}

#[derive(Clone, Default)]
struct Site {
    /// Answer 304 when the validators match (else always 200).
    honour: bool,
    /// Bumped to change the adult page's content (and its ETag).
    adult_version: Arc<AtomicUsize>,
    /// Serve the evening page with Last-Modified only (no ETag).
    evening_without_etag: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Hit>>>,
}

fn etag_of(body: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(body);
    format!(
        "\"{:02x}{:02x}{:02x}{:02x}\"",
        hash[0], hash[1], hash[2], hash[3]
    )
}

async fn page(State(site): State<Site>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let headers: &HeaderMap = req.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let (if_none_match, if_modified_since) =
        (text(header::IF_NONE_MATCH), text(header::IF_MODIFIED_SINCE));
    let (body, content_type): (Vec<u8>, &str) = match path.as_str() {
        "/robots.txt" => {
            let host = text(header::HOST).unwrap_or_default();
            let robots = format!("User-agent: *\nAllow: /\nSitemap: http://{host}/sitemap.xml\n");
            (robots.into_bytes(), "text/plain")
        }
        "/sitemap.xml" => {
            let host = text(header::HOST).unwrap_or_default();
            let sitemap = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://{host}/programs/evening-iop</loc></url>
</urlset>"#
            );
            (sitemap.into_bytes(), "application/xml")
        }
        "/" => (HOME.into(), "text/html; charset=utf-8"),
        "/programs/adult-iop" => {
            let version = site.adult_version.load(Ordering::SeqCst);
            let body = ADULT.replace("</body>", &format!("<!-- v{version} --></body>"));
            (body.into_bytes(), "text/html; charset=utf-8")
        }
        "/programs/evening-iop" => (EVENING.into(), "text/html; charset=utf-8"),
        "/programs/family-therapy" => (FAMILY.into(), "text/html; charset=utf-8"),
        "/programs/teen-iop" => (TEEN_CP1252.to_vec(), "text/html; charset=windows-1252"),
        _ => {
            site.log.lock().unwrap().push(Hit {
                path,
                if_none_match,
                if_modified_since,
                status: 404,
            });
            return StatusCode::NOT_FOUND.into_response();
        }
    };
    let etag = etag_of(&body);
    let send_etag =
        !(path == "/programs/evening-iop" && site.evening_without_etag.load(Ordering::SeqCst));
    // RFC 9110: If-None-Match wins over If-Modified-Since
    let meta = path == "/robots.txt" || path == "/sitemap.xml";
    let not_modified = site.honour
        && !meta
        && match (&if_none_match, &if_modified_since) {
            (Some(tag), _) => send_etag && *tag == etag,
            (None, Some(since)) => since == LAST_MODIFIED,
            (None, None) => false,
        };
    let status = if not_modified { 304 } else { 200 };
    site.log.lock().unwrap().push(Hit {
        path: path.clone(),
        if_none_match,
        if_modified_since,
        status,
    });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    if !meta {
        let headers = response.headers_mut();
        if send_etag {
            headers.insert(header::ETAG, etag.parse().unwrap());
        }
        headers.insert(header::LAST_MODIFIED, LAST_MODIFIED.parse().unwrap());
    }
    response
}

async fn serve(site: Site) -> String {
    common::serve(Router::new().fallback(page).with_state(site)).await
}

/// A cache directory path not yet created, `name` inside a fresh temporary
/// directory (removed when the returned guard drops).
fn temp_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("iop-recrawl-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().join(name);
    (tmp, dir)
}

fn context(cache: Option<&Path>) -> CrawlContext {
    let mut ctx = common::context(FetcherConfig {
        retries: 0,
        ..common::loopback_config()
    });
    ctx.cache_dir = cache.map(Path::to_path_buf);
    ctx
}

/// Take the page requests logged so far (robots.txt and the sitemap left out).
fn hits(site: &Site) -> Vec<Hit> {
    std::mem::take(&mut *site.log.lock().unwrap())
        .into_iter()
        .filter(|h| h.path != "/robots.txt" && h.path != "/sitemap.xml")
        .collect()
}

fn listings_of(out: &SourceCrawl) -> Value {
    let mut listings = out.listings.clone();
    listings.sort_by(|a, b| a.id.cmp(&b.id));
    serde_json::to_value(&listings).unwrap()
}

fn cache_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The HTML pages of the site the crawl reads: five answer 200.
const PAGES: usize = 5;

#[tokio::test]
async fn a_recrawl_sends_validators_and_reads_304s_from_the_cache() {
    let site = Site {
        honour: true,
        ..Site::default()
    };
    site.evening_without_etag.store(true, Ordering::SeqCst);
    let base = serve(site.clone()).await;
    let (_tmp, dir) = temp_dir("honour");
    let start = format!("{base}/");

    // first crawl: nothing cached, nothing conditional
    let first = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    let log = hits(&site);
    assert!(
        log.iter()
            .all(|h| h.if_none_match.is_none() && h.if_modified_since.is_none()),
        "{log:?}"
    );
    let ok: Vec<&str> = log
        .iter()
        .filter(|h| h.status == 200)
        .map(|h| h.path.as_str())
        .collect();
    assert_eq!(ok.len(), PAGES, "{log:?}");
    assert_eq!(first.pages_not_modified, 0);
    assert_eq!(first.listings.len(), 3, "{:?}", first.notes);
    let files = cache_files(&dir);
    assert_eq!(
        files.len(),
        PAGES,
        "one entry per page, no temporary files: {files:?}"
    );
    assert!(files
        .iter()
        .all(|f| f.ends_with(".json") && !f.starts_with('.')));
    let cache = PageCache::new(&dir);
    let teen = cache.get(&format!("{base}/programs/teen-iop")).unwrap();
    assert!(teen.text.contains("español"), "the body is cached decoded");

    // second crawl: every page asked for conditionally, every page a 304
    let second = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    let log = hits(&site);
    for hit in log.iter().filter(|h| ok.contains(&h.path.as_str())) {
        if hit.path == "/programs/evening-iop" {
            assert_eq!(hit.if_none_match, None, "no ETag was given");
            assert_eq!(hit.if_modified_since.as_deref(), Some(LAST_MODIFIED));
        } else {
            assert!(hit.if_none_match.is_some(), "{hit:?}");
        }
        assert_eq!(hit.status, 304, "{hit:?}");
    }
    assert_eq!(
        log.iter().filter(|h| h.status == 304).count(),
        PAGES,
        "{log:?}"
    );
    assert_eq!(second.pages_not_modified, PAGES);
    assert_eq!(second.pages_unchanged, 0);
    assert_eq!(second.pages_fetched, first.pages_fetched);
    assert_eq!(
        listings_of(&second),
        listings_of(&first),
        "the same listings"
    );
    assert!(
        second.notes[0].contains("5 pages not modified (304)"),
        "{:?}",
        second.notes
    );

    // third crawl: the adult page changed, the evening entry is corrupt
    site.adult_version.store(1, Ordering::SeqCst);
    let evening = cache.path_of(&format!("{base}/programs/evening-iop"));
    std::fs::write(&evening, b"{\"format\": 1, \"url\": tru").unwrap();
    let third = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    let log = hits(&site);
    let hit = |path: &str| log.iter().find(|h| h.path == path).unwrap().clone();
    let adult = hit("/programs/adult-iop");
    assert!(adult.if_none_match.is_some());
    assert_eq!(adult.status, 200, "a new ETag: the full page");
    let evening_hit = hit("/programs/evening-iop");
    assert_eq!(
        (evening_hit.if_modified_since, evening_hit.status),
        (None, 200),
        "a corrupt entry is ignored: an unconditional GET"
    );
    assert_eq!(third.pages_not_modified, PAGES - 2);
    assert_eq!(third.errors.get("cache"), None);
    assert_eq!(listings_of(&third), listings_of(&first));
    assert!(
        cache.get(&format!("{base}/programs/evening-iop")).is_some(),
        "rewritten"
    );
    let adult_entry = cache.get(&format!("{base}/programs/adult-iop")).unwrap();
    assert!(
        adult_entry.text.contains("<!-- v1 -->"),
        "the new body cached"
    );

    // fourth crawl: all 304 again, with the new adult ETag
    let fourth = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    assert_eq!(fourth.pages_not_modified, PAGES);
    hits(&site);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_server_that_ignores_validators_gets_the_content_hash() {
    let site = Site::default(); // always 200
    let base = serve(site.clone()).await;
    let (_tmp, dir) = temp_dir("ignore");
    let start = format!("{base}/");
    let first = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    hits(&site);
    let second = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    let log = hits(&site);
    let ok: Vec<&Hit> = log.iter().filter(|h| h.status == 200).collect();
    assert_eq!(ok.len(), PAGES, "{log:?}");
    assert!(
        ok.iter().all(|h| h.if_none_match.is_some()),
        "validators sent, ignored: {log:?}"
    );
    assert_eq!(second.pages_not_modified, 0);
    assert_eq!(second.pages_unchanged, PAGES, "the same content hash");
    assert!(
        second.notes[0].contains("5 unchanged (same content hash)"),
        "{:?}",
        second.notes
    );
    assert_eq!(listings_of(&second), listings_of(&first));

    // one page changes: no longer "unchanged"
    site.adult_version.store(7, Ordering::SeqCst);
    let third = crawl(SourceKind::Website, &start, &context(Some(&dir)))
        .await
        .unwrap();
    assert_eq!(third.pages_unchanged, PAGES - 1);
    std::fs::remove_dir_all(&dir).unwrap();

    // without a cache directory nothing is conditional
    hits(&site);
    crawl(SourceKind::Website, &start, &context(None))
        .await
        .unwrap();
    let again = crawl(SourceKind::Website, &start, &context(None))
        .await
        .unwrap();
    assert!(hits(&site).iter().all(|h| h.if_none_match.is_none()));
    assert_eq!((again.pages_not_modified, again.pages_unchanged), (0, 0));
}

#[tokio::test]
async fn an_unwritable_cache_is_not_fatal() {
    let site = Site {
        honour: true,
        ..Site::default()
    };
    let base = serve(site.clone()).await;
    let (_tmp, dir) = temp_dir("unwritable");
    // a file where the cache directory should be
    std::fs::write(&dir, b"not a directory").unwrap();
    let out = crawl(
        SourceKind::Website,
        &format!("{base}/"),
        &context(Some(&dir)),
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 3);
    assert_eq!(out.errors.get("cache"), Some(&PAGES), "{:?}", out.errors);
    assert_eq!(
        out.notes
            .iter()
            .filter(|n| n.contains("page cache"))
            .count(),
        1,
        "noted once: {:?}",
        out.notes
    );
    std::fs::remove_file(&dir).unwrap();
}
