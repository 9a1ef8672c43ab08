//! Every page type rendered in Spanish: every string has a translation
//! (`missing_translations()` is empty after rendering them all), no common
//! English UI word is left in the visible text, and links stay under `/es`.

use crate::fixtures::{self, request};
use crate::html::{attr, parse, select, ElementRef};
use iop_index::indexing::build_in_ram;
use iop_index::listing::Weekday;
use iop_index::request::{widenings_of, Shortlist};
use iop_index::{GenerationMeta, Hit, Listing, SearchIndex, SearchRequest, UnknownParams};
use iop_templates::i18n::missing_translations;
use iop_templates::{
    about, compare, error_page, handout, home, param_error_message, program_page, report_page,
    report_thanks, results_page, shortlist, CompareView, Lang, ReportDraft, ReportFix,
    ShortlistView, SiteContext, Widening,
};
use std::sync::Arc;
use time::macros::date;

fn ctx(lang: Lang, path: &str) -> SiteContext {
    fixtures::site(lang, path, true, 1234)
}

/// A sample listing with the given facet values (names and sources in
/// Spanish, so that English in the page can only come from the templates).
fn listing(id: &str, name: &str, lat: f64, facets: &[(&str, &[&str])]) -> Listing {
    let source = fixtures::source("test", "Directorio de prueba", None, None);
    let checked = date!(2026 - 11 - 03);
    let evidence = Some("Aceptamos Medi-Cal");
    let point = (lat, -121.4944);
    Listing {
        sample: true,
        ..fixtures::listing(id, name, point, facets, source, checked, evidence)
    }
}

/// Every fact reported.
fn full() -> Listing {
    let mut l = listing(
        "0000000000a1",
        "Centro Río Azul",
        38.5816,
        &[
            ("focus", &["mental-health", "mood", "substance-use"]),
            ("modality", &["dbt", "cbt", "family-therapy"]),
            ("age", &["adolescents", "adults"]),
            ("insurance", fixtures::EVERY_PLAN),
            ("population", &["veterans"]),
            ("language", &["spanish"]),
            ("schedule", &["evening", "weekend"]),
            ("format", &["in-person", "telehealth"]),
            ("accreditation", &["carf"]),
        ],
    );
    l.program_name = Some("Programa Juvenil".into());
    l.description = Some("Un programa de tarde para adolescentes.".into());
    l.intake_phone = Some("916.555.0101".into());
    l.website = Some("https://www.rioazul.example/".into());
    fixtures::state_every_fact(
        &mut l,
        fixtures::session(Weekday::Sat, "09:00", "12:00"),
        0,
        date!(2026 - 11 - 03),
    );
    l
}

fn listings() -> Vec<Listing> {
    let mut all = vec![full()];
    for i in 0..4 {
        let mut l = listing(
            &format!("00000000000{i}"),
            &format!("Centro {i}"),
            38.58 + f64::from(i) * 0.01,
            &[("insurance", &["medicaid"]), ("focus", &["mood"])],
        );
        l.accepting_new_clients = Some(i % 2 == 0);
        all.push(l);
    }
    all
}

fn index() -> SearchIndex {
    build_in_ram(listings()).expect("index builds")
}

fn meta() -> GenerationMeta {
    GenerationMeta {
        generation: "g-20261124T193000-1".into(),
        built_at: "2026-11-24T19:30:00Z".into(),
        listings: 1234,
        sample: true,
        sources: vec![
            fixtures::source_summary(
                "samhsa-directory",
                "SAMHSA 2022",
                Some("2022"),
                None,
                1200,
                Some(("2026-09-01", "2026-10-02")),
            ),
            fixtures::source_summary("website", "Sitios web", None, None, 34, None),
        ],
    }
}

fn results_of(lang: Lang, index: &SearchIndex, query: &str, empty_state: bool) -> String {
    let r = request(query);
    let found = index.search(&r).expect("search runs");
    let widenings: Vec<Widening> = widenings_of(&r)
        .into_iter()
        .map(|(change, next)| {
            let total = index.search(&next).unwrap().total;
            Widening {
                change,
                request: next,
                total,
            }
        })
        .collect();
    let list = Shortlist::parse("0000000000a1,000000000000").unwrap();
    results_page(
        &ctx(lang, &format!("/search?{query}")),
        &r,
        &found,
        &list,
        empty_state.then_some(widenings.as_slice()),
    )
    .into_string()
}

