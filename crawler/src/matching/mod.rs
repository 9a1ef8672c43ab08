//! Matching a facility from one source to its record in another: is the
//! program a provider's website describes the one SAMHSA's directory (or
//! FindTreatment, or an HSDS feed) lists?
//!
//! A pure library: [`Matcher::new`] indexes the records to match against
//! (the national ones), [`Matcher::best`] finds the one record a facility
//! matches, if any, with its [`Score`]. Nothing here reads files or the
//! network.
//!
//! **The rule**, chosen for precision (a wrong merge shows one program's
//! facts under another's name; a missed one only leaves two listings):
//!
//! 1. *Blocking*: only records that share the facility's ZIP code or one of
//!    its phone numbers are compared (a phone shared by more than
//!    [`CENTRAL_LINE_BLOCK`] records is not used to block), so matching
//!    costs a few comparisons per facility, whatever the number of records.
//! 2. *The building must agree*: the same house number and street name
//!    ([`normal::StreetKey`]: USPS abbreviations, suites and units
//!    ignored), and the same ZIP code, or the same city and state (ZIP codes
//!    get renumbered). A facility that moved is not matched.
//! 3. *Two programs in one building are not one*: when both records name a
//!    program or unit (`program_name`, SAMHSA's `name2`) and the two names
//!    have too little in common ([`PROGRAM_CONFLICT_BELOW`]), and neither is
//!    within the other's full name, the pair is refused.
//! 4. *The score*: [`NAME_WEIGHT`] x name similarity
//!    ([`normal::name_similarity`] of name and program name) +
//!    [`PHONE_WEIGHT`] x the weight of a shared phone number (1 for a number
//!    only one building has; less for a central intake line that many
//!    buildings share: 1 / the number of buildings), + [`UNIT_WEIGHT`]
//!    when both give the same suite. A match needs
//!    [`THRESHOLD`]: the same name alone, or a shared number of its own and
//!    a name with something distinctive in common.
//!
//! Measured on 93 labelled real pairs (crawler/tests/fixtures/
//! record-pairs.labels.toml; BENCHMARKS.md, issue 10).

pub mod merge;
pub mod normal;

use iop_index::Listing;
pub use normal::StreetAgreement;
use normal::{name_similarity, name_words, phone_digits, words_within, zip5, StreetKey};
use std::collections::{BTreeSet, HashMap};

/// The least score of a match. Above it: the same name (similarity 0.95
/// or more) at the same building, or a shared phone number of its own
/// (weight 1) and a name with a distinctive word in common (similarity
/// 0.28 or more). Chosen for precision on the labelled pairs: at 0.5 one
/// labelled pair of two programs at one address merged.
pub const THRESHOLD: f32 = 0.57;

/// The weight of name similarity in the score.
pub const NAME_WEIGHT: f32 = 0.6;

/// The weight of a shared phone number in the score.
pub const PHONE_WEIGHT: f32 = 0.4;

/// Added to the score when both give the same suite (unit, office): the
/// same door, not only the same building. Chosen after the real website
/// pairs were labelled: New Dawn's site and the directory name its
/// Sacramento program alike (0.83) at "#160" and "Suite 160", with no
/// number in common (the site gives only its toll-free line).
pub const UNIT_WEIGHT: f32 = 0.1;

/// Program names less alike than this (both given) are two programs.
pub const PROGRAM_CONFLICT_BELOW: f32 = 0.5;

/// A phone number on more records than this is a central line: it does not
/// make a block of candidates (blocks stay small).
pub const CENTRAL_LINE_BLOCK: usize = 50;

/// What the matcher reads of a facility: name, address and phones as the
/// source gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facility {
    /// The organization or facility name (SAMHSA's `name1`).
    pub name: String,
    /// The program's or unit's own name (SAMHSA's `name2`), if any.
    pub program_name: Option<String>,
    /// The street line: number and street.
    pub street: Option<String>,
    /// City.
    pub city: String,
    /// Two-letter state code.
    pub state: String,
    /// ZIP code (five digits; ZIP+4 is cut to five).
    pub zip: String,
    /// Phone numbers as written (main, intake); invalid ones are ignored.
    pub phones: Vec<String>,
    /// The suite, unit or office number ([`normal::unit_of`]), if any.
    pub unit: Option<String>,
    /// Further numbers as written (second intake lines, SAMHSA's `intake2`):
    /// they find candidates and count the buildings a number serves, but a
    /// number shared only through them adds nothing to the score. A second
    /// intake line is often the organization's central line: counted, it
    /// merged a board's office with its program at the same address (one
    /// labelled pair) and found no match the other numbers miss.
    pub other_phones: Vec<String>,
}

