//! The `samhsa-directory` source on SAMHSA's real 2022 National Directory in
//! `../shared/data` (beside the repository). Where that folder is absent, the
//! tests say so and pass.

use iop_crawler::sources::samhsa;
use std::path::PathBuf;
use time::Date;

fn shared_file(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("IOP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let path = root.join("samhsa-national-directory-2022").join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared data lives beside the repository)",
            path.display()
        );
        None
    }
}

fn today() -> Date {
    Date::from_calendar_date(2026, time::Month::November, 24).unwrap()
}

#[test]
fn the_2022_csv_yields_5523_iop_programs() {
    let Some(path) = shared_file("su_2022_facilities.csv") else {
        return;
    };
    let directory = samhsa::read_path(&path).unwrap();
    assert_eq!(directory.year, Some(2022));
    assert!(
        directory.legend.len() > 200,
        "legend read from the sibling file"
    );
    let crawl = samhsa::listings(&directory, today());
    assert_eq!(crawl.rows, 12_176);
    assert_eq!(crawl.iop_rows, 5_525);
    assert_eq!(crawl.merged, 2);
    assert!(crawl.rejected.is_empty(), "{:?}", crawl.rejected);
    assert_eq!(crawl.listings.len(), 5_523);
    let ids: std::collections::HashSet<&str> =
        crawl.listings.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), 5_523, "ids are unique");
    // every ZIP resolves: every program is on the map
    assert!(crawl.listings.iter().all(|l| l.point.is_some()));
    // code counts agree with the file: the README counts MD among all 12,176
    // facilities; here the IOP ones, counted independently from the rows
    let medicaid_rows = directory
        .rows
        .iter()
        .filter(|r| {
            let codes: Vec<&str> = r["service_code_info"].split_whitespace().collect();
            codes.contains(&"OIT") && codes.contains(&"MD")
        })
        .map(|r| {
            (
                r["name1"].to_lowercase(),
                r["name2"].to_lowercase(),
                r["street1"].to_lowercase(),
                r["zip"].clone(),
            )
        })
        .collect::<std::collections::HashSet<_>>()
        .len();
    let medicaid = crawl
        .listings
        .iter()
        .filter(|l| l.has_value("insurance", "medicaid"))
        .count();
    assert_eq!(medicaid, medicaid_rows);
    let l = crawl
        .listings
        .iter()
        .find(|l| l.has_value("insurance", "medicaid"))
        .unwrap();
    let (p, s) = l.provenance_of("insurance/medicaid").unwrap();
    assert_eq!(p.evidence.as_deref(), Some("MD: Medicaid"));
    assert!(s.title.ends_with("2022"));
}

#[test]
fn the_spreadsheet_and_its_csv_give_the_same_listings() {
    let (Some(xlsx), Some(csv)) = (
        shared_file("National_Directory_SA_Facilities_2022.xlsx"),
        shared_file("su_2022_facilities.csv"),
    ) else {
        return;
    };
    let from_xlsx = samhsa::listings(&samhsa::read_path(&xlsx).unwrap(), today());
    let from_csv = samhsa::listings(&samhsa::read_path(&csv).unwrap(), today());
    assert_eq!(from_xlsx.listings.len(), 5_523);
    for (a, b) in from_xlsx.listings.iter().zip(&from_csv.listings) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.facets, b.facets, "{}", a.name);
        assert_eq!(a.address, b.address, "{}", a.name);
    }
}