/// Every page type in `lang`, by name.
fn all_pages(lang: Lang) -> Vec<(String, String)> {
    let index = index();
    let mut pages = Vec::new();
    let mut page = |name: &str, html: String| pages.push((name.to_string(), html));
    page("home", home(&ctx(lang, "/")).into_string());
    for query in [
        "near=95814&insurance=medicaid&per_page=1",
        "near=95814&q=dbt&focus=mood&focus=mental-health&page=2&per_page=1",
        "q=dbt",
    ] {
        page(
            &format!("results {query}"),
            results_of(lang, &index, query, false),
        );
    }
    for query in [
        "near=95814&radius=5&insurance=ihs-tribal&focus=gambling&q=zzzzzz",
        "insurance=ihs-tribal",
    ] {
        page(
            &format!("empty results {query}"),
            results_of(lang, &index, query, true),
        );
    }
    let list = Shortlist::parse("0000000000a1").unwrap();
    for shortlisted in [Shortlist::default(), list.clone()] {
        page(
            "program",
            program_page(
                &ctx(lang, "/programs/0000000000a1"),
                &full(),
                &shortlisted,
                "https://iopfinder.example",
            )
            .into_string(),
        );
    }
    page(
        "about",
        about(&ctx(lang, "/about"), &meta(), &["samhsa-directory"]).into_string(),
    );
    page(
        "404",
        error_page(
            &ctx(lang, "/nowhere"),
            404,
            "Page not found",
            "There is no page at this address. It may have moved, or the link may be incomplete.",
            &[],
        )
        .into_string(),
    );
    for query in [
        "near=00000",
        "near=%2C",
        "near=Springfield",
        "near=Nowhereville%2C+ZZ",
        "near=95%2C500",
        "radius=abc",
        "radius=900",
        "sort=fast",
        "sort=distance",
        "page=0",
        "insurance=gold",
        "near=95814&near=95814",
        "colour=red",
    ] {
        let error =
            SearchRequest::from_query_string(query, UnknownParams::Refuse).expect_err(query);
        let site = ctx(lang, &format!("/search?{query}"));
        let suggestions: Vec<(String, String)> = error
            .suggestions
            .iter()
            .take(2)
            .map(|s| (s.clone(), format!("/search?near={s}")))
            .collect();
        page(
            &format!("400 {query}"),
            error_page(
                &site,
                400,
                "We couldn't understand that search",
                &param_error_message(&site, &error),
                &suggestions,
            )
            .into_string(),
        );
    }
    // the shortlist pages
    let hits: Vec<Hit> = listings()
        .into_iter()
        .take(3)
        .map(|l| Hit {
            listing: Arc::new(l),
            distance_miles: Some(1.5),
            score: 0.0,
        })
        .collect();
    let three = Shortlist::parse("0000000000a1,000000000000,000000000001").unwrap();
    let view = ShortlistView {
        shortlist: &three,
        programs: &hits,
        missing: 1,
        near: Some("95814"),
        near_label: Some("Sacramento, CA 95814"),
        share_url: "https://iopfinder.example/es/shortlist?ids=0000000000a1",
    };
    page(
        "shortlist",
        shortlist(&ctx(lang, "/shortlist?ids=0000000000a1"), &view).into_string(),
    );
    let empty = Shortlist::default();
    page(
        "empty shortlist",
        shortlist(
            &ctx(lang, "/shortlist?ids="),
            &ShortlistView {
                shortlist: &empty,
                programs: &[],
                missing: 0,
                near: None,
                near_label: None,
                share_url: "https://iopfinder.example/es/shortlist?ids=",
            },
        )
        .into_string(),
    );
    page(
        "handout",
        handout(&ctx(lang, "/shortlist/print?ids=0"), &view, "2026-11-24").into_string(),
    );
    for (n, programs) in [(3, &hits[..]), (1, &hits[..1])] {
        page(
            &format!("compare {n}"),
            compare(
                &ctx(lang, "/compare?ids=0"),
                &CompareView {
                    compared: &three,
                    programs,
                    near: Some("95814"),
                    near_label: Some("Sacramento, CA 95814"),
                },
            )
            .into_string(),
        );
    }
    let report = ctx(lang, "/programs/0000000000a1/report");
    page(
        "report",
        report_page(&report, &full(), &ReportDraft::default(), &[]).into_string(),
    );
    page(
        "report with fixes",
        report_page(
            &report,
            &full(),
            &ReportDraft::default(),
            &[
                ReportFix {
                    field: "problem",
                    message: "Choose what is wrong with the listing.",
                },
                ReportFix {
                    field: "details",
                    message: "Describe what is wrong in a few words.",
                },
            ],
        )
        .into_string(),
    );
    page(
        "report thanks",
        report_thanks(&report, &full()).into_string(),
    );
    pages
}

/// The text a person sees (and hears): element content without scripts and
/// styles, plus `aria-label`, `title`, `placeholder` and `alt` attributes.
fn visible_text(html: &str) -> String {
    let doc = parse(html);
    let mut text = String::new();
    for node in doc.root_element().descendants() {
        match node.value() {
            scraper::Node::Text(words) => {
                let unseen = node
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|e| matches!(e.value().name(), "script" | "style"));
                if !unseen {
                    text.push_str(words);
                    text.push(' ');
                }
            }
            scraper::Node::Element(element) => {
                for name in ["aria-label", "title", "placeholder", "alt"] {
                    if let Some(value) = element.attr(name) {
                        text.push_str(value);
                        text.push(' ');
                    }
                }
            }
            _ => {}
        }
    }
    text
}

