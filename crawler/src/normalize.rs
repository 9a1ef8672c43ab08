//! Normalization: what a source says about one program ([`SourceRecord`]) ->
//! a [`Listing`] in the directory's terms.
//!
//! Every source module turns its own format into `SourceRecord`s; this module
//! is the one place that cleans names, phones and ZIP codes, places the
//! program on the map, puts facet values in vocabulary order, derives schedule
//! tracks from sessions, and records the source and check date of each fact.
//!
//! Every text field has a length limit ([`NAME_MAX`], [`DESCRIPTION_MAX`],
//! [`EVIDENCE_MAX`]...): a longer text is cut to the limit, its last
//! character replaced by [`CUT_MARK`], so [`cut_fields`] can tell later (the
//! crawl report counts them). A website longer than [`URL_MAX`] is dropped:
//! a cut address would lead nowhere.

use iop_index::geo::{state_code, Gazetteer};
use iop_index::listing::{
    stable_id, Address, ClockTime, LevelOfCare, Listing, Point, Precision, Provenance, Schedule,
    Session, Source,
};
use iop_index::vocabulary::{ValueId, Vocabulary};
use std::collections::BTreeMap;
use time::Date;

/// What one source says about one program, in the source's own words but
/// already split into fields.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    /// The source the record comes from.
    pub source: Source,
    /// The source's identity of the record (a facility key, a page URL): the
    /// listing id is derived from it and the source kind.
    pub identity: String,
    /// The day the source stated these facts.
    pub checked: Date,
    /// The organization or facility name, as the source wrote it.
    pub name: String,
    /// The program's own name, when the source gives one.
    pub program_name: Option<String>,
    /// A description, when the source gives one.
    pub description: Option<String>,
    /// Street and number.
    pub street: Option<String>,
    /// Suite, floor or building.
    pub street2: Option<String>,
    /// City.
    pub city: String,
    /// State or territory, as the source wrote it (a code or a name).
    pub state: String,
    /// ZIP code, as the source wrote it.
    pub zip: String,
    /// Exact coordinates from the source.
    pub lat_lon: Option<(f64, f64)>,
    /// The main phone number, as written.
    pub phone: Option<String>,
    /// The intake number, when the source gives one apart.
    pub intake_phone: Option<String>,
    /// Further intake numbers, as written (SAMHSA's `intake2`).
    pub more_intake_phones: Vec<String>,
    /// The program's website.
    pub website: Option<String>,
    /// Facet values the source states, each with its evidence (the code or
    /// sentence it came from).
    pub values: Vec<(ValueId, Option<String>)>,
    /// Weekly sessions.
    pub sessions: Vec<Session>,
    /// Days per week.
    pub days_per_week: Option<u8>,
    /// Hours per week.
    pub hours_per_week: Option<f32>,
    /// Program length in weeks.
    pub program_weeks: Option<u16>,
    /// Also offers partial hospitalization, when stated.
    pub php: Option<bool>,
    /// Also offers standard outpatient care, when stated.
    pub outpatient: Option<bool>,
    /// Takes new clients, when stated.
    pub accepting_new_clients: Option<bool>,
    /// True for the fictional records of the embedded sample directory.
    pub sample: bool,
}

impl SourceRecord {
    /// A record with only the required parts; sources fill in the rest.
    pub fn new(
        source: Source,
        identity: String,
        checked: Date,
        name: String,
        city: String,
        state: String,
        zip: String,
    ) -> SourceRecord {
        SourceRecord {
            source,
            identity,
            checked,
            name,
            program_name: None,
            description: None,
            street: None,
            street2: None,
            city,
            state,
            zip,
            lat_lon: None,
            phone: None,
            intake_phone: None,
            more_intake_phones: Vec::new(),
            website: None,
            values: Vec::new(),
            sessions: Vec::new(),
            days_per_week: None,
            hours_per_week: None,
            program_weeks: None,
            php: None,
            outpatient: None,
            accepting_new_clients: None,
            sample: false,
        }
    }
}

/// Why a record cannot become a listing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NormalizeError {
    /// The record has no name (the identity is given).
    #[error("record {0}: no name")]
    NoName(String),
    /// The state is not a US state or territory.
    #[error("record {identity}: {state:?} is not a US state or territory")]
    BadState {
        /// The record's identity.
        identity: String,
        /// The state as the source wrote it.
        state: String,
    },
    /// The ZIP code is not five digits ([`clean_zip`]).
    #[error("record {identity}: {zip:?} is not a ZIP code")]
    BadZip {
        /// The record's identity.
        identity: String,
        /// The ZIP code as the source wrote it.
        zip: String,
    },
}

