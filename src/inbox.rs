//! The operator's inbox of "report a problem" submissions:
//! `iopfinder reports list | show N | resolve N --note TEXT`.
//!
//! Reports are the lines of `reports.jsonl` in the reports directory
//! (`DATA_DIR/reports`, or the one `--reports-dir` names, shared by
//! replicas) as the site stores them (no client address); report N is line
//! N (from 1), so numbers stay put while the file only grows. Resolving one
//! appends a line `{"report": N, "resolved": RFC 3339, "note": TEXT}` to
//! `resolved.jsonl` beside it; a report is open until then.
//!
//! Whether the listing changed since a report comes from the crawl state
//! (`crawl-state.json`: the last crawl that found the listing's content
//! different), compared by date with the day the report was received.

use crate::crawl::read_state;
use anyhow::{bail, Context, Result};
use iop_crawler::recrawl::CrawlState;
use iop_index::DataDir;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// `reports.jsonl` in a reports directory (`DATA_DIR/reports` unless
/// `serve --reports-dir` says otherwise).
pub fn reports_path(dir: &Path) -> PathBuf {
    dir.join("reports.jsonl")
}

/// `resolved.jsonl` in a reports directory.
pub fn resolutions_path(dir: &Path) -> PathBuf {
    dir.join("resolved.jsonl")
}

/// The reports directory of a data directory: `DATA_DIR/reports`.
pub fn reports_dir(data: &DataDir) -> PathBuf {
    data.root().join("reports")
}

/// One stored report, as the site wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    /// Its line number in the reports file, from 1.
    #[serde(skip)]
    pub number: usize,
    /// RFC 3339, UTC.
    pub received: String,
    pub listing: String,
    #[serde(default)]
    pub listing_name: String,
    #[serde(default)]
    pub generation: String,
    pub problem: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub contact: String,
}

impl Report {
    /// The day it was received, `YYYY-MM-DD`.
    pub fn date(&self) -> &str {
        self.received.get(..10).unwrap_or(&self.received)
    }
}

/// The operator's closing of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resolution {
    pub report: usize,
    pub resolved: String,
    pub note: String,
}

