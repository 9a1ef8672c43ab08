//! Every record the HSDS export writes validates against Open Referral's
//! compiled HSDS 3.0 schemas (`../shared/data/hsds-3.0-schema/compiled/`),
//! on the sample directory and on SAMHSA's newest national directory (2023):
//! the listings are put in a listing store and exported by
//! [`package::write_store`], the function `iopfinder export --format hsds`
//! calls, and the files it writes are read back and checked.

use super::*;
use iop_crawler::sources::{samhsa, sample};
use iop_index::DataDir;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    std::env::var_os("IOP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

fn validator(name: &str) -> Option<jsonschema::Validator> {
    let path = shared().join("hsds-3.0-schema/compiled").join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "skipped: {} is absent (the shared data lives beside the repository)",
            path.display()
        );
        return None;
    };
    let schema: Value = serde_json::from_slice(&bytes).unwrap();
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{name}: {e}")),
    )
}

/// Export `listings` as `iopfinder export --format hsds --out DIR` does:
/// into a listing store (`TMP/data`), then [`package::write_store`] into
/// `TMP/package`. Answers the temporary directory (removed on drop) and the
/// package's path.
fn export(listings: &[Listing]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    data.write_listings(listings).unwrap();
    let out = tmp.path().join("package");
    let info = package::PackageInfo {
        created: "2026-11-24T00:00:00Z".into(),
    };
    let n = package::write_store(&data, &info, &out).unwrap();
    assert_eq!(n, listings.len(), "one service a listing");
    (tmp, out)
}