/// Longest name and program name, in characters.
pub const NAME_MAX: usize = 200;
/// Longest street line and source title, in characters.
pub const LINE_MAX: usize = 200;
/// Longest city name, in characters.
pub const CITY_MAX: usize = 100;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 2_000;
/// Longest evidence (the sentence or code a fact came from), in characters.
pub const EVIDENCE_MAX: usize = 500;
/// Longest phone number as written, in characters.
pub const PHONE_MAX: usize = 40;
/// Longest website address kept, in bytes.
pub const URL_MAX: usize = 2_048;
/// The last character of a text cut to its limit.
pub const CUT_MARK: char = '\u{2026}';

/// `text` (already cleaned) at most `max` characters: a longer one is cut to
/// `max - 1` characters and [`CUT_MARK`].
pub fn bound(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some(_) => {
            let end = text
                .char_indices()
                .nth(max - 1)
                .map_or(text.len(), |(i, _)| i);
            let mut cut = text[..end].to_string();
            cut.push(CUT_MARK);
            cut
        }
    }
}

fn was_cut(text: &str, max: usize) -> bool {
    text.ends_with(CUT_MARK) && text.chars().count() == max
}

/// The fields of `listing` that normalization cut to their limits ("name",
/// "description", "evidence of insurance/medicaid"...), for crawl reports.
pub fn cut_fields(listing: &Listing) -> Vec<String> {
    let mut cut = Vec::new();
    let mut check = |field: &str, text: Option<&str>, max: usize| {
        if text.is_some_and(|t| was_cut(t, max)) {
            cut.push(field.to_string());
        }
    };
    check("name", Some(&listing.name), NAME_MAX);
    check("program_name", listing.program_name.as_deref(), NAME_MAX);
    check(
        "description",
        listing.description.as_deref(),
        DESCRIPTION_MAX,
    );
    check("street", listing.address.street.as_deref(), LINE_MAX);
    check("street2", listing.address.street2.as_deref(), LINE_MAX);
    check("city", Some(&listing.address.city), CITY_MAX);
    for source in &listing.sources {
        check("source title", Some(&source.title), LINE_MAX);
    }
    for p in &listing.provenance {
        check(
            &format!("evidence of {}", p.fact),
            p.evidence.as_deref(),
            EVIDENCE_MAX,
        );
    }
    cut
}

/// Clean a text field and bound it to `max` characters.
fn clean_bounded(text: &str, max: usize) -> Option<String> {
    clean_text(text).map(|t| bound(t, max))
}