fn read_lines(path: &Path) -> Result<Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Every report (a line that is not a report is skipped, keeping the
/// numbers of the others) and the resolution of each resolved one.
pub fn read(dir: &Path) -> Result<(Vec<Report>, HashMap<usize, Resolution>)> {
    let mut reports = Vec::new();
    for (i, line) in read_lines(&reports_path(dir))?.iter().enumerate() {
        if let Ok(mut report) = serde_json::from_str::<Report>(line) {
            report.number = i + 1;
            reports.push(report);
        }
    }
    let mut resolutions = HashMap::new();
    for line in read_lines(&resolutions_path(dir))? {
        if let Ok(r) = serde_json::from_str::<Resolution>(&line) {
            resolutions.entry(r.report).or_insert(r);
        }
    }
    Ok((reports, resolutions))
}

/// What became of the listing since the report.
fn changed_since(report: &Report, state: &CrawlState, listed: Option<bool>) -> String {
    match state.listings.get(&report.listing) {
        Some(s) => {
            let changed = s.last_changed.to_string();
            match changed.as_str().cmp(report.date()) {
                std::cmp::Ordering::Greater => format!("yes, changed on {changed}"),
                std::cmp::Ordering::Equal => {
                    format!("perhaps: changed on {changed}, the day of the report")
                }
                std::cmp::Ordering::Less => format!("no (last changed {changed})"),
            }
        }
        None if listed == Some(false) => "no longer listed".into(),
        None => "unknown (no crawl has recorded this listing)".into(),
    }
}

fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `reports list`: the reports in `dir` newest first, one line each.
pub fn list(data: &DataDir, dir: &Path, all: bool) -> Result<String> {
    let (reports, resolutions) = read(dir)?;
    let state = read_state(data)?;
    let mut out = String::new();
    let open = reports
        .iter()
        .filter(|r| !resolutions.contains_key(&r.number))
        .count();
    out.push_str(&format!(
        "{} reports, {open} open{}\n",
        reports.len(),
        if all {
            ""
        } else {
            " (resolved ones hidden; --all shows them)"
        }
    ));
    for r in reports.iter().rev() {
        let resolution = resolutions.get(&r.number);
        if resolution.is_some() && !all {
            continue;
        }
        out.push_str(&format!(
            "#{:<4} {}  {:<8}  {} {}  [{}]  changed since: {}\n",
            r.number,
            r.date(),
            if resolution.is_some() {
                "resolved"
            } else {
                "open"
            },
            r.listing,
            r.listing_name,
            r.problem,
            changed_since(r, &state, None)
        ));
    }
    Ok(out)
}

fn find(reports: &[Report], number: usize) -> Result<&Report> {
    match reports.iter().find(|r| r.number == number) {
        Some(r) => Ok(r),
        None => bail!(
            "there is no report #{number}; `iopfinder reports list --all` shows the {} there are",
            reports.len()
        ),
    }
}

/// `reports show N`: everything report N in `dir` says.
pub fn show(data: &DataDir, dir: &Path, number: usize) -> Result<String> {
    let (reports, resolutions) = read(dir)?;
    let r = find(&reports, number)?;
    let listed = data
        .read_listings()
        .ok()
        .map(|ls| ls.iter().any(|l| l.id == r.listing));
    let state = read_state(data)?;
    let mut out = format!(
        "Report #{}\nReceived:  {}\nListing:   {} {} (/programs/{})\nSeen in:   generation {}\nProblem:   {}\nDetails:   {}\nContact:   {}\nChanged since: {}\n",
        r.number,
        r.received,
        r.listing,
        r.listing_name,
        r.listing,
        r.generation,
        r.problem,
        if r.details.is_empty() { "(none)" } else { &r.details },
        if r.contact.is_empty() { "(none)" } else { &r.contact },
        changed_since(r, &state, listed),
    );
    match resolutions.get(&number) {
        Some(res) => out.push_str(&format!(
            "Status:    resolved {} ({})\n",
            res.resolved, res.note
        )),
        None => out.push_str("Status:    open\n"),
    }
    Ok(out)
}

/// `reports resolve N --note TEXT`: close report N in `dir`.
pub fn resolve(dir: &Path, number: usize, note: &str) -> Result<String> {
    let (reports, resolutions) = read(dir)?;
    let r = find(&reports, number)?;
    if let Some(res) = resolutions.get(&number) {
        bail!(
            "report #{number} was resolved on {} ({})",
            res.resolved,
            res.note
        );
    }
    let note = note.trim();
    if note.is_empty() {
        bail!("say what was done in --note (for example --note \"phone corrected\")");
    }
    let resolution = Resolution {
        report: number,
        resolved: now(),
        note: note.to_string(),
    };
    let path = resolutions_path(dir);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut line = serde_json::to_string(&resolution)?;
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.sync_data()?;
    Ok(format!(
        "resolved report #{number} about {} {}",
        r.listing, r.listing_name
    ))
}

/// The sizes of a reports directory's two files, bytes (0 for a file that
/// is not there): both only grow, a report or a resolution a line at a
/// time, so they tell when either changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboxSizes {
    /// `reports.jsonl`'s size.
    pub reports: u64,
    /// `resolved.jsonl`'s size.
    pub resolutions: u64,
}

/// The dates (`YYYY-MM-DD`, oldest first) of the open reports about each
/// listing in `dir`, whose files have `sizes` (the request's, as its
/// validators saw them); read again only when a size changed.
pub fn open_report_dates(dir: &Path, sizes: InboxSizes, listing: &str) -> Vec<String> {
    type Cache = Option<((PathBuf, InboxSizes), BTreeMap<String, Vec<String>>)>;
    static CACHE: Mutex<Cache> = Mutex::new(None);
    if sizes.reports == 0 {
        return Vec::new();
    }
    let key = (dir.to_path_buf(), sizes);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let mut by_listing: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok((reports, resolutions)) = read(dir) {
            for r in reports
                .iter()
                .filter(|r| !resolutions.contains_key(&r.number))
            {
                let dates = by_listing.entry(r.listing.clone()).or_default();
                if !dates.iter().any(|d| d == r.date()) {
                    dates.push(r.date().to_string());
                }
            }
        }
        *cache = Some((key, by_listing));
    }
    cache
        .as_ref()
        .and_then(|(_, m)| m.get(listing).cloned())
        .unwrap_or_default()
}
