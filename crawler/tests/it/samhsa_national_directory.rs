//! The `samhsa-directory` source on SAMHSA's real National Directories in
//! `../shared/data` (beside the repository): the 2023 substance use edition
//! (the newest), 2022, and the mental-health editions that cannot list IOPs. Where that folder is absent, the
//! tests say so and pass.

use crate::common::shared_in;
use iop_crawler::sources::samhsa;
use std::path::PathBuf;
use time::Date;

fn shared_file(name: &str) -> Option<PathBuf> {
    shared_in("samhsa-national-directory-2022", name)
}

fn shared_2023(name: &str) -> Option<PathBuf> {
    shared_in("samhsa-national-directory-2023", name)
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
    // every program is on the map but the one in Yap (FM 96943), whose ZIP
    // the ZIP list cannot place: "no location", never (0,0)
    let unplaced: Vec<&str> = crawl
        .listings
        .iter()
        .filter(|l| l.point.is_none())
        .map(|l| l.address.zip.as_str())
        .collect();
    assert_eq!(unplaced, ["96943"]);
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
    // the record named under Sources is the row's name, program name, street
    // and ZIP, without the separators of a blank one (most rows have no name2)
    for l in &crawl.listings {
        let record = l.sources[0].record.as_deref().unwrap();
        assert!(
            !record.contains("|  |") && !record.contains("| |") && !record.ends_with('|'),
            "{record:?}"
        );
        assert!(
            record.contains(l.address.zip.get(..5).unwrap_or("")),
            "{record:?}"
        );
    }
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

#[test]
fn the_2023_workbook_with_capitalized_headers_yields_its_5736_oit_facilities() {
    let Some(path) = shared_2023("national-directory-su-facilities-2023.xlsx") else {
        return;
    };
    let directory = samhsa::read_path(&path).unwrap();
    assert_eq!(directory.year, Some(2023));
    assert!(
        directory.legend.len() > 200,
        "the lowercase legend sheet read"
    );
    let crawl = samhsa::listings(&directory, today());
    assert_eq!(crawl.rows, 12_744);
    assert_eq!(crawl.iop_rows, 5_736, "facilities coded OIT");
    assert!(crawl.rejected.is_empty(), "{:?}", crawl.rejected);
    assert_eq!(crawl.listings.len(), crawl.iop_rows - crawl.merged);
    let l = &crawl.listings[0];
    let (_, source) = l.provenance_of("name").unwrap();
    assert_eq!(
        source.title,
        "SAMHSA National Directory of Substance Use Treatment Facilities, 2023"
    );
    assert_eq!(
        source.edition.as_deref(),
        Some("2023"),
        "the source's own date"
    );
    assert_eq!(
        source.url.as_deref(),
        Some(samhsa::PUBLIC_PAGE),
        "never a file path"
    );
}

#[test]
fn headers_are_read_whatever_their_case_spacing_and_order() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/samhsa");
    let plain = samhsa::read_path(&fixtures.join("su_2023_facilities.csv")).unwrap();
    let odd = samhsa::read_path(&fixtures.join("su_2023_shouted_facilities.csv")).unwrap();
    assert_eq!(odd.legend, plain.legend, "the legend's headers too");
    let (a, b) = (
        samhsa::listings(&plain, today()).listings,
        samhsa::listings(&odd, today()).listings,
    );
    assert_eq!(a.len(), 2);
    assert_eq!(a, b);
    assert_eq!(a[0].values("insurance"), ["medicaid"]);
    assert_eq!(
        samhsa::column_name(" Service Code Info "),
        "service_code_info"
    );
    assert_eq!(samhsa::column_name("INTAKE 1 A"), "intake1a");
    assert_eq!(samhsa::column_name("\u{feff}Name1"), "name1");
}

#[test]
fn mental_health_editions_are_refused_with_the_reason() {
    for (folder, name) in [
        (
            "samhsa-national-directory-2023",
            "national-directory-mh-facilities-2023.xlsx",
        ),
        (
            "samhsa-national-directory-2023",
            "national-directory-mh-facilities-2024.xlsx",
        ),
        ("samhsa-national-directory-2022", "mh_2022_facilities.csv"),
    ] {
        let Some(path) = shared_in(folder, name) else {
            continue;
        };
        let err = samhsa::read_path(&path)
            .err()
            .unwrap_or_else(|| panic!("{name} read"));
        let message = err.to_string();
        assert!(
            matches!(err, samhsa::SamhsaError::NoIopCode { .. }),
            "{name}: {message}"
        );
        assert!(
            message.contains("cannot list intensive outpatient programs")
                && message.contains("PHDT"),
            "{name}: {message}"
        );
    }
}