/// Normalize one record.
pub fn normalize(mut record: SourceRecord) -> Result<Listing, NormalizeError> {
    let vocabulary = Vocabulary::get();
    let identity = record.identity.clone();
    let name = clean_bounded(&record.name, NAME_MAX)
        .ok_or_else(|| NormalizeError::NoName(identity.clone()))?;
    record.source.title = bound(std::mem::take(&mut record.source.title), LINE_MAX);
    for (_, evidence) in &mut record.values {
        if let Some(text) = evidence.take() {
            *evidence = clean_bounded(&text, EVIDENCE_MAX);
        }
    }
    let state = state_code(&record.state)
        .ok_or_else(|| NormalizeError::BadState {
            identity: identity.clone(),
            state: record.state.clone(),
        })?
        .to_string();
    let zip = clean_zip(&record.zip).ok_or_else(|| NormalizeError::BadZip {
        identity: identity.clone(),
        zip: record.zip.clone(),
    })?;
    let gazetteer = Gazetteer::get();
    let point = match record.lat_lon {
        Some((lat, lon))
            if (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&lon)
                && (lat, lon) != (0.0, 0.0) =>
        {
            Some(Point {
                lat,
                lon,
                precision: Precision::Exact,
            })
        }
        _ => gazetteer
            .zip(&zip)
            .map(|z| Point {
                lat: z.lat,
                lon: z.lon,
                precision: Precision::ZipCentroid,
            })
            .or_else(|| {
                gazetteer.city(&record.city, &state).map(|o| Point {
                    lat: o.lat,
                    lon: o.lon,
                    precision: Precision::City,
                })
            }),
    };

    let mut provenance = Vec::new();
    let checked = record.checked;
    let mut note = |fact: &str, evidence: Option<String>| {
        provenance.push(Provenance {
            fact: fact.to_string(),
            source: 0,
            checked,
            evidence,
        });
    };
    note("name", None);
    note("address", None);
    if point.is_some_and(|p| p.precision == Precision::Exact) {
        note("point", None);
    }
    let program_name = record
        .program_name
        .as_deref()
        .and_then(|t| clean_bounded(t, NAME_MAX));
    if program_name.is_some() {
        note("program_name", None);
    }
    let description = record
        .description
        .as_deref()
        .and_then(|t| clean_bounded(t, DESCRIPTION_MAX));
    if description.is_some() {
        note("description", None);
    }
    let phone = record.phone.as_deref().and_then(clean_phone);
    if phone.is_some() {
        note("phone", None);
    }
    let intake_phone = record
        .intake_phone
        .as_deref()
        .and_then(clean_phone)
        .filter(|p| Some(p) != phone.as_ref());
    // further intake numbers: valid, each once, never the main or the first
    // intake number again; the first of them is the intake number when the
    // source gives no first one
    let mut intake_phone = intake_phone;
    let mut more_intake_phones: Vec<String> = Vec::new();
    for p in record
        .more_intake_phones
        .iter()
        .filter_map(|p| clean_phone(p))
    {
        if Some(&p) == phone.as_ref() || more_intake_phones.contains(&p) {
            continue;
        }
        match &intake_phone {
            None => intake_phone = Some(p),
            Some(first) if *first == p => {}
            Some(_) => more_intake_phones.push(p),
        }
    }
    if intake_phone.is_some() {
        note("intake_phone", None);
    }
    let website = record
        .website
        .as_deref()
        .and_then(clean_url)
        .filter(|u| u.len() <= URL_MAX);
    if website.is_some() {
        note("website", None);
    }

    let mut sessions = record.sessions.clone();
    sessions.sort_by_key(|s| (s.weekday, s.start));
    sessions.dedup();
    sessions.retain(|s| s.end > s.start);
    let mut values: Vec<(ValueId, Option<String>)> = record.values.clone();
    // tracks follow from the sessions when the source lists them
    for session in &sessions {
        if let Some(track) = vocabulary.lookup("schedule", session.track()) {
            let evidence = format!(
                "{} {}-{}",
                session.weekday.name(),
                session.start.to_12h(),
                session.end.to_12h()
            );
            values.push((track.id, Some(evidence)));
        }
    }
    let schedule = Schedule {
        days_per_week: record
            .days_per_week
            .filter(|d| (1..=7).contains(d))
            .or_else(|| {
                let mut days: Vec<_> = sessions.iter().map(|s| s.weekday).collect();
                days.dedup();
                (!days.is_empty()).then_some(days.len() as u8)
            }),
        hours_per_week: record
            .hours_per_week
            .filter(|h| *h > 0.0 && *h <= 60.0)
            .or_else(|| {
                let total: f32 = sessions.iter().map(Session::hours).sum();
                (total > 0.0).then_some(total)
            }),
        sessions,
        program_weeks: record.program_weeks.filter(|w| (1..=104).contains(w)),
    };
    if !schedule.is_empty() {
        note("schedule", None);
    }

    values.sort_by_key(|(id, _)| *id);
    let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut last = None;
    for (id, evidence) in values {
        if last == Some(id) {
            continue; // the first evidence of a value is kept
        }
        last = Some(id);
        let value = vocabulary.value(id);
        let group = &vocabulary.group(value.group).slug;
        facets
            .entry(group.clone())
            .or_default()
            .push(value.slug.clone());
        note(&format!("{group}/{}", value.slug), evidence);
    }
    let level_of_care = LevelOfCare {
        php: record.php,
        outpatient: record.outpatient,
    };
    if record.php.is_some() || record.outpatient.is_some() {
        note("level_of_care", None);
    }
    if record.accepting_new_clients.is_some() {
        note("accepting_new_clients", None);
    }

    Ok(Listing {
        id: stable_id(&record.source.kind, &record.identity),
        name,
        program_name,
        description,
        address: Address {
            street: record
                .street
                .as_deref()
                .and_then(|t| clean_bounded(t, LINE_MAX)),
            street2: record
                .street2
                .as_deref()
                .and_then(|t| clean_bounded(t, LINE_MAX)),
            city: clean_bounded(&record.city, CITY_MAX).unwrap_or_default(),
            state,
            zip,
        },
        point,
        phone,
        intake_phone,
        more_intake_phones,
        website,
        facets,
        schedule,
        level_of_care,
        accepting_new_clients: record.accepting_new_clients,
        sources: vec![record.source],
        provenance,
        sample: record.sample,
        merged_ids: Vec::new(),
    })
}

