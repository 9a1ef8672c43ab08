//! A search request and its URL form.
//!
//! The web pages, the JSON API and the command line all take the same
//! parameters (`near`, `radius`, `q`, `sort`, `page`, `per_page`, and one
//! repeatable parameter per facet group); this module parses them, says
//! exactly what is wrong with a bad one, and writes a request back as the
//! canonical query string, so every search has one stable URL.

use crate::geo::{Gazetteer, Origin, PlaceError};
use crate::listing::is_listing_id;
use crate::vocabulary::{GroupId, ValueId, Vocabulary};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Radius of a search with a place and no `radius`, in miles.
pub const DEFAULT_RADIUS_MILES: f64 = 25.0;
/// The largest `radius` accepted, in miles.
pub const MAX_RADIUS_MILES: f64 = 500.0;
/// Results per page when `per_page` is not given.
pub const DEFAULT_PER_PAGE: usize = 20;
/// The largest `per_page` accepted.
pub const MAX_PER_PAGE: usize = 100;
/// Deep pages cost memory in the top-k heap; nobody reads page 1,000.
pub const MAX_PAGE: usize = 1000;
/// The longest `q` accepted, in characters (Unicode scalar values).
pub const MAX_QUERY_CHARS: usize = 200;

/// The longest place a search reads, in characters: a whole street address
/// with its unit, city, state, ZIP code and country is well under it.
pub const MAX_PLACE_CHARS: usize = 200;

/// The order of the results (ties by name, then id); [`SearchRequest::sort`]
/// gives the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Nearest first, by great-circle distance from the place (needs `near`).
    Distance,
    /// Best text match (BM25) first; with a place, the score is divided by
    /// `1 + distance / 10 miles`.
    Relevance,
    /// By name, ignoring case.
    Name,
}

impl Sort {
    /// The order as the `sort` parameter writes it: `distance`, `relevance`
    /// or `name`.
    pub fn slug(self) -> &'static str {
        match self {
            Sort::Distance => "distance",
            Sort::Relevance => "relevance",
            Sort::Name => "name",
        }
    }
}

/// One search: place and radius, text, facet filters, sort and page, as
/// [`SearchRequest::from_pairs`] parses them and
/// [`SearchRequest::to_query_string`] writes them back.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The place as it was typed, when given.
    pub near: Option<String>,
    /// Where `near` resolved to (a label and a WGS 84 point): the centre
    /// distances are measured from.
    pub origin: Option<Origin>,
    /// Great-circle radius around `origin`, in miles, to the thousandth
    /// (above 0, at most [`MAX_RADIUS_MILES`]); unused without a place.
    pub radius_miles: f64,
    /// The `q` text as typed, trimmed: at most [`MAX_QUERY_CHARS`]
    /// characters, with a word to search for.
    pub text: Option<String>,
    /// Selected values by group, each list sorted: OR within a group, AND
    /// across groups.
    pub filters: BTreeMap<GroupId, Vec<ValueId>>,
    /// The sort asked for; `None` means the default (see [`SearchRequest::sort`]).
    pub requested_sort: Option<Sort>,
    /// From 1.
    pub page: usize,
    /// Results per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            near: None,
            origin: None,
            radius_miles: DEFAULT_RADIUS_MILES,
            text: None,
            filters: BTreeMap::new(),
            requested_sort: None,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// What was wrong with a parameter, in words for the person who sent it.
/// `message` is its one English wording ([`ParamError::wording`] filled
/// in), the API's `error` and the English page's sentence; `kind` says the
/// same as a stable code with its arguments, so pages can word it in their
/// language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct ParamError {
    /// The parameter's name as sent (`near`, `radius`, a facet group...).
    pub parameter: String,
    /// What is wrong and how to put it right, in English.
    pub message: String,
    /// Values the person may have meant (places, facet values).
    pub suggestions: Vec<String>,
    /// The same as a stable code with its arguments.
    pub kind: ParamErrorKind,
}

/// The kinds of [`ParamError`], with what their messages mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamErrorKind {
    /// `value` is not a value of the facet group (the values are the suggestions).
    NotAValue {
        /// The value as given, trimmed.
        value: String,
    },
    /// Not a parameter of the API.
    UnknownParameter,
    /// Not a parameter, but a parameter's name mistyped ("insurnace"): the
    /// site's pages, which ignore other unknown names (`utm_source`), say so
    /// rather than search without it.
    MisspeltParameter {
        /// The parameter it is nearest to.
        meant: String,
    },
    /// A single-valued parameter given more than once.
    Repeated,
    /// `near` is empty or only spaces.
    EmptyPlace,
    /// A ZIP code the gazetteer does not know.
    UnknownZip {
        /// The five digits as given.
        zip: String,
    },
    /// A real ZIP code without a location (military, some territories).
    ZipWithoutLocation {
        /// The ZIP code.
        zip: String,
    },
    /// Coordinates out of range.
    BadCoordinates {
        /// The coordinates as typed.
        text: String,
    },
    /// No such place (suggestions: places it may mean).
    UnknownPlace {
        /// The place as typed.
        query: String,
    },
    /// A city name in several states (suggestions: "City, ST" choices).
    AmbiguousPlace {
        /// The city as typed.
        query: String,
    },
    /// `near` is a place in another country.
    PlaceAbroad {
        /// The place as typed.
        query: String,
    },
    /// `radius` is not a number.
    RadiusNotANumber {
        /// The radius as given.
        value: String,
    },
    /// `radius` is 0, negative or over the maximum.
    RadiusOutOfRange {
        /// The radius as given, in miles.
        value: String,
    },
    /// `near` is longer than `max` characters.
    PlaceTooLong {
        /// The limit, [`MAX_PLACE_CHARS`].
        max: usize,
    },
    /// `q` is longer than `max` characters.
    TextTooLong {
        /// The limit, [`MAX_QUERY_CHARS`].
        max: usize,
    },
    /// `q` has no letter or digit to search for (`@`, an emoji, punctuation).
    NoSearchableWords {
        /// The search text as given.
        text: String,
    },
    /// A ZIP code written with 4 digits, as spreadsheets write one that
    /// starts with 0 (the suggestion is the 5-digit ZIP).
    ZipMissingLeadingZero {
        /// The digits as typed.
        typed: String,
        /// The known 5-digit ZIP code.
        zip: String,
    },
    /// A state or territory alone, where a place in it is needed
    /// (suggestions: its biggest places).
    WholeState {
        /// The state's name ("Colorado").
        state: String,
    },
    /// `sort` is not distance, relevance or name.
    BadSort {
        /// The value as given.
        value: String,
    },
    /// `page` or `per_page` is not a whole number (`abc`, `1.5`, `-1`).
    CountNotAWholeNumber {
        /// The value as given.
        value: String,
        /// The largest accepted: [`MAX_PAGE`] or [`MAX_PER_PAGE`].
        max: usize,
    },
    /// `page` or `per_page` is a whole number outside 1 to `max`.
    CountOutOfRange {
        /// The value as given.
        value: String,
        /// The largest accepted: [`MAX_PAGE`] or [`MAX_PER_PAGE`].
        max: usize,
    },
    /// `sort=distance` without `near`.
    DistanceNeedsPlace,
    /// Anything else (parameters of other pages); only `message` says what.
    Other,
}

