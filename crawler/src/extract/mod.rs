//! Extraction: a provider's web page (HTML already decoded to text) -> facts
//! with evidence.
//!
//! - [`html`]: the page as sentences, page chrome marked.
//! - [`jsonld`]: the organization from schema.org JSON-LD.
//! - [`microdata`]: the organization from schema.org microdata, for pages
//!   without JSON-LD.
//! - [`prose`]: facet values from vocabulary phrases, with negation and
//!   context rules.
//! - [`schedule`]: sessions, weekly hours, days and program length.
//! - [`budget`]: what reading one page may cost (depth, nodes, time); a
//!   page over it is an error of that page.
//! - [`contact`]: addresses, phones and the site's name as a person sees
//!   them (checked against the US ZIP list).
//!
//! Every fact keeps the sentence it came from as its evidence. What the page
//! does not say stays unknown: nothing is guessed.

pub mod budget;
pub mod contact;
pub mod html;
pub mod jsonld;
pub mod microdata;
pub mod prose;
pub mod schedule;

use crate::normalize::SourceRecord;
use iop_index::listing::{Session, Source, Weekday};
use iop_index::vocabulary::{normalize_words, ValueId, Vocabulary};
use time::Date;

/// The schema.org types that describe a treatment provider.
const PROVIDER_TYPES: &[&str] = &[
    "MedicalClinic",
    "MedicalOrganization",
    "MedicalBusiness",
    "LocalBusiness",
    "Hospital",
    "Physician",
    "HealthAndBeautyBusiness",
    "MentalHealthClinic",
];

/// Whether a schema.org `@type` or `itemtype` (a bare name or a URL ending
/// in one) is one of [`PROVIDER_TYPES`].
fn is_provider(t: &str) -> bool {
    let t = t.rsplit('/').next().unwrap_or(t);
    PROVIDER_TYPES.contains(&t)
}

/// The organization as structured data on the page describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Org {
    /// The organization's name.
    pub name: Option<String>,
    /// Its phone number, as written.
    pub phone: Option<String>,
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State, as written (a code or a name).
    pub state: Option<String>,
    /// ZIP code, as written.
    pub zip: Option<String>,
    /// Latitude, degrees north.
    pub lat: Option<f64>,
    /// Longitude, degrees east.
    pub lon: Option<f64>,
    /// Its website, as written (`url`).
    pub website: Option<String>,
}

/// A facet value the page states, and the sentence that states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// The value.
    pub value: ValueId,
    /// The sentence that states it, as the page shows it.
    pub evidence: String,
}

/// What the page says about when the program meets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScheduleFacts {
    /// Weekly sessions, in page order, without duplicates.
    pub sessions: Vec<Session>,
    /// Days per week the page states ("3 days a week").
    pub days_per_week: Option<u8>,
    /// Hours per week the page states, or the sessions add up to.
    pub hours_per_week: Option<f32>,
    /// Program length in weeks the page states.
    pub program_weeks: Option<u16>,
    /// Schedule tracks from times stated without weekdays ("from 10:30am
    /// until 2:00pm"), with the sentence as evidence. Tracks of
    /// [`ScheduleFacts::sessions`] are not repeated here: normalization
    /// derives them.
    pub tracks: Vec<Fact>,
    /// The sentences the schedule facts came from.
    pub evidence: Vec<String>,
}

/// What one page states: see [`extract`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// The organization from the page's JSON-LD or microdata, when it has one.
    pub organization: Option<Org>,
    /// Facet values from prose, each once, in page order.
    pub values: Vec<Fact>,
    /// Sessions, days, hours and length of the program.
    pub schedule: ScheduleFacts,
    /// The page says the provider also offers partial hospitalization.
    pub php: Option<bool>,
    /// The page says the provider also offers (standard) outpatient care.
    pub outpatient: Option<bool>,
    /// Addresses, phones and names the page shows.
    pub contacts: contact::Contacts,
    /// The page's `<title>`, whitespace collapsed.
    pub title: Option<String>,
    /// The page's first `<h1>`, whitespace collapsed.
    pub h1: Option<String>,
}

/// Words that make a sentence with times about something else than the
/// program's sessions (office hours, phones).
const NOT_SESSIONS: &[&str] = &[
    "office",
    "desk",
    "phone",
    "phones",
    "call",
    "calls",
    "open",
    "visiting",
    "pharmacy",
    "parent",
    "parents",
    "parents'",
    "caregiver",
    "caregivers",
    "alumni",
    "visitation",
];

