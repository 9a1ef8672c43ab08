//! The search semantics written as a plain scan over listings: slow, obvious,
//! and independent of tantivy. Tests compare the index's answers with it.
//!
//! - inside: haversine distance (R = 3958.8 mi) <= radius; a listing without a
//!   location is outside every radius;
//! - filters: OR between values of one group, AND between groups;
//! - counts: a value's count applies every filter except its own group's;
//! - order: by distance (with a place, by default) or by name (case-insensitive),
//!   ties by name, then by id.

use crate::geo::haversine_miles;
use crate::listing::Listing;
use crate::request::{SearchRequest, Sort};
use crate::vocabulary::{GroupId, ValueId, Vocabulary};

/// What [`scan`] answers for a request, found by looking at every
/// listing: the check the index's search is tested against.
pub struct ReferenceResults {
    /// Every result in order: (distance when a place was given, listing id).
    pub order: Vec<(Option<f64>, String)>,
    /// Count of every value, by value id.
    pub counts: Vec<u64>,
}

/// Answer `request` by scanning `listings`. Text (`q`) and relevance sort are
/// not modelled: requests with text are refused.
pub fn scan(listings: &[Listing], request: &SearchRequest) -> ReferenceResults {
    assert!(
        request.text.is_none(),
        "the reference scan does not model text search"
    );
    let v = Vocabulary::get();
    // a listing answers a search for a value when it has the value, or a
    // broader one that the value's search finds (`found_by`)
    let has = |l: &Listing, id: ValueId| {
        let group = &v.group(v.value(id).group).slug;
        l.values(group)
            .iter()
            .any(|slug| v.lookup(group, slug).is_some_and(|w| w.answers(id)))
    };
    let passes = |l: &Listing, skip: Option<GroupId>| {
        request
            .filters
            .iter()
            .all(|(g, values)| Some(*g) == skip || values.iter().any(|&id| has(l, id)))
    };
    let mut counts = vec![0; v.values().len()];
    let mut rows = Vec::new();
    for l in listings {
        let distance = match (&request.origin, l.point) {
            (None, _) => None,
            (Some(_), None) => continue,
            (Some(o), Some(p)) => {
                let d = haversine_miles(o.lat, o.lon, p.lat, p.lon);
                if d > request.radius_miles {
                    continue;
                }
                Some(d)
            }
        };
        for value in v.values() {
            if has(l, value.id) && passes(l, Some(value.group)) {
                counts[value.id] += 1;
            }
        }
        if passes(l, None) {
            rows.push((distance, l.display_name().to_lowercase(), l.id.clone()));
        }
    }
    let by_name = |a: &(Option<f64>, String, String), b: &(Option<f64>, String, String)| {
        (&a.1, &a.2).cmp(&(&b.1, &b.2))
    };
    match request.sort() {
        Sort::Distance => rows.sort_by(|a, b| {
            a.0.unwrap_or(f64::MAX)
                .total_cmp(&b.0.unwrap_or(f64::MAX))
                .then_with(|| by_name(a, b))
        }),
        _ => rows.sort_by(by_name),
    }
    ReferenceResults {
        order: rows.into_iter().map(|(d, _, id)| (d, id)).collect(),
        counts,
    }
}