impl ParamError {
    /// The error of `kind` for `parameter` with these `suggestions`, its
    /// `message` worded from its kind ([`ParamError::wording`]).
    fn new(parameter: &str, kind: ParamErrorKind, suggestions: Vec<String>) -> ParamError {
        let mut error = ParamError {
            parameter: parameter.to_string(),
            message: String::new(),
            suggestions,
            kind,
        };
        let (template, args) = error.wording();
        error.message = fill(template, &args);
        error
    }

    /// This error's one English wording: a sentence with `{name}`
    /// placeholders (also the key of its translations in the pages'
    /// catalog) and the placeholders' values. What the person typed comes
    /// quoted (“…”); `parameter` is the parameter's name, `group` a facet
    /// group's slug and `values` its value slugs, comma-separated, which
    /// pages show as their labels; `parameters` the names of every search
    /// parameter, comma-separated. An [`ParamErrorKind::Other`] error is
    /// its `message` alone (`"{message}"`).
    pub fn wording(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let quoted = |text: &str| format!("\u{201c}{text}\u{201d}");
        let parameter = ("parameter", quoted(&self.parameter));
        match &self.kind {
            ParamErrorKind::NotAValue { value } => (
                "{value} is not one of the choices for {group}. Choose from: {values}.",
                vec![
                    ("value", quoted(value)),
                    ("group", quoted(&self.parameter)),
                    ("values", self.suggestions.join(", ")),
                ],
            ),
            ParamErrorKind::MisspeltParameter { meant } => ("{parameter} is not a search parameter: did you mean {meant}?", vec![parameter, ("meant", quoted(meant))]),
            ParamErrorKind::UnknownParameter => ("{parameter} is not a search parameter. The parameters are {parameters}.", vec![parameter, ("parameters", parameter_names())]),
            ParamErrorKind::Repeated => ("{parameter} was given more than once: give it once.", vec![parameter]),
            ParamErrorKind::EmptyPlace => ("Enter a ZIP code, a city and state (\u{201c}Denver, CO\u{201d}) or coordinates (\u{201c}39.74,-104.99\u{201d}).", vec![]),
            ParamErrorKind::UnknownZip { zip } => ("We do not know the ZIP code {zip}. Check it, or enter a city and state.", vec![("zip", zip.clone())]),
            ParamErrorKind::ZipWithoutLocation { zip } => ("The ZIP code {zip} (a military or overseas ZIP code) has no location on the map, so no distance can be measured from it. Enter the ZIP code or city of a place in the United States to search near it, or search by keywords alone.", vec![("zip", zip.clone())]),
            ParamErrorKind::BadCoordinates { text } => ("{text} are not valid coordinates: the latitude must be between -90 and 90 and the longitude between -180 and 180.", vec![("text", quoted(text))]),
            ParamErrorKind::UnknownPlace { query } if self.suggestions.is_empty() => ("We do not know a place called {query}.", vec![("query", quoted(query))]),
            ParamErrorKind::UnknownPlace { query } => ("We do not know a place called {query}. Did you mean one of the places below?", vec![("query", quoted(query))]),
            ParamErrorKind::AmbiguousPlace { query } => ("More than one state has a place called {query}: add the state, or choose one below.", vec![("query", quoted(query))]),
            ParamErrorKind::PlaceAbroad { query } => ("{query} is outside the United States, and this directory lists programs in the United States only: enter a ZIP code or a city in the United States.", vec![("query", quoted(query))]),
            ParamErrorKind::RadiusNotANumber { value } => ("The distance {value} is not a number of miles: use a number greater than 0 and at most 500, such as 25.", vec![("value", quoted(value))]),
            ParamErrorKind::RadiusOutOfRange { value } => ("A distance of {value} miles is out of range: use a number greater than 0 and at most 500.", vec![("value", value.clone())]),
            ParamErrorKind::PlaceTooLong { max } => ("The place is longer than {max} characters: enter a ZIP code, or a city and state.", vec![("max", max.to_string())]),
            ParamErrorKind::TextTooLong { max } => ("The keywords are longer than {max} characters: shorten them.", vec![("max", max.to_string())]),
            ParamErrorKind::NoSearchableWords { text } => ("Your keywords {text} have no letters or numbers to search for. Use words such as \u{201c}CBT\u{201d} or \u{201c}veterans\u{201d}, or leave the keywords empty.", vec![("text", quoted(text))]),
            ParamErrorKind::ZipMissingLeadingZero { typed, zip } => ("ZIP codes have 5 digits, and {typed} has fewer: did you mean {zip}? (Spreadsheets often drop the zeros a ZIP code starts with.)", vec![("typed", quoted(typed)), ("zip", zip.clone())]),
            ParamErrorKind::WholeState { state } if crate::geo::is_territory(state) => ("{state} is a whole territory: enter a ZIP code or a city in it, or choose one of its places below.", vec![("state", state.clone())]),
            ParamErrorKind::WholeState { state } => ("{state} is a whole state: enter a ZIP code or a city in it, or choose one of its places below.", vec![("state", state.clone())]),
            ParamErrorKind::BadSort { value } => ("{value} is not a sort order: use distance, relevance (best match first) or name.", vec![("value", quoted(value))]),
            ParamErrorKind::CountNotAWholeNumber { value, max } => ("{value} is not a whole number, as {parameter} must be: use a whole number from 1 to {max}.", vec![("value", quoted(value)), parameter, ("max", max.to_string())]),
            ParamErrorKind::CountOutOfRange { value, max } => ("{value} is out of range for {parameter}: use a whole number from 1 to {max}.", vec![("value", quoted(value)), parameter, ("max", max.to_string())]),
            ParamErrorKind::DistanceNeedsPlace => ("Sorting by distance needs a place: enter a ZIP code or a city.", vec![]),
            ParamErrorKind::Other => ("{message}", vec![("message", self.message.clone())]),
        }
    }

