//! `findtreatment`: FindTreatment.gov (SAMHSA's treatment locator), in its
//! two machine formats.
//!
//! **The JSON API.** The location is the API URL with the search in its
//! query:
//! `https://findtreatment.gov/locator/exportsAsJson/v2?sAddr=40.75,-73.99&limitValue=80467`.
//! The base is whatever scheme, host and path prefix the URL has (a URL
//! without the `/locator/exportsAsJson/v2` path gets it appended), so tests
//! point it at a loopback server. `sAddr` ("lat,lng") is required; defaults
//! are `limitType=2` (distance), `limitValue=40234` (25 miles, in metres),
//! `sCodes=OIT` (OIT is always added: codes are AND-ed, so only intensive
//! outpatient facilities come back), `pageSize=2000` (the API's maximum),
//! `sort=0`. Every page is read; any failed page fails the whole source. A
//! page saved to a file (`findtreatment=PATH.json`, the API's
//! `{page, totalPages, recordCount, rows}`) is read as it is.
//!
//! **The locator's export CSV** (`findtreatment=PATH_OR_URL.csv`): one row
//! per facility and type (`type_facility` SU or MH), one column per service
//! code set to `1`, plus `zip4`, `county`, `latitude`, `longitude`; header
//! cells may be space-padded (`"    name1"`, `"n40 "`). Columns that are no
//! code of the legend and set to `1` are reported by name.
//!
//! API rows carry service labels, not codes, worded differently by year
//! ("Commission on Accreditation of Rehabilitation Facilities" without
//! "(CARF)", "Military insurance (e.g., TRICARE)"): [`match_label`] maps a
//! label to the embedded legend's codes (`samhsa_legend.tsv`: names,
//! categories and descriptions) by normalized wording, and every label that
//! matches nothing is listed by name in the crawl report. Codes then go
//! through the vocabulary. Rows whose services do not include OIT are
//! skipped. Coordinates are exact. A row's identity is its `frid` (the
//! locator's facility id) where present, else its name1, name2, street1 and
//! ZIP; rows with the same identity merge.

use super::{CrawlContext, Progress, SourceCrawl, SourceError};
use crate::normalize::{normalize, SourceRecord};
use iop_index::listing::Source;
use iop_index::Vocabulary;
use reqwest::Url;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The source kind of the locator's listings.
pub const KIND: &str = "findtreatment";
/// The source's title as people read it.
pub const TITLE: &str = "FindTreatment.gov (SAMHSA treatment locator)";
/// The locator's public page: the source link shown on listings (the API
/// URL is for machines, and may be a private test address).
pub const PUBLIC_PAGE: &str = "https://findtreatment.gov/";
/// The API path under the base URL.
pub const API_PATH: &str = "/locator/exportsAsJson/v2";
/// The API's largest page.
pub const MAX_PAGE_SIZE: u32 = 2000;
/// Pages read at most (2,000 rows each), against a server that never ends.
pub const MAX_PAGES: u32 = 500;

const LEGEND_TSV: &str = include_str!("samhsa_legend.tsv");

/// One service code of SAMHSA's legend.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// The code, as the locator writes it ("IOP").
    pub code: String,
    /// "Intensive outpatient treatment".
    pub name: String,
    /// The category code ("SET"), empty when unknown.
    pub category: String,
    /// The legend's description, empty when it has none.
    pub description: String,
}

/// The embedded legend (`samhsa_legend.tsv`), in code order.
pub fn legend_entries() -> &'static [LegendEntry] {
    static ENTRIES: OnceLock<Vec<LegendEntry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        LEGEND_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut parts = l.split('\t');
                Some(LegendEntry {
                    code: parts.next()?.to_string(),
                    name: parts.next()?.to_string(),
                    category: parts.next().unwrap_or("").to_string(),
                    description: parts.next().unwrap_or("").to_string(),
                })
            })
            .collect()
    })
}

