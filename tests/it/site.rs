//! The site and the API, end to end: the real binary on 127.0.0.1, seeded
//! from the embedded sample directory, answering real HTTP requests.

use crate::common;

use common::html::{attr, one, parse, select};
use common::{run, TestApp};
use serde_json::Value;

#[test]
fn an_empty_data_directory_is_seeded_from_the_sample_and_reports_healthy() {
    let app = TestApp::start();
    let (status, health) = app.json("/healthz");
    assert_eq!(status, 200);
    assert_eq!(health["sample"], true);
    assert!(health["listings"].as_u64().unwrap() >= 300, "{health}");
    assert!(
        app.data.path().join("listings.json").exists(),
        "the seed is written to the data directory"
    );
}

#[test]
fn api_search_follows_the_contract() {
    let app = common::app::TestApp::sample();
    let (status, body) = app.json("/api/v1/search?near=95814&radius=100&per_page=5");
    assert_eq!(status, 200, "{body}");
    for key in ["total", "page", "per_page", "origin", "results", "facets"] {
        assert!(body.get(key).is_some(), "missing {key} in {body}");
    }
    assert_eq!(body["origin"]["label"], "Sacramento, CA 95814");
    assert_eq!(body["per_page"], 5);
    let results = body["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 5);
    let distances: Vec<f64> = results
        .iter()
        .map(|r| r["distance_miles"].as_f64().unwrap())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "sorted by distance: {distances:?}"
    );
    assert!(distances.iter().all(|d| *d <= 100.0));
    let first = &results[0];
    for key in [
        "id",
        "name",
        "url",
        "address",
        "lat",
        "lon",
        "phone",
        "website",
        "insurance",
        "focus",
        "schedule",
    ] {
        assert!(first.get(key).is_some(), "result lacks {key}: {first}");
    }
    assert_eq!(
        first["url"],
        format!("/programs/{}", first["id"].as_str().unwrap())
    );
    let facets = body["facets"].as_object().unwrap();
    assert_eq!(facets.len(), 9);
    let medicaid = facets["insurance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "medicaid")
        .unwrap();
    assert_eq!(medicaid["label"], "Medicaid");
    assert_eq!(medicaid["selected"], false);

    // selecting Medicaid gives exactly the count the facet promised
    let promised = medicaid["count"].as_u64().unwrap();
    let (_, filtered) = app.json("/api/v1/search?near=95814&radius=100&insurance=medicaid");
    assert_eq!(filtered["total"].as_u64().unwrap(), promised);
    // and OR within the group never gives fewer
    let (_, either) =
        app.json("/api/v1/search?near=95814&radius=100&insurance=medicaid&insurance=medicare");
    assert!(either["total"].as_u64().unwrap() >= promised);
    // the group's own counts ignore its selection (disjunctive)
    let medicare_alone = app
        .json("/api/v1/search?near=95814&radius=100&insurance=medicare")
        .1["total"]
        .as_u64()
        .unwrap();
    let counted = filtered["facets"]["insurance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "medicare")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(counted, medicare_alone);
}

#[test]
fn api_pages_add_up_to_the_total() {
    let app = common::app::TestApp::sample();
    let (_, first) = app.json("/api/v1/search?near=Denver%2C+CO&radius=300&per_page=7");
    let total = first["total"].as_u64().unwrap() as usize;
    assert!(total > 7, "want several pages, got {total}");
    let mut ids = Vec::new();
    for page in 1..=total.div_ceil(7) {
        let (_, body) = app.json(&format!(
            "/api/v1/search?near=Denver%2C+CO&radius=300&per_page=7&page={page}"
        ));
        ids.extend(
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
    }
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), total);
    assert_eq!(unique.len(), total, "no listing twice across pages");
}

#[test]
fn api_bad_input_answers_400_with_the_parameter_and_a_fix() {
    let app = common::app::TestApp::sample();
    let cases = [
        (
            "/api/v1/search?insurance=medicaidd",
            "insurance",
            "medicaid",
        ),
        ("/api/v1/search?near=Springfield", "near", "Springfield, IL"),
        ("/api/v1/search?near=00000", "near", "00000"),
        ("/api/v1/search?near=95814&radius=501", "radius", "500"),
        ("/api/v1/search?per_page=1000", "per_page", "100"),
        ("/api/v1/search?page=-1", "page", "whole number"),
        ("/api/v1/search?sort=distance", "sort", "needs a place"),
        (
            "/api/v1/search?colour=blue",
            "colour",
            "not a search parameter. The parameters are near, radius, q, sort, page, per_page, ",
        ),
    ];
    for (path, parameter, hint) in cases {
        let (status, body) = app.json(path);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
        let text = body.to_string();
        assert!(text.contains(hint), "{path}: {body} lacks {hint:?}");
    }
    let (status, body) = app.json("/api/v1/programs/000000000000");
    assert_eq!(status, 404, "{body}");
    // a path the API does not have: JSON too, naming the description
    for path in ["/api/v1/nothing", "/api/v2/search", "/api/"] {
        let (status, body) = app.json(path);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("/api/v1/openapi.json"),
            "{path}: {body}"
        );
    }
}

