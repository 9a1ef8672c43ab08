//! The fetcher against real HTTP servers on 127.0.0.1 started by each test.

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use iop_crawler::fetch::{FetchError, Fetcher, FetcherConfig, Validators};

#[allow(dead_code)]
use crate::common;
use common::html;

type Log = common::Log<(String, Instant, HeaderMap)>;

/// Serve `app` on 127.0.0.1:0; every request is logged with its arrival time.
async fn serve(app: Router) -> (String, Log) {
    let (app, log) = common::log_requests(app, |req| {
        let path = req.uri().path().to_string();
        (path, Instant::now(), req.headers().clone())
    });
    (common::serve(app).await, log)
}

fn config() -> FetcherConfig {
    FetcherConfig {
        min_delay: Duration::from_millis(20),
        backoff: Duration::from_millis(50),
        ..common::loopback_config()
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(config()).unwrap()
}

fn arrivals(log: &Log, path: &str) -> Vec<Instant> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(p, _, _)| p == path)
        .map(|(_, t, _)| *t)
        .collect()
}

#[tokio::test]
async fn robots_disallow_is_obeyed() {
    let app = Router::new()
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /private\n" }),
        )
        .route("/private/x", get(|| async { html("secret") }))
        .route("/public", get(|| async { html("hello") }));
    let (base, log) = serve(app).await;
    let f = fetcher();
    assert_eq!(
        f.get(&format!("{base}/private/x")).await.unwrap_err(),
        FetchError::RobotsDisallowed
    );
    assert_eq!(
        f.get(&format!("{base}/public")).await.unwrap().text,
        "hello"
    );
    assert!(arrivals(&log, "/private/x").is_empty());
    assert_eq!(
        arrivals(&log, "/robots.txt").len(),
        1,
        "robots.txt is cached"
    );
    let ua = log.lock().unwrap()[0]
        .2
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(ua, iop_crawler::fetch::USER_AGENT);
}

#[tokio::test]
async fn robots_404_allows_and_503_is_reported_as_unavailable() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/page", get(|| async { html("ok") }));
    let (base, _) = serve(app).await;
    assert_eq!(
        fetcher().get(&format!("{base}/page")).await.unwrap().text,
        "ok"
    );

    let app = Router::new()
        .route(
            "/robots.txt",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .route("/page", get(|| async { html("ok") }));
    let (base, log) = serve(app).await;
    let err = fetcher().get(&format!("{base}/page")).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::RobotsUnavailable("HTTP status 503".into()),
        "the cause, not \"disallowed\""
    );
    assert_eq!(err.kind(), "robots_unavailable");
    assert!(arrivals(&log, "/page").is_empty());
}

#[tokio::test]
async fn a_robots_txt_that_times_out_is_reported_as_a_timeout() {
    let app = Router::new()
        .route(
            "/robots.txt",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "User-agent: *\nAllow: /\n"
            }),
        )
        .route("/page", get(|| async { html("ok") }));
    let (base, log) = serve(app).await;
    let f = Fetcher::new(FetcherConfig {
        read_timeout: Duration::from_millis(200),
        total_timeout: Duration::from_millis(400),
        retries: 0,
        ..config()
    })
    .unwrap();
    let err = f.get(&format!("{base}/page")).await.unwrap_err();
    assert_eq!(err, FetchError::RobotsUnavailable("timed out".into()));
    assert_eq!(err.to_string(), "robots.txt unavailable: timed out");
    assert!(
        arrivals(&log, "/page").is_empty(),
        "nothing fetched for now"
    );
}

