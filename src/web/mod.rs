//! The web app: one module per resource, one shared state, one error type
//! per kind of answer (`error`: pages, JSON), extractors for what handlers
//! take from a request (`extract`).
//!
//! - `search`: `/` and `/search` (HTML)
//! - `programs`: `/programs/{id}` (HTML)
//! - `about`: `/about`
//! - `api`: `/api/v1/search`, `/api/v1/programs/{id}` (JSON)
//! - `hsds`: `/hsds/...`, the directory as an Open Referral HSDS 3.0 API;
//!   `openapi`: `/api/v1/openapi.json`; `http_cache`: validators, 304, CORS
//! - `assets`: the stylesheet, the icon, `/static/share.js`; `health`: `/healthz`
//! - `shortlist`: `/shortlist`, `/shortlist/print` (a list kept in its URL),
//!   `compare`: `/compare`; `export`: `/search.csv`,
//!   `/shortlist.csv`; `download`: the whole directory as JSON lines and CSV
//! - `reports`: `/programs/{id}/report` ("report a problem", stored in
//!   `reports.jsonl` in the reports directory: `--reports-dir`, by default
//!   the data directory's `reports/`)
//! - `seo`: `/sitemap.xml`, `/robots.txt`, `/opensearch.xml`, and the public
//!   base URL (`IOPFINDER_PUBLIC_URL`)
//!
//! The server answers from the data directory's current index generation and
//! polls `index/CURRENT`; when a crawl publishes a new generation, the server
//! opens it and swaps it in atomically (`arc-swap`) without a restart. With
//! `--index-from URL` it polls a copy of another data directory's `index/`
//! served over HTTP instead, and downloads and verifies each new generation
//! before the same swap (`updates`). Requests are not logged: no query is
//! ever written down with a client address.
//!
//! The server's own accept loop ([`run`]) bounds what one client can hold:
//! a connection that does not send a complete request head within
//! [`header_read_timeout`] (an idle keep-alive connection included) is
//! closed, a request body must arrive within [`BODY_READ_TIMEOUT`], and no
//! connection lives longer than [`CONNECTION_LIFETIME`]. At start the
//! process raises its open-file limit to the hard maximum. Every response
//! carries a `Permissions-Policy` denying powerful features, and
//! `Strict-Transport-Security` when `IOPFINDER_PUBLIC_URL` is https.

mod about;
mod api;
mod assets;
mod compare;
mod download;
mod error;
mod export;
mod extract;
mod health;
mod hsds;
mod http_cache;
mod lang;
mod openapi;
pub mod page_cache;
mod prepared;
mod programs;
mod reports;
mod search;
mod seo;
mod shortlist;
pub mod updates;

use crate::crawl;
use anyhow::{Context, Result};
use arc_swap::ArcSwap;
use axum::http::{header, HeaderValue};
use axum::Router;
use iop_index::{DataDir, Generation};
use iop_templates::SiteContext;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::CompressionLevel;

pub use error::{ApiError, PageError};
// the one way the web layer runs CPU work (searches, exports) off the
// async worker threads, within the request's language
pub(crate) use lang::blocking;

/// The Content-Security-Policy of every response: no scripts at all.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// [`CSP`], with images allowed from the operator's tile server
/// (`--map-tiles`) when one is set, and from no other origin.
fn csp() -> HeaderValue {
    iop_templates::map::tile_server()
        .and_then(|tiles| {
            let policy = CSP.replace(
                "img-src 'self' data:",
                &format!("img-src 'self' data: {}", tiles.origin()),
            );
            HeaderValue::from_str(&policy).ok()
        })
        .unwrap_or(HeaderValue::from_static(CSP))
}

/// The policy of the shortlist page alone, which loads `/static/share.js`
/// ("Copy link", "Share") as a progressive enhancement.
pub(crate) const CSP_WITH_SCRIPT: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How often the server looks for a newly published index in its data
/// directory, by default.
pub const LOCAL_POLL: Duration = Duration::from_secs(1);

/// How often the server looks for a new generation at `--index-from`, by
/// default.
pub const REMOTE_POLL: Duration = Duration::from_secs(5);

/// How `serve` runs, beyond its data directory.
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// A copy of another data directory's `index/` over HTTP(S), to install
    /// generations from instead of publishing them here.
    pub index_from: Option<reqwest::Url>,
    /// How often to look for a new generation (default [`LOCAL_POLL`] or
    /// [`REMOTE_POLL`]).
    pub poll: Option<Duration>,
    /// Where reports are appended (default: the data directory's `reports/`).
    pub reports_dir: Option<std::path::PathBuf>,
    /// Street tiles under the results map (`--map-tiles`); `None` (the
    /// default) keeps every page on this origin.
    pub map_tiles: Option<iop_templates::map::TileServer>,
    /// Reverse proxies whose `X-Forwarded-For` names the client for the
    /// report limiter (see [`reports::trust_proxies`]); empty: none.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bound of the cache of rendered answers, bytes (0: off; see
    /// [`page_cache`]).
    pub page_cache_bytes: u64,
}

