//! Source kinds: each reads one format into listings.
//!
//! [`crawl`] is the one entry point the `crawl` command uses: it takes a
//! [`SourceKind`] and a location (`KIND=URL_OR_PATH` on the command line) and answers a
//! [`SourceCrawl`] (the listings the source yields now, plus what it took to
//! get them), or an error when the source could not be read at all, in which
//! case the caller keeps that source's listings from the last good crawl.
//!
//! Locations: `sample=embedded`; `samhsa-directory=PATH_OR_URL` (.xlsx or
//! CSV); `findtreatment=API_URL?sAddr=lat,lng&...`; `hsds=API_BASE_URL` or a
//! data package (directory or `.../datapackage.json`); `website=START_URL`
//! or a sitemap URL. Each module documents its form.
//!
//! A kind is one module here and one variant of [`SourceKind`]; the
//! matches on it are exhaustive, so the compiler names every place a new
//! kind must be known (reading it, its dataset, its licence). The kind's
//! name (its module's `KIND`) is what listings, the crawl state and the
//! pages store and show: [`SourceKind::as_str`] and [`str::parse`] convert
//! at those edges.

pub mod findtreatment;
pub mod hsds;
pub mod samhsa;
pub mod sample;
pub mod website;

pub use samhsa::download::MAX_DATA_FILE_BYTES;

use crate::fetch::politeness::Politeness;
use crate::fetch::{Fetcher, FetcherConfig};
use iop_index::Listing;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use time::Date;

/// A kind of source: the `KIND` of `iopfinder crawl --source
/// KIND=URL_OR_PATH`, one module of this one each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// SAMHSA's FindTreatment.gov API around a point ([`findtreatment`]).
    FindTreatment,
    /// An Open Referral HSDS 3.0 API or data package ([`hsds`]).
    Hsds,
    /// SAMHSA's National Directory of substance use treatment facilities,
    /// a spreadsheet or CSV file ([`samhsa`]).
    SamhsaDirectory,
    /// The embedded fictional sample directory ([`sample`]).
    Sample,
    /// A provider's own website, read as a whole site ([`website`]).
    Website,
}

impl SourceKind {
    /// Every kind, in the order of their names.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::FindTreatment,
        SourceKind::Hsds,
        SourceKind::SamhsaDirectory,
        SourceKind::Sample,
        SourceKind::Website,
    ];

    /// The kind's name (`samhsa-directory`, `website`...): its module's
    /// `KIND`, as listings' sources, the crawl state, reports and pages
    /// give it.
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceKind::FindTreatment => findtreatment::KIND,
            SourceKind::Hsds => hsds::KIND,
            SourceKind::SamhsaDirectory => samhsa::KIND,
            SourceKind::Sample => sample::KIND,
            SourceKind::Website => website::KIND,
        }
    }

    /// What a source of this kind is, when that does not depend on where
    /// it was read: the crawl state counts a listing's misses per dataset,
    /// so reading a new edition from another path or URL replaces the old
    /// edition's listings (those it no longer lists are missed, then
    /// withdrawn). `None`: the source is its location (a website, a
    /// FindTreatment search area, an HSDS feed), and misses are counted per
    /// location.
    pub fn dataset(self) -> Option<&'static str> {
        match self {
            SourceKind::SamhsaDirectory => Some(samhsa::DATASET),
            SourceKind::FindTreatment
            | SourceKind::Hsds
            | SourceKind::Sample
            | SourceKind::Website => None,
        }
    }
}

impl fmt::Display for SourceKind {
    /// The kind's name, [`SourceKind::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind name that is none of [`SourceKind::ALL`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {kind:?}; the kinds are {}", kind_names())]
pub struct UnknownSourceKind {
    /// The name as given.
    pub kind: String,
}

/// The kinds' names, comma-separated: "findtreatment, hsds, ...".
fn kind_names() -> String {
    SourceKind::ALL.map(SourceKind::as_str).join(", ")
}

impl FromStr for SourceKind {
    type Err = UnknownSourceKind;

