//! Rendered answers kept in memory for the generation being served: a
//! repeated search, program page, home or about page (and the JSON API's
//! search and program) is sent from its bytes instead of being searched,
//! rendered and compressed again. A link in a news story or on a 211 line's
//! site sends many people to the same URL at once; this is what lets one
//! replica take that spike.
//!
//! Such an answer depends on its URL (`/es/...` included), on the `Host`
//! header (the pages' canonical links, when no public URL is configured),
//! on how it is encoded (`Accept-Encoding`), and on what the `ETag` covers
//! (the generation, and the reports and resolutions files: see
//! [`super::http_cache`]); nothing else of the request reaches it. Those
//! four are the key, and every entry is dropped when the `ETag` changes.
//! Only `GET` answers with status `200` and without `no-store` are kept.
//! Conditional requests (`If-None-Match`, `If-Modified-Since`) go through
//! to the validators, which answer a `304` without rendering anyway.
//!
//! Concurrent requests for a page not yet kept are rendered once: the
//! others wait for that render (at most two seconds, then render their
//! own), so a burst of the same new URL costs one search.
//!
//! The cache is bounded by the bytes it holds ([`PageCache::new`];
//! `serve --page-cache-mb`, 0 turns it off), and evicts with
//! `quick_cache`'s S3-FIFO policy, so a stream of one-off searches does not
//! push out the pages asked for again and again.

use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The default bound of [`PageCache`], bytes (4 MiB: about 55 HTML results
/// pages, or 350 compressed ones: a spike is a few URLs asked for many
/// times, and the server's memory on the national directory stays near
/// 150 MB).
pub const DEFAULT_BYTES: u64 = 4 << 20;

/// The longest a request waits for the same page being rendered for
/// another before rendering it itself.
const RENDER_WAIT: Duration = Duration::from_secs(2);

/// One kept answer: its headers (validators, type, security headers) and
/// its body as sent (compressed when the key's encoding asked for it).
struct Page {
    headers: HeaderMap,
    body: Bytes,
}

/// A page weighs its body, its key and about what its headers hold.
#[derive(Clone)]
struct ByBytes;

impl Weighter<String, Arc<Page>> for ByBytes {
    fn weight(&self, key: &String, page: &Arc<Page>) -> u64 {
        (key.len() + page.body.len() + 64 * page.headers.len()) as u64
    }
}

/// The cache of rendered answers (see the module documentation).
pub struct PageCache {
    /// `None` when turned off (a bound of 0 bytes).
    pages: Option<Cache<String, Arc<Page>, ByBytes>>,
    /// The `ETag` the kept pages were rendered under.
    etag: Mutex<String>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::new(DEFAULT_BYTES)
    }
}

/// What `/healthz` says of the cache.
#[derive(Debug, serde::Serialize)]
pub struct Stats {
    /// The bound, bytes (0: off).
    pub capacity_bytes: u64,
    /// Bytes held now (bodies, keys and headers).
    pub bytes: u64,
    pub pages: usize,
    /// Answers sent from the cache since the server started.
    pub hits: u64,
    /// Cacheable requests that were rendered.
    pub misses: u64,
}

impl PageCache {
    /// A cache holding at most `capacity_bytes` of answers; 0 keeps none.
    pub fn new(capacity_bytes: u64) -> PageCache {
        let pages = (capacity_bytes > 0).then(|| {
            // a results page is about 70 KB, a compressed one or a program
            // page 10-20 KB
            let items = (capacity_bytes / 16_384).max(16) as usize;
            Cache::with_weighter(items, capacity_bytes, ByBytes)
        });
        PageCache {
            pages,
            etag: Mutex::new(String::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> Stats {
        Stats {
            capacity_bytes: self.pages.as_ref().map_or(0, |p| p.capacity()),
            bytes: self.pages.as_ref().map_or(0, |p| p.weight()),
            pages: self.pages.as_ref().map_or(0, |p| p.len()),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The pages, emptied first when `etag` is not the one they were
    /// rendered under.
    fn pages_for(&self, etag: &str) -> Option<&Cache<String, Arc<Page>, ByBytes>> {
        let pages = self.pages.as_ref()?;
        let mut current = self.etag.lock().unwrap_or_else(|e| e.into_inner());
        if *current != etag {
            pages.clear();
            etag.clone_into(&mut current);
        }
        Some(pages)
    }
}

/// Whether a request's answer may be kept: a plain `GET` of a page that
/// depends on its URL only.
fn cacheable(request: &Request) -> bool {
    let headers = request.headers();
    request.method() == Method::GET
        && !headers.contains_key(header::IF_NONE_MATCH)
        && !headers.contains_key(header::IF_MODIFIED_SINCE)
        && super::http_cache::depends_on_url_only(&super::lang::split_lang(request.uri().path()).1)
}

/// The key of a [`cacheable`] request under the `ETag` served now.
fn key(request: &Request, etag: &str) -> String {
    let value = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let uri = request.uri();
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    format!(
        "{etag}\n{}\n{}\n{path_and_query}",
        value(header::ACCEPT_ENCODING),
        value(header::HOST),
    )
}

/// The middleware (see the module documentation).
pub async fn serve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let cache = state.page_cache.clone();
    // (the validators cost two `stat`s: not for /healthz and the like)
    if cache.pages.is_none() || !cacheable(&request) {
        return next.run(request).await;
    }
    let validators = super::http_cache::validators(&state);
    let etag = validators.0.clone();
    // the validators middleware answers under the same ones (two `stat`s
    // fewer)
    request.extensions_mut().insert(validators);
    let key = key(&request, &etag);
    let Some(pages) = cache.pages_for(&etag) else {
        return next.run(request).await;
    };
    // one render per key at a time: requests for a page being rendered wait
    // for it (a link in the news brings many at once), at most RENDER_WAIT
    let guard = match tokio::time::timeout(RENDER_WAIT, pages.get_value_or_guard_async(&key)).await
    {
        Ok(Ok(page)) => {
            cache.hits.fetch_add(1, Ordering::Relaxed);
            let mut response = Response::new(Body::from(page.body.clone()));
            *response.headers_mut() = page.headers.clone();
            return response;
        }
        Ok(Err(guard)) => Some(guard),
        // the render waited for is slow: render this one too, not kept
        Err(_) => None,
    };
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let response = next.run(request).await;
    // the validators middleware tagged it with the ETag it was rendered
    // under: a page of another generation is not kept under this one's key
    let keep = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::ETAG)
            .is_some_and(|tag| tag.as_bytes() == etag.as_bytes())
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    // (a guard dropped without a page lets the next waiting request render)
    let Some(guard) = guard.filter(|_| keep) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!("a page could not be read for the page cache: {e}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be sent.",
            )
                .into_response();
        }
    };
    // kept in a buffer of its size (a compressed body is collected from
    // chunks into a larger one): the bound counts what is held
    let _ = guard.insert(Arc::new(Page {
        headers: parts.headers.clone(),
        body: Bytes::copy_from_slice(&body),
    }));
    Response::from_parts(parts, Body::from(body))
}
