//! The listing page and the site's reach, end to end over HTTP: JSON-LD,
//! share tags and canonical URL; "report a problem" stored for the
//! operator; the results map; the counted empty state; sitemap, robots.txt
//! and OpenSearch; and the weight of a results page.

use crate::common;

use common::html::{attr, first, one, parse, select, text, Html};
use common::{client, no_redirects, TestApp};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;

/// A search near Sacramento wide enough to fill a 20-card page.
const FULL_PAGE: &str = "near=95814&radius=250";

/// A search near Sacramento that finds nothing, with two filters.
const EMPTY: &str = "near=95814&radius=5&insurance=medicare&focus=eating-disorders";

/// The first result near Sacramento, from the API.
fn first_listing(app: &TestApp) -> Value {
    let (status, body) = app.json("/api/v1/search?near=95814&per_page=1");
    assert_eq!(status, 200, "{body}");
    body["results"][0].clone()
}

/// The `content` of the page's one `<meta property|name="key">`.
fn meta<'a>(page: &'a Html, attr_name: &str, key: &str) -> &'a str {
    attr(
        one(page, &format!("meta[{attr_name}=\"{key}\"]")),
        "content",
    )
}

/// The page's one JSON-LD element, parsed.
fn json_ld(page: &Html) -> Value {
    let script = one(page, "script[type=\"application/ld+json\"]");
    serde_json::from_str(&script.inner_html()).expect("JSON-LD is JSON")
}

#[test]
fn the_listing_page_has_json_ld_share_tags_and_a_canonical_url() {
    let app = TestApp::start();
    let first = first_listing(&app);
    let id = first["id"].as_str().unwrap();
    let (status, html) = app.html(&format!("/programs/{id}"));
    assert_eq!(status, 200);

    // JSON-LD parses, with the listing's name, phone, address and place
    let doc = parse(&html);
    let ld = json_ld(&doc);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "MedicalClinic");
    // the heading's name, before its "Sample" tag
    let h1 = one(&doc, "h1").text().next().unwrap().trim();
    assert_eq!(ld["name"].as_str().unwrap(), h1);
    assert!(ld["name"]
        .as_str()
        .unwrap()
        .contains(first["name"].as_str().unwrap()));
    assert_eq!(ld["telephone"], first["phone"]);
    assert_eq!(ld["address"]["@type"], "PostalAddress");
    assert_eq!(ld["address"]["postalCode"], first["address"]["zip"]);
    // geo only where the point is the program's own (not a ZIP centre)
    let (_, full) = app.json(&format!("/api/v1/programs/{id}"));
    assert_eq!(full["point"]["precision"], "zip-centroid", "fixture");
    assert!(ld.get("geo").is_none(), "no geo for a ZIP centroid: {ld}");
    assert_eq!(ld["url"], first["website"]);

    let (_, page) = app.json("/api/v1/search?near=95814&radius=100&per_page=20");
    let exact = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            app.json(&format!("/api/v1/programs/{}", r["id"].as_str().unwrap()))
                .1
        })
        .find(|l| l["point"]["precision"] == "exact")
        .expect("an exactly placed program near Sacramento");
    let (_, exact_html) = app.html(&format!("/programs/{}", exact["id"].as_str().unwrap()));
    let exact_ld = json_ld(&parse(&exact_html));
    assert_eq!(exact_ld["geo"]["@type"], "GeoCoordinates");
    let lat = exact_ld["geo"]["latitude"].as_f64().unwrap();
    let lon = exact_ld["geo"]["longitude"].as_f64().unwrap();
    assert!((lat - exact["point"]["lat"].as_f64().unwrap()).abs() < 1e-4);
    assert!((lon - exact["point"]["lon"].as_f64().unwrap()).abs() < 1e-4);

    // canonical, Open Graph and Twitter card: absolute URLs of this page
    let own = format!("{}/programs/{id}", app.url);
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{own}\">")));
    assert_eq!(meta(&doc, "property", "og:url"), own);
    assert_eq!(ld["@id"], own.as_str());
    assert_eq!(meta(&doc, "property", "og:type"), "website");
    assert_eq!(meta(&doc, "property", "og:title"), h1);
    assert!(meta(&doc, "property", "og:description").len() > 40);
    assert_eq!(meta(&doc, "name", "twitter:card"), "summary");
    assert!(html.contains(
        "<link rel=\"search\" type=\"application/opensearchdescription+xml\" href=\"/opensearch.xml\""
    ));

    // click to call, directions and the website
    let digits: String = first["phone"]
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert!(
        html.contains(&format!("href=\"tel:+1{digits}\"")),
        "tel link"
    );
    assert!(html.contains("href=\"https://www.openstreetmap.org/"));
    assert!(html.contains(&format!("href=\"{}\"", first["website"].as_str().unwrap())));
    // and the report form
    assert!(html.contains(&format!(
        "<form class=\"report-form\" method=\"post\" action=\"/programs/{id}/report\">"
    )));

    // the public base URL follows the Host header when none is configured
    let r = client()
        .get(format!("{}/programs/{id}", app.url))
        .header("Host", "iopfinder.example")
        .send()
        .unwrap();
    let html = r.text().unwrap();
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"http://iopfinder.example/programs/{id}\">"
    )));
    // and a Host that is not a plain host name is not trusted
    let r = client()
        .get(format!("{}/programs/{id}", app.url))
        .header("Host", "evil.example/\"><b>x")
        .send()
        .unwrap();
    let html = r.text().unwrap();
    assert!(!html.contains("evil.example"), "an unsafe Host is ignored");
}

