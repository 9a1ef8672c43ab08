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
use iop_crawler::fetch::politeness::Politeness;
use iop_crawler::fetch::FetcherConfig;
use iop_crawler::recrawl::{self, ListingSpill, RecrawlError, SortedSource};
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
    /// Most `website` sources crawled at once, each on its own host (at
    /// least 1): see [`DEFAULT_CONCURRENT_HOSTS`].
    pub concurrent_hosts: usize,
}

/// Websites crawled at once by default: enough to keep a crawl of many
/// provider sites busy while each waits out its per-host delay (one
/// request a second per host at most, by default), few enough for a small
/// machine's sockets and the extraction's CPU.
pub const DEFAULT_CONCURRENT_HOSTS: usize = 32;

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
    match publish_combined(data)? {
        Some((meta, _)) => Ok(meta),
        None => bail!(
            "{} is empty or absent: run `iopfinder crawl` first",
            data.listings_path().display()
        ),
    }
}

/// A line of the crawl report and the source kind whose report it is on.
type KindNote = (String, String);

/// Publish the index of the store (just written): one listing per program,
/// a website's program that matches its national record merged into it, and
/// a FindTreatment record that matches a directory record merged into that
/// ([`iop_crawler::matching::merge::combine`]). The store keeps each
/// source's own listing, so the recrawl still counts them per source; only
/// what the directory shows (and exports) is merged. A store with nothing
/// to merge (no website listing, and not both FindTreatment and directory
/// listings; found by reading it once, a listing at a time) is indexed from
/// the file one listing at a time, as a national directory of a million is;
/// a store with some is read whole to match them. Answers `None` for an
/// empty or absent store, else the generation and the report's lines, each
/// with the source kind whose report it belongs on: each merge with its
/// score, each listing left unmerged because another matched the same
/// record.
fn publish_combined(data: &DataDir) -> Result<Option<(iop_index::GenerationMeta, Vec<KindNote>)>> {
    let Some(combined) = shown_listings(data)? else {
        // indexed from the store, one listing at a time
        let meta = data.publish_store().context("building the index")?;
        return Ok(meta.map(|meta| (meta, Vec::new())));
    };
    let mut notes: Vec<KindNote> = combined
        .merges
        .iter()
        .map(|m| {
            (
                m.absorbed_kind.clone(),
                format!(
                    "listing {} is shown merged into its national record {} (match score {:.2}); its URL redirects there",
                    m.absorbed_id, m.national_id, m.score.total
                ),
            )
        })
        .collect();
    notes.extend(combined.ambiguous.iter().map(|(absorbed, national, kind)| {
        (
            kind.clone(),
            format!(
                "listing {absorbed} matches national record {national}, as another listing does: left unmerged"
            ),
        )
    }));
    let meta = data
        .publish(combined.listings)
        .context("building the index")?;
    Ok(Some((meta, notes)))
}

