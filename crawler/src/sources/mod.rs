//! Source kinds: each reads one format into listings.
//!
//! [`crawl`] is the one entry point the `crawl` command uses: it takes a kind
//! and a location (`KIND=URL_OR_PATH` on the command line) and answers a
//! [`SourceCrawl`] (the listings the source yields now, plus what it took to
//! get them), or an error when the source could not be read at all, in which
//! case the caller keeps that source's listings from the last good crawl.

pub mod samhsa;
pub mod sample;

use crate::fetch::{Fetcher, FetcherConfig};
use iop_index::Listing;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::Date;

/// The source kinds `iopfinder crawl --source KIND=...` accepts.
pub const KINDS: &[&str] = &["samhsa-directory", "sample"];

/// What one source yielded in one crawl.
#[derive(Debug, Default)]
pub struct SourceCrawl {
    /// Every listing the source has now (normalized, with provenance).
    pub listings: Vec<Listing>,
    /// HTTP requests answered (any status), robots.txt and sitemaps included.
    pub pages_fetched: usize,
    /// Failures that did not stop the source, counted by kind
    /// (`FetchError::kind()`, or e.g. "rejected-record").
    pub errors: BTreeMap<String, usize>,
    /// Lines worth printing in the crawl report ("12,176 facility rows...").
    pub notes: Vec<String>,
}

impl SourceCrawl {
    pub fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }
}

/// A source that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("unknown source kind {kind:?}; the kinds are {}", KINDS.join(", "))]
    UnknownKind { kind: String },
    #[error("{location}: {message}")]
    Failed { location: String, message: String },
}

/// Progress of a crawl, for a progress bar: `done` of `total` units (pages,
/// rows) where the total is known.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub total: Option<u64>,
}

/// What every source needs from the crawl that runs it.
pub struct CrawlContext {
    /// The day the crawl runs: each fact's "last checked" date.
    pub today: Date,
    /// How to fetch over HTTP (tests allow 127.0.0.0/8 here).
    pub fetcher_config: FetcherConfig,
    /// Called as work advances; the command line draws a bar on a terminal.
    pub progress: Arc<dyn Fn(Progress) + Send + Sync>,
}

impl CrawlContext {
    pub fn new(today: Date, fetcher_config: FetcherConfig) -> Self {
        CrawlContext {
            today,
            fetcher_config,
            progress: Arc::new(|_| {}),
        }
    }

    pub fn fetcher(&self) -> Result<Fetcher, SourceError> {
        Fetcher::new(self.fetcher_config.clone()).map_err(|e| SourceError::Failed {
            location: "fetcher".to_string(),
            message: e.to_string(),
        })
    }
}

/// Read one source: `kind` is one of [`KINDS`], `location` a path or URL.
pub async fn crawl(
    kind: &str,
    location: &str,
    ctx: &CrawlContext,
) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    match kind {
        sample::KIND => {
            let listings = sample::listings().map_err(|e| failed(e.to_string()))?;
            Ok(SourceCrawl {
                listings,
                ..SourceCrawl::default()
            })
        }
        samhsa::KIND => {
            let directory = samhsa::read_path(std::path::Path::new(location))
                .map_err(|e| failed(e.to_string()))?;
            let crawl = samhsa::listings(&directory, ctx.today);
            let mut out = SourceCrawl {
                listings: crawl.listings,
                ..SourceCrawl::default()
            };
            out.notes.push(format!(
                "{location}: {} facility rows, {} intensive outpatient, {} duplicates merged, {} rejected",
                crawl.rows,
                crawl.iop_rows,
                crawl.merged,
                crawl.rejected.len()
            ));
            for reason in &crawl.rejected {
                out.error("rejected-record");
                if out.notes.len() <= 20 {
                    out.notes.push(format!("rejected: {reason}"));
                }
            }
            Ok(out)
        }
        _ => Err(SourceError::UnknownKind {
            kind: kind.to_string(),
        }),
    }
}