#[test]
fn a_report_is_stored_as_one_json_line_without_the_client_address() {
    let app = TestApp::start();
    let id = first_listing(&app)["id"].as_str().unwrap().to_string();
    let file = app.data.path().join("reports").join("reports.jsonl");
    let post = |body: &str| {
        no_redirects()
            .post(format!("{}/programs/{id}/report", app.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", "ListingPageTestAgent/1.0")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let r =
        post("problem=wrong-phone&details=The+number+rings+a+bakery.%0D%0ATried+twice.&contact=");
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/programs/{id}/report/thanks"));
    let (status, thanks) = app.html(&location);
    assert_eq!(status, 200);
    assert!(thanks.contains("Thank you: your report was sent"));
    assert!(thanks.contains(&format!("href=\"/programs/{id}\"")));

    let text = std::fs::read_to_string(&file).expect("the reports file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(text.ends_with('\n'));
    let report: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(report["listing"], id.as_str());
    assert_eq!(report["problem"], "wrong-phone");
    assert_eq!(
        report["details"],
        "The number rings a bakery.\nTried twice."
    );
    assert_eq!(report["contact"], "");
    assert!(report["received"].as_str().unwrap().ends_with('Z'));
    let keys: BTreeSet<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "contact",
            "details",
            "generation",
            "listing",
            "listing_name",
            "problem",
            "received"
        ])
    );
    // never the client's address or user agent
    assert!(!text.contains("127.0.0.1"), "{text}");
    assert!(!text.contains("ListingPageTestAgent"), "{text}");

    // a second report is a second line; the optional contact is kept
    let r = post("problem=closed&contact=555-0100");
    assert_eq!(r.status().as_u16(), 303);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 2);
    let second: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["problem"], "closed");
    assert_eq!(second["contact"], "555-0100");
}

