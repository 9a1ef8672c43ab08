//! `iopfinder export --format hsds --out DIR`: the whole directory as an
//! HSDS 3.0 tabular data package and as JSON.
//!
//! - `DIR/datapackage.json`: a Frictionless tabular data package (licences,
//!   sources, creation time) listing one CSV per HSDS table (`services.csv`,
//!   `organizations.csv`, `service_at_locations.csv`, `locations.csv`,
//!   `addresses.csv`, `phones.csv`, `schedules.csv`, `languages.csv`,
//!   `cost_options.csv`, `attributes.csv`, `metadata.csv`,
//!   `taxonomies.csv`, `taxonomy_terms.csv`), resources named as HSDS names
//!   them (`service`, `organization`...). CSV: RFC 4180 (via the `csv`
//!   crate), a header row, UTF-8, an absent field an empty cell.
//! - `DIR/json/`: `services.json` (every service fully nested, as
//!   `/hsds/services/{id}` gives it), `organizations.json`,
//!   `service_at_locations.json`, `taxonomies.json`, `taxonomy_terms.json`.
//!
//! The tables are the nested services cut apart (each nested object becomes
//! a row of its table, once per id), so the two forms cannot disagree.

use super::{organization, service, service_at_location, taxonomies, taxonomy_terms, VERSION};
use anyhow::{Context, Result};
use iop_index::Listing;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// HSDS tables in the order of the package: (file stem, resource name).
pub const TABLES: [(&str, &str); 13] = [
    ("organizations", "organization"),
    ("services", "service"),
    ("service_at_locations", "service_at_location"),
    ("locations", "location"),
    ("addresses", "address"),
    ("phones", "phone"),
    ("schedules", "schedule"),
    ("languages", "language"),
    ("cost_options", "cost_option"),
    ("attributes", "attribute"),
    ("metadata", "metadata"),
    ("taxonomies", "taxonomy"),
    ("taxonomy_terms", "taxonomy_term"),
];

/// Numeric fields of the tables (the others are strings).
const NUMBER_FIELDS: [&str; 4] = ["latitude", "longitude", "extension", "interval"];

/// The table a nested field's objects belong to.
fn table_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "organization" | "organizations" => "organizations",
        "service" | "services" => "services",
        "service_at_locations" => "service_at_locations",
        "location" | "locations" => "locations",
        "addresses" => "addresses",
        "phones" => "phones",
        "schedules" => "schedules",
        "languages" => "languages",
        "cost_options" => "cost_options",
        "attributes" => "attributes",
        "metadata" => "metadata",
        "taxonomy_term" => "taxonomy_terms",
        _ => return None,
    })
}

/// Rows of each table, each id once.
#[derive(Default)]
pub struct Tables {
    rows: BTreeMap<&'static str, Vec<Map<String, Value>>>,
    seen: HashSet<(&'static str, String)>,
}

impl Tables {
    /// Cut `object` (a row of `table`) and everything nested in it into rows.
    pub fn add(&mut self, table: &'static str, object: &Map<String, Value>) {
        let mut row = Map::new();
        for (key, value) in object {
            match value {
                Value::Object(child) => {
                    if let Some(t) = table_of(key) {
                        self.add(t, child);
                    }
                }
                Value::Array(items) => {
                    if let Some(t) = table_of(key) {
                        for item in items {
                            if let Value::Object(child) = item {
                                self.add(t, child);
                            }
                        }
                    }
                }
                Value::Null => {}
                scalar => {
                    row.insert(key.clone(), scalar.clone());
                }
            }
        }
        let id = row
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if self.seen.insert((table, id)) {
            self.rows.entry(table).or_default().push(row);
        }
    }

