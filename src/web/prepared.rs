//! Work done once per index generation instead of once per request: each
//! listing's JSON object of the search API and its result card's
//! request-independent HTML ([`iop_templates::CardParts`], per language),
//! rendered ahead, and the facet counts' constant parts; a search answer is
//! then assembled from ready bytes. The answers are byte-for-byte those
//! made without them (`crate::json::search`, `iop_templates::results_page`;
//! tests render both ways and compare).
//!
//! Prepared only while the generation holds its listings decoded in memory
//! (`iop_index::IN_MEMORY_LISTINGS_MAX`, 20,000); bigger directories
//! serialize each answer as before. The fragments live in the generation's
//! [`iop_index::SearchIndex::prepared`] slot, built on first use (and at
//! start, see [`warm`]), dropped with the generation.

use iop_index::{Listing, SearchIndex, SearchResults, Vocabulary};
use iop_templates::{CardParts, Lang, SiteContext, TelLinks};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, LazyLock, OnceLock};

/// What one generation prepares.
pub struct Prepared {
    /// Per listing in name order ([`SearchIndex::position`]): its API row
    /// split around the value of `distance_miles` (what comes before it,
    /// what comes after it).
    rows: Vec<(Box<str>, Box<str>)>,
    /// Per listing in name order, the `tel:` links of its program page
    /// (parsing and validating a number was a third of the page's time).
    tel: Vec<TelLinks>,
    /// The listings, for the cards of a language not prepared yet.
    listings: Vec<Arc<Listing>>,
    /// Per language ([`Lang::ALL`] order), each listing's card parts, in
    /// name order; made on the language's first page (English at start).
    cards: [OnceLock<Vec<CardParts>>; 2],
}

/// The key and value a row has before the request gives its distance;
/// serialized once, then cut out (a string value escapes its quotes, so
/// only the key can read like this).
const DISTANCE_NULL: &str = "\"distance_miles\":null";

impl Prepared {
    fn of(listings: &[Arc<Listing>]) -> Prepared {
        let rows = listings
            .iter()
            .map(|l| {
                let row = crate::json::search_row(l, None).to_string();
                let at = row
                    .find(DISTANCE_NULL)
                    .expect("a search row has distance_miles");
                let head = &row[..at + DISTANCE_NULL.len() - "null".len()];
                let tail = &row[at + DISTANCE_NULL.len()..];
                (head.into(), tail.into())
            })
            .collect();
        Prepared {
            rows,
            tel: listings.iter().map(|l| TelLinks::of(l)).collect(),
            listings: listings.to_vec(),
            cards: Default::default(),
        }
    }

    /// The card parts of every listing in `lang`, made on first use.
    fn cards(&self, lang: Lang) -> &[CardParts] {
        let at = Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0);
        self.cards[at].get_or_init(|| {
            let ctx = SiteContext::in_language(lang);
            self.listings
                .iter()
                .map(|l| CardParts::of(&ctx, l))
                .collect()
        })
    }
}

/// The prepared card parts of `results`' hits in `lang`, aligned with the
/// hits (empty when the generation has none prepared).
pub fn cards<'a>(
    index: &'a SearchIndex,
    results: &SearchResults,
    lang: Lang,
) -> Vec<Option<&'a CardParts>> {
    let Some(prepared) = of(index) else {
        return Vec::new();
    };
    let cards = prepared.cards(lang);
    results
        .hits
        .iter()
        .map(|hit| index.position(&hit.listing.id).and_then(|at| cards.get(at)))
        .collect()
}

/// The prepared `tel:` links of the program page of the listing `id`
/// (`None` when the generation has none prepared, or no such listing).
pub fn tel_links<'a>(index: &'a SearchIndex, id: &str) -> Option<&'a TelLinks> {
    of(index)?.tel.get(index.position(id)?)
}

/// The generation's prepared fragments, preparing them on first use;
/// `None` for a directory too big to hold its listings decoded.
pub fn of(index: &SearchIndex) -> Option<&Prepared> {
    index.prepared(Prepared::of)
}

