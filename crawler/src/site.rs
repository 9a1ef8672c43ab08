//! A provider's website read as a whole: one organization, its locations
//! and its programs -> one listing per program per location.
//!
//! - **Pages by kind** ([`page_kind`], from the URL path and title): program
//!   pages (their own text says "intensive outpatient" or "IOP"), pages
//!   about the organization (contact, locations, insurance, admissions,
//!   FAQ, accreditation), and blog or news posts (never a program, never a
//!   source of facts).
//! - **Name**: structured data; else what a person sees on the pages
//!   (`og:site_name`, the copyright line, the logo's alt text), the most
//!   common first; else the part of a program page's title that is not its
//!   heading.
//! - **Locations**: addresses that check out ([`crate::extract::contact`])
//!   with a street (a P.O. box is where mail goes, not a place of
//!   treatment), and structured-data addresses. An address on a program
//!   page's own text is that program's; addresses on other pages and in
//!   footers are the organization's.
//! - **Programs at locations**: an organization's location is for the
//!   programs its headings allow ("Adolescent PHP/IOP" under "Chemical
//!   Dependency": teen substance-use programs; "Residential & Detox": none);
//!   a program goes to the locations that match it best (the focus and ages
//!   its page, title and URL name).
//! - **Facts**: each program's own, plus the organization's insurers,
//!   accreditation and languages stated on its other pages, each fact with
//!   its own page (a source of the listing) and sentence.
//! - **Phones**: the location's own line, else the program page's, else the
//!   line most pages show; never a fax or crisis line.
//! - Listings with the same content are one listing (a site that serves
//!   one program under many URLs).
//!
//! A site with programs but no usable address makes no listing, and
//! [`SiteListings::none`] says why.

use crate::extract::{contact, Extraction, Fact, Org};
use crate::normalize::{normalize, SourceRecord};
use crate::sources::mentions_iop;
use iop_index::listing::Source;
use iop_index::phone::{Phone, Role};
use iop_index::vocabulary::{ValueId, Vocabulary};
use iop_index::Listing;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// The kind of a page of a provider's site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A page about one or more programs.
    Program,
    /// Contact, locations, directions.
    Contact,
    /// Insurance, payment, admissions, fees.
    Admissions,
    /// Frequently asked questions.
    Faq,
    /// Accreditation, licensing, about.
    About,
    /// A blog or news post: never a program or a fact.
    Post,
    /// Anything else.
    Other,
}

/// One page of the site as read.
#[derive(Debug, Clone)]
pub struct SitePage {
    /// The page's URL (fragment dropped).
    pub url: String,
    /// What the page states.
    pub extraction: Extraction,
    /// Its own text (not menus or footers) says "intensive outpatient" or
    /// "IOP" outside a negation.
    pub iop: bool,
}

impl SitePage {
    /// Read a page: its extraction and whether it speaks of an IOP.
    /// A page over the default [`Budget`](crate::extract::budget::Budget)
    /// reads as one that states nothing; [`SitePage::read_document`] says why.
    pub fn read(url: &str, html: &str) -> SitePage {
        use crate::extract::budget::{parse, Budget, Deadline};
        let budget = Budget::default();
        let deadline = Deadline::start(&budget);
        parse(html, &budget, &deadline)
            .and_then(|document| SitePage::read_document(url, &document, &deadline))
            .unwrap_or_else(|_| SitePage {
                url: url.to_string(),
                extraction: Default::default(),
                iop: false,
            })
    }

    /// [`SitePage::read`] of a page parsed by
    /// [`budget::parse`](crate::extract::budget::parse), within its deadline.
    pub fn read_document(
        url: &str,
        document: &scraper::Html,
        deadline: &crate::extract::budget::Deadline,
    ) -> Result<SitePage, crate::extract::budget::PageError> {
        let extraction = crate::extract::extract_document(document, Some(url), deadline)?;
        let iop = crate::extract::html::sentences_of(document)
            .iter()
            .filter(|s| !s.chrome)
            .any(|s| mentions_iop(&s.text));
        deadline.check()?;
        Ok(SitePage {
            url: url.to_string(),
            extraction,
            iop,
        })
    }
}