#[tokio::test]
async fn requests_to_a_host_are_spaced_by_min_delay_and_crawl_delay() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/a", get(|| async { html("a") }));
    let (base, log) = serve(app).await;
    let f = Arc::new(
        Fetcher::new(FetcherConfig {
            min_delay: Duration::from_millis(200),
            ..config()
        })
        .unwrap(),
    );
    let url = format!("{base}/a");
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (f, url) = (f.clone(), url.clone());
            tokio::spawn(async move { f.get(&url).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let times = arrivals(&log, "/a");
    assert_eq!(times.len(), 3);
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(190),
            "gap {:?}",
            w[1] - w[0]
        );
    }

    let app = Router::new()
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nCrawl-delay: 0.5\n" }),
        )
        .route("/a", get(|| async { html("a") }));
    let (base, log) = serve(app).await;
    let f = fetcher();
    f.get(&format!("{base}/a")).await.unwrap();
    f.get(&format!("{base}/a")).await.unwrap();
    let times = arrivals(&log, "/a");
    assert!(
        times[1] - times[0] >= Duration::from_millis(490),
        "gap {:?}",
        times[1] - times[0]
    );
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_then_retries() {
    let hits = Arc::new(Mutex::new(0));
    let h = hits.clone();
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/busy",
            get(move || {
                let h = h.clone();
                async move {
                    let mut n = h.lock().unwrap();
                    *n += 1;
                    if *n == 1 {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            "slow down",
                        )
                            .into_response()
                    } else {
                        html("fine").into_response()
                    }
                }
            }),
        );
    let (base, log) = serve(app).await;
    let page = fetcher().get(&format!("{base}/busy")).await.unwrap();
    assert_eq!(page.text, "fine");
    let times = arrivals(&log, "/busy");
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_millis(990),
        "gap {:?}",
        times[1] - times[0]
    );
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_reported() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/broken", get(|| async { StatusCode::BAD_GATEWAY }));
    let (base, log) = serve(app).await;
    let err = fetcher().get(&format!("{base}/broken")).await.unwrap_err();
    assert_eq!(err, FetchError::Status(502));
    assert_eq!(err.kind(), "status");
    let times = arrivals(&log, "/broken");
    assert_eq!(times.len(), 3, "first try and two retries");
    assert!(times[1] - times[0] >= Duration::from_millis(45));
    assert!(
        times[2] - times[1] >= Duration::from_millis(95),
        "backoff doubles"
    );
}

#[tokio::test]
async fn conditional_get_and_content_hash() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/doc",
            get(|headers: HeaderMap| async move {
                if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
                    StatusCode::NOT_MODIFIED.into_response()
                } else {
                    (
                        [
                            ("content-type", "text/html"),
                            ("etag", "\"v1\""),
                            ("last-modified", "Tue, 24 Nov 2026 10:00:00 GMT"),
                        ],
                        "<p>doc</p>",
                    )
                        .into_response()
                }
            }),
        )
        .route("/same", get(|| async { html("<p>same</p>") }));
    let (base, log) = serve(app).await;
    let f = fetcher();
    let first = f.get(&format!("{base}/doc")).await.unwrap();
    assert!(!first.not_modified);
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    let validators = Validators {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
        content_hash: Some(first.content_hash.clone()),
    };
    let second = f
        .get_with(&format!("{base}/doc"), &validators)
        .await
        .unwrap();
    assert!(second.not_modified);
    assert_eq!(second.status, 304);
    let sent = log
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _, _)| p == "/doc")
        .nth(1)
        .unwrap()
        .2
        .clone();
    assert_eq!(sent.get("if-none-match").unwrap(), "\"v1\"");
    assert_eq!(
        sent.get("if-modified-since").unwrap(),
        "Tue, 24 Nov 2026 10:00:00 GMT"
    );

    // A server that ignores validators: the hash tells us nothing changed.
    let a = f.get(&format!("{base}/same")).await.unwrap();
    let b = f
        .get_with(
            &format!("{base}/same"),
            &Validators {
                content_hash: Some(a.content_hash.clone()),
                ..Validators::default()
            },
        )
        .await
        .unwrap();
    assert!(!b.not_modified);
    assert!(b.unchanged);
    assert!(!a.unchanged);
    let c = f
        .get_with(
            &format!("{base}/same"),
            &Validators {
                content_hash: Some("0".repeat(64)),
                ..Validators::default()
            },
        )
        .await
        .unwrap();
    assert!(!c.unchanged);
}

