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
//!   crate), a header row of the table's fixed [`TABLES`] columns, UTF-8, an
//!   absent field an empty cell.
//! - `DIR/json/`: `services.json` (every service fully nested, as
//!   `/hsds/services/{id}` gives it), `organizations.json`,
//!   `service_at_locations.json`, `taxonomies.json`, `taxonomy_terms.json`:
//!   each a JSON array, one record a line.
//!
//! The tables are the nested services cut apart (each nested object becomes
//! a row of its table, once per id), so the two forms cannot disagree.
//!
//! The export streams: the listing store is read one listing at a time, and
//! each listing's records and rows are written before the next is read, so
//! memory does not grow with the directory (only the set of distinct
//! sources, for `datapackage.json`, is kept). A fact's check date and
//! evidence are metadata of the service only; its organization and
//! service-at-location carry their sources and licences (see
//! [`super::metadata`]).

use super::{organization, service, service_at_location, taxonomies, taxonomy_terms, VERSION};
use anyhow::{bail, Context, Result};
use iop_index::{DataDir, Listing};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// HSDS tables in the order of the package: (file stem, resource name,
/// columns). The columns are the fields the export writes, `id` first, in
/// the order of the HSDS 3.0 table schemas; a field outside them is an
/// error of the export, never a silently dropped fact.
pub const TABLES: [(&str, &str, &[&str]); 13] = [
    (
        "organizations",
        "organization",
        &["id", "name", "description", "website"],
    ),
    (
        "services",
        "service",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "url",
            "status",
            "eligibility_description",
            "accreditations",
            "assured_date",
            "last_modified",
        ],
    ),
    (
        "service_at_locations",
        "service_at_location",
        &["id", "service_id", "location_id"],
    ),
    (
        "locations",
        "location",
        &[
            "id",
            "location_type",
            "organization_id",
            "name",
            "latitude",
            "longitude",
        ],
    ),
    (
        "addresses",
        "address",
        &[
            "id",
            "location_id",
            "address_1",
            "address_2",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    (
        "phones",
        "phone",
        &[
            "id",
            "service_id",
            "number",
            "extension",
            "type",
            "description",
        ],
    ),
    (
        "schedules",
        "schedule",
        &[
            "id",
            "service_id",
            "service_at_location_id",
            "freq",
            "interval",
            "byday",
            "wkst",
            "opens_at",
            "closes_at",
            "description",
        ],
    ),
    ("languages", "language", &["id", "service_id", "name"]),
    (
        "cost_options",
        "cost_option",
        &["id", "service_id", "option"],
    ),
    (
        "attributes",
        "attribute",
        &[
            "id",
            "link_id",
            "taxonomy_term_id",
            "link_type",
            "link_entity",
            "value",
        ],
    ),
    (
        "metadata",
        "metadata",
        &[
            "id",
            "resource_id",
            "resource_type",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ],
    ),
    ("taxonomies", "taxonomy", &["id", "name", "description"]),
    (
        "taxonomy_terms",
        "taxonomy_term",
        &[
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "taxonomy_id",
            "language",
        ],
    ),
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

/// One CSV table being written.
struct TableFile {
    stem: &'static str,
    columns: &'static [&'static str],
    writer: csv::Writer<File>,
    path: PathBuf,
}

impl TableFile {
    fn write(&mut self, row: &Map<String, Value>) -> Result<()> {
        if let Some(key) = row.keys().find(|k| !self.columns.contains(&k.as_str())) {
            bail!("{}: the field {key:?} has no column", self.path.display());
        }
        self.writer
            .write_record(self.columns.iter().map(|c| cell(row.get(*c))))
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// One JSON array being written, an element a line.
struct JsonFile {
    out: BufWriter<File>,
    path: PathBuf,
    count: usize,
}

impl JsonFile {
    fn create(path: PathBuf) -> Result<JsonFile> {
        let file = File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(b"[")?;
        Ok(JsonFile {
            out,
            path,
            count: 0,
        })
    }

    fn push(&mut self, value: &Value) -> Result<()> {
        let separator: &[u8] = if self.count == 0 { b"\n" } else { b",\n" };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut self.out, value)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.out.write_all(b"\n]\n")?;
        self.out
            .flush()
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// A package being written a listing at a time ([`PackageWriter::add`]),
/// completed by [`PackageWriter::finish`].
pub struct PackageWriter {
    dir: PathBuf,
    tables: Vec<TableFile>,
    services: JsonFile,
    organizations: JsonFile,
    service_at_locations: JsonFile,
    /// Taxonomies and terms written (shared by every listing).
    shared_seen: HashSet<(&'static str, String)>,
    /// Distinct sources: (kind, title).
    sources: BTreeSet<(String, String)>,
    count: usize,
}

impl PackageWriter {
    /// Start a package in `dir` (created when missing; files of the same
    /// names are replaced): the taxonomies and their terms are written now.
    pub fn create(dir: &Path) -> Result<PackageWriter> {
        let json_dir = dir.join("json");
        std::fs::create_dir_all(&json_dir)
            .with_context(|| format!("creating {}", json_dir.display()))?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for (stem, _, columns) in TABLES {
            let path = dir.join(format!("{stem}.csv"));
            let mut writer = csv::Writer::from_path(&path)
                .with_context(|| format!("writing {}", path.display()))?;
            writer.write_record(columns)?;
            tables.push(TableFile {
                stem,
                columns,
                writer,
                path,
            });
        }
        let mut package = PackageWriter {
            dir: dir.to_path_buf(),
            tables,
            services: JsonFile::create(json_dir.join("services.json"))?,
            organizations: JsonFile::create(json_dir.join("organizations.json"))?,
            service_at_locations: JsonFile::create(json_dir.join("service_at_locations.json"))?,
            shared_seen: HashSet::new(),
            sources: BTreeSet::new(),
            count: 0,
        };
        let mut seen = HashSet::new();
        let mut write_all = |name: &str, table: &'static str, records: &[Value]| -> Result<()> {
            let mut file = JsonFile::create(json_dir.join(name))?;
            for record in records {
                file.push(record)?;
                if let Value::Object(map) = record {
                    package.cut(table, map, &mut seen)?;
                }
            }
            file.finish()
        };
        write_all("taxonomies.json", "taxonomies", &taxonomies()[..])?;
        write_all("taxonomy_terms.json", "taxonomy_terms", taxonomy_terms())?;
        Ok(package)
    }

    /// Write one listing: its service, organization and service at location
    /// in JSON, and their rows in the tables.
    pub fn add(&mut self, l: &Listing) -> Result<()> {
        let s = service(l);
        self.services.push(&s)?;
        if let Value::Object(map) = &s {
            // a location is nested twice in one service: each id once
            let mut seen = HashSet::new();
            self.cut("services", map, &mut seen)?;
        }
        drop(s);
        self.organizations.push(&organization(l, false))?;
        self.service_at_locations.push(&service_at_location(l))?;
        for s in &l.sources {
            self.sources.insert((s.kind.clone(), s.title.clone()));
        }
        self.count += 1;
        Ok(())
    }

    /// Cut `object` (a row of `table`) and everything nested in it into
    /// rows, each id once (`seen`: this listing's; taxonomies and terms once
    /// in the package).
    fn cut(
        &mut self,
        table: &'static str,
        object: &Map<String, Value>,
        seen: &mut HashSet<(&'static str, String)>,
    ) -> Result<()> {
        let mut row = Map::new();
        for (key, value) in object {
            match value {
                Value::Object(child) => {
                    if let Some(t) = table_of(key) {
                        self.cut(t, child, seen)?;
                    }
                }
                Value::Array(items) => {
                    if let Some(t) = table_of(key) {
                        for item in items {
                            if let Value::Object(child) = item {
                                self.cut(t, child, seen)?;
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
        let id = cell(row.get("id"));
        let first = if matches!(table, "taxonomies" | "taxonomy_terms") {
            self.shared_seen.insert((table, id))
        } else {
            seen.insert((table, id))
        };
        if first {
            let file = self
                .tables
                .iter_mut()
                .find(|t| t.stem == table)
                .expect("every table of table_of is in TABLES");
            file.write(&row)?;
        }
        Ok(())
    }

    /// Close every file and write `datapackage.json`; answers the number of
    /// services written.
    pub fn finish(self, info: &PackageInfo) -> Result<usize> {
        self.services.finish()?;
        self.organizations.finish()?;
        self.service_at_locations.finish()?;
        let mut resources = Vec::new();
        for (mut file, (_, name, columns)) in self.tables.into_iter().zip(TABLES) {
            file.writer
                .flush()
                .with_context(|| format!("writing {}", file.path.display()))?;
            let fields: Vec<Value> = columns
                .iter()
                .map(|c| {
                    let kind = if NUMBER_FIELDS.contains(c) {
                        "number"
                    } else {
                        "string"
                    };
                    json!({"name": c, "type": kind})
                })
                .collect();
            resources.push(json!({
                "name": name,
                "path": format!("{}.csv", file.stem),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": "id"},
            }));
        }
        let licenses: Vec<Value> = self
            .sources
            .iter()
            .map(|(kind, _)| json!({"title": super::licence(kind), "name": kind}))
            .collect();
        let sources: Vec<Value> = self
            .sources
            .iter()
            .map(|(_, title)| json!({"title": title}))
            .collect();
        let descriptor = json!({
            "profile": "tabular-data-package",
            "name": "iop-finder-hsds",
            "title": "IOP Finder: intensive outpatient programs (Open Referral HSDS 3.0)",
            "description": "Every intensive outpatient program in IOP Finder's directory as Open Referral Human Services Data Specification 3.0 tables. Each record's metadata gives its sources and their licences; each service's metadata gives the date each fact was checked and its evidence.",
            "version": VERSION,
            "created": info.created,
            "licenses": licenses,
            "sources": sources,
            "resources": resources,
        });
        let path = self.dir.join("datapackage.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&descriptor)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(self.count)
    }
}

/// Write the package of the listing store of `data` into `dir`, reading the
/// store a listing at a time. Answers the number of services written.
pub fn write_store(data: &DataDir, info: &PackageInfo, dir: &Path) -> Result<usize> {
    let mut package = PackageWriter::create(dir)?;
    let path = data.listings_path();
    match File::open(&path) {
        Ok(file) => {
            for_each_listing(BufReader::with_capacity(1 << 20, file), |l| package.add(&l))
                .with_context(|| format!("reading {}", path.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    package.finish(info)
}

/// Write the package of `listings` (the directory as it is shown, matched
/// programs merged) into `dir`. Answers the number of services written.
pub fn write_listings(listings: &[Listing], info: &PackageInfo, dir: &Path) -> Result<usize> {
    let mut package = PackageWriter::create(dir)?;
    for l in listings {
        package.add(l)?;
    }
    package.finish(info)
}

/// Call `each` on every listing of a JSON array read from `reader`, one
/// element decoded at a time (serde's sequence visitor: the array is never
/// held whole). The first error of `each` stops the read and is answered.
pub fn for_each_listing(
    reader: impl std::io::Read,
    each: impl FnMut(Listing) -> Result<()>,
) -> Result<()> {
    struct Each<F> {
        each: F,
        failed: Option<anyhow::Error>,
    }
    impl<'de, F: FnMut(Listing) -> Result<()>> Visitor<'de> for &mut Each<F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of listings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(listing) = seq.next_element::<Listing>()? {
                if let Err(e) = (self.each)(listing) {
                    self.failed = Some(e);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    impl<'de, F: FnMut(Listing) -> Result<()>> DeserializeSeed<'de> for &mut Each<F> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut state = Each { each, failed: None };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let read = (&mut state).deserialize(&mut de).and_then(|()| de.end());
    match (state.failed, read) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(e.into()),
        (None, Ok(())) => Ok(()),
    }
}
