//! Fixtures the page tests share: the page context, facts' provenance,
//! the Sacramento address and weekly sessions of hand-built listings, a
//! facet map, and parsed requests.

use iop_index::listing::{ClockTime, Session, Weekday};
use iop_index::{Address, Provenance, SearchRequest, UnknownParams};
use iop_templates::{Lang, SiteContext};
use std::collections::BTreeMap;

/// What a page of these tests knows of the site: `listings` programs in
/// an index built 2026-11-24T19:30:00Z, served at https://iopfinder.example,
/// in `lang`, at `path` (English form).
pub fn site(lang: Lang, path: &str, sample: bool, listings: usize) -> SiteContext {
    SiteContext {
        sample,
        listings,
        built_at: "2026-11-24T19:30:00Z".to_string(),
        lang,
        path: path.to_string(),
        public_url: "https://iopfinder.example".into(),
    }
}

/// That source `source` (an index in the listing's sources) stated `fact`
/// on `checked`, in the words `evidence` when given.
pub fn prov(fact: &str, source: usize, checked: time::Date, evidence: Option<&str>) -> Provenance {
    Provenance {
        fact: fact.into(),
        source,
        checked,
        evidence: evidence.map(str::to_string),
    }
}

/// Downtown Sacramento, ZIP 95814, no street.
pub fn sacramento() -> Address {
    Address {
        street: None,
        street2: None,
        city: "Sacramento".into(),
        state: "CA".into(),
        zip: "95814".into(),
    }
}

/// A weekly session on `weekday` from `start` to `end` (HH:MM, 24-hour).
pub fn session(weekday: Weekday, start: &str, end: &str) -> Session {
    Session {
        weekday,
        start: ClockTime::parse(start).unwrap(),
        end: ClockTime::parse(end).unwrap(),
    }
}

/// Facet values by group slug, from `(group, values)` pairs.
pub fn facet_map(facets: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    facets
        .iter()
        .map(|(group, values)| {
            (
                group.to_string(),
                values.iter().map(|v| v.to_string()).collect(),
            )
        })
        .collect()
}

/// A search request parsed from a query string (no unknown parameters).
pub fn request(query: &str) -> SearchRequest {
    SearchRequest::from_query_string(query, UnknownParams::Refuse).expect("request parses")
}
