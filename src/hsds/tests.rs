//! Every exported record validates against Open Referral's compiled HSDS 3.0
//! schemas (`../shared/data/hsds-3.0-schema/compiled/`), on the sample
//! directory and on SAMHSA's real 2022 national directory.

use super::*;
use iop_crawler::sources::{samhsa, sample};
use std::path::PathBuf;

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

/// Validate every record of `listings`; answers the number validated.
fn validate_all(listings: &[Listing]) -> usize {
    let (Some(service_v), Some(org_v), Some(sal_v)) = (
        validator("service.json"),
        validator("organization.json"),
        validator("service_at_location.json"),
    ) else {
        return 0;
    };
    let mut failures = Vec::new();
    for l in listings {
        for (kind, v, record) in [
            ("service", &service_v, service(l)),
            ("organization", &org_v, organization(l, false)),
            ("service_at_location", &sal_v, service_at_location(l)),
        ] {
            for e in v.iter_errors(&record) {
                if failures.len() < 20 {
                    failures.push(format!("{} {kind} at {}: {e}", l.id, e.instance_path()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    listings.len()
}

#[test]
fn the_sample_directory_validates_against_the_hsds_schemas() {
    let listings = sample::listings().unwrap();
    let n = validate_all(&listings);
    if n > 0 {
        assert_eq!(n, listings.len());
    }
}

#[test]
fn the_national_directory_validates_against_the_hsds_schemas() {
    let path = shared().join("samhsa-national-directory-2022/su_2022_facilities.csv");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let today = time::Date::from_calendar_date(2026, time::Month::November, 24).unwrap();
    let listings = samhsa::listings(&samhsa::read_path(&path).unwrap(), today).listings;
    assert!(listings.len() > 5000, "{}", listings.len());
    validate_all(&listings);
    // SAMHSA's codes become terms of the second taxonomy, with the evidence
    let l = listings
        .iter()
        .find(|l| l.has_value("insurance", "medicaid"))
        .unwrap();
    let s = service(l);
    let attributes = s["attributes"].as_array().unwrap();
    assert!(attributes.iter().any(|a| a["taxonomy_term"]["code"] == "MD"
        && a["taxonomy_term"]["taxonomy"] == SAMHSA_TAXONOMY
        && a["value"].as_str().is_some_and(|v| v.starts_with("MD: "))));
    assert!(attributes
        .iter()
        .any(|a| a["taxonomy_term"]["code"] == "insurance/medicaid"));
    assert!(s["cost_options"]
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
