//! `hsds`: an Open Referral HSDS 3.0 directory, as an API or a data package.
//!
//! - API: `hsds=https://api.example.org/hsds` (a trailing `/services` is
//!   dropped). Reads `{base}/services?page=N&full=true` (the `Page` envelope:
//!   `total_pages`, `page_number`, `contents`) until the last page; a service
//!   listed without nested `service_at_locations` is read whole from
//!   `{base}/services/{id}`. A failed list page fails the source; a failed
//!   service detail is an error counted.
//! - Data package: a local directory (or its `datapackage.json`), or a URL
//!   ending in `datapackage.json`. The tables are the resources its
//!   `datapackage.json` lists (`{"name": "service", "path": "services.csv",
//!   "format": "csv", ...}`; a resource is matched to a table by its name or
//!   file name, singular or plural; `path` may be a list of parts, or `data`
//!   inline rows), each a CSV file (Open Referral's tabular form: a header
//!   row, every cell a string, an empty cell an absent field; UTF-8, a BOM
//!   dropped, else detected) or JSON (an array of flat objects, or a
//!   `contents` envelope). Paths are relative to the package (no `..`).
//!   Without a `datapackage.json` (or one without `resources`), the tables
//!   are `services.json`, `organizations.json`, `service_at_locations.json`,
//!   `locations.json`, `addresses.json`, `phones.json`, `schedules.json`,
//!   `attributes.json`, `taxonomy_terms.json`, `languages.json` beside it
//!   (in a local directory, `{table}.csv` when there is no `.json`, and
//!   HSDS 3.0's `service_at_location.csv`, in the singular). Only
//!   services are required; a listed table that is missing is an error
//!   counted. The tables are joined by their `*_id` fields into the nested
//!   form the API gives, so CSV, JSON and the API share one mapping
//!   (coordinates given as strings are parsed where they are read).
//!
//! Each active service that is intensive outpatient becomes one listing per
//! service-at-location with an address. The IOP rule: a taxonomy term of the
//! service (code `OIT`, or a name or value saying "intensive outpatient" or
//! "IOP"), or its name, alternate name or description saying so outside a
//! negation. Facets come from taxonomy term codes (SAMHSA codes) and names
//! (vocabulary phrases), language names, and the description's prose (the
//! extractor's rules, negations included). A directory exported by IOP
//! Finder (`iopfinder export --format hsds`) is read exactly: the terms of
//! its own taxonomy ([`OWN_TAXONOMY`], codes `group/slug`) are its facets.

use super::{CrawlContext, Progress, SourceCrawl, SourceError};
use crate::fetch::Fetcher;
use crate::normalize::{normalize, session, SourceRecord};
use iop_index::listing::{Source, Weekday};
use iop_index::Vocabulary;
use reqwest::Url;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// The source kind of an HSDS feed's listings.
pub const KIND: &str = "hsds";
/// The taxonomy of IOP Finder's own HSDS export (its vocabulary).
pub const OWN_TAXONOMY: &str = "IOP Finder vocabulary";
/// List pages read at most.
pub const MAX_PAGES: u64 = 1000;

const TABLES: [&str; 10] = [
    "services",
    "organizations",
    "service_at_locations",
    "locations",
    "addresses",
    "phones",
    "schedules",
    "attributes",
    "taxonomy_terms",
    "languages",
];

/// The URL of a service (by id) for its source record.
type UrlOf = Box<dyn Fn(&str) -> Option<String>>;