/// SAMHSA service code -> name, from the public legend.
pub fn legend() -> &'static HashMap<String, String> {
    static LEGEND: OnceLock<HashMap<String, String>> = OnceLock::new();
    LEGEND.get_or_init(|| {
        legend_entries()
            .iter()
            .map(|e| (e.code.clone(), e.name.clone()))
            .collect()
    })
}

/// The codes whose legend name is exactly `label` (case and spacing
/// ignored); see [`match_label`] for labels worded otherwise.
pub fn codes_for_label(label: &str) -> &'static [String] {
    static BY_LABEL: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let map = BY_LABEL.get_or_init(|| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (code, name) in legend() {
            map.entry(label_key(name)).or_default().push(code.clone());
        }
        for codes in map.values_mut() {
            codes.sort();
        }
        map
    });
    map.get(&label_key(label)).map(Vec::as_slice).unwrap_or(&[])
}

fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Words of a label: lower case, split at anything not a letter or digit,
/// "&" read as "and", "abuse" as "use" (the legend's newer wording).
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| if w == "abuse" { "use" } else { w }.to_string())
        .collect()
}

/// The text without its parenthesized parts ("Seniors (65 or older)").
fn without_parentheses(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Words that say nothing about which service a label is.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "or",
    "and",
    "for",
    "with",
    "in",
    "on",
    "to",
    "e",
    "g",
    "eg",
    "other",
    "than",
    "offered",
    "services",
    "service",
    "clients",
    "persons",
    "who",
    "have",
    "experienced",
    "used",
];

fn content_words(text: &str) -> std::collections::BTreeSet<String> {
    let bare = without_parentheses(text);
    let from = if words(&bare).iter().any(|w| !FILLER.contains(&w.as_str())) {
        bare
    } else {
        text.to_string()
    };
    words(&from)
        .into_iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect()
}