/// Words that make a time range without weekdays a statement about sessions.
const SESSION_CONTEXT: &[&str] = &[
    "attend", "attends", "meet", "meets", "group", "groups", "session", "sessions", "program",
    "iop", "held", "runs", "track",
];

/// Extract what a provider page states. `url` is the page's address, used as
/// the website when structured data gives none. A page over the default
/// [`budget::Budget`] states nothing here; [`extract_within`] says why.
pub fn extract(page: &str, url: Option<&str>) -> Extraction {
    extract_within(page, url, &budget::Budget::default()).unwrap_or_default()
}

/// [`extract`] within `budget`: the page is parsed once
/// ([`budget::parse`]), and the time is checked between the stages.
pub fn extract_within(
    page: &str,
    url: Option<&str>,
    budget: &budget::Budget,
) -> Result<Extraction, budget::PageError> {
    let deadline = budget::Deadline::start(budget);
    let document = budget::parse(page, budget, &deadline)?;
    extract_document(&document, url, &deadline)
}

/// [`extract`] of a page parsed by [`budget::parse`].
pub fn extract_document(
    document: &scraper::Html,
    url: Option<&str>,
    deadline: &budget::Deadline,
) -> Result<Extraction, budget::PageError> {
    let mut organization =
        jsonld::organization(document).or_else(|| microdata::organization(document));
    let mut sentences = html::sentences_of(document);
    deadline.check()?;
    let contacts = contact::contacts(document, &sentences);
    // badge images (an accreditation seal with no text beside it) after the
    // text: chrome, so read for accreditation only
    sentences.extend(html::image_sentences(document));
    let text_of = |selector: &str| {
        let selector = scraper::Selector::parse(selector).expect("selector");
        document
            .select(&selector)
            .next()
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
    };
    let title = text_of("title");
    let h1 = text_of("h1");
    if let (Some(org), Some(url)) = (organization.as_mut(), url) {
        if org.website.is_none() {
            org.website = Some(url.to_string());
        }
    }
    // the organization's names (structured data, og:site_name, copyright,
    // logo) are blanked out of sentences: a name is not a service
    let mut org_names: Vec<String> = organization
        .as_ref()
        .and_then(|o| o.name.clone())
        .into_iter()
        .collect();
    org_names.extend(contacts.names.iter().cloned());
    let v = Vocabulary::get();
    let schedule_group = v.group_by_slug("schedule").map(|g| g.id);

    let mut schedule = ScheduleFacts::default();
    let mut bare_tracks: Vec<Fact> = Vec::new();
    for sentence in sentences.iter().filter(|s| !s.chrome) {
        let words = normalize_words(&sentence.text);
        if words.iter().any(|w| NOT_SESSIONS.contains(&w.as_str())) {
            continue;
        }
        let parsed = schedule::parse_sentence(&sentence.text);
        let mut used = false;
        for session in parsed.sessions {
            if !schedule.sessions.contains(&session) {
                schedule.sessions.push(session);
            }
            used = true;
        }
        if !parsed.bare_ranges.is_empty()
            && words.iter().any(|w| SESSION_CONTEXT.contains(&w.as_str()))
        {
            for (start, _) in &parsed.bare_ranges {
                let slug = if start.minutes >= 16 * 60 {
                    "evening"
                } else {
                    "daytime"
                };
                if let Some(value) = v.lookup("schedule", slug) {
                    if !bare_tracks.iter().any(|f| f.value == value.id) {
                        bare_tracks.push(Fact {
                            value: value.id,
                            evidence: sentence.text.clone(),
                        });
                    }
                }
            }
            used = true;
        }
        if schedule.hours_per_week.is_none() && parsed.hours_per_week.is_some() {
            schedule.hours_per_week = parsed.hours_per_week;
            used = true;
        }
        if schedule.days_per_week.is_none() && parsed.days_per_week.is_some() {
            schedule.days_per_week = parsed.days_per_week;
            used = true;
        }
        if schedule.program_weeks.is_none() && parsed.program_weeks.is_some() {
            schedule.program_weeks = parsed.program_weeks;
            used = true;
        }
        if used && !schedule.evidence.contains(&sentence.text) {
            schedule.evidence.push(sentence.text.clone());
        }
    }
    if !schedule.sessions.is_empty() {
        let mut days: Vec<Weekday> = schedule.sessions.iter().map(|s| s.weekday).collect();
        days.sort();
        let all = days.len();
        days.dedup();
        // one session a day: the sessions are the week; several a day are
        // alternative tracks, whose sum is no one's week
        if all == days.len() {
            if schedule.hours_per_week.is_none() {
                schedule.hours_per_week = Some(schedule.sessions.iter().map(Session::hours).sum());
            }
            if schedule.days_per_week.is_none() {
                schedule.days_per_week = Some(days.len() as u8);
            }
        }
    } else {
        schedule.tracks = bare_tracks;
    }

    deadline.check()?;
    let mut values = Vec::new();
    for found in prose::find(&sentences, &org_names) {
        let group = Some(v.value(found.value).group);
        // the sessions (or times) say which tracks there are; prose words
        // ("after-school", "the first Saturday of the month") do not
        if group == schedule_group && (!schedule.sessions.is_empty() || !schedule.tracks.is_empty())
        {
            continue;
        }
        values.push(Fact {
            value: found.value,
            evidence: sentences[found.sentence].text.clone(),
        });
    }

    let mut php = None;
    let mut outpatient = None;
    for sentence in sentences.iter().filter(|s| !s.chrome) {
        let words = normalize_words(&sentence.text);
        if prose::clauses(&sentence.text).iter().any(|(_, n)| *n)
            || prose::is_background(&sentence.text)
        {
            continue;
        }
        let has = |w: &str| words.iter().any(|x| x == w);
        if has("php")
            || words
                .windows(2)
                .any(|w| w[0] == "partial" && w[1].starts_with("hospitali"))
        {
            php = Some(true);
        }
        if words
            .windows(2)
            .any(|w| (w[0] == "step" && w[1] == "down") || w[0] == "step-down")
            && has("outpatient")
            || words.windows(2).any(|w| {
                w[1] == "outpatient"
                    && matches!(
                        w[0].as_str(),
                        "standard" | "traditional" | "routine" | "general"
                    )
            })
        {
            outpatient = Some(true);
        }
    }

    deadline.check()?;
    Ok(Extraction {
        organization,
        values,
        schedule,
        php,
        outpatient,
        contacts,
        title,
        h1,
    })
}