/// The listings the directory shows, when the store holds any to merge: the
/// store's listings with matched programs merged
/// ([`iop_crawler::matching::merge::combine`]). `None` when there is
/// nothing to merge (no website listing, and not both FindTreatment and
/// directory listings; found by reading the store once, a listing at a
/// time): the store as it is is what the directory shows, and callers read
/// it a listing at a time.
pub fn shown_listings(data: &DataDir) -> Result<Option<iop_crawler::matching::merge::Combined>> {
    #[derive(serde::Deserialize)]
    struct Kinds {
        sources: Vec<KindOnly>,
    }
    #[derive(serde::Deserialize)]
    struct KindOnly {
        kind: String,
    }
    // listings by the kind of their first source: website, findtreatment,
    // samhsa-directory
    let mut kinds = [0usize; 3];
    let which = [
        SourceKind::Website,
        SourceKind::FindTreatment,
        SourceKind::SamhsaDirectory,
    ];
    data.for_each_in_store(|listing: Kinds| {
        if let Some(s) = listing.sources.first() {
            if let Some(i) = which.iter().position(|k| s.kind == k.as_str()) {
                kinds[i] += 1;
            }
        }
        Ok(())
    })
    .context("reading the listing store")?;
    let [websites, findtreatment, directory] = kinds;
    if websites == 0 && (findtreatment == 0 || directory == 0) {
        return Ok(None);
    }
    let listings = data.read_listings().context("reading the listing store")?;
    Ok(Some(iop_crawler::matching::merge::combine(listings)))
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
    let results = runtime.block_on(read_sources(data, specs, options, draw));
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

/// Read every source: websites up to [`CrawlOptions::concurrent_hosts`] at
/// once (a crawl of many provider sites keeps that many hosts busy), every
/// other kind one after another before them. Every fetcher of the crawl
/// shares one [`Politeness`], so each host still has one request in flight
/// at most, spaced by its delay, whichever sources fetch from it. Answers
/// one result per spec, in the order of `specs`.
async fn read_sources(
    data: &DataDir,
    specs: &[SourceSpec],
    options: &CrawlOptions,
    draw: bool,
) -> Vec<SourceResult> {
    let hosts = options.concurrent_hosts.max(1);
    let politeness = Arc::new(Politeness::new(hosts));
    let context = |spec: &SourceSpec| {
        let mut ctx = CrawlContext::new(options.today, options.fetcher.clone());
        if let Some(delay) = spec.delay {
            ctx.fetcher_config.min_delay = delay;
        }
        ctx.max_pages = spec.max_pages;
        // pages kept across crawls for conditional GET (ETag, Last-Modified, content hash)
        ctx.cache_dir = Some(data.root().join("cache").join("pages"));
        ctx.politeness = Some(politeness.clone());
        // streaming sources spill their listings beside the store
        ctx.spill_dir = Some(data.root().to_path_buf());
        ctx
    };
    let mut results: Vec<Option<SourceResult>> = specs.iter().map(|_| None).collect();
    let (websites, others): (Vec<_>, Vec<_>) = specs
        .iter()
        .enumerate()
        .partition(|(_, spec)| spec.kind == SourceKind::Website);
    for (i, spec) in others {
        let mut ctx = context(spec);
        let bar = draw.then(|| Arc::new(Bar::new(format!("{}={}", spec.kind, spec.location))));
        if let Some(bar) = &bar {
            bar.start();
            let bar = bar.clone();
            ctx.progress = Arc::new(move |p| bar.update(p));
        }
        let clock = Instant::now();
        let result = sources::crawl(spec.kind, &spec.location, &ctx).await;
        if let Some(bar) = bar {
            bar.clear();
        }
        results[i] = Some((spec.clone(), result, clock.elapsed()));
    }
    // the frontier: up to `hosts` sites at once, each fetched as its
    // politeness allows; a site that finishes makes room for the next
    let total = websites.len() as u64;
    let bar = (draw && total > 0).then(|| Bar::new(format!("{total} websites")));
    if let Some(bar) = &bar {
        bar.start();
    }
    let mut pending = websites.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let local = tokio::task::LocalSet::new();
    let mut done = 0;
    local
        .run_until(async {
            loop {
                while running.len() < hosts {
                    let Some((i, spec)) = pending.next() else {
                        break;
                    };
                    let ctx = context(spec);
                    let spec = spec.clone();
                    running.spawn_local(async move {
                        let clock = Instant::now();
                        let result = sources::crawl(spec.kind, &spec.location, &ctx).await;
                        (i, (spec, result, clock.elapsed()))
                    });
                }
                let Some(finished) = running.join_next().await else {
                    break;
                };
                let (i, result) = finished.expect("a website crawl does not panic");
                results[i] = Some(result);
                done += 1;
                if let Some(bar) = &bar {
                    bar.update(sources::Progress {
                        done,
                        total: Some(total),
                    });
                }
            }
        })
        .await;
    if let Some(bar) = bar {
        bar.clear();
    }
    results
        .into_iter()
        .map(|r| r.expect("every source was read"))
        .collect()
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
/// ([`recrawl::reconcile_sorted`]), write both and publish, unless every
/// source failed. Each source's listings are first sorted on disk
/// ([`ListingSpill`]), so the merge holds one listing per source.
fn reconcile(
    data: &DataDir,
    results: Vec<SourceResult>,
    withdraw_after: u32,
    today: Date,
) -> Result<CrawlReport> {
    let mut spilled = Vec::with_capacity(results.len());
    for (spec, result, elapsed) in results {
        let result = match result {
            Ok(mut crawl) => {
                // a source that streamed has spilled already; the rest join it
                let mut spill = match crawl.spilled.take() {
                    Some(spill) => spill,
                    None => ListingSpill::new_in(data.root())
                        .context("making room for the sources' listings")?,
                };
                for listing in std::mem::take(&mut crawl.listings) {
                    spill
                        .push(&listing)
                        .context("sorting the sources' listings")?;
                }
                Ok((crawl, spill))
            }
            Err(e) => Err(e),
        };
        spilled.push((spec, result, elapsed));
    }
    reconcile_spilled(data, spilled, withdraw_after, today)
}

/// One source's answer with its listings spilled and sorted: what
/// [`reconcile_spilled`] takes (the listings of the [`SourceCrawl`] are not
/// read; the spill's are).
pub type SpilledResult = (
    SourceSpec,
    Result<(SourceCrawl, ListingSpill), SourceError>,
    Duration,
);

/// As the crawl's last step, from sources whose listings are already in a
/// [`ListingSpill`] each (a source that streams, or the benchmark's): merge
/// them with the listing store ([`recrawl::reconcile_sorted`]) one listing
/// at a time, write the new store and crawl state, and publish, unless every
/// source failed. The store is read in id order (sorted on disk first if it
/// was written in another order), the new store written in id order.
pub fn reconcile_spilled(
    data: &DataDir,
    results: Vec<SpilledResult>,
    withdraw_after: u32,
    today: Date,
) -> Result<CrawlReport> {
    let state = read_state(data).with_context(|| {
        format!(
            "reading the crawl state (move {} away to start it afresh)",
            data.crawl_state_path().display()
        )
    })?;

    // the embedded sample stands in until real data is crawled: a crawl
    // that reads real listings and does not name the sample drops the
    // sample's fictional ones from the store
    let drop_sample = !results
        .iter()
        .any(|(spec, _, _)| spec.kind == SourceKind::Sample)
        && results.iter().any(|(spec, result, _)| {
            spec.kind != SourceKind::Sample
                && result.as_ref().is_ok_and(|(_, spill)| !spill.is_empty())
        });

    let mut reports: Vec<SourceReport> = Vec::new();
    let mut sources: Vec<SortedSource> = Vec::new();
    for (spec, result, elapsed) in results {
        let mut report = SourceReport {
            kind: spec.kind.to_string(),
            location: spec.location.clone(),
            seconds: elapsed.as_secs_f64(),
            ..SourceReport::default()
        };
        let listings = match result {
            Ok((crawl, spill)) => {
                report.ok = true;
                report.pages_fetched = crawl.pages_fetched;
                report.pages_not_modified = crawl.pages_not_modified;
                report.pages_unchanged = crawl.pages_unchanged;
                report.listings = usize::try_from(spill.len()).unwrap_or(usize::MAX);
                report.errors = crawl.errors;
                report.notes = crawl.notes;
                let sorted = spill.sorted().context("sorting the sources' listings")?;
                Some(Box::new(sorted) as recrawl::SortedIter<'static>)
            }
            Err(e) => {
                report.error = Some(match &e {
                    // the message often names the location already
                    SourceError::Failed { location, message } if message.starts_with(location) => {
                        message.clone()
                    }
                    _ => e.to_string(),
                });
                None
            }
        };
        sources.push(SortedSource {
            kind: spec.kind,
            key: recrawl::source_key(spec.kind, &spec.location),
            listings,
        });
        reports.push(report);
    }
    let any_read = sources.iter().any(|s| s.listings.is_some());

    // the store in id order: as the crawl writes it, else sorted on disk
    let mut sorted_store = None;
    if !store_is_sorted(data)? {
        let mut spill =
            ListingSpill::new_in(data.root()).context("making room to sort the listing store")?;
        data.for_each_in_store(|listing: iop_index::Listing| {
            spill.push(&listing).map_err(|e| iop_index::StoreError::Io {
                path: data.listings_path(),
                source: std::io::Error::other(e.to_string()),
            })
        })
        .context("reading the listing store")?;
        sorted_store = Some(spill.sorted().context("sorting the listing store")?);
    }

    // three threads: the store read (unless sorted on disk), the merge
    // here, and the new store written, handing listings over bounded
    // channels
    let sample_removed = std::cell::Cell::new(0usize);
    let done = std::thread::scope(|scope| -> Result<recrawl::Merged> {
        let (stored_tx, stored_rx) =
            std::sync::mpsc::sync_channel::<Result<iop_index::Listing, RecrawlError>>(256);
        if sorted_store.is_none() {
            scope.spawn(move || {
                let read = data.for_each_in_store(|listing| {
                    // a closed channel: the merge stopped, and says why
                    stored_tx
                        .send(Ok(listing))
                        .map_err(|_| iop_index::StoreError::Io {
                            path: data.listings_path(),
                            source: std::io::Error::other("the merge stopped"),
                        })
                });
                // an unreadable store stops the merge (never taken for its end)
                if let Err(e) = read {
                    let _ = stored_tx.send(Err(RecrawlError::Store(e)));
                }
            });
        }
        let stored: Box<dyn Iterator<Item = Result<iop_index::Listing, RecrawlError>>> =
            match sorted_store {
                Some(sorted) => Box::new(sorted.map(|r| r.map(|(_, l)| l))),
                None => Box::new(stored_rx.into_iter()),
            };
        let stored = stored.filter(|listing| match listing {
            Ok(listing) if drop_sample && listing.sample => {
                sample_removed.set(sample_removed.get() + 1);
                false
            }
            _ => true,
        });
        let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Option<iop_index::Listing>>(256);
        let writer = any_read.then(|| {
            scope.spawn(move || {
                // Some: a listing; None: the end; a closed channel before
                // the end: the merge failed, and the store stays as it was
                let mut ended = false;
                let listings = std::iter::from_fn(|| {
                    if ended {
                        return None;
                    }
                    match out_rx.recv() {
                        Ok(Some(listing)) => Some(Ok(listing)),
                        Ok(None) => {
                            ended = true;
                            None
                        }
                        Err(_) => {
                            ended = true;
                            Some(Err(()))
                        }
                    }
                });
                data.try_write_listings_from(listings)
            })
        });
        let merged =
            recrawl::reconcile_sorted(stored, state, sources, withdraw_after, today, |listing| {
                if any_read && out_tx.send(Some(listing)).is_err() {
                    // the writer stopped: its error is reported below
                    return Err(RecrawlError::Spill(data.listings_path()));
                }
                Ok(())
            });
        if merged.is_ok() {
            let _ = out_tx.send(None);
        }
        drop(out_tx);
        let written = writer.map(|w| w.join().expect("the store writer does not panic"));
        if let Some(written) = written {
            // an inner error is the merge's, answered below
            let _ = written.context("writing the listing store")?;
        }
        merged.context("merging the sources with the listing store")
    })?;

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
        // the store was written by the merge
        write_state(data, &done.state).context("writing the crawl state")?;
        drop(done.state);
        let meta = match publish_combined(data)? {
            Some((meta, notes)) => {
                // each note on the report of the kind it concerns
                for (kind, note) in notes {
                    if let Some(report) = reports.iter_mut().find(|r| r.kind == kind) {
                        report.notes.push(note);
                    }
                }
                meta
            }
            None => data
                .publish(Vec::new())
                .context("building an empty index")?,
        };
        (Some(meta.generation), meta.listings)
    } else {
        (None, done.listings)
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
        sample_removed: sample_removed.get(),
        page_cache: None,
        saved_to: None,
    })
}

/// Whether the listing store is in ascending id order (a repeated id next
/// to itself), as the crawl writes it; reads only the ids.
fn store_is_sorted(data: &DataDir) -> Result<bool> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let mut last: Option<String> = None;
    let mut sorted = true;
    let out_of_order = || iop_index::StoreError::Io {
        path: data.listings_path(),
        source: std::io::Error::other("out of order"),
    };
    let read = data.for_each_in_store(|Id { id }: Id| {
        if last.as_ref().is_some_and(|last| id < *last) {
            sorted = false;
            // no need to read on
            return Err(out_of_order());
        }
        last = Some(id);
        Ok(())
    });
    match read {
        Ok(_) => Ok(true),
        Err(_) if !sorted => Ok(false),
        Err(e) => Err(e).context("reading the listing store"),
    }
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