    /// An error of a parameter this module does not parse, as an English message.
    pub fn other(parameter: &str, message: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.to_string(),
            message: message.into(),
            suggestions: Vec::new(),
            kind: ParamErrorKind::Other,
        }
    }
}

/// The search's parameters that take one value, in the order the API's
/// documentation gives them; the facet groups (repeatable) come after.
const SCALAR_PARAMETERS: [&str; 6] = ["near", "radius", "q", "sort", "page", "per_page"];

/// The search parameter `name` is a typing slip of ("insurnace", "nera",
/// "ages"): one edit away from a name of up to 4 letters, two from a longer
/// one (a letter added, dropped, changed, or two swapped); none for a name
/// of under 3 letters or one far from every parameter (`utm_source`,
/// `fbclid`, which links from elsewhere add).
fn misspelt_parameter(name: &str) -> Option<&'static str> {
    if name.len() < 3 {
        return None;
    }
    let groups = Vocabulary::get().groups().iter().map(|g| g.slug.as_str());
    SCALAR_PARAMETERS
        .into_iter()
        .chain(groups)
        .filter(|known| known.len() >= 3)
        .map(|known| (strsim::osa_distance(name, known), known))
        .filter(|&(edits, known)| edits <= if known.len() <= 4 { 1 } else { 2 })
        .min_by_key(|&(edits, _)| edits)
        .map(|(_, known)| known)
}

/// Every search parameter's name, comma-separated: [`SCALAR_PARAMETERS`],
/// then the facet groups' slugs in the vocabulary's order (what an unknown
/// parameter's error offers instead).
fn parameter_names() -> String {
    let groups = Vocabulary::get().groups().iter().map(|g| g.slug.as_str());
    SCALAR_PARAMETERS
        .into_iter()
        .chain(groups)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `template` with each `{name}` of `args` replaced by its value, in one
/// pass (a value that contains `{...}` is never filled in again); an
/// unknown `{name}` is kept as written. Shared by the parameter errors and
/// the templates' translated patterns.
pub fn fill<V: AsRef<str>>(template: &str, args: &[(&str, V)]) -> String {
    let mut text = String::with_capacity(template.len());
    fill_pieces(template, args, |piece| text.push_str(piece));
    text
}

/// [`fill`]'s text handed to `write` piece by piece, in order: the
/// template's text between placeholders, and each value (so that a caller
/// can escape what it writes, where it writes it).
pub fn fill_pieces<V: AsRef<str>>(template: &str, args: &[(&str, V)], mut write: impl FnMut(&str)) {
    // a brace is one byte, never part of another character: a plain pass
    // over the bytes (templates are short; `str::find`'s searcher set up
    // for each was most of a card's distance)
    let byte = |text: &str, b: u8| text.bytes().position(|c| c == b);
    let mut rest = template;
    while let Some(open) = byte(rest, b'{') {
        write(&rest[..open]);
        let after = &rest[open + 1..];
        let value = byte(after, b'}').and_then(|close| {
            let name = &after[..close];
            let value = args.iter().find(|(n, _)| *n == name)?;
            Some((value.1.as_ref(), close))
        });
        match value {
            Some((value, close)) => {
                write(value);
                rest = &after[close + 1..];
            }
            None => {
                write("{");
                rest = after;
            }
        }
    }
    write(rest);
}

/// Whether parameters that are not part of the search are refused (the API)
/// or ignored (web pages, which may carry tracking-free extras like `lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownParams {
    /// Answer [`ParamErrorKind::UnknownParameter`] (the API).
    Refuse,
    /// Skip them (web pages).
    Ignore,
}

impl SearchRequest {
    /// The sort in effect: as asked, else by distance when there is a place,
    /// by relevance when there is text, by name otherwise.
    pub fn sort(&self) -> Sort {
        self.requested_sort.unwrap_or(if self.origin.is_some() {
            Sort::Distance
        } else if self.text.is_some() {
            Sort::Relevance
        } else {
            Sort::Name
        })
    }

    /// Whether value `value` of facet group `group` is among the filters.
    pub fn is_selected(&self, group: GroupId, value: ValueId) -> bool {
        self.filters.get(&group).is_some_and(|v| v.contains(&value))
    }

