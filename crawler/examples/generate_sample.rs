//! Generates the embedded sample directory, `crawler/sample/directory.json`:
//! fictional Intensive Outpatient Programs in all 50 states and DC, shown by
//! the site before any real data has been crawled. Regenerate it with
//!
//! ```text
//! cargo run -q -p iop-crawler --example generate_sample > crawler/sample/directory.json
//! ```
//!
//! Only the places are real: city, state, ZIP code and area code come from the
//! `zipcodes` crate (active STANDARD ZIP codes with coordinates, in the larger
//! cities of each state). Everything else is made up from word lists: names,
//! streets, phone numbers in the fictional 555-01XX range and websites under the
//! reserved `example.org` / `example.com` / `example.net` domains. Services are
//! labels and synonyms of `index/vocabulary.toml`, and the generator panics
//! unless every value of every vocabulary group is used by some record.
//!
//! The word and profile tables (states, program profiles, records placed on
//! purpose, names, streets, weekly patterns, phrases) are data:
//! `generate_sample.json` beside this file, embedded at build time and read
//! once into [`Tables`]. Its keys are the fields of `Tables`, documented
//! there.
//!
//! The output is deterministic: a seeded splitmix64 generator, no system
//! randomness, ordered maps only. Running it twice gives identical bytes.

use iop_crawler::sources::sample::SampleRecord;
use iop_index::vocabulary::ValueId;
use iop_index::Vocabulary;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

const SEED: u64 = 0x5EED_10F0_2026_0801;
const TARGET_RECORDS: usize = 360;

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/// splitmix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    /// A number in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// [`Rng::pick`] for what is not `Copy`: the same draw, by reference.
    fn pick_ref<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn weighted<T: Copy>(&mut self, xs: &[(T, u32)]) -> T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = self.below(total as usize) as u32;
        for &(x, w) in xs {
            if r < w {
                return x;
            }
            r -= w;
        }
        unreachable!("weights sum to {total}")
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------

/// Cities never picked at random: military installations, and a village that
/// happens to have two ZIP codes.
fn excluded_city(state: &str, city: &str) -> bool {
    city.contains("AFB")
        || city.starts_with("Jb")
        || city.contains("Navy")
        || city.starts_with("Camp ")
        || city.starts_with("Fort Shafter")
        || city == "Fort Knox"
        || (state, city) == ("VT", "Barton")
}

struct Zip {
    zip: &'static str,
    lat: f64,
    lon: f64,
    area_code: Option<&'static str>,
}

struct Places {
    /// (state, city) -> its ZIP codes, in ZIP order.
    cities: BTreeMap<(&'static str, &'static str), Vec<Zip>>,
    /// A fallback area code per state, for the rare ZIP code without one.
    state_area_code: BTreeMap<&'static str, &'static str>,
}

impl Places {
    /// Active STANDARD ZIP codes with coordinates.
    fn load() -> Places {
        let mut cities: BTreeMap<(&str, &str), Vec<Zip>> = BTreeMap::new();
        let mut state_area_code = BTreeMap::new();
        for z in zipcodes::database() {
            if !z.active || z.zip_code_type != "STANDARD" {
                continue;
            }
            let (Ok(lat), Ok(lon)) = (z.lat.parse::<f64>(), z.long.parse::<f64>()) else {
                continue;
            };
            if z.zip_code.len() != 5 || !z.zip_code.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let area_code = z
                .area_codes
                .first()
                .map(String::as_str)
                .filter(|a| a.len() == 3);
            if let Some(a) = area_code {
                state_area_code.entry(z.state.as_str()).or_insert(a);
            }
            cities
                .entry((z.state.as_str(), z.city.as_str()))
                .or_default()
                .push(Zip {
                    zip: z.zip_code.as_str(),
                    lat,
                    lon,
                    area_code,
                });
        }
        for zips in cities.values_mut() {
            zips.sort_by(|a, b| a.zip.cmp(b.zip));
        }
        Places {
            cities,
            state_area_code,
        }
    }

    /// The city's name as the dataset spells it, checked to exist.
    fn city(&self, state: &'static str, city: &'static str) -> &'static str {
        match self.cities.get_key_value(&(state, city)) {
            Some((&(_, name), _)) => name,
            None => panic!("no active STANDARD ZIP code with coordinates in {city}, {state}"),
        }
    }

    fn zips(&self, state: &'static str, city: &'static str) -> &[Zip] {
        &self.cities[&(state, self.city(state, city))]
    }

    /// The state's larger cities, as (city, weight): those with the most ZIP
    /// codes in the dataset, and `extra_cities` when there are few.
    fn candidates(&self, state: &str, how_many: usize, skip: &[&str]) -> Vec<(&'static str, u32)> {
        let mut ranked: Vec<(&'static str, u32)> = self
            .cities
            .iter()
            .filter(|((s, c), zips)| {
                *s == state && zips.len() >= 2 && !excluded_city(s, c) && !skip.contains(c)
            })
            .map(|((_, c), zips)| (*c, zips.len() as u32))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        ranked.truncate(how_many);
        if ranked.len() < 3 {
            for &(s, c) in &TABLES.extra_cities {
                if s == state && !skip.contains(&c) {
                    ranked.push((self.city(s, c), 2));
                }
            }
        }
        assert!(!ranked.is_empty(), "no city for {state}");
        ranked
    }

    fn area_code(&self, state: &str, zip: &Zip) -> &'static str {
        zip.area_code.unwrap_or_else(|| self.state_area_code[state])
    }
}

// ---------------------------------------------------------------------------
// Program profiles
// ---------------------------------------------------------------------------

/// The shape of a program's week.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
enum Sched {
    Evening,
    Daytime,
    AfterSchool,
    EveningWeekend,
    DaytimeWeekend,
    Weekend,
}

// ---------------------------------------------------------------------------
// The word and profile tables: `generate_sample.json` beside this file
// ---------------------------------------------------------------------------

/// The tables, read once from `generate_sample.json` (strings borrowed from
/// the embedded file, so they live as long as the program).
static TABLES: LazyLock<Tables<'static>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("generate_sample.json"))
        .unwrap_or_else(|e| panic!("generate_sample.json: {e}"))
});

