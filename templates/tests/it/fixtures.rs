//! Fixtures the page tests share, made once: the page context, hand-built
//! listings near downtown Sacramento with their sources and facts'
//! provenance, weekly sessions, a facet map, the index's summary of its
//! sources, and parsed requests.

use iop_index::listing::{ClockTime, LevelOfCare, Session, Weekday};
use iop_index::store::SourceSummary;
use iop_index::{
    Address, Listing, Point, Precision, Provenance, Schedule, SearchRequest, Source, UnknownParams,
};
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
        from_providers: 0,
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

/// A source of a listing's facts: `title` of kind `kind`, at `url` when
/// public, naming the listing `record` when it has an id for it.
pub fn source(kind: &str, title: &str, url: Option<&str>, record: Option<&str>) -> Source {
    Source {
        kind: kind.into(),
        title: title.into(),
        url: url.map(str::to_string),
        record: record.map(str::to_string),
        edition: None,
    }
}

/// A listing in downtown Sacramento ([`sacramento`]) at `(lat, lon)`, placed
/// at its ZIP's centre, with only its name, address and the facet values
/// given, all from `source` (its one source) checked on `checked`; each
/// facet value in the words `evidence` when given.
pub fn listing(
    id: &str,
    name: &str,
    (lat, lon): (f64, f64),
    facets: &[(&str, &[&str])],
    source: Source,
    checked: time::Date,
    evidence: Option<&str>,
) -> Listing {
    let mut provenance = vec![
        prov("name", 0, checked, None),
        prov("address", 0, checked, None),
    ];
    for (group, values) in facets {
        for v in *values {
            provenance.push(prov(&format!("{group}/{v}"), 0, checked, evidence));
        }
    }
    Listing {
        point: Some(Point {
            lat,
            lon,
            precision: Precision::ZipCentroid,
        }),
        facets: facet_map(facets),
        sources: vec![source],
        provenance,
        ..Listing::new(id, name, sacramento())
    }
}

/// What the index says of one of its sources: `listings` programs from
/// `title` (kind `kind`, its own `edition` and public `url` when known),
/// checked from the first to the second date of `checked` (`YYYY-MM-DD`).
pub fn source_summary(
    kind: &str,
    title: &str,
    edition: Option<&str>,
    url: Option<&str>,
    listings: usize,
    checked: Option<(&str, &str)>,
) -> SourceSummary {
    SourceSummary {
        kind: kind.into(),
        title: title.into(),
        edition: edition.map(str::to_string),
        url: url.map(str::to_string),
        listings,
        oldest_check: checked.map(|(oldest, _)| oldest.to_string()),
        newest_check: checked.map(|(_, newest)| newest.to_string()),
    }
}

/// The insurance values a listing with every fact reported accepts: the
/// home page's first plans, the less common ones, and a named insurer.
pub const EVERY_PLAN: &[&str] = &[
    "medicaid",
    "medicare",
    "private",
    "tricare",
    "self-pay",
    "sliding-scale",
    "aetna",
];

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

/// Fill in the facts a "full" listing states besides its names, intake
/// phone and web site, all from source `source` checked on `checked`:
/// street 100 Capitol Mall, an exact point downtown, phone (916) 555-0100,
/// 3 days and 9 hours a week for 8 weeks (Monday 16:00-19:00 and `second`),
/// partial hospitalization and not plain outpatient, accepting new clients;
/// and the provenance of those facts and of the intake phone, web site and
/// description.
pub fn state_every_fact(l: &mut Listing, second: Session, source: usize, checked: time::Date) {
    l.address.street = Some("100 Capitol Mall".into());
    l.point = Some(Point {
        lat: 38.5816,
        lon: -121.4944,
        precision: Precision::Exact,
    });
    l.phone = Some("(916) 555-0100".into());
    l.schedule = Schedule {
        days_per_week: Some(3),
        hours_per_week: Some(9.0),
        sessions: vec![session(Weekday::Mon, "16:00", "19:00"), second],
        program_weeks: Some(8),
    };
    l.level_of_care = LevelOfCare {
        php: Some(true),
        outpatient: Some(false),
    };
    l.accepting_new_clients = Some(true);
    for fact in [
        "point",
        "phone",
        "intake_phone",
        "website",
        "description",
        "schedule",
        "level_of_care",
        "accepting_new_clients",
    ] {
        l.provenance.push(prov(fact, source, checked, None));
    }
}
