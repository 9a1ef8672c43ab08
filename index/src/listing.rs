//! The normalized listing: one intensive outpatient program as the directory
//! knows it, with the source and check date of every fact.
//!
//! Listings are what the crawler produces, what the listing store keeps and
//! what the index is built from. Facet values are vocabulary slugs, grouped by
//! facet group slug. A fact that no source reported is absent (`None`, or no
//! values in a group): the site shows it as "not reported", never guessed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::Date;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Stable id: derived from the source's identity of the record (see
    /// [`stable_id`]), so the same program keeps its URL across crawls.
    pub id: String,
    /// The organization or facility name.
    pub name: String,
    /// The program's own name, when the source gives one ("Adult IOP").
    pub program_name: Option<String>,
    pub description: Option<String>,
    pub address: Address,
    pub point: Option<Point>,
    pub phone: Option<String>,
    pub intake_phone: Option<String>,
    pub website: Option<String>,
    /// Facet group slug -> value slugs, in vocabulary order. Groups with no
    /// reported value are absent.
    pub facets: BTreeMap<String, Vec<String>>,
    pub schedule: Schedule,
    pub level_of_care: LevelOfCare,
    pub accepting_new_clients: Option<bool>,
    /// Where the facts came from; [`Provenance::source`] indexes this list.
    pub sources: Vec<Source>,
    /// The source, check date and evidence of each fact.
    pub provenance: Vec<Provenance>,
    /// True for the fictional programs of the embedded sample directory.
    #[serde(default)]
    pub sample: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub street2: Option<String>,
    pub city: String,
    /// Two-letter postal code of the state or territory.
    pub state: String,
    /// Five digits, leading zeros kept.
    pub zip: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    pub precision: Precision,
}

/// How exactly a point places the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// The program's own coordinates (from the source).
    Exact,
    /// The centroid of the program's ZIP code.
    ZipCentroid,
    /// The centre of the program's city.
    City,
}

impl Precision {
    pub fn describe(self) -> &'static str {
        match self {
            Precision::Exact => "exact location",
            Precision::ZipCentroid => "approximate: centre of the ZIP code",
            Precision::City => "approximate: centre of the city",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub days_per_week: Option<u8>,
    pub hours_per_week: Option<f32>,
    /// Regular weekly sessions, when the source lists them.
    #[serde(default)]
    pub sessions: Vec<Session>,
    /// Typical length of the program in weeks.
    pub program_weeks: Option<u16>,
}

impl Schedule {
    pub fn is_empty(&self) -> bool {
        self.days_per_week.is_none()
            && self.hours_per_week.is_none()
            && self.sessions.is_empty()
            && self.program_weeks.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub weekday: Weekday,
    pub start: ClockTime,
    pub end: ClockTime,
}

impl Session {
    /// The schedule track (a `schedule` facet slug) this session belongs to:
    /// weekend on Saturday and Sunday, evening from 4 pm, daytime otherwise.
    pub fn track(&self) -> &'static str {
        if matches!(self.weekday, Weekday::Sat | Weekday::Sun) {
            "weekend"
        } else if self.start.minutes >= 16 * 60 {
            "evening"
        } else {
            "daytime"
        }
    }

    pub fn hours(&self) -> f32 {
        (self.end.minutes.saturating_sub(self.start.minutes)) as f32 / 60.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "Monday",
            Weekday::Tue => "Tuesday",
            Weekday::Wed => "Wednesday",
            Weekday::Thu => "Thursday",
            Weekday::Fri => "Friday",
            Weekday::Sat => "Saturday",
            Weekday::Sun => "Sunday",
        }
    }
}

/// A time of day, minutes after midnight; written "HH:MM" (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime {
    pub minutes: u16,
}

impl ClockTime {
    pub fn new(hour: u16, minute: u16) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then_some(ClockTime {
            minutes: hour * 60 + minute,
        })
    }

    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.split_once(':')?;
        ClockTime::new(h.parse().ok()?, m.parse().ok()?)
    }

    /// "6:30 pm": how a person reads it.
    pub fn to_12h(self) -> String {
        let (h, m) = (self.minutes / 60, self.minutes % 60);
        let suffix = if h < 12 { "am" } else { "pm" };
        let h12 = match h % 12 {
            0 => 12,
            h => h,
        };
        format!("{h12}:{m:02} {suffix}")
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ClockTime::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a time HH:MM")))
    }
}

/// Levels of care besides the IOP itself (every listing is an IOP).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelOfCare {
    /// Also offers partial hospitalization (PHP / day treatment).
    pub php: Option<bool>,
    /// Also offers standard outpatient care to step down to.
    pub outpatient: Option<bool>,
}

