//! An extracted page becomes a listing: facts keep their sentences as
//! evidence through normalization.

use iop_crawler::extract::extract;
use iop_crawler::normalize::normalize;
use iop_index::listing::Source;
use time::macros::date;

#[test]
fn an_extracted_page_normalizes_into_a_listing_with_evidence() {
    let page = include_str!("../fixtures/pages/01-harbor-light.html");
    let url = "https://harborlight.example.org/iop";
    let extraction = extract(page, Some(url));
    let source = Source {
        kind: "website".into(),
        title: "Harbor Light Recovery website".into(),
        url: Some(url.into()),
        record: None,
        edition: None,
    };
    let record = extraction
        .into_record(source, url.into(), date!(2026 - 01 - 15))
        .expect("JSON-LD names the organization and its address");
    let listing = normalize(record).expect("normalizes");
    assert_eq!(listing.name, "Harbor Light Recovery");
    assert_eq!(listing.address.zip, "04101");
    assert_eq!(listing.address.state, "ME");
    assert!(listing
        .point
        .is_some_and(|p| (p.lat - 43.6567).abs() < 1e-6));
    assert_eq!(
        listing.values("insurance"),
        ["medicaid", "aetna", "anthem-bcbs", "cigna"]
    );
    assert!(
        !listing.has_value("insurance", "medicare"),
        "negated on the page"
    );
    assert!(
        !listing.has_value("population", "veterans"),
        "only in the menu"
    );
    assert_eq!(listing.values("schedule"), ["evening"]);
    assert_eq!(listing.schedule.hours_per_week, Some(9.0));
    assert_eq!(listing.schedule.days_per_week, Some(3));
    assert_eq!(listing.schedule.program_weeks, Some(10));
    let (provenance, _) = listing
        .provenance_of("insurance/medicaid")
        .expect("provenance");
    assert_eq!(provenance.evidence.as_deref(), Some("MaineCare (Medicaid)"));
}

#[test]
fn a_page_without_structured_data_still_gives_facts_but_no_record() {
    let page = include_str!("../fixtures/pages/03-meridian-eating.html");
    let extraction = extract(page, None);
    assert!(extraction.organization.is_none());
    assert_eq!(extraction.schedule.hours_per_week, Some(9.0));
    assert!(!extraction.values.is_empty());
}
