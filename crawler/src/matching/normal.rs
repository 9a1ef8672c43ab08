//! The normal forms the matcher compares: street addresses (number and street
//! name, USPS abbreviations, unit designators dropped), names (legal-form
//! words dropped, common abbreviations spelt out) and phone numbers (ten
//! digits, extension dropped).
//!
//! The suffix and directional tables are those of USPS Publication 28
//! (appendix C1, street suffixes; section 233, directionals), limited to
//! the suffixes treatment facilities' addresses use. The records come with
//! their street already in its own field, so no address parser is needed:
//! a table of words is enough.

use iop_index::phone::Phone;

/// Street suffixes as USPS abbreviates them (Publication 28, C1): the
/// written word and its standard abbreviation.
const SUFFIXES: &[(&str, &str)] = &[
    ("alley", "aly"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("boulevard", "blvd"),
    ("circle", "cir"),
    ("court", "ct"),
    ("cove", "cv"),
    ("crossing", "xing"),
    ("drive", "dr"),
    ("expressway", "expy"),
    ("freeway", "fwy"),
    ("highway", "hwy"),
    ("lane", "ln"),
    ("parkway", "pkwy"),
    ("pike", "pike"),
    ("place", "pl"),
    ("plaza", "plz"),
    ("point", "pt"),
    ("road", "rd"),
    ("route", "rte"),
    ("square", "sq"),
    ("street", "st"),
    ("str", "st"),
    ("terrace", "ter"),
    ("trail", "trl"),
    ("turnpike", "tpke"),
    ("way", "way"),
    ("center", "ctr"),
    ("centre", "ctr"),
    ("mount", "mt"),
    ("saint", "st"),
    ("fort", "ft"),
];

/// Directionals (Publication 28, 233).
const DIRECTIONALS: &[(&str, &str)] = &[
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("southeast", "se"),
    ("southwest", "sw"),
];

/// Words that start a unit within the street line ("Suite 5", "Bldg C",
/// "#12"): the unit and what follows it are not part of the street.
const UNIT_WORDS: &[&str] = &[
    "suite",
    "ste",
    "unit",
    "apt",
    "apartment",
    "building",
    "bldg",
    "floor",
    "fl",
    "room",
    "rm",
    "office",
    "ofc",
    "#",
];

/// Unit words after which comes a suite's or office's own number (not a
/// building's or floor's).
const SUITE_WORDS: &[&str] = &[
    "suite",
    "ste",
    "unit",
    "apt",
    "apartment",
    "room",
    "rm",
    "office",
    "ofc",
    "#",
];

/// The suite, unit or office number of an address ("9960 Business Park Dr.
/// #160" and "Suite 160" are both "160"; "Suite 14-A" is "14-a"), from the
/// street line or the second line, lowercase; `None` when neither names one.
pub fn unit_of(lines: &[&str]) -> Option<String> {
    for line in lines {
        let lower = line.to_lowercase().replace('#', " # ");
        let mut words = lower
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty());
        while let Some(word) = words.next() {
            if SUITE_WORDS.contains(&word.trim_end_matches('.')) {
                let unit: String = words
                    .next()?
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '-')
                    .collect();
                if unit.chars().any(|c| c.is_ascii_digit()) {
                    return Some(unit);
                }
            }
        }
    }
    None
}

/// A street address reduced to what identifies the building: its number
/// and its street name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetKey {
    /// The house number as written, lowercase, hyphens and letters kept
    /// ("1014", "74-5062", "152-a"): "152-A" and "152" are two buildings.
    pub number: String,
    /// The street name's words, USPS-abbreviated ("e market st").
    pub name: Vec<String>,
}

impl StreetKey {
    /// The key of a street line ("1014 East Market Street, Suite 2"), or
    /// `None` when it has no house number (a PO Box, a building name).
    pub fn parse(street: &str) -> Option<StreetKey> {
        let lower = street.to_lowercase();
        // "#12" and "Suite 5" end the street; commas separate a unit too
        let lower = lower.replace('#', " # ");
        let mut words = lower
            .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty());
        let number = words.next()?;
        if !number.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let mut name = Vec::new();
        for word in words {
            if UNIT_WORDS.contains(&word) {
                break;
            }
            let word: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
            if word.is_empty() {
                continue;
            }
            name.push(abbreviate(&word).to_string());
        }
        if name.is_empty() {
            return None;
        }
        Some(StreetKey {
            number: number.to_string(),
            name,
        })
    }

    /// How far two street keys agree: the same house number and the same
    /// street name (spaces ignored: "Tan Bark" is "Tanbark") is
    /// [`StreetAgreement::Same`]; the same with directionals ignored
    /// ("44447 North 10th Street West" and "44447 10th Street West") is
    /// [`StreetAgreement::SameWithoutDirectionals`]; anything else differs.
    pub fn agreement(&self, other: &StreetKey) -> StreetAgreement {
        if self.number != other.number {
            return StreetAgreement::Different;
        }
        if self.name.concat() == other.name.concat() {
            return StreetAgreement::Same;
        }
        let bare = |k: &StreetKey| -> String {
            k.name
                .iter()
                .filter(|w| !DIRECTIONALS.iter().any(|(_, d)| d == w))
                .map(String::as_str)
                .collect()
        };
        let (a, b) = (bare(self), bare(other));
        if !a.is_empty() && a == b {
            StreetAgreement::SameWithoutDirectionals
        } else {
            StreetAgreement::Different
        }
    }
}

