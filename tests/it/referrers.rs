//! For referrers, end to end over HTTP: the shortlist that lives in its URL,
//! the printable handout with its QR code, compare, and the CSV exports.
//! The real binary serves the embedded sample directory (or, for the CSV
//! escaping test, a copy of it with hostile text in one listing).

use crate::common;

use common::html::{attr, one, parse, select, text, Within};
use common::{client, run, TempDir, TestApp};
use serde_json::Value;
use std::collections::BTreeSet;

/// The ids of the results cards of a search page, in order.
fn card_ids(html: &str) -> Vec<String> {
    select(&parse(html), "li[id^=\"p-\"]")
        .into_iter()
        .map(|li| attr(li, "id")["p-".len()..].to_string())
        .collect()
}

/// The `href` of the first link in `within` whose text (visually hidden
/// part included) contains `words`.
fn href_of_link_containing<'a>(within: impl Within<'a>, words: &str) -> Option<String> {
    select(within, "a[href]")
        .into_iter()
        .find(|a| text(*a).contains(words))
        .map(|a| attr(a, "href").to_string())
}

/// A minimal RFC 4180 reader: records of fields, quotes doubled inside.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends with CRLF"
    );
    records
}

fn api_total(app: &TestApp, query: &str) -> usize {
    let (status, body) = app.json(&format!("/api/v1/search?{query}"));
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap() as usize
}