/// Prepare a generation's fragments now (at start and when a new
/// generation is swapped in), so no visitor's request pays for it.
pub fn warm(index: &SearchIndex) {
    if let Some(prepared) = of(index) {
        prepared.cards(Lang::En);
    }
}

/// The constant parts of the facet counts' JSON: per group, in the order
/// of their slugs (the object's key order), its key and, per value, what
/// follows the count and what follows `selected`.
struct FacetParts {
    groups: Vec<FacetGroupParts>,
}

struct FacetGroupParts {
    /// The group's index in `SearchResults::facets` (vocabulary order).
    at: usize,
    /// `"insurance":`
    key: String,
    /// Per value, in the results' order: `,"label":"Medicaid","selected":`
    /// and `,"value":"medicaid"}`.
    values: Vec<(String, String)>,
}

static FACETS: LazyLock<FacetParts> = LazyLock::new(|| {
    let vocabulary = Vocabulary::get();
    let mut groups: Vec<FacetGroupParts> = vocabulary
        .groups()
        .iter()
        .enumerate()
        .map(|(at, g)| FacetGroupParts {
            at,
            key: format!("{}:", json!(g.slug)),
            values: g
                .values
                .iter()
                .map(|&v| {
                    let v = vocabulary.value(v);
                    (
                        format!(",\"label\":{},\"selected\":", json!(v.label)),
                        format!(",\"value\":{}}}", json!(v.slug)),
                    )
                })
                .collect(),
        })
        .collect();
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    FacetParts { groups }
});

/// The search API's answer (`crate::json::search`, serialized): the
/// facet counts from their constant parts, and the rows from the
/// generation's prepared rows when it has them (a directory of at most
/// 20,000 listings), else each serialized from its listing.
pub fn search_json(index: &SearchIndex, results: &SearchResults) -> Vec<u8> {
    let rows = of(index).and_then(|prepared| {
        let positions: Option<Vec<usize>> = results
            .hits
            .iter()
            .map(|hit| index.position(&hit.listing.id))
            .collect();
        positions.map(|positions| (prepared, positions))
    });
    assemble(results, rows.as_ref().map(|(p, at)| (*p, at.as_slice())))
}