/// Read the HSDS directory at `location`.
pub async fn crawl(location: &str, ctx: &CrawlContext) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let mut out = SourceCrawl::default();
    let is_url = super::is_url(location);
    let package = !is_url || location.ends_with("datapackage.json");
    let (services, url_of): (Vec<Value>, UrlOf) = if package {
        let tables = read_package(location, ctx, &mut out)
            .await
            .map_err(&failed)?;
        let (services, without_id) = assemble(tables);
        if without_id > 0 {
            *out.errors.entry("service-without-id".into()).or_default() += without_id;
            out.notes.push(format!(
                "{without_id} services without an id: not read (an HSDS service needs an id to be joined to its locations)"
            ));
        }
        let loc = location.to_string();
        (services, Box::new(move |_| is_url.then(|| loc.clone())))
    } else {
        let base = location
            .trim_end_matches('/')
            .trim_end_matches("/services")
            .to_string();
        let services = read_api(&base, ctx, &mut out).await.map_err(&failed)?;
        (
            services,
            Box::new(move |id| Some(format!("{base}/services/{id}"))),
        )
    };
    // a private or loopback host is never shown as a source
    let title = match Url::parse(location)
        .ok()
        .filter(|_| iop_index::listing::is_public_url(location))
        .and_then(|u| u.host_str().map(str::to_string))
    {
        Some(host) => format!("Open Referral HSDS directory at {host}"),
        None if package => "Open Referral HSDS data package".to_string(),
        None => "Open Referral HSDS directory".to_string(),
    };
    let mut counts = (0, 0, 0); // services, IOP services, inactive
    for service in &services {
        counts.0 += 1;
        if !is_active(service) {
            counts.2 += 1;
            continue;
        }
        if !is_iop(service) {
            continue;
        }
        counts.1 += 1;
        for record in records(service, &title, &*url_of, ctx.today, &mut out) {
            match normalize(record) {
                Ok(listing) => out.listings.push(listing),
                Err(e) => {
                    out.error("rejected-record");
                    if out.notes.len() <= 20 {
                        out.notes.push(format!("rejected: {e}"));
                    }
                }
            }
        }
    }
    out.notes.insert(
        0,
        format!(
            "{location}: {} services, {} intensive outpatient, {} inactive, {} listings",
            counts.0,
            counts.1,
            counts.2,
            out.listings.len()
        ),
    );
    Ok(out)
}

/// Tables of a data package, by name.
type Tables = HashMap<&'static str, Vec<Value>>;

fn rows_of(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(rows) => Some(rows),
        Value::Object(mut map) => match map.remove("contents") {
            Some(Value::Array(rows)) => Some(rows),
            _ => None,
        },
        _ => None,
    }
}

/// Singular names of [`TABLES`], as HSDS 3.0's own `datapackage.json` names
/// its resources (`{"name": "service", "path": "services.csv"}`).
const SINGULAR: [&str; 10] = [
    "service",
    "organization",
    "service_at_location",
    "location",
    "address",
    "phone",
    "schedule",
    "attribute",
    "taxonomy_term",
    "language",
];

/// Where a data package's files are: a local directory or a base URL.
enum PackageBase {
    Dir(PathBuf),
    Url(Url, Box<Fetcher>),
}

impl PackageBase {
    /// Read `path` (relative to the package): `None` when it does not exist.
    async fn read(&self, path: &str, out: &mut SourceCrawl) -> Result<Option<Vec<u8>>, String> {
        let relative = !path.starts_with('/')
            && !path.starts_with('\\')
            && !path.contains(':')
            && !path.split(['/', '\\']).any(|part| part == "..");
        match self {
            PackageBase::Dir(dir) => {
                if !relative {
                    return Err(format!(
                        "{path}: a resource path must be relative to the package, without `..`"
                    ));
                }
                let file = dir.join(path);
                match std::fs::read(&file) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(format!("{}: {e}", file.display())),
                }
            }
            PackageBase::Url(base, fetcher) => {
                let absolute = super::is_url(path);
                if !relative && !absolute {
                    return Err(format!(
                        "{path}: a resource path must be relative to the package, without `..`, or a URL"
                    ));
                }
                let url = base.join(path).map_err(|e| format!("{path}: {e}"))?;
                match fetcher.get(url.as_str()).await {
                    Ok(page) => {
                        out.pages_fetched += 1;
                        Ok(Some(page.bytes))
                    }
                    Err(crate::fetch::FetchError::Status(404)) => {
                        out.pages_fetched += 1;
                        Ok(None)
                    }
                    Err(e) => Err(format!("{url}: {e}")),
                }
            }
        }
    }
}

/// How a resource's file is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Json,
}

/// One table to read: from files (several parts are one table) or inline rows.
struct Resource {
    table: &'static str,
    paths: Vec<String>,
    format: Format,
    inline: Option<Vec<Value>>,
}

