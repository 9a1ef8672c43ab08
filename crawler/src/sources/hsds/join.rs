//! A package's tables joined by their `*_id` fields into nested services,
//! the form the API gives, so CSV, JSON and the API share one mapping.
//! Each table is indexed by the id it is joined on once, so the join takes
//! time in proportion to the rows, not to services times rows.

use super::records::{
    rows_as, Address, Attribute, Language, Location, Organization, Phone, Schedule, Service,
    ServiceAtLocation, TaxonomyTerm,
};
use serde_json::Value;
use std::collections::HashMap;

/// Rows of a package's tables, by table name (plural: `services`...), as
/// read (flat objects).
pub type Tables = HashMap<&'static str, Vec<Value>>;

/// What joining found besides the services.
#[derive(Debug, Default)]
pub struct Joined {
    /// The services, each with what the tables link to it nested.
    pub services: Vec<Service>,
    /// Services without an `id` (they cannot be joined): not read.
    pub without_id: usize,
    /// Rows that are not objects: not read.
    pub unreadable_rows: usize,
}

/// Rows grouped by the value of one of their link fields.
fn group<T: Clone>(rows: &[T], key: impl Fn(&T) -> Option<&String>) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        if let Some(k) = key(row) {
            out.entry(k.clone()).or_default().push(row.clone());
        }
    }
    out
}

/// `target` unless it already lists something, else what `by` has for `id`.
fn fill<T: Clone>(target: &mut Vec<T>, by: &HashMap<String, Vec<T>>, id: Option<&String>) {
    if target.is_empty() {
        if let Some(rows) = id.and_then(|id| by.get(id)) {
            target.clone_from(rows);
        }
    }
}

/// Join `tables` into nested services (a nested field a row already has is
/// kept; only an empty one is filled from the tables).
pub fn assemble(mut tables: Tables) -> Joined {
    let mut joined = Joined::default();
    let mut take = |name: &str| tables.remove(name).unwrap_or_default();
    let (services, s0): (Vec<Service>, _) = rows_as(take("services"));
    let (organizations, s1): (Vec<Organization>, _) = rows_as(take("organizations"));
    let (sals, s2): (Vec<ServiceAtLocation>, _) = rows_as(take("service_at_locations"));
    let (locations, s3): (Vec<Location>, _) = rows_as(take("locations"));
    let (addresses, s4): (Vec<Address>, _) = rows_as(take("addresses"));
    let (phones, s5): (Vec<Phone>, _) = rows_as(take("phones"));
    let (schedules, s6): (Vec<Schedule>, _) = rows_as(take("schedules"));
    let (attributes, s7): (Vec<Attribute>, _) = rows_as(take("attributes"));
    let (terms, s8): (Vec<TaxonomyTerm>, _) = rows_as(take("taxonomy_terms"));
    let (languages, s9): (Vec<Language>, _) = rows_as(take("languages"));
    joined.unreadable_rows = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9;

    let terms: HashMap<String, TaxonomyTerm> = terms
        .into_iter()
        .filter_map(|t| Some((t.id.clone()?, t)))
        .collect();
    let attributes: Vec<Attribute> = attributes
        .into_iter()
        .map(|mut a| {
            if a.taxonomy_term.is_none() {
                a.taxonomy_term = a
                    .taxonomy_term_id
                    .as_ref()
                    .and_then(|t| terms.get(t))
                    .cloned();
            }
            a
        })
        .collect();
    let attributes_of = group(&attributes, |a| a.link_id.as_ref());
    let phones_of_service = group(&phones, |p| p.service_id.as_ref());
    let phones_of_organization = group(&phones, |p| p.organization_id.as_ref());
    let phones_of_location = group(&phones, |p| p.location_id.as_ref());
    let phones_of_sal = group(&phones, |p| p.service_at_location_id.as_ref());
    let schedules_of_service = group(&schedules, |s| s.service_id.as_ref());
    let schedules_of_sal = group(&schedules, |s| s.service_at_location_id.as_ref());
    let languages_of = group(&languages, |l| l.service_id.as_ref());
    let addresses_of = group(&addresses, |a| a.location_id.as_ref());
    let sals_of = group(&sals, |s| s.service_id.as_ref());
    let organizations: HashMap<String, Organization> = organizations
        .into_iter()
        .filter_map(|o| Some((o.id.clone()?, o)))
        .collect();
    let locations: HashMap<String, Location> = locations
        .into_iter()
        .filter_map(|l| Some((l.id.clone()?, l)))
        .collect();

    joined.services.reserve(services.len());
    for mut service in services {
        let Some(id) = service.id.clone() else {
            joined.without_id += 1;
            continue;
        };
        if service.organization.is_none() {
            service.organization = service
                .organization_id
                .as_ref()
                .and_then(|o| organizations.get(o))
                .cloned()
                .map(|mut org| {
                    let oid = org.id.clone();
                    fill(&mut org.phones, &phones_of_organization, oid.as_ref());
                    org
                });
        }
        let mut nested = service.service_at_locations.take().unwrap_or_default();
        if nested.is_empty() {
            nested = sals_of.get(&id).cloned().unwrap_or_default();
        }
        for sal in &mut nested {
            let sid = sal.id.clone();
            fill(&mut sal.phones, &phones_of_sal, sid.as_ref());
            fill(&mut sal.schedules, &schedules_of_sal, sid.as_ref());
            if sal.location.is_none() {
                sal.location = sal
                    .location_id
                    .as_ref()
                    .and_then(|l| locations.get(l))
                    .cloned()
                    .map(|mut location| {
                        let lid = location.id.clone();
                        fill(&mut location.addresses, &addresses_of, lid.as_ref());
                        fill(&mut location.phones, &phones_of_location, lid.as_ref());
                        location
                    });
            }
        }
        service.service_at_locations = Some(nested);
        fill(&mut service.phones, &phones_of_service, Some(&id));
        fill(&mut service.schedules, &schedules_of_service, Some(&id));
        fill(&mut service.languages, &languages_of, Some(&id));
        fill(&mut service.attributes, &attributes_of, Some(&id));
        joined.services.push(service);
    }
    joined
}