#[test]
fn program_json_and_page_show_every_fact_with_its_source_and_date() {
    let app = TestApp::start();
    let (_, body) = app.json("/api/v1/search?near=10001&radius=50&per_page=1");
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    // a search's row has the whole address, the second line too
    let address = body["results"][0]["address"].as_object().unwrap();
    assert!(address.contains_key("street2"), "{address:?}");
    let (status, program) = app.json(&format!("/api/v1/programs/{id}"));
    assert_eq!(status, 200);
    assert_eq!(program["id"], id.as_str());
    assert!(program["sources"].as_array().is_some_and(|s| !s.is_empty()));
    let checked = program["last_checked"].as_str().unwrap().to_string();
    let (status, html) = app.html(&format!("/programs/{id}"));
    assert_eq!(status, 200);
    assert!(
        html.contains(&checked),
        "last-checked date {checked} on the page"
    );
    assert!(
        html.contains(
            program["name"]
                .as_str()
                .unwrap()
                .replace('&', "&amp;")
                .replace('\'', "&#39;")
                .as_str()
        ) || html.contains(program["name"].as_str().unwrap())
    );
    assert!(
        html.contains("sample directory") || html.contains("Sample"),
        "source shown"
    );
    assert!(html.contains("tel:988"));
}

#[test]
fn html_pages_carry_the_crisis_line_the_sample_notice_and_no_third_parties() {
    let app = TestApp::start();
    for path in [
        "/",
        "/search?near=95814",
        "/search?near=95814&insurance=medicaid&focus=substance-use",
        "/about",
        "/search?q=family",
    ] {
        let r = app.get(path);
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers().get("set-cookie").is_none(),
            "{path} sets no cookie"
        );
        let html = r.text().unwrap();
        assert!(html.contains("tel:988"), "{path}: 988 link");
        assert!(
            html.contains("Sample data: not real programs"),
            "{path}: sample notice"
        );
        assert!(!html.contains("<script"), "{path}: no scripts");
        for attr in ["src=\"http", "href=\"//", "src=\"//"] {
            assert!(
                !html.contains(attr),
                "{path}: loads nothing from another origin ({attr})"
            );
        }
    }
}

#[test]
fn the_map_asks_no_other_origin_unless_the_operator_sets_a_tile_server() {
    let img_src = |r: &reqwest::blocking::Response| -> String {
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        let at = csp.find("img-src").expect(csp);
        csp[at..at + csp[at..].find(';').unwrap()].to_string()
    };
    let path = "/search?near=95814&radius=50";
    // by default: the embedded basemap, and images from this origin only
    let app = TestApp::start();
    let r = app.get(path);
    assert_eq!(img_src(&r), "img-src 'self' data:");
    let html = r.text().unwrap();
    assert!(html.contains("<svg class=\"map\""), "a results map");
    // the state and county lines: this origin's own tiles, cached a year
    let hrefs: Vec<&str> = html
        .split("<image href=\"")
        .skip(1)
        .map(|t| &t[..t.find('"').unwrap()])
        .collect();
    assert!(!hrefs.is_empty(), "line tiles");
    for href in &hrefs {
        assert!(
            href.starts_with("/map/lines-") && href.ends_with(".svg"),
            "{href}"
        );
    }
    let tile = app.get(hrefs[0]);
    assert_eq!(tile.status(), 200, "{}", hrefs[0]);
    assert_eq!(tile.headers()["content-type"], "image/svg+xml");
    assert_eq!(
        tile.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let svg = tile.text().unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("<path "), "lines in {}: {svg}", hrefs[0]);
    // another build's tiles, other layers and tiles that are none: 404
    let (set, rest) = hrefs[0]["/map/".len()..].split_once('/').unwrap();
    let (_, tile_path) = rest.split_once('/').unwrap();
    for bad in [
        format!("/map/lines-00000000/states/{tile_path}"),
        format!("/map/{set}/roads/{tile_path}"),
        format!("/map/{set}/states/15/0/0.svg"),
        format!("/map/{set}/states/3/8/0.svg"),
        format!("/map/{set}/states/3/0/0.png"),
        format!("/map/{set}/states/3/x/0.svg"),
    ] {
        assert_eq!(app.get(&bad).status(), 404, "{bad}");
    }
    drop(app);
    // with --map-tiles (here its environment variable): tiles under the
    // markers from exactly that origin, which the policy allows
    let app = TestApp::start_with_env(
        common::TempDir::new("tiles"),
        &[
            (
                "IOPFINDER_MAP_TILES",
                "http://127.0.0.1:9/osm/{z}/{x}/{y}.png",
            ),
            ("IOPFINDER_MAP_TILES_CREDIT", "© OpenStreetMap contributors"),
        ],
    );
    let r = app.get(path);
    assert_eq!(img_src(&r), "img-src 'self' data: http://127.0.0.1:9");
    let html = r.text().unwrap();
    let tiles = html
        .matches("<image href=\"http://127.0.0.1:9/osm/")
        .count();
    assert!(tiles >= 2, "{tiles} tiles");
    assert_eq!(
        html.matches("<image ").count(),
        tiles,
        "no other images (the street tiles replace the line tiles)"
    );
    assert!(html.contains("Street map tiles: © OpenStreetMap contributors."));
    // the home page has no map and still names no other origin in markup
    let (_, home) = app.html("/");
    assert!(!home.contains("127.0.0.1:9"));
    drop(app);
    // a template that is not one is refused when the server starts
    let data = common::TempDir::new("bad-tiles");
    let (ok, _, err) = run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--map-tiles",
        "https://tiles.example.org/{z}/{x}.png",
    ]);
    assert!(!ok);
    assert!(
        err.contains("--map-tiles") && err.contains("{y} is missing"),
        "{err}"
    );
}

