//! The directory in Open Referral's Human Services Data Specification
//! (HSDS) 3.0: each listing as an HSDS `service` (with its `organization`,
//! its `service_at_location`, `location` and `address`, `phones`,
//! `schedules`, `languages`, `cost_options` and `attributes`), the
//! vocabulary as an HSDS taxonomy and SAMHSA's service codes as a second one.
//!
//! Shapes follow `schema/compiled/*.json` of `openreferral/specification`
//! branch `3.0` (a copy is in `../shared/data/hsds-3.0-schema`; a test
//! validates every exported record against it).
//!
//! - Ids are UUIDs (RFC 9562 version 8, "custom") derived from the entity
//!   kind and the listing id, so a program keeps its HSDS ids across crawls as
//!   it keeps its listing id; the last 12 hex digits of the id of a service,
//!   organization, location or service-at-location are the listing id
//!   ([`listing_id_of`]), and the crawler's HSDS reader checks an id is ours
//!   by making it again, so a read-back keeps the listing id.
//! - `assured_date` is the newest check date of the listing's facts
//!   (`YYYY-MM-DD`); `last_modified` is that date at 00:00 UTC (the listing
//!   store records when facts were checked, not when they changed).
//! - `metadata` carries, for each source, its title, address, record and
//!   licence ([`licence`]) on every record; each fact's check date and
//!   evidence are metadata of the service only (`resource_id` the service),
//!   never repeated on its organization and service at location.
//! - A location's precision is a location attribute (`link_type`
//!   `coordinates_precision`: `exact`, `zip-centroid`, `city`); its
//!   `latitude`/`longitude` are given only when exact (a ZIP or city centre
//!   is not the program's place, and any reader can find it from the address).
//! - Facts not reported are absent, never filled in.

pub mod package;
#[cfg(test)]
mod tests;

use iop_index::listing::{Listing, Session, Weekday};
use iop_index::vocabulary::{FacetGroup, FacetValue};
use iop_index::Vocabulary;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The HSDS version served and exported.
pub const VERSION: &str = "3.0";
/// The HSDS 3.0 specification this API follows (the `profile` of `/hsds/`).
pub const PROFILE: &str = "https://docs.openreferral.org/en/v3.0/";
/// The name of the taxonomy made from the vocabulary.
pub const VOCABULARY_TAXONOMY: &str = iop_crawler::sources::hsds::OWN_TAXONOMY;
/// The name of the taxonomy of SAMHSA National Directory service codes.
pub const SAMHSA_TAXONOMY: &str = "SAMHSA National Directory service codes";
/// SAMHSA's code for intensive outpatient treatment: every listing is one.
const IOP_CODE: &str = iop_crawler::sources::samhsa::IOP_CODE;
const IOP_CODE_NAME: &str = "Outpatient: intensive outpatient treatment";

use iop_crawler::sources::hsds::ids::uuid;
pub use iop_crawler::sources::hsds::ids::{entity_id, listing_id_of};

/// The HSDS id of the listing's service.
pub fn service_id(l: &Listing) -> String {
    entity_id("service", &l.id, "")
}
/// The HSDS id of the listing's organization.
pub fn organization_id(l: &Listing) -> String {
    entity_id("organization", &l.id, "")
}
/// The HSDS id of the listing's location.
pub fn location_id(l: &Listing) -> String {
    entity_id("location", &l.id, "")
}
/// The HSDS id of the listing's service at location; an IOP Finder
/// reader gives the listing id back from it
/// ([`iop_crawler::sources::hsds::ids::listing_id_from`]).
pub fn service_at_location_id(l: &Listing) -> String {
    entity_id("service_at_location", &l.id, "")
}

