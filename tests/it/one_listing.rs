//! One program, one listing (issue 10, section 3): a crawl of a provider's
//! website on loopback and of a small SAMHSA directory file listing the same
//! facility gives one listing with both sources, the match and its score
//! recorded, each fact with its own source, and a value the two state
//! differently shown both ways with source and date; a different facility
//! at the same address stays its own listing.

use crate::common;

use common::{run, serve_static, TempDir, TestApp};
use serde_json::Value;

const HEADER: &str = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n";
/// The site's own facility as the directory lists it: its legal name, the
/// same phone, another suite (the directory's is older).
const CEDAR: &str = "Cedar Grove Counseling LLC,,1240 Oak Street,Suite 4,Eugene,OR,97401,541-555-0123,,,,,SA * OP OIT * MD PI\n";
/// Another program in the same building.
const WILLOW: &str = "Willow Creek Opioid Treatment,,1240 Oak Street,Suite 9,Eugene,OR,97401,541-555-0177,,,,,SA * OIT * MD\n";
const LEGEND: &str = "category_code,category_name,service_code,service_name,service_description\n\
    SET,Service Setting,OIT,Outpatient intensive,\n\
    SET,Service Setting,OP,Outpatient,\n\
    PAY,Payment,MD,Medicaid,\n\
    PAY,Payment,PI,Private health insurance,\n";

fn site_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/crawler/tests/fixtures/site-small/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_site_and_its_directory_record_are_one_listing_and_a_neighbour_stays_apart() {
    let html = "text/html; charset=utf-8";
    let base = serve_static(vec![
        (
            "/robots.txt",
            "text/plain",
            b"User-agent: *\nAllow: /\n".to_vec(),
        ),
        ("/", html, site_file("home.html")),
        ("/programs/adult-iop", html, site_file("adult-iop.html")),
        ("/contact", html, site_file("contact.html")),
        ("/insurance", html, site_file("insurance.html")),
    ]);
    let files = TempDir::new("one-listing-src");
    let directory = files.path().join("su_2023_facilities.csv");
    std::fs::write(&directory, format!("{HEADER}{CEDAR}{WILLOW}")).unwrap();
    std::fs::write(files.path().join("su_2023_service_codes.csv"), LEGEND).unwrap();
    let data = TempDir::new("one-listing");
    let (ok, out, err) = run(&[
        "crawl",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--today",
        "2026-11-30",
        "--source",
        &format!("samhsa-directory={}", directory.display()),
        "--source",
        &format!("website={base}/"),
        "--allow-address",
        "127.0.0.0/8",
        "--delay-ms",
        "0",
    ]);
    assert!(ok, "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");

    // the store keeps each source's listing (the recrawl counts them per
    // source); the ids of the three
    let store: Vec<Value> =
        serde_json::from_slice(&std::fs::read(data.path().join("listings.json")).unwrap()).unwrap();
    let id_of = |kind: &str, name: &str| -> String {
        store
            .iter()
            .find(|l| l["sources"][0]["kind"] == kind && l["name"] == name)
            .unwrap_or_else(|| panic!("{kind} listing {name} in the store: {store:#?}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let national = id_of("samhsa-directory", "Cedar Grove Counseling LLC");
    let website = id_of("website", "Cedar Grove Counseling");
    let willow = id_of("samhsa-directory", "Willow Creek Opioid Treatment");
    assert!(
        out.contains(&format!(
            "listing {website} is shown merged into its national record {national}"
        )),
        "the report says so: {out}"
    );

    let app = TestApp::start_in(data);
    // one listing with both sources, under the national record's id
    let (status, merged) = app.json(&format!("/api/v1/programs/{national}"));
    assert_eq!(status, 200, "{merged}");
    let merged = if merged.get("listing").is_some() {
        merged["listing"].clone()
    } else {
        merged
    };
    let kinds: Vec<&str> = merged["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "samhsa-directory", "{merged:#}");
    assert!(
        kinds.len() >= 2 && kinds[1..].iter().all(|k| *k == "website"),
        "the site's pages follow: {kinds:?}"
    );
    let matched = merged["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["fact"] == "match")
        .unwrap_or_else(|| panic!("the match is recorded: {merged:#}"));
    assert_eq!(matched["source"], 1);
    assert!(
        matched["evidence"].as_str().unwrap().contains("score"),
        "{matched}"
    );
    // the site's statement of insurers is the provider's: its entry first,
    // the directory's kept after it
    let kind_of_first = |fact: &str| -> Vec<&str> {
        merged["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["fact"] == fact)
            .map(|p| kinds[p["source"].as_u64().unwrap() as usize])
            .collect()
    };
    assert_eq!(kind_of_first("insurance/aetna"), ["website"]);
    assert_eq!(
        kind_of_first("insurance/medicaid"),
        ["website", "samhsa-directory"]
    );
    let (status, _) = app.json(&format!("/api/v1/programs/{website}"));
    assert_eq!(status, 404, "the website's listing is not shown on its own");
    // the different facility in the same building stays its own listing
    let (status, other) = app.json(&format!("/api/v1/programs/{willow}"));
    assert_eq!(status, 200);
    let other = if other.get("listing").is_some() {
        other["listing"].clone()
    } else {
        other
    };
    assert_eq!(
        other["sources"].as_array().map(Vec::len),
        Some(1),
        "{other:#}"
    );
    let (_, search) = app.json("/api/v1/search?q=Eugene");
    assert_eq!(search["total"], 2, "two listings in Eugene: {search:#}");

    // the page: the site's address shown, the directory's older suite beside
    // it with its source and date
    let (status, page) = app.html(&format!("/programs/{national}"));
    assert_eq!(status, 200);
    assert!(page.contains("Suite 3"), "the site's suite");
    assert!(
        page.contains("1240 Oak Street, Suite 4, Eugene, OR 97401"),
        "the directory's address kept: {page}"
    );
    assert!(
        page.contains("Source 1, 2026-11-30"),
        "with its source and date"
    );
}