    /// Parse decoded `key=value` pairs (repeated keys allowed for facet groups).
    pub fn from_pairs<I, K, V>(
        pairs: I,
        unknown: UnknownParams,
    ) -> Result<SearchRequest, ParamError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let vocabulary = Vocabulary::get();
        let mut request = SearchRequest::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in pairs {
            // names in any case ("INSURANCE", "Near"): links typed or pasted
            // by hand
            let lower;
            let key = match key.as_ref() {
                key if key.bytes().any(|b| b.is_ascii_uppercase()) => {
                    lower = key.to_ascii_lowercase();
                    lower.as_str()
                }
                key => key,
            };
            let value = value.as_ref().trim();
            if let Some(group) = vocabulary.group_by_slug(key) {
                if value.is_empty() {
                    continue;
                }
                let Some(v) = vocabulary.lookup_written(key, value) else {
                    let known: Vec<String> = vocabulary
                        .values_of(group.id)
                        .map(|v| v.slug.clone())
                        .collect();
                    return Err(ParamError::new(
                        key,
                        ParamErrorKind::NotAValue {
                            value: value.to_string(),
                        },
                        known,
                    ));
                };
                let selected = request.filters.entry(group.id).or_default();
                if let Err(at) = selected.binary_search(&v.id) {
                    selected.insert(at, v.id);
                }
                continue;
            }
            let scalar = SCALAR_PARAMETERS.contains(&key);
            if !scalar {
                match unknown {
                    UnknownParams::Ignore => match misspelt_parameter(key) {
                        Some(meant) => {
                            return Err(ParamError::new(
                                key,
                                ParamErrorKind::MisspeltParameter {
                                    meant: meant.to_string(),
                                },
                                Vec::new(),
                            ));
                        }
                        None => continue,
                    },
                    UnknownParams::Refuse => {
                        return Err(ParamError::new(
                            key,
                            ParamErrorKind::UnknownParameter,
                            Vec::new(),
                        ));
                    }
                }
            }
            if seen.iter().any(|k| k == key) {
                return Err(ParamError::new(key, ParamErrorKind::Repeated, Vec::new()));
            }
            seen.push(key.to_string());
            if value.is_empty() {
                continue; // an empty form field means "not given"
            }
            match key {
                "near" => {
                    if value.chars().count() > MAX_PLACE_CHARS {
                        return Err(ParamError::new(
                            "near",
                            ParamErrorKind::PlaceTooLong {
                                max: MAX_PLACE_CHARS,
                            },
                            Vec::new(),
                        ));
                    }
                    let origin = Gazetteer::get()
                        .resolve(value)
                        .map_err(|e| place_error(&e))?;
                    request.near = Some(value.to_string());
                    request.origin = Some(origin);
                }
                "radius" => {
                    let miles: f64 = value
                        .parse()
                        .ok()
                        .filter(|m: &f64| m.is_finite())
                        .ok_or_else(|| {
                            ParamError::new(
                                "radius",
                                ParamErrorKind::RadiusNotANumber {
                                    value: value.to_string(),
                                },
                                Vec::new(),
                            )
                        })?;
                    // normalized once, to what links write back ([`format_miles`])
                    let miles = round_miles(miles);
                    if !(miles > 0.0 && miles <= MAX_RADIUS_MILES) {
                        return Err(ParamError::new(
                            "radius",
                            ParamErrorKind::RadiusOutOfRange {
                                value: value.to_string(),
                            },
                            Vec::new(),
                        ));
                    }
                    request.radius_miles = miles;
                }
                "q" => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(ParamError::new(
                            "q",
                            ParamErrorKind::TextTooLong {
                                max: MAX_QUERY_CHARS,
                            },
                            Vec::new(),
                        ));
                    }
                    if crate::text::search_words(value).is_empty() {
                        return Err(ParamError::new(
                            "q",
                            ParamErrorKind::NoSearchableWords {
                                text: value.to_string(),
                            },
                            Vec::new(),
                        ));
                    }
                    request.text = Some(value.to_string());
                }
                "sort" => request.requested_sort = Some(parse_sort(value)?),
                "page" => request.page = parse_count("page", value, MAX_PAGE)?,
                "per_page" => request.per_page = parse_count("per_page", value, MAX_PER_PAGE)?,
                _ => unreachable!("scalar keys are matched above"),
            }
        }
        if request.requested_sort == Some(Sort::Distance) && request.origin.is_none() {
            return Err(ParamError::new(
                "sort",
                ParamErrorKind::DistanceNeedsPlace,
                Vec::new(),
            ));
        }
        Ok(request)
    }

    /// Parse a raw query string (`a=1&b=2`).
    pub fn from_query_string(
        query: &str,
        unknown: UnknownParams,
    ) -> Result<SearchRequest, ParamError> {
        SearchRequest::from_pairs(form_urlencoded_pairs(query), unknown)
    }

    /// The canonical query string of this request: parameters in a fixed
    /// order, defaults left out, so equal searches have equal URLs.
    pub fn to_query_string(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write_query_on_page(self.page, &mut out);
        out
    }

    /// [`Self::to_query_string`] of this request on page `page`, written at
    /// the end of `out` (each pair in place: every link of a results page
    /// is one, its pages' links among them).
    pub fn write_query_on_page(&self, page: usize, out: &mut String) {
        let vocabulary = Vocabulary::get();
        let start = out.len();
        let mut pair = |name: &str, value: &str| {
            if out.len() > start {
                out.push('&');
            }
            encode_into(out, name);
            out.push('=');
            encode_into(out, value);
        };
        if let Some(near) = &self.near {
            pair("near", near);
        }
        if self.radius_miles != DEFAULT_RADIUS_MILES {
            pair("radius", &format_miles(self.radius_miles));
        }
        if let Some(q) = &self.text {
            pair("q", q);
        }
        for (&group, values) in &self.filters {
            for &v in values {
                pair(&vocabulary.group(group).slug, &vocabulary.value(v).slug);
            }
        }
        if let Some(sort) = self.requested_sort {
            pair("sort", sort.slug());
        }
        if page != 1 {
            pair("page", itoa::Buffer::new().format(page));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            pair("per_page", itoa::Buffer::new().format(self.per_page));
        }
    }

    /// This request with value `value` of `group` toggled, back on page 1.
    pub fn toggled(&self, group: GroupId, value: ValueId) -> SearchRequest {
        let mut next = self.clone();
        next.page = 1;
        let selected = next.filters.entry(group).or_default();
        match selected.binary_search(&value) {
            Ok(at) => {
                selected.remove(at);
            }
            Err(at) => selected.insert(at, value),
        }
        if selected.is_empty() {
            next.filters.remove(&group);
        }
        next
    }

    /// This request on another page.
    pub fn on_page(&self, page: usize) -> SearchRequest {
        SearchRequest {
            page,
            ..self.clone()
        }
    }
}

fn place_error(e: &PlaceError) -> ParamError {
    let kind = match e {
        PlaceError::Empty => ParamErrorKind::EmptyPlace,
        PlaceError::UnknownZip(zip) => ParamErrorKind::UnknownZip { zip: zip.clone() },
        PlaceError::NoLocation { zip, .. } => {
            ParamErrorKind::ZipWithoutLocation { zip: zip.clone() }
        }
        PlaceError::BadCoordinates(text) => ParamErrorKind::BadCoordinates { text: text.clone() },
        PlaceError::Unknown { query, .. } => ParamErrorKind::UnknownPlace {
            query: query.clone(),
        },
        PlaceError::Ambiguous { query, .. } => ParamErrorKind::AmbiguousPlace {
            query: query.clone(),
        },
        PlaceError::Abroad { query } => ParamErrorKind::PlaceAbroad {
            query: query.clone(),
        },
        PlaceError::ZipMissingLeadingZero { typed, zip, .. } => {
            ParamErrorKind::ZipMissingLeadingZero {
                typed: typed.clone(),
                zip: zip.clone(),
            }
        }
        PlaceError::WholeState { state, .. } => ParamErrorKind::WholeState {
            state: state.to_string(),
        },
    };
    ParamError::new("near", kind, e.suggestions().to_vec())
}

fn parse_sort(value: &str) -> Result<Sort, ParamError> {
    match value {
        "distance" => Ok(Sort::Distance),
        "relevance" => Ok(Sort::Relevance),
        "name" => Ok(Sort::Name),
        _ => Err(ParamError::new(
            "sort",
            ParamErrorKind::BadSort {
                value: value.to_string(),
            },
            Vec::new(),
        )),
    }
}