/// Every table of `generate_sample.json`; its keys are these fields' names.
#[derive(Deserialize)]
struct Tables<'a> {
    /// The 50 states and DC with their 2020 census population in thousands:
    /// the number of sample programs of each is roughly proportional to it.
    #[serde(borrow)]
    states: Vec<(&'a str, u32)>,
    /// Metros with several programs (state, city, how many), so that a search
    /// by one of their ZIP codes returns a useful list; Springfield in five
    /// states tests place ambiguity.
    #[serde(borrow)]
    clusters: Vec<(&'a str, &'a str, usize)>,
    /// Well-known cities (state, city) added to a state's candidates when the
    /// dataset has fewer than three cities with more than one ZIP code there.
    #[serde(borrow)]
    extra_cities: Vec<(&'a str, &'a str)>,
    /// The kinds of program, each drawn with its `weight`.
    #[serde(borrow)]
    profiles: Vec<Profile<'a>>,
    /// Records placed on purpose.
    #[serde(borrow)]
    specials: Vec<Special<'a>>,
    /// Languages besides Spanish that programs in a state may offer (a state
    /// not listed: none).
    #[serde(borrow)]
    state_languages: BTreeMap<&'a str, Vec<&'a str>>,
    /// States with Kaiser Permanente plans.
    #[serde(borrow)]
    kaiser_states: Vec<&'a str>,
    /// States where IHS and tribal funds are a common way to pay.
    #[serde(borrow)]
    tribal_states: Vec<&'a str>,
    /// Synonyms that only a program in some states would write ("Medi-Cal"):
    /// (value slug, synonym, states).
    #[serde(borrow)]
    state_bound_synonyms: Vec<(&'a str, &'a str, Vec<&'a str>)>,
    /// Synonyms too odd for a services list.
    #[serde(borrow)]
    odd_synonyms: Vec<&'a str>,
    /// Words written in capitals when a synonym is recased.
    #[serde(borrow)]
    acronyms: Vec<&'a str>,
    /// Words with a case of their own: (lower case, as written).
    #[serde(borrow)]
    brands: Vec<(&'a str, &'a str)>,
    /// Words left in lower case in title case.
    #[serde(borrow)]
    small_words: Vec<&'a str>,
    /// First halves of organization names ("Harbor Light").
    #[serde(borrow)]
    name_prefixes: Vec<&'a str>,
    /// Street names, after a number.
    #[serde(borrow)]
    streets: Vec<&'a str>,
    /// Weekly patterns: evening days (0 = Monday).
    weekday_sets: Vec<Vec<usize>>,
    /// Weekly patterns: daytime days (0 = Monday).
    daytime_sets: Vec<Vec<usize>>,
    /// Session hours ("HH:MM" start and end) of each kind of session.
    #[serde(borrow)]
    evening_hours: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    daytime_hours: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    after_school_hours: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    saturday_hours: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    weekend_hours: Vec<(&'a str, &'a str)>,
    /// How a description says a value: kind (`focus`, `focus_short`, `age`,
    /// `modality`, `population`) -> value slug -> phrase.
    #[serde(borrow)]
    phrases: BTreeMap<&'a str, BTreeMap<&'a str, &'a str>>,
}

impl<'a> Tables<'a> {
    fn profile(&self, key: &str) -> &Profile<'a> {
        self.profiles
            .iter()
            .find(|p| p.key == key)
            .unwrap_or_else(|| panic!("no profile {key}"))
    }

    /// Languages besides Spanish that programs in a state may offer.
    fn state_languages(&self, state: &str) -> &[&'a str] {
        self.state_languages.get(state).map_or(&[], Vec::as_slice)
    }

    /// The states where only a program would write this synonym of the
    /// value, or `None` for a synonym written everywhere.
    fn state_bound(&self, slug: &str, synonym: &str) -> Option<&[&'a str]> {
        self.state_bound_synonyms
            .iter()
            .find(|(s, w, _)| *s == slug && *w == synonym)
            .map(|(_, _, states)| states.as_slice())
    }

    /// The phrase of a value (`kind` as in [`Tables::phrases`]).
    fn phrase(&self, kind: &str, slug: &str) -> &'a str {
        match self.phrases.get(kind).and_then(|p| p.get(slug)) {
            Some(phrase) => phrase,
            None => panic!("no phrase for {kind} {slug}"),
        }
    }
}

/// A kind of program: what it treats, how, for whom, and what it is called.
#[derive(Deserialize)]
struct Profile<'a> {
    key: &'a str,
    weight: u32,
    #[serde(borrow)]
    focus: Vec<&'a str>,
    #[serde(borrow)]
    focus_extra: Vec<&'a str>,
    #[serde(borrow)]
    modality: Vec<&'a str>,
    #[serde(borrow)]
    modality_extra: Vec<&'a str>,
    /// Age sets to choose from.
    #[serde(borrow)]
    ages: Vec<Vec<&'a str>>,
    #[serde(borrow)]
    pops: Vec<&'a str>,
    #[serde(borrow)]
    pops_extra: Vec<&'a str>,
    /// Second halves of organization names ("Recovery Center").
    #[serde(borrow)]
    suffixes: Vec<&'a str>,
    /// Program names with the tags (facet slugs, tracks) they need.
    #[serde(borrow)]
    programs: Vec<(&'a str, Vec<&'a str>)>,
    /// The shapes of its week, each with its weight.
    schedules: Vec<(Sched, u32)>,
}

/// A record placed on purpose, with facts it must have: rare languages where
/// people speak them, tribal funds where there are tribes, rare program kinds.
#[derive(Deserialize)]
struct Special<'a> {
    state: &'a str,
    city: &'a str,
    /// A [`Profile::key`].
    profile: &'a str,
    #[serde(default, borrow)]
    langs: Vec<&'a str>,
    #[serde(default, borrow)]
    ins: Vec<&'a str>,
    #[serde(default, borrow)]
    pops: Vec<&'a str>,
    #[serde(default, borrow)]
    accred: Vec<&'a str>,
}