/// The table a `datapackage.json` resource holds, by its name or file name.
fn table_of(name: Option<&str>, path: Option<&str>) -> Option<&'static str> {
    let stem = path.map(|p| {
        let file = p.rsplit(['/', '\\']).next().unwrap_or(p);
        file.split('.').next().unwrap_or(file)
    });
    [name, stem].into_iter().flatten().find_map(|candidate| {
        let candidate = candidate.trim().to_ascii_lowercase().replace('-', "_");
        TABLES
            .iter()
            .zip(SINGULAR)
            .find(|(plural, singular)| candidate == **plural || candidate == *singular)
            .map(|(plural, _)| *plural)
    })
}

fn format_of(resource: &Value, path: Option<&str>) -> Option<Format> {
    let declared = str_of(resource, "format")
        .or_else(|| str_of(resource, "mediatype"))
        .map(str::to_ascii_lowercase);
    match declared.as_deref() {
        Some("csv" | "text/csv") => return Some(Format::Csv),
        Some("json" | "application/json") => return Some(Format::Json),
        _ => {}
    }
    let path = path?.to_ascii_lowercase();
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.ends_with(".csv") {
        Some(Format::Csv)
    } else if path.ends_with(".json") {
        Some(Format::Json)
    } else {
        None
    }
}

/// The HSDS tables a `datapackage.json` lists (`None`: it lists no resources).
fn resources_of(descriptor: &Value, out: &mut SourceCrawl) -> Option<Vec<Resource>> {
    let resources = descriptor.get("resources")?.as_array()?;
    let mut plan = Vec::new();
    for resource in resources {
        let paths: Vec<String> = match resource.get("path") {
            Some(Value::String(p)) => vec![p.clone()],
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let first = paths.first().map(String::as_str);
        let Some(table) = table_of(str_of(resource, "name"), first) else {
            continue; // programs, contacts...: not used
        };
        let inline = resource.get("data").and_then(Value::as_array).cloned();
        let format = match format_of(resource, first) {
            Some(format) => format,
            None if inline.is_some() => Format::Json,
            None => {
                out.error("unreadable-resource");
                out.notes.push(format!(
                    "resource {table}: neither CSV nor JSON ({}), not read",
                    first.unwrap_or("no path")
                ));
                continue;
            }
        };
        if paths.is_empty() && inline.is_none() {
            out.error("unreadable-resource");
            out.notes
                .push(format!("resource {table}: no path and no data, not read"));
            continue;
        }
        plan.push(Resource {
            table,
            paths,
            format,
            inline,
        });
    }
    Some(plan)
}

/// Text of a CSV file: UTF-8 (a byte-order mark dropped), else detected.
fn csv_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => crate::fetch::charset::decode(bytes, Some("text/csv")).0,
    }
}

/// Rows of a CSV table as flat objects of strings; an empty cell is an
/// absent field. `header` is the first part's header, for later parts of a
/// multi-part resource (which have none).
fn csv_rows(
    bytes: &[u8],
    header: Option<&csv::StringRecord>,
) -> Result<(csv::StringRecord, Vec<Value>), String> {
    let text = csv_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(header.is_none())
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match header {
        Some(h) => h.clone(),
        None => reader
            .headers()
            .map_err(|e| format!("header: {e}"))?
            .iter()
            .map(str::trim)
            .collect(),
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let row: Map<String, Value> = header
            .iter()
            .zip(record.iter())
            .filter(|(column, cell)| !column.is_empty() && !cell.trim().is_empty())
            .map(|(column, cell)| (column.to_string(), Value::String(cell.to_string())))
            .collect();
        if !row.is_empty() {
            rows.push(Value::Object(row));
        }
    }
    Ok((header, rows))
}

