//! The `crawl` command: sources -> normalized listings -> listing store -> a
//! new index generation, incrementally.
//!
//! Every source is read through [`sources::crawl`]. The crawl state
//! (`crawl-state.json`, see [`iop_index::crawl_state`]) remembers which source
//! (`KIND=LOCATION`) last yielded each listing, and sorts what each source
//! yields into:
//!
//! - **new**: not in the store before;
//! - **changed**: their content (every field but the check dates) differs
//!   from the last crawl; the change is dated in the state;
//! - **unchanged**: the same facts, checked again today;
//! - **missed**: last yielded by this source but not now. A missed listing is
//!   kept as it was (its facts keep their old check dates) until its source
//!   has missed it on `withdraw_after` consecutive crawls, then it is
//!   **withdrawn**: removed from the store and the index. A listing that comes
//!   back before that starts counting afresh.
//!
//! Misses are counted per source, not per kind: a crawl of one website or
//! one FindTreatment area says nothing about another's listings. A source
//! is what it is, not where it was read: every edition of SAMHSA's
//! substance use directory is one source ([`sources::dataset`]), so
//! crawling the 2023 file after the 2022 file misses, then withdraws, the
//! programs the 2023 edition no longer lists. Listings of
//! a kind read in this crawl whose source was not read are kept and counted
//! in a note of the report.
//!
//! A source that fails as a whole keeps its listings from the last good crawl
//! in place, and none of them counts as missed (nobody can tell what the failed
//! source would have said). The report shows the failure; the command fails
//! only when every source failed (then nothing is written but the report).
//! Listings of kinds not read in a crawl stay as they were.
//!
//! The store and the index are replaced atomically, so a failed crawl leaves
//! what is being served untouched.

mod lock;
mod progress;
mod report;

use lock::CrawlLock;
use progress::Bar;
use report::{rfc3339, save};
pub use report::{CrawlReport, SourceReport, Totals};

use anyhow::{bail, Context, Result};
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::sources::{self, CrawlContext, SourceCrawl, SourceError};
use iop_index::{content_hash, CrawlState, DataDir, Listing, ListingState};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::{Date, OffsetDateTime};

/// Consecutive misses after which a listing is withdrawn, by default.
pub const DEFAULT_WITHDRAW_AFTER: u32 = 3;

/// Listings whose cut text is noted by id, per source (all are counted).
const CUT_NOTES: usize = 20;

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
#[derive(Debug, Clone, Default)]
pub struct SourceSpec {
    pub kind: String,
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
            if !sources::KINDS.contains(&kind) {
                bail!(
                    "--source {spec:?}: unknown kind {kind:?}; the kinds are {}",
                    sources::KINDS.join(", ")
                );
            }
            if location.trim().is_empty() {
                bail!("--source {spec:?}: say where to read it: {kind}=URL_OR_PATH");
            }
            Ok(SourceSpec {
                kind: kind.to_string(),
                location: location.to_string(),
                ..SourceSpec::default()
            })
        })
        .collect()
}

/// Rebuild the index from the listing store as it is (no fetching) and make
/// it current; a running server switches to it. Takes the crawl lock, so it
/// never runs beside a crawl of the same data directory.
pub fn reindex(data: &DataDir) -> Result<iop_index::GenerationMeta> {
    let _lock = CrawlLock::take(data)?;
    data.publish_store()
        .context("building the index")?
        .with_context(|| {
            format!(
                "{} is empty or absent: run `iopfinder crawl` first",
                data.listings_path().display()
            )
        })
}