fn parse_count(parameter: &str, value: &str, max: usize) -> Result<usize, ParamError> {
    // a whole number (one too long for any integer too) outside the range,
    // or not a whole number at all
    let whole = match value.parse::<i128>() {
        Ok(n) => match usize::try_from(n) {
            Ok(n) if (1..=max).contains(&n) => return Ok(n),
            _ => true,
        },
        Err(e) => matches!(
            e.kind(),
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
        ),
    };
    let value = value.to_string();
    let kind = if whole {
        ParamErrorKind::CountOutOfRange { value, max }
    } else {
        ParamErrorKind::CountNotAWholeNumber { value, max }
    };
    Err(ParamError::new(parameter, kind, Vec::new()))
}

/// Miles to the thousandth, the precision a search URL writes them in
/// ([`format_miles`]): a request keeps the distance its links will carry.
pub fn round_miles(miles: f64) -> f64 {
    (miles * 1000.0).round() / 1000.0
}

/// "25" for whole miles, "12.5" otherwise (at most three decimals).
pub fn format_miles(miles: f64) -> String {
    if miles.fract() == 0.0 && miles.abs() < 1e15 {
        // whole miles as an integer: the float formatter was 2% of a
        // results page, which writes the radius a dozen times
        (miles as i64).to_string()
    } else if miles.fract() == 0.0 {
        format!("{miles:.0}")
    } else {
        let s = format!("{miles:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Decode a query string (`application/x-www-form-urlencoded`) into its
/// `(name, value)` pairs, in order, repeated names kept: `+` is a space,
/// `%XX` a byte, an invalid escape is kept as typed and bytes that are not
/// UTF-8 become U+FFFD (the [`form_urlencoded`] crate's `parse`).
pub fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of the parameter `name` in `query`, decoded as
/// [`form_urlencoded_pairs`] decodes it; borrowed from `query` when it
/// needed no decoding (nothing is allocated for the other pairs).
pub fn form_urlencoded_value<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    // only the pair asked for is decoded, and a key only when it has an
    // escape or a `+` (the keys the site writes have neither): decoding
    // every pair was 2,000 instructions a look-up, three a results page
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .find_map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(key, _)| key);
            let named = if key.bytes().any(|b| b == b'%' || b == b'+') {
                form_urlencoded::parse(key.as_bytes())
                    .next()
                    .is_some_and(|(key, _)| key == name)
            } else {
                key == name
            };
            if !named {
                return None;
            }
            form_urlencoded::parse(pair.as_bytes())
                .next()
                .map(|(_, value)| value)
        })
}

/// Percent-encode `text` for a query string (space as `+`), as every link
/// of the site writes it: [`form_urlencoded::byte_serialize`], except that
/// `~` stays as typed and `*` is escaped (`%2A`), the site's links from
/// before the crate, kept so that every URL stays the same.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text);
    out
}

/// [`encode`] written at the end of `out`.
pub fn encode_into(out: &mut String, text: &str) {
    // what no escape changes (most keys and values: `near`, `10001`,
    // `medicaid`) is written as it is; a results page encodes about fifty
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if text.bytes().all(plain) {
        out.push_str(text);
        return;
    }
    encode_escaping(out, text);
}

/// [`encode_into`] through the crate, for text with something to escape.
fn encode_escaping(out: &mut String, text: &str) {
    for chunk in form_urlencoded::byte_serialize(text.as_bytes()) {
        // the crate writes an escape as a chunk of its own and a run of
        // unchanged bytes (`*` among them) as one chunk
        match chunk {
            "%7E" => out.push('~'),
            run => {
                for (i, part) in run.split('*').enumerate() {
                    if i > 0 {
                        out.push_str("%2A");
                    }
                    out.push_str(part);
                }
            }
        }
    }
}

// ---- The other requests' rules: the shortlist, compare, exports, reports ----

/// The most programs a shortlist holds (a handout still fits on paper, a
/// link still fits in a text message).
pub const MAX_SHORTLIST: usize = 20;

/// Why a shortlist parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortlistError {
    /// Not a program id (12 lowercase hexadecimal digits).
    BadId(String),
    /// More than [`MAX_SHORTLIST`] distinct ids.
    TooMany(usize),
}

impl std::fmt::Display for ShortlistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShortlistError::BadId(id) => write!(
                f,
                "{id:?} is not a program id: ids are 12 characters, 0-9 and a-f, separated by commas (copy the link again, or remove that id)"
            ),
            ShortlistError::TooMany(n) => write!(
                f,
                "a shortlist holds at most {MAX_SHORTLIST} programs and this link has {n}: remove some, or make two shortlists"
            ),
        }
    }
}

impl std::error::Error for ShortlistError {}

/// Program ids in the order they were added, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortlist {
    ids: Vec<String>,
}

impl Shortlist {
    /// Parse a comma-separated list of ids (`a1b2c3d4e5f6,0123456789ab`).
    /// Blank entries are skipped and repeats dropped; a malformed id or more
    /// than [`MAX_SHORTLIST`] ids is an error.
    pub fn parse(text: &str) -> Result<Shortlist, ShortlistError> {
        let mut ids: Vec<String> = Vec::new();
        for id in text.split(',').map(str::trim).filter(|id| !id.is_empty()) {
            if !is_listing_id(id) {
                return Err(ShortlistError::BadId(id.chars().take(40).collect()));
            }
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
        if ids.len() > MAX_SHORTLIST {
            return Err(ShortlistError::TooMany(ids.len()));
        }
        Ok(Shortlist { ids })
    }

    /// The ids, in the order they were added.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// How many programs the list holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the list holds no program.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether the list holds [`MAX_SHORTLIST`] programs.
    pub fn is_full(&self) -> bool {
        self.ids.len() >= MAX_SHORTLIST
    }

    /// Whether the list holds the program `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|known| known == id)
    }

    /// The shortlist with `id` added at the end (unchanged when full or present).
    pub fn with(&self, id: &str) -> Shortlist {
        let mut next = self.clone();
        if !self.contains(id) && !self.is_full() {
            next.ids.push(id.to_string());
        }
        next
    }

    /// The shortlist without `id`.
    pub fn without(&self, id: &str) -> Shortlist {
        Shortlist {
            ids: self.ids.iter().filter(|k| *k != id).cloned().collect(),
        }
    }

    /// The ids as one parameter value: `a1b2c3d4e5f6,0123456789ab`.
    pub fn param(&self) -> String {
        self.ids.join(",")
    }