/// Read a data package: the tables its `datapackage.json` lists (CSV or
/// JSON), or, without one, `{table}.json` files beside it (and, in a local
/// directory, `{table}.csv`).
async fn read_package(
    location: &str,
    ctx: &CrawlContext,
    out: &mut SourceCrawl,
) -> Result<Tables, String> {
    let (base, descriptor_path) = if super::is_url(location) {
        let url = Url::parse(location).map_err(|e| e.to_string())?;
        let fetcher = super::data_fetcher(ctx, 256 * 1024 * 1024).map_err(|e| e.to_string())?;
        (
            PackageBase::Url(url, Box::new(fetcher)),
            "datapackage.json".to_string(),
        )
    } else {
        let mut dir = PathBuf::from(location);
        let mut descriptor = "datapackage.json".to_string();
        if dir.extension().is_some_and(|e| e == "json") {
            if let Some(name) = dir.file_name() {
                descriptor = name.to_string_lossy().into_owned();
            }
            dir.pop();
        }
        (PackageBase::Dir(dir), descriptor)
    };
    let descriptor = match base.read(&descriptor_path, out).await? {
        Some(bytes) => Some(
            serde_json::from_slice::<Value>(&bytes)
                .map_err(|e| format!("{descriptor_path}: not JSON: {e}"))?,
        ),
        None => None,
    };
    let plan = match descriptor.as_ref().and_then(|d| resources_of(d, out)) {
        Some(plan) => {
            if !plan.iter().any(|r| r.table == "services") {
                return Err(format!(
                    "{descriptor_path} lists no services resource: is this an HSDS data package?"
                ));
            }
            plan
        }
        None => {
            let mut formats = vec![Format::Json];
            if matches!(base, PackageBase::Dir(_)) {
                formats.push(Format::Csv);
            }
            TABLES
                .iter()
                .zip(SINGULAR)
                .map(|(table, singular)| Resource {
                    table,
                    // HSDS 3.0's tabular form names one file in the
                    // singular (`service_at_location.csv`)
                    paths: formats
                        .iter()
                        .flat_map(|f| match f {
                            Format::Json => vec![format!("{table}.json")],
                            Format::Csv if *table == "service_at_locations" => {
                                vec![format!("{table}.csv"), format!("{singular}.csv")]
                            }
                            Format::Csv => vec![format!("{table}.csv")],
                        })
                        .collect(),
                    // alternatives, not parts: the first file found is read
                    format: Format::Json,
                    inline: None,
                })
                .collect()
        }
    };
    let listed = descriptor
        .as_ref()
        .is_some_and(|d| d.get("resources").and_then(Value::as_array).is_some());
    let mut tables = Tables::new();
    let total = plan.len() as u64;
    for (i, resource) in plan.into_iter().enumerate() {
        let table = resource.table;
        let rows = if let Some(rows) = resource.inline {
            Some(rows)
        } else if listed {
            read_parts(&base, &resource.paths, resource.format, out).await?
        } else {
            // probing: the first file of the alternatives that exists
            let mut found = None;
            for path in &resource.paths {
                if let Some(bytes) = base.read(path, out).await? {
                    let format = if path.ends_with(".csv") {
                        Format::Csv
                    } else {
                        Format::Json
                    };
                    found = Some(parse_table(path, &bytes, format, None)?.1);
                    break;
                }
            }
            found
        };
        (ctx.progress)(Progress {
            done: i as u64 + 1,
            total: Some(total),
        });
        match rows {
            Some(rows) => tables.entry(table).or_default().extend(rows),
            None if table == "services" => {
                return Err(if listed {
                    format!(
                        "{}: not found",
                        resource.paths.first().map_or("services", String::as_str)
                    )
                } else {
                    "no services.json: is this an HSDS data package?".into()
                });
            }
            None if listed => {
                out.error("missing-resource");
                out.notes.push(format!(
                    "{}: listed in {descriptor_path} but not found",
                    resource.paths.join(", ")
                ));
            }
            None => {}
        }
    }
    Ok(tables)
}

/// Read every part of a listed resource: `None` when the first is missing.
async fn read_parts(
    base: &PackageBase,
    paths: &[String],
    format: Format,
    out: &mut SourceCrawl,
) -> Result<Option<Vec<Value>>, String> {
    let mut rows = Vec::new();
    let mut header = None;
    for (i, path) in paths.iter().enumerate() {
        let Some(bytes) = base.read(path, out).await? else {
            if i == 0 {
                return Ok(None);
            }
            return Err(format!("{path}: not found"));
        };
        let (h, part) = parse_table(path, &bytes, format, header.as_ref())?;
        header = header.or(h);
        rows.extend(part);
    }
    Ok(Some(rows))
}