/// Read every source, update the store and the crawl state, publish a new
/// index generation, and save the report. A report with failed sources is an
/// answer, not an error; an error (an unreadable store, a failed index build)
/// never touches the generation being served.
pub fn run(data: &DataDir, specs: &[SourceSpec], options: &CrawlOptions) -> Result<CrawlReport> {
    let started = OffsetDateTime::now_utc();
    let _lock = CrawlLock::take(data)?;
    // refuse a damaged state before spending time on the sources
    CrawlState::read(data).with_context(|| {
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
        let result = runtime.block_on(sources::crawl(&spec.kind, &spec.location, &ctx));
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
        kind: sources::sample::KIND.to_string(),
        location: "embedded".to_string(),
        ..SourceSpec::default()
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

/// Fold the sources' answers into the store and the crawl state, and publish.
fn reconcile(
    data: &DataDir,
    results: Vec<SourceResult>,
    withdraw_after: u32,
    today: Date,
) -> Result<CrawlReport> {
    let withdraw_after = withdraw_after.max(1);
    let mut state = CrawlState::read(data).with_context(|| {
        format!(
            "reading the crawl state (move {} away to start it afresh)",
            data.crawl_state_path().display()
        )
    })?;
    let stored = data.read_listings().context("reading the listing store")?;
    let mut store: BTreeMap<String, Listing> =
        stored.into_iter().map(|l| (l.id.clone(), l)).collect();
    // a listing without state yet (a store older than the crawl state) gets
    // one from what it says: its kind and newest check date
    for (id, listing) in &store {
        state.listings.entry(id.clone()).or_insert_with(|| {
            let seen = listing.last_checked().unwrap_or(today);
            ListingState {
                kind: kind_of(listing),
                source: None,
                first_seen: seen,
                last_seen: seen,
                last_changed: seen,
                content_hash: content_hash(listing),
                misses: 0,
            }
        });
    }
    state.listings.retain(|id, _| store.contains_key(id));
    // a state written before sources had datasets keys them by location
    // (`samhsa-directory=/path/su_2022_facilities.csv`): the same dataset
    for s in state.listings.values_mut() {
        if let Some(dataset) = sources::dataset(&s.kind) {
            if s.source.as_deref().is_some_and(|k| k != dataset) {
                s.source = Some(dataset.to_string());
            }
        }
    }

    let mut reports: Vec<SourceReport> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut crawls: Vec<Option<SourceCrawl>> = Vec::new();
    for (spec, result, elapsed) in results {
        keys.push(source_key(&spec));
        let mut report = SourceReport {
            kind: spec.kind,
            location: spec.location,
            seconds: elapsed.as_secs_f64(),
            ..SourceReport::default()
        };
        match result {
            Ok(crawl) => {
                report.ok = true;
                report.pages_fetched = crawl.pages_fetched;
                report.pages_not_modified = crawl.pages_not_modified;
                report.pages_unchanged = crawl.pages_unchanged;
                report.listings = crawl.listings.len();
                report.errors = crawl.errors.clone();
                report.notes = crawl.notes.clone();
                crawls.push(Some(crawl));
            }
            Err(e) => {
                report.error = Some(match &e {
                    // the message often names the location already
                    SourceError::Failed { location, message } if message.starts_with(location) => {
                        message.clone()
                    }
                    _ => e.to_string(),
                });
                crawls.push(None);
            }
        }
        reports.push(report);
    }
    let failed_keys: BTreeSet<&str> = (0..reports.len())
        .filter(|&i| !reports[i].ok)
        .map(|i| keys[i].as_str())
        .collect();

    // listings older than the crawl state: when their kind is read from one
    // source only, and it was read, that source is theirs
    for i in 0..reports.len() {
        let kind = &reports[i].kind;
        let sources_of_kind: BTreeSet<&str> = (0..reports.len())
            .filter(|&j| &reports[j].kind == kind)
            .map(|j| keys[j].as_str())
            .collect();
        if sources_of_kind.len() == 1 && reports[i].ok && !failed_keys.contains(keys[i].as_str()) {
            for s in state.listings.values_mut() {
                if s.source.is_none() && &s.kind == kind {
                    s.source = Some(keys[i].clone());
                }
            }
        }
    }

    // what each source yields now: new, changed or unchanged
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for i in 0..reports.len() {
        let Some(crawl) = crawls[i].take() else {
            continue;
        };
        let kind = reports[i].kind.clone();
        let report = &mut reports[i];
        for listing in crawl.listings {
            if !seen.insert(listing.id.clone()) {
                report.duplicates += 1;
                continue;
            }
            // text over its limit was cut at normalization: say where
            let cut = iop_crawler::normalize::cut_fields(&listing);
            if !cut.is_empty() {
                let n = report.errors.entry("text_cut".into()).or_default();
                *n += 1;
                if *n <= CUT_NOTES {
                    report.notes.push(format!(
                        "listing {}: {} cut to the length limit",
                        listing.id,
                        cut.join(", ")
                    ));
                }
            }
            let hash = content_hash(&listing);
            let id = listing.id.clone();
            match state.listings.get_mut(&id) {
                Some(s) => {
                    if s.misses > 0 {
                        report.returned += 1;
                    }
                    if s.content_hash == hash {
                        report.unchanged += 1;
                    } else {
                        report.changed += 1;
                        report.changed_ids.push(id.clone());
                        s.last_changed = today;
                        s.content_hash = hash;
                    }
                    s.kind.clone_from(&kind);
                    s.source = Some(keys[i].clone());
                    s.last_seen = today;
                    s.misses = 0;
                }
                None => {
                    report.new += 1;
                    state.listings.insert(
                        id.clone(),
                        ListingState {
                            kind: kind.clone(),
                            source: Some(keys[i].clone()),
                            first_seen: today,
                            last_seen: today,
                            last_changed: today,
                            content_hash: hash,
                            misses: 0,
                        },
                    );
                }
            }
            store.insert(id, listing);
        }
        if report.duplicates > 0 {
            report.notes.push(format!(
                "{} listings given twice (here or by an earlier source): the first of each was kept",
                report.duplicates
            ));
        }
    }

    // what each source no longer yields: missed, or withdrawn at last; a
    // failed source's listings stay as they are
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for i in 0..reports.len() {
        let key = keys[i].as_str();
        if !done.insert(key) {
            continue;
        }
        let unseen: Vec<String> = state
            .listings
            .iter()
            .filter(|(id, s)| s.source.as_deref() == Some(key) && !seen.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        if failed_keys.contains(key) {
            for j in (i..reports.len()).filter(|&j| keys[j] == key) {
                reports[j].kept_from_last_crawl = unseen.len();
            }
            continue;
        }
        for id in unseen {
            let s = state
                .listings
                .get_mut(&id)
                .expect("unseen ids come from the state");
            s.misses += 1;
            if s.misses >= withdraw_after {
                state.listings.remove(&id);
                store.remove(&id);
                reports[i].withdrawn += 1;
                reports[i].withdrawn_ids.push(id);
            } else {
                reports[i].missed += 1;
                reports[i].missed_ids.push(id);
            }
        }
    }
    // say what of the kinds read was not checked: it came from other sources
    let mut noted: BTreeSet<String> = BTreeSet::new();
    for report in &mut reports {
        let kind = report.kind.clone();
        if !noted.insert(kind.clone()) {
            continue;
        }
        let elsewhere = state
            .listings
            .iter()
            .filter(|(id, s)| {
                s.kind == kind
                    && !seen.contains(*id)
                    && !s.source.as_ref().is_some_and(|k| keys.contains(k))
            })
            .count();
        if elsewhere > 0 {
            report.notes.push(format!(
                "{elsewhere} {kind} listings come from sources not read in this crawl: kept as they are until their source is read again"
            ));
        }
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

    let any_ok = reports.iter().any(|r| r.ok);
    let (generation, listings) = if any_ok {
        let listings: Vec<Listing> = store.into_values().collect();
        data.write_listings(&listings)
            .context("writing the listing store")?;
        state.write(data).context("writing the crawl state")?;
        drop(listings);
        // indexed from the store just written, one listing at a time
        let meta = match data.publish_store().context("building the index")? {
            Some(meta) => meta,
            None => data
                .publish(Vec::new())
                .context("building an empty index")?,
        };
        (Some(meta.generation), meta.listings)
    } else {
        (None, store.len())
    };
    Ok(CrawlReport {
        started_at: String::new(),
        finished_at: String::new(),
        date: today.to_string(),
        withdraw_after,
        sources: reports,
        totals,
        generation,
        listings,
        page_cache: None,
        saved_to: None,
    })
}

/// A source's identity in the crawl state: its dataset when the kind names
/// one ([`sources::dataset`]: every edition of SAMHSA's substance use
/// directory is one source, wherever it is read from), else
/// `KIND=LOCATION`, a path made absolute so `./x.csv` and `x.csv` are the
/// same source.
fn source_key(spec: &SourceSpec) -> String {
    if let Some(dataset) = sources::dataset(&spec.kind) {
        return dataset.to_string();
    }
    let location = &spec.location;
    if spec.kind == sources::sample::KIND || location.contains("://") {
        return format!("{}={location}", spec.kind);
    }
    let path = std::path::absolute(location).unwrap_or_else(|_| PathBuf::from(location));
    format!("{}={}", spec.kind, path.display())
}

/// The kind a listing belongs to: its first source's.
fn kind_of(listing: &Listing) -> String {
    listing
        .sources
        .first()
        .map(|s| s.kind.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_checked_before_anything_is_read() {
        let specs =
            parse_specs(&["sample=embedded".into(), "samhsa-directory=a=b.csv".into()]).unwrap();
        assert_eq!(specs[1].kind, "samhsa-directory");
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