/// What a site makes.
#[derive(Debug, Default)]
pub struct SiteListings {
    /// The listings: one per program page, or one for the site.
    pub listings: Vec<Listing>,
    /// Program pages found.
    pub programs: usize,
    /// Usable locations found.
    pub locations: usize,
    /// Why the site made no listing, when it made none.
    pub none: Option<String>,
    /// Lines for the report: addresses rejected, records refused.
    pub notes: Vec<String>,
}

const POST_WORDS: &[&str] = &[
    "blog", "news", "post", "posts", "article", "articles", "press", "stories", "story", "events",
];
const CONTACT_WORDS: &[&str] = &[
    "contact",
    "contact-us",
    "location",
    "locations",
    "directions",
    "find-us",
    "visit",
    "offices",
];
const ADMISSIONS_WORDS: &[&str] = &[
    "insurance",
    "payment",
    "payments",
    "billing",
    "fees",
    "financial",
    "admissions",
    "admission",
    "verify",
    "cost",
    "costs",
    "patient-payment-policy",
];
const FAQ_WORDS: &[&str] = &["faq", "faqs", "office-faq", "questions"];
const ABOUT_WORDS: &[&str] = &["carf", "accreditation", "accreditations", "licensing"];

/// The kind of a page from its URL path (and whether it speaks of an IOP).
pub fn page_kind(url: &str, iop: bool) -> PageKind {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]))
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(".html").trim_end_matches(".php"))
        .collect();
    let words: Vec<&str> = segments
        .iter()
        .flat_map(|s| std::iter::once(*s).chain(s.split(['-', '_', '.'])))
        .collect();
    let dated = segments
        .windows(2)
        .any(|w| w[0].len() == 4 && w[0].parse::<u16>().is_ok() && w[1].parse::<u8>().is_ok());
    let any = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if dated || any(POST_WORDS) {
        PageKind::Post
    } else if any(CONTACT_WORDS) {
        PageKind::Contact
    } else if any(FAQ_WORDS) {
        PageKind::Faq
    } else if any(ADMISSIONS_WORDS) {
        PageKind::Admissions
    } else if any(ABOUT_WORDS) {
        PageKind::About
    } else if iop {
        PageKind::Program
    } else {
        PageKind::Other
    }
}

/// A place where programs are held.
#[derive(Debug, Clone)]
struct Location {
    street: Option<String>,
    city: String,
    state: String,
    zip: String,
    phone: Option<String>,
    lat_lon: Option<(f64, f64)>,
    /// Facet values its headings name (focus and ages).
    names: BTreeSet<ValueId>,
    /// The headings say it is for another level of care only.
    not_iop: bool,
    /// The name structured data gives it.
    org_name: Option<String>,
}

/// The groups whose values say which programs a location holds.
const MATCH_GROUPS: &[&str] = &["focus", "age"];
/// The groups of the organization's facts joined into every program.
const SITE_WIDE_GROUPS: &[&str] = &["insurance", "accreditation", "language"];

fn match_values(text: &str) -> BTreeSet<ValueId> {
    let v = Vocabulary::get();
    let groups: Vec<_> = MATCH_GROUPS
        .iter()
        .filter_map(|g| v.group_by_slug(g).map(|g| g.id))
        .collect();
    let words = text.replace(['-', '_', '/'], " ");
    crate::extract::prose::phrases_in(&words)
        .into_iter()
        .flat_map(|(_, ids, _)| ids)
        .filter(|id| groups.contains(&v.value(*id).group))
        .collect()
}

fn location_of_address(a: &contact::PostalAddress) -> Location {
    let headings = a.headings.join(" ; ");
    let lower = headings.to_lowercase();
    let other_level = ["residential", "detox", "inpatient", "sober living"]
        .iter()
        .any(|w| lower.contains(w));
    let iop_level = mentions_iop(&headings) || lower.contains("outpatient");
    Location {
        street: a.street.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        zip: a.zip.clone(),
        phone: a.phone.as_ref().map(Phone::display),
        lat_lon: None,
        names: match_values(&headings),
        not_iop: other_level && !iop_level,
        org_name: None,
    }
}