/// One file's rows; for CSV also its header (for the next parts).
fn parse_table(
    path: &str,
    bytes: &[u8],
    format: Format,
    header: Option<&csv::StringRecord>,
) -> Result<(Option<csv::StringRecord>, Vec<Value>), String> {
    match format {
        Format::Csv => {
            let (header, rows) = csv_rows(bytes, header).map_err(|e| format!("{path}: {e}"))?;
            Ok((Some(header), rows))
        }
        Format::Json => {
            let value: Value =
                serde_json::from_slice(bytes).map_err(|e| format!("{path}: not JSON: {e}"))?;
            let rows = rows_of(value).ok_or_else(|| format!("{path}: not an array of rows"))?;
            Ok((None, rows))
        }
    }
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

/// Join the tables of a package into nested services, as the API gives
/// them; also how many services had no `id` (they cannot be joined).
fn assemble(mut tables: Tables) -> (Vec<Value>, usize) {
    let mut take = |name: &str| tables.remove(name).unwrap_or_default();
    let services = take("services");
    let organizations = take("organizations");
    let sals = take("service_at_locations");
    let locations = take("locations");
    let addresses = take("addresses");
    let phones = take("phones");
    let schedules = take("schedules");
    let attributes = take("attributes");
    let terms = take("taxonomy_terms");
    let languages = take("languages");
    let by_id = |rows: &[Value]| -> HashMap<String, Value> {
        rows.iter()
            .filter_map(|r| Some((id_of(r)?.to_string(), r.clone())))
            .collect()
    };
    let organizations = by_id(&organizations);
    let terms = by_id(&terms);
    let linked = |rows: &[Value], key: &str, id: &str| -> Value {
        Value::Array(
            rows.iter()
                .filter(|r| r.get(key).and_then(Value::as_str) == Some(id))
                .cloned()
                .collect(),
        )
    };
    let attributes_of = |id: &str| -> Value {
        Value::Array(
            attributes
                .iter()
                .filter(|a| a.get("link_id").and_then(Value::as_str) == Some(id))
                .map(|a| {
                    let mut a = a.clone();
                    let term = a
                        .get("taxonomy_term_id")
                        .and_then(Value::as_str)
                        .and_then(|t| terms.get(t))
                        .cloned();
                    if let (Some(term), Some(map)) = (term, a.as_object_mut()) {
                        map.entry("taxonomy_term").or_insert(term);
                    }
                    a
                })
                .collect(),
        )
    };
    let locations = by_id(&locations);
    let mut out = Vec::with_capacity(services.len());
    let mut without_id = 0;
    for mut service in services {
        let Some(id) = id_of(&service).map(str::to_string) else {
            without_id += 1;
            continue;
        };
        let org = service
            .get("organization_id")
            .and_then(Value::as_str)
            .and_then(|o| organizations.get(o))
            .cloned()
            .map(|mut org| {
                if let Some(oid) = id_of(&org).map(str::to_string) {
                    set(&mut org, "phones", linked(&phones, "organization_id", &oid));
                }
                org
            });
        let sal_list: Vec<Value> = sals
            .iter()
            .filter(|s| s.get("service_id").and_then(Value::as_str) == Some(id.as_str()))
            .map(|sal| {
                let mut sal = sal.clone();
                let sid = id_of(&sal).unwrap_or("").to_string();
                set(
                    &mut sal,
                    "phones",
                    linked(&phones, "service_at_location_id", &sid),
                );
                set(
                    &mut sal,
                    "schedules",
                    linked(&schedules, "service_at_location_id", &sid),
                );
                let location = sal
                    .get("location_id")
                    .and_then(Value::as_str)
                    .and_then(|l| locations.get(l))
                    .cloned()
                    .map(|mut loc| {
                        let lid = id_of(&loc).unwrap_or("").to_string();
                        set(
                            &mut loc,
                            "addresses",
                            linked(&addresses, "location_id", &lid),
                        );
                        set(&mut loc, "phones", linked(&phones, "location_id", &lid));
                        loc
                    });
                if let Some(location) = location {
                    set(&mut sal, "location", location);
                }
                sal
            })
            .collect();
        set(&mut service, "service_at_locations", Value::Array(sal_list));
        set(&mut service, "phones", linked(&phones, "service_id", &id));
        set(
            &mut service,
            "schedules",
            linked(&schedules, "service_id", &id),
        );
        set(
            &mut service,
            "languages",
            linked(&languages, "service_id", &id),
        );
        set(&mut service, "attributes", attributes_of(&id));
        if let Some(org) = org {
            set(&mut service, "organization", org);
        }
        out.push(service);
    }
    (out, without_id)
}

/// Set `key` unless the object has a non-empty value there already.
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        let empty = match map.get(key) {
            None | Some(Value::Null) => true,
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty {
            map.insert(key.to_string(), value);
        }
    }
}

