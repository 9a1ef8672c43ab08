//! One HSDS service (nested, typed) to IOP Finder's source records: the IOP
//! rule, facets from taxonomy terms, languages and prose, phones, weekly
//! schedules, and the listing id an IOP Finder export carries (see the
//! [`super`] documentation).

use super::ids::listing_id_from;
use super::records::{Attribute, Phone, Schedule, Service, TaxonomyTerm};
use super::{KIND, OWN_TAXONOMY};
use crate::normalize::{session, SourceRecord};
use crate::sources::SourceCrawl;
use iop_index::listing::{Source, Weekday};
use iop_index::Vocabulary;

/// A service is read unless its status says it is not active.
pub fn is_active(service: &Service) -> bool {
    service
        .status
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case("active"))
}

/// The attributes of `service` that carry a taxonomy term, with the term.
fn terms(service: &Service) -> impl Iterator<Item = (&Attribute, &TaxonomyTerm)> {
    service
        .attributes
        .iter()
        .filter_map(|a| Some((a, a.taxonomy_term.as_ref()?)))
}

/// The IOP rule: a taxonomy term of the service (code `OIT`, or a name or
/// value saying "intensive outpatient" or "IOP"), or its name, alternate
/// name or description saying so outside a negation.
pub fn is_iop(service: &Service) -> bool {
    let by_term = terms(service).any(|(attribute, term)| {
        term.code
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(crate::sources::samhsa::IOP_CODE))
            || [term.name.as_deref(), attribute.value.as_deref()]
                .into_iter()
                .flatten()
                .any(crate::sources::mentions_iop)
    });
    by_term
        || [&service.name, &service.alternate_name, &service.description]
            .into_iter()
            .filter_map(|t| t.as_deref())
            .flat_map(crate::extract::html::split_sentences)
            .any(|s| crate::sources::mentions_iop(&s))
}

/// Is this phone the intake line (its description or type says so)?
fn is_intake(phone: &Phone) -> bool {
    [phone.description.as_deref(), phone.kind.as_deref()]
        .into_iter()
        .flatten()
        .any(|t| t.to_ascii_lowercase().contains("intake"))
}

/// The first number of `phones` that is (`intake`) or is not an intake line.
fn phone_where(phones: &[Phone], intake: bool) -> Option<String> {
    phones
        .iter()
        .filter(|p| is_intake(p) == intake)
        .find_map(|p| {
            let number = p.number.as_deref()?;
            Some(match p.extension.as_deref() {
                Some(ext) => format!("{number} x{ext}"),
                None => number.to_string(),
            })
        })
}