/// How two street addresses agree ([`StreetKey::agreement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StreetAgreement {
    /// Another building (or no number on one side).
    Different,
    /// The same number and street once directionals are dropped.
    SameWithoutDirectionals,
    /// The same number and street.
    Same,
}

fn abbreviate(word: &str) -> &str {
    SUFFIXES
        .iter()
        .chain(DIRECTIONALS)
        .find(|(long, _)| *long == word)
        .map(|(_, short)| *short)
        .unwrap_or(word)
}

/// Legal-form and filler words that say nothing about which facility a
/// name means.
const NAME_STOPWORDS: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "lp",
    "llp",
    "pc",
    "pllc",
    "ltd",
    "corp",
    "corporation",
    "co",
    "company",
    "the",
    "of",
    "and",
    "dba",
    "at",
    "for",
    "a",
    "an",
    "in",
];

/// Abbreviations the directories write, spelt out.
const NAME_ABBREVIATIONS: &[(&str, &str)] = &[
    ("ctr", "center"),
    ("cntr", "center"),
    ("centre", "center"),
    ("trt", "treatment"),
    ("comp", "comprehensive"),
    ("hosp", "hospital"),
    ("svcs", "services"),
    ("servs", "services"),
    ("serv", "services"),
    ("svc", "services"),
    ("outpt", "outpatient"),
    ("behav", "behavioral"),
    ("bh", "behavioral health"),
    ("assn", "association"),
    ("comm", "community"),
    ("dept", "department"),
    ("univ", "university"),
    ("med", "medical"),
    ("alc", "alcohol"),
    ("subst", "substance"),
    ("resid", "residential"),
    ("st", "saint"),
    ("mt", "mount"),
    ("iop", "intensive outpatient"),
    ("op", "outpatient"),
];

/// Words common to facility names: they count, but less than the words
/// that tell one facility from another ([`GENERIC_WEIGHT`]).
const GENERIC_WORDS: &[&str] = &[
    "center",
    "centers",
    "services",
    "service",
    "treatment",
    "recovery",
    "health",
    "healthcare",
    "behavioral",
    "mental",
    "community",
    "counseling",
    "program",
    "programs",
    "clinic",
    "outpatient",
    "intensive",
    "substance",
    "abuse",
    "addiction",
    "addictions",
    "care",
    "hospital",
    "medical",
    "board",
    "family",
    "adult",
    "adults",
    "systems",
    "system",
    "office",
    "county",
    "wellness",
    "alcohol",
    "drug",
    "council",
    "association",
];

/// The weight of a generic word ([`GENERIC_WORDS`]) against 1.0 for any
/// other word.
pub const GENERIC_WEIGHT: f32 = 0.3;

/// A name's words: lowercase, split at anything not a letter or digit,
/// abbreviations spelt out, legal-form words dropped ("Integrity House
/// Inc" -> `integrity house`).
pub fn name_words(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut out = Vec::new();
    for word in lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
    {
        let word = word.replace('\'', "");
        let spelt = NAME_ABBREVIATIONS
            .iter()
            .find(|(short, _)| *short == word)
            .map(|(_, long)| *long)
            .unwrap_or(&word);
        for w in spelt.split(' ') {
            if !NAME_STOPWORDS.contains(&w) && !out.iter().any(|o| o == w) {
                out.push(w.to_string());
            }
        }
    }
    out
}

fn weight(word: &str) -> f32 {
    if GENERIC_WORDS.contains(&word) {
        GENERIC_WEIGHT
    } else {
        1.0
    }
}

/// Whether two words are the same word, allowing a typo in a long word
/// ("Heathcare", "Healthcare": Jaro-Winkler at least 0.93 for words of
/// five letters or more).
fn same_word(a: &str, b: &str) -> bool {
    a == b || (a.len() >= 5 && b.len() >= 5 && strsim::jaro_winkler(a, b) >= 0.93)
}

/// How alike two names are, 0 to 1: the mean of the weighted Dice
/// coefficient and the weighted overlap coefficient of their words
/// ([`name_words`]), generic words weighing [`GENERIC_WEIGHT`]. The overlap
/// term lets a name that adds words ("Ambrosia Treatment Center, Ambrosia
/// of the Palm Beaches") still match the shorter one. 0 when either has no
/// words.
pub fn name_similarity(a: &[String], b: &[String]) -> f32 {
    let total = |ws: &[String]| ws.iter().map(|w| weight(w)).sum::<f32>();
    let (wa, wb) = (total(a), total(b));
    if wa == 0.0 || wb == 0.0 {
        return 0.0;
    }
    let shared: f32 = a
        .iter()
        .filter(|w| b.iter().any(|o| same_word(w, o)))
        .map(|w| weight(w))
        .sum();
    let dice = 2.0 * shared / (wa + wb);
    let overlap = (shared / wa.min(wb)).min(1.0);
    (dice + overlap) / 2.0
}