fn location_of_org(org: &Org) -> Option<Location> {
    Some(Location {
        street: org.street.clone(),
        city: org.city.clone()?,
        state: org.state.clone()?,
        zip: org.zip.clone()?,
        phone: org
            .phone
            .as_deref()
            .and_then(iop_index::phone::program_phone),
        lat_lon: org.lat.zip(org.lon),
        names: BTreeSet::new(),
        not_iop: false,
        org_name: org.name.clone(),
    })
}

fn usable(a: &contact::PostalAddress) -> bool {
    a.street.is_some() && !a.po_box
}

fn same_place(a: &Location, b: &Location) -> bool {
    let key = |l: &Location| {
        l.street
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    };
    a.zip == b.zip && key(a) == key(b)
}

fn push_location(list: &mut Vec<Location>, l: Location) {
    if !list.iter().any(|x| same_place(x, &l)) {
        list.push(l);
    }
}

/// How well a location fits a program: `None` when its headings exclude it.
fn fit(location: &Location, program: &BTreeSet<ValueId>) -> Option<usize> {
    if location.not_iop {
        return None;
    }
    let v = Vocabulary::get();
    let mut score = 0;
    let groups: BTreeSet<_> = location.names.iter().map(|id| v.value(*id).group).collect();
    for group in groups {
        let named: BTreeSet<_> = location
            .names
            .iter()
            .filter(|id| v.value(**id).group == group)
            .collect();
        if program.iter().any(|id| named.contains(id)) {
            score += 1;
        } else {
            return None;
        }
    }
    Some(score)
}

/// The site's name: structured data, else the names pages show (most
/// common first), else a program page's title part that is not its heading.
fn site_name(pages: &[SitePage]) -> Option<String> {
    if let Some(name) = pages
        .iter()
        .find_map(|p| p.extraction.organization.as_ref()?.name.clone())
    {
        return Some(name);
    }
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        for name in &page.extraction.contacts.names {
            let e = counts.entry(name.as_str()).or_insert((0, i));
            e.0 += 1;
        }
    }
    if let Some((name, _)) = counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
    {
        return Some(name.to_string());
    }
    for page in pages {
        let Some(title) = &page.extraction.title else {
            continue;
        };
        let h1 = page.extraction.h1.as_deref().unwrap_or("").to_lowercase();
        if let Some(part) = contact::title_parts(title).into_iter().find(|p| {
            let lower = p.to_lowercase();
            lower != h1 && !mentions_iop(p) && !lower.contains("program")
        }) {
            return Some(part);
        }
    }
    None
}

