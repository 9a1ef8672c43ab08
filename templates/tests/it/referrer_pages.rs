//! The referrers' pages (shortlist, handout, compare) rendered from hand-built
//! listings, in English and Spanish: structure, escaping, and that every
//! string they write has a Spanish translation.

use crate::fixtures;
use crate::html::{attr, one, parse};
use iop_index::request::Shortlist;
use iop_index::{Address, Hit, Listing, Point, Precision, Schedule};
use iop_templates::i18n::missing_translations;
use iop_templates::{compare, handout, shortlist, CompareView, Lang, ShortlistView, SiteContext};
use std::sync::Arc;
use time::macros::date;

fn ctx(lang: Lang) -> SiteContext {
    fixtures::site(lang, "", true, 360)
}

fn hit(id: &str, name: &str, miles: Option<f64>) -> Hit {
    let facets = fixtures::facet_map(&[("insurance", &["medicaid"]), ("schedule", &["evening"])]);
    Hit {
        listing: Arc::new(Listing {
            point: Some(Point {
                lat: 38.58,
                lon: -121.49,
                precision: Precision::Exact,
            }),
            phone: Some("(916) 555-0100".into()),
            website: Some("javascript:alert(1)".into()),
            facets,
            schedule: Schedule {
                hours_per_week: Some(9.0),
                ..Schedule::default()
            },
            accepting_new_clients: Some(true),
            sources: vec![fixtures::source("sample", "Sample directory", None, None)],
            provenance: vec![fixtures::prov("name", 0, date!(2026 - 10 - 01), None)],
            sample: true,
            ..Listing::new(
                id,
                name,
                Address {
                    street: Some("1 Main St".into()),
                    street2: Some("Suite 200".into()),
                    ..fixtures::sacramento()
                },
            )
        }),
        distance_miles: miles,
        score: 0.0,
    }
}

fn programs() -> Vec<Hit> {
    vec![
        hit("0123456789ab", "Sunrise <IOP> & Co", Some(1.25)),
        hit("aaaaaaaaaaaa", "Harbor Light", None),
    ]
}

#[test]
fn the_pages_render_their_programs_escaped_and_in_both_languages() {
    let list = Shortlist::parse("0123456789ab,aaaaaaaaaaaa").unwrap();
    let hits = programs();
    let url = "https://iopfinder.example/shortlist?ids=0123456789ab,aaaaaaaaaaaa";
    let view = ShortlistView {
        shortlist: &list,
        programs: &hits,
        missing: 1,
        near: Some("95814"),
        near_label: Some("Sacramento, CA 95814"),
        share_url: url,
    };
    let compared = CompareView {
        compared: &list,
        programs: &hits,
        near: Some("95814"),
        near_label: Some("Sacramento, CA 95814"),
    };
    for lang in Lang::ALL {
        let site = ctx(lang);
        let pages = [
            shortlist(&site, &view).into_string(),
            handout(&site, &view, "2026-11-24").into_string(),
            compare(&site, &compared).into_string(),
        ];
        for html in &pages {
            assert!(html.contains("Sunrise &lt;IOP&gt; &amp; Co"));
            assert!(!html.contains("<IOP>"));
            assert!(
                !html.contains("javascript:"),
                "only web addresses become links"
            );
        }
        let [list_page, print_page, compare_page] = &pages;
        assert!(list_page.contains(&format!("value=\"{}\"", url.replace('&', "&amp;"))));
        assert!(print_page.contains(&format!("<html lang=\"{}\"", lang.code())));
        assert!(print_page.contains("<svg class=\"qr\""));
        assert!(print_page.contains("2026-11-24"));
        assert!(compare_page.contains("1.2 ") || compare_page.contains("1.3 "));
        // the suite is part of the address a family takes along
        assert!(
            print_page.contains("1 Main St, Suite 200, Sacramento, CA"),
            "{print_page}"
        );
        assert!(
            compare_page.contains("1 Main St<br>Suite 200<br>Sacramento, CA"),
            "{compare_page}"
        );
        if lang == Lang::Es {
            assert!(list_page.contains("Quitar de mi lista"));
            assert!(print_page.contains("Escanee para abrir esta lista"));
            assert!(compare_page.contains("Comparar programas"));
        }
    }
    // Every string these pages write has a Spanish translation (strings of
    // shared components are the other pages' tests' business).
    let sources = [
        include_str!("../../src/pages/shortlist.rs"),
        include_str!("../../src/pages/handout.rs"),
        include_str!("../../src/pages/compare.rs"),
    ];
    let missing: Vec<&str> = missing_translations()
        .into_iter()
        .filter(|s| {
            sources
                .iter()
                .any(|src| src.contains(&format!("t(\"{s}\")")))
        })
        .collect();
    assert!(missing.is_empty(), "untranslated: {missing:?}");
}

