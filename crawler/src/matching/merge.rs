//! One program, one listing: a website's listing that matches a national
//! record ([`super::Matcher`]) is shown as one listing with both sources,
//! and so is a FindTreatment record that matches a record of SAMHSA's
//! directory (the same facility in SAMHSA's two national files).
//!
//! [`combine`] is a pure function over a crawl's listings, in two passes of
//! [`absorb`]:
//!
//! 1. FindTreatment listings (first source `findtreatment`) are matched
//!    against the directory's (`samhsa-directory`): a directory record
//!    matched by exactly one FindTreatment listing absorbs it. FindTreatment
//!    is SAMHSA's locator, updated as facilities report, the directory a
//!    yearly file: where they differ the locator's value is shown and the
//!    directory's kept beside it. HSDS feeds are not merged with the other
//!    national files (no labelled pairs measure that).
//! 2. Website listings (first source `website`) are matched against the
//!    national ones (those of [`NATIONAL_KINDS`], after pass 1): a national
//!    record matched by exactly one website listing absorbs it.
//!
//! In both, a record matched by several listings (a site listing two
//! programs in a building the directory lists once) merges with none of
//! them: which program the record describes is not known. Unmatched
//! listings stay as they are.
//!
//! The merged listing keeps the kept record's id (its shared links keep
//! working) and lists the absorbed listing's id in
//! [`Listing::merged_ids`] (its links redirect to the merged one); it keeps
//! every source of both, and every fact's own provenance:
//!
//! - a fact only one source states is taken with its provenance;
//! - a fact both state alike keeps both provenance entries;
//! - a fact they state differently (name, address, phones, website,
//!   description, schedule, ...) shows the absorbed listing's statement (the
//!   provider's own, or the locator's), read on its own date, and keeps the
//!   kept record's value beside it: a provenance entry of the same fact from
//!   that record's source and date whose evidence is its value as written;
//! - facet values (insurers, ages, ...) are the union of both, each value
//!   with the provenance of every source that states it; intake numbers
//!   likewise;
//! - the match itself is a provenance entry of fact [`MATCH_FACT`] from the
//!   absorbed listing's source, its evidence saying what agreed and the
//!   score.

use super::{Facility, Matcher, Score};
use crate::sources::SourceKind;
use iop_index::listing::{Listing, Provenance};
use iop_index::vocabulary::Vocabulary;
use std::collections::HashMap;

/// Source kinds whose listings are national records (SAMHSA's directory,
/// FindTreatment, HSDS feeds).
pub const NATIONAL_KINDS: [&str; 3] = ["samhsa-directory", "findtreatment", "hsds"];

/// The source kind of a provider's own website ([`SourceKind::Website`]).
const WEBSITE_KIND: &str = SourceKind::Website.as_str();

/// The source kind of SAMHSA's directory ([`SourceKind::SamhsaDirectory`]).
const DIRECTORY_KIND: &str = SourceKind::SamhsaDirectory.as_str();

/// The source kind of FindTreatment ([`SourceKind::FindTreatment`]).
const FINDTREATMENT_KIND: &str = SourceKind::FindTreatment.as_str();

/// The provenance fact that records a match: its evidence says what agreed
/// and the score.
pub const MATCH_FACT: &str = "match";

/// One merge: the listing kept, the listing absorbed, and how they compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Id of the national listing kept (the merged listing's id).
    pub national_id: String,
    /// Id of the listing merged into it (a website's, or a FindTreatment
    /// record's).
    pub absorbed_id: String,
    /// The source kind of the absorbed listing (`website`, `findtreatment`).
    pub absorbed_kind: String,
    /// How they compared.
    pub score: Score,
}

/// A crawl's listings with matched programs merged.
#[derive(Debug, Clone, Default)]
pub struct Combined {
    /// Every listing once: merged ones in place of their national record,
    /// absorbed listings left out, the rest unchanged; in the order given.
    pub listings: Vec<Listing>,
    /// The merges made: FindTreatment's first, then websites', each in the
    /// order of the listings.
    pub merges: Vec<Merge>,
    /// Listings that matched a national record matched by another listing
    /// too: (the listing's id, that record's id, the listing's source
    /// kind), left unmerged.
    pub ambiguous: Vec<(String, String, String)>,
}

fn first_kind(listing: &Listing) -> Option<&str> {
    listing.sources.first().map(|s| s.kind.as_str())
}

