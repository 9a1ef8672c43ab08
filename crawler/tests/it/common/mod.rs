//! Setup shared by the crawler's integration tests: a loopback HTTP server,
//! a request log, and fetcher settings that allow 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::Router;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{crawl, CrawlContext, SourceCrawl, SourceError, SourceKind};

/// One record per request, in arrival order (by default the path).
pub type Log<T = String> = Arc<Mutex<Vec<T>>>;

/// Serve `app` on 127.0.0.1:0 in the background; the base URL.
pub async fn serve(app: Router) -> String {
    serve_with(|_| app).await
}

/// Like [`serve`], for an app that needs its own base URL (e.g. in a sitemap).
pub async fn serve_with(make: impl FnOnce(&str) -> Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = make(&base);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// `app` with every request's path appended to the returned log.
pub fn with_request_log(app: Router) -> (Router, Log) {
    log_requests(app, |req| req.uri().path().to_string())
}

/// `app` with `record(request)` appended to the returned log as each request arrives.
pub fn log_requests<T: Send + 'static>(app: Router, record: fn(&Request) -> T) -> (Router, Log<T>) {
    let log: Log<T> = Arc::default();
    let l = log.clone();
    let app = app.layer(axum::middleware::from_fn(
        move |req: Request, next: axum::middleware::Next| {
            let l = l.clone();
            async move {
                l.lock().unwrap().push(record(&req));
                next.run(req).await
            }
        },
    ));
    (app, log)
}

/// Fetcher settings for a loopback server: 127.0.0.0/8 allowed, short delays.
pub fn loopback_config() -> FetcherConfig {
    FetcherConfig {
        min_delay: Duration::from_millis(5),
        backoff: Duration::from_millis(5),
        allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..FetcherConfig::default()
    }
}

/// A crawl context on the fixed test date, 2026-11-24.
pub fn context(config: FetcherConfig) -> CrawlContext {
    CrawlContext::new(
        time::Date::from_calendar_date(2026, time::Month::November, 24).unwrap(),
        config,
    )
}

/// [`serve_with`] the app `make` builds, with every request's path logged.
pub async fn serve_logged(make: impl FnOnce(&str) -> Router) -> (String, Log) {
    let mut log = Log::default();
    let base = serve_with(|base| {
        let (app, l) = with_request_log(make(base));
        log = l;
        app
    })
    .await;
    (base, log)
}

/// [`context`] for loopback servers, with no retries (a test's failures are
/// meant).
pub fn context_without_retries() -> CrawlContext {
    context(FetcherConfig {
        retries: 0,
        ..loopback_config()
    })
}

/// The `website` source read from `start` (a home page or a sitemap URL)
/// with [`context_without_retries`]: its listings and report, or how it
/// failed as a whole.
pub async fn crawl_website(start: &str) -> Result<SourceCrawl, SourceError> {
    crawl(SourceKind::Website, start, &context_without_retries()).await
}

/// `body` as an HTML page (UTF-8).
pub fn html(body: &'static str) -> impl IntoResponse {
    ([("content-type", "text/html; charset=utf-8")], body)
}

/// A sitemap (sitemaps.org 0.9) of the absolute URLs `locs`.
pub fn sitemap_xml(locs: impl IntoIterator<Item = String>) -> String {
    let urls: String = locs
        .into_iter()
        .map(|loc| format!("<url><loc>{loc}</loc></url>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{urls}</urlset>"
    )
}

/// A site every crawler may read (robots.txt allows all) whose
/// /sitemap.xml is `sitemap`; the caller adds its pages.
pub fn open_site(sitemap: String) -> Router {
    Router::new()
        .route(
            "/robots.txt",
            axum::routing::get(|| async { "User-agent: *\nAllow: /\n" }),
        )
        .route(
            "/sitemap.xml",
            axum::routing::get(
                move || async move { ([("content-type", "application/xml")], sitemap) },
            ),
        )
}

/// How often `path` was requested.
pub fn requested(log: &Log, path: &str) -> usize {
    log.lock().unwrap().iter().filter(|p| *p == path).count()
}

/// `../shared/data/FOLDER/NAME` beside the repository (or under
/// `IOP_SHARED_DATA`), or `None` after saying in the test's output that it
/// is absent.
pub fn shared_in(folder: &str, name: &str) -> Option<std::path::PathBuf> {
    let root = std::env::var_os("IOP_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
        });
    let path = root.join(folder).join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared data lives beside the repository)",
            path.display()
        );
        None
    }
}