/// Text as people read it: HTML entities decoded and tags dropped, once
/// (`Smith &amp; Jones` -> `Smith & Jones`, `<p>Groups</p>` -> `Groups`,
/// `&nbsp;` -> a space), then whitespace trimmed and collapsed; `None` when
/// nothing is left. Sources write HTML into text fields (JSON-LD, HSDS
/// descriptions, spreadsheets); every text field goes through here.
pub fn clean_text(text: &str) -> Option<String> {
    let decoded;
    let text = if text.contains('&') || text.contains('<') {
        decoded = html_to_text(text);
        decoded.as_str()
    } else {
        text
    };
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The text of an HTML fragment: entities decoded, tags dropped, a space
/// where a block or line break ended.
fn html_to_text(html: &str) -> String {
    static BREAKS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)<(?:br|/p|/li|/div|/h[1-6]|/tr|/td|/th|/dd|/dt)\b[^>]*>")
            .expect("a valid pattern")
    });
    let spaced = BREAKS.replace_all(html, " ");
    let fragment = scraper::Html::parse_fragment(&spaced);
    fragment.root_element().text().collect()
}

/// Five digits: ZIP+4 cut, and leading zeros that spreadsheets dropped put back.
pub fn clean_zip(zip: &str) -> Option<String> {
    let zip = zip.trim();
    let digits: &str = zip.split(['-', ' ']).next().unwrap_or("");
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{digits:0>5}"))
}

/// US phone numbers as "(916) 555-0142", with an extension kept, through
/// the one phone parser ([`iop_index::phone`]): vanity letters converted,
/// the first of several numbers that is neither a fax nor a crisis line
/// (988, 741741, 911, national hotlines). A field holding only a fax or a
/// crisis line gives `None`; other text with digits (a short local number)
/// is kept as written.
pub fn clean_phone(phone: &str) -> Option<String> {
    let found = iop_index::phone::parse_all(phone);
    if let Some(program) = found.iter().find(|f| {
        !matches!(
            f.role,
            iop_index::phone::Role::Fax | iop_index::phone::Role::Crisis
        )
    }) {
        return Some(program.phone.display());
    }
    if !found.is_empty() || iop_index::phone::mentions_crisis_line(phone) {
        return None;
    }
    if phone.chars().any(|c| c.is_ascii_digit()) {
        clean_text(phone).filter(|p| p.chars().count() <= PHONE_MAX)
    } else {
        None
    }
}

/// http(s) URLs only; a bare domain gets `https://`.
pub fn clean_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Some(url.to_string())
    } else if !lower.contains(':') && url.contains('.') {
        Some(format!("https://{url}"))
    } else {
        None
    }
}

