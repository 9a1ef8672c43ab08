//! The in-process test app: the site's router over a temporary data
//! directory with chosen listings, driven request by request with
//! `tower::ServiceExt::oneshot` (no subprocess, no port, no HTTP client).
//! Tests of the real binary over HTTP use [`super::TestApp`] instead.
//!
//! ```ignore
//! let app = TestApp::init().listings(chosen).build();
//! let (status, html) = app.html("/search?near=02108");
//! ```

use arc_swap::ArcSwap;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use iop_index::{DataDir, Listing};
use iopfinder::web::{router, updates::Updates, AppState};
use std::sync::Arc;
use tower::ServiceExt;

/// A router over a temporary data directory; the directory is removed on drop.
pub struct TestApp {
    router: axum::Router,
    runtime: tokio::runtime::Runtime,
    /// The data directory the app serves (listing store, index generations,
    /// `reports/`).
    pub data: tempfile::TempDir,
}

/// What a [`TestApp`] serves: the embedded sample directory, or chosen
/// listings.
#[derive(Default)]
pub struct TestAppBuilder {
    listings: Option<Vec<Listing>>,
}

impl TestAppBuilder {
    /// Serve these listings (the listing store, published as an index as
    /// `serve` does for a data directory with a store and no index).
    pub fn listings(mut self, listings: impl IntoIterator<Item = Listing>) -> TestAppBuilder {
        self.listings = Some(listings.into_iter().collect());
        self
    }

    /// The data directory written and indexed, and the router over it.
    pub fn build(self) -> TestApp {
        let dir = tempfile::Builder::new()
            .prefix("iopfinder-app-")
            .tempdir()
            .expect("a temporary directory");
        let data = DataDir::new(dir.path());
        match self.listings {
            // as `serve` seeds an empty data directory
            None => {
                iopfinder::crawl::seed_sample(&data).expect("the sample directory is seeded");
            }
            Some(listings) => {
                data.write_listings(&listings)
                    .expect("the store is written");
                data.publish_store()
                    .expect("the store is indexed")
                    .expect("some listings to index");
            }
        }
        let generation = data.open_current().expect("the index opens");
        let state = AppState {
            current: Arc::new(ArcSwap::from_pointee(generation)),
            reports_dir: dir.path().join("reports"),
            updates: Arc::new(Updates::new("data directory")),
            page_cache: Default::default(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        TestApp {
            router: router(state),
            runtime,
            data: dir,
        }
    }
}

impl TestApp {
    /// A builder; with no listings chosen it serves the embedded sample
    /// directory.
    pub fn init() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// The embedded sample directory, as `serve` seeds an empty data
    /// directory.
    pub fn sample() -> TestApp {
        TestApp::init().build()
    }

    /// The answer to `GET path` (path and query, `/search?near=02108`):
    /// status, headers and the whole body (uncompressed: no
    /// `Accept-Encoding` is sent).
    pub fn get(&self, path: &str) -> axum::http::Response<Vec<u8>> {
        let request = Request::get(path)
            .body(Body::empty())
            .expect("a valid request path");
        self.runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("the router answers");
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .expect("the whole body");
            axum::http::Response::from_parts(parts, bytes.to_vec())
        })
    }

    /// `GET path` as (status code, body as JSON).
    pub fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path);
        let value = serde_json::from_slice(response.body())
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e})"));
        (response.status().as_u16(), value)
    }

    /// `GET path` as (status code, body as text).
    pub fn html(&self, path: &str) -> (u16, String) {
        let response = self.get(path);
        let status: StatusCode = response.status();
        (
            status.as_u16(),
            String::from_utf8(response.into_body()).expect("UTF-8"),
        )
    }
}