#[test]
fn html_bad_input_and_missing_pages_are_friendly() {
    let app = TestApp::start();
    let (status, html) = app.html("/search?near=Springfield&insurance=medicaid");
    assert_eq!(status, 400);
    assert!(html.contains("tel:988"));
    assert!(html.contains("Springfield, IL"), "suggestion shown");
    assert!(
        html.contains("/search?near=Springfield%2C+IL&amp;insurance=medicaid"),
        "suggestion keeps the other filters"
    );
    // the form keeps what was typed (escaped) so it can be corrected
    let (status, html) = app.html("/search?near=99999%22%3E%3Cb%3E&radius=50&q=dbt");
    assert_eq!(status, 400);
    assert!(
        html.contains("name=\"near\" value=\"99999&quot;&gt;&lt;b&gt;\""),
        "{html}"
    );
    assert!(html.contains("name=\"q\" value=\"dbt\""));
    assert!(html.contains("<option value=\"50\" selected>"));
    // and the filters that name values, ticked; the one that does not is dropped
    let (status, html) =
        app.html("/search?near=00000&insurance=medicaid&modality=dbt&insurance=bogus");
    assert_eq!(status, 400);
    for (name, value) in [("insurance", "medicaid"), ("modality", "dbt")] {
        assert!(
            html.contains(&format!("name=\"{name}\" value=\"{value}\" checked")),
            "{name}={value} kept: {html}"
        );
    }
    assert!(!html.contains("value=\"bogus\""));
    // nor do the "did you mean" links carry it
    let (status, html) = app.html("/search?near=Springfield&insurance=medicaid&insurance=bogus");
    assert_eq!(status, 400);
    assert!(
        html.contains("/search?near=Springfield%2C+IL&amp;insurance=medicaid\""),
        "{html}"
    );
    assert!(!html.contains("IL&amp;insurance=medicaid&amp;insurance=bogus"));
    let (status, html) = app.html("/search?radius=9000");
    assert_eq!(status, 400);
    assert!(html.contains("500"));
    // a filter's name mistyped: said, with the search as meant, not a
    // search without the filter
    let (status, html) = app.html("/search?near=95814&insurnace=medicaid");
    assert_eq!(status, 400, "{html}");
    assert!(
        html.contains("is not a search parameter: did you mean \u{201c}insurance\u{201d}?"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/search?near=95814&amp;insurance=medicaid\""),
        "{html}"
    );
    // names other sites add to links are not slips
    let (status, _) = app.html("/search?near=95814&utm_source=newsletter&fbclid=abc");
    assert_eq!(status, 200);
    let (status, html) = app.html("/programs/nope");
    assert_eq!(status, 404);
    assert!(html.contains("tel:988") && html.contains("href=\"/\""));
    let (status, _) = app.html("/no/such/page");
    assert_eq!(status, 404);
}