/// Merge each FindTreatment listing into the directory record it matches,
/// then each website listing into the national record it matches, as the
/// module documentation describes. Linear in the number of listings (the
/// matcher blocks by ZIP code and phone).
pub fn combine(listings: Vec<Listing>) -> Combined {
    let first = absorb(
        listings,
        |k| k == DIRECTORY_KIND,
        |k| k == FINDTREATMENT_KIND,
    );
    let second = absorb(
        first.listings,
        |k| NATIONAL_KINDS.contains(&k),
        |k| k == WEBSITE_KIND,
    );
    let mut merges = first.merges;
    merges.extend(second.merges);
    let mut ambiguous = first.ambiguous;
    ambiguous.extend(second.ambiguous);
    Combined {
        listings: second.listings,
        merges,
        ambiguous,
    }
}

/// One pass of [`combine`]: each listing whose first source's kind is
/// `absorbed` is matched against those whose first source's kind is `kept`;
/// a kept record matched by exactly one of them absorbs it ([`merge`]).
pub fn absorb(
    listings: Vec<Listing>,
    kept: impl Fn(&str) -> bool,
    absorbed: impl Fn(&str) -> bool,
) -> Combined {
    let national: Vec<usize> = (0..listings.len())
        .filter(|&i| first_kind(&listings[i]).is_some_and(&kept))
        .collect();
    let websites: Vec<usize> = (0..listings.len())
        .filter(|&i| first_kind(&listings[i]).is_some_and(&absorbed))
        .collect();
    if national.is_empty() || websites.is_empty() {
        return Combined {
            listings,
            ..Combined::default()
        };
    }
    let facilities: Vec<Facility> = national
        .iter()
        .map(|&i| Facility::of_listing(&listings[i]))
        .collect();
    let matcher = Matcher::new(&facilities);
    // national listing -> the listings that match it
    let mut claims: HashMap<usize, Vec<(usize, Score)>> = HashMap::new();
    for &w in &websites {
        if let Some(m) = matcher.best(&Facility::of_listing(&listings[w])) {
            claims
                .entry(national[m.record])
                .or_default()
                .push((w, m.score));
        }
    }
    let mut ambiguous = Vec::new();
    let mut partner: HashMap<usize, (usize, Score)> = HashMap::new();
    let mut absorbed = vec![false; listings.len()];
    for (n, claim) in claims {
        if let [(w, score)] = claim[..] {
            partner.insert(n, (w, score));
            absorbed[w] = true;
        } else {
            for (w, _) in claim {
                ambiguous.push((
                    listings[w].id.clone(),
                    listings[n].id.clone(),
                    first_kind(&listings[w]).unwrap_or_default().to_string(),
                ));
            }
        }
    }
    ambiguous.sort();
    let mut merges = Vec::new();
    let mut slots: Vec<Option<Listing>> = listings.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for i in 0..slots.len() {
        if absorbed[i] {
            continue;
        }
        let Some(listing) = slots[i].take() else {
            continue;
        };
        match partner.get(&i) {
            Some(&(w, score)) => {
                let website = slots[w].take().expect("a listing is absorbed once");
                merges.push(Merge {
                    national_id: listing.id.clone(),
                    absorbed_id: website.id.clone(),
                    absorbed_kind: first_kind(&website).unwrap_or_default().to_string(),
                    score,
                });
                out.push(merge(listing, &website, &score));
            }
            None => out.push(listing),
        }
    }
    Combined {
        listings: out,
        merges,
        ambiguous,
    }
}

/// The facts [`merge`] reconciles one by one; any other provenance entry is
/// kept as it is.
const SCALAR_FACTS: [&str; 11] = [
    "name",
    "program_name",
    "description",
    "address",
    "point",
    "phone",
    "intake_phone",
    "website",
    "schedule",
    "level_of_care",
    "accepting_new_clients",
];

/// Builds a merged listing's provenance, fact by fact.
struct Facts<'a> {
    national: &'a Listing,
    website: &'a Listing,
    /// Where the website's sources start in the merged listing's sources.
    offset: usize,
    provenance: Vec<Provenance>,
}