/// "MO,WE" with opens_at/closes_at -> sessions (weekly schedules only).
pub fn sessions_of(schedules: &[Schedule]) -> Vec<iop_index::listing::Session> {
    let mut out = Vec::new();
    for schedule in schedules {
        if schedule
            .freq
            .as_deref()
            .is_some_and(|f| !f.eq_ignore_ascii_case("weekly"))
        {
            continue;
        }
        let time = |t: &Option<String>| {
            t.as_deref()
                .filter(|t| t.len() >= 5 && t.is_char_boundary(5))
                .map(|t| t[..5].to_string())
        };
        let (Some(opens), Some(closes), Some(days)) = (
            time(&schedule.opens_at),
            time(&schedule.closes_at),
            schedule.byday.as_deref(),
        ) else {
            continue;
        };
        for day in days.split(',').map(str::trim) {
            let weekday = Weekday::ALL
                .into_iter()
                .find(|d| d.name()[..2].eq_ignore_ascii_case(day));
            if let Some(s) = weekday.and_then(|d| session(d, &opens, &closes)) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A source record and the listing id it keeps: the one an IOP Finder
/// export made its HSDS ids from (`None`: derive one from the record's
/// identity, as for any source).
pub type KeptRecord = (SourceRecord, Option<String>);

/// One record per service-at-location with an address. `title` names the
/// source; `url_of` gives a service's address (by id) for its source;
/// problems are counted in `out`.
pub fn records(
    service: &Service,
    title: &str,
    url_of: &dyn Fn(&str) -> Option<String>,
    checked: time::Date,
    out: &mut SourceCrawl,
) -> Vec<KeptRecord> {
    let vocabulary = Vocabulary::get();
    let id = service.id.clone().unwrap_or_default();
    let org = service.organization.as_ref();
    let service_name = service.name.clone().unwrap_or_default();
    let name = org
        .and_then(|o| o.name.clone())
        .unwrap_or_else(|| service_name.clone());

    // facets: taxonomy terms, languages, description prose. An IOP Finder
    // export names its facts exactly, as terms of its own taxonomy (codes
    // `group/slug`): those are read as they are, and prose adds nothing.
    let own = |term: &TaxonomyTerm| term.taxonomy.as_deref() == Some(OWN_TAXONOMY);
    let exact = terms(service).any(|(_, term)| own(term));
    let mut values = Vec::new();
    for (_, term) in terms(service) {
        if exact {
            let value = term
                .code
                .as_deref()
                .and_then(|c| c.split_once('/'))
                .filter(|_| own(term))
                .and_then(|(group, slug)| vocabulary.lookup(group, slug));
            if let Some(value) = value {
                values.push((value.id, term.name.clone()));
            }
            continue;
        }
        let term_name = term.name.as_deref();
        if let Some(code) = term.code.as_deref() {
            for value in vocabulary.values_for_code(code) {
                let evidence = match term_name {
                    Some(n) => format!("{code}: {n}"),
                    None => code.to_string(),
                };
                values.push((value.id, Some(evidence)));
            }
        }
        if let Some(term_name) = term_name {
            for &value in vocabulary.values_for_phrase(term_name) {
                values.push((value, Some(term_name.to_string())));
            }
        }
    }
    for lang in service.languages.iter().filter_map(|l| l.name.as_deref()) {
        for &value in vocabulary.values_for_phrase(lang) {
            if vocabulary.group(vocabulary.value(value).group).slug == "language" {
                values.push((value, Some(format!("Language: {lang}"))));
            }
        }
    }
    let description = service.description.clone();
    let prose = description
        .as_deref()
        .map(|d| crate::extract::extract(&format!("<p>{}</p>", escape(d)), None));
    if let Some(prose) = prose.as_ref().filter(|_| !exact) {
        values.extend(
            prose
                .values
                .iter()
                .chain(&prose.schedule.tracks)
                .map(|f| (f.value, Some(f.evidence.clone()))),
        );
    }

    let sals = service.service_at_locations.as_deref().unwrap_or(&[]);
    if sals.is_empty() {
        out.error("no-location");
        out.notes
            .push(format!("service {id} ({service_name}): no location"));
    }
    let no_phones = Vec::new();
    let mut records = Vec::new();
    for sal in sals {
        let location = sal.location.as_ref();
        let addresses = location.map_or(&[][..], |l| &l.addresses[..]);
        let address = addresses
            .iter()
            .find(|a| a.address_type.as_deref() == Some("physical"))
            .or_else(|| {
                addresses
                    .iter()
                    .find(|a| a.address_type.as_deref() != Some("virtual"))
            });
        let Some(address) = address else {
            out.error("no-address");
            out.notes.push(format!(
                "service {id} at {}: no physical address",
                location.and_then(|l| l.id.as_deref()).unwrap_or("?")
            ));
            continue;
        };
        let location_id = location
            .and_then(|l| l.id.as_deref())
            .or(sal.location_id.as_deref())
            .unwrap_or("");
        let source = Source {
            kind: KIND.into(),
            title: title.to_string(),
            url: url_of(&id).filter(|u| iop_index::listing::is_public_url(u)),
            record: Some(format!("service {id} at location {location_id}")),
            edition: None,
        };
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let mut record = SourceRecord::new(
            source,
            format!("{id}@{location_id}"),
            checked,
            name.clone(),
            text(&address.city),
            text(&address.state_province),
            text(&address.postal_code),
        );
        record.program_name = Some(service_name.clone()).filter(|s| !s.is_empty() && *s != name);
        record.description.clone_from(&description);
        record.street.clone_from(&address.address_1);
        record.street2.clone_from(&address.address_2);
        record.lat_lon = location.and_then(|l| l.latitude.zip(l.longitude));
        let location_phones = location.map_or(&no_phones, |l| &l.phones);
        let org_phones = org.map_or(&no_phones, |o| &o.phones);
        let phone_of = |intake: bool| {
            phone_where(&sal.phones, intake)
                .or_else(|| phone_where(&service.phones, intake))
                .or_else(|| phone_where(location_phones, intake))
                .or_else(|| phone_where(org_phones, intake))
        };
        record.phone = phone_of(false);
        record.intake_phone = phone_of(true);
        record.website = service
            .url
            .clone()
            .or_else(|| location.and_then(|l| l.url.clone()))
            .or_else(|| org.and_then(|o| o.website.clone()));
        record.values = values.clone();
        let mut sessions = sessions_of(&sal.schedules);
        if sessions.is_empty() {
            sessions = sessions_of(&service.schedules);
        }
        record.sessions = sessions;
        if let Some(prose) = &prose {
            if record.sessions.is_empty() {
                record.sessions = prose.schedule.sessions.clone();
            }
            record.days_per_week = prose.schedule.days_per_week;
            record.hours_per_week = prose.schedule.hours_per_week;
            record.program_weeks = prose.schedule.program_weeks;
            record.php = prose.php;
            record.outpatient = prose.outpatient;
        }
        // an IOP Finder export: the listing id its ids were made from
        let kept = sal
            .id
            .as_deref()
            .and_then(|sid| listing_id_from("service_at_location", sid))
            .or_else(|| {
                (sals.len() == 1)
                    .then(|| listing_id_from("service", &id))
                    .flatten()
            });
        records.push((record, kept));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(value: serde_json::Value) -> Service {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_iop_rule() {
        let term = |name: &str| service(json!({"attributes": [{"taxonomy_term": {"name": name}}]}));
        assert!(is_iop(&term("Intensive Outpatient Treatment")));
        assert!(is_iop(&service(
            json!({"attributes": [{"taxonomy_term": {"code": "oit", "name": "x"}}]})
        )));
        assert!(!is_iop(&term("Outpatient Mental Health")));
        assert!(is_iop(&service(json!({"name": "Teen IOP"}))));
        assert!(!is_iop(&service(
            json!({"name": "Counseling", "description": "We do not offer an intensive outpatient program."})
        )));
    }

    #[test]
    fn weekly_schedules_become_sessions() {
        let schedules: Vec<Schedule> = serde_json::from_value(json!([
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:00:00", "closes_at": "21:00"},
            {"freq": "MONTHLY", "byday": "1SA", "opens_at": "09:00", "closes_at": "12:00"},
        ]))
        .unwrap();
        let s = sessions_of(&schedules);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].weekday, Weekday::Mon);
        assert_eq!(s[1].hours(), 3.0);
    }

    #[test]
    fn fields_are_read_as_publishers_write_them() {
        let s = service(json!({
            "id": 17,
            "name": "  Evening IOP  ",
            "status": "",
            "phones": [{"number": "555-0100", "extension": 12, "type": "voice"}, "not a phone"],
            "service_at_locations": [{"location": {"latitude": "42.36", "longitude": -71.06}}],
        }));
        assert_eq!(s.id.as_deref(), Some("17"));
        assert_eq!(s.name.as_deref(), Some("Evening IOP"));
        assert!(s.status.is_none() && is_active(&s));
        assert_eq!(s.phones.len(), 1);
        assert_eq!(
            phone_where(&s.phones, false).as_deref(),
            Some("555-0100 x12")
        );
        let location = s.service_at_locations.unwrap()[0].location.clone().unwrap();
        assert_eq!(
            (location.latitude, location.longitude),
            (Some(42.36), Some(-71.06))
        );
        // absent nested locations are told apart from an empty list
        assert!(service(json!({"id": "a"})).service_at_locations.is_none());
    }
}