/// The records of one JSON file of the package (`DIR/json/NAME`).
fn records(dir: &Path, name: &str) -> Vec<Value> {
    let path = dir.join("json").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Validate every record of the package's `services.json`,
/// `organizations.json` and `service_at_locations.json` against its compiled
/// schema, and check its tables (see [`check_tables`]). Answers the number
/// of records validated per file, or `None` when the schemas are absent.
fn validate_package(dir: &Path, listings: usize) -> Option<[usize; 3]> {
    let mut counts = [0; 3];
    let mut failures = Vec::new();
    for (i, (file, schema)) in [
        ("services.json", "service.json"),
        ("organizations.json", "organization.json"),
        ("service_at_locations.json", "service_at_location.json"),
    ]
    .into_iter()
    .enumerate()
    {
        let v = validator(schema)?;
        let records = records(dir, file);
        assert_eq!(records.len(), listings, "{file}: a record a listing");
        let mut ids = HashSet::new();
        for record in &records {
            let id = record["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no id"));
            assert!(ids.insert(id.to_string()), "{file}: {id} twice");
            for e in v.iter_errors(record) {
                if failures.len() < 20 {
                    failures.push(format!("{file} {id} at {}: {e}", e.instance_path()));
                }
            }
        }
        counts[i] = records.len();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    check_tables(dir, listings);
    Some(counts)
}

/// `datapackage.json` lists every CSV table of the package and only those;
/// each table parses (RFC 4180), has the header its resource's schema gives,
/// and its primary key is unique; `services.csv` has a row a listing.
fn check_tables(dir: &Path, listings: usize) {
    let descriptor: Value =
        serde_json::from_slice(&std::fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    let resources = descriptor["resources"].as_array().unwrap();
    let listed: BTreeSet<String> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    let written: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csv"))
        .collect();
    assert_eq!(listed, written, "datapackage.json lists the CSV files");
    assert_eq!(listed.len(), package::TABLES.len());
    for r in resources {
        let path = r["path"].as_str().unwrap();
        let fields: Vec<&str> = r["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        let mut reader = csv::Reader::from_path(dir.join(path)).unwrap();
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(headers, fields, "{path}: header as described");
        let key = r["schema"]["primaryKey"].as_str().unwrap();
        let key = headers.iter().position(|h| h == key).unwrap();
        let mut ids = HashSet::new();
        let mut rows = 0;
        for row in reader.records() {
            let row = row.unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(row.len(), fields.len(), "{path}: {row:?}");
            assert!(!row[key].is_empty(), "{path}: a row without id");
            assert!(
                ids.insert(row[key].to_string()),
                "{path}: {} twice",
                &row[key]
            );
            rows += 1;
        }
        if path == "services.csv" {
            assert_eq!(rows, listings, "{path}: a row a listing");
        }
    }
}

#[test]
fn the_sample_directorys_export_validates_against_the_hsds_schemas() {
    let listings = sample::listings().unwrap();
    let started = std::time::Instant::now();
    let (_tmp, out) = export(&listings);
    let Some(counts) = validate_package(&out, listings.len()) else {
        return;
    };
    eprintln!(
        "sample: {counts:?} services, organizations, services at locations validated in {:.1?}",
        started.elapsed()
    );
    assert_eq!(counts, [listings.len(); 3]);
}

#[test]
fn the_national_directorys_export_validates_against_the_hsds_schemas() {
    let path =
        shared().join("samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let started = std::time::Instant::now();
    let today = time::Date::from_calendar_date(2026, time::Month::November, 24).unwrap();
    let listings = samhsa::listings(&samhsa::read_path(&path).unwrap(), today).listings;
    assert!(listings.len() > 5000, "{}", listings.len());
    let (_tmp, out) = export(&listings);
    let Some(counts) = validate_package(&out, listings.len()) else {
        return;
    };
    eprintln!(
        "national 2023: {counts:?} services, organizations, services at locations validated in {:.1?}",
        started.elapsed()
    );
    // SAMHSA's codes become terms of the second taxonomy, with the evidence,
    // in the written services
    let services = records(&out, "services.json");
    let medicaid = services
        .iter()
        .find(|s| {
            s["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["taxonomy_term"]["code"] == "insurance/medicaid")
        })
        .expect("a service with Medicaid");
    let attributes = medicaid["attributes"].as_array().unwrap();
    assert!(attributes.iter().any(|a| a["taxonomy_term"]["code"] == "MD"
        && a["taxonomy_term"]["taxonomy"] == SAMHSA_TAXONOMY
        && a["value"].as_str().is_some_and(|v| v.starts_with("MD: "))));
    assert!(medicaid["cost_options"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["option"] == "Medicaid"));
}

#[test]
fn ids_are_uuids_that_keep_the_listing_id_and_do_not_collide() {
    let listings = sample::listings().unwrap();
    let mut seen = std::collections::HashSet::new();
    for l in &listings {
        let ids = [
            service_id(l),
            organization_id(l),
            location_id(l),
            service_at_location_id(l),
        ];
        for id in ids {
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "8", "version 8: {id}");
            assert!("89ab".contains(&id[19..20]), "variant: {id}");
            assert_eq!(listing_id_of(&id), Some(l.id.as_str()));
            assert!(seen.insert(id.clone()), "{id} twice");
        }
    }
    // the same listing id gives the same ids (stable across crawls), one per kind
    let a = entity_id("service", "ee370b40424e", "");
    assert_eq!(a, entity_id("service", "ee370b40424e", ""));
    assert_ne!(a, entity_id("organization", "ee370b40424e", ""));
    assert!(a.ends_with("-ee370b40424e"), "{a}");
    assert_eq!(listing_id_of("not-an-id"), None);
}

#[test]
fn schedules_become_weekly_hsds_schedules() {
    let listings = sample::listings().unwrap();
    let l = listings
        .iter()
        .find(|l| l.schedule.sessions.len() >= 2)
        .expect("a sample program with sessions");
    let sal = service_at_location_core(l);
    let schedules = sal["schedules"].as_array().unwrap();
    let days: usize = schedules
        .iter()
        .map(|s| s["byday"].as_str().unwrap().split(',').count())
        .sum();
    assert_eq!(days, l.schedule.sessions.len());
    for s in schedules {
        assert_eq!(s["freq"], "WEEKLY");
        let opens = s["opens_at"].as_str().unwrap();
        assert!(l
            .schedule
            .sessions
            .iter()
            .any(|x| x.start.to_string() == opens));
    }
}
