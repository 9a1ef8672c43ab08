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

/// One intensive outpatient program as the directory knows it: what sources
/// said about it, each fact with its source and check date ([`Provenance`]).
/// Serialized as JSON in the listing store and the index's doc store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Stable id: derived from the source's identity of the record (see
    /// [`stable_id`]), so the same program keeps its URL across crawls.
    pub id: String,
    /// The organization or facility name.
    pub name: String,
    /// The program's own name, when the source gives one ("Adult IOP").
    pub program_name: Option<String>,
    /// A description in the program's or the source's words, when given.
    pub description: Option<String>,
    /// Where the program meets.
    pub address: Address,
    /// The program's coordinates, and how exactly they place it; `None` when
    /// nothing (source, ZIP code or city) places it.
    pub point: Option<Point>,
    /// The main phone number, as the source wrote it (see [`crate::phone`]).
    pub phone: Option<String>,
    /// The number to call to start the program, when it differs from the main
    /// one.
    pub intake_phone: Option<String>,
    /// Further intake numbers, when the source gives more than one
    /// (SAMHSA's `intake2`), formatted as the others; never the main or the
    /// first intake number again. Empty for most listings (and absent from
    /// their JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_intake_phones: Vec<String>,
    /// The program's own website, as a URL.
    pub website: Option<String>,
    /// Facet group slug -> value slugs, in vocabulary order. Groups with no
    /// reported value are absent.
    pub facets: BTreeMap<String, Vec<String>>,
    /// Weekly sessions, days and hours, when reported.
    pub schedule: Schedule,
    /// Other levels of care the provider offers.
    pub level_of_care: LevelOfCare,
    /// Whether the program takes new clients, when a source says so.
    pub accepting_new_clients: Option<bool>,
    /// Where the facts came from; [`Provenance::source`] indexes this list.
    pub sources: Vec<Source>,
    /// The source, check date and evidence of each fact.
    pub provenance: Vec<Provenance>,
    /// True for the fictional programs of the embedded sample directory.
    #[serde(default)]
    pub sample: bool,
    /// Ids of the listings merged into this one (a provider's website
    /// listing matched to this national record, see
    /// `iop_crawler::matching::merge`): the directory answers their URLs
    /// with a permanent redirect to this listing's. Empty for most listings
    /// (and absent from their JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_ids: Vec<String>,
}

/// A postal address in the United States.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number.
    pub street: Option<String>,
    /// Suite, floor or building.
    pub street2: Option<String>,
    /// City, as the source spells it.
    pub city: String,
    /// Two-letter postal code of the state or territory.
    pub state: String,
    /// Five digits, leading zeros kept.
    pub zip: String,
}

/// A location in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Latitude, degrees north (-90 to 90).
    pub lat: f64,
    /// Longitude, degrees east (-180 to 180; negative in the Americas).
    pub lon: f64,
    /// How exactly the point places the program.
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
    /// How a person reads the precision, e.g. "approximate: centre of the ZIP
    /// code".
    pub fn describe(self) -> &'static str {
        match self {
            Precision::Exact => "exact location",
            Precision::ZipCentroid => "approximate: centre of the ZIP code",
            Precision::City => "approximate: centre of the city",
        }
    }
}

/// When and how much the program meets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Days of treatment per week (1 to 7).
    pub days_per_week: Option<u8>,
    /// Hours of treatment per week.
    pub hours_per_week: Option<f32>,
    /// Regular weekly sessions, when the source lists them.
    #[serde(default)]
    pub sessions: Vec<Session>,
    /// Typical length of the program in weeks.
    pub program_weeks: Option<u16>,
}

impl Schedule {
    /// Whether nothing about the schedule is known.
    pub fn is_empty(&self) -> bool {
        self.days_per_week.is_none()
            && self.hours_per_week.is_none()
            && self.sessions.is_empty()
            && self.program_weeks.is_none()
    }
}

/// One weekly session: a day and a start and end time (local time of the
/// program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The day of the week.
    pub weekday: Weekday,
    /// When the session starts.
    pub start: ClockTime,
    /// When the session ends (after the start).
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

    /// The session's length in hours (0 when the end is not after the start).
    pub fn hours(&self) -> f32 {
        (self.end.minutes.saturating_sub(self.start.minutes)) as f32 / 60.0
    }
}