    /// The kind named exactly `name` (`samhsa-directory`, ...).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        SourceKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownSourceKind {
                kind: name.to_string(),
            })
    }
}

/// What one source yielded in one crawl.
#[derive(Debug, Default)]
pub struct SourceCrawl {
    /// Every listing the source has now (normalized, with provenance).
    pub listings: Vec<Listing>,
    /// HTTP requests answered (any status), robots.txt and sitemaps included.
    pub pages_fetched: usize,
    /// Of those, pages the server answered 304 Not Modified to a conditional
    /// GET (their body read from the page cache).
    pub pages_not_modified: usize,
    /// Pages answered 200 with the same content hash as the cached copy
    /// (servers that ignore validators).
    pub pages_unchanged: usize,
    /// Failures that did not stop the source, counted by kind
    /// (`FetchError::kind()`, or e.g. "rejected-record").
    pub errors: BTreeMap<String, usize>,
    /// Lines worth printing in the crawl report ("12,176 facility rows...").
    pub notes: Vec<String>,
    /// Listings the source wrote to disk as it read them, besides
    /// [`SourceCrawl::listings`]: sources that stream (`hsds`) do so when
    /// the context names a [`CrawlContext::spill_dir`], so a directory of a
    /// million services is never held as listings.
    pub spilled: Option<crate::recrawl::ListingSpill>,
}

impl SourceCrawl {
    /// Count one failure of `kind` in [`SourceCrawl::errors`].
    pub fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }
}

/// A source that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Reading the source failed: the fetch, the format, or a file that
    /// cannot list IOPs.
    #[error("{location}: {message}")]
    Failed {
        /// The source's path or URL as given ("fetcher" when the HTTP
        /// client could not be built).
        location: String,
        /// What went wrong, in words.
        message: String,
    },
}

/// Progress of a crawl, for a progress bar: `done` of `total` units (pages,
/// rows) where the total is known.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Units done so far: pages, records, tables or files, as the source counts.
    pub done: u64,
    /// Units in all, when known (a website's grows as links are found).
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
    /// Where pages are cached across crawls for conditional GET
    /// ([`crate::fetch::cache::PageCache`]); `None`: no cache, every page
    /// fetched in full.
    pub cache_dir: Option<PathBuf>,
    /// Most pages a `website` source fetches (`None`: its own limit,
    /// [`website::MAX_PAGES`]).
    pub max_pages: Option<usize>,
    /// Each host's turn and spacing, shared with the other sources of the
    /// crawl that run at the same time (`None`: the source's fetcher keeps
    /// its own, [`FetcherConfig::max_hosts`] hosts at once).
    pub politeness: Option<Arc<Politeness>>,
    /// Where sources that stream put their listings as they read them (a
    /// [`crate::recrawl::ListingSpill`] made in this directory, handed back
    /// in [`SourceCrawl::spilled`]); `None`: every listing in
    /// [`SourceCrawl::listings`].
    pub spill_dir: Option<PathBuf>,
}

impl CrawlContext {
    /// A context for a crawl on `today`: no progress reports, no page
    /// cache, each source's own page limit.
    pub fn new(today: Date, fetcher_config: FetcherConfig) -> Self {
        CrawlContext {
            today,
            fetcher_config,
            progress: Arc::new(|_| {}),
            cache_dir: None,
            max_pages: None,
            politeness: None,
            spill_dir: None,
        }
    }

    /// A [`Fetcher`] with this crawl's `fetcher_config`; fails only if the
    /// HTTP client cannot be built.
    pub fn fetcher(&self) -> Result<Fetcher, SourceError> {
        self.fetcher_with(self.fetcher_config.clone())
    }

    /// A [`Fetcher`] with `config`, taking its turns at each host from the
    /// crawl's shared [`CrawlContext::politeness`] when there is one; fails
    /// only if the HTTP client cannot be built.
    pub fn fetcher_with(&self, config: FetcherConfig) -> Result<Fetcher, SourceError> {
        match &self.politeness {
            Some(hosts) => Fetcher::with_politeness(config, hosts.clone()),
            None => Fetcher::new(config),
        }
        .map_err(|e| SourceError::Failed {
            location: "fetcher".to_string(),
            message: e.to_string(),
        })
    }
}