/// Whether every word of `part` is among `whole`'s (typos allowed).
pub fn words_within(part: &[String], whole: &[String]) -> bool {
    !part.is_empty() && part.iter().all(|w| whole.iter().any(|o| same_word(w, o)))
}

/// The ten digits of a phone number as [`Phone::parse`] reads it, without
/// its extension ("540-217-6366 x110" -> `5402176366`); `None` when it is
/// not a valid number.
pub fn phone_digits(text: &str) -> Option<String> {
    Phone::parse(text).map(|p| p.digits)
}

/// A ZIP code's five digits ("22903-1234" -> "22903"), or `None`.
pub fn zip5(zip: &str) -> Option<String> {
    let digits: String = zip.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 5).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_either_line() {
        assert_eq!(
            unit_of(&["9960 Business Park Dr. #160"]).as_deref(),
            Some("160")
        );
        assert_eq!(
            unit_of(&["9960 Business Park Drive", "Suite 160"]).as_deref(),
            Some("160")
        );
        assert_eq!(
            unit_of(&["369 Lexington Ave, Ste. 14-A"]).as_deref(),
            Some("14-a")
        );
        assert_eq!(unit_of(&["44447 10th Street West", "Building C"]), None);
        assert_eq!(unit_of(&["1014 East Market Street"]), None);
    }

    #[test]
    fn streets_reduce_to_number_and_usps_name() {
        let k = StreetKey::parse("1014 East Market Street").unwrap();
        assert_eq!(k.number, "1014");
        assert_eq!(k.name, ["e", "market", "st"]);
        assert_eq!(
            StreetKey::parse("1014 E. Market St, Suite 2").unwrap(),
            k,
            "abbreviations and the unit"
        );
        assert_eq!(
            StreetKey::parse("103 S Pantops Dr #102").unwrap().name,
            ["s", "pantops", "dr"]
        );
        assert!(StreetKey::parse("PO Box 12").is_none());
        assert!(StreetKey::parse("Building 4").is_none());
    }

    #[test]
    fn street_agreement_tells_buildings_apart() {
        let k = |s| StreetKey::parse(s).unwrap();
        use StreetAgreement::*;
        assert_eq!(k("71 Tan Bark Plaza").agreement(&k("71 Tanbark Plz")), Same);
        assert_eq!(
            k("44447 North 10th Street West").agreement(&k("44447 10th Street West")),
            SameWithoutDirectionals
        );
        assert_eq!(
            k("152-A Highway 7 South").agreement(&k("152 Highway 7 South")),
            Different
        );
        assert_eq!(
            k("504 Old Lynchburg Road").agreement(&k("500 Old Lynchburg Road")),
            Different
        );
        assert_eq!(
            k("74-5062 Onipaa Street").agreement(&k("74-5620 Palani Road")),
            Different
        );
    }

    #[test]
    fn names_lose_legal_forms_and_gain_their_words() {
        assert_eq!(name_words("Integrity House Inc"), ["integrity", "house"]);
        assert_eq!(
            name_words("East Portland Comp Trt Ctr"),
            ["east", "portland", "comprehensive", "treatment", "center"]
        );
        assert_eq!(name_words("The Women's Center, LLC"), ["womens", "center"]);
    }

    #[test]
    fn name_similarity_weighs_distinctive_words() {
        let s = |a: &str, b: &str| name_similarity(&name_words(a), &name_words(b));
        assert!(s("CMI Healthcare Services", "CMI Heathcare Services") > 0.9);
        assert!(
            s(
                "Ambrosia of the Palm Beaches",
                "Ambrosia Treatment Center Ambrosia of the Palm Beaches"
            ) > 0.8
        );
        // sharing only generic words is far from a match
        assert!(
            s(
                "Substance Abuse Services Center",
                "Area Substance Abuse Council"
            ) < 0.5
        );
        assert_eq!(s("PACT", "Valley Community Services Board"), 0.0);
        assert_eq!(s("", "PACT"), 0.0);
    }

    #[test]
    fn phones_compare_by_their_ten_digits() {
        assert_eq!(
            phone_digits("540-217-6366 x110").as_deref(),
            Some("5402176366")
        );
        assert_eq!(
            phone_digits("(540) 217-6366").as_deref(),
            Some("5402176366")
        );
        assert_eq!(phone_digits("call us"), None);
        assert_eq!(zip5("22903-1234").as_deref(), Some("22903"));
        assert_eq!(zip5("2290"), None);
    }
}
