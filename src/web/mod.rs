//! The web app: one module per resource, one shared state, one error type.
//!
//! - `search`: `/` and `/search` (HTML)
//! - `programs`: `/programs/{id}` (HTML)
//! - `about`: `/about`
//! - `api`: `/api/v1/search`, `/api/v1/programs/{id}` (JSON)
//! - `assets`: the stylesheet; `health`: `/healthz`
//!
//! The server answers from the data directory's current index generation and
//! polls `index/CURRENT`; when a crawl publishes a new generation, the server
//! opens it and swaps it in atomically (`arc-swap`) without a restart. Requests
//! are not logged: no query is ever written down with a client address.

mod about;
mod api;
mod assets;
mod error;
mod health;
mod programs;
mod search;

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

pub use error::Error;

/// How often the server looks for a newly published index.
const RELOAD_POLL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct AppState {
    pub current: Arc<ArcSwap<Generation>>,
}

impl AppState {
    pub fn generation(&self) -> arc_swap::Guard<Arc<Generation>> {
        self.current.load()
    }

    pub fn site(&self) -> SiteContext {
        let g = self.current.load();
        SiteContext {
            sample: g.meta.sample,
            listings: g.meta.listings,
            built_at: g.meta.built_at.clone(),
            lang: iop_templates::Lang::En,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(search::router())
        .merge(programs::router())
        .merge(about::router())
        .merge(api::router())
        .merge(assets::router())
        .merge(health::router())
        .fallback(error::not_found)
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Open the data directory (seeding it from the sample directory when it has
/// no index), then serve until Ctrl-C.
pub async fn serve(data: DataDir, addr: SocketAddr) -> Result<()> {
    let generation = open_or_seed(&data).await?;
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
    let state = AppState {
        current: Arc::new(ArcSwap::from_pointee(generation)),
    };
    tokio::spawn(watch_for_new_generations(data, state.current.clone()));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    // The line tests and scripts wait for (the port may have been 0).
    println!("listening on http://{local}");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn open_or_seed(data: &DataDir) -> Result<Generation> {
    let data = data.clone();
    tokio::task::spawn_blocking(move || {
        if data.current_generation()?.is_none() {
            if data.read_listings()?.is_empty() {
                tracing::info!(
                    "{} is empty: seeding it from the embedded sample directory",
                    data.root().display()
                );
                crawl::seed_sample(&data)?;
            } else {
                tracing::info!(
                    "{} has listings but no index: building it",
                    data.root().display()
                );
                data.publish(data.read_listings()?)?;
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
                let listings = data.read_listings()?;
                if listings.is_empty() {
                    crawl::seed_sample(&data)?;
                } else {
                    data.publish(listings)?;
                }
                data.open_current().context("opening the rebuilt index")
            }
        }
    })
    .await?
}

async fn watch_for_new_generations(data: DataDir, current: Arc<ArcSwap<Generation>>) {
    let mut interval = tokio::time::interval(RELOAD_POLL);
    loop {
        interval.tick().await;
        let name = match data.current_generation() {
            Ok(Some(name)) => name,
            _ => continue,
        };
        if name == current.load().meta.generation {
            continue;
        }
        let data = data.clone();
        let opened = tokio::task::spawn_blocking(move || data.open_generation(&name)).await;
        match opened {
            Ok(Ok(generation)) => {
                tracing::info!(
                    "now serving generation {} ({} listings)",
                    generation.meta.generation,
                    generation.meta.listings
                );
                current.store(Arc::new(generation));
            }
            Ok(Err(e)) => {
                tracing::warn!("new index generation not opened, still serving the old one: {e}")
            }
            Err(e) => tracing::warn!("opening the new index generation failed: {e}"),
        }
    }
}