/// Read one source of `kind` at `location`, a path or URL (each kind's
/// module documents its form).
pub async fn crawl(
    kind: SourceKind,
    location: &str,
    ctx: &CrawlContext,
) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    match kind {
        SourceKind::Sample => {
            let listings = sample::listings().map_err(|e| failed(e.to_string()))?;
            Ok(SourceCrawl {
                listings,
                ..SourceCrawl::default()
            })
        }
        SourceKind::SamhsaDirectory => {
            let mut out = SourceCrawl::default();
            let directory = if is_url(location) {
                samhsa::download::directory(location, ctx, &mut out).await?
            } else {
                samhsa::read_path(std::path::Path::new(location))
                    .map_err(|e| failed(e.to_string()))?
            };
            let crawl = samhsa::listings(&directory, ctx.today);
            if crawl.iop_rows == 0 {
                // not "ok, 0 listings": that would count every program of
                // the directory as missed
                return Err(failed(format!(
                    "none of its {} facility rows is coded {} (intensive outpatient), so this file cannot list IOPs; is it a mental-health directory? Read SAMHSA's substance use directory instead",
                    crawl.rows,
                    samhsa::IOP_CODE
                )));
            }
            out.listings = crawl.listings;
            out.notes.push(format!(
                "{location}: {} edition, {} facility rows, {} intensive outpatient, {} duplicates merged, {} rejected",
                directory
                    .year
                    .map_or("undated".to_string(), |y| y.to_string()),
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
        SourceKind::FindTreatment => findtreatment::crawl(location, ctx).await,
        SourceKind::Website => website::crawl(location, ctx).await,
        SourceKind::Hsds => hsds::crawl(location, ctx).await,
    }
}

/// An HTTP date ("Wed, 19 Aug 2025 10:00:00 GMT", a Last-Modified header)
/// as the day it names, "2025-08-19".
pub(crate) fn http_date(text: &str) -> Option<String> {
    let when = httpdate::parse_http_date(text.trim()).ok()?;
    let when = time::OffsetDateTime::from(when);
    Some(when.date().to_string())
}

pub(crate) fn is_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A fetcher for data files (JSON, CSV, spreadsheets): any content type, and
/// bodies up to `max_bytes` (or the configured limit, if larger).
pub(crate) fn data_fetcher(ctx: &CrawlContext, max_bytes: usize) -> Result<Fetcher, SourceError> {
    let mut config = ctx.fetcher_config.clone();
    config.html_only = false;
    config.max_body_bytes = config.max_body_bytes.max(max_bytes);
    ctx.fetcher_with(config)
}

/// Whether `text` (one sentence) says "intensive outpatient" or "IOP"
/// outside a negated clause ("we do not offer an IOP" does not count).
pub fn mentions_iop(text: &str) -> bool {
    crate::extract::prose::clauses(text)
        .into_iter()
        .any(|(clause, negated)| {
            let words = iop_index::vocabulary::normalize_words(&clause);
            !negated
                && (words.iter().any(|w| w == "iop" || w == "iops")
                    || words
                        .windows(2)
                        .any(|w| w[0] == "intensive" && w[1] == "outpatient"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_and_show_as_the_names_stored_before() {
        let names: Vec<String> = SourceKind::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "findtreatment",
                "hsds",
                "samhsa-directory",
                "sample",
                "website"
            ]
        );
        for kind in SourceKind::ALL {
            assert_eq!(kind.as_str().parse::<SourceKind>(), Ok(kind));
        }
        assert_eq!(SourceKind::SamhsaDirectory.dataset(), Some(samhsa::DATASET));
        assert_eq!(SourceKind::Website.dataset(), None);
        for bad in ["nosuch", "Website", " website", "samhsa", ""] {
            let e = bad.parse::<SourceKind>().unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "unknown kind {bad:?}; the kinds are findtreatment, hsds, samhsa-directory, sample, website"
                )
            );
        }
    }
}
