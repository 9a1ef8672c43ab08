//! The index's answers against a plain scan of the listings, on many random
//! queries: same total, same order (distance or name, then name, then id),
//! same page slices, same disjunctive facet counts.

use iop_index::geo::haversine_miles;
use iop_index::indexing::{build_in_ram, build_in_ram_segmented, build_in_ram_with};
use iop_index::listing::{Address, LevelOfCare, Point, Precision, Schedule};
use iop_index::reference::{scan, ReferenceResults};
use iop_index::request::{SearchRequest, Sort};
use iop_index::{Listing, Origin, SearchResults, Vocabulary};
use std::collections::BTreeMap;

// A seeded generator, so failures reproduce.
use fastrand::Rng;

const CENTRES: &[(f64, f64)] = &[
    (38.58, -121.49),
    (40.71, -74.0),
    (41.88, -87.63),
    (29.76, -95.37),
    (39.74, -104.99),
];

fn synthetic_listings(n: usize, rng: &mut Rng) -> Vec<Listing> {
    let v = Vocabulary::get();
    let names = ["Harbor", "Cedar", "Northstar", "harbor", "Summit", "Bridge"];
    (0..n)
        .map(|i| {
            let (clat, clon) = CENTRES[rng.u64(..CENTRES.len() as u64) as usize];
            let point = (rng.u64(..20) != 0).then(|| Point {
                lat: clat + (rng.f64() - 0.5) * 1.5,
                lon: clon + (rng.f64() - 0.5) * 1.5,
                precision: Precision::Exact,
            });
            let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for group in v.groups() {
                for value in v.values_of(group.id) {
                    if rng.u64(..4) == 0 {
                        facets
                            .entry(group.slug.clone())
                            .or_default()
                            .push(value.slug.clone());
                    }
                }
            }
            Listing {
                id: format!("{:012x}", rng.u64(..) >> 16),
                // few distinct names, so ties by name are common and the id decides
                name: format!("{} Recovery", names[rng.u64(..names.len() as u64) as usize]),
                // an organization's programs: ordered by their own names
                program_name: match rng.u64(..4) {
                    0 => Some("West".into()),
                    1 => Some("kedzie".into()),
                    _ => None,
                },
                description: Some(format!("Program number {i}")),
                address: Address {
                    street: None,
                    street2: None,
                    city: "Somewhere".into(),
                    state: "CA".into(),
                    zip: "95814".into(),
                },
                point,
                phone: None,
                intake_phone: None,
                more_intake_phones: Vec::new(),
                website: None,
                facets,
                schedule: Schedule::default(),
                level_of_care: LevelOfCare::default(),
                accepting_new_clients: None,
                sources: Vec::new(),
                provenance: Vec::new(),
                sample: false,
                merged_ids: Vec::new(),
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .scan(None, |shared: &mut Option<Point>, mut listing| {
            // one in eight at the point of the one before (a building of
            // several programs): equal distances, which the name and id order
            if rng.u64(..8) == 0 && shared.is_some() {
                listing.point = *shared;
            }
            *shared = listing.point;
            Some(listing)
        })
        .collect()
}

fn random_request(rng: &mut Rng) -> SearchRequest {
    let v = Vocabulary::get();
    let mut request = SearchRequest::default();
    if rng.u64(..4) != 0 {
        let (lat, lon) = CENTRES[rng.u64(..CENTRES.len() as u64) as usize];
        request.origin = Some(Origin {
            label: "test".into(),
            lat: lat + rng.f64() - 0.5,
            lon: lon + rng.f64() - 0.5,
        });
        request.radius_miles = [1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 500.0][rng.u64(..7) as usize];
    }
    for _ in 0..rng.u64(..4) {
        let group = &v.groups()[rng.u64(..v.groups().len() as u64) as usize];
        let value = group.values[rng.u64(..group.values.len() as u64) as usize];
        let selected = request.filters.entry(group.id).or_default();
        if !selected.contains(&value) {
            selected.push(value);
            selected.sort_unstable();
        }
    }
    request.requested_sort = match rng.u64(..3) {
        0 if request.origin.is_some() => Some(Sort::Distance),
        1 => Some(Sort::Name),
        _ => None,
    };
    request.per_page = [1, 7, 20, 100][rng.u64(..4) as usize];
    request
}

/// Every facet value's count, in vocabulary order, equals the scan's.
fn assert_same_counts(results: &SearchResults, expected: &ReferenceResults, what: &str) {
    let counts: Vec<u64> = results
        .facets
        .iter()
        .flat_map(|g| g.values.iter().map(|c| c.count))
        .collect();
    let mut expected_counts = Vec::new();
    for g in Vocabulary::get().groups() {
        expected_counts.extend(g.values.iter().map(|&v| expected.counts[v]));
    }
    assert_eq!(counts, expected_counts, "facet counts for {what}");
}

#[test]
fn random_queries_agree_with_a_plain_scan() {
    let mut rng = Rng::with_seed(20261124);
    let listings = synthetic_listings(3000, &mut rng);
    let in_memory = build_in_ram(listings.clone()).expect("index builds");
    // the same index reading every listing from tantivy's doc store, as big
    // directories do
    let stored = build_in_ram_with(listings.clone(), 0).expect("index builds");
    assert!(in_memory.holds_listings_in_memory() && !stored.holds_listings_in_memory());
    // several segments (as an index built in steps has)
    let segmented = build_in_ram_segmented(listings.clone(), 700, 0).expect("index builds");
    assert!(segmented.segments() > 1);
    for round in 0..300 {
        let index = [&in_memory, &stored, &segmented][round % 3];
        let mut request = random_request(&mut rng);
        let expected = scan(&listings, &request);
        // the count alone (an empty result's wider searches) is the total
        assert_eq!(
            index.total(&request).unwrap(),
            expected.order.len(),
            "round {round}: the count alone for {request:?}"
        );
        // walk every page and check the concatenation is the expected order
        let mut seen = Vec::new();
        let pages = expected.order.len().div_ceil(request.per_page).max(1);
        for page in 1..=pages.min(50) {
            request.page = page;
            let results = index.search(&request).unwrap();
            assert_eq!(
                results.total,
                expected.order.len(),
                "round {round}: total for {request:?}"
            );
            for hit in &results.hits {
                seen.push((hit.distance_miles, hit.listing.id.clone()));
            }
            if page == 1 {
                assert_same_counts(&results, &expected, &format!("round {round}: {request:?}"));
            }
        }
        let want: Vec<_> = expected.order.iter().take(seen.len()).cloned().collect();
        assert_eq!(
            seen.len(),
            expected.order.len().min(50 * request.per_page),
            "round {round}"
        );
        assert_eq!(seen, want, "round {round}: order for {request:?}");
    }
}

/// Text with a place, filters and sorts: the listings the text matches are
/// found by tantivy's own collector; the search's answer must equal the plain
/// scan of just those listings (order compared where it does not depend on
/// relevance scores).
#[test]
fn text_queries_agree_with_a_scan_of_the_text_matches() {
    let mut rng = Rng::with_seed(4_2026);
    let listings = synthetic_listings(3000, &mut rng);
    let single = build_in_ram(listings.clone()).expect("index builds");
    let segmented = build_in_ram_segmented(listings.clone(), 500, 0).expect("index builds");
    let texts = [
        "harbor",
        "cedar recovery",
        "Nortstar",
        "program",
        "dbt",
        "dual diagnosis",
        "medicaid",
        "summit evening",
        "number 12",
    ];
    let mut answered = 0;
    for round in 0..120 {
        let index = if round % 2 == 0 { &single } else { &segmented };
        let mut request = random_request(&mut rng);
        let text = texts[rng.u64(..texts.len() as u64) as usize];
        let matched: std::collections::HashSet<String> =
            index.text_matches(text).unwrap().into_iter().collect();
        let subset: Vec<Listing> = listings
            .iter()
            .filter(|l| matched.contains(&l.id))
            .cloned()
            .collect();
        let expected = scan(&subset, &request);
        request.text = Some(text.to_string());
        request.per_page = 100;
        let results = index.search(&request).unwrap();
        assert_eq!(
            results.total,
            expected.order.len(),
            "round {round}: total for {request:?}"
        );
        assert_eq!(
            index.total(&request).unwrap(),
            expected.order.len(),
            "round {round}: the count alone for {request:?}"
        );
        assert_same_counts(&results, &expected, &format!("round {round}: {request:?}"));
        answered += usize::from(results.total > 0);
        if request.sort() != Sort::Relevance {
            let seen: Vec<_> = results
                .hits
                .iter()
                .map(|h| (h.distance_miles, h.listing.id.clone()))
                .collect();
            let want: Vec<_> = expected.order.iter().take(100).cloned().collect();
            assert_eq!(seen, want, "round {round}: order for {request:?}");
        }
    }
    // the comparison means something only if most queries find programs
    assert!(
        answered > 60,
        "only {answered} of 120 text queries found anything"
    );
}

#[test]
fn the_radius_boundary_is_inclusive() {
    let mut rng = Rng::with_seed(7);
    let mut listings = synthetic_listings(50, &mut rng);
    let origin = Origin {
        label: "o".into(),
        lat: 38.58,
        lon: -121.49,
    };
    for l in &mut listings {
        l.point = Some(Point {
            lat: 38.58,
            lon: -121.49 + 0.2,
            precision: Precision::Exact,
        });
    }
    let exact = haversine_miles(origin.lat, origin.lon, 38.58, -121.49 + 0.2);
    let index = build_in_ram(listings).unwrap();
    let request = SearchRequest {
        origin: Some(origin.clone()),
        radius_miles: exact,
        ..Default::default()
    };
    assert_eq!(index.search(&request).unwrap().total, 50);
    let request = SearchRequest {
        origin: Some(origin),
        radius_miles: exact - 1e-9,
        ..Default::default()
    };
    assert_eq!(index.search(&request).unwrap().total, 0);
}

#[test]
fn listings_read_from_the_doc_store_equal_those_held_in_memory() {
    let mut rng = Rng::with_seed(99);
    let listings = synthetic_listings(500, &mut rng);
    let in_memory = build_in_ram(listings.clone()).unwrap();
    let stored = build_in_ram_with(listings.clone(), 0).unwrap();
    for l in &listings {
        assert_eq!(*stored.listing(&l.id).unwrap(), *l);
        assert_eq!(*in_memory.listing(&l.id).unwrap(), *l);
    }
    assert!(stored.listing("ffffffffffff").is_none());
    let a: Vec<String> = in_memory
        .all_listings()
        .unwrap()
        .iter()
        .map(|l| l.id.clone())
        .collect();
    let b: Vec<String> = stored
        .all_listings()
        .unwrap()
        .iter()
        .map(|l| l.id.clone())
        .collect();
    assert_eq!(a, b);
}
