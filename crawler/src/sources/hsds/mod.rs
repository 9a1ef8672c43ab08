//! `hsds`: an Open Referral HSDS 3.0 directory, as an API or a data package.
//!
//! - API: `hsds=https://api.example.org/hsds` (a trailing `/services` is
//!   dropped). Reads `{base}/services?page=N&full=true` (the `Page` envelope:
//!   `total_pages`, `page_number`, `contents`) until the last page; a service
//!   listed without nested `service_at_locations` is read whole from
//!   `{base}/services/{id}`. A failed list page fails the source; a failed
//!   service detail is an error counted.
//! - Data package: a local directory (or its `datapackage.json`), or a URL
//!   ending in `datapackage.json`. The tables are the resources its
//!   `datapackage.json` lists (`{"name": "service", "path": "services.csv",
//!   "format": "csv", ...}`; a resource is matched to a table by its name or
//!   file name, singular or plural; `path` may be a list of parts, or `data`
//!   inline rows), each a CSV file (Open Referral's tabular form: a header
//!   row, every cell a string, an empty cell an absent field; UTF-8, a BOM
//!   dropped, else detected) or JSON (an array of flat objects, or a
//!   `contents` envelope). Paths are relative to the package (no `..`).
//!   Without a `datapackage.json` (or one without `resources`), the tables
//!   are `services.json`, `organizations.json`, `service_at_locations.json`,
//!   `locations.json`, `addresses.json`, `phones.json`, `schedules.json`,
//!   `attributes.json`, `taxonomy_terms.json`, `languages.json` beside it
//!   (in a local directory, `{table}.csv` when there is no `.json`, and
//!   HSDS 3.0's `service_at_location.csv`, in the singular). Only
//!   services are required; a listed table that is missing is an error
//!   counted. The tables are joined by their `*_id` fields into the nested
//!   form the API gives, so CSV, JSON and the API share one mapping
//!   (coordinates given as strings are parsed where they are read).
//!
//! Each active service that is intensive outpatient becomes one listing per
//! service-at-location with an address. The IOP rule: a taxonomy term of the
//! service (code `OIT`, or a name or value saying "intensive outpatient" or
//! "IOP"), or its name, alternate name or description saying so outside a
//! negation. Facets come from taxonomy term codes (SAMHSA codes) and names
//! (vocabulary phrases), language names, and the description's prose (the
//! extractor's rules, negations included). A directory exported by IOP
//! Finder (`iopfinder export --format hsds`) is read exactly: the terms of
//! its own taxonomy ([`OWN_TAXONOMY`], codes `group/slug`) are its facets,
//! and its listings keep their listing ids: a service-at-location id made by
//! [`ids::entity_id`] gives back the listing id it was made from
//! ([`ids::listing_id_from`]), so a program keeps its id (and its URL)
//! through an export and a read-back.
//!
//! Modules: `api` (the HSDA client), `package` (a data package's files),
//! `join` (tables into nested services), `records` (the typed HSDS records
//! read), `mapping` (a service to source records), [`ids`] (IOP Finder's
//! HSDS ids).

mod api;
pub mod ids;
mod join;
mod mapping;
mod package;
mod records;

use mapping::is_iop;

use super::{CrawlContext, SourceCrawl, SourceError};
use crate::normalize::normalize;
use crate::recrawl::ListingSpill;
use records::Service;
use reqwest::Url;

/// The source kind (`--source hsds=LOCATION`).
pub const KIND: &str = "hsds";
/// The taxonomy of IOP Finder's own HSDS export (its vocabulary).
pub const OWN_TAXONOMY: &str = "IOP Finder vocabulary";
/// List pages read at most.
pub const MAX_PAGES: u64 = 1000;

/// The tables read, by their plural names.
const TABLES: [&str; 10] = [
    "services",
    "organizations",
    "service_at_locations",
    "locations",
    "addresses",
    "phones",
    "schedules",
    "attributes",
    "taxonomy_terms",
    "languages",
];