#[test]
fn results_pages_have_stable_urls_for_filters_and_pages() {
    let app = TestApp::start();
    let (status, html) = app.html("/search?near=95814&radius=500&insurance=medicaid");
    assert_eq!(status, 200);
    // the selected value is checked, and its chip removes it
    assert!(
        html.contains("value=\"medicaid\" checked") || html.contains("checked value=\"medicaid\""),
        "checkbox checked"
    );
    assert!(
        html.contains("href=\"/search?near=95814&amp;radius=500\""),
        "chip link without the filter"
    );
    assert!(html.contains("page=2"), "pagination link");
}

#[test]
fn a_crawl_while_serving_is_picked_up_without_a_restart() {
    let app = TestApp::start();
    let before = app.json("/healthz").1["generation"]
        .as_str()
        .unwrap()
        .to_string();
    let data = app.data.path().to_str().unwrap();
    let (ok, out, err) = run(&["crawl", "--data-dir", data, "--source", "sample=embedded"]);
    assert!(ok, "crawl failed: {out}{err}");
    assert!(out.contains("listings"), "{out}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, health) = app.json("/healthz");
        assert_eq!(status, 200, "the server kept answering");
        if health["generation"].as_str().unwrap() != before {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "new generation not picked up"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(app.json("/api/v1/search?near=95814").0, 200);
}

#[test]
fn the_command_line_searches_and_explains_mistakes() {
    let app = TestApp::start(); // seeds the data directory
    let data = app.data.path().to_str().unwrap();
    let (ok, out, err) = run(&[
        "search",
        "--data-dir",
        data,
        "near=95814",
        "radius=200",
        "insurance=medicaid",
    ]);
    assert!(ok, "{err}");
    let body: Value = serde_json::from_str(&out).unwrap();
    assert!(body["total"].as_u64().unwrap() > 0);
    let (ok, _, err) = run(&["search", "--data-dir", data, "insurance=nope"]);
    assert!(!ok && err.contains("insurance"), "{err}");
    let (ok, _, err) = run(&["crawl", "--data-dir", data, "--source", "nosuch=x"]);
    assert!(!ok && err.contains("unknown kind"), "{err}");
    let (ok, out, _) = run(&["export", "--data-dir", data]);
    assert!(ok);
    let listings: Value = serde_json::from_str(&out).unwrap();
    assert!(listings.as_array().unwrap().len() >= 300);
}

#[test]
fn an_index_that_no_longer_opens_is_rebuilt_from_the_listing_store() {
    let first = TestApp::start();
    let listings = first.json("/healthz").1["listings"].as_u64().unwrap();
    let data = common::TempDir::new("rebuild");
    // keep the listing store, damage the index as an older version's would be
    let store = std::fs::read(first.data.path().join("listings.json")).unwrap();
    drop(first);
    std::fs::write(data.path().join("listings.json"), store).unwrap();
    std::fs::create_dir_all(data.path().join("index/g-1")).unwrap();
    std::fs::write(data.path().join("index/CURRENT"), "g-1").unwrap();
    std::fs::write(data.path().join("index/g-1/generation.json"), "{}").unwrap();
    let app = TestApp::start_in(data);
    let (status, health) = app.json("/healthz");
    assert_eq!(status, 200);
    assert_eq!(health["listings"].as_u64().unwrap(), listings);
}

#[test]
fn every_page_has_an_icon_absolute_head_links_and_the_header_referrer_policy() {
    let app = TestApp::start();
    let (_, body) = app.json("/api/v1/search?near=95814&radius=100&per_page=1");
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    for path in [
        "/".to_string(),
        "/about".to_string(),
        "/search?near=95814&radius=100".to_string(),
        format!("/programs/{id}"),
        "/no-such-page".to_string(),
    ] {
        let response = app.get(&path);
        let policy = response.headers()["referrer-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = response.text().unwrap();
        // the meta says what the header says
        assert!(
            html.contains(&format!("<meta name=\"referrer\" content=\"{policy}\">")),
            "{path}: {policy}"
        );
        // canonical and language links are absolute
        let doc = parse(&html);
        let canonical = attr(one(&doc, "link[rel=canonical]"), "href");
        assert!(canonical.starts_with(&app.url), "{path}: {canonical:.80}");
        for alternate in select(&doc, "link[rel=alternate][hreflang]") {
            let href = attr(alternate, "href");
            assert!(href.starts_with(&app.url), "{path}: {href:.80}");
        }
        // the icon, from this site
        let icon = attr(one(&doc, "link[rel=icon]"), "href");
        let response = app.get(icon);
        assert_eq!(response.status().as_u16(), 200, "{icon}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        assert!(response.text().unwrap().starts_with("<svg"));
    }
    // browsers that ask for /favicon.ico are sent to the icon
    let (status, body) = app.html("/favicon.ico");
    assert_eq!(status, 200);
    assert!(body.starts_with("<svg"));
}
