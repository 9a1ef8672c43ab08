//! The `crawl` command: sources -> normalized listings -> listing store -> a
//! new index generation, incrementally.
//!
//! Every source is read through [`sources::crawl`]; what they say is folded
//! into the listing store and the crawl state by
//! [`iop_crawler::recrawl::reconcile`], whose documentation gives the rules
//! (new, changed, unchanged, missed, withdrawn, a failed source keeping its
//! listings). This module reads and writes the data directory around it:
//! the listing store, the crawl state ([`state`]), the report, the index.
//! The command fails only when every source failed (then nothing is written
//! but the report).
//!
//! The store and the index are replaced atomically, so a failed crawl leaves
//! what is being served untouched.

mod lock;
mod progress;
mod report;
mod state;

use lock::CrawlLock;
use progress::Bar;
use report::{rfc3339, save};
pub use report::{CrawlReport, SourceReport, Totals};
pub use state::{read_state, write_state};

use anyhow::{bail, Context, Result};
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::recrawl::{self, Outcome, SourceOutcome};
use iop_crawler::sources::{self, CrawlContext, SourceCrawl, SourceError, SourceKind};
use iop_index::DataDir;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::{Date, OffsetDateTime};

pub use recrawl::DEFAULT_WITHDRAW_AFTER;

/// Notes printed per source (the saved report has them all).
pub(crate) const NOTES_PRINTED: usize = 12;

/// How a crawl runs.
pub struct CrawlOptions {
    /// Withdraw a listing missed on this many consecutive crawls (at least 1).
    pub withdraw_after: u32,
    pub fetcher: FetcherConfig,
    /// The crawl's date: each fact's "last checked" (today, unless replaying).
    pub today: Date,
    /// Draw a progress bar on stderr (only when stderr is a terminal).
    pub progress: bool,
}

/// One `--source KIND=URL_OR_PATH`, or one `[[source]]` of a `--sources`
/// file with its own settings.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub kind: SourceKind,
    pub location: String,
    /// Least time between two requests to the source's host (else the
    /// fetcher's).
    pub delay: Option<Duration>,
    /// Most pages fetched from a website (else the website source's limit).
    pub max_pages: Option<usize>,
}

/// A `--sources FILE`: many sources in one TOML file, each with its kind,
/// location and settings.
///
/// ```toml
/// [[source]]
/// kind = "website"
/// location = "https://provider.example.org/"
/// delay_ms = 2000      # optional: least time between requests
/// max_pages = 50       # optional: most pages read from the site
/// ```
pub fn read_sources_file(path: &std::path::Path) -> Result<Vec<SourceSpec>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        kind: String,
        location: String,
        delay_ms: Option<u64>,
        max_pages: Option<usize>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        source: Vec<Entry>,
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--sources {}: cannot read it", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "--sources {}: not a sources file ({e}); write each source as [[source]] with kind = \"...\" and location = \"...\"",
            path.display()
        )
    })?;
    if file.source.is_empty() {
        bail!("--sources {}: no [[source]] in it", path.display());
    }
    file.source
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut spec = parse_specs(&[format!("{}={}", e.kind, e.location)])
                .with_context(|| format!("--sources {}: source {}", path.display(), i + 1))?
                .remove(0);
            spec.delay = e.delay_ms.map(Duration::from_millis);
            if e.max_pages == Some(0) {
                bail!(
                    "--sources {}: source {}: max_pages must be at least 1",
                    path.display(),
                    i + 1
                );
            }
            spec.max_pages = e.max_pages;
            Ok(spec)
        })
        .collect()
}

/// Parse and check `--source` arguments before anything is read.
pub fn parse_specs(specs: &[String]) -> Result<Vec<SourceSpec>> {
    specs
        .iter()
        .map(|spec| {
            let (kind, location) = spec.split_once('=').with_context(|| {
                format!(
                    "--source {spec:?}: write it as KIND=URL_OR_PATH, for example sample=embedded"
                )
            })?;
            let kind: SourceKind = kind
                .parse()
                .map_err(|e| anyhow::anyhow!("--source {spec:?}: {e}"))?;
            if location.trim().is_empty() {
                bail!("--source {spec:?}: say where to read it: {kind}=URL_OR_PATH");
            }
            Ok(SourceSpec {
                kind,
                location: location.to_string(),
                delay: None,
                max_pages: None,
            })
        })
        .collect()
}

/// Rebuild the index from the listing store as it is (no fetching) and make
/// it current; a running server switches to it. Takes the crawl lock, so it
/// never runs beside a crawl of the same data directory.
pub fn reindex(data: &DataDir) -> Result<iop_index::GenerationMeta> {
    let _lock = CrawlLock::take(data)?;
    let listings = data.read_listings().context("reading the listing store")?;
    if listings.is_empty() {
        bail!(
            "{} is empty or absent: run `iopfinder crawl` first",
            data.listings_path().display()
        );
    }
    Ok(publish_combined(data, listings)?.0)
}