/// A day of the week, serialized as `mon` ... `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// The seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The day's English name ("Monday").
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
    /// Minutes after midnight, 0 to 1439.
    pub minutes: u16,
}

impl ClockTime {
    /// The time `hour:minute` (24-hour), or `None` unless `hour < 24` and
    /// `minute < 60`.
    pub fn new(hour: u16, minute: u16) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then_some(ClockTime {
            minutes: hour * 60 + minute,
        })
    }

    /// A time written "HH:MM" (24-hour, "9:05" too), or `None`.
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The crawler's source kind: `samhsa-directory`, `website`, `sample`, ...
    pub kind: String,
    /// What a person would call it: "SAMHSA National Directory of Substance
    /// Use Treatment Facilities, 2023".
    pub title: String,
    /// The source's public page: the program's own web page, or the public
    /// page of the dataset (never the private or loopback address a file
    /// was read from; see [`Source::public_url`]).
    pub url: Option<String>,
    /// The record within a dataset (row, facility key).
    pub record: Option<String>,
    /// The source's own date of what it says, as it gives it: an edition
    /// year ("2023"), a published date or a file's Last-Modified date
    /// ("2025-08-19"). Not when it was read: that is each fact's
    /// [`Provenance::checked`]. `None` when the source gives no date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
}

impl Source {
    /// [`Source::url`] when it is a public web address: http(s) with a host
    /// that is a domain name with a dot or a public IP address; `None` for
    /// loopback, private, link-local and unspecified addresses and for
    /// `localhost`, `*.local`, `*.internal` and single-label hosts.
    pub fn public_url(&self) -> Option<&str> {
        self.url.as_deref().filter(|u| is_public_url(u))
    }
}

/// Whether `url` is an http(s) address that anyone could open (see
/// [`Source::public_url`]).
pub fn is_public_url(url: &str) -> bool {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return false;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 0
                || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1])))
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some())
        }
        Err(_) => {
            host.contains('.')
                && !host.ends_with(".local")
                && !host.ends_with(".localhost")
                && !host.ends_with(".internal")
                && host != "localhost"
        }
    }
}

/// Where one fact of a listing comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The fact: a field name (`name`, `address`, `phone`, `schedule`, ...) or
    /// a facet value as `group/slug` (`insurance/medicaid`).
    pub fact: String,
    /// Index into [`Listing::sources`].
    pub source: usize,
    /// The day a source last stated the fact (ISO 8601 date in JSON).
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
            more_intake_phones: Vec::new(),
            website: None,
            facets: BTreeMap::new(),
            schedule: Schedule::default(),
            level_of_care: LevelOfCare::default(),
            accepting_new_clients: None,
            sources: Vec::new(),
            provenance: Vec::new(),
            sample: false,
            merged_ids: Vec::new(),
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

    /// Whether facet group `group` has the value `slug`.
    pub fn has_value(&self, group: &str, slug: &str) -> bool {
        self.values(group).iter().any(|v| v == slug)
    }

    /// The name people should see first: "Organization: Program" when the
    /// program has a name of its own.
    pub fn display_name(&self) -> String {
        display_name(&self.name, self.program_name.as_deref())
    }
}

/// [`Listing::display_name`] from a listing's `name` and `program_name`
/// alone (what name order reads from the store).
pub fn display_name(name: &str, program_name: Option<&str>) -> String {
    match program_name {
        Some(program) if !name.contains(program) => format!("{name}: {program}"),
        _ => name.to_string(),
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
    fn only_public_addresses_are_public_urls() {
        for public in [
            "https://www.samhsa.gov/data/",
            "http://findtreatment.gov/locator",
            "https://8.8.8.8/x",
            "https://user@example.org:8443/a?b#c",
        ] {
            assert!(is_public_url(public), "{public}");
        }
        for private in [
            "http://127.0.0.1:41234/su_2022_facilities.csv",
            "http://localhost/x",
            "http://10.1.2.3/",
            "http://192.168.0.9/",
            "http://172.16.0.1/",
            "http://169.254.1.1/",
            "http://[::1]:80/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
            "http://intranet/",
            "http://printer.local/",
            "file:///data/su.csv",
            "/data/su_2022_facilities.csv",
        ] {
            assert!(!is_public_url(private), "{private}");
        }
        let source = Source {
            url: Some("http://127.0.0.1:9/x.csv".into()),
            ..Source::default()
        };
        assert_eq!(source.public_url(), None);
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
