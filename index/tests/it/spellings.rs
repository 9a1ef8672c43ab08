//! The same word written differently finds the same programs: curly and
//! straight apostrophes, hyphens and spaces, accents, and the abbreviations of
//! names ("St" / "Saint"). The listings are `tests/fixtures/spellings.txt`.

use iop_index::indexing::build_in_ram;
use iop_index::{Address, Listing, SearchIndex, SearchRequest, UnknownParams};
use std::collections::BTreeSet;

fn index() -> SearchIndex {
    let text = include_str!("../fixtures/spellings.txt");
    let listings: Vec<Listing> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            let mut l = Listing::new(
                format!("{i:012x}"),
                f[0],
                Address {
                    street: None,
                    street2: None,
                    city: f[2].into(),
                    state: f[3].into(),
                    zip: "00000".into(),
                },
            );
            l.description = Some(f[1].into());
            l
        })
        .collect();
    build_in_ram(listings).expect("index builds")
}

/// The names of the programs `q` finds (through the request parser, as the
/// site and API search).
fn found(index: &SearchIndex, q: &str) -> BTreeSet<String> {
    let query = format!("q={}&per_page=100", iop_index::request::encode(q));
    let request = SearchRequest::from_query_string(&query, UnknownParams::Refuse).unwrap();
    index
        .search(&request)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.listing.name.clone())
        .collect()
}

#[test]
fn the_same_word_written_differently_finds_the_same_programs() {
    let index = index();
    let spellings: &[&[&str]] = &[
        &[
            "St Marys",
            "Saint Marys",
            "St. Mary's",
            "Saint Mary’s",
            "ST. MARY’S",
            "st marys",
        ],
        &[
            "co-occurring",
            "co occurring",
            "Co‑Occurring",
            "co–occurring",
        ],
        &["O'Fallon", "O’Fallon", "o‘fallon", "OFallon"],
        &["Mayagüez", "Mayaguez", "MAYAGÜEZ"],
        &["español", "espanol", "ESPAÑOL"],
        &["Mt. Sinai", "Mount Sinai", "mt sinai"],
        &["Ft. Worth", "Fort Worth", "ft worth"],
        &["Ste. Genevieve", "Sainte Genevieve", "St Genevieve"],
    ];
    for forms in spellings {
        let first = found(&index, forms[0]);
        assert!(!first.is_empty(), "{:?} finds nothing", forms[0]);
        for form in &forms[1..] {
            assert_eq!(found(&index, form), first, "{form:?} / {:?}", forms[0]);
        }
    }
    // and each finds what it names, not everything
    let marys = found(&index, "Saint Marys");
    assert_eq!(marys.len(), 4, "{marys:?}");
    assert!(!marys.contains("Harbor Light"));
    let co = found(&index, "co-occurring");
    assert_eq!(co.len(), 2, "{co:?}");
}

#[test]
fn a_word_too_long_to_index_matches_nothing_rather_than_everything() {
    let index = index();
    let long = "a".repeat(60);
    assert!(found(&index, &long).is_empty());
    assert!(found(&index, &format!("harbor {long}")).is_empty());
}