impl Extraction {
    /// Add the extracted facts to a record: values (with their sentences as
    /// evidence), schedule, level of care; organization fields only where the
    /// record has none.
    pub fn fill(&self, record: &mut SourceRecord) {
        for fact in self.values.iter().chain(&self.schedule.tracks) {
            record
                .values
                .push((fact.value, Some(fact.evidence.clone())));
        }
        record
            .sessions
            .extend(self.schedule.sessions.iter().copied());
        record.days_per_week = record.days_per_week.or(self.schedule.days_per_week);
        record.hours_per_week = record.hours_per_week.or(self.schedule.hours_per_week);
        record.program_weeks = record.program_weeks.or(self.schedule.program_weeks);
        record.php = record.php.or(self.php);
        record.outpatient = record.outpatient.or(self.outpatient);
        if let Some(org) = &self.organization {
            let fill = |slot: &mut Option<String>, value: &Option<String>| {
                if slot.is_none() {
                    slot.clone_from(value);
                }
            };
            fill(&mut record.street, &org.street);
            fill(&mut record.phone, &org.phone);
            fill(&mut record.website, &org.website);
            if record.lat_lon.is_none() {
                record.lat_lon = org.lat.zip(org.lon);
            }
        }
    }

    /// A record of its own, when structured data gives the organization's
    /// name, city, state and ZIP code (the address a listing needs).
    pub fn into_record(
        self,
        source: Source,
        identity: String,
        checked: Date,
    ) -> Option<SourceRecord> {
        let org = self.organization.as_ref()?;
        let mut record = SourceRecord::new(
            source,
            identity,
            checked,
            org.name.clone()?,
            org.city.clone()?,
            org.state.clone()?,
            org.zip.clone()?,
        );
        self.fill(&mut record);
        Some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(page: &str) -> Vec<String> {
        let v = Vocabulary::get();
        extract(page, None)
            .values
            .iter()
            .map(|f| v.value(f.value).slug.clone())
            .collect()
    }

    #[test]
    fn a_seal_shown_only_as_a_badge_image_is_read() {
        // by its file name, its alt text or its title; a photo's caption
        // states no service
        let page = "<html><body><p>Welcome to our clinic.</p>\
            <img src='/photos/group.jpg' alt='A family therapy session'>\
            <footer><img src='/assets/jcaho-gold-seal.gif' alt='badge'>\
            <img src='/assets/b.png' title='CARF'></footer></body></html>";
        assert_eq!(slugs(page), ["joint-commission", "carf"]);
        let alt = "<p>Hi.</p><img src='/x.png' alt='Joint Commission Gold Seal of Approval'>";
        assert_eq!(slugs(alt), ["joint-commission"]);
    }
}