async fn read_api(
    base: &str,
    ctx: &CrawlContext,
    out: &mut SourceCrawl,
) -> Result<Vec<Value>, String> {
    let fetcher: Fetcher = super::data_fetcher(ctx, 64 * 1024 * 1024).map_err(|e| e.to_string())?;
    let mut services = Vec::new();
    let mut page = 1u64;
    loop {
        let url = format!("{base}/services?page={page}&full=true");
        let fetched = fetcher
            .get(&url)
            .await
            .map_err(|e| format!("services page {page}: {e}"))?;
        out.pages_fetched += 1;
        let value: Value = serde_json::from_slice(&fetched.bytes)
            .map_err(|e| format!("services page {page}: not JSON: {e}"))?;
        let total_pages = value.get("total_pages").and_then(Value::as_u64);
        let total_items = value.get("total_items").and_then(Value::as_u64);
        let last = value.get("last_page").and_then(Value::as_bool);
        let contents = match value.get("contents") {
            Some(Value::Array(rows)) => rows.clone(),
            _ => {
                return Err(format!(
                    "services page {page}: no `contents` array; is {base} an HSDS API?"
                ))
            }
        };
        let empty = contents.is_empty();
        for service in contents {
            if service.get("service_at_locations").is_some() {
                services.push(service);
                continue;
            }
            let Some(id) = id_of(&service) else {
                out.error("service-without-id");
                out.notes.push(format!(
                    "services page {page}: a service without an id and without its locations: not read"
                ));
                continue;
            };
            let detail = format!("{base}/services/{id}");
            match fetcher.get(&detail).await {
                Ok(p) => {
                    out.pages_fetched += 1;
                    match serde_json::from_slice::<Value>(&p.bytes) {
                        Ok(v) => services.push(v),
                        Err(e) => {
                            out.error("bad-json");
                            out.notes.push(format!("{detail}: not JSON: {e}"));
                        }
                    }
                }
                Err(e) => {
                    if matches!(e, crate::fetch::FetchError::Status(_)) {
                        out.pages_fetched += 1;
                    }
                    out.error(e.kind());
                    out.notes.push(format!("{detail}: {e}"));
                }
            }
        }
        (ctx.progress)(Progress {
            done: services.len() as u64,
            total: total_items,
        });
        let done = match (last, total_pages) {
            (Some(true), _) => true,
            (_, Some(total)) => page >= total,
            _ => empty,
        };
        if done || empty || page >= MAX_PAGES {
            break;
        }
        page += 1;
    }
    Ok(services)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn is_active(service: &Value) -> bool {
    str_of(service, "status").is_none_or(|s| s.eq_ignore_ascii_case("active"))
}

fn terms(service: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    list(service, "attributes")
        .iter()
        .filter_map(|a| Some((a, a.get("taxonomy_term")?)))
}

/// The IOP rule (see the module documentation).
pub fn is_iop(service: &Value) -> bool {
    let by_term = terms(service).any(|(attribute, term)| {
        str_of(term, "code").is_some_and(|c| c.eq_ignore_ascii_case(super::samhsa::IOP_CODE))
            || [str_of(term, "name"), str_of(attribute, "value")]
                .into_iter()
                .flatten()
                .any(super::mentions_iop)
    });
    by_term
        || ["name", "alternate_name", "description"]
            .into_iter()
            .filter_map(|k| str_of(service, k))
            .flat_map(crate::extract::html::split_sentences)
            .any(|s| super::mentions_iop(&s))
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Is this phone the intake line (its description or type says so)?
fn is_intake(phone: &Value) -> bool {
    [str_of(phone, "description"), str_of(phone, "type")]
        .into_iter()
        .flatten()
        .any(|t| t.to_ascii_lowercase().contains("intake"))
}

/// The first number of `phones` that is (`intake`) or is not an intake line.
fn phone_where(phones: &[Value], intake: bool) -> Option<String> {
    phones
        .iter()
        .filter(|p| is_intake(p) == intake)
        .find_map(|p| {
            let number = str_of(p, "number")?;
            Some(match str_of(p, "extension") {
                Some(ext) => format!("{number} x{ext}"),
                None => number.to_string(),
            })
        })
}

/// "MO,WE" with opens_at/closes_at -> sessions (weekly schedules only).
fn sessions_of(schedules: &[Value]) -> Vec<iop_index::listing::Session> {
    let mut out = Vec::new();
    for schedule in schedules {
        if str_of(schedule, "freq").is_some_and(|f| !f.eq_ignore_ascii_case("weekly")) {
            continue;
        }
        let time = |key| {
            str_of(schedule, key)
                .filter(|t| t.len() >= 5)
                .map(|t| t[..5].to_string())
        };
        let (Some(opens), Some(closes), Some(days)) = (
            time("opens_at"),
            time("closes_at"),
            str_of(schedule, "byday"),
        ) else {
            continue;
        };
        for day in days.split(',').map(str::trim) {
            let weekday = Weekday::ALL
                .into_iter()
                .find(|d| d.name()[..2].eq_ignore_ascii_case(day));
            if let Some(s) = weekday.and_then(|d| session(d, &opens, &closes)) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One record per service-at-location with an address.
fn records(
    service: &Value,
    title: &str,
    url_of: &dyn Fn(&str) -> Option<String>,
    checked: time::Date,
    out: &mut SourceCrawl,
) -> Vec<SourceRecord> {
    let vocabulary = Vocabulary::get();
    let id = id_of(service).unwrap_or("").to_string();
    let empty = Value::Object(Map::new());
    let org = service.get("organization").unwrap_or(&empty);
    let service_name = str_of(service, "name").unwrap_or("").to_string();
    let name = str_of(org, "name").map_or(service_name.clone(), str::to_string);

    // facets: taxonomy terms, languages, description prose. An IOP Finder
    // export names its facts exactly, as terms of its own taxonomy (codes
    // `group/slug`): those are read as they are, and prose adds nothing.
    let own = |term: &Value| str_of(term, "taxonomy") == Some(OWN_TAXONOMY);
    let exact = terms(service).any(|(_, term)| own(term));
    let mut values = Vec::new();
    for (_, term) in terms(service) {
        if exact {
            let value = str_of(term, "code")
                .and_then(|c| c.split_once('/'))
                .filter(|_| own(term))
                .and_then(|(group, slug)| vocabulary.lookup(group, slug));
            if let Some(value) = value {
                values.push((value.id, str_of(term, "name").map(str::to_string)));
            }
            continue;
        }
        let term_name = str_of(term, "name");
        if let Some(code) = str_of(term, "code") {
            for value in vocabulary.values_for_code(code) {
                let evidence = match term_name {
                    Some(n) => format!("{code}: {n}"),
                    None => code.to_string(),
                };
                values.push((value.id, Some(evidence)));
            }
        }
        if let Some(term_name) = term_name {
            for &value in vocabulary.values_for_phrase(term_name) {
                values.push((value, Some(term_name.to_string())));
            }
        }
    }
    for language in list(service, "languages") {
        if let Some(lang) = str_of(language, "name") {
            for &value in vocabulary.values_for_phrase(lang) {
                if vocabulary.group(vocabulary.value(value).group).slug == "language" {
                    values.push((value, Some(format!("Language: {lang}"))));
                }
            }
        }
    }
    let description = str_of(service, "description").map(str::to_string);
    let prose = description
        .as_deref()
        .map(|d| crate::extract::extract(&format!("<p>{}</p>", escape(d)), None));
    if let Some(prose) = prose.as_ref().filter(|_| !exact) {
        values.extend(
            prose
                .values
                .iter()
                .chain(&prose.schedule.tracks)
                .map(|f| (f.value, Some(f.evidence.clone()))),
        );
    }

    let sals = list(service, "service_at_locations");
    if sals.is_empty() {
        out.error("no-location");
        out.notes
            .push(format!("service {id} ({service_name}): no location"));
    }
    let mut records = Vec::new();
    for sal in sals {
        let location = sal.get("location").unwrap_or(&empty);
        let addresses = list(location, "addresses");
        let address = addresses
            .iter()
            .find(|a| str_of(a, "address_type") == Some("physical"))
            .or_else(|| {
                addresses
                    .iter()
                    .find(|a| str_of(a, "address_type") != Some("virtual"))
            });
        let Some(address) = address else {
            out.error("no-address");
            out.notes.push(format!(
                "service {id} at {}: no physical address",
                id_of(location).unwrap_or("?")
            ));
            continue;
        };
        let location_id = id_of(location)
            .or_else(|| str_of(sal, "location_id"))
            .unwrap_or("");
        let source = Source {
            kind: KIND.into(),
            title: title.to_string(),
            url: url_of(&id).filter(|u| iop_index::listing::is_public_url(u)),
            record: Some(format!("service {id} at location {location_id}")),
            edition: None,
        };
        let mut record = SourceRecord::new(
            source,
            format!("{id}@{location_id}"),
            checked,
            name.clone(),
            str_of(address, "city").unwrap_or("").to_string(),
            str_of(address, "state_province").unwrap_or("").to_string(),
            str_of(address, "postal_code").unwrap_or("").to_string(),
        );
        record.program_name = Some(service_name.clone()).filter(|s| !s.is_empty() && *s != name);
        record.description.clone_from(&description);
        record.street = str_of(address, "address_1").map(str::to_string);
        record.street2 = str_of(address, "address_2").map(str::to_string);
        record.lat_lon = number(location.get("latitude")).zip(number(location.get("longitude")));
        let phone_of = |intake: bool| {
            phone_where(list(sal, "phones"), intake)
                .or_else(|| phone_where(list(service, "phones"), intake))
                .or_else(|| phone_where(list(location, "phones"), intake))
                .or_else(|| phone_where(list(org, "phones"), intake))
        };
        record.phone = phone_of(false);
        record.intake_phone = phone_of(true);
        record.website = str_of(service, "url")
            .or_else(|| str_of(location, "url"))
            .or_else(|| str_of(org, "website"))
            .map(str::to_string);
        record.values = values.clone();
        let mut sessions = sessions_of(list(sal, "schedules"));
        if sessions.is_empty() {
            sessions = sessions_of(list(service, "schedules"));
        }
        record.sessions = sessions;
        if let Some(prose) = &prose {
            if record.sessions.is_empty() {
                record.sessions = prose.schedule.sessions.clone();
            }
            record.days_per_week = prose.schedule.days_per_week;
            record.hours_per_week = prose.schedule.hours_per_week;
            record.program_weeks = prose.schedule.program_weeks;
            record.php = prose.php;
            record.outpatient = prose.outpatient;
        }
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_iop_rule() {
        let term = |name: &str| json!({"attributes": [{"taxonomy_term": {"name": name}}]});
        assert!(is_iop(&term("Intensive Outpatient Treatment")));
        assert!(is_iop(
            &json!({"attributes": [{"taxonomy_term": {"code": "oit", "name": "x"}}]})
        ));
        assert!(!is_iop(&term("Outpatient Mental Health")));
        assert!(is_iop(&json!({"name": "Teen IOP"})));
        assert!(!is_iop(
            &json!({"name": "Counseling", "description": "We do not offer an intensive outpatient program."})
        ));
    }

    #[test]
    fn weekly_schedules_become_sessions() {
        let s = sessions_of(&[
            json!({"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:00:00", "closes_at": "21:00"}),
            json!({"freq": "MONTHLY", "byday": "1SA", "opens_at": "09:00", "closes_at": "12:00"}),
        ]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].weekday, Weekday::Mon);
        assert_eq!(s[1].hours(), 3.0);
    }
}