/// The line most pages show (not a fax or crisis line).
fn site_phone(pages: &[SitePage]) -> Option<String> {
    if let Some(phone) = pages.iter().find_map(|p| {
        p.extraction
            .organization
            .as_ref()?
            .phone
            .as_deref()
            .and_then(iop_index::phone::program_phone)
    }) {
        return Some(phone);
    }
    let mut counts: BTreeMap<String, (usize, usize, bool)> = BTreeMap::new();
    let mut order = 0;
    for page in pages {
        for p in &page.extraction.contacts.phones {
            if matches!(p.role, Role::Fax | Role::Crisis) {
                continue;
            }
            order += 1;
            let e = counts
                .entry(p.phone.display())
                .or_insert((0, order, p.role == Role::Intake));
            e.0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| {
            (a.1 .0, a.1 .2)
                .cmp(&(b.1 .0, b.1 .2))
                .then(b.1 .1.cmp(&a.1 .1))
        })
        .map(|(phone, _)| phone)
}

/// The program page's own phone (its text, not its chrome).
fn page_phone(page: &SitePage) -> Option<String> {
    page.extraction
        .contacts
        .phones
        .iter()
        .find(|p| !matches!(p.role, Role::Fax | Role::Crisis))
        .map(|p| p.phone.display())
}

fn source_of(page: &SitePage, host: &str) -> Source {
    Source {
        kind: crate::sources::website::KIND.into(),
        title: page
            .extraction
            .title
            .clone()
            .unwrap_or_else(|| host.to_string()),
        url: Some(page.url.clone()),
        record: None,
        // a page's own date (Last-Modified) is not kept with it yet
        edition: None,
    }
}

/// Assemble the site's listings. With `start_page`, `pages[0]` is the page
/// the crawl started from (a home page): a program only when no other page
/// is.
pub fn assemble(pages: &[SitePage], start_page: bool, checked: Date) -> SiteListings {
    let mut out = SiteListings::default();
    let v = Vocabulary::get();
    let host = pages
        .first()
        .and_then(|p| reqwest::Url::parse(&p.url).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let kinds: Vec<PageKind> = pages.iter().map(|p| page_kind(&p.url, p.iop)).collect();
    let first = usize::from(start_page);
    let mut programs: Vec<usize> = (first..pages.len())
        .filter(|&i| kinds[i] == PageKind::Program)
        .collect();
    if programs.is_empty() && start_page && pages.first().is_some_and(|p| p.iop) {
        programs.push(0);
    }
    out.programs = programs.len();

    // the organization's locations
    let mut site_locations: Vec<Location> = Vec::new();
    let mut po_boxes = 0;
    for (i, page) in pages.iter().enumerate() {
        for note in &page.extraction.contacts.rejected {
            out.notes
                .push(format!("{}: address not used: {note}", page.url));
        }
        if kinds[i] == PageKind::Post {
            continue;
        }
        let program = programs.contains(&i);
        if !program {
            if let Some(l) = page
                .extraction
                .organization
                .as_ref()
                .and_then(location_of_org)
            {
                push_location(&mut site_locations, l);
            }
        }
        for a in &page.extraction.contacts.addresses {
            po_boxes += usize::from(a.po_box);
            if usable(a) && (!program || a.chrome) {
                push_location(&mut site_locations, location_of_address(a));
            }
        }
    }
    out.locations = site_locations.len();

    // the organization's facts, from its other pages
    let site_groups: Vec<_> = SITE_WIDE_GROUPS
        .iter()
        .filter_map(|g| v.group_by_slug(g).map(|g| g.id))
        .collect();
    let mut site_facts: Vec<(Fact, usize)> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if programs.contains(&i) || kinds[i] == PageKind::Post {
            continue;
        }
        for fact in &page.extraction.values {
            if site_groups.contains(&v.value(fact.value).group)
                && !site_facts.iter().any(|(f, _)| f.value == fact.value)
            {
                site_facts.push((fact.clone(), i));
            }
        }
    }

    let name = site_name(pages);
    let phone = site_phone(pages);
    let mut seen: Vec<String> = Vec::new();
    for &p in &programs {
        let page = &pages[p];
        let x = &page.extraction;
        // the program's own locations: its structured data, its text's addresses
        let mut own: Vec<Location> = Vec::new();
        if let Some(l) = x.organization.as_ref().and_then(location_of_org) {
            push_location(&mut own, l);
        }
        for a in x
            .contacts
            .addresses
            .iter()
            .filter(|a| usable(a) && !a.chrome)
        {
            push_location(&mut own, location_of_address(a));
        }
        let places: Vec<Location> = if own.is_empty() {
            let mut wanted: BTreeSet<ValueId> = x
                .values
                .iter()
                .map(|f| f.value)
                .filter(|id| MATCH_GROUPS.contains(&v.group(v.value(*id).group).slug.as_str()))
                .collect();
            let path = page.url.split_once("://").map_or("", |(_, r)| r);
            let path = path.find('/').map_or("", |i| &path[i..]);
            wanted.extend(match_values(path));
            wanted.extend(match_values(x.title.as_deref().unwrap_or("")));
            wanted.extend(match_values(x.h1.as_deref().unwrap_or("")));
            let scored: Vec<(usize, &Location)> = site_locations
                .iter()
                .filter_map(|l| fit(l, &wanted).map(|s| (s, l)))
                .collect();
            let best = scored.iter().map(|(s, _)| *s).max();
            scored
                .into_iter()
                .filter(|(s, _)| Some(*s) == best)
                .map(|(_, l)| l.clone())
                .collect()
        } else {
            own
        };
        if places.is_empty() {
            continue;
        }
        let several = places.len() > 1;
        for place in places {
            let org_name = x
                .organization
                .as_ref()
                .and_then(|o| o.name.clone())
                .or_else(|| place.org_name.clone())
                .or_else(|| name.clone());
            let Some(org_name) = org_name else {
                out.notes
                    .push(format!("{}: no name for the organization", page.url));
                continue;
            };
            let identity = if several {
                format!(
                    "{}@{}|{}",
                    page.url,
                    place.zip,
                    place.street.as_deref().unwrap_or("")
                )
            } else {
                page.url.clone()
            };
            let mut record = SourceRecord::new(
                source_of(page, &host),
                identity,
                checked,
                org_name.clone(),
                place.city.clone(),
                place.state.clone(),
                place.zip.clone(),
            );
            record.street.clone_from(&place.street);
            record.lat_lon = place.lat_lon;
            record.phone = place
                .phone
                .clone()
                .or_else(|| page_phone(page))
                .or_else(|| phone.clone());
            record.website = Some(page.url.clone());
            let mut own_x = x.clone();
            own_x.organization = None;
            own_x.fill(&mut record);
            record.program_name = x.h1.clone().filter(|h| *h != org_name && h.len() <= 120);
            // the organization's facts, each from its page
            let mut joined: Vec<(ValueId, usize)> = Vec::new();
            for (fact, from) in &site_facts {
                if !record.values.iter().any(|(id, _)| *id == fact.value) {
                    record
                        .values
                        .push((fact.value, Some(fact.evidence.clone())));
                    joined.push((fact.value, *from));
                }
            }
            match normalize(record) {
                Ok(mut listing) => {
                    for (value, from) in joined {
                        let fv = v.value(value);
                        let key = format!("{}/{}", v.group(fv.group).slug, fv.slug);
                        let source = source_of(&pages[from], &host);
                        let index = match listing.sources.iter().position(|s| *s == source) {
                            Some(i) => i,
                            None => {
                                listing.sources.push(source);
                                listing.sources.len() - 1
                            }
                        };
                        for prov in listing.provenance.iter_mut().filter(|p| p.fact == key) {
                            prov.source = index;
                        }
                    }
                    let content = content_key(&listing);
                    if !seen.contains(&content) {
                        seen.push(content);
                        out.listings.push(listing);
                    }
                }
                Err(e) => out.notes.push(format!("{}: {e}", page.url)),
            }
        }
    }
    if out.listings.is_empty() {
        out.none = Some(if out.programs == 0 {
            format!("no IOP page among the {} pages read", pages.len())
        } else if site_locations.is_empty() {
            let mut why = format!(
                "no address: {} IOP page(s), but no street address that checks out on any of the {} pages read",
                out.programs,
                pages.len()
            );
            if po_boxes > 0 {
                why.push_str(" (only a P.O. box, where mail goes)");
            }
            why
        } else {
            format!(
                "no location fits the {} IOP page(s) (the {} address(es) are for other programs)",
                out.programs,
                site_locations.len()
            )
        });
    }
    out
}

/// What makes two listings the same program at the same place.
fn content_key(l: &Listing) -> String {
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}",
        l.name, l.program_name, l.address, l.phone, l.facets, l.schedule
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_by_kind() {
        assert_eq!(
            page_kind("https://x.org/about-us/locations/", true),
            PageKind::Contact
        );
        assert_eq!(
            page_kind("https://x.org/2015/05/05/launch/", true),
            PageKind::Post
        );
        assert_eq!(
            page_kind("https://x.org/blog/iop-tips", true),
            PageKind::Post
        );
        assert_eq!(
            page_kind("https://x.org/admissions/insurance/", false),
            PageKind::Admissions
        );
        assert_eq!(
            page_kind("https://x.org/programs/teen-iop", true),
            PageKind::Program
        );
        assert_eq!(
            page_kind("https://x.org/programs/teen", false),
            PageKind::Other
        );
    }
}