impl Facts<'_> {
    fn national_entries(&self, fact: &str) -> Vec<Provenance> {
        self.national
            .provenance
            .iter()
            .filter(|p| p.fact == fact)
            .cloned()
            .collect()
    }

    fn site_entries(&self, fact: &str) -> Vec<Provenance> {
        self.website
            .provenance
            .iter()
            .filter(|p| p.fact == fact)
            .map(|p| Provenance {
                source: p.source + self.offset,
                ..p.clone()
            })
            .collect()
    }

    /// One fact stated by either or both: the value shown (the site's when
    /// it states one) and the provenance of both; when they differ
    /// (`agree` false) the directory's entry carries its value (`show`) as
    /// evidence.
    fn pick<T: Clone>(
        &mut self,
        fact: &str,
        national: Option<&T>,
        site: Option<&T>,
        agree: impl Fn(&T, &T) -> bool,
        show: impl Fn(&T) -> String,
    ) -> Option<T> {
        match (national, site) {
            (None, None) => None,
            (Some(n), None) => {
                let entries = self.national_entries(fact);
                self.provenance.extend(entries);
                Some(n.clone())
            }
            (None, Some(s)) => {
                let entries = self.site_entries(fact);
                self.provenance.extend(entries);
                Some(s.clone())
            }
            (Some(n), Some(s)) => {
                let site = self.site_entries(fact);
                self.provenance.extend(site);
                let mut national = self.national_entries(fact);
                if !agree(n, s) {
                    if national.is_empty() {
                        // the directory's value is dated by its record
                        if let Some(checked) = self.national.last_checked() {
                            national.push(Provenance {
                                fact: fact.to_string(),
                                source: 0,
                                checked,
                                evidence: None,
                            });
                        }
                    }
                    // an entry with evidence already states its own value
                    // (a listing merged before: FindTreatment's and the
                    // directory's)
                    for p in national.iter_mut().filter(|p| p.evidence.is_none()) {
                        p.evidence = Some(show(n));
                    }
                }
                self.provenance.extend(national);
                Some(s.clone())
            }
        }
    }
}

