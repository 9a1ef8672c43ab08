//! Every link a results page writes reproduces the search it came from: a
//! property test renders results pages (English and Spanish, with and without
//! a shortlist, empty and not) for random valid searches, follows every link
//! and form on them by parsing its URL as the server does, and checks the
//! search it runs is the one intended: the same search on another page, in
//! another order, without one filter, wider, or exactly the same.

use crate::html::{attr, first, parse, select};
use iop_index::indexing::build_in_ram;
use iop_index::request::{form_urlencoded_pairs, widenings_of, Shortlist, DEFAULT_PER_PAGE};
use iop_index::{
    Address, Listing, Point, Precision, SearchIndex, SearchRequest, UnknownParams, Vocabulary,
};
use iop_templates::{results_page, Lang, SiteContext, Widening};
use std::collections::BTreeMap;

// A seeded generator, so failures reproduce.
use fastrand::Rng;

fn listings(rng: &mut Rng) -> Vec<Listing> {
    let v = Vocabulary::get();
    let names = [
        "Harbor",
        "Cedar",
        "St. Mary's",
        "O'Fallon",
        "Summit",
        "Mayagüez",
    ];
    let centres = [
        (38.58, -121.49),
        (39.74, -104.99),
        (38.81, -90.70),
        (18.20, -67.14),
    ];
    (0..400)
        .map(|i| {
            let mut l = Listing::new(
                format!("{i:012x}"),
                format!(
                    "{} {}",
                    *rng.choice(&names).unwrap(),
                    *rng.choice(&["IOP", "Recovery", "Center"]).unwrap()
                ),
                Address {
                    street: None,
                    street2: None,
                    city: "Somewhere".into(),
                    state: "CA".into(),
                    zip: "95814".into(),
                },
            );
            let (lat, lon) = *rng.choice(&centres).unwrap();
            l.point = Some(Point {
                lat: lat + (rng.usize(..1000) as f64 / 1000.0 - 0.5),
                lon: lon + (rng.usize(..1000) as f64 / 1000.0 - 0.5),
                precision: Precision::Exact,
            });
            l.description = Some(
                (*rng
                    .choice(&["evening group", "DBT skills", "co-occurring care", "teens"])
                    .unwrap())
                .into(),
            );
            let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for group in v.groups() {
                for value in v.values_of(group.id) {
                    if rng.usize(..4) == 0 {
                        facets
                            .entry(group.slug.clone())
                            .or_default()
                            .push(value.slug.clone());
                    }
                }
            }
            l.facets = facets;
            l
        })
        .collect()
}

/// A random query string a person or a link could send, and its shortlist.
fn random_query(rng: &mut Rng) -> (String, Shortlist) {
    let v = Vocabulary::get();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let place = rng.usize(..5) != 0;
    if place {
        let near = *rng
            .choice(&[
                "95814",
                "Denver, CO",
                "O'Fallon, MO",
                "O’Fallon MO",
                "80621-1226",
                "806211226",
                "Mayagüez, PR",
                "39.74,-104.99",
                "sacramento ca",
                "Washington, D.C.",
            ])
            .unwrap();
        pairs.push(("near".into(), near.into()));
        if rng.usize(..2) == 0 {
            let radius = *rng
                .choice(&[
                    "1", "5", "12.5", "12.34567", "25", "50", "100", "500", "0.3", "1e2",
                ])
                .unwrap();
            pairs.push(("radius".into(), radius.into()));
        }
    }
    if rng.usize(..3) == 0 {
        let q = *rng
            .choice(&[
                "dbt",
                "evening group",
                "co-occurring",
                "St Marys",
                "  teens ",
                "café & tea",
            ])
            .unwrap();
        pairs.push(("q".into(), q.into()));
    }
    for _ in 0..rng.usize(..4) {
        let group = &v.groups()[rng.usize(..v.groups().len())];
        let value = v.value(group.values[rng.usize(..group.values.len())]);
        pairs.push((group.slug.clone(), value.slug.clone()));
    }
    match rng.usize(..4) {
        0 if place => pairs.push(("sort".into(), "distance".into())),
        1 => pairs.push(("sort".into(), "name".into())),
        2 => pairs.push(("sort".into(), "relevance".into())),
        _ => {}
    }
    if rng.usize(..2) == 0 {
        pairs.push(("page".into(), (1 + rng.usize(..4)).to_string()));
    }
    if rng.usize(..2) == 0 {
        pairs.push((
            "per_page".into(),
            (*rng.choice(&["1", "7", "20", "100"]).unwrap()).into(),
        ));
    }
    // the order parameters come in does not matter
    for i in (1..pairs.len()).rev() {
        pairs.swap(i, rng.usize(..i + 1));
    }
    let shortlist = match rng.usize(..3) {
        0 => Shortlist::parse("000000000001,000000000002").unwrap(),
        _ => Shortlist::default(),
    };
    let query = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                iop_index::request::encode(k),
                iop_index::request::encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    (query, shortlist)
}