fn listing(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.json(&format!("/api/v1/programs/{id}"));
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn results_and_program_pages_add_and_remove_with_the_list_in_the_url() {
    let app = TestApp::start();
    let (status, page) = app.html("/search?near=95814&radius=100");
    assert_eq!(status, 200);
    let ids = card_ids(&page);
    assert!(ids.len() >= 3, "cards: {ids:?}");
    assert!(!page.contains("shortlist-bar"), "no bar for an empty list");
    // Each card's add link returns to the same search carrying its id.
    let add = href_of_link_containing(&parse(&page), "Add to shortlist").unwrap();
    assert_eq!(
        add,
        format!("/search?near=95814&radius=100&list={0}#p-{0}", ids[0])
    );
    // The link names the program for screen readers.
    assert!(page.contains("Add to shortlist</span>") || page.contains("Add to shortlist<span"));

    // With the first program on the list: a remove link for it, add links
    // for the others carrying both, a bar with the count and the way on.
    let (status, page) = app.html(&format!("/search?near=95814&radius=100&list={}", ids[0]));
    assert_eq!(status, 200);
    let doc = parse(&page);
    let card0 = one(&doc, &format!("li#p-{}", ids[0]));
    let remove = href_of_link_containing(card0, "Remove from shortlist").unwrap();
    assert_eq!(
        remove,
        format!("/search?near=95814&radius=100#p-{}", ids[0])
    );
    let card1 = one(&doc, &format!("li#p-{}", ids[1]));
    let add1 = href_of_link_containing(card1, "Add to shortlist").unwrap();
    assert!(
        add1.contains(&format!("list={},{}", ids[0], ids[1])),
        "{add1}"
    );
    // The program page link keeps the list too.
    // (with the search, so the program page leads back to these results)
    let program_link = format!("/programs/{}?near=95814&radius=100&list={}", ids[1], ids[0]);
    assert!(!select(card1, &format!("a[href=\"{program_link}\"]")).is_empty());
    assert!(page.contains("shortlist-bar"));
    assert!(page.contains("<strong>1 saved</strong>"));
    assert!(page.contains(&format!("/shortlist?ids={}&amp;near=95814", ids[0])));
    // A new search from the form keeps the list.
    assert!(page.contains(&format!("name=\"list\" value=\"{}\"", ids[0])));
    // Filters, sort and pages keep the list too.
    assert_eq!(
        page.matches(&format!("name=\"list\" value=\"{}\"", ids[0]))
            .count(),
        2,
        "the search form and the filter form"
    );
    let (_, wide) = app.html(&format!(
        "/search?near=Denver%2C+CO&radius=500&list={}",
        ids[0]
    ));
    assert!(
        wide.contains(&format!("page=2&amp;list={}\"", ids[0])),
        "pagination"
    );
    assert!(
        wide.contains(&format!("sort=name&amp;list={}\"", ids[0])),
        "sort"
    );
    // The canonical search (CSV link) leaves the list out.
    assert!(page.contains("href=\"/search.csv?near=95814&amp;radius=100\""));

    // The program page: add, then remove.
    let (status, program) = app.html(&format!("/programs/{}?list={}", ids[1], ids[0]));
    assert_eq!(status, 200);
    let add = href_of_link_containing(&parse(&program), "Add to shortlist").unwrap();
    assert_eq!(
        add,
        format!("/programs/{}?list={},{}", ids[1], ids[0], ids[1])
    );
    let (_, program) = app.html(&add);
    let remove = href_of_link_containing(&parse(&program), "Remove from shortlist").unwrap();
    assert_eq!(remove, format!("/programs/{}?list={}", ids[1], ids[0]));
    assert!(program.contains("<strong>2 saved</strong>"));
    assert!(program.contains(&format!("/compare?ids={},{}", ids[0], ids[1])));
}

#[test]
fn the_shortlist_page_lists_exactly_its_programs_and_the_link_to_copy() {
    let app = TestApp::start();
    let (_, page) = app.html("/search?near=Denver%2C+CO&radius=300");
    let ids = card_ids(&page);
    let chosen = [&ids[2], &ids[0], &ids[4]];
    let list = chosen
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let response = app.get(&format!("/shortlist?ids={list}"));
    assert_eq!(response.status().as_u16(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = response.text().unwrap();
    // Exactly those programs, in list order.
    assert_eq!(card_ids(&html), chosen.map(|s| s.to_string()).to_vec());
    assert_eq!(html.matches("<article class=\"card\"").count(), 3);
    for id in chosen {
        let name = listing(&app, id)["name"].as_str().unwrap().to_string();
        assert!(html.contains(&name), "{name}");
    }
    assert!(html.contains("3 programs"));
    // The link itself, in a read-only field (works without the script).
    let doc = parse(&html);
    let field = one(&doc, "input#share-url[readonly]");
    assert!(attr(field, "value").ends_with(&format!("/shortlist?ids={list}")));
    assert!(html.contains("<label for=\"share-url\">"));
    assert!(html.contains("<script src=\"/static/share.js\" defer>"));
    // Remove links lead to the list without that program.
    let remove = href_of_link_containing(&doc, "Remove from shortlist").unwrap();
    assert_eq!(
        remove,
        format!("/shortlist?ids={},{}", chosen[1], chosen[2])
    );
    assert!(html.contains(&format!("href=\"/shortlist/print?ids={list}\"")));
    assert!(html.contains(&format!("href=\"/compare?ids={list}\"")));
    assert!(html.contains(&format!("href=\"/shortlist.csv?ids={list}\"")));

    // The script is served, and only the shortlist page may run scripts.
    let js = app.get("/static/share.js");
    assert_eq!(js.status().as_u16(), 200);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(js.text().unwrap().contains("navigator.share"));
    let search = app.get("/search?near=95814");
    assert!(!search.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src"));

    // A program that left the directory is left out, with a note.
    let (status, html) = app.html(&format!("/shortlist?ids={},000000000000", chosen[0]));
    assert_eq!(status, 200);
    assert_eq!(card_ids(&html).len(), 1);
    assert!(html.contains("no longer in the directory"));
    // An empty shortlist says how to fill it.
    let (status, html) = app.html("/shortlist?ids=");
    assert_eq!(status, 200);
    assert!(html.contains("Your shortlist is empty"));
}

#[test]
fn bad_shortlists_answer_400_with_what_to_fix() {
    let app = TestApp::start();
    let many: Vec<String> = (0..21).map(|i| format!("{i:012x}")).collect();
    let twenty = many[..20].join(",");
    let cases = [
        (
            "/shortlist?ids=ABCDEF012345".to_string(),
            "not a program id",
        ),
        ("/shortlist?ids=123".to_string(), "not a program id"),
        (format!("/shortlist?ids={}", many.join(",")), "at most 20"),
        ("/shortlist".to_string(), "missing"),
        (
            "/shortlist?ids=0123456789ab&colour=blue".to_string(),
            "takes only ids",
        ),
        (
            "/shortlist/print?ids=%3Cscript%3E".to_string(),
            "not a program id",
        ),
        ("/shortlist.csv?ids=zz".to_string(), "not a program id"),
        (
            "/search?near=95814&list=nope".to_string(),
            "not a program id",
        ),
        (
            format!("/search?near=95814&list={}", many.join(",")),
            "at most 20",
        ),
        (
            "/programs/0123456789ab?list=x".to_string(),
            "not a program id",
        ),
        (
            "/shortlist?ids=0123456789ab&near=Nowhereville".to_string(),
            "near",
        ),
    ];
    for (path, hint) in &cases {
        let (status, html) = app.html(path);
        assert_eq!(status, 400, "{path}");
        assert!(html.contains(hint), "{path}: wanted {hint:?}");
        assert!(
            html.contains("988"),
            "{path}: the error page keeps the crisis line"
        );
        assert!(!html.contains("<script"), "{path}");
    }
    // Twenty is allowed (the cap, not past it).
    let (status, _) = app.html(&format!("/shortlist?ids={twenty}"));
    assert_eq!(status, 200);
    // A place with several readings: the choices, each fixing the page
    // it was given on (not a search without the list)
    for page in ["/shortlist", "/compare", "/shortlist/print"] {
        let (status, html) = app.html(&format!(
            "{page}?ids=0123456789ab,aaaaaaaaaaab&near=Springfield"
        ));
        assert_eq!(status, 400, "{page}");
        assert!(
            html.contains(&format!(
                "href=\"{page}?near=Springfield%2C+IL&amp;ids=0123456789ab%2Caaaaaaaaaaab\""
            )),
            "{page}: {html}"
        );
    }
}

#[test]
fn the_handout_has_the_facts_the_phones_and_a_qr_code_of_the_link() {
    let app = TestApp::start();
    let (_, page) = app.html("/search?near=95814&radius=100");
    let ids = card_ids(&page);
    let list = format!("{},{}", ids[0], ids[1]);
    let (status, html) = app.html(&format!("/shortlist/print?ids={list}&near=95814"));
    assert_eq!(status, 200);
    // One QR code, drawn inline: a path of dark modules on a white square.
    let doc = parse(&html);
    let svg = one(&doc, "svg.qr");
    assert!(attr(svg, "viewBox").starts_with("0 0 "));
    let runs: usize = select(svg, "path[d]")
        .into_iter()
        .map(|p| attr(p, "d").matches('M').count())
        .sum();
    assert!(runs > 50, "a QR code has many runs");
    attr(svg, "aria-label");
    // The link it encodes is printed beside it.
    assert!(html.contains(&format!("/shortlist?ids={list}&amp;near=95814</span>")));
    for id in &ids[..2] {
        let l = listing(&app, id);
        assert!(html.contains(l["name"].as_str().unwrap()));
        if let Some(phone) = l["phone"].as_str() {
            assert!(html.contains(phone), "phone {phone}");
        }
        assert!(html.contains(l["address"]["city"].as_str().unwrap()));
    }
    // distances from near, as precise as the points: "(2.3 mi)", "(about
    // 4 mi)" or, from a ZIP centre close by, "(in ZIP 95814)"
    assert!(
        html.contains(" mi)") || html.contains("(in ZIP "),
        "distances from near"
    );
    assert!(html.contains("988"));
    assert!(html.contains("Printed"));
    assert!(html.contains("last checked"));
    assert!(html.contains("IOP Finder sample directory"), "the source");
    // No site chrome: no navigation, search form or footer.
    assert!(!html.contains("site-header"));
    assert!(!html.contains("<form"));
    assert!(!html.contains("site-footer"));
}

#[test]
fn compare_takes_two_to_four_known_programs() {
    let app = TestApp::start();
    let (_, page) = app.html("/search?near=95814&radius=300");
    let ids = card_ids(&page);
    assert!(ids.len() >= 5);
    let join = |n: usize| ids[..n].join(",");

    for n in [2, 4] {
        let (status, html) = app.html(&format!("/compare?ids={}", join(n)));
        assert_eq!(status, 200, "{n} programs");
        // One header cell per program plus the corner, a row header per field.
        assert_eq!(html.matches("<th scope=\"col\"").count(), n + 1);
        assert!(html.matches("<th scope=\"row\"").count() >= 15);
        for id in &ids[..n] {
            // (keeping the list being compared as the shortlist)
            assert!(html.contains(&format!("href=\"/programs/{id}?list={}\"", join(n))));
        }
        assert!(html.contains("table-scroll"));
        assert!(
            html.contains("tabindex=\"0\""),
            "the scroller is keyboard reachable"
        );
    }
    let (_, html) = app.html(&format!("/compare?ids={}&near=95814", join(2)));
    assert!(html.contains(">Distance<"));

    for (path, status, hint) in [
        (format!("/compare?ids={}", join(1)), 400, "has 1"),
        (format!("/compare?ids={},{}", ids[0], ids[0]), 400, "has 1"),
        (format!("/compare?ids={}", join(5)), 400, "has 5"),
        ("/compare?ids=".to_string(), 400, "has 0"),
        ("/compare".to_string(), 400, "missing"),
        ("/compare?ids=abc,def".to_string(), 400, "not a program id"),
        (
            format!("/compare?ids={},000000000000", ids[0]),
            404,
            "no longer in the directory",
        ),
        (
            format!("/compare?ids={}&x=1", join(2)),
            400,
            "takes only ids",
        ),
    ] {
        let (got, html) = app.html(&path);
        assert_eq!(got, status, "{path}");
        assert!(html.contains(hint), "{path}: wanted {hint:?}");
        if status == 404 {
            // the page's text (links may keep the ids; what it says does not)
            let mut text = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            assert!(!text.contains("000000000000"), "no ids in page text");
        }
        assert!(html.contains("988"));
    }
}

#[test]
fn a_search_exports_every_match_as_csv() {
    let app = TestApp::start();
    let query = "near=Denver%2C+CO&radius=500&insurance=medicaid";
    let total = api_total(&app, query);
    assert!(total > 20, "more than one page: {total}");
    let response = app.get(&format!("/search.csv?{query}&page=2&list=0123456789ab"));
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(disposition.contains("denver-co"), "{disposition}");
    let text = response.text().unwrap();
    let records = parse_csv(&text);
    assert_eq!(records[0][0], "Name");
    assert!(records.iter().all(|r| r.len() == records[0].len()));
    assert_eq!(records.len() - 1, total, "every match, not one page");
    let listing_col = records[0].iter().position(|c| c == "Listing").unwrap();
    let unique: BTreeSet<&String> = records[1..].iter().map(|r| &r[listing_col]).collect();
    assert_eq!(unique.len(), total);
    let insurance = records[0].iter().position(|c| c == "Insurance").unwrap();
    assert!(records[1..]
        .iter()
        .all(|r| r[insurance].contains("Medicaid")));

    // The whole directory.
    let (_, health) = app.json("/healthz");
    let all = parse_csv(&app.get("/search.csv").text().unwrap());
    assert_eq!(all.len() - 1, health["listings"].as_u64().unwrap() as usize);

    // The results page links to it.
    let (_, page) = app.html(&format!("/search?{query}"));
    assert!(page.contains(&format!(
        "href=\"/search.csv?{}\"",
        query.replace('&', "&amp;")
    )));

    // Bad parameters are the search's own 400s, and unknown ones are refused.
    for (path, hint) in [
        ("/search.csv?insurance=medicaidd", "medicaid"),
        ("/search.csv?near=95814&colour=blue", "colour"),
        ("/search.csv?radius=9999&near=95814", "500"),
    ] {
        let (status, html) = app.html(path);
        assert_eq!(status, 400, "{path}");
        assert!(html.contains(hint), "{path}");
    }
}

#[test]
fn csv_fields_are_quoted_and_formulas_defused() {
    // A copy of the sample directory with hostile text in one listing.
    let data = TempDir::new("referrers-csv");
    let dir = data.path().to_str().unwrap().to_string();
    let (ok, _, err) = run(&["crawl", "--data-dir", &dir, "--source", "sample=embedded"]);
    assert!(ok, "{err}");
    let path = data.path().join("listings.json");
    let mut listings: Vec<Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let id = listings[0]["id"].as_str().unwrap().to_string();
    listings[0]["name"] = "=HYPERLINK(\"http://evil.example\",\"Click\")".into();
    listings[0]["program_name"] = Value::Null;
    listings[0]["phone"] = "+1 555 0100".into();
    listings[0]["website"] = "@evil".into();
    listings[0]["address"]["street"] = "12 Main St, Suite \"B\"\nRear".into();
    std::fs::write(&path, serde_json::to_vec(&listings).unwrap()).unwrap();
    std::fs::remove_dir_all(data.path().join("index")).unwrap();
    let app = TestApp::start_in(data);

    let response = client()
        .get(format!("{}/shortlist.csv?ids={id}", app.url))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let text = response.text().unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""),
        "{text}"
    );
    assert!(text.contains(",'+1 555 0100,"), "{text}");
    assert!(text.contains(",'@evil,"), "{text}");
    assert!(
        text.contains("\"12 Main St, Suite \"\"B\"\"\nRear\""),
        "{text}"
    );
    let records = parse_csv(&text);
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[1][0],
        "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    );
    assert_eq!(records[1][2], "12 Main St, Suite \"B\"\nRear");
    assert!(text.ends_with("\r\n"));

    // The same listing in a search export.
    let all = parse_csv(&app.get("/search.csv").text().unwrap());
    let listing_col = all[0].iter().position(|c| c == "Listing").unwrap();
    let row = all
        .iter()
        .find(|r| r[listing_col].ends_with(&format!("/programs/{id}")))
        .unwrap();
    assert!(row[0].starts_with("'="));
    // No cell anywhere starts a formula.
    for record in &all {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{cell:?} would run as a formula"
            );
        }
    }
}
