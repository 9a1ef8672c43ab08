//! Search on SAMHSA's real national directory, the 2023 edition (its 5,736
//! facilities coded OIT, from
//! `../shared/data`): the index's answers against the plain reference scan for
//! many random queries, and text search behaviours on real listings.

use iop_crawler::sources::samhsa;
use iop_index::indexing::build_in_ram;
use iop_index::reference::scan;
use iop_index::request::Sort;
use iop_index::{Gazetteer, Listing, SearchIndex, SearchRequest, UnknownParams, Vocabulary};
use std::path::PathBuf;
use std::sync::OnceLock;

fn national() -> Option<&'static (Vec<Listing>, SearchIndex)> {
    static NATIONAL: OnceLock<Option<(Vec<Listing>, SearchIndex)>> = OnceLock::new();
    NATIONAL
        .get_or_init(|| {
            let path = std::env::var_os("IOP_SHARED_DATA")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
                .join("samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx");
            if !path.exists() {
                eprintln!(
                    "skipped: {} is absent (the shared data lives beside the repository)",
                    path.display()
                );
                return None;
            }
            let today = time::Date::from_calendar_date(2026, time::Month::November, 24).unwrap();
            let listings = samhsa::listings(&samhsa::read_path(&path).unwrap(), today).listings;
            let index = build_in_ram(listings.clone()).unwrap();
            Some((listings, index))
        })
        .as_ref()
}

// A seeded generator, so failures reproduce.
use fastrand::Rng;

#[test]
fn random_queries_on_the_national_directory_agree_with_a_plain_scan() {
    let Some((listings, index)) = national() else {
        return;
    };
    let v = Vocabulary::get();
    let mut rng = Rng::with_seed(5523);
    // origins at the ZIPs of real programs, written as people write them
    let zips: Vec<&str> = listings.iter().map(|l| l.address.zip.as_str()).collect();
    let groups: Vec<&str> = v.groups().iter().map(|g| g.slug.as_str()).collect();
    for round in 0..400 {
        let mut params: Vec<(String, String)> = Vec::new();
        if !rng.u64(..).is_multiple_of(5) {
            params.push(("near".into(), (*rng.choice(&zips).unwrap()).to_string()));
            params.push((
                "radius".into(),
                (*rng
                    .choice(&["5", "10", "25", "50", "100", "250", "500"])
                    .unwrap())
                .into(),
            ));
        }
        for _ in 0..rng.u64(..) % 4 {
            let group = v.group_by_slug(rng.choice(&groups).unwrap()).unwrap();
            let value = v.value(*rng.choice(&group.values).unwrap());
            params.push((group.slug.clone(), value.slug.clone()));
        }
        if rng.u64(..).is_multiple_of(3) {
            params.push(("sort".into(), "name".into()));
        }
        let per_page = *rng.choice(&[5usize, 20, 100]).unwrap();
        params.push(("per_page".into(), per_page.to_string()));
        let request = SearchRequest::from_pairs(params.clone(), UnknownParams::Refuse).unwrap();
        let expected = scan(listings, &request);
        let pages = expected.order.len().div_ceil(per_page).clamp(1, 6);
        let mut seen = Vec::new();
        for page in 1..=pages {
            let results = index.search(&request.on_page(page)).unwrap();
            assert_eq!(
                results.total,
                expected.order.len(),
                "round {round}: total for {params:?}"
            );
            if page == 1 {
                for group in &results.facets {
                    for c in &group.values {
                        assert_eq!(
                            c.count,
                            expected.counts[c.value],
                            "round {round}: count of {} for {params:?}",
                            v.value(c.value).slug
                        );
                    }
                }
            }
            seen.extend(
                results
                    .hits
                    .iter()
                    .map(|h| (h.distance_miles, h.listing.id.clone())),
            );
        }
        let want: Vec<_> = expected.order.iter().take(seen.len()).cloned().collect();
        assert_eq!(seen, want, "round {round}: order for {params:?}");
    }
}

#[test]
fn medicaid_and_dbt_near_a_zip_is_exactly_right() {
    let Some((listings, index)) = national() else {
        return;
    };
    // the family: a ZIP, Medicaid, and a therapy approach
    let request = SearchRequest::from_query_string(
        "near=10001&radius=25&insurance=medicaid&modality=cbt",
        UnknownParams::Refuse,
    )
    .unwrap();
    let results = index.search(&request).unwrap();
    let expected = scan(listings, &request);
    assert!(results.total > 0);
    assert_eq!(results.total, expected.order.len());
    assert!(results
        .hits
        .iter()
        .all(|h| h.listing.has_value("insurance", "medicaid")
            && h.listing.has_value("modality", "cbt")));
    assert_eq!(results.sort, Sort::Distance);
}