#[test]
fn a_bad_report_is_a_400_that_says_what_to_fix_and_stores_nothing() {
    let app = TestApp::start();
    let id = first_listing(&app)["id"].as_str().unwrap().to_string();
    let file = app.data.path().join("reports").join("reports.jsonl");
    let post = |body: String| {
        let r = no_redirects()
            .post(format!("{}/programs/{id}/report", app.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let cases = [
        (String::new(), "Choose what is wrong with the listing."),
        (
            "problem=%3Cscript%3E".to_string(),
            "Choose one of the problems listed.",
        ),
        (
            "problem=other&details=+++".to_string(),
            "Describe what is wrong in a few words.",
        ),
        (
            format!("problem=closed&details={}", "x".repeat(2001)),
            "Shorten the description to 2,000 characters or fewer.",
        ),
        (
            format!("problem=closed&contact={}", "y".repeat(201)),
            "Shorten the contact details to 200 characters or fewer",
        ),
        // far past any real report: refused before it is read
        (
            format!("problem=closed&details={}", "z".repeat(200_000)),
            "Shorten the description to 2,000 characters or fewer.",
        ),
    ];
    for (body, fix) in &cases {
        let (status, html) = post(body.clone());
        assert_eq!(status, 400, "{body:.60}");
        assert!(html.contains(fix), "{body:.60}: {fix}");
        assert!(html.contains("Your report was not sent. Please fix this:"));
        assert!(html.contains("role=\"alert\""));
        assert!(!html.contains("<script>"));
    }
    // what was typed is kept, escaped
    let (_, html) = post(format!(
        "problem=wrong-insurance&details=%3Cb%3Ehi%3C%2Fb%3E&contact={}",
        "y".repeat(201)
    ));
    assert!(html.contains("&lt;b&gt;hi&lt;/b&gt;</textarea>"));
    assert!(html.contains("value=\"wrong-insurance\" checked"));
    assert!(!file.exists(), "nothing stored from bad reports");

    // an unknown listing is a 404, not a stored report
    let r = no_redirects()
        .post(format!("{}/programs/000000000000/report", app.url))
        .body("problem=closed")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(!file.exists());
}

#[test]
fn the_sitemap_lists_every_listing_and_robots_and_opensearch_point_to_the_site() {
    let app = TestApp::start();
    let (_, health) = app.json("/healthz");
    let served = health["listings"].as_u64().unwrap() as usize;
    let r = app.get("/sitemap.xml");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let xml = r.text().unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    // (an HTML parser reads these plain XML elements as they are)
    let sitemap = parse(&xml);
    let locs: Vec<String> = select(&sitemap, "loc").into_iter().map(text).collect();
    let programs: BTreeSet<&str> = locs
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains("/programs/"))
        .collect();
    assert_eq!(
        programs.len(),
        2 * served,
        "one URL per listing served and language"
    );
    // and the three files of the bulk download
    assert_eq!(locs.len(), 2 * (served + 2) + 3);
    assert!(locs
        .iter()
        .any(|l| l.ends_with("/download/iop-programs.csv")));
    for page in ["/", "/about", "/es/", "/es/about"] {
        assert!(locs.contains(&format!("{}{page}", app.url)), "{page}");
    }
    let spanish = programs
        .iter()
        .filter(|l| l.contains("/es/programs/"))
        .count();
    assert_eq!(spanish, served, "every listing in Spanish too");
    assert_eq!(
        xml.matches("<lastmod>").count(),
        2 * served + 3,
        "listings carry their check date, the download its build date"
    );
    for loc in programs.iter().step_by(60) {
        let path = loc.strip_prefix(&app.url).unwrap();
        assert_eq!(app.get(path).status().as_u16(), 200, "{loc}");
    }
    assert_eq!(app.get("/sitemaps/1.xml").status().as_u16(), 404);

    let r = app.get("/robots.txt");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let robots = r.text().unwrap();
    assert!(robots.starts_with("User-agent: *\n"));
    for line in [
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /search?",
        &format!("Sitemap: {}/sitemap.xml", app.url),
    ] {
        assert!(robots.lines().any(|l| l == line), "{line} in {robots}");
    }
    assert!(!robots.lines().any(|l| l == "Disallow: /"));

    let r = app.get("/opensearch.xml");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/opensearchdescription+xml"));
    let os = r.text().unwrap();
    assert!(os.contains("<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">"));
    let description = parse(&os);
    let short = text(one(&description, "shortname"));
    assert!(!short.is_empty() && short.len() <= 16, "{short}");
    let template = attr(
        one(&description, "url[type=\"text/html\"][method=\"get\"]"),
        "template",
    );
    assert_eq!(template, format!("{}/search?q={{searchTerms}}", app.url));
    // the template works
    let path = template
        .strip_prefix(&app.url)
        .unwrap()
        .replace("{searchTerms}", "dbt");
    let (status, html) = app.html(&path);
    assert_eq!(status, 200);
    assert!(html.contains("class=\"card\""));
}

/// The numbers on a page's map markers and on its cards.
/// (and the map's size in bytes).
fn numbers(html: &str) -> (Vec<usize>, Vec<usize>, usize) {
    let doc = parse(html);
    let svg = one(&doc, "svg[class=map][aria-hidden=\"true\"]");
    let number = |e| text(e).parse::<usize>().unwrap();
    let mut markers: Vec<usize> = select(svg, "text[dy=\".35em\"]")
        .into_iter()
        .map(number)
        .collect();
    markers.sort_unstable();
    let cards: Vec<usize> = select(&doc, "span.num[aria-hidden=\"true\"]")
        .into_iter()
        .map(number)
        .collect();
    (markers, cards, svg.html().len())
}

#[test]
fn the_results_map_has_one_numbered_marker_per_card() {
    let app = TestApp::start();
    let (status, html) = app.html(&format!("/search?{FULL_PAGE}"));
    assert_eq!(status, 200);
    let doc = parse(&html);
    assert_eq!(select(&doc, "article[class=card]").len(), 20);
    let (markers, numbers_on_cards, svg_bytes) = numbers(&html);
    assert_eq!(numbers_on_cards, (1..=20).collect::<Vec<_>>());
    assert_eq!(
        markers, numbers_on_cards,
        "one marker per card, same numbers"
    );
    // markers that link to their cards and the state lines: still small
    assert!(svg_bytes < 8192, "the map is {svg_bytes} bytes");
    // exact and approximate markers are drawn differently and the legend says so
    let svg = one(&doc, "svg[class=map]");
    let exact = select(svg, "g[class=e]").len();
    let approximate = select(svg, "g[class=a]").len();
    assert_eq!(exact + approximate, 20);
    assert!(
        exact > 0 && approximate > 0,
        "{exact} exact, {approximate} approximate"
    );
    assert!(html.contains("Approximate location: the centre of the program's ZIP code or city"));
    // the search origin, and the whole search circle fitted in the view
    one(svg, "path[class=o]");
    one(svg, "circle[class=r]");
    assert!(html.contains("search distance (dashed circle)"));
    // state lines from the embedded basemap, as this origin's line tiles
    // (a 250-mile view: the state lines' layer, no county lines)
    let tiles = select(svg, "image[href^=\"/map/lines-\"][href*=\"/states/\"]");
    assert!(
        !tiles.is_empty() && tiles.len() <= 9,
        "{} tiles",
        tiles.len()
    );
    assert_eq!(select(svg, "image").len(), tiles.len(), "no other image");
    // markers link to their cards
    assert_eq!(select(svg, "a[href^=\"#p-\"]").len(), 20);
    // within 100 miles the circle crosses the drawing, and the legend says so
    let (_, near) = app.html("/search?near=95814&radius=100");
    let near_doc = parse(&near);
    let near_svg = one(&near_doc, "svg[class=map]");
    one(near_svg, "circle[class=r]");
    one(near_svg, "path[class=o]");
    assert!(near.contains("The place you searched, and the search distance (dashed circle)"));
    // the drawing is for the eye; in words, a label that points to the list
    let label = text(one(
        &doc,
        "figure.results-map > p.visually-hidden:first-child",
    ));
    assert!(label.contains("1–20"), "{label}");
    assert!(label.contains("numbered list below"));

    // page 2 continues the numbering, on the cards and on the map
    let (_, html) = app.html(&format!("/search?{FULL_PAGE}&page=2"));
    let (markers, on_cards, _) = numbers(&html);
    assert!(!on_cards.is_empty());
    assert_eq!(on_cards[0], 21);
    assert_eq!(markers, on_cards);
    // no place: no origin and no circle
    let (_, html) = app.html("/search?q=dbt");
    let doc = parse(&html);
    assert!(select(one(&doc, "svg[class=map]"), "[class=r], [class=o]").is_empty());
}

#[test]
fn the_empty_state_offers_counts_that_match_the_searches_they_link_to() {
    let app = TestApp::start();
    let (_, api) = app.json(&format!("/api/v1/search?{EMPTY}"));
    assert_eq!(api["total"], 0, "the fixture search finds nothing");
    let (status, html) = app.html(&format!("/search?{EMPTY}"));
    assert_eq!(status, 200);
    let doc = parse(&html);
    let (mut radius, mut filter, mut linked) = (0, 0, 0);
    for item in select(&doc, "ul.suggestions > li") {
        let words = text(item);
        if words.starts_with("Widen the search to") {
            radius += 1;
        }
        if words.contains("Remove the filter") {
            filter += 1;
        }
        let count = first(item, "span.count").map(text);
        match first(item, "a").map(|a| attr(a, "href")) {
            Some(href) => {
                linked += 1;
                let count = count.expect("a linked widening has a count");
                let n: u64 = count
                    .trim_matches(|c| c == '(' || c == ')')
                    .split(' ')
                    .next()
                    .unwrap()
                    .replace(',', "")
                    .parse()
                    .unwrap();
                let query = href.strip_prefix("/search?").unwrap_or("");
                let (_, found) = app.json(&format!("/api/v1/search?{query}"));
                assert_eq!(found["total"].as_u64().unwrap(), n, "{href}");
                assert!(n > 0);
                let (_, page) = app.html(href);
                assert!(
                    page.contains(&format!("<h1 id=\"results-heading\">{n} program")),
                    "{href}"
                );
            }
            None if count.is_some() => {
                // a widening that finds nothing either is said, not linked
                assert_eq!(count.as_deref(), Some("no programs either"), "{words}");
                let (_, w) = app.json(&format!(
                    "/api/v1/search?{}",
                    EMPTY.replace("radius=5", "radius=50")
                ));
                if words.starts_with("Widen the search to 50 mi") {
                    assert_eq!(w["total"], 0);
                }
            }
            None => {}
        }
    }
    let list = text(one(&doc, "ul.suggestions"));
    assert_eq!(radius, 3, "50, 100 and 250 miles: {list}");
    assert_eq!(filter, 2, "each active filter: {list}");
    assert!(linked >= 2, "{list}");
    assert!(list.contains("Remove every filter"));
}

#[test]
fn a_results_page_with_20_cards_and_its_stylesheet_weigh_at_most_60_kb_compressed() {
    let app = TestApp::start();
    // compressed bytes as sent: no automatic decompression
    let raw = reqwest::blocking::Client::builder()
        .no_proxy()
        .no_gzip()
        .build()
        .unwrap();
    let fetch = |path: &str| {
        let mut r = raw
            .get(format!("{}{path}", app.url))
            .header("Accept-Encoding", "gzip")
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["content-encoding"], "gzip", "{path}");
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes).unwrap();
        bytes.len()
    };
    let (_, html) = app.html(&format!("/search?{FULL_PAGE}"));
    let doc = parse(&html);
    assert_eq!(select(&doc, "article[class=card]").len(), 20);
    let css = attr(one(&doc, "link[rel=stylesheet]"), "href");
    let page = fetch(&format!("/search?{FULL_PAGE}"));
    let sheet = fetch(css);
    let total = page + sheet;
    println!(
        "results page (20 cards): HTML {page} B + CSS {sheet} B = {total} B gzip ({:.1} KB; uncompressed HTML {} B)",
        total as f64 / 1024.0,
        html.len()
    );
    assert!(total <= 60 * 1024, "{total} bytes transferred");
    // nothing else is loaded: no script, image or font from anywhere
    assert!(!html.contains(" src="));
}