/// [`search_json`] with its rows' prepared parts and positions, if any.
fn assemble(results: &SearchResults, rows: Option<(&Prepared, &[usize])>) -> Vec<u8> {
    let vocabulary = Vocabulary::get();
    // the facets' shape is the vocabulary's: assembled only when the
    // results have every group and value in vocabulary order
    let facets_fit = results.facets.len() == vocabulary.groups().len()
        && results
            .facets
            .iter()
            .zip(vocabulary.groups())
            .all(|(counts, g)| {
                counts.group == g.id
                    && counts.values.len() == g.values.len()
                    && counts
                        .values
                        .iter()
                        .zip(&g.values)
                        .all(|(c, &v)| c.value == v)
            });
    if !facets_fit {
        return crate::json::search(results).to_string().into_bytes();
    }
    let mut out = Vec::with_capacity(4096 + results.hits.len() * 1300);
    out.extend_from_slice(b"{\"facets\":{");
    for (i, group) in FACETS.groups.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(group.key.as_bytes());
        out.push(b'[');
        for (j, (count, (after_count, after_selected))) in results.facets[group.at]
            .values
            .iter()
            .zip(&group.values)
            .enumerate()
        {
            if j > 0 {
                out.push(b',');
            }
            let _ = write!(out, "{{\"count\":{}", count.count);
            out.extend_from_slice(after_count.as_bytes());
            out.extend_from_slice(if count.selected { b"true" } else { b"false" });
            out.extend_from_slice(after_selected.as_bytes());
        }
        out.push(b']');
    }
    out.extend_from_slice(b"},\"origin\":");
    let origin = results
        .origin
        .as_ref()
        .map(|o| json!({"label": o.label, "lat": o.lat, "lon": o.lon}));
    let _ = serde_json::to_writer(&mut out, &origin);
    let _ = write!(
        out,
        ",\"page\":{},\"per_page\":{},\"results\":[",
        results.page, results.per_page
    );
    for (i, hit) in results.hits.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match rows {
            Some((prepared, positions)) => {
                let (head, tail) = &prepared.rows[positions[i]];
                out.extend_from_slice(head.as_bytes());
                let distance = hit.distance_miles.map(|d| (d * 100.0).round() / 100.0);
                let _ = serde_json::to_writer(&mut out, &json!(distance));
                out.extend_from_slice(tail.as_bytes());
            }
            None => {
                let row = crate::json::search_row(&hit.listing, hit.distance_miles);
                let _ = serde_json::to_writer(&mut out, &row);
            }
        }
    }
    out.extend_from_slice(b"],\"sort\":");
    let _ = serde_json::to_writer(&mut out, results.sort.slug());
    let _ = write!(out, ",\"total\":{}}}", results.total);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iop_index::{DataDir, SearchRequest, UnknownParams};

    /// The sample directory published in a temporary data directory (kept
    /// alive by the first value) and its generation opened.
    fn sample_generation() -> (tempfile::TempDir, iop_index::Generation) {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        data.publish(iop_crawler::sources::sample::listings().unwrap())
            .unwrap();
        let generation = data.open_current().unwrap();
        (dir, generation)
    }

    /// Every answer of a set of searches over the sample directory, made
    /// from prepared rows, is the bytes `json::search` serializes.
    #[test]
    fn prepared_answers_are_the_serialized_ones() {
        let (_dir, generation) = sample_generation();
        let index = &generation.index;
        assert!(of(index).is_some(), "the sample is held in memory");
        let queries = [
            "",
            "near=19104&radius=25",
            "near=19104&radius=100&insurance=medicaid",
            "near=19104&radius=250&per_page=3&page=2&sort=name",
            "q=therapy",
            "q=therapy&near=95814&radius=50&age=adults&insurance=private",
            "q=nothingmatchesthis",
            "per_page=100&focus=co-occurring&focus=trauma",
        ];
        let mut hits = 0;
        for query in queries {
            let request = SearchRequest::from_query_string(query, UnknownParams::Refuse).unwrap();
            let results = index.search(&request).unwrap();
            hits += results.hits.len();
            let expected = crate::json::search(&results).to_string();
            let assembled = String::from_utf8(search_json(index, &results)).unwrap();
            assert_eq!(assembled, expected, "{query}");
            // as a directory too big to prepare rows for answers
            let unprepared = String::from_utf8(assemble(&results, None)).unwrap();
            assert_eq!(unprepared, expected, "{query}, rows made on the spot");
        }
        assert!(hits > 20, "the searches find results ({hits})");
    }

    /// A directory read from the doc store (as one of a million listings
    /// is) answers the API and the results page with the bytes of the same
    /// directory held in memory: its hits decoded for results (of their
    /// provenance only the latest check) and the rows made on the spot.
    #[test]
    fn answers_read_from_the_doc_store_are_those_held_in_memory() {
        let listings = iop_crawler::sources::sample::listings().unwrap();
        let memory = iop_index::indexing::build_in_ram(listings.clone()).unwrap();
        let stored = iop_index::indexing::build_in_ram_with(listings, 0).unwrap();
        assert!(memory.holds_listings_in_memory() && !stored.holds_listings_in_memory());
        assert!(of(&stored).is_none());
        let queries = [
            "near=19104&radius=25",
            "near=19104&radius=250&insurance=medicaid&per_page=50",
            "near=95814&radius=100&sort=name&page=2&per_page=5",
            "q=therapy&near=95814&radius=50&age=adults",
            "focus=co-occurring&per_page=100",
        ];
        let mut hits = 0;
        for query in queries {
            let request = SearchRequest::from_query_string(query, UnknownParams::Refuse).unwrap();
            let expected = memory.search(&request).unwrap();
            let read = stored.search_for_results(&request).unwrap();
            hits += read.hits.len();
            assert_eq!(
                String::from_utf8(search_json(&stored, &read)).unwrap(),
                crate::json::search(&expected).to_string(),
                "{query}"
            );
            for lang in Lang::ALL {
                let site = test_site(memory.len(), lang, "/search");
                let shortlist = Default::default();
                assert_eq!(
                    iop_templates::results_page(&site, &request, &read, &shortlist, None)
                        .into_string(),
                    iop_templates::results_page(&site, &request, &expected, &shortlist, None)
                        .into_string(),
                    "{lang:?} {query}"
                );
            }
        }
        assert!(hits > 60, "the searches find results ({hits})");
    }

    /// The sample directory's page context in `lang`, at `path`.
    fn test_site(listings: usize, lang: Lang, path: &str) -> SiteContext {
        SiteContext {
            sample: true,
            listings,
            built_at: "2026-11-30T08:00:00Z".to_string(),
            from_providers: 0,
            lang,
            path: path.to_string(),
            public_url: iop_templates::DEFAULT_PUBLIC_URL.to_string(),
        }
    }

    /// The results page made with prepared cards is the page made without
    /// them, in both languages, with and without filters and a shortlist.
    #[test]
    fn pages_with_prepared_cards_are_the_same_pages() {
        let (_dir, generation) = sample_generation();
        let index = &generation.index;
        let queries = [
            "near=19104&radius=250",
            "near=19104&radius=250&insurance=medicaid&schedule=evening",
            "q=therapy&age=adults&focus=co-occurring&modality=cbt",
            "per_page=50&sort=name&page=2",
        ];
        let mut cards = 0;
        for lang in Lang::ALL {
            let site = test_site(index.len(), lang, "/search");
            for query in queries {
                let request =
                    SearchRequest::from_query_string(query, UnknownParams::Refuse).unwrap();
                let results = index.search(&request).unwrap();
                let ready = super::cards(index, &results, lang);
                assert_eq!(ready.len(), results.hits.len(), "{query}");
                assert!(ready.iter().all(Option::is_some), "{query}");
                cards += ready.len();
                let ids: Vec<&str> = results
                    .hits
                    .iter()
                    .take(2)
                    .map(|h| h.listing.id.as_str())
                    .collect();
                for list in ["", &ids.join(",")] {
                    let query = if list.is_empty() {
                        String::new()
                    } else {
                        format!("list={list}")
                    };
                    let (_, shortlist) = crate::web::shortlist::take_list(&query)
                        .unwrap_or_else(|_| panic!("a valid list: {list}"));
                    let expected =
                        iop_templates::results_page(&site, &request, &results, &shortlist, None)
                            .into_string();
                    let assembled = iop_templates::results_page_with_cards(
                        &site, &request, &results, &shortlist, None, &ready,
                    )
                    .into_string();
                    assert_eq!(assembled, expected, "{lang:?} {query} list={list}");
                }
            }
        }
        assert!(cards > 40, "the pages have cards ({cards})");
    }

    /// Every program page made with the prepared `tel:` links is the page
    /// made without them, and the links dial the listing's numbers.
    #[test]
    fn program_pages_with_prepared_phone_links_are_the_same_pages() {
        let (_dir, generation) = sample_generation();
        let index = &generation.index;
        let request =
            SearchRequest::from_query_string("per_page=100", UnknownParams::Refuse).unwrap();
        let results = index.search(&request).unwrap();
        assert!(results.hits.len() > 50, "{}", results.hits.len());
        let mut dialled = 0;
        for lang in Lang::ALL {
            let site = test_site(index.len(), lang, "/programs/x");
            for hit in &results.hits {
                let listing = &hit.listing;
                let tel = tel_links(index, &listing.id).expect("prepared");
                let shortlist = Default::default();
                let expected = iop_templates::program_page_from(
                    &site,
                    listing,
                    &shortlist,
                    "https://x.example",
                    None,
                    &[],
                )
                .into_string();
                let assembled = iop_templates::program_page_with_tel(
                    &site,
                    listing,
                    tel,
                    &shortlist,
                    "https://x.example",
                    None,
                    &[],
                )
                .into_string();
                assert_eq!(assembled, expected, "{lang:?} {}", listing.id);
                dialled += expected.matches("href=\"tel:+1").count();
            }
        }
        assert!(dialled > 100, "the pages dial their numbers ({dialled})");
        assert!(tel_links(index, "000000000000").is_none());
    }
}