/// Parse "HH:MM" session times for sources that write them that way.
pub fn session(weekday: iop_index::listing::Weekday, start: &str, end: &str) -> Option<Session> {
    Some(Session {
        weekday,
        start: ClockTime::parse(start)?,
        end: ClockTime::parse(end)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use iop_index::listing::Weekday;

    fn record() -> SourceRecord {
        let source = Source {
            kind: "test".into(),
            title: "Test".into(),
            url: None,
            record: Some("r1".into()),
            edition: None,
        };
        SourceRecord::new(
            source,
            "r1".into(),
            Date::from_calendar_date(2026, time::Month::October, 2).unwrap(),
            "  Harbor   Light ".into(),
            "Boston".into(),
            "Massachusetts".into(),
            "2108".into(),
        )
    }

    #[test]
    fn cleans_fields_and_places_at_the_zip_centroid() {
        let mut r = record();
        r.phone = Some("1-617-555-0142 x12".into());
        r.website = Some("harbor.example.org".into());
        let l = normalize(r).unwrap();
        assert_eq!(l.name, "Harbor Light");
        assert_eq!(l.address.state, "MA");
        assert_eq!(l.address.zip, "02108");
        assert_eq!(l.phone.as_deref(), Some("(617) 555-0142 ext. 12"));
        assert_eq!(l.website.as_deref(), Some("https://harbor.example.org"));
        assert_eq!(l.point.unwrap().precision, Precision::ZipCentroid);
        assert!(
            l.provenance_of("point").is_none(),
            "a centroid is not a sourced fact"
        );
        assert_eq!(l.id, stable_id("test", "r1"));
    }

    #[test]
    fn sessions_give_tracks_days_and_hours() {
        let v = Vocabulary::get();
        let mut r = record();
        r.sessions = vec![
            session(Weekday::Mon, "18:00", "21:00").unwrap(),
            session(Weekday::Wed, "18:00", "21:00").unwrap(),
            session(Weekday::Sat, "10:00", "13:00").unwrap(),
        ];
        r.values.push((
            v.lookup("insurance", "medicaid").unwrap().id,
            Some("MD".into()),
        ));
        let l = normalize(r).unwrap();
        assert_eq!(l.values("schedule"), ["evening", "weekend"]);
        assert_eq!(l.schedule.days_per_week, Some(3));
        assert_eq!(l.schedule.hours_per_week, Some(9.0));
        let (p, s) = l.provenance_of("insurance/medicaid").unwrap();
        assert_eq!(p.evidence.as_deref(), Some("MD"));
        assert_eq!(s.title, "Test");
        assert_eq!(p.checked.to_string(), "2026-10-02");
    }

    #[test]
    fn every_text_is_bounded_and_the_cut_can_be_told() {
        let v = Vocabulary::get();
        let mut r = record();
        r.name = "N".repeat(3_000_000);
        r.description = Some("word ".repeat(10_000));
        r.street = Some("1 Main St".into());
        r.website = Some(format!("https://x.example/{}", "a".repeat(5_000)));
        r.phone = Some(format!("call 1{}", "0".repeat(100)));
        let medicaid = v.lookup("insurance", "medicaid").unwrap().id;
        r.values
            .push((medicaid, Some("We accept Medicaid ".repeat(1_000))));
        let l = normalize(r).unwrap();
        assert_eq!(l.name.chars().count(), NAME_MAX);
        assert!(l.name.ends_with(CUT_MARK));
        assert_eq!(
            l.description.as_deref().unwrap().chars().count(),
            DESCRIPTION_MAX
        );
        assert_eq!(l.website, None, "a cut address leads nowhere");
        assert_eq!(l.phone, None);
        let (p, _) = l.provenance_of("insurance/medicaid").unwrap();
        assert_eq!(p.evidence.as_deref().unwrap().chars().count(), EVIDENCE_MAX);
        assert_eq!(
            cut_fields(&l),
            ["name", "description", "evidence of insurance/medicaid"]
        );
        // a text at its limit exactly is not cut; multi-byte characters count once
        assert_eq!(bound("\u{e9}".repeat(5), 5), "\u{e9}".repeat(5));
        assert_eq!(
            bound("\u{e9}".repeat(6), 5),
            format!("{}\u{2026}", "\u{e9}".repeat(4))
        );
        assert!(cut_fields(&normalize(record()).unwrap()).is_empty());
    }

    #[test]
    fn html_in_source_text_is_decoded_once() {
        let mut r = record();
        r.name = "Smith &amp; Jones&nbsp;Counseling".into();
        r.description =
            Some("<p>Evening groups&nbsp;for adults.</p><p>Ages &lt; 18: ask.</p>".into());
        r.program_name = Some("A &amp;amp; B".into());
        r.street = Some("12 Main St<br>Suite 3".into());
        let l = normalize(r).unwrap();
        assert_eq!(l.name, "Smith & Jones Counseling");
        assert_eq!(
            l.description.as_deref(),
            Some("Evening groups for adults. Ages < 18: ask.")
        );
        assert_eq!(
            l.program_name.as_deref(),
            Some("A &amp; B"),
            "decoded once, not twice"
        );
        assert_eq!(l.address.street.as_deref(), Some("12 Main St Suite 3"));
        assert_eq!(
            clean_text("Ages 5 < 12 & up").as_deref(),
            Some("Ages 5 < 12 & up")
        );
    }

    #[test]
    fn refuses_records_it_cannot_place() {
        let mut r = record();
        r.state = "Atlantis".into();
        assert!(matches!(normalize(r), Err(NormalizeError::BadState { .. })));
        let mut r = record();
        r.zip = "ABCDE".into();
        assert!(matches!(normalize(r), Err(NormalizeError::BadZip { .. })));
    }
}
