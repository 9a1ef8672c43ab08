//! The crawl pipeline end to end: the real binary recrawling small SAMHSA
//! directory files over several (replayed) days, its reports, failed sources,
//! and `extract` on a saved page and on a page served from 127.0.0.1.

use crate::common;

use common::{run, serve_static, TempDir};
use serde_json::Value;
use std::path::{Path, PathBuf};

const HEADER: &str = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n";
const ALDER: &str =
    "Alder Recovery Center,,1 Main St,,Boston,MA,02108,617-555-0100,,,,,SA * OP OIT * MD MC\n";
const ALDER_NEW_PHONE: &str =
    "Alder Recovery Center,,1 Main St,,Boston,MA,02108,617-555-0199,,,,,SA * OP OIT * MD MC\n";
const BIRCH: &str =
    "Birch Counseling Services,,40 Diamond Valley Road,,Markleeville,CA,96120,530-694-1816,,,,,SA * OIT * MD\n";
const CEDAR: &str =
    "Cedar Grove Treatment,,41 Commercial Street,,Portland,ME,04101,207-555-0143,,,,,SA * OIT ODT * PI\n";
const NOT_IOP: &str =
    "Dogwood Residential,,9 Elm St,,Portland,ME,04101,207-555-0101,,,,,SA * RES * PI\n";
const LEGEND: &str = "category_code,category_name,service_code,service_name,service_description\n\
    SET,Service Setting,OIT,Outpatient intensive,\n\
    SET,Service Setting,OP,Outpatient,\n\
    PAY,Payment,MD,Medicaid,\n\
    PAY,Payment,MC,Medicare,\n\
    PAY,Payment,PI,Private health insurance,\n";

/// Write the directory as `su_2022_facilities.csv` with its legend beside it
/// (`su_2022_service_codes.csv`); answers the facilities file.
fn write_directory(dir: &Path, rows: &[&str]) -> PathBuf {
    let path = dir.join("su_2022_facilities.csv");
    std::fs::write(&path, format!("{HEADER}{}", rows.concat())).unwrap();
    std::fs::write(dir.join("su_2022_service_codes.csv"), LEGEND).unwrap();
    path
}

struct Crawl {
    ok: bool,
    stdout: String,
    stderr: String,
    report: Value,
}

/// Run `iopfinder crawl` on `day`; read the report it says it saved.
fn crawl(data: &Path, day: &str, sources: &[&str]) -> Crawl {
    crawl_withdrawing_after(data, day, sources, 3)
}

/// [`crawl`] withdrawing a listing after `misses` missed crawls.
fn crawl_withdrawing_after(data: &Path, day: &str, sources: &[&str], misses: u32) -> Crawl {
    let misses = misses.to_string();
    let mut args = vec![
        "crawl",
        "--data-dir",
        data.to_str().unwrap(),
        "--today",
        day,
        "--withdraw-after",
        &misses,
    ];
    for source in sources {
        args.extend(["--source", source]);
    }
    let (ok, stdout, stderr) = run(&args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix("report: "))
        .unwrap_or_else(|| panic!("no report path in the output:\n{stdout}\n{stderr}"));
    let report: Value = serde_json::from_slice(&std::fs::read(path.trim()).unwrap()).unwrap();
    assert!(
        Path::new(path.trim()).starts_with(data.join("crawls")),
        "saved under the data directory: {path}"
    );
    Crawl {
        ok,
        stdout,
        stderr,
        report,
    }
}

/// (new, changed, unchanged, missed, withdrawn) of the report's first source.
fn counts(report: &Value) -> (u64, u64, u64, u64, u64) {
    let s = &report["sources"][0];
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
    (
        n("new"),
        n("changed"),
        n("unchanged"),
        n("missed"),
        n("withdrawn"),
    )
}

fn export(data: &Path) -> Vec<Value> {
    let (ok, out, err) = run(&["export", "--data-dir", data.to_str().unwrap()]);
    assert!(ok, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn by_name<'a>(listings: &'a [Value], name: &str) -> Option<&'a Value> {
    listings.iter().find(|l| l["name"] == name)
}