impl Facility {
    /// The facility a listing describes: its name, program name, street,
    /// city, state, ZIP, phone and intake phone (further intake phones as
    /// [`Facility::other_phones`]).
    pub fn of_listing(listing: &Listing) -> Facility {
        Facility {
            name: listing.name.clone(),
            program_name: listing.program_name.clone(),
            street: listing.address.street.clone(),
            city: listing.address.city.clone(),
            state: listing.address.state.clone(),
            zip: listing.address.zip.clone(),
            phones: [&listing.phone, &listing.intake_phone]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            unit: normal::unit_of(
                &[&listing.address.street, &listing.address.street2]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
            other_phones: listing.more_intake_phones.clone(),
        }
    }
}

/// A facility in the matcher's normal forms.
#[derive(Debug, Clone)]
struct Keyed {
    words: Vec<String>,
    program_words: Vec<String>,
    street: Option<StreetKey>,
    unit: Option<String>,
    city: String,
    state: String,
    zip: Option<String>,
    phones: BTreeSet<String>,
    other_phones: BTreeSet<String>,
}

impl Keyed {
    fn new(f: &Facility) -> Keyed {
        let mut words = name_words(&f.name);
        let program_words = f
            .program_name
            .as_deref()
            .map(name_words)
            .unwrap_or_default();
        for w in &program_words {
            if !words.contains(w) {
                words.push(w.clone());
            }
        }
        Keyed {
            words,
            program_words,
            street: f.street.as_deref().and_then(StreetKey::parse),
            unit: f.unit.clone(),
            city: f.city.trim().to_lowercase(),
            state: f.state.trim().to_uppercase(),
            zip: zip5(f.zip.trim()),
            phones: f.phones.iter().filter_map(|p| phone_digits(p)).collect(),
            other_phones: f
                .other_phones
                .iter()
                .filter_map(|p| phone_digits(p))
                .collect(),
        }
    }

    /// The building's identity, for counting the buildings a number serves.
    fn building(&self) -> Option<(String, String, Option<String>)> {
        self.street
            .as_ref()
            .map(|s| (s.number.clone(), s.name.concat(), self.zip.clone()))
    }
}

/// How two facilities compare: each part of the rule and the total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// How the street addresses agree.
    pub street: StreetAgreement,
    /// Whether the ZIP codes, or else city and state, agree.
    pub place: bool,
    /// Both give a suite (unit, office) and it is the same one.
    pub unit: bool,
    /// Both name a program and the names differ: two programs.
    pub program_conflict: bool,
    /// Name similarity, 0 to 1.
    pub name: f32,
    /// The weight of the best shared phone number, 0 (none shared) to 1 (a
    /// number only one building has).
    pub phone: f32,
    /// [`NAME_WEIGHT`] x `name` + [`PHONE_WEIGHT`] x `phone` (+
    /// [`UNIT_WEIGHT`] for the same suite), 0 to 1.1.
    pub total: f32,
}

impl Score {
    /// Whether the pair is one facility: the building agrees, no program
    /// conflict, and the total reaches [`THRESHOLD`].
    pub fn is_match(&self) -> bool {
        self.street != StreetAgreement::Different
            && self.place
            && !self.program_conflict
            && self.total >= THRESHOLD
    }
}

/// A facility's match: the index of the record it matches (in the order
/// given to [`Matcher::new`]) and the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Index of the matched record.
    pub record: usize,
    /// How they compared.
    pub score: Score,
}

/// The records to match against, indexed by ZIP code and phone number.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    records: Vec<Keyed>,
    by_zip: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    /// phone digits -> how many distinct buildings carry the number
    buildings_per_phone: HashMap<String, usize>,
}