/// The legend codes a service label stands for, however the year worded it:
/// the same words as a code's name (parenthesized parts, case and
/// punctuation ignored, or one `/`-alternative of the name: "Residential"
/// for "Residential/24-hour residential"); else the code whose name's
/// words contain the label's or are contained in them (fillers such as
/// "offered", "clients", "persons" left out), or whose description contains
/// them, the closest one when it is clearly closest. Codes of the label's
/// own category (`f2`, "PAY") are tried first. Empty: no code; the caller
/// reports the label.
pub fn match_label(label: &str, category: Option<&str>) -> Vec<String> {
    let entries = legend_entries();
    let in_category: Vec<&LegendEntry> = match category.map(str::trim) {
        Some(c) if !c.is_empty() => entries.iter().filter(|e| e.category == c).collect(),
        _ => Vec::new(),
    };
    let all: Vec<&LegendEntry> = entries.iter().collect();
    if in_category.is_empty() {
        let found = exact_codes(label, &all);
        if !found.is_empty() {
            return found;
        }
        return closest_code(label, &all, 0.5);
    }
    for found in [
        exact_codes(label, &in_category),
        exact_codes(label, &all),
        closest_code(label, &in_category, 0.5),
        // outside its category, only a clearly close name
        closest_code(label, &all, 0.51),
    ] {
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn exact_codes(label: &str, pool: &[&LegendEntry]) -> Vec<String> {
    let keys = [words(label), words(&without_parentheses(label))];
    let same = |text: &str| keys.contains(&words(text));
    let mut found: Vec<String> = pool
        .iter()
        .filter(|e| same(&e.name) || same(&without_parentheses(&e.name)))
        .map(|e| e.code.clone())
        .collect();
    if found.is_empty() {
        found = pool
            .iter()
            .filter(|e| e.name.contains('/') && e.name.split('/').any(same))
            .map(|e| e.code.clone())
            .collect();
    }
    found.sort();
    found.dedup();
    found
}

fn closest_code(label: &str, pool: &[&LegendEntry], at_least: f64) -> Vec<String> {
    let wanted = content_words(label);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut best: (f64, Vec<String>) = (0.0, Vec::new());
    for entry in pool {
        for (text, is_description) in [(&entry.name, false), (&entry.description, true)] {
            let have = content_words(text);
            if have.is_empty() {
                continue;
            }
            let nested = wanted.is_subset(&have) || (!is_description && have.is_subset(&wanted));
            if !nested {
                continue;
            }
            let shared = wanted.intersection(&have).count() as f64;
            let mut score = shared / wanted.union(&have).count() as f64;
            if is_description {
                score *= 0.5; // a description says more than a label
            }
            if score > best.0 + 1e-9 {
                best = (score, vec![entry.code.clone()]);
            } else if (score - best.0).abs() <= 1e-9 && !best.1.contains(&entry.code) {
                best.1.push(entry.code.clone());
            }
        }
    }
    if best.0 >= at_least && best.1.len() == 1 {
        best.1
    } else {
        Vec::new()
    }
}

/// One page of the API's answer.
#[derive(Debug, Deserialize)]
pub struct ApiPage {
    /// The page number, from 1, when the API says it.
    #[serde(default)]
    pub page: Option<u32>,
    /// How many pages the search has.
    #[serde(rename = "totalPages")]
    pub total_pages: u32,
    /// How many rows the search has, when the API says it.
    #[serde(rename = "recordCount", default)]
    pub record_count: Option<u64>,
    /// This page's rows.
    pub rows: Vec<Row>,
}

/// One facility row (every field a string, possibly missing).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Row {
    /// The locator's facility id (64 hex digits), when the row has one.
    pub frid: Option<String>,
    /// The facility's name.
    pub name1: Option<String>,
    /// A second name: the program's name, when given.
    pub name2: Option<String>,
    /// Street and number.
    pub street1: Option<String>,
    /// Suite, floor or building.
    pub street2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Two-letter state code.
    pub state: Option<String>,
    /// ZIP code (ZIP+4 possible).
    pub zip: Option<String>,
    /// The main phone number, as written.
    pub phone: Option<String>,
    /// The intake number, as written.
    pub intake1: Option<String>,
    /// A second intake number, as written.
    pub intake2: Option<String>,
    /// A hotline number, as written: the intake number when there is no other.
    pub hotline1: Option<String>,
    /// The facility's website, as written.
    pub website: Option<String>,
    /// Latitude, degrees north, as a number or a string.
    pub latitude: Option<serde_json::Value>,
    /// Longitude, degrees east, as a number or a string.
    pub longitude: Option<serde_json::Value>,
    /// The service categories, each with its labels.
    pub services: Vec<ServiceGroup>,
    /// Codes given as codes (the export CSV's columns set to `1`).
    #[serde(skip)]
    pub codes: Vec<String>,
}

/// One service category of a row and its labels.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServiceGroup {
    /// Category name.
    pub f1: Option<String>,
    /// Category code.
    pub f2: Option<String>,
    /// Service labels, "; "-joined.
    pub f3: Option<String>,
}

