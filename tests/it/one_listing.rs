//! One program, one listing (issue 10, section 3): a crawl of a provider's
//! website on loopback and of a small SAMHSA directory file listing the same
//! facility gives one listing with both sources, the match and its score
//! recorded, each fact with its own source, and a value the two state
//! differently shown both ways with source and date; a different facility
//! at the same address stays its own listing. The absorbed listing's old
//! URL (page and API, in both languages) answers a permanent redirect to the
//! one listing, and `export` (JSON and HSDS) gives the one listing. A
//! FindTreatment record of a facility the directory lists is merged the
//! same way.

use crate::common;

use common::{no_redirects, run, serve_static, TempDir, TestApp};
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
    let store = stored(&data);
    let id_of = |kind: &str, name: &str| id_in(&store, kind, name);
    let national = id_of("samhsa-directory", "Cedar Grove Counseling LLC");
    let website = id_of("website", "Cedar Grove Counseling");
    let willow = id_of("samhsa-directory", "Willow Creek Opioid Treatment");
    assert!(
        out.contains(&format!(
            "listing {website} is shown merged into its national record {national}"
        )),
        "the report says so: {out}"
    );

    // the export is the directory as shown: the one listing, in JSON and HSDS
    let exported = export_json(&data);
    assert!(
        exported.iter().all(|l| l["id"] != website.as_str()),
        "the website's own listing is not exported apart"
    );
    let one = exported
        .iter()
        .find(|l| l["id"] == national.as_str())
        .expect("the merged listing is exported");
    assert_eq!(one["merged_ids"], serde_json::json!([website]), "{one:#}");
    assert_eq!(exported.len(), 2, "Cedar Grove (merged) and Willow Creek");
    assert_eq!(export_hsds_services(&data), 2);

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
    // the website's listing is not shown on its own: its old URLs lead to
    // the one listing, permanently (page, API, Spanish page, query kept)
    for (old, new) in [
        (
            format!("/api/v1/programs/{website}"),
            format!("/api/v1/programs/{national}"),
        ),
        (
            format!("/programs/{website}?list={willow}"),
            format!("/programs/{national}?list={willow}"),
        ),
        (
            format!("/es/programs/{website}"),
            format!("/es/programs/{national}"),
        ),
        (
            format!("/programs/{website}/report"),
            format!("/programs/{national}/report"),
        ),
    ] {
        let r = no_redirects()
            .get(format!("{}{old}", app.url))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 308, "{old}");
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            new,
            "{old} redirects to the one listing"
        );
    }
    // so do its HSDS records: each kind to the same kind of the one listing
    for kind in ["service", "organization", "service_at_location"] {
        let old = iopfinder::hsds::entity_id(kind, &website, "");
        let new = iopfinder::hsds::entity_id(kind, &national, "");
        let path = format!("/hsds/{kind}s/");
        let r = no_redirects()
            .get(format!("{}{path}{old}?full_service=true", app.url))
            .send()
            .unwrap();
        if kind == "organization" {
            assert_eq!(r.status().as_u16(), 308, "{kind}");
            assert_eq!(
                r.headers()["location"].to_str().unwrap(),
                format!("{path}{new}?full_service=true")
            );
        } else {
            // the other records take no full_service: the redirect keeps
            // the query, and the one listing's record answers its 400
            assert_eq!(r.status().as_u16(), 308, "{kind}");
        }
        let r = no_redirects()
            .get(format!("{}{path}{old}", app.url))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 308, "{kind}");
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("{path}{new}")
        );
        let (status, record) = app.json(&format!("{path}{new}"));
        assert_eq!(status, 200, "{kind}: {record:#}");
        assert_eq!(record["id"], new.as_str());
    }
    let unknown = iopfinder::hsds::entity_id("service", "0123456789ab", "");
    let (status, _) = app.json(&format!("/hsds/services/{unknown}"));
    assert_eq!(
        status, 404,
        "a record that never existed is still not found"
    );
    // a shortlist saved under both ids shows the program once, under its
    // current id (so "Remove" and the share link work)
    for page in ["/shortlist", "/shortlist/print", "/compare"] {
        let (status, both) = app.html(&format!("{page}?ids={website},{national},{willow}"));
        assert_eq!(status, 200);
        let (_, current) = app.html(&format!("{page}?ids={national},{willow}"));
        assert_eq!(
            both.matches("Cedar Grove Counseling").count(),
            current.matches("Cedar Grove Counseling").count(),
            "{page}: the program once"
        );
        assert!(
            !both.contains(&website),
            "{page}: links carry current ids only: {}",
            both.match_indices(&website)
                .map(|(i, _)| &both[i.saturating_sub(120)..i + 20])
                .collect::<Vec<_>>()
                .join(" // ")
        );
    }
    let (status, followed) = app.html(&format!("/programs/{website}"));
    assert_eq!(
        status, 200,
        "a shared link of the website's listing still works"
    );
    assert!(followed.contains("Cedar Grove Counseling"));
    // an id that never existed is still not found
    let (status, _) = app.json("/api/v1/programs/0123456789ab");
    assert_eq!(status, 404);
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