/// Browser features no page uses, denied to every page.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()";

/// HSTS for a site served over https: a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The longest wait for a request body to arrive.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// No connection is held longer than this (the largest export takes
/// seconds).
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);

/// The environment variable that sets [`header_read_timeout`] in
/// milliseconds (tests shorten it).
pub const HEADER_READ_TIMEOUT_VAR: &str = "IOPFINDER_HEADER_READ_TIMEOUT_MS";

/// The longest wait for a complete request head, from the connection's
/// start or the end of its last response (keep-alive idle time): 10 s, or
/// [`HEADER_READ_TIMEOUT_VAR`].
pub fn header_read_timeout() -> Duration {
    std::env::var(HEADER_READ_TIMEOUT_VAR)
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

#[derive(Clone)]
pub struct AppState {
    pub current: Arc<ArcSwap<Generation>>,
    /// Where visitors' reports are appended (`reports.jsonl`): shared by
    /// replicas when it is a shared directory, so replicas keep no state.
    pub reports_dir: std::path::PathBuf,
    /// Where new generations come from and how the last look went.
    pub updates: Arc<updates::Updates>,
    /// Rendered answers of the generation being served ([`page_cache`]).
    pub page_cache: Arc<page_cache::PageCache>,
}

impl AppState {
    pub fn generation(&self) -> arc_swap::Guard<Arc<Generation>> {
        self.current.load()
    }

    /// What every page needs, in the language of the request being answered
    /// (`/es/...` is Spanish; see [`lang`]).
    pub fn site(&self) -> SiteContext {
        let g = self.current.load();
        let request = lang::current();
        SiteContext {
            sample: g.meta.sample,
            listings: g.meta.listings,
            built_at: g.meta.built_at.clone(),
            from_providers: g.from_providers,
            lang: request.lang,
            path: request.path,
            public_url: if request.public_url.is_empty() {
                iop_templates::DEFAULT_PUBLIC_URL.to_string()
            } else {
                request.public_url
            },
        }
    }
}

/// The app: [`routes`] behind the language layer, which must see each
/// request before routing (it strips the `/es` prefix of Spanish pages), so
/// it wraps the whole router as its one fallback service.
pub fn router(state: AppState) -> Router {
    Router::new()
        .fallback_service(routes(state.clone()))
        .layer(axum::middleware::from_fn(lang::serve_language))
        // outermost: a kept answer is sent as it was, language, validators,
        // compression and security headers included
        .layer(axum::middleware::from_fn_with_state(
            state,
            page_cache::serve,
        ))
}

fn routes(state: AppState) -> Router {
    layered(handlers(), state)
}

/// An app state over a new data directory under `tmp` (emptied first)
/// holding one published listing, "Alpha" in Denver, CO 80202: for the web
/// layer's tests that serve the site's own router or layers.
#[cfg(test)]
fn one_listing_state(tmp: &std::path::Path) -> AppState {
    use iop_index::listing::{Address, Listing};
    let _ = std::fs::remove_dir_all(tmp);
    let data = DataDir::new(tmp.join("data"));
    let address = Address {
        street: None,
        street2: None,
        city: "Denver".into(),
        state: "CO".into(),
        zip: "80202".into(),
    };
    data.publish(vec![Listing::new("000000000001", "Alpha", address)])
        .unwrap();
    AppState {
        current: Arc::new(arc_swap::ArcSwap::from_pointee(
            data.open_current().unwrap(),
        )),
        reports_dir: tmp.join("reports"),
        updates: Arc::new(updates::Updates::new("")),
        page_cache: Default::default(),
    }
}

/// Every page, API answer and file the site serves, by path.
fn handlers() -> Router<AppState> {
    Router::new()
        .merge(search::router())
        .merge(programs::router())
        .merge(reports::router())
        .merge(seo::router())
        .merge(shortlist::router())
        .merge(compare::router())
        .merge(export::router())
        .merge(download::router())
        .merge(about::router())
        .merge(api::router())
        .merge(hsds::router())
        .merge(openapi::router())
        .merge(assets::router())
        .merge(health::router())
        .fallback(error::not_found)
}

/// `handlers` behind the layers every answer goes through: errors and
/// panics answered as pages (or JSON), cache validators, compression and the
/// security headers.
fn layered(handlers: Router<AppState>, state: AppState) -> Router {
    let cache = axum::middleware::from_fn_with_state(state.clone(), http_cache::headers);
    handlers
        .with_state(state.clone())
        // innermost: a handler that panics is answered as an internal
        // error, not a closed connection
        .layer(axum::middleware::from_fn(error::answer_panics))
        // a handler's PageError becomes its page before the cache
        // validators and compression see the answer
        .layer(axum::middleware::from_fn_with_state(
            state,
            error::render_pages,
        ))
        .layer(cache)
        // the fastest gzip level: pages stay far under the 60 KB budget and
        // compressing costs about half the CPU of the default level
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            seo::serves_https().then(|| HeaderValue::from_static(HSTS)),
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            BODY_READ_TIMEOUT,
        ))
}