#[test]
fn the_shortlist_leads_on_with_its_place_and_says_when_all_its_programs_left() {
    let list = Shortlist::parse("0123456789ab,aaaaaaaaaaaa").unwrap();
    let hits = programs();
    let render = |lang: Lang, programs: &[Hit], missing: usize, near: Option<&str>| {
        let view = ShortlistView {
            shortlist: &list,
            programs,
            missing,
            near,
            near_label: near.map(|_| "Chicago, IL"),
            share_url: "https://iopfinder.example/shortlist?ids=0123456789ab,aaaaaaaaaaaa",
        };
        shortlist(&ctx(lang), &view).into_string()
    };
    let html = render(Lang::En, &hits, 0, Some("Chicago, IL"));
    let doc = parse(&html);
    let more = crate::html::link(&doc, "Search for more programs");
    assert_eq!(
        attr(more, "href"),
        "/search?near=Chicago%2C+IL&list=0123456789ab,aaaaaaaaaaaa"
    );
    assert!(
        html.contains(
            "href=\"/programs/0123456789ab?near=Chicago%2C+IL&amp;list=0123456789ab,aaaaaaaaaaaa\""
        ),
        "{html}"
    );
    // without a place, the list alone
    let html = render(Lang::En, &hits, 0, None);
    assert_eq!(
        attr(
            crate::html::link(&parse(&html), "Search for more programs"),
            "href"
        ),
        "/search?list=0123456789ab,aaaaaaaaaaaa"
    );
    // every program gone: said so, and nothing to share, print or compare
    for lang in Lang::ALL {
        let html = render(lang, &[], 2, Some("Chicago, IL"));
        assert!(
            !html.contains("share-url") && !html.contains("/compare?"),
            "{html}"
        );
        let wording = if lang == Lang::Es {
            "Ninguno de los programas de este enlace sigue en el directorio."
        } else {
            "None of the programs in this link are in the directory any more."
        };
        assert!(html.contains(wording), "{html}");
    }
}

#[test]
fn the_qr_code_grows_with_the_link_and_has_a_quiet_zone() {
    let list = Shortlist::parse("0123456789ab").unwrap();
    let hits = programs();
    let render = |url: &str| {
        let view = ShortlistView {
            shortlist: &list,
            programs: &hits,
            missing: 0,
            near: None,
            near_label: None,
            share_url: url,
        };
        let html = handout(&ctx(Lang::En), &view, "2026-11-24").into_string();
        let doc = parse(&html);
        let view_box = attr(one(&doc, "svg.qr"), "viewBox");
        let size = view_box.strip_prefix("0 0 ").unwrap().split(' ').next();
        size.unwrap().parse::<usize>().unwrap()
    };
    let short = render("https://a.example/shortlist?ids=0123456789ab");
    let long = render(&format!(
        "https://a.example/shortlist?ids={}",
        vec!["0123456789ab"; 20].join(",")
    ));
    // Version 1 is 21 modules; plus 4 on each side.
    assert!(short >= 21 + 8, "{short}");
    assert!(long > short, "{long} > {short}");
    assert_eq!((short - 8 - 17) % 4, 0, "a QR code is 17 + 4v modules wide");
}