/// Publish the index of the store's `listings` (just written): one listing
/// per program, a website's program that matches its national record merged
/// into it ([`iop_crawler::matching::merge::combine`]). The store keeps each
/// source's own listing, so the recrawl still counts them per source; only
/// what the directory shows is merged. Without a merge the index is built
/// from the store file, one listing at a time. Also answers the report's
/// lines: each merge with its score, each website listing left unmerged
/// because another program of its site matched the same record.
fn publish_combined(
    data: &DataDir,
    listings: Vec<iop_index::Listing>,
) -> Result<(iop_index::GenerationMeta, Vec<String>)> {
    let combined = iop_crawler::matching::merge::combine(listings);
    let mut notes: Vec<String> = combined
        .merges
        .iter()
        .map(|m| {
            format!(
                "listing {} is shown merged into its national record {} (match score {:.2})",
                m.website_id, m.national_id, m.score.total
            )
        })
        .collect();
    notes.extend(combined.ambiguous.iter().map(|(website, national)| {
        format!(
            "listing {website} matches national record {national}, as another program of its site does: left unmerged"
        )
    }));
    let meta = if combined.merges.is_empty() {
        drop(combined);
        // indexed from the store just written, one listing at a time
        match data.publish_store().context("building the index")? {
            Some(meta) => meta,
            None => data
                .publish(Vec::new())
                .context("building an empty index")?,
        }
    } else {
        data.publish(combined.listings)
            .context("building the index")?
    };
    Ok((meta, notes))
}