/// Singular names of [`TABLES`], as HSDS 3.0's own `datapackage.json` names
/// its resources (`{"name": "service", "path": "services.csv"}`).
const SINGULAR: [&str; 10] = [
    "service",
    "organization",
    "service_at_location",
    "location",
    "address",
    "phone",
    "schedule",
    "attribute",
    "taxonomy_term",
    "language",
];

/// The URL of a service (by id) for its source record.
type UrlOf = Box<dyn Fn(&str) -> Option<String>>;

/// Read the HSDS directory at `location` (an API base URL, or a data
/// package: see the module documentation). Fails when the directory cannot
/// be read at all (its services list or table); smaller problems are
/// counted in the answer's errors and notes.
pub async fn crawl(location: &str, ctx: &CrawlContext) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let mut out = SourceCrawl::default();
    let is_url = super::is_url(location);
    let package = !is_url || location.ends_with("datapackage.json");
    let (services, url_of): (Vec<Service>, UrlOf) = if package {
        let tables = package::read_package(location, ctx, &mut out)
            .await
            .map_err(&failed)?;
        let joined = join::assemble(tables);
        if joined.without_id > 0 {
            let n = joined.without_id;
            *out.errors.entry("service-without-id".into()).or_default() += n;
            out.notes.push(format!(
                "{n} services without an id: not read (an HSDS service needs an id to be joined to its locations)"
            ));
        }
        if joined.unreadable_rows > 0 {
            let n = joined.unreadable_rows;
            *out.errors.entry("unreadable-row".into()).or_default() += n;
            out.notes
                .push(format!("{n} rows that are not records: not read"));
        }
        let loc = location.to_string();
        (
            joined.services,
            Box::new(move |_| is_url.then(|| loc.clone())),
        )
    } else {
        let base = location
            .trim_end_matches('/')
            .trim_end_matches("/services")
            .to_string();
        let services = api::read_api(&base, ctx, &mut out).await.map_err(&failed)?;
        (
            services,
            Box::new(move |id| Some(format!("{base}/services/{id}"))),
        )
    };
    // a private or loopback host is never shown as a source
    let title = match Url::parse(location)
        .ok()
        .filter(|_| iop_index::listing::is_public_url(location))
        .and_then(|u| u.host_str().map(str::to_string))
    {
        Some(host) => format!("Open Referral HSDS directory at {host}"),
        None if package => "Open Referral HSDS data package".to_string(),
        None => "Open Referral HSDS directory".to_string(),
    };
    // with a spill directory, each listing goes to disk as it is made, and
    // each service is dropped once mapped
    let mut spill = match &ctx.spill_dir {
        Some(dir) => Some(ListingSpill::new_in(dir).map_err(|e| failed(e.to_string()))?),
        None => None,
    };
    let mut listings = 0;
    let mut counts = (0, 0, 0); // services, IOP services, inactive
    for service in services {
        let service = &service;
        counts.0 += 1;
        if !mapping::is_active(service) {
            counts.2 += 1;
            continue;
        }
        if !is_iop(service) {
            continue;
        }
        counts.1 += 1;
        for (record, kept_id) in mapping::records(service, &title, &*url_of, ctx.today, &mut out) {
            match normalize(record) {
                Ok(mut listing) => {
                    if let Some(id) = kept_id {
                        listing.id = id;
                    }
                    listings += 1;
                    match &mut spill {
                        Some(spill) => spill.push(&listing).map_err(|e| failed(e.to_string()))?,
                        None => out.listings.push(listing),
                    }
                }
                Err(e) => {
                    out.error("rejected-record");
                    if out.notes.len() <= 20 {
                        out.notes.push(format!("rejected: {e}"));
                    }
                }
            }
        }
    }
    out.notes.insert(
        0,
        format!(
            "{location}: {} services, {} intensive outpatient, {} inactive, {} listings",
            counts.0, counts.1, counts.2, listings
        ),
    );
    out.spilled = spill;
    Ok(out)
}