/// The search URL of page 1 with defaults filled in.
pub fn search_url(location: &str) -> Result<Url, String> {
    let mut url = Url::parse(location)
        .map_err(|e| format!("not a URL ({e}); give the API URL with ?sAddr=lat,lng"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https URLs".into());
    }
    if !url.path().ends_with(API_PATH) {
        let path = format!("{}{API_PATH}", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |params: &[(String, String)], key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let addr = get(&params, "sAddr").ok_or("no sAddr in the query: add ?sAddr=lat,lng")?;
    let valid = addr
        .split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
        .is_some_and(|(lat, lon)| (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
    if !valid {
        return Err(format!("sAddr {addr:?} is not \"lat,lng\""));
    }
    let mut set_default = |key: &str, value: String| {
        if get(&params, key).is_none() {
            params.push((key.into(), value));
        }
    };
    set_default("limitType", "2".into());
    set_default("limitValue", "40234".into());
    set_default("pageSize", MAX_PAGE_SIZE.to_string());
    set_default("sort", "0".into());
    for (key, value) in params.iter_mut() {
        if key == "sCodes" {
            let mut codes: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if !codes.contains(&super::samhsa::IOP_CODE) {
                codes.push(super::samhsa::IOP_CODE);
            }
            *value = codes.join(",");
        }
        if key == "pageSize" {
            let size: u32 = value.parse().unwrap_or(MAX_PAGE_SIZE);
            *value = size.clamp(1, MAX_PAGE_SIZE).to_string();
        }
    }
    if get(&params, "sCodes").is_none() {
        params.push(("sCodes".into(), super::samhsa::IOP_CODE.into()));
    }
    url.query_pairs_mut().clear().extend_pairs(&params);
    Ok(url)
}

/// Read the source at `location`: an API search (every page), a saved API
/// page, or an export CSV (see the module documentation).
pub async fn crawl(location: &str, ctx: &CrawlContext) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let is_url = super::is_url(location);
    let path_part = location.split(['?', '#']).next().unwrap_or(location);
    let lower = path_part.to_ascii_lowercase();
    if !is_url || lower.ends_with(".csv") {
        let mut out = SourceCrawl::default();
        let (bytes, edition) = if is_url {
            let fetcher = super::data_fetcher(ctx, 256 * 1024 * 1024)?;
            let page = fetcher
                .get(location)
                .await
                .map_err(|e| failed(format!("download failed: {e}")))?;
            out.pages_fetched += 1;
            let edition = page.last_modified.as_deref().and_then(super::http_date);
            (page.bytes, edition)
        } else {
            let bytes = std::fs::read(location).map_err(|e| failed(e.to_string()))?;
            (bytes, None)
        };
        let read = if bytes.trim_ascii_start().starts_with(b"{") {
            let page: ApiPage = serde_json::from_slice(&bytes)
                .map_err(|e| failed(format!("not the API's JSON: {e}")))?;
            listings_at(&page.rows, location, edition, ctx.today)
        } else {
            let rows = export_rows(&bytes).map_err(failed)?;
            let mut read = listings_at(&rows.rows, location, edition, ctx.today);
            read.unknown_codes = rows.unknown_codes;
            read
        };
        report(location, &read, &mut out);
        out.listings = read.listings;
        return Ok(out);
    }
    let url = search_url(location).map_err(failed)?;
    let fetcher = super::data_fetcher(ctx, 64 * 1024 * 1024)?;
    let mut out = SourceCrawl::default();
    let mut rows = Vec::new();
    let mut edition = None;
    let mut page = 1;
    loop {
        let mut page_url = url.clone();
        page_url
            .query_pairs_mut()
            .append_pair("page", &page.to_string());
        let fetched = fetcher
            .get(page_url.as_str())
            .await
            .map_err(|e| failed(format!("page {page}: {e}")))?;
        out.pages_fetched += 1;
        if page == 1 {
            edition = fetched.last_modified.as_deref().and_then(super::http_date);
        }
        let answer: ApiPage = serde_json::from_slice(&fetched.bytes)
            .map_err(|e| failed(format!("page {page}: not the API's JSON: {e}")))?;
        rows.extend(answer.rows);
        (ctx.progress)(Progress {
            done: rows.len() as u64,
            total: answer.record_count,
        });
        if page >= answer.total_pages || page >= MAX_PAGES {
            if page < answer.total_pages {
                out.notes.push(format!(
                    "{location}: stopped after {MAX_PAGES} pages of {}",
                    answer.total_pages
                ));
            }
            break;
        }
        page += 1;
    }
    let read = listings_at(&rows, url.as_str(), edition, ctx.today);
    out.notes.push(format!("{location}: {page} pages"));
    report(location, &read, &mut out);
    out.listings = read.listings;
    Ok(out)
}

/// The crawl report's lines for what the rows yielded: counts, then every
/// label (and export column) that matched no code, by name.
fn report(location: &str, read: &Read, out: &mut SourceCrawl) {
    out.notes.push(format!(
        "{location}: {} rows, {} intensive outpatient, {} merged, {} rejected; {} distinct service labels, {} of them matching no code",
        read.rows,
        read.iop_rows,
        read.merged,
        read.rejected.len(),
        read.labels.len(),
        read.unknown_labels.len()
    ));
    if !read.unknown_labels.is_empty() {
        let labels: Vec<&String> = read.unknown_labels.iter().collect();
        out.notes.push(format!(
            "service labels matching no code of the legend (their facts are not listed): {}",
            labels
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !read.unknown_codes.is_empty() {
        out.notes.push(format!(
            "export columns set to 1 that are no code of the legend (not listed): {}",
            read.unknown_codes.join(", ")
        ));
    }
    for reason in &read.rejected {
        out.error("rejected-record");
        if out.notes.len() <= 20 {
            out.notes.push(format!("rejected: {reason}"));
        }
    }
}

/// What the rows of a search yield.
#[derive(Debug, Default)]
pub struct Read {
    /// The listings made from the IOP rows (rows of one program merged).
    pub listings: Vec<iop_index::Listing>,
    /// Rows read.
    pub rows: usize,
    /// Rows that offer intensive outpatient care (the legend's IOP code).
    pub iop_rows: usize,
    /// IOP rows merged into a program already read (same facility id, or same
    /// names, street and ZIP).
    pub merged: usize,
    /// Why each IOP row that could not become a listing was rejected.
    pub rejected: Vec<String>,
    /// Every distinct service label read.
    pub labels: std::collections::BTreeSet<String>,
    /// The labels that matched no code, in order.
    pub unknown_labels: std::collections::BTreeSet<String>,
    /// Export columns set to `1` that are no code of the legend.
    pub unknown_codes: Vec<String>,
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_string()
}

fn coordinate(v: &Option<serde_json::Value>) -> Option<f64> {
    match v.as_ref()? {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Service codes of a row, each with the label it came from.
type Codes = Vec<(String, String)>;

/// The rows of an export CSV, their codes given as services.
pub struct ExportRows {
    /// The rows.
    pub rows: Vec<Row>,
    /// Columns set to `1` somewhere that are no code of the legend.
    pub unknown_codes: Vec<String>,
}

/// The columns of an export that are facts, not codes.
const EXPORT_FIELDS: &[&str] = &[
    "frid",
    "name1",
    "name2",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "zip4",
    "county",
    "phone",
    "intake_prompt",
    "intake1",
    "intake2",
    "hotline1",
    "website",
    "latitude",
    "longitude",
    "type_facility",
    "miles",
];

/// Read the locator's export CSV: headers trimmed and read in any case;
/// a code column counts when its cell is `1`.
pub fn export_rows(bytes: &[u8]) -> Result<ExportRows, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("not a readable CSV: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for needed in ["name1", "state", "zip"] {
        if !headers.iter().any(|h| h == needed) {
            return Err(format!(
                "no column {needed:?}: is this FindTreatment's export CSV?"
            ));
        }
    }
    let legend = legend();
    let mut unknown = std::collections::BTreeSet::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("not a readable CSV: {e}"))?;
        let mut fields: HashMap<&str, String> = HashMap::new();
        let mut codes: Vec<String> = Vec::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            let cell = cell.trim();
            if EXPORT_FIELDS.contains(&header.as_str()) {
                if !cell.is_empty() {
                    fields.insert(header, cell.to_string());
                }
            } else if cell == "1" {
                let code = header.to_ascii_uppercase();
                if legend.contains_key(&code) {
                    codes.push(code);
                } else {
                    unknown.insert(header.clone());
                }
            }
        }
        let mut take = |k: &str| fields.remove(k);
        let zip = match (take("zip"), take("zip4")) {
            (Some(zip), Some(four)) => Some(format!("{zip}-{four}")),
            (zip, _) => zip,
        };
        rows.push(Row {
            frid: take("frid"),
            name1: take("name1"),
            name2: take("name2"),
            street1: take("street1"),
            street2: take("street2"),
            city: take("city"),
            state: take("state"),
            zip,
            phone: take("phone"),
            intake1: take("intake1"),
            intake2: take("intake2"),
            hotline1: take("hotline1"),
            website: take("website"),
            latitude: take("latitude").map(serde_json::Value::String),
            longitude: take("longitude").map(serde_json::Value::String),
            services: Vec::new(),
            codes,
        });
    }
    Ok(ExportRows {
        rows,
        unknown_codes: unknown.into_iter().collect(),
    })
}

/// Turn API rows into listings (IOP rows only), checked on `checked`.
pub fn listings(rows: &[Row], search_url: &str, checked: time::Date) -> Read {
    listings_at(rows, search_url, None, checked)
}

/// [`listings`] with the source's own date (`edition`: the Last-Modified
/// day of what was read) when known.
pub fn listings_at(
    rows: &[Row],
    location: &str,
    edition: Option<String>,
    checked: time::Date,
) -> Read {
    let vocabulary = Vocabulary::get();
    let mut read = Read {
        rows: rows.len(),
        ..Read::default()
    };
    // identity -> (row, (code, label) in order)
    let mut order: Vec<String> = Vec::new();
    let mut programs: HashMap<String, (&Row, Codes)> = HashMap::new();
    for row in rows {
        let mut codes: Codes = Vec::new();
        let legend = legend();
        for code in &row.codes {
            let label = legend.get(code).cloned().unwrap_or_default();
            codes.push((code.clone(), label));
        }
        for group in &row.services {
            for label in text(&group.f3).split(';') {
                let label = label.trim();
                if label.is_empty() {
                    continue;
                }
                read.labels.insert(label.to_string());
                let found = match_label(label, group.f2.as_deref());
                if found.is_empty() {
                    read.unknown_labels.insert(label.to_string());
                }
                for code in found {
                    if !codes.iter().any(|(c, _)| *c == code) {
                        codes.push((code, label.to_string()));
                    }
                }
            }
        }
        if !codes.iter().any(|(c, _)| c == super::samhsa::IOP_CODE) {
            continue;
        }
        read.iop_rows += 1;
        let key = match row.frid.as_deref().map(str::trim) {
            Some(frid) if !frid.is_empty() => format!("frid:{}", frid.to_ascii_lowercase()),
            _ => [&row.name1, &row.name2, &row.street1, &row.zip]
                .map(|p| label_key(&text(p)))
                .join("|"),
        };
        match programs.get_mut(&key) {
            Some((_, merged)) => {
                read.merged += 1;
                for code in codes {
                    if !merged.iter().any(|(c, _)| *c == code.0) {
                        merged.push(code);
                    }
                }
            }
            None => {
                order.push(key.clone());
                programs.insert(key, (row, codes));
            }
        }
    }
    for key in order {
        let (row, codes) = &programs[&key];
        let mut record_text = format!(
            "{} | {} | {} | {}",
            text(&row.name1),
            text(&row.name2),
            text(&row.street1),
            text(&row.zip)
        );
        if let Some(frid) = &row.frid {
            record_text = format!("frid {frid}: {record_text}");
        }
        let source = Source {
            kind: KIND.into(),
            title: TITLE.into(),
            url: Some(if iop_index::listing::is_public_url(location) {
                location.to_string()
            } else {
                PUBLIC_PAGE.to_string()
            }),
            record: Some(record_text),
            edition: edition.clone(),
        };
        let mut record = SourceRecord::new(
            source,
            key.clone(),
            checked,
            text(&row.name1),
            text(&row.city),
            text(&row.state),
            text(&row.zip),
        );
        let some = |v: &Option<String>| Some(text(v)).filter(|s| !s.is_empty());
        record.program_name = some(&row.name2);
        record.street = some(&row.street1);
        record.street2 = some(&row.street2);
        record.phone = some(&row.phone);
        record.intake_phone = some(&row.intake1).or_else(|| some(&row.hotline1));
        record.more_intake_phones = some(&row.intake2).into_iter().collect();
        record.website = some(&row.website);
        record.lat_lon = coordinate(&row.latitude).zip(coordinate(&row.longitude));
        for (code, label) in codes {
            for value in vocabulary.values_for_code(code) {
                record
                    .values
                    .push((value.id, Some(format!("{code}: {label}"))));
            }
        }
        let code_list: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
        let street = text(&row.street1);
        record.values.extend(super::samhsa::format_values(
            &code_list,
            Some(street.as_str()),
            &|c| {
                codes
                    .iter()
                    .find(|(code, _)| code == c)
                    .map(|(_, l)| l.clone())
            },
        ));
        let has = |wanted: &[&str]| codes.iter().any(|(c, _)| wanted.contains(&c.as_str()));
        // the locator lists every service of a facility: a missing setting
        // means it is not offered
        record.php = Some(has(&["ODT", "PHDT", "PH"]));
        record.outpatient = Some(has(&["OP", "ORT"]));
        match normalize(record) {
            Ok(listing) => read.listings.push(listing),
            Err(e) => read.rejected.push(e.to_string()),
        }
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_back_to_codes_in_any_case() {
        assert_eq!(codes_for_label("intensive OUTPATIENT  treatment"), ["OIT"]);
        assert_eq!(codes_for_label("Medicaid"), ["MD"]);
        assert!(codes_for_label("Partial hospitalization/day treatment").contains(&"PHDT".into()));
        assert!(codes_for_label("no such service").is_empty());
    }

    #[test]
    fn labels_worded_by_other_years_map_by_their_words() {
        for (label, category, code) in [
            (
                "Commission on Accreditation of Rehabilitation Facilities",
                "LCA",
                "CARF",
            ),
            ("Military insurance (e.g., TRICARE)", "PAY", "MI"),
            (
                "Persons with co-occurring mental and substance use disorders",
                "SG",
                "CO",
            ),
            ("Telemedicine/telehealth", "SET", "TELE"),
            ("Group counseling offered", "EDU", "GCO"),
            ("Individual counseling offered", "EDU", "ICO"),
            ("Family counseling offered", "EDU", "FCO"),
            ("Residential", "SET", "RES"),
            ("Seniors (65 or older)", "AGE", "SNR"),
            ("Intensive outpatient treatment", "SET", "OIT"),
        ] {
            assert_eq!(match_label(label, Some(category)), [code], "{label}");
        }
        // a near miss is not a match: reported, never guessed
        assert!(match_label("Trauma therapy", Some("TAP")).is_empty());
        assert!(match_label("Treatment for internet use disorder", Some("OTHR")).is_empty());
    }

    #[test]
    fn search_url_fills_defaults_and_keeps_oit() {
        let url =
            search_url("http://127.0.0.1:9/?sAddr=40.75,-73.99&sCodes=MD&pageSize=5000").unwrap();
        assert_eq!(url.path(), API_PATH);
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["sCodes"], "MD,OIT");
        assert_eq!(q["pageSize"], "2000");
        assert_eq!(q["limitType"], "2");
        assert!(
            search_url("http://127.0.0.1:9/locator/exportsAsJson/v2?limitValue=5")
                .unwrap_err()
                .contains("sAddr")
        );
        assert!(search_url("http://x/?sAddr=Boston")
            .unwrap_err()
            .contains("lat,lng"));
    }
}
