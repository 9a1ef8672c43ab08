//! Reading a listing from its stored JSON for a list of results, without
//! decoding its provenance entry by entry.
//!
//! A listing's provenance (one entry per fact, each with a fact name, a
//! source, a check date and often the source's words) is most of its JSON,
//! and a results list needs none of it except the latest check date
//! ([`Listing::last_checked`]). Decoding those lists was a sixth of a search
//! API answer over a million listings, which decodes its 20 listings from the
//! doc store on every request. [`for_results`] reads every entry's check
//! date and keeps only the first entry of the latest one, decoded; the other
//! entries are read in place (their strings borrowed, not copied).

use crate::listing::{Address, LevelOfCare, Listing, Point, Provenance, Schedule, Source};
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use time::{Date, Month};

/// The listing stored as `json`, for a list of results: every field as
/// [`Listing`]'s own decoding gives it except `provenance`, which holds only
/// the first of its entries checked on the latest date (so
/// [`Listing::last_checked`] is the same; [`Listing::provenance_of`] is not).
///
/// # Errors
/// What decoding the whole listing would report, for JSON that is not a
/// listing or a check date that is not a date.
pub(crate) fn for_results(json: &[u8]) -> serde_json::Result<Listing> {
    // checked as UTF-8 in one pass, not string by string
    let json = std::str::from_utf8(json).map_err(serde::de::Error::custom)?;
    let stored: StoredForResults = serde_json::from_str(json)?;
    // (every field named: a field added to `Listing` must be added here)
    let StoredForResults {
        id,
        name,
        program_name,
        description,
        address,
        point,
        phone,
        intake_phone,
        more_intake_phones,
        website,
        facets,
        schedule,
        level_of_care,
        accepting_new_clients,
        sources,
        provenance,
        sample,
        merged_ids,
    } = stored;
    let provenance = provenance
        .latest
        .map(|(p, checked)| Provenance {
            fact: p.fact.0.into_owned(),
            source: p.source,
            checked,
            evidence: p.evidence.map(|e| e.0.into_owned()),
        })
        .into_iter()
        .collect();
    Ok(Listing {
        id,
        name,
        program_name,
        description,
        address,
        point,
        phone,
        intake_phone,
        more_intake_phones,
        website,
        facets,
        schedule,
        level_of_care,
        accepting_new_clients,
        sources,
        provenance,
        sample,
        merged_ids,
    })
}

/// [`Listing`]'s fields with their serde attributes, `provenance` aside.
#[derive(Deserialize)]
struct StoredForResults<'a> {
    id: String,
    name: String,
    program_name: Option<String>,
    description: Option<String>,
    address: Address,
    point: Option<Point>,
    phone: Option<String>,
    intake_phone: Option<String>,
    #[serde(default)]
    more_intake_phones: Vec<String>,
    website: Option<String>,
    facets: BTreeMap<String, Vec<String>>,
    schedule: Schedule,
    level_of_care: LevelOfCare,
    accepting_new_clients: Option<bool>,
    sources: Vec<Source>,
    #[serde(borrow)]
    provenance: Latest<'a>,
    #[serde(default)]
    sample: bool,
    #[serde(default)]
    merged_ids: Vec<String>,
}

/// One provenance entry read in place.
#[derive(Deserialize)]
struct ProvenanceInPlace<'a> {
    #[serde(borrow)]
    fact: InPlace<'a>,
    source: usize,
    #[serde(borrow)]
    checked: InPlace<'a>,
    #[serde(borrow)]
    evidence: Option<InPlace<'a>>,
}