/// One source of facts about a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The crawler's source kind: `samhsa-directory`, `website`, `sample`, ...
    pub kind: String,
    /// What a person would call it: "SAMHSA National Directory of Substance
    /// Use Treatment Facilities, 2022".
    pub title: String,
    /// Where it was read, when it has an address.
    pub url: Option<String>,
    /// The record within a dataset (row, facility key).
    pub record: Option<String>,
}

/// Where one fact of a listing comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The fact: a field name (`name`, `address`, `phone`, `schedule`, ...) or
    /// a facet value as `group/slug` (`insurance/medicaid`).
    pub fact: String,
    /// Index into [`Listing::sources`].
    pub source: usize,
    #[serde(with = "iso_date")]
    pub checked: Date,
    /// The words in the source that state the fact, when it was extracted
    /// from prose or a code list.
    pub evidence: Option<String>,
}

impl Listing {
    /// A listing of which only the id, name and address are known: every
    /// other fact not reported, no sources yet, not sample data.
    pub fn new(id: impl Into<String>, name: impl Into<String>, address: Address) -> Listing {
        Listing {
            id: id.into(),
            name: name.into(),
            program_name: None,
            description: None,
            address,
            point: None,
            phone: None,
            intake_phone: None,
            website: None,
            facets: BTreeMap::new(),
            schedule: Schedule::default(),
            level_of_care: LevelOfCare::default(),
            accepting_new_clients: None,
            sources: Vec::new(),
            provenance: Vec::new(),
            sample: false,
        }
    }

    /// The source and provenance of `fact`, if any source reported it.
    pub fn provenance_of(&self, fact: &str) -> Option<(&Provenance, &Source)> {
        self.provenance
            .iter()
            .find(|p| p.fact == fact)
            .and_then(|p| self.sources.get(p.source).map(|s| (p, s)))
    }

    /// The latest date on which any fact of this listing was checked.
    pub fn last_checked(&self) -> Option<Date> {
        self.provenance.iter().map(|p| p.checked).max()
    }

    /// The value slugs of facet group `group` (empty when not reported).
    pub fn values(&self, group: &str) -> &[String] {
        self.facets.get(group).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has_value(&self, group: &str, slug: &str) -> bool {
        self.values(group).iter().any(|v| v == slug)
    }

    /// The name people should see first: "Organization: Program" when the
    /// program has a name of its own.
    pub fn display_name(&self) -> String {
        match &self.program_name {
            Some(program) if !self.name.contains(program.as_str()) => {
                format!("{}: {}", self.name, program)
            }
            _ => self.name.clone(),
        }
    }
}

/// A stable listing id from a source kind and the source's identity of the
/// record (a facility key, a page URL): 12 hex digits of FNV-1a 64 over both.
/// The function is fixed forever; changing it would break every shared link.
pub fn stable_id(source_kind: &str, identity: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in source_kind.bytes().chain([0u8]).chain(identity.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:012x}", hash >> 16)
}

/// Is `id` shaped like a listing id? (Checked before any lookup.)
pub fn is_listing_id(id: &str) -> bool {
    id.len() == 12
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_are_fixed_and_distinct() {
        // Pinned: these ids are in URLs people have shared.
        assert_eq!(
            stable_id("sample", "sample-0001"),
            stable_id("sample", "sample-0001")
        );
        assert_ne!(stable_id("sample", "a"), stable_id("sample", "b"));
        assert_ne!(stable_id("a", "b"), stable_id("ab", ""));
        assert!(is_listing_id(&stable_id("x", "y")));
        assert_eq!(stable_id("sample", "sample-0001"), "ee370b40424e");
    }

    #[test]
    fn sessions_fall_into_tracks() {
        let s = |d, a, b| Session {
            weekday: d,
            start: ClockTime::parse(a).unwrap(),
            end: ClockTime::parse(b).unwrap(),
        };
        assert_eq!(s(Weekday::Mon, "09:00", "12:00").track(), "daytime");
        assert_eq!(s(Weekday::Tue, "16:00", "19:00").track(), "evening");
        assert_eq!(s(Weekday::Sat, "18:00", "21:00").track(), "weekend");
        assert_eq!(s(Weekday::Mon, "18:00", "21:00").hours(), 3.0);
    }

    #[test]
    fn clock_times_round_trip_and_read_as_people_say_them() {
        let t = ClockTime::parse("18:30").unwrap();
        assert_eq!(t.to_string(), "18:30");
        assert_eq!(t.to_12h(), "6:30 pm");
        assert_eq!(ClockTime::parse("00:05").unwrap().to_12h(), "12:05 am");
        assert!(ClockTime::parse("24:00").is_none());
        assert!(ClockTime::parse("9").is_none());
    }
}