/// A lower-case synonym written as a source might: as is, in sentence case or
/// in title case, acronyms in capitals.
fn recase(rng: &mut Rng, text: &str) -> String {
    let mode = rng.weighted(&[(0u8, 35), (1, 35), (2, 30)]);
    if mode == 0 {
        return text.to_string();
    }
    let mut out = String::new();
    let mut word = String::new();
    let mut first = true;
    let flush = |word: &mut String, out: &mut String, first: &mut bool| {
        if word.is_empty() {
            return;
        }
        if TABLES.acronyms.contains(&word.as_str()) {
            out.push_str(&word.to_uppercase());
        } else if let Some((_, brand)) = TABLES.brands.iter().find(|(w, _)| w == word) {
            out.push_str(brand);
        } else if *first || (mode == 2 && !TABLES.small_words.contains(&word.as_str())) {
            let mut cs = word.chars();
            out.extend(cs.next().into_iter().flat_map(char::to_uppercase));
            out.extend(cs);
        } else {
            out.push_str(word);
        }
        word.clear();
        *first = false;
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' || c == '+' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut first);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut first);
    out
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

struct Vocab {
    v: &'static Vocabulary,
}

impl Vocab {
    fn id(&self, group: &str, slug: &str) -> ValueId {
        match self.v.lookup(group, slug) {
            Some(value) => value.id,
            None => panic!("{group}/{slug} is not in the vocabulary"),
        }
    }

    fn group_slug(&self, id: ValueId) -> &str {
        &self.v.group(self.v.value(id).group).slug
    }

    /// A phrase for a value: its label or one of its synonyms, in a case a
    /// source might use; always a phrase that names exactly that value.
    fn phrase(
        &self,
        rng: &mut Rng,
        group: &str,
        slug: &str,
        state: &str,
        tags: &BTreeSet<&str>,
    ) -> String {
        let id = self.id(group, slug);
        let value = self.v.value(id);
        let names_it = |p: &str| self.v.values_for_phrase(p) == [id];
        let label_lower = value.label.to_lowercase();
        let slug_form = value.slug.replace('-', " ");
        let (mut local, mut general) = (Vec::new(), Vec::new());
        for s in &value.synonyms {
            let s = s.as_str();
            if s == label_lower
                || s == slug_form
                || TABLES.odd_synonyms.contains(&s)
                || (s == "humana military" && !tags.contains("tricare"))
                || !names_it(s)
            {
                continue;
            }
            match TABLES.state_bound(slug, s) {
                Some(states) if states.contains(&state) => local.push(s),
                Some(_) => {}
                None => general.push(s),
            }
        }
        // the fewer synonyms a value has, the more often its label is used
        let label_odds = (1.0 - 0.15 * general.len() as f64).max(0.45);
        let text = if !local.is_empty() && rng.chance(0.65) {
            let chosen = rng.pick(&local);
            recase(rng, chosen)
        } else if general.is_empty() || rng.chance(label_odds) {
            value.label.clone()
        } else {
            let chosen = rng.pick(&general);
            recase(rng, chosen)
        };
        assert!(names_it(&text), "{text:?} does not name {group}/{slug}");
        text
    }
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const NUMBER_WORDS: [&str; 8] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven",
];

fn minutes(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<u32>().expect("hour") * 60 + m.parse::<u32>().expect("minute")
}

fn join_list(items: &[String], conj: &str) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} {conj} {last}", rest.join(", ")),
    }
}

fn clock(minutes: u32) -> (String, &'static str) {
    let (h, m) = (minutes / 60, minutes % 60);
    let meridiem = if h >= 12 { "pm" } else { "am" };
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    (format!("{h12}:{m:02}"), meridiem)
}

