//! New index generations while serving: from the data directory's own
//! `index/CURRENT` (a crawl on this machine), or from a copy of another data
//! directory's `index/` served over HTTP (`serve --index-from URL`: a static
//! file server, an object store's public bucket, a CDN).
//!
//! Either way a new generation is opened on a blocking thread and swapped in
//! atomically ([`open_and_swap`]); requests in flight finish on the old one.
//! From a URL, each poll reads `URL/CURRENT`; a new name is downloaded file by
//! file (the files `URL/NAME/generation.json` lists) into the local data
//! directory, verified against the sizes and SHA-256 checksums listed there
//! and installed as the local `CURRENT` ([`DataDir::install_generation`]),
//! then opened and swapped in like a local one. A generation that cannot be
//! fetched, verified or opened is not served: the old one stays, and
//! `/healthz` says what went wrong ([`Updates`]).

use anyhow::{bail, Context, Result};
use arc_swap::ArcSwap;
use iop_index::store::{is_generation_file_path, is_generation_name, GENERATION_FILE};
use iop_index::{DataDir, Generation, GenerationManifest};
use reqwest::Url;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// The largest `generation.json` read from a URL (the national directory's
/// is about 3 KB).
const MANIFEST_MAX_BYTES: usize = 4 << 20;

/// The largest `CURRENT` read from a URL.
const CURRENT_MAX_BYTES: usize = 1024;

/// A generation that failed to download or verify is tried again only after
/// this many polls (so a bad copy is not downloaded on every poll).
const RETRY_AFTER_POLLS: u32 = 12;

/// Where new generations come from, and how the last look went: what
/// `/healthz` reports under `updates`.
pub struct Updates {
    /// "data directory" or the URL of the `index/` copy.
    from: String,
    state: Mutex<UpdateState>,
}

/// The last look for a new generation.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct UpdateState {
    /// When the source was last looked at (RFC 3339, UTC).
    pub checked_at: Option<String>,
    /// The generation the source names as current.
    pub offered: Option<String>,
    /// Why the offered generation is not the one served (fetch, checksum or
    /// open failure); `None` when the served generation is the offered one.
    pub error: Option<String>,
    /// Since when looks have been failing (RFC 3339, UTC).
    pub failing_since: Option<String>,
}

impl Updates {
    pub fn new(from: impl Into<String>) -> Updates {
        Updates {
            from: from.into(),
            state: Mutex::new(UpdateState::default()),
        }
    }

    pub fn origin(&self) -> &str {
        &self.from
    }

    pub fn state(&self) -> UpdateState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, offered: Option<&str>, error: Option<String>) {
        let now = now_rfc3339();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if offered.is_some() {
            state.offered = offered.map(str::to_string);
        }
        state.failing_since = match (&error, state.failing_since.take()) {
            (None, _) => None,
            (Some(_), Some(since)) => Some(since),
            (Some(_), None) => Some(now.clone()),
        };
        state.error = error;
        state.checked_at = Some(now);
    }
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Open the data directory's generation `name` and serve it from now on.
pub async fn open_and_swap(
    data: &DataDir,
    name: &str,
    current: &ArcSwap<Generation>,
) -> Result<()> {
    let data = data.clone();
    let owned = name.to_string();
    let generation = tokio::task::spawn_blocking(move || {
        let generation = data.open_generation(&owned);
        if let Ok(generation) = &generation {
            super::prepared::warm(&generation.index);
        }
        generation
    })
    .await
    .context("opening the generation")?
    .with_context(|| format!("generation {name} does not open"))?;
    tracing::info!(
        "now serving generation {} ({} listings)",
        generation.meta.generation,
        generation.meta.listings
    );
    current.store(Arc::new(generation));
    Ok(())
}

/// Watch the data directory's `index/CURRENT` every `poll` and swap in each
/// newly published generation.
pub async fn watch_data_dir(
    data: DataDir,
    current: Arc<ArcSwap<Generation>>,
    updates: Arc<Updates>,
    poll: Duration,
) {
    let mut interval = tokio::time::interval(poll);
    loop {
        interval.tick().await;
        let name = match data.current_generation() {
            Ok(Some(name)) => name,
            Ok(None) => continue,
            Err(e) => {
                updates.record(None, Some(format!("reading index/CURRENT: {e}")));
                continue;
            }
        };
        if name == current.load().meta.generation {
            updates.record(Some(&name), None);
            continue;
        }
        let error = open_and_swap(&data, &name, &current).await.err();
        if let Some(e) = &error {
            tracing::warn!("new index generation not opened, still serving the old one: {e:#}");
        }
        updates.record(Some(&name), error.map(|e| format!("{e:#}")));
    }
}

