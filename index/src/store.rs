//! The data directory: the listing store and the published index generations.
//!
//! ```text
//! DATA_DIR/
//!   listings.json          the listing store: every listing, as the crawler left it
//!   index/
//!     CURRENT              the name of the generation being served
//!     g-20261124T193000-1/ one index generation, never changed once published:
//!       tantivy files (the listings in its doc store), generation.json
//! ```
//!
//! The crawl command also keeps `crawl-state.json` (each listing's first and
//! last sighting, last change and misses) and `crawls/*.json` (one report per
//! crawl).
//!
//! Publishing builds a new generation in a temporary directory, renames it into
//! place, then replaces `CURRENT` by an atomic rename. A reader therefore sees
//! the old generation or the new one, never a half-built one, and a failed or
//! interrupted build leaves the served generation untouched. Servers poll
//! `CURRENT` and swap to the new generation without a restart.

use crate::indexing::{build_in_dir, open_dir, sort_listings};
use crate::listing::Listing;
use crate::search::SearchIndex;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: not valid listing JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error(
        "{0} has no published index: run `iopfinder crawl` or `iopfinder serve` to create one"
    )]
    NoIndex(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Facts about one index generation, shown on the about page and `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationMeta {
    pub generation: String,
    /// RFC 3339 time the generation was built.
    pub built_at: String,
    pub listings: usize,
    /// True when any listing is from the embedded sample directory.
    pub sample: bool,
    pub sources: Vec<SourceSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSummary {
    pub kind: String,
    pub title: String,
    pub listings: usize,
    /// Oldest and newest check dates of the source's facts, "YYYY-MM-DD".
    pub oldest_check: Option<String>,
    pub newest_check: Option<String>,
}

/// An opened generation: the index and what it is.
pub struct Generation {
    pub meta: GenerationMeta,
    pub index: SearchIndex,
}

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn listings_path(&self) -> PathBuf {
        self.root.join("listings.json")
    }

    /// The crawler's memory of each listing (see [`crate::crawl_state`]).
    pub fn crawl_state_path(&self) -> PathBuf {
        self.root.join("crawl-state.json")
    }

    /// Where each crawl's report is saved, one JSON file per crawl.
    pub fn crawl_reports_dir(&self) -> PathBuf {
        self.root.join("crawls")
    }

    /// Save a crawl report as `crawls/{name}.json` (atomically); answers its path.
    pub fn save_crawl_report(&self, name: &str, json: &[u8]) -> Result<PathBuf, StoreError> {
        let dir = self.crawl_reports_dir();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let path = dir.join(format!("{name}.json"));
        write_atomically(&path, json)?;
        Ok(path)
    }

    fn index_root(&self) -> PathBuf {
        self.root.join("index")
    }

    fn current_path(&self) -> PathBuf {
        self.index_root().join("CURRENT")
    }

    /// The listing store; empty when there is none yet.
    pub fn read_listings(&self) -> Result<Vec<Listing>, StoreError> {
        let path = self.listings_path();
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Json { path, source })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Replace the listing store atomically.
    pub fn write_listings(&self, listings: &[Listing]) -> Result<(), StoreError> {
        fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let bytes = serde_json::to_vec(listings).expect("listings serialize");
        write_atomically(&self.listings_path(), &bytes)
    }

    /// The name of the generation being served, if any.
    pub fn current_generation(&self) -> Result<Option<String>, StoreError> {
        let path = self.current_path();
        match fs::read_to_string(&path) {
            Ok(name) => Ok(Some(name.trim().to_string()).filter(|n| !n.is_empty())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Build a new generation from `listings` and make it current.
    pub fn publish(&self, mut listings: Vec<Listing>) -> Result<GenerationMeta, StoreError> {
        let index_root = self.index_root();
        fs::create_dir_all(&index_root).map_err(io_err(&index_root))?;
        sort_listings(&mut listings);
        let now = OffsetDateTime::now_utc();
        let name = format!(
            "g-{:04}{:02}{:02}T{:02}{:02}{:02}-{:09}",
            now.year(),
            now.month() as u8,
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.nanosecond()
        );
        let meta = GenerationMeta {
            generation: name.clone(),
            built_at: now
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            listings: listings.len(),
            sample: listings.iter().any(|l| l.sample),
            sources: summarize_sources(&listings),
        };
        let building = index_root.join(format!("building-{name}"));
        let result = (|| {
            fs::create_dir_all(&building).map_err(io_err(&building))?;
            build_in_dir(&building, listings.iter())?;
            let meta_bytes = serde_json::to_vec_pretty(&meta).expect("meta serializes");
            write_atomically(&building.join("generation.json"), &meta_bytes)?;
            let done = index_root.join(&name);
            fs::rename(&building, &done).map_err(io_err(&done))?;
            sync_dir(&index_root);
            write_atomically(&self.current_path(), name.as_bytes())
        })();
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&building);
            return Err(e);
        }
        self.remove_old_generations(&name);
        Ok(meta)
    }

    /// Open the current generation.
    pub fn open_current(&self) -> Result<Generation, StoreError> {
        let name = self
            .current_generation()?
            .ok_or_else(|| StoreError::NoIndex(self.root.clone()))?;
        self.open_generation(&name)
    }

    pub fn open_generation(&self, name: &str) -> Result<Generation, StoreError> {
        let dir = self.index_root().join(name);
        let meta_path = dir.join("generation.json");
        let meta_bytes = fs::read(&meta_path).map_err(io_err(&meta_path))?;
        let meta: GenerationMeta =
            serde_json::from_slice(&meta_bytes).map_err(|source| StoreError::Json {
                path: meta_path,
                source,
            })?;
        let index = open_dir(&dir)?;
        Ok(Generation { meta, index })
    }

    /// Keep the current generation and the one before it (a server may still
    /// be answering from it); remove older ones and abandoned builds.
    fn remove_old_generations(&self, current: &str) {
        let Ok(entries) = fs::read_dir(self.index_root()) else {
            return;
        };
        let mut generations: Vec<String> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("g-") && name.as_str() < current {
                generations.push(name);
            } else if name.starts_with("building-") && !name.ends_with(current) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        generations.sort();
        generations.pop(); // the previous generation stays
        for name in generations {
            let _ = fs::remove_dir_all(self.index_root().join(name));
        }
    }
}

fn summarize_sources(listings: &[Listing]) -> Vec<SourceSummary> {
    let mut out: Vec<SourceSummary> = Vec::new();
    for listing in listings {
        for (i, source) in listing.sources.iter().enumerate() {
            let dates = listing
                .provenance
                .iter()
                .filter(|p| p.source == i)
                .map(|p| p.checked.to_string());
            let (oldest, newest) = dates.fold((None::<String>, None::<String>), |(lo, hi), d| {
                (
                    Some(lo.map_or(d.clone(), |x: String| x.min(d.clone()))),
                    Some(hi.map_or(d.clone(), |x: String| x.max(d))),
                )
            });
            let summary = match out
                .iter_mut()
                .find(|s| s.kind == source.kind && s.title == source.title)
            {
                Some(s) => s,
                None => {
                    out.push(SourceSummary {
                        kind: source.kind.clone(),
                        title: source.title.clone(),
                        listings: 0,
                        oldest_check: None,
                        newest_check: None,
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            summary.listings += 1;
            if let Some(o) = oldest {
                summary.oldest_check =
                    Some(summary.oldest_check.take().map_or(o.clone(), |x| x.min(o)));
            }
            if let Some(n) = newest {
                summary.newest_check =
                    Some(summary.newest_check.take().map_or(n.clone(), |x| x.max(n)));
            }
        }
    }
    out
}

/// Write `bytes` to `path` through a temporary file and a rename, so readers
/// see the old content or the new, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let mut file = fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_err(path))?;
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
