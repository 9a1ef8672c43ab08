//! Reading an HSDS data package: its `datapackage.json` resources (CSV or
//! JSON, local or by URL), or without one the `{table}.json` /
//! `{table}.csv` files beside it (see the [`super`] documentation for the
//! rules). The rows are flat objects, joined by [`super::join`].

use super::join::Tables;
use super::{SINGULAR, TABLES};
use crate::fetch::Fetcher;
use crate::sources::{CrawlContext, Progress, SourceCrawl};
use reqwest::Url;
use serde_json::{Map, Value};
use std::path::PathBuf;

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

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
                let absolute = crate::sources::is_url(path);
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
pub async fn read_package(
    location: &str,
    ctx: &CrawlContext,
    out: &mut SourceCrawl,
) -> Result<Tables, String> {
    let (base, descriptor_path) = if crate::sources::is_url(location) {
        let url = Url::parse(location).map_err(|e| e.to_string())?;
        let fetcher =
            crate::sources::data_fetcher(ctx, 256 * 1024 * 1024).map_err(|e| e.to_string())?;
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