impl Matcher {
    /// Index `records` (the national ones) for matching. Linear in their
    /// number.
    pub fn new<'a>(records: impl IntoIterator<Item = &'a Facility>) -> Matcher {
        let mut m = Matcher::default();
        let mut buildings: HashMap<String, BTreeSet<(String, String, Option<String>)>> =
            HashMap::new();
        for (i, f) in records.into_iter().enumerate() {
            let k = Keyed::new(f);
            if let Some(zip) = &k.zip {
                m.by_zip.entry(zip.clone()).or_default().push(i);
            }
            for p in k.phones.union(&k.other_phones) {
                m.by_phone.entry(p.clone()).or_default().push(i);
                if let Some(b) = k.building() {
                    buildings.entry(p.clone()).or_default().insert(b);
                }
            }
            m.records.push(k);
        }
        m.buildings_per_phone = buildings.into_iter().map(|(p, b)| (p, b.len())).collect();
        m
    }

    /// How many records are indexed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The indexes of the records that share `facility`'s ZIP code or one of
    /// its phone numbers (a central line's block is skipped), ascending.
    pub fn candidates(&self, facility: &Facility) -> Vec<usize> {
        self.candidates_of(&Keyed::new(facility))
    }

    fn candidates_of(&self, k: &Keyed) -> Vec<usize> {
        let mut out = BTreeSet::new();
        if let Some(block) = k.zip.as_ref().and_then(|z| self.by_zip.get(z)) {
            out.extend(block);
        }
        for p in k.phones.union(&k.other_phones) {
            if let Some(block) = self.by_phone.get(p) {
                if block.len() <= CENTRAL_LINE_BLOCK {
                    out.extend(block);
                }
            }
        }
        out.into_iter().collect()
    }

    /// The weight of a shared number: 1 / the number of buildings among the
    /// records that carry it (at least 1).
    fn phone_weight(&self, phone: &str) -> f32 {
        let n = self
            .buildings_per_phone
            .get(phone)
            .copied()
            .unwrap_or(0)
            .max(1);
        1.0 / n as f32
    }

    /// How `facility` compares with record `record` (an index into the
    /// records given to [`Matcher::new`]; panics when out of range).
    pub fn score(&self, facility: &Facility, record: usize) -> Score {
        self.score_keyed(&Keyed::new(facility), &self.records[record])
    }

    fn score_keyed(&self, a: &Keyed, b: &Keyed) -> Score {
        let street = match (&a.street, &b.street) {
            (Some(x), Some(y)) => x.agreement(y),
            _ => StreetAgreement::Different,
        };
        let place = match (&a.zip, &b.zip) {
            (Some(x), Some(y)) if x == y => true,
            _ => !a.city.is_empty() && a.city == b.city && a.state == b.state,
        };
        let program_conflict = !a.program_words.is_empty()
            && !b.program_words.is_empty()
            && name_similarity(&a.program_words, &b.program_words) < PROGRAM_CONFLICT_BELOW
            && !words_within(&a.program_words, &b.words)
            && !words_within(&b.program_words, &a.words);
        let unit = a.unit.is_some() && a.unit == b.unit;
        let name = name_similarity(&a.words, &b.words);
        let phone = a
            .phones
            .intersection(&b.phones)
            .map(|p| self.phone_weight(p))
            .fold(0.0, f32::max);
        Score {
            street,
            place,
            unit,
            program_conflict,
            name,
            phone,
            total: NAME_WEIGHT * name + PHONE_WEIGHT * phone + if unit { UNIT_WEIGHT } else { 0.0 },
        }
    }

    /// The record `facility` matches, if any: among the candidates that
    /// match ([`Score::is_match`]), the highest total (the lowest index on a
    /// tie).
    pub fn best(&self, facility: &Facility) -> Option<Match> {
        let k = Keyed::new(facility);
        let mut best: Option<Match> = None;
        for i in self.candidates_of(&k) {
            let score = self.score_keyed(&k, &self.records[i]);
            if score.is_match() && best.is_none_or(|b| score.total > b.score.total) {
                best = Some(Match { record: i, score });
            }
        }
        best
    }
}