/// The licence under which a source's facts are given, by source kind.
pub fn licence(kind: &str) -> &'static str {
    use iop_crawler::sources::SourceKind;
    match kind.parse::<SourceKind>() {
        Ok(SourceKind::SamhsaDirectory | SourceKind::FindTreatment) => {
            "Public domain in the U.S. (a work of the U.S. federal government, 17 U.S.C. § 105). Source: SAMHSA."
        }
        Ok(SourceKind::Sample) => "Fictional sample data written for IOP Finder: not a real program.",
        Ok(SourceKind::Website) => {
            "Facts read from the provider's own public website; confirm them with the provider."
        }
        Ok(SourceKind::Hsds) => "As licensed by the publisher of the HSDS directory it was read from.",
        Err(_) => "Not stated by the source.",
    }
}

// ---- taxonomies -------------------------------------------------------

fn taxonomy_id(name: &str) -> String {
    uuid(&["iopfinder-hsds", "taxonomy", name], None)
}

/// The id of the vocabulary term for a facet group or (with `slug`) a value.
pub fn vocabulary_term_id(group: &str, slug: Option<&str>) -> String {
    let key = match slug {
        Some(s) => format!("{group}/{s}"),
        None => group.to_string(),
    };
    uuid(
        &["iopfinder-hsds", "taxonomy_term", "vocabulary", &key],
        None,
    )
}

/// The id of the SAMHSA code term `code`.
pub fn samhsa_term_id(code: &str) -> String {
    uuid(&["iopfinder-hsds", "taxonomy_term", "samhsa", code], None)
}

/// The two taxonomies (HSDS `taxonomy` objects).
pub fn taxonomies() -> Vec<Value> {
    vec![
        json!({
            "id": taxonomy_id(VOCABULARY_TAXONOMY),
            "name": VOCABULARY_TAXONOMY,
            "description": "The facets IOP Finder sorts programs by (treatment focus, approaches, insurance, accreditation, ages, populations, languages, schedule, format): each group a term, each value a child term. Codes are `group/value` as in the site's URLs.",
        }),
        json!({
            "id": taxonomy_id(SAMHSA_TAXONOMY),
            "name": SAMHSA_TAXONOMY,
            "description": "Service codes of SAMHSA's National Directory of Substance Use and Mental Health Treatment Facilities (for example MD for Medicaid), with the vocabulary value each one means.",
        }),
    ]
}

fn group_term(group: &FacetGroup) -> Value {
    json!({
        "id": vocabulary_term_id(&group.slug, None),
        "code": group.slug,
        "name": group.label,
        "description": group.help,
        "taxonomy": VOCABULARY_TAXONOMY,
        "taxonomy_id": taxonomy_id(VOCABULARY_TAXONOMY),
        "language": "en",
    })
}

fn value_term(group: &FacetGroup, value: &FacetValue) -> Value {
    json!({
        "id": vocabulary_term_id(&group.slug, Some(&value.slug)),
        "code": format!("{}/{}", group.slug, value.slug),
        "name": value.label,
        "description": format!("{}: {}", group.label, value.label),
        "parent_id": vocabulary_term_id(&group.slug, None),
        "taxonomy": VOCABULARY_TAXONOMY,
        "taxonomy_id": taxonomy_id(VOCABULARY_TAXONOMY),
        "language": "en",
    })
}

/// The SAMHSA codes the vocabulary knows, each with the values it means.
fn samhsa_codes() -> &'static BTreeMap<String, Vec<String>> {
    static CODES: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for value in Vocabulary::get().values() {
            for code in &value.codes {
                codes
                    .entry(code.clone())
                    .or_default()
                    .push(value.label.clone());
            }
        }
        codes
            .entry(IOP_CODE.to_string())
            .or_insert_with(|| vec![IOP_CODE_NAME.to_string()]);
        codes
    })
}

fn samhsa_term(code: &str) -> Option<Value> {
    let labels = samhsa_codes().get(code)?;
    let name = labels.join(" / ");
    Some(json!({
        "id": samhsa_term_id(code),
        "code": code,
        "name": name,
        "description": format!("SAMHSA National Directory service code {code}: {name}"),
        "taxonomy": SAMHSA_TAXONOMY,
        "taxonomy_id": taxonomy_id(SAMHSA_TAXONOMY),
        "language": "en",
    }))
}