#[tokio::test]
async fn body_limit_is_enforced_while_streaming() {
    // A server that streams 10 MB without Content-Length and records how
    // much it handed over to be sent.
    const CHUNK: usize = 64 * 1024;
    let written = Arc::new(Mutex::new(0usize));
    let w = written.clone();
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/big",
            get(move || {
                let w = w.clone();
                let chunks = futures_util::stream::unfold(0, move |n| {
                    let w = w.clone();
                    async move {
                        (n < 160).then(|| {
                            *w.lock().unwrap() += CHUNK;
                            (Ok::<_, Infallible>(Bytes::from(vec![b'a'; CHUNK])), n + 1)
                        })
                    }
                });
                async move { ([("content-type", "text/html")], Body::from_stream(chunks)) }
            }),
        );
    let (base, _) = serve(app).await;
    let f = Fetcher::new(FetcherConfig {
        max_body_bytes: 1024 * 1024,
        ..config()
    })
    .unwrap();
    let err = f.get(&format!("{base}/big")).await.unwrap_err();
    assert_eq!(err, FetchError::TooLarge(1024 * 1024));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = *written.lock().unwrap();
    assert!(
        sent < 10 * 1024 * 1024,
        "server wrote {sent} bytes: the fetcher should stop reading"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn gzip_is_decoded_before_the_limit() {
    let small = gzip(b"<p>zipped</p>");
    let bomb = gzip(&vec![b' '; 2 * 1024 * 1024]);
    assert!(bomb.len() < 100 * 1024);
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/small",
            get(move || async move {
                (
                    [("content-type", "text/html"), ("content-encoding", "gzip")],
                    small,
                )
            }),
        )
        .route(
            "/bomb",
            get(move || async move {
                (
                    [("content-type", "text/html"), ("content-encoding", "gzip")],
                    bomb,
                )
            }),
        );
    let (base, _) = serve(app).await;
    let f = Fetcher::new(FetcherConfig {
        max_body_bytes: 1024 * 1024,
        ..config()
    })
    .unwrap();
    assert_eq!(
        f.get(&format!("{base}/small")).await.unwrap().text,
        "<p>zipped</p>"
    );
    assert_eq!(
        f.get(&format!("{base}/bomb")).await.unwrap_err(),
        FetchError::TooLarge(1024 * 1024)
    );
}

#[tokio::test]
async fn redirects_are_limited_and_checked_on_every_hop() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/loop/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    (
                        StatusCode::FOUND,
                        [("location", format!("/loop/{}", n + 1))],
                    )
                },
            ),
        )
        .route(
            "/one",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [("location", "/end")]) }),
        )
        .route("/end", get(|| async { html("end") }))
        .route(
            "/metadata",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [("location", "http://169.254.169.254/latest/meta-data/")],
                )
            }),
        )
        .route(
            "/private",
            get(|| async { (StatusCode::FOUND, [("location", "http://10.0.0.1/")]) }),
        );
    let (base, log) = serve(app).await;
    let f = fetcher();
    let page = f.get(&format!("{base}/one")).await.unwrap();
    assert_eq!(page.final_url.path(), "/end");
    assert_eq!(
        f.get(&format!("{base}/loop/0")).await.unwrap_err(),
        FetchError::TooManyRedirects
    );
    assert_eq!(
        log.lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p.starts_with("/loop/"))
            .count(),
        6
    );
    // Blocked before any connection: a connection to these would time out or fail as Network.
    let started = Instant::now();
    assert!(matches!(
        f.get(&format!("{base}/metadata")).await.unwrap_err(),
        FetchError::Blocked(_)
    ));
    assert!(matches!(
        f.get(&format!("{base}/private")).await.unwrap_err(),
        FetchError::Blocked(_)
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn private_and_loopback_addresses_are_blocked() {
    let strict = Fetcher::new(FetcherConfig {
        allow: vec![],
        ..config()
    })
    .unwrap();
    for url in [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://0.0.0.0/",
    ] {
        let err = strict.get(url).await.unwrap_err();
        assert!(matches!(err, FetchError::Blocked(_)), "{url}: {err:?}");
        assert_eq!(err.kind(), "blocked");
    }
    for url in ["ftp://example.com/", "file:///etc/passwd"] {
        assert!(
            matches!(strict.get(url).await.unwrap_err(), FetchError::Blocked(_)),
            "{url}"
        );
    }
    // Loopback works once allowed.
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/", get(|| async { html("hi") }));
    let (base, _) = serve(app).await;
    assert!(matches!(
        strict.get(&format!("{base}/")).await.unwrap_err(),
        FetchError::Blocked(_)
    ));
    assert_eq!(fetcher().get(&format!("{base}/")).await.unwrap().text, "hi");
}

#[tokio::test]
async fn charsets_are_decoded() {
    let cp1252: &'static [u8] = b"<html><body><p>It\x92s a caf\xe9 \x93quote\x94 and more text for detection: na\xefve r\xe9sum\xe9 d\xe9j\xe0 vu</p></body></html>";
    let meta: &'static [u8] =
        b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
    let bom: &'static [u8] = b"\xEF\xBB\xBF<p>caf\xC3\xA9</p>";
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/cp1252",
            get(move || async move { ([("content-type", "text/html")], cp1252) }),
        )
        .route(
            "/meta",
            get(move || async move { ([("content-type", "text/html")], meta) }),
        )
        .route(
            "/bom",
            get(
                move || async move { ([("content-type", "text/html; charset=windows-1252")], bom) },
            ),
        );
    let (base, _) = serve(app).await;
    let f = fetcher();
    let text = f.get(&format!("{base}/cp1252")).await.unwrap().text;
    assert!(
        text.contains("It\u{2019}s a café \u{201C}quote\u{201D}"),
        "{text}"
    );
    assert!(f
        .get(&format!("{base}/meta"))
        .await
        .unwrap()
        .text
        .contains("<body>café</body>"));
    assert_eq!(
        f.get(&format!("{base}/bom")).await.unwrap().text,
        "<p>café</p>"
    );
}

#[tokio::test]
async fn non_html_is_skipped() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/doc.pdf",
            get(|| async { ([("content-type", "application/pdf")], "%PDF-1.4") }),
        );
    let (base, _) = serve(app).await;
    let err = fetcher().get(&format!("{base}/doc.pdf")).await.unwrap_err();
    assert_eq!(err, FetchError::NotHtml("application/pdf".into()));
    assert_eq!(err.kind(), "not_html");
}