    /// `path` (which may have a query) with `list=` carrying this shortlist.
    pub fn carried(&self, path: &str) -> String {
        if self.is_empty() {
            return path.to_string();
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}list={}", self.param())
    }

    /// `path` carrying this shortlist with `id` taken off when it is on it,
    /// added otherwise (where the program's "Remove from shortlist" or "Add
    /// to shortlist" link leads): the `list=` part written at the end of
    /// `out`, which holds `path`, after `sep` (`?`, or `&` when the path has
    /// a query; `&amp;` in an HTML attribute); nothing when the list toggled
    /// is empty. The same as [`Self::without`] or [`Self::with`] then
    /// [`Self::carried`], without their strings (a results page has twenty
    /// such links). Ids and commas need no escaping in a URL or in HTML.
    pub fn write_toggled(&self, out: &mut String, id: &str, sep: &str) {
        let on = self.contains(id);
        let mut first = true;
        let mut push = |out: &mut String, kept: &str| {
            if first {
                out.push_str(sep);
                out.push_str("list=");
                first = false;
            } else {
                out.push(',');
            }
            out.push_str(kept);
        };
        for kept in self.ids.iter().filter(|k| !(on && *k == id)) {
            push(out, kept);
        }
        if !on && !self.is_full() {
            push(out, id);
        }
    }

    /// A shortlist page (`/shortlist`, `/shortlist/print`, `/compare`,
    /// `/shortlist.csv`) for these ids, with the place distances are from.
    pub fn page(&self, path: &str, near: Option<&str>) -> String {
        let mut href = format!("{path}?ids={}", self.param());
        if let Some(near) = near {
            href.push_str("&near=");
            href.push_str(&encode(near));
        }
        href
    }
}

/// The most programs compared at once (and the fewest, [`MIN_COMPARE`]).
pub const MAX_COMPARE: usize = 4;
/// The fewest programs a comparison shows.
pub const MIN_COMPARE: usize = 2;

/// The most rows a CSV export of a search holds.
pub const CSV_MAX_ROWS: usize = 10_000;

/// The longest report text accepted, in characters.
pub const REPORT_DETAILS_MAX: usize = 2000;
/// The longest contact field accepted, in characters.
pub const REPORT_CONTACT_MAX: usize = 200;

/// Wider distances a counted empty state offers, in miles.
const WIDER_COUNTED: [f64; 3] = [50.0, 100.0, 250.0];

/// How a widening changes the search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Search within this many miles.
    Radius(f64),
    /// Drop one selected filter value.
    DropFilter(GroupId, ValueId),
    /// Drop every filter (offered when more than one is selected).
    DropAllFilters,
    /// Drop the keywords.
    DropText,
}