/// The data directory's listing store, parsed.
fn stored(data: &TempDir) -> Vec<Value> {
    serde_json::from_slice(&std::fs::read(data.path().join("listings.json")).unwrap()).unwrap()
}

/// The id of the stored listing of source `kind` named `name`.
fn id_in(store: &[Value], kind: &str, name: &str) -> String {
    store
        .iter()
        .find(|l| l["sources"][0]["kind"] == kind && l["name"] == name)
        .unwrap_or_else(|| panic!("{kind} listing {name} in the store: {store:#?}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `iopfinder export` of `data`, parsed.
fn export_json(data: &TempDir) -> Vec<Value> {
    let (ok, out, err) = run(&["export", "--data-dir", data.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).expect("export prints JSON")
}

/// `iopfinder export --format hsds` of `data`: the services it wrote.
fn export_hsds_services(data: &TempDir) -> usize {
    let out_dir = TempDir::new("one-listing-hsds");
    let (ok, out, err) = run(&[
        "export",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--format",
        "hsds",
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let services = std::fs::read_to_string(out_dir.path().join("services.csv")).unwrap();
    let rows = csv_rows(&services);
    let said: usize = out
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("wrote N services: {out}"));
    assert_eq!(rows, said, "{out}");
    rows
}

/// Data rows of a CSV text (quoted newlines inside a cell are not rows).
fn csv_rows(text: &str) -> usize {
    let mut rows = 0;
    let mut quoted = false;
    for line in text.lines() {
        quoted ^= line.matches('"').count() % 2 == 1;
        if !quoted {
            rows += 1;
        }
    }
    rows - 1
}

/// A FindTreatment export row of the facility the directory lists (its
/// record in SAMHSA's locator: the same street, a newer main phone, the
/// directory's intake line) is shown as one listing under the directory's
/// id; the directory's second intake line is kept and shown; the
/// FindTreatment listing's URL redirects; a FindTreatment facility in
/// another building stays apart.
#[test]
fn a_findtreatment_record_and_its_directory_record_are_one_listing() {
    let files = TempDir::new("one-listing-ft-src");
    let directory = files.path().join("su_2023_facilities.csv");
    std::fs::write(
        &directory,
        format!(
            "{HEADER}Region Ten Community Services Board,Mohr Center,1014 East Market Street,,Charlottesville,VA,22902,434-972-1745,434-972-1800,434-972-1801,,,SA * OP OIT * MD\n"
        ),
    )
    .unwrap();
    std::fs::write(files.path().join("su_2023_service_codes.csv"), LEGEND).unwrap();
    let export = files.path().join("facility-detail.csv");
    std::fs::write(
        &export,
        "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,website,latitude,longitude,type_facility,oit,md,pi\n\
         Region Ten Community Services Board,Mohr Center,1014 East Market Street,,Charlottesville,VA,22902,434-979-8871,434-972-1800,,http://www.regionten.org,38.0282239,-78.4725231,SU,1,1,1\n\
         Addiction Recovery Systems LLC,,103 South Pantops Drive,Suite 102,Charlottesville,VA,22911,434-220-0080,,,,38.03,-78.45,SU,1,1,\n",
    )
    .unwrap();
    let data = TempDir::new("one-listing-ft");
    let (ok, out, err) = run(&[
        "crawl",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--today",
        "2026-11-30",
        "--source",
        &format!("samhsa-directory={}", directory.display()),
        "--source",
        &format!("findtreatment={}", export.display()),
    ]);
    assert!(ok, "{out}\n{err}");
    let store = stored(&data);
    assert_eq!(store.len(), 3, "the store keeps each source's listing");
    let id_of = |kind: &str, name: &str| id_in(&store, kind, name);
    let national = id_of("samhsa-directory", "Region Ten Community Services Board");
    let locator = id_of("findtreatment", "Region Ten Community Services Board");
    let other = id_of("findtreatment", "Addiction Recovery Systems LLC");
    assert!(
        out.contains(&format!(
            "listing {locator} is shown merged into its national record {national}"
        )),
        "the report says so: {out}"
    );

    let exported = export_json(&data);
    assert_eq!(
        exported.len(),
        2,
        "one Region Ten listing, and the other facility"
    );
    let one = exported
        .iter()
        .find(|l| l["id"] == national.as_str())
        .unwrap();
    let kinds: Vec<&str> = one["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["samhsa-directory", "findtreatment"]);
    // the locator's newer main number shown, the directory's kept as its
    // evidence; both intake lines kept
    assert_eq!(one["phone"], "(434) 979-8871");
    assert_eq!(one["intake_phone"], "(434) 972-1800");
    assert_eq!(
        one["more_intake_phones"],
        serde_json::json!(["(434) 972-1801"])
    );
    assert!(
        one["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["fact"] == "phone" && p["source"] == 0 && p["evidence"] == "(434) 972-1745"),
        "{one:#}"
    );
    assert!(exported.iter().any(|l| l["id"] == other.as_str()));

    let app = TestApp::start_in(data);
    let r = no_redirects()
        .get(format!("{}/programs/{locator}", app.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/programs/{national}")
    );
    let (status, page) = app.html(&format!("/programs/{national}"));
    assert_eq!(status, 200);
    assert!(
        page.contains("tel:+14349721801"),
        "the second intake line is shown"
    );
}