#[tokio::test]
async fn sitemap_index_and_gzipped_urlset_are_followed() {
    let addr_holder: Arc<Mutex<String>> = Arc::default();
    let a1 = addr_holder.clone();
    let a2 = addr_holder.clone();
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/sitemap.xml",
            get(move || async move {
                let base = a1.lock().unwrap().clone();
                format!(
                    "<?xml version=\"1.0\"?><sitemapindex><sitemap><loc>{base}/pages.xml.gz</loc></sitemap></sitemapindex>"
                )
            }),
        )
        .route(
            "/pages.xml.gz",
            get(move || async move {
                let base = a2.lock().unwrap().clone();
                let xml = format!(
                    "<urlset><url><loc>{base}/p1</loc></url><url><loc>{base}/p2?a=1&amp;b=2</loc></url></urlset>"
                );
                ([("content-type", "application/gzip")], gzip(xml.as_bytes()))
            }),
        );
    let (base, log) = serve(app).await;
    *addr_holder.lock().unwrap() = base.clone();
    let urls = fetcher()
        .sitemap_urls(&format!("{base}/sitemap.xml"), 100, 10)
        .await
        .unwrap();
    assert_eq!(
        urls,
        vec![format!("{base}/p1"), format!("{base}/p2?a=1&b=2")]
    );
    assert_eq!(arrivals(&log, "/pages.xml.gz").len(), 1);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                html("late")
            }),
        );
    let (base, log) = serve(app).await;
    let f = Fetcher::new(FetcherConfig {
        total_timeout: Duration::from_millis(300),
        retries: 1,
        ..config()
    })
    .unwrap();
    let err = f.get(&format!("{base}/slow")).await.unwrap_err();
    assert_eq!(err, FetchError::Timeout);
    assert_eq!(err.kind(), "timeout");
    assert_eq!(
        arrivals(&log, "/slow").len(),
        2,
        "one retry after the timeout"
    );
}

#[tokio::test]
async fn a_429_slows_the_host_for_the_rest_of_the_crawl() {
    let busy = Arc::new(Mutex::new(0));
    let b = busy.clone();
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/p", get(|| async { html("page") }))
        .route(
            "/busy",
            get(move || {
                let b = b.clone();
                async move {
                    let mut n = b.lock().unwrap();
                    *n += 1;
                    if *n == 1 {
                        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], "").into_response()
                    } else {
                        html("ok").into_response()
                    }
                }
            }),
        );
    let (base, log) = serve(app).await;
    let f = Fetcher::new(FetcherConfig {
        min_delay: Duration::from_millis(80),
        ..config()
    })
    .unwrap();
    f.get(&format!("{base}/busy")).await.unwrap();
    for _ in 0..3 {
        f.get(&format!("{base}/p")).await.unwrap();
    }
    let times = arrivals(&log, "/p");
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(155),
            "after a 429 the host's delay is doubled: gap {:?}",
            pair[1] - pair[0]
        );
    }
}