/// The searches an empty result offers: wider distances (when searching
/// near a place), the search without each filter, without every filter and
/// without the keywords. The web layer runs each and passes the totals to
/// the page (the templates' `Widening`); the links are exactly these
/// requests.
pub fn widenings_of(request: &SearchRequest) -> Vec<(Change, SearchRequest)> {
    let base = request.on_page(1);
    let mut out = Vec::new();
    if request.origin.is_some() {
        for miles in WIDER_COUNTED
            .into_iter()
            .filter(|&m| m > request.radius_miles)
        {
            out.push((
                Change::Radius(miles),
                SearchRequest {
                    radius_miles: miles,
                    ..base.clone()
                },
            ));
        }
    }
    for (&group, values) in &request.filters {
        for &value in values {
            out.push((Change::DropFilter(group, value), base.toggled(group, value)));
        }
    }
    if request.filters.values().map(Vec::len).sum::<usize>() > 1 {
        let mut next = base.clone();
        next.filters.clear();
        out.push((Change::DropAllFilters, next));
    }
    if request.text.is_some() {
        out.push((
            Change::DropText,
            SearchRequest {
                text: None,
                ..base.clone()
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_encoded_as_the_crate_encodes_it() {
        let alphabet: Vec<char> = "aZ09-._~*+ &=%/?\u{e9}\u{1f600}".chars().collect();
        let mut rng = fastrand::Rng::with_seed(31);
        for _ in 0..20_000 {
            let text: String = (0..rng.usize(0..12))
                .map(|_| alphabet[rng.usize(0..alphabet.len())])
                .collect();
            let mut ours = String::from("x=");
            encode_into(&mut ours, &text);
            let mut escaping = String::from("x=");
            encode_escaping(&mut escaping, &text);
            assert_eq!(ours, escaping, "{text:?}");
        }
        assert_eq!(encode("a b*~"), "a+b%2A~");
    }

    #[test]
    fn a_query_value_is_the_one_the_crate_parses() {
        // keys plain, escaped (`%6C` is `l`), with `+`, empty, repeated,
        // without `=`; values with escapes and broken ones
        let pieces = [
            "list",
            "%6Cist",
            "l%69st",
            "list+",
            "near",
            "",
            "=",
            "&",
            "&&",
            "=1",
            "=a%20b",
            "=x+y",
            "=%zz",
            "=%E2%9C%93",
            "=%FF",
            "+",
            "%2",
            "ids",
        ];
        let mut rng = fastrand::Rng::with_seed(29);
        for _ in 0..20_000 {
            let query: String = (0..rng.usize(0..8))
                .map(|_| pieces[rng.usize(0..pieces.len())])
                .collect();
            for name in ["list", "list ", "near", "ids", ""] {
                let want = form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v);
                assert_eq!(
                    form_urlencoded_value(&query, name),
                    want,
                    "{query:?} {name:?}"
                );
            }
        }
    }

    #[test]
    fn fill_puts_each_value_in_its_placeholder_and_leaves_other_braces() {
        let args = [("n", "3"), ("city", "Bogotá"), ("zip", "{zip}")];
        for (template, filled) in [
            ("{n} mi", "3 mi"),
            ("en {city}, a {n} mi", "en Bogotá, a 3 mi"),
            ("ñ{n}{n}ñ", "ñ33ñ"),
            // a value is not filled again
            ("in ZIP {zip}", "in ZIP {zip}"),
            // unknown names, stray and unclosed braces stay as they are
            ("{m} and {n}", "{m} and 3"),
            ("a } b { c", "a } b { c"),
            ("{city", "{city"),
            ("{}", "{}"),
            ("{{n}}", "{3}"),
            ("", ""),
            ("Más de 1 {n}: «{city}»", "Más de 1 3: «Bogotá»"),
        ] {
            assert_eq!(fill(template, &args), filled, "{template}");
        }
    }

    #[test]
    fn a_toggle_link_carries_the_list_with_or_without_its_program() {
        let id = |n: usize| format!("{n:012x}");
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..2000 {
            let ids: Vec<String> = (0..rng.usize(0..=MAX_SHORTLIST))
                .map(|_| id(rng.usize(0..30)))
                .collect();
            let list = Shortlist::parse(&ids.join(",")).unwrap_or_default();
            let program = id(rng.usize(0..30));
            let path = [
                "/search",
                "/search?near=19104&q=a%2Ab",
                "/programs/0000000000aa",
            ][rng.usize(0..3)];
            let toggled = if list.contains(&program) {
                list.without(&program)
            } else {
                list.with(&program)
            };
            let mut written = path.to_string();
            list.write_toggled(
                &mut written,
                &program,
                if path.contains('?') { "&" } else { "?" },
            );
            assert_eq!(
                written,
                toggled.carried(path),
                "{} {program} {path}",
                list.param()
            );
        }
    }

    fn parse(q: &str) -> Result<SearchRequest, ParamError> {
        SearchRequest::from_query_string(q, UnknownParams::Refuse)
    }

    #[test]
    fn a_full_request_parses_and_writes_back_canonically() {
        let r = parse("insurance=medicare&near=95814&q=evening+group&radius=10&insurance=medicaid&modality=dbt&page=2").unwrap();
        assert_eq!(r.origin.as_ref().unwrap().label, "Sacramento, CA 95814");
        assert_eq!(r.radius_miles, 10.0);
        assert_eq!(r.text.as_deref(), Some("evening group"));
        assert_eq!(r.sort(), Sort::Distance);
        assert_eq!(
            r.to_query_string(),
            "near=95814&radius=10&q=evening+group&modality=dbt&insurance=medicaid&insurance=medicare&page=2"
        );
        assert_eq!(parse(&r.to_query_string()).unwrap(), r);
    }

    #[test]
    fn filters_written_by_hand_are_read_as_their_slugs() {
        // a value by its label or in any case, a name in capitals: the
        // canonical search, which links write back
        let canonical =
            parse("near=95814&insurance=medicaid&insurance=sliding-scale&age=adolescents").unwrap();
        for typed in [
            "near=95814&insurance=Medicaid&insurance=Sliding+fee+scale&age=Adolescents+(13-17)",
            "NEAR=95814&INSURANCE=MEDICAID&Insurance=sliding_scale&Age=adolescentes+(13+a+17+a%C3%B1os)",
        ] {
            let r = parse(typed).unwrap();
            assert_eq!(r, canonical, "{typed}");
            assert_eq!(r.to_query_string(), canonical.to_query_string());
        }
        // a value that is none of these is still refused, and so is a
        // scalar named twice in two cases
        assert!(parse("insurance=Medicaid+plans").is_err());
        assert_eq!(parse("near=1&NEAR=2").unwrap_err().parameter, "near");
    }

    #[test]
    fn empty_form_fields_mean_not_given() {
        let r =
            SearchRequest::from_query_string("near=&q=&radius=&insurance=", UnknownParams::Ignore)
                .unwrap();
        assert_eq!(r, SearchRequest::default());
        assert_eq!(r.sort(), Sort::Name);
        assert_eq!(r.to_query_string(), "");
    }

    #[test]
    fn bad_parameters_say_what_and_how_to_fix() {
        let e = parse("insurance=medicaidd").unwrap_err();
        assert_eq!(e.parameter, "insurance");
        assert!(e.message.contains("medicaid, medicare"), "{}", e.message);
        let e = parse("radius=501").unwrap_err();
        assert_eq!(e.parameter, "radius");
        assert!(
            parse("radius=0").is_err()
                && parse("radius=abc").is_err()
                && parse("radius=NaN").is_err()
        );
        assert_eq!(parse("per_page=101").unwrap_err().parameter, "per_page");
        assert_eq!(parse("page=0").unwrap_err().parameter, "page");
        assert_eq!(parse("sort=distance").unwrap_err().parameter, "sort");
        assert_eq!(parse("sort=best").unwrap_err().parameter, "sort");
        assert_eq!(parse("near=99999").unwrap_err().parameter, "near");
        assert_eq!(parse("colour=red").unwrap_err().parameter, "colour");
        assert_eq!(parse("near=1&near=2").unwrap_err().parameter, "near");
        let e = parse("near=Springfield").unwrap_err();
        assert!(e.suggestions.contains(&"Springfield, IL".to_string()));
        assert!(SearchRequest::from_query_string("colour=red", UnknownParams::Ignore).is_ok());
    }

    #[test]
    fn a_mistyped_parameter_name_is_said_where_other_unknown_names_are_ignored() {
        let page = |q: &str| SearchRequest::from_query_string(q, UnknownParams::Ignore);
        for (typed, meant) in [
            ("near=97301&insurnace=medicaid", "insurance"),
            ("nera=97301", "near"),
            ("near=97301&ages=adults", "age"),
            ("near=97301&radious=10", "radius"),
            ("near=97301&modaltiy=dbt", "modality"),
            ("near=97301&per-page=50", "per_page"),
        ] {
            let e = page(typed).unwrap_err();
            assert_eq!(
                e.kind,
                ParamErrorKind::MisspeltParameter {
                    meant: meant.to_string()
                },
                "{typed}"
            );
            assert!(
                e.message
                    .contains(&format!("did you mean \u{201c}{meant}\u{201d}?")),
                "{}",
                e.message
            );
        }
        // what other sites and our own pages add is no slip
        let r = page("near=97301&utm_source=newsletter&utm_medium=email&fbclid=x1&gclid=x2&ids=0123456789ab&details=1&lang=es&ref=211&source=hospital").unwrap();
        assert_eq!(r.to_query_string(), "near=97301");
    }

    #[test]
    fn an_unknown_parameter_is_answered_with_every_name_that_works() {
        let e = parse("colour=red").unwrap_err();
        assert_eq!(e.kind, ParamErrorKind::UnknownParameter);
        let names = e
            .message
            .strip_prefix("\u{201c}colour\u{201d} is not a search parameter. The parameters are ")
            .and_then(|rest| rest.strip_suffix('.'))
            .unwrap_or_else(|| panic!("{}", e.message));
        let names: Vec<&str> = names.split(", ").collect();
        assert_eq!(names[..6], SCALAR_PARAMETERS);
        // every facet group, and each name offered is one the API takes
        assert_eq!(names.len(), 6 + Vocabulary::get().groups().len());
        for name in names {
            if let Err(e) = parse(&format!("{name}=")) {
                assert_ne!(e.kind, ParamErrorKind::UnknownParameter, "{name}");
            }
        }
    }

    #[test]
    fn toggling_a_value_adds_or_removes_it_and_returns_to_page_one() {
        let v = Vocabulary::get();
        let medicaid = v.lookup("insurance", "medicaid").unwrap();
        let r = parse("near=10001&page=3").unwrap();
        let on = r.toggled(medicaid.group, medicaid.id);
        assert_eq!(on.to_query_string(), "near=10001&insurance=medicaid");
        assert_eq!(
            on.toggled(medicaid.group, medicaid.id).to_query_string(),
            "near=10001"
        );
    }

    #[test]
    fn text_without_a_searchable_word_is_refused_not_matched_to_everything() {
        for q in [
            "%40",
            "%F0%9F%99%82",
            "...",
            "--",
            "%2B",
            "%E2%80%94",
            "%27%27",
            "%40+%23+%21",
        ] {
            let e = parse(&format!("q={q}")).unwrap_err();
            assert_eq!(e.parameter, "q", "{q}");
            assert!(
                matches!(e.kind, ParamErrorKind::NoSearchableWords { .. }),
                "{q}: {e:?}"
            );
            assert!(e.message.contains("no letters or numbers"), "{}", e.message);
        }
        assert!(parse("q=DBT+%40+5pm").is_ok());
        assert!(parse("q=espa%C3%B1ol").is_ok());
    }

    #[test]
    fn a_bad_number_is_told_what_is_wrong_with_it() {
        // not a number at all, and a number out of range, each said as it is
        // (an empty value is the default, as a form sends one)
        for (query, says) in [
            ("radius=abc", "is not a number of miles"),
            ("radius=0", "out of range"),
            ("radius=501", "out of range"),
            ("radius=1e3", "out of range"),
            ("page=abc", "is not a whole number"),
            ("page=1.5", "is not a whole number"),
            ("per_page=ten", "is not a whole number"),
            ("page=0", "out of range"),
            ("page=-1", "out of range"),
            ("page=1001", "out of range"),
            (
                "page=99999999999999999999999999999999999999999",
                "out of range",
            ),
            ("per_page=101", "out of range"),
            (
                "sort=best",
                "use distance, relevance (best match first) or name",
            ),
        ] {
            let e = parse(&format!("near=95814&{query}")).unwrap_err();
            assert!(e.message.contains(says), "{query}: {}", e.message);
            let limits = [
                "greater than 0 and at most 500",
                "from 1 to 1000",
                "from 1 to 100.",
                "or name",
            ];
            assert!(
                limits.iter().any(|l| e.message.contains(l)),
                "{query}: {}",
                e.message
            );
        }
        assert_eq!(parse("near=95814&page=+2").unwrap().page, 2);
    }

    #[test]
    fn a_distance_is_kept_to_the_precision_its_links_write() {
        for (typed, kept) in [
            ("12.5", "12.5"),
            ("12.34567", "12.346"),
            ("0.0004999", "0"),
            ("1e1", "10"),
            ("499.9999", "500"),
        ] {
            match parse(&format!("near=95814&radius={typed}")) {
                Ok(r) => {
                    assert_eq!(format_miles(r.radius_miles), kept, "{typed}");
                    let again = parse(&r.to_query_string()).unwrap();
                    assert_eq!(again, r, "{typed}");
                }
                Err(e) => {
                    assert_eq!(kept, "0", "{typed}: {e:?}");
                    assert!(matches!(e.kind, ParamErrorKind::RadiusOutOfRange { .. }));
                }
            }
        }
    }

    #[test]
    fn percent_encoding_round_trips() {
        let pairs = form_urlencoded_pairs("q=caf%C3%A9+%26+tea&near=Denver%2C+CO&x=%zz");
        assert_eq!(pairs[0].1, "café & tea");
        assert_eq!(pairs[1].1, "Denver, CO");
        assert_eq!(pairs[2].1, "%zz");
        assert_eq!(encode("Denver, CO"), "Denver%2C+CO");
        // the bytes of the site's links: unreserved characters as typed,
        // everything else escaped in upper case
        assert_eq!(encode("a-b_c.d~e*f"), "a-b_c.d~e%2Af");
        assert_eq!(
            encode("café & tea/?#+%"),
            "caf%C3%A9+%26+tea%2F%3F%23%2B%25"
        );
        assert_eq!(
            form_urlencoded_pairs("&a&&b=1=2&"),
            [("a".into(), "".into()), ("b".into(), "1=2".into())]
        );
        assert_eq!(format_miles(12.5), "12.5");
    }

    #[test]
    fn a_shortlist_parses_dedups_and_caps() {
        let list = Shortlist::parse(" 0123456789ab,,aaaaaaaaaaaa,0123456789ab ").unwrap();
        assert_eq!(list.ids(), ["0123456789ab", "aaaaaaaaaaaa"]);
        assert_eq!(list.param(), "0123456789ab,aaaaaaaaaaaa");
        assert!(Shortlist::parse("").unwrap().is_empty());
        assert!(matches!(
            Shortlist::parse("0123456789AB"),
            Err(ShortlistError::BadId(_))
        ));
        assert!(matches!(
            Shortlist::parse("<script>"),
            Err(ShortlistError::BadId(_))
        ));
        let many: Vec<String> = (0..21).map(|i| format!("{i:012x}")).collect();
        assert_eq!(
            Shortlist::parse(&many.join(",")),
            Err(ShortlistError::TooMany(21))
        );
        let full = Shortlist::parse(&many[..20].join(",")).unwrap();
        assert!(full.is_full());
        assert_eq!(full.with("ffffffffffff"), full);
    }

    #[test]
    fn links_carry_the_list() {
        let list = Shortlist::parse("0123456789ab").unwrap();
        assert_eq!(
            list.with("aaaaaaaaaaaa").carried("/search?near=95814"),
            "/search?near=95814&list=0123456789ab,aaaaaaaaaaaa"
        );
        assert_eq!(list.without("0123456789ab").carried("/search"), "/search");
        assert_eq!(
            list.page("/compare", Some("Denver, CO")),
            "/compare?ids=0123456789ab&near=Denver%2C+CO"
        );
    }
}
