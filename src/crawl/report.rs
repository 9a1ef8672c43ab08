//! The crawl report: what each source gave, printed at the end of a crawl
//! and saved as JSON under `crawls/`.

use super::NOTES_PRINTED;
use anyhow::{Context, Result};
use iop_index::DataDir;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use time::OffsetDateTime;

/// What one source gave in this crawl.
#[derive(Debug, Default, Serialize)]
pub struct SourceReport {
    pub kind: String,
    pub location: String,
    pub ok: bool,
    /// Why the source could not be read, when it failed.
    pub error: Option<String>,
    pub seconds: f64,
    pub pages_fetched: usize,
    /// Of the pages fetched: answered 304 Not Modified (read from the page
    /// cache), or 200 with the same content as last time.
    pub pages_not_modified: usize,
    pub pages_unchanged: usize,
    /// Listings the source yielded.
    pub listings: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Of the new, changed and unchanged: listings that had been missed on
    /// earlier crawls and are back (their misses start again from zero).
    pub returned: usize,
    /// Listings of this kind not in the source now, kept for now.
    pub missed: usize,
    /// Listings of this kind withdrawn: missed too many crawls in a row.
    pub withdrawn: usize,
    /// A failed source: its kind's listings kept from the last good crawl.
    pub kept_from_last_crawl: usize,
    /// Listings the source gave twice (same id); the first was kept.
    pub duplicates: usize,
    pub errors: BTreeMap<String, usize>,
    pub notes: Vec<String>,
    pub changed_ids: Vec<String>,
    pub missed_ids: Vec<String>,
    pub withdrawn_ids: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub sources: usize,
    pub sources_failed: usize,
    pub pages_fetched: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub missed: usize,
    pub withdrawn: usize,
    pub errors: BTreeMap<String, usize>,
}

/// What a crawl did: printed at the end and saved under `crawls/`.
#[derive(Debug, Serialize)]
pub struct CrawlReport {
    pub started_at: String,
    pub finished_at: String,
    /// The crawl's date, "YYYY-MM-DD": the check date of what it read.
    pub date: String,
    pub withdraw_after: u32,
    pub sources: Vec<SourceReport>,
    pub totals: Totals,
    /// The generation published by this crawl; none when every source failed.
    pub generation: Option<String>,
    /// Listings in the store (and the index) after the crawl.
    pub listings: usize,
    /// The embedded sample directory's fictional listings this crawl
    /// removed: the sample stands in (as `serve` seeds an empty data
    /// directory) until a crawl reads real listings without naming it.
    pub sample_removed: usize,
    /// The page cache after this crawl pruned it to its limits.
    pub page_cache: Option<iop_crawler::fetch::cache::PruneSummary>,
    /// Where the report was saved.
    #[serde(skip)]
    pub saved_to: Option<PathBuf>,
}

impl CrawlReport {
    pub fn all_failed(&self) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|s| !s.ok)
    }
}

impl fmt::Display for CrawlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "crawl of {} (a listing is withdrawn after {} missed crawls)",
            self.date, self.withdraw_after
        )?;
        for s in &self.sources {
            if s.ok {
                writeln!(
                    f,
                    "{}={}: ok, {} listings: {} new, {} changed, {} unchanged, {} missed (kept), {} withdrawn; {} pages fetched; {:.1} s",
                    s.kind, s.location, s.listings, s.new, s.changed, s.unchanged, s.missed,
                    s.withdrawn, s.pages_fetched, s.seconds
                )?;
            } else {
                writeln!(
                    f,
                    "{}={}: FAILED: {}; {} listings kept from the last good crawl",
                    s.kind,
                    s.location,
                    s.error.as_deref().unwrap_or("unknown error"),
                    s.kept_from_last_crawl
                )?;
            }
            if s.returned > 0 {
                writeln!(f, "  {} listings are back after being missed", s.returned)?;
            }
            if !s.errors.is_empty() {
                let errors: Vec<String> =
                    s.errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
                writeln!(f, "  errors: {}", errors.join(", "))?;
            }
            for note in s.notes.iter().take(NOTES_PRINTED) {
                writeln!(f, "  {note}")?;
            }
            if s.notes.len() > NOTES_PRINTED {
                writeln!(
                    f,
                    "  ... {} more notes in the saved report",
                    s.notes.len() - NOTES_PRINTED
                )?;
            }
        }
        if self.sample_removed > 0 {
            writeln!(
                f,
                "removed the {} fictional programs of the embedded sample directory: they stood in until real data was crawled",
                self.sample_removed
            )?;
        }
        let t = &self.totals;
        writeln!(
            f,
            "total: {} sources ({} failed), {} pages fetched, {} new, {} changed, {} unchanged, {} missed (kept), {} withdrawn",
            t.sources, t.sources_failed, t.pages_fetched, t.new, t.changed, t.unchanged, t.missed,
            t.withdrawn
        )?;
        match &self.generation {
            Some(generation) => write!(f, "index {generation}: {} listings in all", self.listings)?,
            None => write!(
                f,
                "every source failed: nothing changed ({} listings still served)",
                self.listings
            )?,
        }
        if let Some(path) = &self.saved_to {
            write!(f, "\nreport: {}", path.display())?;
        }
        Ok(())
    }
}

/// Save the report as `crawls/2026-11-24T22-40-00.123Z.json` (names sort in
/// time order).
pub(super) fn save(
    data: &DataDir,
    report: &mut CrawlReport,
    started: OffsetDateTime,
) -> Result<()> {
    let mut name = format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}.{:03}Z",
        started.year(),
        started.month() as u8,
        started.day(),
        started.hour(),
        started.minute(),
        started.second(),
        started.millisecond()
    );
    if data
        .crawl_reports_dir()
        .join(format!("{name}.json"))
        .exists()
    {
        name.push_str(&format!("-{}", std::process::id()));
    }
    let json = serde_json::to_vec_pretty(&report).context("writing the report as JSON")?;
    report.saved_to = Some(
        data.save_crawl_report(&name, &json)
            .context("saving the crawl report")?,
    );
    Ok(())
}

pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