/// A site path's search, as the server reads it: the language prefix and
/// `list=` taken off, the rest parsed like `/search` does.
fn follow(href: &str, lang: Lang) -> (String, SearchRequest, Option<String>) {
    let path = match lang {
        Lang::Es => href.strip_prefix("/es").unwrap_or(href),
        Lang::En => href,
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut list = None;
    let rest: Vec<(String, String)> = form_urlencoded_pairs(query)
        .into_iter()
        .filter(|(k, v)| {
            if k == "list" {
                list = Some(v.clone());
            }
            k != "list"
        })
        .collect();
    let request = SearchRequest::from_pairs(rest, UnknownParams::Ignore)
        .unwrap_or_else(|e| panic!("{href} does not parse: {e}"));
    (path.to_string(), request, list)
}

/// The search a request runs, whatever spelling its URL used for it.
fn same_search(a: &SearchRequest, b: &SearchRequest) -> bool {
    a.near == b.near
        && a.origin == b.origin
        && a.radius_miles == b.radius_miles
        && a.text == b.text
        && a.filters == b.filters
        && a.sort() == b.sort()
        && a.page == b.page
        && a.per_page == b.per_page
}

fn check_page(
    html: &str,
    lang: Lang,
    query: &str,
    intended: &SearchRequest,
    shortlist: &Shortlist,
) -> usize {
    let doc = parse(html);
    let what = format!("{lang:?} /search?{query}");
    let mut followed = 0;
    let on_page = |r: &SearchRequest| SearchRequest {
        page: 1,
        ..r.clone()
    };
    // this search from page 1, but for the filters
    let same_but_filters = |got: &SearchRequest| {
        let filters = intended.filters.clone();
        same_search(
            &SearchRequest {
                filters,
                ..got.clone()
            },
            &on_page(intended),
        )
    };
    for a in select(&doc, "a[href]") {
        let href = attr(a, "href");
        let class = a.value().attr("class").unwrap_or("");
        let is_search = href.starts_with("/search?")
            || href == "/search"
            || href.starts_with("/es/search?")
            || href == "/es/search";
        if href.starts_with("/search.csv") {
            followed += 1;
            let (_, csv, _) = follow(href, Lang::En);
            // the export is every match: the search itself, from page 1
            let want = SearchRequest {
                page: 1,
                per_page: DEFAULT_PER_PAGE,
                ..intended.clone()
            };
            assert!(same_search(&csv, &want), "{what}: CSV {href}: {csv:?}");
            continue;
        }
        if href.contains("/shortlist?") || href.contains("/compare?") {
            followed += 1;
            let (_, query) = href.split_once('?').unwrap();
            let near = form_urlencoded_pairs(query)
                .into_iter()
                .find(|(k, _)| k == "near")
                .map(|(_, v)| v);
            assert_eq!(near, intended.near, "{what}: {href}");
            continue;
        }
        if !is_search {
            continue;
        }
        followed += 1;
        let link_lang = if href.starts_with("/es/") {
            Lang::Es
        } else {
            Lang::En
        };
        let (_, got, list) = follow(href, link_lang);
        let expected_list = (!shortlist.is_empty()).then(|| shortlist.param());
        let ctx = format!("{what}: {class} {href}");
        if a.value().attr("hreflang").is_some() {
            // the language switch: the very same search in the other language
            assert_ne!(link_lang, lang, "{ctx}");
            assert!(same_search(&got, intended), "{ctx}: {got:?}");
            assert_eq!(list, expected_list, "{ctx}");
            continue;
        }
        assert_eq!(link_lang, lang, "{ctx}: a link changes the language");
        if class.contains("shortlist-toggle") {
            // the same search, the list changed
            assert!(same_search(&got, intended), "{ctx}: {got:?}");
            continue;
        }
        assert_eq!(list, expected_list, "{ctx}: the shortlist is not carried");
        // every other link is this search with at most these changes: page,
        // sort (from page 1), filters dropped, a wider radius, no keywords
        assert_eq!(got.near, intended.near, "{ctx}");
        assert_eq!(got.origin, intended.origin, "{ctx}");
        assert_eq!(got.per_page, intended.per_page, "{ctx}");
        let in_pages = a
            .ancestors()
            .filter_map(|n| n.value().as_element())
            .any(|e| e.has_class("pagination", scraper::CaseSensitivity::CaseSensitive));
        let in_sort = a
            .ancestors()
            .filter_map(|n| n.value().as_element())
            .any(|e| e.has_class("sort", scraper::CaseSensitivity::CaseSensitive));
        if in_pages {
            assert!(
                same_search(
                    &SearchRequest {
                        page: intended.page,
                        ..got.clone()
                    },
                    intended
                ),
                "{ctx}"
            );
        } else if in_sort {
            assert_eq!(got.page, 1, "{ctx}");
            assert!(
                same_search(
                    &SearchRequest {
                        requested_sort: intended.requested_sort,
                        ..got.clone()
                    },
                    &on_page(intended)
                ) || same_search(
                    &SearchRequest {
                        requested_sort: None,
                        ..got.clone()
                    },
                    &on_page(intended)
                ),
                "{ctx}"
            );
        } else if class.contains("chip") {
            // one filter value fewer, from page 1
            let removed: usize = intended.filters.values().map(Vec::len).sum::<usize>()
                - got.filters.values().map(Vec::len).sum::<usize>();
            assert_eq!(removed, 1, "{ctx}");
            assert!(
                got.filters
                    .iter()
                    .all(|(g, vs)| vs.iter().all(|v| intended.is_selected(*g, *v))),
                "{ctx}"
            );
            assert!(same_but_filters(&got), "{ctx}");
        } else if class.contains("clear-all") {
            assert!(got.filters.is_empty(), "{ctx}");
            assert!(same_but_filters(&got), "{ctx}");
        } else {
            // the empty state's wider searches and "go to the first page"
            assert_eq!(got.page, 1, "{ctx}");
            let wider = got.radius_miles >= intended.radius_miles;
            let fewer = got
                .filters
                .iter()
                .all(|(g, vs)| vs.iter().all(|v| intended.is_selected(*g, *v)));
            let text = got.text == intended.text || got.text.is_none();
            assert!(wider && fewer && text, "{ctx}: {got:?}");
            assert_eq!(
                got.sort(),
                SearchRequest {
                    page: 1,
                    ..got.clone()
                }
                .sort(),
                "{ctx}"
            );
        }
    }
    // the forms: the filter form sends this search (from page 1) with the
    // boxes as they are ticked; the search form keeps place, distance, words
    // and filters
    for form in select(&doc, "form") {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for input in select(form, "input[name], select[name]") {
            let e = input.value();
            let name = e.attr("name").unwrap().to_string();
            let value = if e.name() == "select" {
                first(input, "option[selected]")
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("")
                    .to_string()
            } else {
                let checkable = matches!(e.attr("type"), Some("checkbox" | "radio"));
                if checkable && e.attr("checked").is_none() {
                    continue;
                }
                e.attr("value").unwrap_or("").to_string()
            };
            pairs.push((name, value));
        }
        let sent: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != "list").cloned().collect();
        let got = SearchRequest::from_pairs(sent, UnknownParams::Ignore)
            .unwrap_or_else(|e| panic!("{what}: a form sends a bad search: {e}"));
        followed += 1;
        assert_eq!(got.near, intended.near, "{what}: form");
        assert_eq!(got.radius_miles, intended.radius_miles, "{what}: form");
        assert_eq!(got.text, intended.text, "{what}: form");
        assert_eq!(got.filters, intended.filters, "{what}: form");
        if !shortlist.is_empty() {
            assert!(
                pairs
                    .iter()
                    .any(|(k, v)| k == "list" && *v == shortlist.param()),
                "{what}: form drops the list"
            );
        }
    }
    followed
}