/// The newest check date of a listing's facts.
fn last_checked(listing: &Value) -> String {
    listing["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["checked"].as_str().unwrap().to_string())
        .max()
        .unwrap()
}

fn state(data: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(data.join("crawl-state.json")).unwrap()).unwrap()
}

/// Search the served index by words: the total.
fn search_total(data: &Path, words: &str) -> u64 {
    let q = format!("q={words}");
    let (ok, out, err) = run(&["search", "--data-dir", data.to_str().unwrap(), &q]);
    assert!(ok, "{err}");
    serde_json::from_str::<Value>(&out).unwrap()["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn recrawls_date_changes_and_withdraw_a_missing_listing_only_after_n_misses() {
    let data = TempDir::new("recrawl-data");
    let files = TempDir::new("recrawl-src");
    let d = data.path();
    let source = format!(
        "samhsa-directory={}",
        write_directory(files.path(), &[ALDER, BIRCH, CEDAR, NOT_IOP]).display()
    );

    // day 1: everything is new
    let c = crawl(d, "2026-01-01", &[&source]);
    assert!(c.ok, "{}{}", c.stdout, c.stderr);
    assert_eq!(counts(&c.report), (3, 0, 0, 0, 0), "{}", c.stdout);
    assert_eq!(c.report["sources"][0]["ok"], true);
    assert_eq!(c.report["date"], "2026-01-01");
    assert_eq!(c.report["listings"], 3);
    assert_eq!(c.report["totals"]["new"], 3);
    assert!(c.report["generation"].as_str().unwrap().starts_with("g-"));
    assert!(c.stdout.contains("3 new"), "{}", c.stdout);
    let alder_id = by_name(&export(d), "Alder Recovery Center").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cedar_id = by_name(&export(d), "Cedar Grove Treatment").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // day 2: Alder's phone changed, Cedar is gone from the file
    write_directory(files.path(), &[ALDER_NEW_PHONE, BIRCH, NOT_IOP]);
    let c = crawl(d, "2026-01-08", &[&source]);
    assert!(c.ok);
    assert_eq!(counts(&c.report), (0, 1, 1, 1, 0), "{}", c.stdout);
    assert_eq!(c.report["sources"][0]["changed_ids"][0], alder_id.as_str());
    assert_eq!(c.report["sources"][0]["missed_ids"][0], cedar_id.as_str());
    let s = state(d);
    let alder = &s["listings"][alder_id.as_str()];
    assert_eq!(alder["first_seen"], "2026-01-01");
    assert_eq!(alder["last_changed"], "2026-01-08", "{s}");
    assert_eq!(s["listings"][cedar_id.as_str()]["misses"], 1);
    let listings = export(d);
    assert_eq!(listings.len(), 3, "one miss never drops a listing");
    assert_eq!(
        by_name(&listings, "Alder Recovery Center").unwrap()["phone"],
        "(617) 555-0199"
    );
    assert_eq!(
        last_checked(by_name(&listings, "Birch Counseling Services").unwrap()),
        "2026-01-08"
    );
    assert_eq!(
        last_checked(by_name(&listings, "Cedar Grove Treatment").unwrap()),
        "2026-01-01",
        "a missed listing keeps its old check dates"
    );

    // day 3: Cedar is back: unchanged, and its misses start again
    write_directory(files.path(), &[ALDER_NEW_PHONE, BIRCH, CEDAR]);
    let c = crawl(d, "2026-01-15", &[&source]);
    assert_eq!(counts(&c.report), (0, 0, 3, 0, 0), "{}", c.stdout);
    assert_eq!(c.report["sources"][0]["returned"], 1);
    assert!(c.stdout.contains("1 listings are back"), "{}", c.stdout);
    let s = state(d);
    assert_eq!(s["listings"][cedar_id.as_str()]["misses"], 0);
    assert_eq!(s["listings"][cedar_id.as_str()]["last_seen"], "2026-01-15");
    assert_eq!(
        s["listings"][alder_id.as_str()]["last_changed"],
        "2026-01-08"
    );

    // days 4 and 5: missed twice more, still served (without the reset on
    // day 3 this would be its third miss)
    write_directory(files.path(), &[ALDER_NEW_PHONE, BIRCH]);
    for day in ["2026-01-22", "2026-01-29"] {
        let c = crawl(d, day, &[&source]);
        assert_eq!(counts(&c.report), (0, 0, 2, 1, 0), "{day}: {}", c.stdout);
    }
    assert_eq!(state(d)["listings"][cedar_id.as_str()]["misses"], 2);
    assert_eq!(search_total(d, "Cedar Grove"), 1);
    assert_eq!(
        last_checked(by_name(&export(d), "Cedar Grove Treatment").unwrap()),
        "2026-01-15"
    );

    // day 6: the third miss in a row withdraws it from the store and the index
    let c = crawl(d, "2026-02-05", &[&source]);
    assert!(c.ok);
    assert_eq!(counts(&c.report), (0, 0, 2, 0, 1), "{}", c.stdout);
    assert_eq!(
        c.report["sources"][0]["withdrawn_ids"][0],
        cedar_id.as_str()
    );
    assert_eq!(c.report["totals"]["withdrawn"], 1);
    assert_eq!(c.report["listings"], 2);
    assert!(c.stdout.contains("1 withdrawn"), "{}", c.stdout);
    assert!(by_name(&export(d), "Cedar Grove Treatment").is_none());
    assert!(state(d)["listings"].get(cedar_id.as_str()).is_none());
    assert_eq!(search_total(d, "Cedar Grove"), 0);
    assert_eq!(search_total(d, "Alder"), 1);

    // one report per crawl, kept
    let reports = std::fs::read_dir(d.join("crawls")).unwrap().count();
    assert_eq!(reports, 6);
}

#[test]
fn a_failed_source_keeps_its_listings_and_is_reported() {
    let data = TempDir::new("failed-data");
    let files = TempDir::new("failed-src");
    let d = data.path();
    let (one, two) = (files.path().join("one"), files.path().join("two"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    let first = format!(
        "samhsa-directory={}",
        write_directory(&one, &[ALDER, BIRCH]).display()
    );
    let second = format!(
        "samhsa-directory={}",
        write_directory(&two, &[CEDAR]).display()
    );
    let c = crawl(d, "2026-01-01", &[&first, &second]);
    assert!(c.ok);
    assert_eq!(counts(&c.report), (2, 0, 0, 0, 0));
    assert_eq!(c.report["sources"][1]["new"], 1);
    let current = std::fs::read_to_string(d.join("index/CURRENT")).unwrap();

    // the second file disappears; alone, it fails the command and nothing
    // served changes
    std::fs::remove_file(two.join("su_2022_facilities.csv")).unwrap();
    let c = crawl(d, "2026-01-08", &[&second]);
    assert!(!c.ok, "every source failed: {}", c.stdout);
    assert!(c.stderr.contains("every source failed"), "{}", c.stderr);
    assert!(c.stdout.contains("FAILED"), "{}", c.stdout);
    let s = &c.report["sources"][0];
    assert_eq!(s["ok"], false);
    assert!(
        s["error"].as_str().unwrap().contains("two"),
        "the error names the file: {s}"
    );
    // the source is SAMHSA's substance use directory, whichever file: its
    // failed read keeps all of the dataset's listings
    assert_eq!(s["kept_from_last_crawl"], 3);
    assert_eq!(c.report["totals"]["sources_failed"], 1);
    assert_eq!(c.report["generation"], Value::Null);
    assert_eq!(
        std::fs::read_to_string(d.join("index/CURRENT")).unwrap(),
        current,
        "the served generation is untouched"
    );
    assert_eq!(export(d).len(), 3);
    assert_eq!(search_total(d, "Cedar Grove"), 1);

    // with a good source beside it: the crawl publishes, says so, exits 0,
    // and the failed source's listing is kept, not missed
    write_directory(&one, &[ALDER_NEW_PHONE, BIRCH]);
    let c = crawl(d, "2026-01-15", &[&first, &second]);
    assert!(
        c.ok,
        "a partial failure is not a failed crawl: {}",
        c.stderr
    );
    assert!(c.stderr.contains("1 of 2 sources failed"), "{}", c.stderr);
    assert!(c.stdout.contains("FAILED"), "{}", c.stdout);
    assert_eq!(counts(&c.report), (0, 1, 1, 0, 0), "{}", c.stdout);
    assert_eq!(c.report["sources"][1]["ok"], false);
    assert_eq!(c.report["sources"][1]["kept_from_last_crawl"], 1);
    assert_eq!(c.report["totals"]["errors"]["source-failed"], 1);
    assert_ne!(
        std::fs::read_to_string(d.join("index/CURRENT")).unwrap(),
        current
    );
    let listings = export(d);
    assert_eq!(listings.len(), 3);
    let cedar = by_name(&listings, "Cedar Grove Treatment").unwrap();
    assert_eq!(last_checked(cedar), "2026-01-01");
    let cedar = cedar["id"].as_str().unwrap().to_string();
    assert_eq!(state(d)["listings"][cedar.as_str()]["misses"], 0);

    // a source is what it is, not where it was read: both files are SAMHSA's
    // substance use directory, so reading only the first one (read whole,
    // with no failure) misses the listing only the second one gave
    let c = crawl(d, "2026-01-22", &[&first]);
    assert!(c.ok);
    assert_eq!(counts(&c.report), (0, 0, 2, 1, 0), "{}", c.stdout);
    assert_eq!(state(d)["listings"][cedar.as_str()]["misses"], 1);
    assert_eq!(
        state(d)["listings"][cedar.as_str()]["source"],
        "samhsa-directory#national-directory-substance-use"
    );
}

#[test]
fn bad_input_is_explained_not_a_panic() {
    let data = TempDir::new("bad-input");
    let d = data.path().to_str().unwrap();
    for (args, expect) in [
        (
            vec!["crawl", "--data-dir", d, "--source", "nosuch=x"],
            "unknown kind",
        ),
        (
            vec!["crawl", "--data-dir", d, "--source", "samhsa-directory"],
            "KIND=URL_OR_PATH",
        ),
        (
            vec![
                "crawl",
                "--data-dir",
                d,
                "--source",
                "sample=embedded",
                "--allow-address",
                "10.0.0.0/99",
            ],
            "is not a network",
        ),
        (
            vec![
                "crawl",
                "--data-dir",
                d,
                "--source",
                "sample=embedded",
                "--withdraw-after",
                "0",
            ],
            "--withdraw-after",
        ),
        (
            vec![
                "crawl",
                "--data-dir",
                d,
                "--source",
                "sample=embedded",
                "--today",
                "yesterday",
            ],
            "YYYY-MM-DD",
        ),
        (vec!["extract", "/nonexistent/page.html"], "/nonexistent"),
    ] {
        let (ok, out, err) = run(&args);
        assert!(!ok, "{args:?} should fail: {out}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // nothing was written by refused commands
    assert!(!data.path().join("listings.json").exists());
    // the help lists the source kinds
    let (ok, out, _) = run(&["crawl", "--help"]);
    assert!(ok);
    assert!(
        out.contains("samhsa-directory") && out.contains("sample"),
        "{out}"
    );
}

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crawler/tests/fixtures/pages/01-harbor-light.html"
);

fn fact<'a>(out: &'a Value, name: &str) -> Option<&'a Value> {
    out["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fact"] == name)
}

#[test]
fn extract_prints_a_saved_pages_facts_with_their_evidence() {
    let (ok, out, err) = run(&["extract", FIXTURE]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["organization"]["name"], "Harbor Light Recovery");
    assert_eq!(
        fact(&out, "insurance/medicaid").unwrap()["evidence"],
        "MaineCare (Medicaid)"
    );
    assert!(
        fact(&out, "insurance/medicare").is_none(),
        "negated on the page"
    );
    assert_eq!(out["schedule"]["hours_per_week"], 9.0);
    assert!(!out["schedule"]["evidence"].as_array().unwrap().is_empty());
    let listings = out["listings"].as_array().unwrap();
    assert_eq!(listings.len(), 1, "{out}");
    let listing = &listings[0];
    assert_eq!(listing["address"]["zip"], "04101");
    let medicaid = listing["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["fact"] == "insurance/medicaid")
        .unwrap();
    assert_eq!(medicaid["evidence"], "MaineCare (Medicaid)");

    // a page without structured data: facts, but no listing, and why
    let meridian = FIXTURE.replace("01-harbor-light", "03-meridian-eating");
    let (ok, out, err) = run(&["extract", &meridian]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert!(!out["facts"].as_array().unwrap().is_empty());
    assert!(out["listings"].as_array().unwrap().is_empty());
    assert!(out["note"].as_str().unwrap().contains("no listing"));
}

#[test]
fn extract_fetches_a_url_only_from_allowed_addresses() {
    let page = std::fs::read(FIXTURE).unwrap();
    let base = serve_static(vec![("/iop", "text/html; charset=utf-8", page)]);
    let url = format!("{base}/iop");
    // loopback is refused unless allowed
    let (ok, _, err) = run(&["extract", &url]);
    assert!(!ok);
    assert!(err.contains("blocked"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (ok, out, err) = run(&[
        "extract",
        &url,
        "--allow-address",
        "127.0.0.0/8",
        "--delay-ms",
        "0",
    ]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["url"], url.as_str());
    assert_eq!(
        fact(&out, "insurance/medicaid").unwrap()["evidence"],
        "MaineCare (Medicaid)"
    );
    let listing = &out["listings"][0];
    assert_eq!(listing["name"], "Harbor Light Recovery");
    assert_eq!(listing["sources"][0]["url"], url.as_str());
    assert_eq!(listing["sources"][0]["kind"], "website");
}

#[test]
fn a_website_on_loopback_is_crawled_only_when_its_address_is_allowed() {
    let page = std::fs::read(FIXTURE).unwrap();
    let base = serve_static(vec![
        ("/", "text/html; charset=utf-8", page.clone()),
        ("/iop", "text/html; charset=utf-8", page),
    ]);
    let data = TempDir::new("website");
    let d = data.path().to_str().unwrap();
    let source = format!("website={base}/");

    let (ok, out, err) = run(&["crawl", "--data-dir", d, "--source", &source]);
    assert!(!ok, "loopback is refused by default: {out}");
    assert!(out.contains("FAILED") && out.contains("blocked"), "{out}");
    assert!(!err.contains("panicked"), "{err}");

    let (ok, out, err) = run(&[
        "crawl",
        "--data-dir",
        d,
        "--source",
        &source,
        "--allow-address",
        "127.0.0.1",
        "--delay-ms",
        "0",
    ]);
    assert!(ok, "{out}{err}");
    let path = out
        .lines()
        .find_map(|l| l.strip_prefix("report: "))
        .unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let s = &report["sources"][0];
    assert_eq!(s["ok"], true, "{s}");
    assert!(s["pages_fetched"].as_u64().unwrap() >= 3, "{s}");
    assert!(s["new"].as_u64().unwrap() >= 1, "{s}");
    assert!(
        s["errors"]["status"].as_u64().unwrap_or(0) >= 1,
        "the menu's missing pages are errors by kind: {s}"
    );
    let listings = export(data.path());
    let harbor = by_name(&listings, "Harbor Light Recovery").expect("a listing from the site");
    assert_eq!(harbor["sources"][0]["kind"], "website");
    assert!(harbor["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["evidence"] == "MaineCare (Medicaid)"));
}

/// Whether the current generation says it holds sample data (what
/// `/healthz` and every page's sample notice read).
fn generation_is_sample(data: &Path) -> bool {
    let current = std::fs::read_to_string(data.join("index/CURRENT")).unwrap();
    let meta: Value = serde_json::from_slice(
        &std::fs::read(
            data.join("index")
                .join(current.trim())
                .join("generation.json"),
        )
        .unwrap(),
    )
    .unwrap();
    meta["sample"].as_bool().unwrap()
}

#[test]
fn the_first_crawl_of_real_data_replaces_the_seeded_sample() {
    let data = TempDir::new("sample-replaced");
    let files = TempDir::new("sample-replaced-src");
    let d = data.path();
    // as `serve` seeds an empty data directory
    iopfinder::crawl::seed_sample(&iop_index::DataDir::new(d)).unwrap();
    let seeded = export(d).len();
    assert!(seeded > 300 && generation_is_sample(d));

    // a real source that fails leaves the sample standing
    for rows in [None, Some(NOT_IOP)] {
        let failing = match rows {
            None => files.path().join("nosuch.csv"),
            // no IOP in it: refused as a file that cannot list IOPs
            Some(row) => write_directory(files.path(), &[row]),
        };
        let c = crawl(
            d,
            "2026-03-01",
            &[&format!("samhsa-directory={}", failing.display())],
        );
        assert!(!c.ok, "{}", c.stdout);
        assert_eq!(c.report["sample_removed"], 0);
        assert_eq!(export(d).len(), seeded);
        assert!(generation_is_sample(d));
    }

    // a crawl naming the sample beside a real source keeps both
    let real = format!(
        "samhsa-directory={}",
        write_directory(files.path(), &[ALDER, BIRCH]).display()
    );
    let both = TempDir::new("sample-kept");
    let c = crawl(both.path(), "2026-03-01", &["sample=embedded", &real]);
    assert!(c.ok, "{}{}", c.stdout, c.stderr);
    assert_eq!(c.report["sample_removed"], 0);
    assert_eq!(export(both.path()).len(), seeded + 2);

    // the first crawl that reads real listings without the sample drops
    // every fictional one, says so, and the index is no longer a sample
    let c = crawl(d, "2026-03-02", &[&real]);
    assert!(c.ok, "{}{}", c.stdout, c.stderr);
    assert_eq!(c.report["sample_removed"], seeded, "{}", c.report);
    assert!(
        c.stdout.contains(&format!(
            "removed the {seeded} fictional programs of the embedded sample directory"
        )),
        "{}",
        c.stdout
    );
    let listings = export(d);
    assert_eq!(listings.len(), 2, "only the real programs");
    assert!(listings.iter().all(|l| l["sample"] == false));
    assert!(!generation_is_sample(d));
    // and the crawl state keeps no trace of them
    let tracked = state(d)["listings"].as_object().unwrap().len();
    assert_eq!(tracked, 2);
    assert_eq!(counts(&c.report).4, 0, "removed, not counted as withdrawn");
}

#[test]
fn one_crawl_at_a_time_per_data_directory() {
    let data = TempDir::new("lock");
    let d = data.path().to_str().unwrap();
    let lock = data.path().join("crawl.lock");
    // a running process holds the lock: this test's own
    std::fs::write(&lock, std::process::id().to_string()).unwrap();
    let (ok, _, err) = run(&["crawl", "--data-dir", d, "--source", "sample=embedded"]);
    assert!(!ok);
    assert!(err.contains("another crawl"), "{err}");
    assert!(!data.path().join("listings.json").exists());
    // a lock left by a process that is gone is taken over, and released
    std::fs::write(&lock, "4000000000").unwrap();
    let (ok, out, err) = run(&["crawl", "--data-dir", d, "--source", "sample=embedded"]);
    assert!(ok, "{out}{err}");
    assert!(!lock.exists(), "released after the crawl");
    assert!(data.path().join("listings.json").exists());
}

#[test]
fn reindex_rebuilds_the_index_from_the_store_without_fetching() {
    let data = TempDir::new("reindex");
    let d = data.path().to_str().unwrap();
    let (ok, out, err) = run(&["reindex", "--data-dir", d]);
    assert!(!ok, "nothing to index: {out}");
    assert!(err.contains("iopfinder crawl"), "says what to do: {err}");
    let (ok, out, err) = run(&["crawl", "--data-dir", d, "--source", "sample=embedded"]);
    assert!(ok, "{out}{err}");
    let current = || std::fs::read_to_string(data.path().join("index/CURRENT")).unwrap();
    let crawled = current();
    let before = search_total(data.path(), "Denver");
    assert!(before > 0);
    let (ok, out, err) = run(&["reindex", "--data-dir", d]);
    assert!(ok, "{out}{err}");
    let listings = export(data.path()).len();
    assert!(out.contains(&format!(": {listings} listings in ")), "{out}");
    assert_ne!(current(), crawled, "a new generation is current");
    assert_eq!(search_total(data.path(), "Denver"), before);
    // beside a running crawl it waits for nothing and changes nothing
    let lock = data.path().join("crawl.lock");
    std::fs::write(&lock, std::process::id().to_string()).unwrap();
    let reindexed = current();
    let (ok, _, err) = run(&["reindex", "--data-dir", d]);
    assert!(!ok);
    assert!(err.contains("another crawl"), "{err}");
    assert_eq!(current(), reindexed);
    std::fs::remove_file(lock).unwrap();
}

/// A file of `../shared/data` (beside the repository); `None`, said, when absent.
fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = std::env::var_os("IOP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
        .join(relative);
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

#[test]
fn a_new_edition_withdraws_exactly_the_programs_it_no_longer_lists() {
    let (Some(old), Some(new)) = (
        shared_file("samhsa-national-directory-2022/su_2022_facilities.csv"),
        shared_file("samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx"),
    ) else {
        return;
    };
    // what each edition lists, read by the library
    let today = time::Date::from_calendar_date(2026, time::Month::November, 30).unwrap();
    let ids = |path: &Path| -> std::collections::BTreeSet<String> {
        let directory = iop_crawler::sources::samhsa::read_path(path).unwrap();
        iop_crawler::sources::samhsa::listings(&directory, today)
            .listings
            .into_iter()
            .map(|l| l.id)
            .collect()
    };
    let (ids_2022, ids_2023) = (ids(&old), ids(&new));
    let gone: std::collections::BTreeSet<String> =
        ids_2022.difference(&ids_2023).cloned().collect();
    assert_eq!(gone.len(), 1_902, "programs only in the 2022 edition");

    let data = TempDir::new("editions");
    let d = data.path();
    let c = crawl_withdrawing_after(
        d,
        "2026-11-01",
        &[&format!("samhsa-directory={}", old.display())],
        2,
    );
    assert!(c.ok, "{}{}", c.stdout, c.stderr);
    assert_eq!(c.report["listings"], ids_2022.len());

    // the 2023 file, from another path: the same source, a newer edition
    let source_2023 = format!("samhsa-directory={}", new.display());
    let c = crawl_withdrawing_after(d, "2026-11-08", &[&source_2023], 2);
    assert!(c.ok, "{}{}", c.stdout, c.stderr);
    let s = &c.report["sources"][0];
    assert_eq!(s["missed"], gone.len(), "{}", c.stdout);
    assert_eq!(s["withdrawn"], 0, "one miss withdraws nothing");
    assert_eq!(
        s["new"].as_u64().unwrap() as usize,
        ids_2023.difference(&ids_2022).count()
    );
    assert_eq!(c.report["listings"], ids_2022.union(&ids_2023).count());

    // the second miss in a row withdraws exactly those
    let c = crawl_withdrawing_after(d, "2026-11-15", &[&source_2023], 2);
    let s = &c.report["sources"][0];
    let withdrawn: std::collections::BTreeSet<String> = s["withdrawn_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(withdrawn, gone);
    assert_eq!(c.report["listings"], ids_2023.len());
    assert_eq!(s["missed"], 0);
}

#[test]
fn a_mental_health_edition_says_it_cannot_list_iops() {
    let Some(mh) =
        shared_file("samhsa-national-directory-2023/national-directory-mh-facilities-2024.xlsx")
    else {
        return;
    };
    let data = TempDir::new("mh-edition");
    let c = crawl(
        data.path(),
        "2026-11-01",
        &[&format!("samhsa-directory={}", mh.display())],
    );
    assert!(!c.ok, "not \"ok, 0 listings\": {}", c.stdout);
    let error = c.report["sources"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("cannot list intensive outpatient programs") && error.contains("OIT"),
        "{error}"
    );
    assert!(c.stdout.contains("cannot list"), "{}", c.stdout);
}

fn small_site_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/crawler/tests/fixtures/site-small/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn extract_site_prints_each_fact_with_its_page_and_sentence() {
    let html = "text/html; charset=utf-8";
    let base = serve_static(vec![
        (
            "/robots.txt",
            "text/plain",
            b"User-agent: *\nAllow: /\n".to_vec(),
        ),
        ("/", html, small_site_file("home.html")),
        (
            "/programs/adult-iop",
            html,
            small_site_file("adult-iop.html"),
        ),
        ("/contact", html, small_site_file("contact.html")),
        ("/insurance", html, small_site_file("insurance.html")),
    ]);
    let (ok, out, err) = run(&[
        "extract",
        "--site",
        &format!("{base}/"),
        "--allow-address",
        "127.0.0.0/8",
        "--delay-ms",
        "0",
    ]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    let listings = out["listings"].as_array().unwrap();
    assert_eq!(listings.len(), 1, "{out:#}");
    let l = &listings[0];
    assert_eq!(l["name"], "Cedar Grove Counseling");
    assert_eq!(l["address"]["zip"], "97401");
    let aetna = fact(l, "insurance/aetna").unwrap();
    assert_eq!(aetna["page"], format!("{base}/insurance").as_str());
    assert_eq!(aetna["evidence"], "Aetna");
    let dbt = fact(l, "modality/dbt").unwrap();
    assert_eq!(dbt["page"], format!("{base}/programs/adult-iop").as_str());
    assert!(
        out["report"][0].as_str().unwrap().contains("1 listings"),
        "{out:#}"
    );

    // not a URL: a clear message
    let (ok, _, err) = run(&["extract", "--site", "provider.org"]);
    assert!(!ok);
    assert!(err.contains("http(s) URL"), "{err}");
}

#[test]
fn crawl_reads_many_sources_from_a_sources_file() {
    let data = TempDir::new("sources-file-data");
    let files = TempDir::new("sources-file-src");
    let a = files.path().join("a");
    let b = files.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let first = write_directory(&a, &[ALDER]);
    let second = write_directory(&b, &[BIRCH]);
    let list = files.path().join("sources.toml");
    std::fs::write(
        &list,
        format!(
            "[[source]]\nkind = \"samhsa-directory\"\nlocation = {:?}\n\n[[source]]\nkind = \"samhsa-directory\"\nlocation = {:?}\ndelay_ms = 0\nmax_pages = 5\n",
            first.display().to_string(),
            second.display().to_string()
        ),
    )
    .unwrap();
    let (ok, out, err) = run(&[
        "crawl",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--sources",
        list.to_str().unwrap(),
    ]);
    assert!(ok, "{out}\n{err}");
    let listings = std::fs::read_to_string(data.path().join("listings.json")).unwrap();
    assert!(listings.contains("Alder Recovery Center"), "{listings}");
    assert!(listings.contains("Birch Counseling Services"));

    // a bad file says what is wrong
    std::fs::write(&list, "[[source]]\nkind = \"website\"\n").unwrap();
    let (ok, _, err) = run(&[
        "crawl",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--sources",
        list.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("not a sources file") && err.contains("location"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