/// A string borrowed from the JSON (copied only when it has escapes).
struct InPlace<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for InPlace<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Text<'a> {
            type Value = InPlace<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(InPlace(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(InPlace(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
                Ok(InPlace(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(Text(std::marker::PhantomData))
    }
}

/// The first provenance entry of the latest check date, and that date.
struct Latest<'a> {
    latest: Option<(ProvenanceInPlace<'a>, Date)>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Latest<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entries<'a> {
            type Value = Latest<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of provenance entries")
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Self::Value, S::Error> {
                let mut latest: Option<(ProvenanceInPlace<'a>, Date)> = None;
                while let Some(entry) = seq.next_element::<ProvenanceInPlace<'a>>()? {
                    let checked = iso_date(&entry.checked.0).ok_or_else(|| {
                        S::Error::custom(format!("{:?} is not a date", entry.checked.0))
                    })?;
                    if latest.as_ref().is_none_or(|(_, date)| checked > *date) {
                        latest = Some((entry, checked));
                    }
                }
                Ok(Latest { latest })
            }
        }
        deserializer.deserialize_seq(Entries(std::marker::PhantomData))
    }
}

/// A date written `[year]-[month]-[day]` as [`Provenance::checked`] is
/// stored: four digits, two and two read directly, anything else by `time`'s
/// parser of the same format.
fn iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
            return Date::from_calendar_date(i32::from(y), month, u8::try_from(d).ok()?).ok();
        }
    }
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing with every field set, provenance of several dates.
    fn full_listing() -> Listing {
        let mut l: Listing = serde_json::from_value(serde_json::json!({
            "id": "0123456789ab",
            "name": "Harbor \"Light\" Center",
            "program_name": "Adult IOP",
            "description": "Evening groups\nand more",
            "address": {"street": "1 Main St", "street2": "Suite 2", "city": "Albany", "state": "NY", "zip": "12207"},
            "point": {"lat": 42.65, "lon": -73.75, "precision": "zip-centroid"},
            "phone": "(518) 555-0100",
            "intake_phone": "(518) 555-0101",
            "more_intake_phones": ["(518) 555-0102"],
            "website": "https://example.org/iop",
            "facets": {"insurance": ["medicaid", "private"], "age": ["adults"]},
            "schedule": {"days_per_week": 3, "hours_per_week": 9.5, "sessions": [
                {"weekday": "mon", "start": "18:00", "end": "21:00"}], "program_weeks": 8},
            "level_of_care": {"php": true, "outpatient": null},
            "accepting_new_clients": true,
            "sources": [{"kind": "samhsa-directory", "title": "SAMHSA", "url": "https://www.samhsa.gov/x", "record": "r1", "edition": "2023"},
                        {"kind": "website", "title": "Its site", "url": null, "record": null}],
            "provenance": [
                {"fact": "name", "source": 0, "checked": "2025-03-01", "evidence": null},
                {"fact": "insurance/medicaid", "source": 1, "checked": "2026-11-02", "evidence": "We take \"Medicaid\" \u{e9}"},
                {"fact": "phone", "source": 1, "checked": "2026-11-02", "evidence": null},
                {"fact": "age/adults", "source": 0, "checked": "2024-01-09", "evidence": "adults"}
            ],
            "sample": true,
            "merged_ids": ["ba9876543210"]
        }))
        .unwrap();
        l.description = Some("Evening groups\nand more".into());
        l
    }

    #[test]
    fn a_listing_for_results_is_the_listing_with_its_latest_check_only() {
        let whole = full_listing();
        let json = serde_json::to_vec(&whole).unwrap();
        let read = for_results(&json).unwrap();
        let mut expected = whole.clone();
        expected.provenance = vec![whole.provenance[1].clone()];
        assert_eq!(read, expected);
        assert_eq!(read.last_checked(), whole.last_checked());
        assert_eq!(
            read.last_checked(),
            Some(Date::from_calendar_date(2026, Month::November, 2).unwrap())
        );
        // no provenance, and the fields that may be absent from the JSON
        let mut bare = Listing::new("000000000000", "Bare", Address::default());
        bare.provenance.clear();
        let json = serde_json::to_vec(&bare).unwrap();
        assert_eq!(for_results(&json).unwrap(), bare);
        assert_eq!(for_results(&json).unwrap().last_checked(), None);
    }

    #[test]
    fn check_dates_read_as_the_whole_listing_reads_them() {
        for text in [
            "2026-11-30",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-01-32",
            "2023-1-01",
            "+2023-01-01",
            "20230101",
            "",
            "2023-01-0x",
            "2023-01-01 ",
            "٢٠٢٣-01-01",
        ] {
            let whole = serde_json::from_value::<Provenance>(serde_json::json!({
                "fact": "name", "source": 0, "checked": text, "evidence": null
            }))
            .ok()
            .map(|p| p.checked);
            assert_eq!(iso_date(text), whole, "{text:?}");
            let listing = format!(
                r#"{{"id":"0","name":"n","program_name":null,"description":null,"address":{{"street":null,"street2":null,"city":"","state":"","zip":""}},"point":null,"phone":null,"intake_phone":null,"website":null,"facets":{{}},"schedule":{{"days_per_week":null,"hours_per_week":null,"program_weeks":null}},"level_of_care":{{"php":null,"outpatient":null}},"accepting_new_clients":null,"sources":[],"provenance":[{{"fact":"name","source":0,"checked":"{text}","evidence":null}}]}}"#
            );
            let whole = serde_json::from_str::<Listing>(&listing);
            let read = for_results(listing.as_bytes());
            assert_eq!(read.is_ok(), whole.is_ok(), "{text:?}");
            if let (Ok(read), Ok(whole)) = (read, whole) {
                assert_eq!(read, whole, "{text:?}");
            }
        }
    }
}