#[test]
fn places_resolve_as_people_write_them() {
    let g = Gazetteer::get();
    assert_eq!(g.resolve("02108").unwrap().label, "Boston, MA 02108");
    assert_eq!(
        g.resolve("02108-3512").unwrap(),
        g.resolve("02108").unwrap()
    );
    assert!(g.resolve("Boston, Massachusetts").is_ok());
    assert_eq!(
        g.resolve("Boston, MA").unwrap(),
        g.resolve("boston, massachusetts").unwrap()
    );
    let err =
        SearchRequest::from_query_string("near=Springfield", UnknownParams::Refuse).unwrap_err();
    // the places are the error's suggestions (links on the page, a list in
    // the API), not part of its one sentence
    for place in ["Springfield, IL", "Springfield, MO", "Springfield, MA"] {
        assert!(
            err.suggestions.iter().any(|s| s.starts_with(place)),
            "{place} in {:?}: {}",
            err.suggestions,
            err.message
        );
    }
}

fn text_hits(index: &SearchIndex, query: &str) -> Vec<std::sync::Arc<Listing>> {
    let request =
        SearchRequest::from_pairs([("q", query), ("per_page", "100")], UnknownParams::Refuse)
            .unwrap();
    index
        .search(&request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.listing)
        .collect()
}

#[test]
fn text_search_stems_knows_synonyms_and_forgives_one_typo() {
    let Some((listings, index)) = national() else {
        return;
    };
    // synonym: "dual diagnosis" finds co-occurring programs
    let dual = text_hits(index, "dual diagnosis");
    assert!(!dual.is_empty());
    assert!(
        dual.iter().all(|l| l.has_value("focus", "co-occurring")),
        "every hit is co-occurring"
    );
    // "DBT"-style abbreviations: "CBT" finds cognitive behavioral therapy
    let cbt = text_hits(index, "CBT");
    assert!(!cbt.is_empty() && cbt.iter().all(|l| l.has_value("modality", "cbt")));
    // one word of a synonym, with or without a typo: "cognitive" (from
    // "cognitive behavioral therapy") finds CBT programs, matched through
    // their facet term since synonyms are not indexed with each listing
    let total = |q: &str| {
        let request = SearchRequest::from_pairs([("q", q)], UnknownParams::Refuse).unwrap();
        index.search(&request).unwrap().total
    };
    let cbt_total = listings
        .iter()
        .filter(|l| l.has_value("modality", "cbt"))
        .count();
    assert!(cbt_total > 100);
    for q in ["cognitive", "cofnitive"] {
        assert_eq!(total(q), cbt_total, "{q}");
        assert!(text_hits(index, q)
            .iter()
            .all(|l| l.has_value("modality", "cbt")));
    }
    // stemming: "counselors" and "counseling" meet "counsel"
    assert!(!text_hits(index, "counselors").is_empty());
    // one typo in a long word
    let exact = text_hits(index, "Sacramento");
    assert!(!exact.is_empty());
    let typo = text_hits(index, "Sacramnto");
    assert!(
        typo.iter().any(|l| l.address.city == "Sacramento"),
        "one edit forgiven"
    );
    // but short words must be exact
    assert!(text_hits(index, "zqx").is_empty());
}

/// The same word written differently is the same word on the real directory:
/// "St Marys" and "Saint Marys" (the directory writes both) find the same
/// programs, and so do apostrophes straight or curly, hyphens or spaces.
#[test]
fn one_word_however_it_is_written_finds_the_same_programs() {
    let Some((_, index)) = national() else {
        return;
    };
    let ids = |q: &str| -> (usize, Vec<String>) {
        let request =
            SearchRequest::from_pairs([("q", q), ("per_page", "100")], UnknownParams::Refuse)
                .unwrap();
        let results = index.search(&request).unwrap();
        let ids = results.hits.iter().map(|h| h.listing.id.clone()).collect();
        (results.total, ids)
    };
    for forms in [
        &[
            "St Marys",
            "Saint Marys",
            "St. Mary's",
            "Saint Mary\u{2019}s",
            "ST MARYS",
        ][..],
        &["St Joseph", "Saint Joseph", "St. Joseph's"],
        &["co-occurring", "co occurring", "Co\u{2011}Occurring"],
        &["Mt Sinai", "Mount Sinai"],
    ] {
        let first = ids(forms[0]);
        eprintln!("{:?}: {} programs", forms[0], first.0);
        assert!(first.0 > 0, "{} finds nothing", forms[0]);
        for form in &forms[1..] {
            assert_eq!(ids(form), first, "{form:?} / {:?}", forms[0]);
        }
    }
    // and the city of every program, written as its state's people write
    // it, finds a place
    let g = Gazetteer::get();
    let (listings, _) = national().unwrap();
    let mut unknown = Vec::new();
    for l in listings.iter() {
        let typed = format!("{}, {}", l.address.city, l.address.state);
        if g.resolve(&typed).is_err() && g.resolve(&l.address.zip).is_ok() {
            unknown.push(typed);
        }
    }
    unknown.sort();
    unknown.dedup();
    eprintln!(
        "{} program cities unknown: {:?}",
        unknown.len(),
        &unknown[..unknown.len().min(20)]
    );
}