/// Common English words of the site's UI that Spanish pages must not show.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "with",
    "your",
    "you",
    "search",
    "find",
    "programs",
    "program",
    "phone",
    "filter",
    "filters",
    "sort",
    "page",
    "pages",
    "next",
    "previous",
    "miles",
    "mile",
    "reported",
    "shortlist",
    "source",
    "sources",
    "checked",
    "yes",
    "call",
    "about",
    "website",
    "address",
    "schedule",
    "distance",
    "within",
    "remove",
    "clear",
    "show",
    "more",
    "hours",
    "week",
    "results",
    "details",
    "print",
    "share",
    "compare",
    "report",
    "sample",
    "data",
    "near",
    "keywords",
    "update",
    "skip",
    "main",
    "content",
    "home",
    "what",
    "how",
    "who",
    "this",
    "these",
    "for",
    "not",
    "in",
    "to",
    "jump",
    "map",
    "directions",
    "help",
    "back",
];

#[test]
fn every_page_renders_in_spanish_with_every_string_translated() {
    let pages = all_pages(Lang::Es);
    let missing = missing_translations();
    assert!(
        missing.is_empty(),
        "{} strings have no Spanish translation in templates/i18n/es.toml:\n{}",
        missing.len(),
        missing
            .iter()
            .map(|s| format!("{s:?} = \"\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut english = Vec::new();
    for (name, html) in &pages {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"es\">"),
            "{name}"
        );
        // proper names that keep their English words (an accreditor, a
        // Debian package the About page credits)
        let text = ["The Joint Commission", "weather-util-data"]
            .iter()
            .fold(visible_text(html), |text, name| text.replace(name, ""));
        // web addresses are no words
        let text: Vec<&str> = text
            .split_whitespace()
            .filter(|w| !w.contains("://"))
            .collect();
        let text = text.join(" ");
        for word in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
            if ENGLISH.contains(&word.to_lowercase().as_str()) {
                let at = text.find(word).unwrap_or(0);
                let before: String = text[..at].chars().rev().take(50).collect();
                let before: String = before.chars().rev().collect();
                let after: String = text[at..].chars().take(50).collect();
                let context = format!("{before}{after}")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                english.push(format!("{name}: {word:?} in …{context}…"));
            }
        }
    }
    english.dedup();
    assert!(
        english.is_empty(),
        "English words on Spanish pages:\n{}",
        english.join("\n")
    );
}

#[test]
fn spanish_pages_link_within_spanish_and_switch_to_english() {
    for (name, html) in all_pages(Lang::Es) {
        let doc = parse(&html);
        for link in select(&doc, "[href^=\"/\"]") {
            let href = attr(link, "href");
            let ok = href.starts_with("/es/")
                || href.starts_with("/static/")
                || href.starts_with("/map/")
                || href.starts_with("/search.csv")
                || href.starts_with("/shortlist.csv")
                || href.starts_with("/download/")
                || href.starts_with("/hsds/")
                || href.starts_with("/api/")
                || href == "/opensearch.xml";
            // the language switch and the English alternate lead to English
            let english_link = link.value().attr("hreflang") == Some("en");
            assert!(ok || english_link, "{name}: link to {href} leaves Spanish");
        }
        assert!(
            html.contains(" lang=\"en\" hreflang=\"en\">English</a>"),
            "{name}: the language switch"
        );
    }
    let results = results_of(Lang::Es, &index(), "near=95814&insurance=medicaid", false);
    assert!(results.contains(
        "<a href=\"/search?near=95814&amp;insurance=medicaid\" lang=\"en\" hreflang=\"en\">English</a>"
    ));
    // head links are absolute
    assert!(results.contains("<link rel=\"alternate\" hreflang=\"es\" href=\"https://iopfinder.example/es/search?near=95814&amp;insurance=medicaid\">"));
    assert!(results.contains("<link rel=\"canonical\" href=\"https://iopfinder.example/es/search?near=95814&amp;insurance=medicaid\">"));
    let english = results_of(Lang::En, &index(), "near=95814&insurance=medicaid", false);
    assert!(english.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(english.contains(
        "<a href=\"/es/search?near=95814&amp;insurance=medicaid\" lang=\"es\" hreflang=\"es\">Español</a>"
    ));
}

#[test]
fn vocabulary_labels_and_dates_are_spanish() {
    let pages = all_pages(Lang::Es);
    let program = &pages.iter().find(|(n, _)| n == "program").unwrap().1;
    for label in [
        "Terapia dialéctico-conductual (TDC, DBT)",
        "Adolescentes (13 a 17 años)",
        "Seguro privado",
        "Español",
        "De tarde o noche",
    ] {
        assert!(program.contains(label), "{label}");
    }
    assert!(program.contains("3 de noviembre de 2026"));
    let error = &pages.iter().find(|(n, _)| n == "400 near=00000").unwrap().1;
    assert!(
        error.contains("No conocemos el código postal 00000"),
        "{error}"
    );
}