fn search_pages(index: &SearchIndex, rounds: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng::with_seed(seed);
    let (mut pages, mut links) = (0, 0);
    for _ in 0..rounds {
        let (query, shortlist) = random_query(&mut rng);
        let Ok(intended) = SearchRequest::from_query_string(&query, UnknownParams::Ignore) else {
            continue; // e.g. relevance without words
        };
        let results = index.search(&intended).unwrap();
        let widenings: Option<Vec<Widening>> = (results.total == 0).then(|| {
            widenings_of(&intended)
                .into_iter()
                .map(|(change, request)| Widening {
                    change,
                    total: index.search(&request).unwrap().total,
                    request,
                })
                .collect()
        });
        for lang in Lang::ALL {
            let mut path = format!("/search?{query}");
            if !shortlist.is_empty() {
                path.push_str(&format!("&list={}", shortlist.param()));
            }
            let ctx = SiteContext {
                sample: false,
                listings: 400,
                built_at: "2026-11-24T19:30:00Z".into(),
                from_providers: 0,
                lang,
                path,
                public_url: "https://iopfinder.example".into(),
            };
            let html = results_page(&ctx, &intended, &results, &shortlist, widenings.as_deref())
                .into_string();
            links += check_page(&html, lang, &query, &intended, &shortlist);
            pages += 1;
        }
    }
    (pages, links)
}

#[test]
fn every_link_of_a_results_page_runs_the_search_it_came_from() {
    let mut rng = Rng::with_seed(14);
    let index = build_in_ram(listings(&mut rng)).unwrap();
    let (pages, links) = search_pages(&index, 150, 20261130);
    eprintln!("{pages} pages, {links} links and forms followed");
    assert!(pages > 200, "only {pages} pages rendered");
    assert!(
        links > pages * 5,
        "only {links} links followed on {pages} pages"
    );
}