#[test]
fn the_national_directory_is_told_as_the_source_says() {
    let Some((listings, index)) = national() else {
        return;
    };
    // no listing at (0,0): a ZIP without a location is "no location"
    assert!(listings
        .iter()
        .filter_map(|l| l.point)
        .all(|p| (p.lat, p.lon) != (0.0, 0.0) && p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0));
    // text from the source is text: no entity or tag left in any text field
    for l in listings {
        let a = &l.address;
        for text in [
            Some(&l.name),
            l.program_name.as_ref(),
            l.description.as_ref(),
        ]
        .into_iter()
        .chain([a.street.as_ref(), a.street2.as_ref(), Some(&a.city)])
        .flatten()
        {
            assert!(
                !text.contains("&amp;") && !text.contains("&nbsp;") && !text.contains('<'),
                "{}: {text:?}",
                l.id
            );
        }
    }
    // a street address with the OIT setting is in person: the filter finds
    // programs near 19104, and TELE with it is hybrid
    let search = |q: &str| {
        let request = SearchRequest::from_pairs(
            form_urlencoded::parse(q.as_bytes()).into_owned(),
            UnknownParams::Refuse,
        )
        .unwrap();
        index.search(&request).unwrap().total
    };
    let near = search("near=19104&radius=25");
    let in_person = search("near=19104&radius=25&format=in-person");
    assert!(near > 50 && in_person > near / 2, "{in_person} of {near}");
    assert!(search("near=19104&radius=25&format=hybrid") > 0);
    let street_and_oit = listings
        .iter()
        .filter(|l| l.address.street.is_some())
        .count();
    assert_eq!(
        listings
            .iter()
            .filter(|l| l.has_value("format", "in-person"))
            .count(),
        street_and_oit
    );
    // CHLD is "children/adolescents": never "adolescents 13-17" or "children
    // under 13" by itself; AD (a program for adolescents) is adolescents
    assert!(listings
        .iter()
        .any(|l| l.has_value("age", "children-adolescents") && !l.has_value("age", "adolescents")));
    assert!(!listings.iter().any(|l| l.has_value("age", "children")));
    let with = |slug: &str| listings.iter().filter(|l| l.has_value("age", slug)).count();
    assert!(with("adolescents") > 1_500, "{}", with("adolescents"));
    // ... and a parent's search for a teen, by the box or by words, finds
    // both; a search for a child, CHLD's alone
    // (and a search for "under 18" finds both too)
    let under_18 = search("near=19104&radius=50&age=children-adolescents");
    let teens = search("near=19104&radius=50&age=adolescents");
    let children = search("near=19104&radius=50&age=children");
    assert!(children > 0 && teens > children, "{teens} {children}");
    assert_eq!(under_18, teens);
    for words in ["q=teen", "q=adolescents"] {
        assert_eq!(
            search(&format!("near=19104&radius=50&{words}")),
            teens,
            "{words}"
        );
    }
    // a medication by name finds the programs whose codes name it, not
    // every program with some medication (MAT)
    let mat = search("near=60601&radius=50&modality=mat");
    for (drug, words) in [
        ("methadone", "methadone"),
        ("buprenorphine", "suboxone"),
        ("naltrexone", "vivitrol"),
    ] {
        let by_box = search(&format!("near=60601&radius=50&modality={drug}"));
        let by_words = search(&format!("near=60601&radius=50&q={words}"));
        assert!(by_box > 0 && by_box < mat, "{drug}: {by_box} of {mat}");
        assert!(by_words >= by_box && by_words < mat, "{words}: {by_words}");
    }
    assert!(listings
        .iter()
        .filter(|l| l.has_value("modality", "methadone"))
        .all(|l| l.has_value("modality", "mat")));
    // the source's own date, and a public page, never a file path
    let (_, source) = listings[0].provenance_of("name").unwrap();
    assert_eq!(source.edition.as_deref(), Some("2023"));
    assert_eq!(source.public_url(), Some(samhsa::PUBLIC_PAGE));
    // a military ZIP is a clear "no location", not a search at (0,0)
    let err = SearchRequest::from_pairs(
        vec![("near".to_string(), "09001".to_string())],
        UnknownParams::Refuse,
    )
    .unwrap_err();
    assert!(err.message.contains("no location"), "{}", err.message);
}