/// Open the data directory (seeding it from the sample directory when it has
/// no index), or with `--index-from` install the remote copy's current
/// generation when the data directory has none, then serve until Ctrl-C.
pub async fn serve(data: DataDir, options: ServeOptions) -> Result<()> {
    reports::trust_proxies(options.trusted_proxies.clone());
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!("open-file limit {limit}"),
        Err(e) => tracing::warn!("the open-file limit could not be raised: {e}"),
    }
    let remote = options
        .index_from
        .clone()
        .map(updates::Remote::new)
        .transpose()?;
    let generation = match &remote {
        None => open_or_seed(&data).await?,
        Some(remote) => open_or_fetch(&data, remote).await?,
    };
    tracing::info!(
        "serving {} listings (generation {}{}) from {}",
        generation.meta.listings,
        generation.meta.generation,
        if generation.meta.sample {
            ", sample data"
        } else {
            ""
        },
        data.root().display()
    );
    if let Some(tiles) = options.map_tiles.clone() {
        tracing::info!("street tiles under the results map from {}", tiles.origin());
        let _ = iop_templates::map::use_tile_server(tiles);
    }
    let updates = Arc::new(updates::Updates::new(match &remote {
        Some(remote) => remote.url().to_string(),
        None => "data directory".to_string(),
    }));
    let state = AppState {
        current: Arc::new(ArcSwap::from_pointee(generation)),
        reports_dir: options
            .reports_dir
            .clone()
            .unwrap_or_else(|| data.root().join("reports")),
        updates: updates.clone(),
        page_cache: Arc::new(page_cache::PageCache::new(options.page_cache_bytes)),
    };
    match remote {
        None => tokio::spawn(updates::watch_data_dir(
            data,
            state.current.clone(),
            updates,
            options.poll.unwrap_or(LOCAL_POLL),
        )),
        Some(remote) => tokio::spawn(remote.watch(
            data,
            state.current.clone(),
            updates,
            options.poll.unwrap_or(REMOTE_POLL),
        )),
    };
    let addr = options.addr;
    {
        let state = state.clone();
        tokio::task::spawn_blocking(move || prepared::warm(&state.generation().index)).await?;
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!(
            "cannot listen on {addr}: is another server using it? Stop it, \
             or choose another address with --addr (for example --addr 127.0.0.1:3001)"
        )
    })?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    // The line tests and scripts wait for (the port may have been 0).
    println!("listening on http://{local}");
    run(listener, router(state), stop_signal()).await;
    Ok(())
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (what systemd, `podman
/// stop`, `docker stop` and Kubernetes send): `serve` then finishes the
/// requests it has and exits 0. As a container's first process it would
/// otherwise ignore SIGTERM and be killed at the end of the grace period.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(e) => tracing::warn!("SIGTERM cannot be handled ({e}): stop with Ctrl-C"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A replica's start: the generation its data directory already has (served
/// while the poll catches up), or else the remote copy's current one.
async fn open_or_fetch(data: &DataDir, remote: &updates::Remote) -> Result<Generation> {
    let local = {
        let data = data.clone();
        tokio::task::spawn_blocking(move || data.open_current()).await?
    };
    match local {
        Ok(generation) => Ok(generation),
        Err(_) => remote.first_generation(data).await.with_context(|| {
            format!(
                "{} has no index to serve yet, and installing one from {} failed",
                data.root().display(),
                remote.url()
            )
        }),
    }
}

/// Answer connections on `listener` with `app` until `shutdown`, then let
/// open connections finish their requests (at most 10 s). Each connection
/// has the timeouts of the module's documentation; the client's address
/// reaches handlers as `ConnectInfo` (never stored: see `reports`).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout())
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // out of file descriptors and the like: wait, go on
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                app.clone().oneshot(request)
            },
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
}

async fn open_or_seed(data: &DataDir) -> Result<Generation> {
    let data = data.clone();
    tokio::task::spawn_blocking(move || {
        // temporaries of writers that were killed (a running crawl's stay)
        let removed = data.remove_stale_temporaries();
        if !removed.is_empty() {
            tracing::info!(
                "removed {} temporary files left by killed runs",
                removed.len()
            );
        }
        if data.current_generation()?.is_none() {
            if data.listings_path().exists() {
                tracing::info!(
                    "{} has no index: building it from the listing store",
                    data.root().display()
                );
            }
            if data.publish_store()?.is_none() {
                tracing::info!(
                    "{} is empty: seeding it from the embedded sample directory",
                    data.root().display()
                );
                crawl::seed_sample(&data)?;
            }
        }
        match data.open_current() {
            Ok(generation) => Ok(generation),
            Err(e) => {
                // An index from another version (tantivy cannot migrate a
                // schema) or a damaged one: rebuild it from the listing store.
                tracing::warn!(
                    "the current index does not open ({e}); rebuilding it from the listing store"
                );
                if data.publish_store()?.is_none() {
                    crawl::seed_sample(&data)?;
                }
                data.open_current().context("opening the rebuilt index")
            }
        }
    })
    .await?
}
