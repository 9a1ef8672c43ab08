//! `findtreatment`: FindTreatment.gov's public JSON API (SAMHSA).
//!
//! The location is the API URL with the search in its query:
//! `https://findtreatment.gov/locator/exportsAsJson/v2?sAddr=40.75,-73.99&limitValue=80467`.
//! The base is whatever scheme, host and path prefix the URL has (a URL
//! without the `/locator/exportsAsJson/v2` path gets it appended), so tests
//! point it at a loopback server. `sAddr` ("lat,lng") is required; defaults
//! are `limitType=2` (distance), `limitValue=40234` (25 miles, in metres),
//! `sCodes=OIT` (OIT is always added: codes are AND-ed, so only intensive
//! outpatient facilities come back), `pageSize=2000` (the API's maximum),
//! `sort=0`. Every page is read; any failed page fails the whole source.
//!
//! Rows carry service labels, not codes: each label goes back to its SAMHSA
//! code(s) through the embedded legend (`samhsa_legend.tsv`, case ignored),
//! then through the vocabulary. Rows whose services do not include OIT are
//! skipped. Coordinates are exact; the id comes from name1, name2, street1
//! and ZIP (the API has no facility id), and rows with the same key merge.

use super::{CrawlContext, Progress, SourceCrawl, SourceError};
use crate::normalize::{normalize, SourceRecord};
use iop_index::listing::Source;
use iop_index::Vocabulary;
use reqwest::Url;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

pub const KIND: &str = "findtreatment";
pub const TITLE: &str = "FindTreatment.gov (SAMHSA treatment locator)";
/// The API path under the base URL.
pub const API_PATH: &str = "/locator/exportsAsJson/v2";
/// The API's largest page.
pub const MAX_PAGE_SIZE: u32 = 2000;
/// Pages read at most (2,000 rows each), against a server that never ends.
pub const MAX_PAGES: u32 = 500;

const LEGEND_TSV: &str = include_str!("samhsa_legend.tsv");

/// SAMHSA service code -> name, from the public legend.
pub fn legend() -> &'static HashMap<String, String> {
    static LEGEND: OnceLock<HashMap<String, String>> = OnceLock::new();
    LEGEND.get_or_init(|| {
        LEGEND_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    })
}

/// The codes a service label stands for (case and spacing ignored).
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

/// One page of the API's answer.
#[derive(Debug, Deserialize)]
pub struct ApiPage {
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(rename = "totalPages")]
    pub total_pages: u32,
    #[serde(rename = "recordCount", default)]
    pub record_count: Option<u64>,
    pub rows: Vec<Row>,
}

/// One facility row (every field a string, possibly missing).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Row {
    pub name1: Option<String>,
    pub name2: Option<String>,
    pub street1: Option<String>,
    pub street2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub intake1: Option<String>,
    pub hotline1: Option<String>,
    pub website: Option<String>,
    pub latitude: Option<serde_json::Value>,
    pub longitude: Option<serde_json::Value>,
    pub services: Vec<ServiceGroup>,
}

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

/// Read every page of the search at `location`.
pub async fn crawl(location: &str, ctx: &CrawlContext) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let url = search_url(location).map_err(failed)?;
    let fetcher = super::data_fetcher(ctx, 64 * 1024 * 1024)?;
    let mut out = SourceCrawl::default();
    let mut rows = Vec::new();
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
    let read = listings(&rows, url.as_str(), ctx.today);
    out.notes.push(format!(
        "{location}: {} rows in {page} pages, {} intensive outpatient, {} merged, {} rejected, {} unknown service labels",
        rows.len(),
        read.iop_rows,
        read.merged,
        read.rejected.len(),
        read.unknown_labels.len()
    ));
    if !read.unknown_labels.is_empty() {
        let mut labels: Vec<&String> = read.unknown_labels.iter().collect();
        labels.sort();
        labels.truncate(10);
        out.notes
            .push(format!("unknown service labels: {labels:?}"));
    }
    for reason in &read.rejected {
        out.error("rejected-record");
        if out.notes.len() <= 20 {
            out.notes.push(format!("rejected: {reason}"));
        }
    }
    out.listings = read.listings;
    Ok(out)
}

/// What the rows of a search yield.
#[derive(Debug, Default)]
pub struct Read {
    pub listings: Vec<iop_index::Listing>,
    pub iop_rows: usize,
    pub merged: usize,
    pub rejected: Vec<String>,
    pub unknown_labels: std::collections::HashSet<String>,
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

/// Turn API rows into listings (IOP rows only), checked on `checked`.
pub fn listings(rows: &[Row], search_url: &str, checked: time::Date) -> Read {
    let vocabulary = Vocabulary::get();
    let mut read = Read::default();
    // key -> (row, (code, label) in order)
    let mut order: Vec<String> = Vec::new();
    let mut programs: HashMap<String, (&Row, Codes)> = HashMap::new();
    for row in rows {
        let mut codes: Vec<(String, String)> = Vec::new();
        for group in &row.services {
            for label in text(&group.f3).split(';') {
                let label = label.trim();
                if label.is_empty() {
                    continue;
                }
                let found = codes_for_label(label);
                if found.is_empty() {
                    read.unknown_labels.insert(label.to_string());
                }
                for code in found {
                    if !codes.iter().any(|(c, _)| c == code) {
                        codes.push((code.clone(), label.to_string()));
                    }
                }
            }
        }
        if !codes.iter().any(|(c, _)| c == super::samhsa::IOP_CODE) {
            continue;
        }
        read.iop_rows += 1;
        let key = [&row.name1, &row.name2, &row.street1, &row.zip]
            .map(|p| label_key(&text(p)))
            .join("|");
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
        let source = Source {
            kind: KIND.into(),
            title: TITLE.into(),
            url: Some(search_url.to_string()),
            record: Some(format!(
                "{} | {} | {} | {}",
                text(&row.name1),
                text(&row.name2),
                text(&row.street1),
                text(&row.zip)
            )),
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
        record.website = some(&row.website);
        record.lat_lon = coordinate(&row.latitude).zip(coordinate(&row.longitude));
        for (code, label) in codes {
            for value in vocabulary.values_for_code(code) {
                record
                    .values
                    .push((value.id, Some(format!("{code}: {label}"))));
            }
        }
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