    pub fn rows(&self, table: &str) -> &[Map<String, Value>] {
        self.rows.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The columns of a table: `id` first, then the others by name.
    pub fn columns(&self, table: &str) -> Vec<String> {
        let names: BTreeSet<&String> = self.rows(table).iter().flat_map(|r| r.keys()).collect();
        let mut columns = vec!["id".to_string()];
        columns.extend(names.into_iter().filter(|n| *n != "id").cloned());
        columns
    }
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// What the package says about itself.
pub struct PackageInfo {
    /// RFC 3339 time the listings were built (the index generation) or
    /// exported.
    pub created: String,
}

/// The package's sources: each distinct source title, kind and licence.
pub fn sources_of(listings: &[Listing]) -> Vec<Value> {
    let mut seen = BTreeMap::new();
    for l in listings {
        for s in &l.sources {
            seen.entry((s.kind.clone(), s.title.clone())).or_insert(());
        }
    }
    seen.into_keys()
        .map(
            |(kind, title)| json!({"title": title, "kind": kind, "licence": super::licence(&kind)}),
        )
        .collect()
}

/// Write the package and the JSON form of `listings` into `dir` (created
/// when missing; files of the same names are replaced). Answers the number
/// of services written.
pub fn write(listings: &[Listing], info: &PackageInfo, dir: &Path) -> Result<usize> {
    let json_dir = dir.join("json");
    std::fs::create_dir_all(&json_dir)
        .with_context(|| format!("creating {}", json_dir.display()))?;
    let mut tables = Tables::default();
    let mut services = Vec::with_capacity(listings.len());
    for l in listings {
        let s = service(l);
        if let Value::Object(map) = &s {
            tables.add("services", map);
        }
        services.push(s);
    }
    for t in taxonomies() {
        if let Value::Object(map) = &t {
            tables.add("taxonomies", map);
        }
    }
    for t in taxonomy_terms() {
        if let Value::Object(map) = t {
            tables.add("taxonomy_terms", map);
        }
    }
    let write_json = |name: &str, value: &Value| -> Result<()> {
        let path = json_dir.join(name);
        let bytes = serde_json::to_vec_pretty(value)?;
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    write_json("services.json", &Value::Array(services))?;
    write_json(
        "organizations.json",
        &Value::Array(listings.iter().map(|l| organization(l, false)).collect()),
    )?;
    write_json(
        "service_at_locations.json",
        &Value::Array(listings.iter().map(service_at_location).collect()),
    )?;
    write_json("taxonomies.json", &Value::Array(taxonomies()))?;
    write_json(
        "taxonomy_terms.json",
        &Value::Array(taxonomy_terms().to_vec()),
    )?;

    let mut resources = Vec::new();
    for (stem, name) in TABLES {
        let columns = tables.columns(stem);
        let path = dir.join(format!("{stem}.csv"));
        let mut writer =
            csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
        writer.write_record(&columns)?;
        for row in tables.rows(stem) {
            writer.write_record(columns.iter().map(|c| cell(row.get(c))))?;
        }
        writer.flush()?;
        let fields: Vec<Value> = columns
            .iter()
            .map(|c| {
                let kind = if NUMBER_FIELDS.contains(&c.as_str()) {
                    "number"
                } else {
                    "string"
                };
                json!({"name": c, "type": kind})
            })
            .collect();
        resources.push(json!({
            "name": name,
            "path": format!("{stem}.csv"),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": fields, "primaryKey": "id"},
        }));
    }
    let sources = sources_of(listings);
    let licenses: Vec<Value> = sources
        .iter()
        .map(|s| json!({"title": s["licence"], "name": s["kind"]}))
        .collect();
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": "iop-finder-hsds",
        "title": "IOP Finder: intensive outpatient programs (Open Referral HSDS 3.0)",
        "description": "Every intensive outpatient program in IOP Finder's directory as Open Referral Human Services Data Specification 3.0 tables. Each record's metadata gives its sources, their licences and the date each fact was checked.",
        "version": VERSION,
        "created": info.created,
        "licenses": licenses,
        "sources": sources.iter().map(|s| json!({"title": s["title"]})).collect::<Vec<_>>(),
        "resources": resources,
    });
    let path = dir.join("datapackage.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&descriptor)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(listings.len())
}