/// "6:00-9:00 pm", "10:00 am-1:00 pm".
fn time_range(start: u32, end: u32) -> String {
    let ((s, sm), (e, em)) = (clock(start), clock(end));
    if sm == em {
        format!("{s}-{e} {em}")
    } else {
        format!("{s} {sm}-{e} {em}")
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The schedule track of a session, as the directory derives it.
fn track(day: usize, start: u32) -> &'static str {
    if day >= 5 {
        "weekend"
    } else if start >= 16 * 60 {
        "evening"
    } else {
        "daytime"
    }
}

fn language_phrase(vocab: &Vocab, slug: &str) -> String {
    match slug {
        "haitian-creole" => "Haitian Creole".to_string(),
        "american-indian-alaska-native" => {
            "Alaska Native and American Indian languages".to_string()
        }
        _ => vocab
            .v
            .lookup("language", slug)
            .expect("language")
            .label
            .clone(),
    }
}

/// Lower-case ASCII words joined by dashes: "Teen Evening IOP" -> "teen-evening-iop".
fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().filter(|&c| c != '\'') {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

/// (day 0 = Monday, start minute, end minute)
type Session = (usize, u32, u32);

/// One output record: the fields of `SampleRecord`, in its order.
struct Record {
    record: String,
    name: String,
    program_name: Option<String>,
    description: Option<String>,
    street: Option<String>,
    city: String,
    state: String,
    zip: String,
    lat: Option<f64>,
    lon: Option<f64>,
    phone: Option<String>,
    intake_phone: Option<String>,
    website: Option<String>,
    services: Vec<String>,
    sessions: Vec<Session>,
    days_per_week: Option<u8>,
    hours_per_week: Option<f32>,
    program_weeks: Option<u16>,
    php: Option<bool>,
    outpatient: Option<bool>,
    accepting_new_clients: Option<bool>,
    checked: String,
}

fn json<T: serde::Serialize + ?Sized>(x: &T) -> String {
    serde_json::to_string(x).expect("serializes")
}

impl Record {
    /// One field a line; lists on one line.
    fn to_json(&self) -> String {
        let services: Vec<String> = self.services.iter().map(json).collect();
        let sessions: Vec<String> = self
            .sessions
            .iter()
            .map(|&(d, s, e)| {
                let (day, start, end) = (json(DAY_KEYS[d]), json(&hhmm(s)), json(&hhmm(e)));
                format!("{{\"day\": {day}, \"start\": {start}, \"end\": {end}}}")
            })
            .collect();
        let fields: Vec<(&str, String)> = vec![
            ("record", json(&self.record)),
            ("name", json(&self.name)),
            ("program_name", json(&self.program_name)),
            ("description", json(&self.description)),
            ("street", json(&self.street)),
            ("city", json(&self.city)),
            ("state", json(&self.state)),
            ("zip", json(&self.zip)),
            ("lat", json(&self.lat)),
            ("lon", json(&self.lon)),
            ("phone", json(&self.phone)),
            ("intake_phone", json(&self.intake_phone)),
            ("website", json(&self.website)),
            ("services", format!("[{}]", services.join(", "))),
            ("sessions", format!("[{}]", sessions.join(", "))),
            ("days_per_week", json(&self.days_per_week)),
            ("hours_per_week", json(&self.hours_per_week)),
            ("program_weeks", json(&self.program_weeks)),
            ("php", json(&self.php)),
            ("outpatient", json(&self.outpatient)),
            ("accepting_new_clients", json(&self.accepting_new_clients)),
            ("checked", json(&self.checked)),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("    \"{k}\": {v}"))
            .collect();
        format!("  {{\n{}\n  }}", body.join(",\n"))
    }
}

/// Where a record goes, decided before any record is made.
struct Slot {
    state: &'static str,
    city: &'static str,
    special: Option<&'static Special<'static>>,
    /// What the record says of its schedule (dealt so the shares are exact).
    schedule: Reported,
    /// Whether the record has exact coordinates (likewise dealt).
    exact_point: bool,
}

impl Slot {
    fn new(
        state: &'static str,
        city: &'static str,
        special: Option<&'static Special<'static>>,
    ) -> Slot {
        let (schedule, exact_point) = (Reported::Nothing, false);
        Slot {
            state,
            city,
            special,
            schedule,
            exact_point,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reported {
    Sessions,
    DaysAndHours,
    Nothing,
}

struct Generator {
    rng: Rng,
    vocab: Vocab,
    places: Places,
    names: BTreeSet<String>,
    phones: BTreeSet<String>,
}

/// Add up to `n` items of `pool` that `into` lacks and `allowed` accepts.
fn add_some(
    rng: &mut Rng,
    into: &mut Vec<&'static str>,
    pool: &[&'static str],
    n: usize,
    allowed: impl Fn(&str) -> bool,
) {
    let mut candidates: Vec<&'static str> = pool
        .iter()
        .copied()
        .filter(|x| !into.contains(x) && allowed(x))
        .collect();
    rng.shuffle(&mut candidates);
    into.extend(candidates.into_iter().take(n));
}

fn push_unique(into: &mut Vec<&'static str>, x: &'static str) {
    if !into.contains(&x) {
        into.push(x);
    }
}

impl Generator {
    fn sessions(&mut self, sched: Sched) -> Vec<Session> {
        let rng = &mut self.rng;
        loop {
            let mut out: Vec<Session> = Vec::new();
            let mut add = |days: &[usize], (s, e): (&str, &str)| {
                out.extend(days.iter().map(|&d| (d, minutes(s), minutes(e))));
            };
            match sched {
                Sched::Evening => add(
                    rng.pick_ref(&TABLES.weekday_sets).as_slice(),
                    rng.pick(&TABLES.evening_hours),
                ),
                Sched::Daytime => add(
                    rng.pick_ref(&TABLES.daytime_sets).as_slice(),
                    rng.pick(&TABLES.daytime_hours),
                ),
                Sched::AfterSchool => add(
                    rng.pick_ref(&TABLES.weekday_sets[..5]).as_slice(),
                    rng.pick(&TABLES.after_school_hours),
                ),
                Sched::EveningWeekend => {
                    add(
                        rng.pick(&[&[1, 3][..], &[0, 2], &[0, 1, 3]]),
                        rng.pick(&TABLES.evening_hours[..2]),
                    );
                    add(&[5], rng.pick(&TABLES.saturday_hours));
                }
                Sched::DaytimeWeekend => {
                    add(
                        rng.pick(&[&[0, 2][..], &[1, 3], &[0, 2, 4]]),
                        rng.pick(&TABLES.daytime_hours[..3]),
                    );
                    add(&[5], TABLES.saturday_hours[0]);
                }
                Sched::Weekend => {
                    add(&[2], TABLES.evening_hours[0]);
                    add(&[5, 6], rng.pick(&TABLES.weekend_hours));
                }
            }
            let hours: u32 = out.iter().map(|&(_, s, e)| e - s).sum();
            if (8 * 60..=19 * 60).contains(&hours) {
                out.sort();
                return out;
            }
        }
    }

    /// A name no other record has: "{prefix} {suffix}".
    fn unique_name(&mut self, suffixes: &[&str]) -> String {
        for _ in 0..500 {
            let name = format!(
                "{} {}",
                self.rng.pick(&TABLES.name_prefixes),
                self.rng.pick(suffixes)
            );
            if self.names.insert(name.clone()) {
                return name;
            }
        }
        panic!("ran out of names for {suffixes:?}");
    }

    /// A phone number in the fictional 555-01XX range, not used before.
    fn phone(&mut self, area: &str) -> String {
        loop {
            let p = format!("({area}) 555-01{:02}", self.rng.below(100));
            if self.phones.insert(p.clone()) {
                return p;
            }
        }
    }

    fn insurance(
        &mut self,
        state: &str,
        prof: &Profile<'static>,
        ages: &[&str],
        forced: &[&'static str],
    ) -> Vec<&'static str> {
        let rng = &mut self.rng;
        let mut v: Vec<&'static str> = forced.to_vec();
        if v.contains(&"free") {
            // free to the uninsured, billing public plans when it can
            if rng.chance(0.5) {
                push_unique(&mut v, "state-plan");
            }
            if v.len() < 2 {
                push_unique(&mut v, "medicaid");
            }
            return v;
        }
        if prof.key == "military" {
            push_unique(&mut v, "tricare");
        }
        if ages.contains(&"seniors") && rng.chance(0.9) {
            push_unique(&mut v, "medicare");
        }
        let adults = ages.contains(&"adults");
        let tribal = TABLES.tribal_states.contains(&state);
        let odds: &[(&'static str, f64)] = &[
            ("medicaid", 0.65),
            ("private", 0.45),
            ("self-pay", 0.4),
            ("sliding-scale", 0.2),
            ("payment-assistance", 0.12),
            ("state-plan", 0.05),
            ("tricare", 0.08),
            ("medicare", if adults { 0.3 } else { 0.0 }),
            ("ihs-tribal", if tribal { 0.3 } else { 0.0 }),
        ];
        for &(slug, p) in odds {
            if rng.chance(p) {
                push_unique(&mut v, slug);
            }
        }
        let carriers = rng.weighted(&[(0usize, 25), (1, 20), (2, 25), (3, 20), (4, 10)]);
        let kaiser = if TABLES.kaiser_states.contains(&state) {
            10
        } else {
            0
        };
        let pool: Vec<(&'static str, u32)> = [
            ("aetna", 10),
            ("anthem-bcbs", 12),
            ("cigna", 10),
            ("unitedhealthcare", 10),
            ("humana", 5),
            ("kaiser", kaiser),
            ("magellan", 4),
            ("carelon", 4),
            ("molina", 5),
            ("ambetter", 4),
        ]
        .into_iter()
        .filter(|x| x.1 > 0)
        .collect();
        for _ in 0..carriers {
            push_unique(&mut v, rng.weighted(&pool));
        }
        for fallback in ["self-pay", "private", "medicaid"] {
            if v.len() < 2 {
                push_unique(&mut v, fallback);
            }
        }
        v.truncate(8); // forced values come first
        v
    }

    fn make(&mut self, slot: &Slot, number: usize) -> Record {
        let special = slot.special;
        let state = slot.state;
        let prof: &'static Profile<'static> = match special {
            Some(s) => TABLES.profile(s.profile),
            None => {
                let weights: Vec<(usize, u32)> = TABLES
                    .profiles
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i, p.weight))
                    .collect();
                &TABLES.profiles[self.rng.weighted(&weights)]
            }
        };

        // whom and what
        let ages: Vec<&'static str> = self.rng.pick_ref(&prof.ages).to_vec();
        let mut focus: Vec<&'static str> = prof.focus.to_vec();
        let extra_focus = if focus.is_empty() {
            self.rng.range(1, 2) as usize
        } else {
            self.rng.weighted(&[(0usize, 45), (1, 40), (2, 15)])
        };
        add_some(
            &mut self.rng,
            &mut focus,
            &prof.focus_extra,
            extra_focus,
            |_| true,
        );
        focus.truncate(3);
        let sud = focus
            .iter()
            .any(|f| matches!(*f, "substance-use" | "co-occurring" | "gambling"));
        let addiction = focus
            .iter()
            .any(|f| matches!(*f, "substance-use" | "co-occurring"));
        let kids_only = !ages
            .iter()
            .any(|a| matches!(*a, "young-adults" | "adults" | "seniors"));
        let (eating, anxiety) = (
            focus.contains(&"eating-disorders"),
            focus.contains(&"ocd-anxiety"),
        );
        let allowed_modality = |m: &str| match m {
            "mat" => addiction && !kids_only,
            "matrix-model" | "contingency-management" | "twelve-step" | "relapse-prevention" => sud,
            "family-based-treatment" => eating,
            "exposure-response-prevention" => anxiety,
            _ => true,
        };
        let mut modality: Vec<&'static str> = prof.modality.to_vec();
        if eating && ages.contains(&"adolescents") {
            push_unique(&mut modality, "family-based-treatment");
        }
        if anxiety && self.rng.chance(0.5) {
            push_unique(&mut modality, "exposure-response-prevention");
        }
        let target = self.rng.range(modality.len().max(2) as u32, 6) as usize;
        let missing = target.saturating_sub(modality.len());
        add_some(
            &mut self.rng,
            &mut modality,
            &prof.modality_extra,
            missing,
            allowed_modality,
        );
        let missing = 2usize.saturating_sub(modality.len());
        add_some(
            &mut self.rng,
            &mut modality,
            &["individual-therapy", "group-therapy"],
            missing,
            |_| true,
        );

        let mut pops: Vec<&'static str> = prof.pops.to_vec();
        for &p in special.map_or(&[][..], |s| &s.pops[..]) {
            push_unique(&mut pops, p);
        }
        let extra_pops = self.rng.weighted(&[(0usize, 50), (1, 35), (2, 15)]);
        let adult_program = ages.contains(&"adults");
        let (has_women, has_men) = (pops.contains(&"women"), pops.contains(&"men"));
        add_some(
            &mut self.rng,
            &mut pops,
            &prof.pops_extra,
            extra_pops,
            |p| match p {
                "men" => !has_women,
                "women" => !has_men,
                "pregnant-postpartum"
                | "professionals"
                | "active-military"
                | "criminal-justice" => adult_program,
                _ => true,
            },
        );
        if pops.contains(&"pregnant-postpartum") {
            push_unique(&mut pops, "women");
            pops.retain(|p| *p != "men");
        }
        pops.truncate(3);
        // a few general programs welcome LGBTQ+ clients or veterans too
        if adult_program && pops.len() < 3 && self.rng.chance(0.08) {
            push_unique(
                &mut pops,
                if self.rng.chance(0.5) {
                    "lgbtq"
                } else {
                    "veterans"
                },
            );
        }

        let insurance = self.insurance(state, prof, &ages, special.map_or(&[][..], |s| &s.ins[..]));

        let mut accred: Vec<&'static str> = special.map_or(&[][..], |s| &s.accred[..]).to_vec();
        let n_accred = self.rng.weighted(&[(0usize, 35), (1, 45), (2, 20)]);
        let accred_pool: &[(&'static str, u32)] = &[
            ("state-licensed", 40),
            ("joint-commission", 30),
            ("carf", 30),
            ("legitscript", if sud { 6 } else { 1 }),
            ("coa", 3),
            ("ncqa", 3),
            ("hfap", 3),
        ];
        while accred.len() < n_accred {
            let a = self.rng.weighted(accred_pool);
            push_unique(&mut accred, a);
        }

        let mut langs: Vec<&'static str> = special.map_or(&[][..], |s| &s.langs[..]).to_vec();
        let n_langs = self.rng.weighted(&[(0usize, 50), (1, 32), (2, 13), (3, 5)]);
        let spanish = if ["CA", "TX", "FL", "NM", "AZ", "NV"].contains(&state) {
            24
        } else {
            10
        };
        let mut lang_pool: Vec<(&'static str, u32)> = vec![("spanish", spanish), ("asl", 2)];
        lang_pool.extend(TABLES.state_languages(state).iter().map(|&l| (l, 3)));
        for _ in 0..8 {
            if langs.len() >= n_langs {
                break;
            }
            let l = self.rng.weighted(&lang_pool);
            push_unique(&mut langs, l);
        }
        langs.truncate(3);

        let format: Vec<&'static str> = self
            .rng
            .weighted(&[
                (&["in-person"][..], 45),
                (&["in-person", "telehealth"], 25),
                (&["hybrid"], 20),
                (&["telehealth"], 10),
            ])
            .to_vec();

        // when: sessions, days and hours only, or not reported
        // after-school hours only for children and teens
        let kids = ages
            .iter()
            .any(|a| matches!(*a, "children" | "adolescents"));
        let sched = match self.rng.weighted(&prof.schedules) {
            Sched::AfterSchool if !kids => Sched::Evening,
            sched => sched,
        };
        let mut sessions = Vec::new();
        let (mut days_per_week, mut hours_per_week) = (None, None);
        match slot.schedule {
            Reported::Sessions => {
                sessions = self.sessions(sched);
                let days: BTreeSet<usize> = sessions.iter().map(|s| s.0).collect();
                days_per_week = Some(days.len() as u8);
                hours_per_week = Some(
                    sessions
                        .iter()
                        .map(|&(_, s, e)| (e - s) as f32 / 60.0)
                        .sum(),
                );
            }
            Reported::DaysAndHours => {
                let (d, h) = self.rng.pick(&[
                    (3u8, 9.0f32),
                    (3, 10.5),
                    (4, 12.0),
                    (5, 15.0),
                    (3, 12.0),
                    (4, 16.0),
                    (5, 17.5),
                    (4, 14.0),
                ]);
                match self.rng.weighted(&[(0u8, 70), (1, 15), (2, 15)]) {
                    0 => (days_per_week, hours_per_week) = (Some(d), Some(h)),
                    1 => days_per_week = Some(d),
                    _ => hours_per_week = Some(h),
                }
            }
            Reported::Nothing => {}
        }
        let track_word: Option<&'static str> = (sessions.is_empty() && self.rng.chance(0.35))
            .then_some(match sched {
                Sched::Evening | Sched::EveningWeekend | Sched::AfterSchool => "evening",
                Sched::Daytime | Sched::DaytimeWeekend => "daytime",
                Sched::Weekend => "weekend",
            });
        let tracks: BTreeSet<&'static str> =
            sessions.iter().map(|&(d, s, _)| track(d, s)).collect();
        let after_school =
            sched == Sched::AfterSchool && (!sessions.is_empty() || track_word.is_some());

        // tags: every slug the record has, for program names and phrases
        let mut tags: BTreeSet<&str> = BTreeSet::new();
        for list in [
            &focus, &modality, &insurance, &accred, &ages, &pops, &langs, &format,
        ] {
            tags.extend(list.iter().copied());
        }
        tags.extend(tracks.iter().copied());
        tags.extend(track_word);
        if after_school {
            tags.insert("after-school");
        }

        // services, in the source's words
        let mut services = Vec::new();
        let groups: [(&str, &Vec<&'static str>); 8] = [
            ("focus", &focus),
            ("modality", &modality),
            ("insurance", &insurance),
            ("accreditation", &accred),
            ("age", &ages),
            ("population", &pops),
            ("language", &langs),
            ("format", &format),
        ];
        for (group, slugs) in groups {
            let mut phrases: Vec<String> = slugs
                .iter()
                .map(|s| self.vocab.phrase(&mut self.rng, group, s, state, &tags))
                .collect();
            self.rng.shuffle(&mut phrases);
            services.extend(phrases);
        }
        if let Some(word) = track_word {
            services.push(if after_school && self.rng.chance(0.7) {
                "after school".to_string()
            } else {
                self.vocab
                    .phrase(&mut self.rng, "schedule", word, state, &tags)
            });
        }

        // names
        let name = self.unique_name(&prof.suffixes);
        let program_name = if self.rng.chance(0.7) {
            let fitting: Vec<&str> = prof
                .programs
                .iter()
                .filter(|(_, needs)| needs.iter().all(|n| tags.contains(n)))
                .map(|(p, _)| *p)
                .collect();
            (!fitting.is_empty()).then(|| self.rng.pick(&fitting).to_string())
        } else {
            None
        };

        // place
        let zips = self.places.zips(state, slot.city);
        let zip = &zips[self.rng.below(zips.len())];
        let area = self.places.area_code(state, zip);
        let (zip_code, zip_lat, zip_lon) = (zip.zip.to_string(), zip.lat, zip.lon);
        let (lat, lon) = if slot.exact_point {
            let round6 = |x: f64| (x * 1e6).round() / 1e6;
            let (dlat, dlon) = (
                (self.rng.unit() - 0.5) * 0.03,
                (self.rng.unit() - 0.5) * 0.03,
            );
            (Some(round6(zip_lat + dlat)), Some(round6(zip_lon + dlon)))
        } else {
            (None, None)
        };
        let street = self.rng.chance(0.95).then(|| {
            let number = self.rng.range(10, 980) * 10 + self.rng.range(0, 9);
            let street = format!("{number} {}", self.rng.pick(&TABLES.streets));
            if !self.rng.chance(0.4) {
                return street;
            }
            let unit = match self.rng.below(4) {
                0 | 1 => {
                    let n = self.rng.pick(&[
                        100, 110, 120, 150, 200, 210, 220, 250, 300, 310, 320, 400, 410, 500,
                    ]);
                    format!("Suite {n}")
                }
                2 => format!(
                    "Suite {}{}",
                    self.rng.range(1, 4),
                    self.rng.pick(&['A', 'B', 'C', 'D'])
                ),
                _ => format!("Building {}", self.rng.pick(&['A', 'B', 'C', 'D'])),
            };
            format!("{street}, {unit}")
        });
        let phone = self.rng.chance(0.95).then(|| self.phone(area));
        let intake_phone = self.rng.chance(0.4).then(|| self.phone(area));
        let website = self.rng.chance(0.85).then(|| {
            let tld = self.rng.weighted(&[("org", 50), ("com", 35), ("net", 15)]);
            let www = if self.rng.chance(0.25) { "www." } else { "" };
            let path = match (&program_name, self.rng.below(5)) {
                (Some(p), 0 | 1) => format!("/programs/{}", slugify(p)),
                (_, 0 | 2) => "/iop".to_string(),
                (_, 1) => "/services/intensive-outpatient".to_string(),
                (_, 3) => String::new(),
                _ => "/programs".to_string(),
            };
            format!("https://{www}{}.example.{tld}{path}", slugify(&name))
        });

        let program_weeks = self.rng.chance(0.65).then(|| self.rng.range(6, 16) as u16);
        let tri = |rng: &mut Rng, p_true: f64| (!rng.chance(0.4)).then(|| rng.chance(p_true));
        let php = tri(&mut self.rng, 0.35);
        let outpatient = tri(&mut self.rng, 0.75);
        let accepting_new_clients = tri(&mut self.rng, 0.85);
        let checked = {
            let offset = self.rng.below(112) as u32; // 2026-08-01 ..= 2026-11-20
            let (month, day) = match offset {
                0..=30 => (8, offset + 1),
                31..=60 => (9, offset - 30),
                61..=91 => (10, offset - 60),
                _ => (11, offset - 91),
            };
            format!("2026-{month:02}-{day:02}")
        };

        let facts = Facts {
            focus: &focus,
            modality: &modality,
            ages: &ages,
            pops: &pops,
            langs: &langs,
            format: &format,
            sessions: &sessions,
            tracks: &tracks,
            track_word,
            after_school,
            days: days_per_week,
            hours: hours_per_week,
            weeks: program_weeks,
        };
        let description = self.rng.chance(0.9).then(|| self.describe(&facts));

        // SAMHSA's word for both (its CHLD code): the `children-adolescents`
        // value; added after every random draw, so nothing else changes
        if ages.contains(&"children") && ages.contains(&"adolescents") {
            services.push("Children/adolescents".to_string());
        }
        Record {
            record: format!("sample-{number:04}"),
            name,
            program_name,
            description,
            street,
            city: slot.city.to_string(),
            state: state.to_string(),
            zip: zip_code,
            lat,
            lon,
            phone,
            intake_phone,
            website,
            services,
            sessions,
            days_per_week,
            hours_per_week,
            program_weeks,
            php,
            outpatient,
            accepting_new_clients,
            checked,
        }
    }

    /// One to three plain sentences built from the record's facts.
    fn describe(&mut self, f: &Facts) -> String {
        let only_track = match (f.tracks.len(), f.tracks.iter().next(), f.track_word) {
            (1, Some(t), _) => Some(*t),
            (0, _, Some(t)) => Some(t),
            _ => None,
        };
        let adjective = match only_track {
            _ if f.after_school => "after-school ",
            Some("evening") => "evening ",
            Some("daytime") => "daytime ",
            Some("weekend") => "weekend ",
            _ => "",
        };
        let article = if adjective.is_empty() || adjective.starts_with(['a', 'e']) {
            "An"
        } else {
            "A"
        };
        let ages: Vec<String> = f
            .ages
            .iter()
            .map(|a| TABLES.phrase("age", a).to_string())
            .collect();
        let mut first = format!(
            "{article} {adjective}intensive outpatient program for {} with {}",
            join_list(&ages, "and"),
            TABLES.phrase("focus", f.focus[0])
        );
        // co-occurring already says substance use and mental health
        let secondary: Vec<String> = f.focus[1..]
            .iter()
            .filter(|x| {
                f.focus[0] != "co-occurring" || !matches!(**x, "substance-use" | "mental-health")
            })
            .map(|x| TABLES.phrase("focus_short", x).to_string())
            .collect();
        if !secondary.is_empty() {
            first.push_str(&format!(
                ", with added support for {}",
                join_list(&secondary, "and")
            ));
        }
        first.push('.');
        let mut sentences = vec![first];

        let schedule = if !f.sessions.is_empty() {
            // the days grouped by their hours
            let mut by_time: Vec<((u32, u32), Vec<String>)> = Vec::new();
            for &(d, s, e) in f.sessions {
                match by_time.iter_mut().find(|(t, _)| *t == (s, e)) {
                    Some((_, days)) => days.push(DAY_NAMES[d].to_string()),
                    None => by_time.push(((s, e), vec![DAY_NAMES[d].to_string()])),
                }
            }
            if let [((s, e), days)] = by_time.as_slice() {
                let unit = match only_track {
                    Some("evening") => "evenings",
                    Some("daytime") if *s < 12 * 60 => "mornings",
                    Some("daytime") => "afternoons",
                    _ => "days",
                };
                let n = NUMBER_WORDS[days.len()];
                Some(format!(
                    "Groups meet {n} {unit} a week ({}, {}).",
                    join_list(days, "and"),
                    time_range(*s, *e)
                ))
            } else {
                let parts: Vec<String> = by_time
                    .iter()
                    .map(|((s, e), days)| {
                        format!("{} ({})", join_list(days, "and"), time_range(*s, *e))
                    })
                    .collect();
                Some(format!("Groups meet {}.", join_list(&parts, "and")))
            }
        } else {
            match (f.days, f.hours) {
                (Some(d), Some(h)) => Some(format!(
                    "The program meets {} days a week, about {h} hours in all.",
                    NUMBER_WORDS[d as usize]
                )),
                (Some(d), None) => Some(format!(
                    "The program meets {} days a week.",
                    NUMBER_WORDS[d as usize]
                )),
                (None, Some(h)) => Some(format!(
                    "The program offers about {h} hours of treatment a week."
                )),
                (None, None) => None,
            }
        };
        let weeks = f.weeks.map(|w| match self.rng.below(2) {
            0 => format!("Most people attend for about {w} weeks."),
            _ => format!("The program runs about {w} weeks."),
        });

        let mut extras: Vec<String> = Vec::new();
        let shown: Vec<String> = f
            .modality
            .iter()
            .filter(|m| **m != "group-therapy")
            .take(3)
            .map(|m| TABLES.phrase("modality", m).to_string())
            .collect();
        if !shown.is_empty() {
            extras.push(format!("Treatment includes {}.", join_list(&shown, "and")));
        }
        if f.format == ["telehealth"] {
            extras.push("All sessions are held online by video.".to_string());
        } else if f.format.contains(&"telehealth") {
            extras.push("Sessions are also offered by telehealth.".to_string());
        } else if f.format.contains(&"hybrid") {
            extras.push("Clients can attend in person or online.".to_string());
        }
        if !f.pops.is_empty() {
            let names: Vec<String> = f
                .pops
                .iter()
                .map(|p| TABLES.phrase("population", p).to_string())
                .collect();
            extras.push(format!(
                "Groups are designed with {} in mind.",
                join_list(&names, "and")
            ));
        }
        if !f.langs.is_empty() {
            let names: Vec<String> = f
                .langs
                .iter()
                .map(|l| language_phrase(&self.vocab, l))
                .collect();
            extras.push(format!(
                "Services are available in {}.",
                join_list(&names, "and")
            ));
        }

        if let Some(s) = schedule.filter(|_| self.rng.chance(0.8)) {
            sentences.push(s);
        }
        if let Some(w) = weeks.filter(|_| self.rng.chance(0.3)) {
            sentences.push(w);
        }
        self.rng.shuffle(&mut extras);
        let wanted = self.rng.weighted(&[(1usize, 25), (2, 40), (3, 35)]);
        for extra in extras {
            if sentences.len() >= wanted {
                break;
            }
            sentences.push(extra);
        }
        sentences.join(" ")
    }
}

/// What a description is built from.
struct Facts<'a> {
    focus: &'a [&'static str],
    modality: &'a [&'static str],
    ages: &'a [&'static str],
    pops: &'a [&'static str],
    langs: &'a [&'static str],
    format: &'a [&'static str],
    sessions: &'a [Session],
    tracks: &'a BTreeSet<&'static str>,
    track_word: Option<&'static str>,
    after_school: bool,
    days: Option<u8>,
    hours: Option<f32>,
    weeks: Option<u16>,
}

fn main() {
    let places = Places::load();
    let vocab = Vocab {
        v: Vocabulary::get(),
    };
    let mut rng = Rng(SEED);

    // how many programs each state gets: proportional to population, at
    // least 3, and room for its clusters and special records
    let mut fixed: BTreeMap<&str, usize> = BTreeMap::new();
    for &(s, _, n) in &TABLES.clusters {
        *fixed.entry(s).or_default() += n;
    }
    for sp in &TABLES.specials {
        *fixed.entry(sp.state).or_default() += 1;
    }
    let total_pop: f64 = TABLES.states.iter().map(|s| s.1 as f64).sum();
    let allocate = |k: f64| -> Vec<usize> {
        TABLES
            .states
            .iter()
            .map(|&(s, pop)| {
                let share = (k * pop as f64 / total_pop).round() as usize;
                share.max(3).max(fixed.get(s).copied().unwrap_or(0) + 1)
            })
            .collect()
    };
    let k = (100..=500)
        .map(|k| k as f64)
        .min_by_key(|&k| allocate(k).iter().sum::<usize>().abs_diff(TARGET_RECORDS))
        .expect("some k");
    let counts = allocate(k);

    // where: clusters, special records, then the state's larger cities
    let mut slots: Vec<Slot> = Vec::new();
    for (i, &(state, _)) in TABLES.states.iter().enumerate() {
        let mut mine: Vec<Slot> = Vec::new();
        for &(s, city, n) in TABLES.clusters.iter().filter(|c| c.0 == state) {
            let city = places.city(s, city);
            mine.extend((0..n).map(|_| Slot::new(state, city, None)));
        }
        for sp in TABLES.specials.iter().filter(|sp| sp.state == state) {
            mine.push(Slot::new(state, places.city(state, sp.city), Some(sp)));
        }
        let random = counts[i] - mine.len();
        let skip: Vec<&str> = TABLES
            .clusters
            .iter()
            .filter(|c| c.0 == state)
            .map(|c| c.1)
            .collect();
        let candidates = places.candidates(state, (random / 2).clamp(3, 10), &skip);
        for _ in 0..random {
            let city = rng.weighted(&candidates);
            mine.push(Slot::new(state, city, None));
        }
        mine.sort_by(|a, b| a.city.cmp(b.city));
        slots.extend(mine);
    }

    // exact shares: 65% sessions, 10% days and hours only, 25% nothing
    // reported; 60% exact coordinates
    let n = slots.len();
    let mut reported: Vec<Reported> = (0..n)
        .map(|i| match i * 100 / n {
            0..=64 => Reported::Sessions,
            65..=74 => Reported::DaysAndHours,
            _ => Reported::Nothing,
        })
        .collect();
    rng.shuffle(&mut reported);
    let mut exact: Vec<bool> = (0..n).map(|i| i * 10 < n * 6).collect();
    rng.shuffle(&mut exact);
    for ((slot, schedule), exact_point) in slots.iter_mut().zip(reported).zip(exact) {
        slot.schedule = schedule;
        slot.exact_point = exact_point;
    }

    let mut generator = Generator {
        rng,
        vocab,
        places,
        names: BTreeSet::new(),
        phones: BTreeSet::new(),
    };
    let records: Vec<Record> = slots
        .iter()
        .enumerate()
        .map(|(i, slot)| generator.make(slot, i + 1))
        .collect();

    check(&generator.vocab, &records);

    let body: Vec<String> = records.iter().map(Record::to_json).collect();
    let out = format!("[\n{}\n]\n", body.join(",\n"));
    let parsed: Vec<SampleRecord> =
        serde_json::from_str(&out).expect("the output parses as sample records");
    assert_eq!(parsed.len(), records.len());
    print!("{out}");
}

/// Every record within its ranges and consistent; every vocabulary value
/// used by some record (schedule values through the sessions' tracks).
fn check(vocab: &Vocab, records: &[Record]) {
    let v = vocab.v;
    let limits: &[(&str, usize, usize)] = &[
        ("focus", 1, 3),
        ("modality", 2, 6),
        ("insurance", 2, 8),
        ("accreditation", 0, 2),
        ("age", 1, 3),
        ("population", 0, 3),
        ("language", 0, 3),
        ("format", 1, 2),
    ];
    let mut used: BTreeSet<ValueId> = BTreeSet::new();
    for r in records {
        let mut ids: BTreeSet<ValueId> = BTreeSet::new();
        for s in &r.services {
            let found = v.values_for_phrase(s);
            assert!(
                !found.is_empty(),
                "{}: {s:?} is not in the vocabulary",
                r.record
            );
            ids.extend(found.iter().copied());
        }
        let listed_tracks = ids
            .iter()
            .filter(|&&id| vocab.group_slug(id) == "schedule")
            .count();
        assert!(
            r.sessions.is_empty() || listed_tracks == 0,
            "{}: track words and sessions",
            r.record
        );
        if !r.sessions.is_empty() {
            let days: BTreeSet<usize> = r.sessions.iter().map(|s| s.0).collect();
            let hours: f32 = r
                .sessions
                .iter()
                .map(|&(_, s, e)| (e - s) as f32 / 60.0)
                .sum();
            assert_eq!(r.days_per_week, Some(days.len() as u8), "{}", r.record);
            assert_eq!(r.hours_per_week, Some(hours), "{}", r.record);
            for &(d, s, e) in &r.sessions {
                assert!(e > s, "{}", r.record);
                ids.insert(vocab.id("schedule", track(d, s)));
            }
        }
        for &(group, lo, hi) in limits {
            let n = ids
                .iter()
                .filter(|&&id| vocab.group_slug(id) == group)
                .count();
            assert!(
                (lo..=hi).contains(&n),
                "{}: {n} {group} values, not {lo}-{hi}",
                r.record
            );
        }
        assert!(
            r.zip.len() == 5 && r.zip.bytes().all(|b| b.is_ascii_digit()),
            "{}: zip {}",
            r.record,
            r.zip
        );
        for p in r.phone.iter().chain(&r.intake_phone) {
            assert!(
                p.len() == 14 && p[5..].starts_with(" 555-01"),
                "{}: phone {p}",
                r.record
            );
        }
        if let Some(w) = &r.website {
            let host = w
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap_or("");
            let reserved = [".example.org", ".example.com", ".example.net"];
            assert!(
                reserved.iter().any(|d| host.ends_with(d)),
                "{}: website {w}",
                r.record
            );
        }
        used.extend(ids);
    }
    let missing: Vec<String> = v
        .values()
        .iter()
        .filter(|x| !used.contains(&x.id))
        .map(|x| format!("{}/{}", v.group(x.group).slug, x.slug))
        .collect();
    assert!(
        missing.is_empty(),
        "vocabulary values used by no sample record: {missing:?}"
    );
    let states: BTreeSet<&str> = records.iter().map(|r| r.state.as_str()).collect();
    assert_eq!(
        states.len(),
        TABLES.states.len(),
        "every state and DC has programs"
    );
}