/// Read every source, update the store and the crawl state, publish a new
/// index generation, and save the report. A report with failed sources is an
/// answer, not an error; an error (an unreadable store, a failed index build)
/// never touches the generation being served.
pub fn run(data: &DataDir, specs: &[SourceSpec], options: &CrawlOptions) -> Result<CrawlReport> {
    let started = OffsetDateTime::now_utc();
    let _lock = CrawlLock::take(data)?;
    // refuse a damaged state before spending time on the sources
    read_state(data).with_context(|| {
        format!(
            "reading the crawl state (move {} away to start it afresh)",
            data.crawl_state_path().display()
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let draw = options.progress && std::io::stderr().is_terminal();
    let mut results = Vec::new();
    for spec in specs {
        let mut ctx = CrawlContext::new(options.today, options.fetcher.clone());
        if let Some(delay) = spec.delay {
            ctx.fetcher_config.min_delay = delay;
        }
        ctx.max_pages = spec.max_pages;
        // pages kept across crawls for conditional GET (ETag, Last-Modified, content hash)
        ctx.cache_dir = Some(data.root().join("cache").join("pages"));
        let bar = draw.then(|| Arc::new(Bar::new(format!("{}={}", spec.kind, spec.location))));
        if let Some(bar) = &bar {
            bar.start();
            let bar = bar.clone();
            ctx.progress = Arc::new(move |p| bar.update(p));
        }
        let clock = Instant::now();
        let result = runtime.block_on(sources::crawl(spec.kind, &spec.location, &ctx));
        if let Some(bar) = bar {
            bar.clear();
        }
        results.push((spec.clone(), result, clock.elapsed()));
    }
    drop(runtime);
    // the page cache stays within its limits whatever the sites sent
    let page_cache =
        iop_crawler::fetch::cache::PageCache::new(data.root().join("cache").join("pages"))
            .prune(&iop_crawler::fetch::cache::CacheLimits::default());
    let mut report = reconcile(data, results, options.withdraw_after, options.today)?;
    report.page_cache = Some(page_cache);
    report.started_at = rfc3339(started);
    report.finished_at = rfc3339(OffsetDateTime::now_utc());
    save(data, &mut report, started)?;
    Ok(report)
}

/// Seed an empty data directory from the embedded sample directory.
pub fn seed_sample(data: &DataDir) -> Result<CrawlReport> {
    let started = OffsetDateTime::now_utc();
    let spec = SourceSpec {
        kind: SourceKind::Sample,
        location: "embedded".to_string(),
        delay: None,
        max_pages: None,
    };
    let crawl = SourceCrawl {
        listings: sources::sample::listings()?,
        ..SourceCrawl::default()
    };
    let mut report = reconcile(
        data,
        vec![(spec, Ok(crawl), Duration::ZERO)],
        DEFAULT_WITHDRAW_AFTER,
        started.date(),
    )?;
    report.started_at = rfc3339(started);
    report.finished_at = rfc3339(OffsetDateTime::now_utc());
    save(data, &mut report, started)?;
    Ok(report)
}

type SourceResult = (SourceSpec, Result<SourceCrawl, SourceError>, Duration);

/// Fold the sources' answers into the store and the crawl state
/// ([`recrawl::reconcile`]), write both and publish, unless every source
/// failed.
fn reconcile(
    data: &DataDir,
    results: Vec<SourceResult>,
    withdraw_after: u32,
    today: Date,
) -> Result<CrawlReport> {
    let state = read_state(data).with_context(|| {
        format!(
            "reading the crawl state (move {} away to start it afresh)",
            data.crawl_state_path().display()
        )
    })?;
    let stored = data.read_listings().context("reading the listing store")?;

    let mut reports: Vec<SourceReport> = Vec::new();
    let mut outcomes: Vec<SourceOutcome> = Vec::new();
    for (spec, result, elapsed) in results {
        let mut report = SourceReport {
            kind: spec.kind.to_string(),
            location: spec.location.clone(),
            seconds: elapsed.as_secs_f64(),
            ..SourceReport::default()
        };
        let outcome = match result {
            Ok(crawl) => {
                report.ok = true;
                report.pages_fetched = crawl.pages_fetched;
                report.pages_not_modified = crawl.pages_not_modified;
                report.pages_unchanged = crawl.pages_unchanged;
                report.listings = crawl.listings.len();
                report.errors = crawl.errors;
                report.notes = crawl.notes;
                Outcome::Read(crawl.listings)
            }
            Err(e) => {
                report.error = Some(match &e {
                    // the message often names the location already
                    SourceError::Failed { location, message } if message.starts_with(location) => {
                        message.clone()
                    }
                    _ => e.to_string(),
                });
                Outcome::Failed
            }
        };
        outcomes.push(SourceOutcome::new(spec.kind, &spec.location, outcome));
        reports.push(report);
    }

    let done = recrawl::reconcile(stored, state, outcomes, withdraw_after, today);
    for (report, tally) in reports.iter_mut().zip(done.sources) {
        report.new = tally.new;
        report.changed = tally.changed;
        report.unchanged = tally.unchanged;
        report.returned = tally.returned;
        report.missed = tally.missed;
        report.withdrawn = tally.withdrawn;
        report.kept_from_last_crawl = tally.kept_from_last_crawl;
        report.duplicates = tally.duplicates;
        if tally.text_cut > 0 {
            *report.errors.entry("text_cut".into()).or_default() += tally.text_cut;
        }
        report.notes.extend(tally.notes);
        report.changed_ids = tally.changed_ids;
        report.missed_ids = tally.missed_ids;
        report.withdrawn_ids = tally.withdrawn_ids;
    }

    let mut totals = Totals {
        sources: reports.len(),
        ..Totals::default()
    };
    for r in &reports {
        totals.sources_failed += usize::from(!r.ok);
        totals.pages_fetched += r.pages_fetched;
        totals.new += r.new;
        totals.changed += r.changed;
        totals.unchanged += r.unchanged;
        totals.missed += r.missed;
        totals.withdrawn += r.withdrawn;
        for (kind, n) in &r.errors {
            *totals.errors.entry(kind.clone()).or_default() += n;
        }
        if !r.ok {
            *totals.errors.entry("source-failed".into()).or_default() += 1;
        }
    }

    let (generation, listings) = if done.any_read {
        data.write_listings(&done.listings)
            .context("writing the listing store")?;
        write_state(data, &done.state).context("writing the crawl state")?;
        let (meta, notes) = publish_combined(data, done.listings)?;
        if let Some(report) = reports
            .iter_mut()
            .find(|r| r.kind == SourceKind::Website.as_str())
        {
            report.notes.extend(notes);
        }
        (Some(meta.generation), meta.listings)
    } else {
        (None, done.listings.len())
    };
    Ok(CrawlReport {
        started_at: String::new(),
        finished_at: String::new(),
        date: today.to_string(),
        withdraw_after: done.withdraw_after,
        sources: reports,
        totals,
        generation,
        listings,
        page_cache: None,
        saved_to: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_checked_before_anything_is_read() {
        let specs =
            parse_specs(&["sample=embedded".into(), "samhsa-directory=a=b.csv".into()]).unwrap();
        assert_eq!(specs[1].kind, SourceKind::SamhsaDirectory);
        assert_eq!(specs[1].location, "a=b.csv");
        for (bad, says) in [
            ("nosuch=x", "unknown kind"),
            ("sample", "KIND=URL_OR_PATH"),
            ("sample=", "say where"),
        ] {
            let e = parse_specs(&[bad.into()]).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