/// A copy of a data directory's `index/` served over HTTP(S).
#[derive(Clone)]
pub struct Remote {
    /// The copy's URL, ending in `/`.
    base: Url,
    client: reqwest::Client,
}

impl Remote {
    /// `base` is the URL of the copy of `index/` (a trailing `/` is added
    /// when missing).
    pub fn new(mut base: Url) -> Result<Remote> {
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "iopfinder/",
                env!("CARGO_PKG_VERSION"),
                " (index replica)"
            ))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .context("starting the HTTP client")?;
        Ok(Remote { base, client })
    }

    pub fn url(&self) -> &Url {
        &self.base
    }

    fn join(&self, path: &str) -> Result<Url> {
        self.base
            .join(path)
            .with_context(|| format!("{path:?} is not a path under {}", self.base))
    }

    /// The response to a GET of `url`, which must be a success.
    async fn get(&self, url: Url, fresh: bool) -> Result<reqwest::Response> {
        let mut request = self.client.get(url.clone());
        if fresh {
            // ask a cache in between (CDN) to check with the origin
            request = request.header(reqwest::header::CACHE_CONTROL, "no-cache");
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        if !response.status().is_success() {
            bail!("fetching {url}: HTTP {}", response.status());
        }
        Ok(response)
    }

    /// A whole (small) body, refused past `max` bytes.
    async fn get_small(&self, url: Url, max: usize, fresh: bool) -> Result<Vec<u8>> {
        let mut response = self.get(url.clone(), fresh).await?;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("reading {url}"))?
        {
            if body.len() + chunk.len() > max {
                bail!("{url} is larger than {max} bytes");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The name of the generation the copy serves as current.
    pub async fn current_name(&self) -> Result<String> {
        let url = self.join("CURRENT")?;
        let body = self.get_small(url.clone(), CURRENT_MAX_BYTES, true).await?;
        let name = String::from_utf8_lossy(&body).trim().to_string();
        if !is_generation_name(&name) {
            bail!("{url} names no generation ({name:?})");
        }
        Ok(name)
    }

    /// Download the generation `name` into the data directory, verify it and
    /// make it the data directory's current generation (not yet served).
    pub async fn install(&self, data: &DataDir, name: &str) -> Result<()> {
        let manifest_url = self.join(&format!("{name}/{GENERATION_FILE}"))?;
        let manifest_bytes = self
            .get_small(manifest_url.clone(), MANIFEST_MAX_BYTES, false)
            .await?;
        let manifest: GenerationManifest = serde_json::from_slice(&manifest_bytes)
            .with_context(|| format!("{manifest_url} is not a generation's {GENERATION_FILE}"))?;
        if manifest.meta.generation != name {
            bail!(
                "{manifest_url} describes generation {:?}, not {name}",
                manifest.meta.generation
            );
        }
        if manifest.files.is_empty() {
            bail!("{manifest_url} lists no files with checksums: publish the generation again with this version");
        }
        if let Some(bad) = manifest.files.keys().find(|p| !is_generation_file_path(p)) {
            bail!("{manifest_url} lists {bad:?}, which is not a path inside a generation");
        }
        let staged = {
            let data = data.clone();
            let name = name.to_string();
            tokio::task::spawn_blocking(move || data.staging_dir(&name)).await??
        };
        let downloaded = async {
            for (path, expected) in &manifest.files {
                let url = self.join(&format!("{name}/{path}"))?;
                let target = staged.join(path);
                if let Some(parent) = target.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                self.download(url, &target, expected.bytes).await?;
            }
            tokio::fs::write(staged.join(GENERATION_FILE), &manifest_bytes).await?;
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = downloaded {
            let _ = tokio::fs::remove_dir_all(&staged).await;
            return Err(e);
        }
        let data = data.clone();
        tokio::task::spawn_blocking(move || data.install_generation(&staged)).await??;
        Ok(())
    }

    /// Stream `url` into the file `target`, refusing more than `max` bytes.
    async fn download(&self, url: Url, target: &std::path::Path, max: u64) -> Result<()> {
        let mut response = self.get(url.clone(), false).await?;
        let mut file = tokio::fs::File::create(target)
            .await
            .with_context(|| format!("creating {}", target.display()))?;
        let mut written = 0u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("reading {url}"))?
        {
            written += chunk.len() as u64;
            if written > max {
                bail!("{url} is longer than the {max} bytes its generation lists");
            }
            file.write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", target.display()))?;
        }
        file.flush().await?;
        Ok(())
    }

    /// Look once: when the copy names a generation other than the one
    /// served, install it (unless the data directory already has it as
    /// current) and swap it in. Answers the name offered.
    pub async fn poll_once(&self, data: &DataDir, current: &ArcSwap<Generation>) -> Result<String> {
        let name = self.current_name().await?;
        if name == current.load().meta.generation {
            return Ok(name);
        }
        let local = {
            let data = data.clone();
            tokio::task::spawn_blocking(move || data.current_generation()).await??
        };
        if local.as_deref() != Some(name.as_str()) {
            self.install(data, &name).await?;
        }
        open_and_swap(data, &name, current).await?;
        Ok(name)
    }

    /// Install the copy's current generation when the data directory has no
    /// generation yet (a replica's first start); answers it, opened.
    pub async fn first_generation(&self, data: &DataDir) -> Result<Generation> {
        let name = self.current_name().await?;
        self.install(data, &name).await?;
        let data = data.clone();
        Ok(tokio::task::spawn_blocking(move || data.open_generation(&name)).await??)
    }

    /// Poll every `poll` for ever. A generation that fails is tried again
    /// after [`RETRY_AFTER_POLLS`] polls; until then the old one is served
    /// and the failure is in `updates`.
    pub async fn watch(
        self,
        data: DataDir,
        current: Arc<ArcSwap<Generation>>,
        updates: Arc<Updates>,
        poll: Duration,
    ) {
        let mut interval = tokio::time::interval(poll);
        let mut failed: Option<(String, Instant)> = None;
        loop {
            interval.tick().await;
            if let Some((name, at)) = &failed {
                if at.elapsed() < poll * RETRY_AFTER_POLLS {
                    // keep reporting the failure while the copy still
                    // offers that generation
                    match self.current_name().await {
                        Ok(offered) if &offered == name => continue,
                        Ok(_) => failed = None,
                        Err(e) => {
                            updates.record(None, Some(format!("{e:#}")));
                            continue;
                        }
                    }
                }
            }
            match self.poll_once(&data, &current).await {
                Ok(name) => {
                    failed = None;
                    updates.record(Some(&name), None);
                }
                Err(e) => {
                    tracing::warn!(
                        "no new generation from {}, still serving {}: {e:#}",
                        self.base,
                        current.load().meta.generation
                    );
                    let offered = self.current_name().await.ok();
                    if let Some(name) = &offered {
                        failed = Some((name.clone(), Instant::now()));
                    }
                    updates.record(offered.as_deref(), Some(format!("{e:#}")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::{router, AppState};
    use axum::extract::{Path as UrlPath, State};
    use axum::http::StatusCode;
    use axum::routing::get;
    use iop_index::listing::Address;
    use iop_index::Listing;
    use serde_json::Value;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The publishing side: a data directory's `index/` served over HTTP on
    /// 127.0.0.1, which can be told to damage the `.store` files it sends or
    /// to answer 503 to everything.
    #[derive(Clone)]
    struct Origin {
        index: PathBuf,
        corrupt: Arc<AtomicBool>,
        down: Arc<AtomicBool>,
    }

    async fn serve_file(
        State(origin): State<Origin>,
        UrlPath(path): UrlPath<String>,
    ) -> Result<Vec<u8>, StatusCode> {
        if origin.down.load(Ordering::SeqCst) {
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        if path.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(StatusCode::NOT_FOUND);
        }
        let mut bytes = tokio::fs::read(origin.index.join(&path))
            .await
            .map_err(|_| StatusCode::NOT_FOUND)?;
        if origin.corrupt.load(Ordering::SeqCst) && path.ends_with(".store") {
            if let Some(last) = bytes.last_mut() {
                *last ^= 0xff;
            }
        }
        Ok(bytes)
    }

    async fn listen(app: axum::Router) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    fn listing(id: &str, name: &str) -> Listing {
        Listing::new(
            id,
            name,
            Address {
                street: None,
                street2: None,
                city: "Denver".into(),
                state: "CO".into(),
                zip: "80202".into(),
            },
        )
    }

    /// `/healthz` of `app`, polled until `done` holds (at most 20 s).
    async fn health_when(app: std::net::SocketAddr, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let health: Value = reqwest::get(format!("http://{app}/healthz"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if done(&health) {
                return health;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting; last {health:#}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replica_installs_verified_generations_and_keeps_the_old_one_otherwise() {
        let tmp = std::env::temp_dir().join(format!("iopfinder-replica-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let origin_data = DataDir::new(tmp.join("origin"));
        let first = origin_data
            .publish(vec![listing("000000000001", "Alpha")])
            .unwrap();
        let origin = Origin {
            index: tmp.join("origin").join("index"),
            corrupt: Arc::default(),
            down: Arc::default(),
        };
        let origin_addr = listen(
            axum::Router::new()
                .route("/copy/index/{*path}", get(serve_file))
                .with_state(origin.clone()),
        )
        .await;
        // no trailing slash: the replica adds it
        let remote =
            Remote::new(Url::parse(&format!("http://{origin_addr}/copy/index")).unwrap()).unwrap();
        assert!(remote.url().as_str().ends_with("/copy/index/"));

        let replica = DataDir::new(tmp.join("replica"));
        let generation = remote.first_generation(&replica).await.unwrap();
        assert_eq!(generation.meta, first);
        assert_eq!(
            replica.current_generation().unwrap(),
            Some(first.generation.clone())
        );
        let current = Arc::new(ArcSwap::from_pointee(generation));
        let updates = Arc::new(Updates::new(remote.url().to_string()));
        let app = listen(router(AppState {
            current: current.clone(),
            reports_dir: tmp.join("reports"),
            updates: updates.clone(),
            page_cache: Default::default(),
        }))
        .await;
        tokio::spawn(remote.clone().watch(
            replica.clone(),
            current.clone(),
            updates.clone(),
            Duration::from_millis(100),
        ));
        let health = health_when(app, |h| !h["updates"]["checked_at"].is_null()).await;
        assert_eq!(health["status"], "ok", "{health:#}");
        assert_eq!(health["generation"], first.generation.as_str());
        assert_eq!(health["updates"]["from"], remote.url().as_str());

        // a new generation whose doc store arrives damaged: refused
        origin.corrupt.store(true, Ordering::SeqCst);
        let second = origin_data
            .publish(vec![
                listing("000000000001", "Alpha"),
                listing("000000000002", "Beta"),
            ])
            .unwrap();
        let health = health_when(app, |h| h["status"] == "stale").await;
        assert_eq!(
            health["generation"],
            first.generation.as_str(),
            "{health:#}"
        );
        assert_eq!(health["listings"], 1);
        assert_eq!(health["updates"]["offered"], second.generation.as_str());
        let error = health["updates"]["error"].as_str().unwrap();
        assert!(
            error.contains("SHA-256") && error.contains(".store"),
            "{error}"
        );
        assert!(!health["updates"]["failing_since"].is_null());
        assert_eq!(
            replica.current_generation().unwrap(),
            Some(first.generation.clone()),
            "the damaged copy is not installed"
        );
        assert_eq!(current.load().meta, first);

        // the copy is repaired: the next try installs and serves it
        origin.corrupt.store(false, Ordering::SeqCst);
        let health = health_when(app, |h| h["generation"] == second.generation.as_str()).await;
        assert_eq!(health["status"], "ok", "{health:#}");
        assert_eq!(health["listings"], 2);
        assert!(health["updates"]["error"].is_null());
        assert_eq!(current.load().index.all_listings().unwrap().len(), 2);

        // the copy cannot be reached: the replica serves what it has, says so
        origin.down.store(true, Ordering::SeqCst);
        let health = health_when(app, |h| h["status"] == "stale").await;
        assert_eq!(health["generation"], second.generation.as_str());
        let error = health["updates"]["error"].as_str().unwrap();
        assert!(
            error.contains("CURRENT") && error.contains("503"),
            "{error}"
        );

        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[tokio::test]
    async fn a_generation_naming_files_outside_itself_is_refused() {
        let tmp = std::env::temp_dir().join(format!("iopfinder-hostile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let index = tmp.join("origin").join("index");
        std::fs::create_dir_all(index.join("g-1")).unwrap();
        std::fs::write(index.join("CURRENT"), "g-1").unwrap();
        let manifest = serde_json::json!({
            "generation": "g-1", "built_at": "2026-11-30T00:00:00Z", "listings": 0,
            "sample": false, "sources": [],
            "files": {"../../escaped": {"bytes": 1, "sha256": "00"}},
        });
        std::fs::write(
            index.join("g-1").join(GENERATION_FILE),
            manifest.to_string(),
        )
        .unwrap();
        let origin = Origin {
            index,
            corrupt: Arc::default(),
            down: Arc::default(),
        };
        let addr = listen(
            axum::Router::new()
                .route("/{*path}", get(serve_file))
                .with_state(origin),
        )
        .await;
        let remote = Remote::new(Url::parse(&format!("http://{addr}/")).unwrap()).unwrap();
        let replica = DataDir::new(tmp.join("replica"));
        let error = format!(
            "{:#}",
            remote.first_generation(&replica).await.err().unwrap()
        );
        assert!(error.contains("not a path inside a generation"), "{error}");
        assert!(!tmp.join("escaped").exists());
        assert_eq!(replica.current_generation().unwrap(), None);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