/// Every taxonomy term: the vocabulary's groups and values, then SAMHSA's
/// codes.
pub fn taxonomy_terms() -> &'static [Value] {
    static TERMS: OnceLock<Vec<Value>> = OnceLock::new();
    TERMS.get_or_init(|| {
        let v = Vocabulary::get();
        let mut terms = Vec::new();
        for group in v.groups() {
            terms.push(group_term(group));
            for &value in &group.values {
                terms.push(value_term(group, v.value(value)));
            }
        }
        terms.extend(samhsa_codes().keys().filter_map(|c| samhsa_term(c)));
        terms
    })
}

/// What a taxonomy term id selects: a vocabulary group or value, or a
/// SAMHSA code.
#[derive(Debug, Clone, PartialEq)]
pub enum TermFilter {
    /// A facet group (its slug): listings with any value of it.
    Group(String),
    /// A facet value (group slug, value slug).
    Value(String, String),
    /// A SAMHSA National Directory service code (`MD`...).
    Code(String),
}

/// The filter a `taxonomy_term_id` means; `None` for an unknown id.
pub fn term_filter(id: &str) -> Option<TermFilter> {
    let id = id.trim();
    let v = Vocabulary::get();
    for group in v.groups() {
        if vocabulary_term_id(&group.slug, None) == id {
            return Some(TermFilter::Group(group.slug.clone()));
        }
        for &value in &group.values {
            let value = v.value(value);
            if vocabulary_term_id(&group.slug, Some(&value.slug)) == id {
                return Some(TermFilter::Value(group.slug.clone(), value.slug.clone()));
            }
        }
    }
    samhsa_codes()
        .keys()
        .find(|c| samhsa_term_id(c) == id)
        .map(|c| TermFilter::Code(c.clone()))
}

impl TermFilter {
    /// Does the listing carry this term?
    pub fn matches(&self, l: &Listing) -> bool {
        match self {
            TermFilter::Group(g) => !l.values(g).is_empty(),
            TermFilter::Value(g, s) => l.has_value(g, s),
            TermFilter::Code(c) => samhsa_codes_of(l).iter().any(|(code, _)| code == c),
        }
    }
}

/// The SAMHSA codes a listing's facts came from (the evidence of a value
/// read from the national directory is "CODE: label"), each with its
/// evidence; SAMHSA's intensive outpatient code first (every listing is one).
fn samhsa_codes_of(l: &Listing) -> Vec<(String, Option<String>)> {
    let v = Vocabulary::get();
    let mut out = vec![(IOP_CODE.to_string(), None)];
    for p in &l.provenance {
        let (Some((group, slug)), Some(evidence)) = (p.fact.split_once('/'), &p.evidence) else {
            continue;
        };
        let Some(value) = v.lookup(group, slug) else {
            continue;
        };
        let Some((code, _)) = evidence.split_once(':') else {
            continue;
        };
        if value.codes.iter().any(|c| c == code) && !out.iter().any(|(c, _)| c == code) {
            out.push((code.to_string(), Some(evidence.clone())));
        }
    }
    out
}

// ---- one listing ------------------------------------------------------

/// "(617) 555-0142 ext. 12" -> ("(617) 555-0142", Some(12)).
fn split_extension(phone: &str) -> (String, Option<u64>) {
    match phone.split_once(" ext. ") {
        Some((number, ext)) => match ext.trim().parse() {
            Ok(ext) => (number.trim().to_string(), Some(ext)),
            Err(_) => (phone.to_string(), None),
        },
        None => (phone.to_string(), None),
    }
}