/// A server whose /page body, `chunks` bytes `x` (its Content-Length),
/// arrives a byte at a time, `pause` apart; /robots.txt answers 404.
async fn trickle_server(chunks: usize, pause: Duration) -> String {
    let page = move || async move {
        let bytes = futures_util::stream::unfold(0, move |sent| async move {
            if sent == chunks {
                return None;
            }
            if sent > 0 {
                tokio::time::sleep(pause).await;
            }
            Some((Ok::<_, Infallible>(Bytes::from_static(b"x")), sent + 1))
        });
        (
            [
                ("content-type", "text/html".to_string()),
                ("content-length", chunks.to_string()),
            ],
            Body::from_stream(bytes),
        )
    };
    let app = Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route("/page", get(page));
    serve(app).await.0
}

#[tokio::test]
async fn a_stalled_body_hits_the_read_timeout() {
    let f = Fetcher::new(FetcherConfig {
        read_timeout: Duration::from_millis(250),
        total_timeout: Duration::from_secs(20),
        retries: 0,
        ..config()
    })
    .unwrap();
    // one byte, then 3 s of silence
    let base = trickle_server(2, Duration::from_secs(3)).await;
    let started = Instant::now();
    let err = f.get(&format!("{base}/page")).await.unwrap_err();
    assert_eq!(err, FetchError::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // a slow but steady body is fine: the timeout is between chunks
    let base = trickle_server(6, Duration::from_millis(100)).await;
    let page = f.get(&format!("{base}/page")).await.unwrap();
    assert_eq!(page.text, "xxxxxx");
}

#[tokio::test]
async fn the_global_host_cap_limits_hosts_in_flight() {
    type Spans = Arc<Mutex<Vec<(Instant, Instant)>>>;
    async fn slow_host(spans: Spans) -> String {
        let app = Router::new()
            .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
            .route(
                "/slow",
                get(move || {
                    let spans = spans.clone();
                    async move {
                        let start = Instant::now();
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        spans.lock().unwrap().push((start, Instant::now()));
                        html("done")
                    }
                }),
            );
        serve(app).await.0
    }
    for (max_hosts, overlap) in [(1, false), (2, true)] {
        let spans: Spans = Arc::default();
        let a = slow_host(spans.clone()).await;
        let b = slow_host(spans.clone()).await;
        let f = Fetcher::new(FetcherConfig {
            max_hosts,
            ..config()
        })
        .unwrap();
        let (ua, ub) = (format!("{a}/slow"), format!("{b}/slow"));
        let (ra, rb) = tokio::join!(f.get(&ua), f.get(&ub));
        assert_eq!(
            (ra.unwrap().text, rb.unwrap().text),
            ("done".into(), "done".into())
        );
        let s = spans.lock().unwrap().clone();
        assert_eq!(s.len(), 2);
        let overlapped = s[0].0 < s[1].1 && s[1].0 < s[0].1;
        assert_eq!(overlapped, overlap, "max_hosts {max_hosts}: {s:?}");
    }
}

#[tokio::test]
async fn robots_txt_redirects_are_followed() {
    let app = Router::new()
        .route(
            "/robots.txt",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [("location", "/policies/robots.txt")],
                )
            }),
        )
        .route(
            "/policies/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /members\n" }),
        )
        .route("/members/list", get(|| async { html("private") }))
        .route("/open", get(|| async { html("open") }));
    let (base, log) = serve(app).await;
    let f = fetcher();
    assert_eq!(
        f.get(&format!("{base}/members/list")).await.unwrap_err(),
        FetchError::RobotsDisallowed
    );
    assert_eq!(f.get(&format!("{base}/open")).await.unwrap().text, "open");
    assert_eq!(arrivals(&log, "/policies/robots.txt").len(), 1);
    assert!(arrivals(&log, "/members/list").is_empty());
}