/// Whether two phone numbers are the same number (extensions aside).
fn same_phone(a: &str, b: &str) -> bool {
    match (
        super::normal::phone_digits(a),
        super::normal::phone_digits(b),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// Whether two names are the same name, legal forms and abbreviations
/// aside ("Cedar Grove Counseling LLC", "Cedar Grove Counseling").
fn same_name(a: &str, b: &str) -> bool {
    super::normal::name_words(a) == super::normal::name_words(b)
}

fn same_text(a: &str, b: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    fold(a) == fold(b)
}

fn show_address(a: &iop_index::Address) -> String {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(a.street.as_deref());
    parts.extend(a.street2.as_deref());
    parts.push(&a.city);
    format!("{}, {} {}", parts.join(", "), a.state, a.zip)
}

/// What a match's provenance entry says: what agreed, and the score.
pub fn describe(score: &Score) -> String {
    let street = match score.street {
        super::StreetAgreement::Same => "the same street address",
        super::StreetAgreement::SameWithoutDirectionals => {
            "the same street address (directionals aside)"
        }
        super::StreetAgreement::Different => "another street address",
    };
    let street = if score.unit {
        format!("{street} and suite")
    } else {
        street.to_string()
    };
    let phone = if score.phone > 0.0 {
        format!("a shared phone number (weight {:.2})", score.phone)
    } else {
        "no shared phone number".to_string()
    };
    format!(
        "matched to the national record: {street}, name similarity {:.2}, {phone}; score {:.2} (a match needs {:.2})",
        score.name,
        score.total,
        super::THRESHOLD
    )
}

/// One listing from a national record and the website listing that matches
/// it (`score`: how they compared), as the module documentation describes.
/// The national listing's id, sample flag and sources come first; the
/// website's sources follow.
pub fn merge(national: Listing, website: &Listing, score: &Score) -> Listing {
    let offset = national.sources.len();
    let mut facts = Facts {
        national: &national,
        website,
        offset,
        provenance: Vec::new(),
    };
    let n = facts.national;
    let w = facts.website;
    let name = facts
        .pick(
            "name",
            Some(&n.name),
            Some(&w.name),
            |a: &String, b: &String| same_name(a, b),
            String::clone,
        )
        .unwrap_or_default();
    let program_name = facts.pick(
        "program_name",
        n.program_name.as_ref(),
        w.program_name.as_ref(),
        |a: &String, b: &String| same_text(a, b),
        String::clone,
    );
    let description = facts.pick(
        "description",
        n.description.as_ref(),
        w.description.as_ref(),
        |a: &String, b: &String| same_text(a, b),
        String::clone,
    );
    let address = facts
        .pick(
            "address",
            Some(&n.address),
            Some(&w.address),
            |a, b| same_text(&show_address(a), &show_address(b)),
            show_address,
        )
        .unwrap_or_default();
    // the more exact point; the directory's on a tie
    let point_from_site = match (&n.point, &w.point) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => {
            b.precision == iop_index::listing::Precision::Exact
                && a.precision != iop_index::listing::Precision::Exact
        }
        _ => false,
    };
    let point = if point_from_site {
        let entries = facts.site_entries("point");
        facts.provenance.extend(entries);
        w.point
    } else {
        let entries = facts.national_entries("point");
        facts.provenance.extend(entries);
        n.point
    };
    let phone = facts.pick(
        "phone",
        n.phone.as_ref(),
        w.phone.as_ref(),
        |a: &String, b: &String| same_phone(a, b),
        String::clone,
    );
    let intake_phone = facts.pick(
        "intake_phone",
        n.intake_phone.as_ref(),
        w.intake_phone.as_ref(),
        |a: &String, b: &String| same_phone(a, b),
        String::clone,
    );
    let website_url = facts.pick(
        "website",
        n.website.as_ref(),
        w.website.as_ref(),
        |a: &String, b: &String| same_text(a, b),
        String::clone,
    );
    let schedule = facts
        .pick(
            "schedule",
            Some(&n.schedule).filter(|s| !s.is_empty()),
            Some(&w.schedule).filter(|s| !s.is_empty()),
            |a, b| a == b,
            |s| format!("{s:?}"),
        )
        .unwrap_or_default();
    let stated = |l: &iop_index::listing::LevelOfCare| l.php.is_some() || l.outpatient.is_some();
    let level_of_care = facts
        .pick(
            "level_of_care",
            Some(&n.level_of_care).filter(|l| stated(l)),
            Some(&w.level_of_care).filter(|l| stated(l)),
            |a, b| a == b,
            |l| format!("{l:?}"),
        )
        .unwrap_or_default();
    let accepting_new_clients = facts.pick(
        "accepting_new_clients",
        n.accepting_new_clients.as_ref(),
        w.accepting_new_clients.as_ref(),
        |a, b| a == b,
        |v| {
            if *v {
                "accepting new clients"
            } else {
                "not accepting new clients"
            }
            .to_string()
        },
    );

    // facet values: the union, each value with every source that states it
    let vocabulary = Vocabulary::get();
    let mut facets = n.facets.clone();
    for (group, values) in &w.facets {
        let merged = facets.entry(group.clone()).or_default();
        for v in values {
            if !merged.contains(v) {
                merged.push(v.clone());
            }
        }
        merged.sort_by_key(|slug| {
            vocabulary
                .lookup(group, slug)
                .map(|v| v.id)
                .unwrap_or(usize::MAX)
        });
    }
    // every other entry (facet values, facts of other names) from both,
    // the site's first: its statement of insurers, ages... is the
    // provider's own, and a value's first entry is the one shown
    for p in &w.provenance {
        if !SCALAR_FACTS.contains(&p.fact.as_str()) {
            facts.provenance.push(Provenance {
                source: p.source + offset,
                ..p.clone()
            });
        }
    }
    for p in &n.provenance {
        if !SCALAR_FACTS.contains(&p.fact.as_str()) {
            facts.provenance.push(p.clone());
        }
    }
    if let Some(checked) = w.last_checked().or_else(|| n.last_checked()) {
        facts.provenance.push(Provenance {
            fact: MATCH_FACT.to_string(),
            source: offset,
            checked,
            evidence: Some(describe(score)),
        });
    }
    // every intake number of either, each once, none that is shown above
    let mut more_intake_phones: Vec<String> = Vec::new();
    for p in n
        .more_intake_phones
        .iter()
        .chain(&w.more_intake_phones)
        .chain(
            [&n.phone, &w.phone, &n.intake_phone, &w.intake_phone]
                .into_iter()
                .flatten(),
        )
    {
        let shown = [&phone, &intake_phone]
            .into_iter()
            .flatten()
            .chain(&more_intake_phones)
            .any(|q| same_phone(p, q));
        if !shown {
            more_intake_phones.push(p.clone());
        }
    }
    // the main numbers another source gives are the kept record's evidence,
    // not intake lines
    more_intake_phones.retain(|p| {
        ![&n.phone, &w.phone]
            .into_iter()
            .flatten()
            .any(|q| same_phone(p, q))
    });
    let mut merged_ids = n.merged_ids.clone();
    for id in std::iter::once(&w.id).chain(&w.merged_ids) {
        if !merged_ids.contains(id) && *id != n.id {
            merged_ids.push(id.clone());
        }
    }
    let provenance = facts.provenance;
    let mut sources = n.sources.clone();
    sources.extend(w.sources.iter().cloned());
    Listing {
        id: n.id.clone(),
        name,
        program_name,
        description,
        address,
        point,
        phone,
        intake_phone,
        more_intake_phones,
        website: website_url,
        facets,
        schedule,
        level_of_care,
        accepting_new_clients,
        sources,
        provenance,
        sample: n.sample,
        merged_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iop_index::listing::{Address, Source};
    use time::macros::date;

    fn listing(id: &str, kind: &str, name: &str, street: &str, phone: &str) -> Listing {
        let mut l = Listing::new(
            id,
            name,
            Address {
                street: Some(street.into()),
                street2: None,
                city: "Charlottesville".into(),
                state: "VA".into(),
                zip: "22902".into(),
            },
        );
        l.phone = Some(phone.into());
        l.sources.push(Source {
            kind: kind.into(),
            title: kind.into(),
            ..Source::default()
        });
        let checked = if kind == WEBSITE_KIND {
            date!(2026 - 11 - 30)
        } else {
            date!(2026 - 11 - 01)
        };
        for fact in ["name", "address", "phone"] {
            l.provenance.push(Provenance {
                fact: fact.into(),
                source: 0,
                checked,
                evidence: None,
            });
        }
        l
    }

    fn national() -> Listing {
        let mut l = listing(
            "aaaaaaaaaaaa",
            "samhsa-directory",
            "Region Ten Community Services Board",
            "1014 East Market Street",
            "434-972-1745",
        );
        l.intake_phone = Some("434-972-1800".into());
        l.facets.insert("insurance".into(), vec!["medicaid".into()]);
        l.provenance.push(Provenance {
            fact: "insurance/medicaid".into(),
            source: 0,
            checked: date!(2026 - 11 - 01),
            evidence: Some("MD".into()),
        });
        l
    }

    fn site() -> Listing {
        let mut l = listing(
            "bbbbbbbbbbbb",
            WEBSITE_KIND,
            "Region Ten Community Services Board",
            "1014 E. Market St., Suite 2",
            "(434) 972-1800",
        );
        l.facets
            .insert("insurance".into(), vec!["aetna".into(), "medicaid".into()]);
        for v in ["aetna", "medicaid"] {
            l.provenance.push(Provenance {
                fact: format!("insurance/{v}"),
                source: 0,
                checked: date!(2026 - 11 - 30),
                evidence: Some("We accept Aetna and Medicaid.".into()),
            });
        }
        l
    }

    #[test]
    fn a_site_and_its_record_are_one_listing_with_both_sources() {
        let combined = combine(vec![national(), site()]);
        assert_eq!(combined.listings.len(), 1);
        assert_eq!(combined.merges.len(), 1);
        let l = &combined.listings[0];
        assert_eq!(l.id, "aaaaaaaaaaaa", "the national id is kept");
        assert_eq!(l.sources.len(), 2);
        assert_eq!(l.sources[1].kind, WEBSITE_KIND);
        // the site's phone is the provider's; the directory's kept beside it
        assert_eq!(l.phone.as_deref(), Some("(434) 972-1800"));
        let phones: Vec<&Provenance> = l.provenance.iter().filter(|p| p.fact == "phone").collect();
        assert_eq!(phones.len(), 2);
        assert_eq!(
            (phones[0].source, phones[0].checked),
            (1, date!(2026 - 11 - 30))
        );
        assert_eq!(phones[1].source, 0);
        assert_eq!(phones[1].evidence.as_deref(), Some("434-972-1745"));
        assert_eq!(phones[1].checked, date!(2026 - 11 - 01));
        // the same name: both entries, no value in evidence
        let names: Vec<&Provenance> = l.provenance.iter().filter(|p| p.fact == "name").collect();
        assert_eq!(names.len(), 2);
        assert!(names.iter().all(|p| p.evidence.is_none()));
        // insurers: the union, each with its sources
        assert!(l.has_value("insurance", "aetna") && l.has_value("insurance", "medicaid"));
        let order: Vec<usize> = l
            .values("insurance")
            .iter()
            .map(|v| Vocabulary::get().lookup("insurance", v).unwrap().id)
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "vocabulary order");
        let medicaid: Vec<usize> = l
            .provenance
            .iter()
            .filter(|p| p.fact == "insurance/medicaid")
            .map(|p| p.source)
            .collect();
        assert_eq!(medicaid, [1, 0], "the site's statement first");
        // the match and its score
        let m = l.provenance.iter().find(|p| p.fact == MATCH_FACT).unwrap();
        assert_eq!(m.source, 1);
        assert!(
            m.evidence.as_deref().unwrap().contains("score 1.00"),
            "{m:?}"
        );
    }

    #[test]
    fn findtreatment_then_the_site_merge_into_the_directory_record() {
        let mut locator = national();
        locator.id = "eeeeeeeeeeee".into();
        locator.sources[0].kind = FINDTREATMENT_KIND.into();
        locator.phone = Some("434-979-8871".into());
        locator.intake_phone = Some("434-972-1801".into());
        let combined = combine(vec![national(), locator, site()]);
        assert_eq!(combined.listings.len(), 1, "{:#?}", combined.listings);
        let kinds: Vec<&str> = combined
            .merges
            .iter()
            .map(|m| m.absorbed_kind.as_str())
            .collect();
        assert_eq!(kinds, [FINDTREATMENT_KIND, WEBSITE_KIND]);
        let l = &combined.listings[0];
        assert_eq!(l.id, "aaaaaaaaaaaa", "the directory's id is kept");
        assert_eq!(l.merged_ids, ["eeeeeeeeeeee", "bbbbbbbbbbbb"]);
        let kinds: Vec<&str> = l.sources.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, [DIRECTORY_KIND, FINDTREATMENT_KIND, WEBSITE_KIND]);
        // the site's main number shown (the directory's intake line, shown
        // once); the locator's intake line kept; the other main numbers are
        // the national records' evidence, not intake lines
        assert_eq!(l.phone.as_deref(), Some("(434) 972-1800"));
        assert_eq!(l.intake_phone.as_deref(), Some("434-972-1801"));
        assert!(
            l.more_intake_phones.is_empty(),
            "{:?}",
            l.more_intake_phones
        );
        let phone_evidence: Vec<Option<&str>> = l
            .provenance
            .iter()
            .filter(|p| p.fact == "phone")
            .map(|p| p.evidence.as_deref())
            .collect();
        assert!(
            phone_evidence.contains(&Some("434-979-8871"))
                && phone_evidence.contains(&Some("434-972-1745")),
            "each national file's own number kept: {phone_evidence:?}"
        );
    }

    #[test]
    fn a_findtreatment_record_elsewhere_stays_its_own_listing() {
        let mut locator = listing(
            "eeeeeeeeeeee",
            FINDTREATMENT_KIND,
            "Region Ten Community Services Board",
            "502 Old Lynchburg Road",
            "434-972-1800",
        );
        locator.program_name = Some("Mohr Center".into());
        let combined = combine(vec![national(), locator]);
        assert!(combined.merges.is_empty(), "another building");
        assert_eq!(combined.listings.len(), 2);
    }

    #[test]
    fn another_program_at_the_same_address_stays_its_own_listing() {
        let other = listing(
            "cccccccccccc",
            WEBSITE_KIND,
            "Piedmont Family Counseling",
            "1014 East Market Street",
            "(434) 555-0100",
        );
        let combined = combine(vec![national(), other.clone()]);
        assert!(combined.merges.is_empty());
        assert_eq!(combined.listings, vec![national(), other]);
    }

    #[test]
    fn two_site_programs_claiming_one_record_merge_with_neither() {
        let mut teen = site();
        teen.id = "dddddddddddd".into();
        let combined = combine(vec![national(), site(), teen]);
        assert!(combined.merges.is_empty());
        assert_eq!(combined.listings.len(), 3);
        assert_eq!(combined.ambiguous.len(), 2);
    }
}