fn phone(l: &Listing, key: &str, number: &str, description: &str) -> Value {
    let (number, extension) = split_extension(number);
    let mut p = json!({
        "id": entity_id("phone", &l.id, key),
        "service_id": service_id(l),
        "number": number,
        "type": "voice",
        "description": description,
    });
    if let Some(ext) = extension {
        p["extension"] = json!(ext);
    }
    p
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// Weekly sessions as HSDS schedules: one per opening time, its weekdays
/// in `byday` (`freq` WEEKLY, `wkst` MO, `opens_at`/`closes_at` HH:MM).
fn session_schedules(l: &Listing) -> Vec<Value> {
    let mut by_time: BTreeMap<(u16, u16), Vec<&Session>> = BTreeMap::new();
    for s in &l.schedule.sessions {
        by_time
            .entry((s.start.minutes, s.end.minutes))
            .or_default()
            .push(s);
    }
    by_time
        .values()
        .map(|sessions| {
            let first = sessions[0];
            let key = format!("session/{}-{}", first.start, first.end);
            let byday = sessions
                .iter()
                .map(|s| weekday_code(s.weekday))
                .collect::<Vec<_>>()
                .join(",");
            let days = sessions
                .iter()
                .map(|s| s.weekday.name())
                .collect::<Vec<_>>()
                .join(", ");
            json!({
                "id": entity_id("schedule", &l.id, &key),
                "service_at_location_id": service_at_location_id(l),
                "freq": "WEEKLY",
                "wkst": "MO",
                "interval": 1,
                "byday": byday,
                "opens_at": first.start.to_string(),
                "closes_at": first.end.to_string(),
                "description": format!("{days}, {} to {}", first.start.to_12h(), first.end.to_12h()),
            })
        })
        .collect()
}

/// Days and hours a week and length, as a service schedule's description,
/// when any is reported.
fn program_schedule(l: &Listing) -> Option<Value> {
    let s = &l.schedule;
    let mut parts = Vec::new();
    if let Some(d) = s.days_per_week {
        parts.push(format!("{d} days a week"));
    }
    if let Some(h) = s.hours_per_week {
        parts.push(format!("{h} hours a week"));
    }
    if let Some(w) = s.program_weeks {
        parts.push(format!("about {w} weeks"));
    }
    (!parts.is_empty()).then(|| {
        json!({
            "id": entity_id("schedule", &l.id, "program"),
            "service_id": service_id(l),
            "description": parts.join("; "),
        })
    })
}

fn labels(l: &Listing, group: &str) -> Vec<String> {
    let v = Vocabulary::get();
    l.values(group)
        .iter()
        .filter_map(|slug| v.lookup(group, slug).map(|value| value.label.clone()))
        .collect()
}

/// One attribute linking `link_id` to a taxonomy term.
fn term_attribute(l: &Listing, key: &str, link_id: &str, term: Value, link_type: &str) -> Value {
    json!({
        "id": entity_id("attribute", &l.id, key),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    })
}

fn service_attributes(l: &Listing) -> Vec<Value> {
    let v = Vocabulary::get();
    let sid = service_id(l);
    let mut out = Vec::new();
    for group in v.groups() {
        for slug in l.values(&group.slug) {
            if let Some(value) = v.lookup(&group.slug, slug) {
                out.push(term_attribute(
                    l,
                    &format!("vocabulary/{}/{slug}", group.slug),
                    &sid,
                    value_term(group, value),
                    &group.slug,
                ));
            }
        }
    }
    for (code, evidence) in samhsa_codes_of(l) {
        if let Some(term) = samhsa_term(&code) {
            let mut a = term_attribute(l, &format!("samhsa/{code}"), &sid, term, "samhsa_code");
            if let Some(e) = evidence {
                a["value"] = json!(e);
            }
            out.push(a);
        }
    }
    let plain = |key: &str, value: String| {
        json!({
            "id": entity_id("attribute", &l.id, key),
            "link_id": sid,
            "link_type": key,
            "link_entity": "service",
            "value": value,
        })
    };
    if let Some(a) = l.accepting_new_clients {
        out.push(plain("accepting_new_clients", a.to_string()));
    }
    if let Some(php) = l.level_of_care.php {
        out.push(plain(
            "also_offers_partial_hospitalization",
            php.to_string(),
        ));
    }
    if let Some(op) = l.level_of_care.outpatient {
        out.push(plain("also_offers_outpatient", op.to_string()));
    }
    out
}

/// The provenance of the listing as HSDS metadata of `resource_id`: each
/// source (title, address, record) and its licence, and (with `facts`)
/// each fact's check date and evidence.
///
/// Facts are said once, as metadata of the service (HSDS 3.0 metadata
/// points at one resource by `resource_id`); the organization and the
/// service at location carry their sources and licences only, so the
/// export does not repeat each fact three times.
fn metadata(l: &Listing, resource_id: &str, resource_type: &str, facts: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let entry = |key: String, date: String, action: &str, field: &str, value: String, by: &str| {
        json!({
            "id": entity_id("metadata", &l.id, &format!("{resource_type}/{key}")),
            "resource_id": resource_id,
            "resource_type": resource_type,
            "last_action_date": date,
            "last_action_type": action,
            "field_name": field,
            "previous_value": "",
            "replacement_value": value,
            "updated_by": by,
        })
    };
    for (i, source) in l.sources.iter().enumerate() {
        let date = l
            .provenance
            .iter()
            .filter(|p| p.source == i)
            .map(|p| p.checked)
            .max()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let mut described = source.title.clone();
        if let Some(url) = &source.url {
            described.push_str(&format!("; {url}"));
        }
        if let Some(record) = &source.record {
            described.push_str(&format!("; record {record}"));
        }
        let by = format!("IOP Finder crawler ({})", source.kind);
        out.push(entry(
            format!("source/{i}"),
            date.clone(),
            "checked",
            "source",
            described,
            &by,
        ));
        out.push(entry(
            format!("licence/{i}"),
            date,
            "checked",
            "licence",
            licence(&source.kind).to_string(),
            &by,
        ));
    }
    for (i, p) in l.provenance.iter().enumerate().filter(|_| facts) {
        let by = l
            .sources
            .get(p.source)
            .map_or_else(String::new, |s| s.title.clone());
        out.push(entry(
            format!("fact/{i}"),
            p.checked.to_string(),
            "checked",
            &p.fact,
            p.evidence.clone().unwrap_or_default(),
            &by,
        ));
    }
    out
}

fn address(l: &Listing) -> Value {
    let a = &l.address;
    let mut out = json!({
        "id": entity_id("address", &l.id, ""),
        "location_id": location_id(l),
        "address_1": a.street.clone().unwrap_or_default(),
        "city": a.city,
        "state_province": a.state,
        "postal_code": a.zip,
        "country": "US",
        "address_type": "physical",
    });
    if let Some(s2) = &a.street2 {
        out["address_2"] = json!(s2);
    }
    out
}

/// The program's place: its address and, when known, its coordinates with
/// their precision.
pub fn location(l: &Listing) -> Value {
    let lid = location_id(l);
    let mut out = json!({
        "id": lid,
        "location_type": "physical",
        "organization_id": organization_id(l),
        "name": l.display_name(),
        "addresses": [address(l)],
    });
    if let Some(p) = l.point {
        // an approximate point (a ZIP or city centre) is not the program's
        // place: only its precision is said
        if p.precision == iop_index::Precision::Exact {
            out["latitude"] = json!(p.lat);
            out["longitude"] = json!(p.lon);
        }
        let precision = serde_json::to_value(p.precision).unwrap_or(Value::Null);
        out["attributes"] = json!([{
            "id": entity_id("attribute", &l.id, "coordinates_precision"),
            "link_id": lid,
            "link_type": "coordinates_precision",
            "link_entity": "location",
            "value": precision,
        }]);
    }
    out
}

/// The program at its place (without the nested service).
pub fn service_at_location_core(l: &Listing) -> Value {
    json!({
        "id": service_at_location_id(l),
        "service_id": service_id(l),
        "location_id": location_id(l),
        "schedules": session_schedules(l),
        "location": location(l),
    })
}

/// The organization (the facility or provider named by the listing), with
/// `services` as given.
fn organization_with(l: &Listing, services: Vec<Value>) -> Value {
    let oid = organization_id(l);
    let mut out = json!({
        "id": oid,
        "name": l.name,
        "description": "",
        "locations": [location(l)],
        "services": services,
        "metadata": metadata(l, &oid, "organization", false),
    });
    if let Some(w) = &l.website {
        out["website"] = json!(w);
    }
    out
}

/// The service's one-to-one fields (HSDS `service_list` shape).
pub fn service_core(l: &Listing) -> Value {
    let mut s = Map::new();
    s.insert("id".into(), json!(service_id(l)));
    s.insert("organization_id".into(), json!(organization_id(l)));
    s.insert(
        "name".into(),
        json!(l.program_name.clone().unwrap_or_else(|| l.name.clone())),
    );
    if let Some(d) = &l.description {
        s.insert("description".into(), json!(d));
    }
    if let Some(w) = &l.website {
        s.insert("url".into(), json!(w));
    }
    s.insert("status".into(), json!("active"));
    let accreditations = labels(l, "accreditation");
    if !accreditations.is_empty() {
        s.insert("accreditations".into(), json!(accreditations.join("; ")));
    }
    let mut eligibility = Vec::new();
    for (group, title) in [("age", "Ages"), ("population", "For")] {
        let l = labels(l, group);
        if !l.is_empty() {
            eligibility.push(format!("{title}: {}", l.join(", ")));
        }
    }
    if !eligibility.is_empty() {
        s.insert(
            "eligibility_description".into(),
            json!(eligibility.join(". ")),
        );
    }
    if let Some(d) = l.last_checked() {
        s.insert("assured_date".into(), json!(d.to_string()));
        s.insert("last_modified".into(), json!(format!("{d}T00:00:00Z")));
    }
    Value::Object(s)
}

/// The fully nested service: everything HSDS can say about the listing.
pub fn service(l: &Listing) -> Value {
    let mut s = service_core(l);
    let sid = service_id(l);
    let mut phones = Vec::new();
    if let Some(p) = &l.phone {
        phones.push(phone(l, "main", p, "Main"));
    }
    if let Some(p) = &l.intake_phone {
        phones.push(phone(l, "intake", p, "Intake"));
    }
    for (i, p) in l.more_intake_phones.iter().enumerate() {
        phones.push(phone(l, &format!("intake-{}", i + 2), p, "Intake"));
    }
    s["phones"] = json!(phones);
    s["schedules"] = json!(program_schedule(l).into_iter().collect::<Vec<_>>());
    s["languages"] = json!(l
        .values("language")
        .iter()
        .zip(labels(l, "language"))
        .map(|(slug, label)| json!({
            "id": entity_id("language", &l.id, slug),
            "service_id": sid,
            "name": label,
        }))
        .collect::<Vec<_>>());
    s["cost_options"] = json!(l
        .values("insurance")
        .iter()
        .zip(labels(l, "insurance"))
        .map(|(slug, label)| json!({
            "id": entity_id("cost_option", &l.id, slug),
            "service_id": sid,
            "option": label,
        }))
        .collect::<Vec<_>>());
    s["attributes"] = json!(service_attributes(l));
    s["metadata"] = json!(metadata(l, &sid, "service", true));
    s["organization"] = organization_with(l, Vec::new());
    s["service_at_locations"] = json!([service_at_location_core(l)]);
    s
}

/// The service at its location, nested (HSDS `service_at_location`), with
/// the service's one-to-one fields.
pub fn service_at_location(l: &Listing) -> Value {
    let mut sal = service_at_location_core(l);
    let mut service = service_core(l);
    service["attributes"] = json!(service_attributes(l));
    sal["service"] = service;
    sal["metadata"] = json!(metadata(
        l,
        &service_at_location_id(l),
        "service_at_location",
        false
    ));
    sal
}

/// The organization, with its one service (whole when `full_service`, else
/// its one-to-one fields).
pub fn organization(l: &Listing, full_service: bool) -> Value {
    let service = if full_service {
        let mut s = service(l);
        if let Some(map) = s.as_object_mut() {
            map.remove("organization");
        }
        s
    } else {
        service_core(l)
    };
    organization_with(l, vec![service])
}

/// The organization's one-to-one fields (HSDS `organization_list` shape).
pub fn organization_core(l: &Listing) -> Value {
    let mut o = json!({"id": organization_id(l), "name": l.name, "description": ""});
    if let Some(w) = &l.website {
        o["website"] = json!(w);
    }
    o
}
