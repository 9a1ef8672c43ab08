//! Geography: great-circle distance, and offline geocoding of ZIP codes and
//! places ("City, ST", "City, State", "lat,lon") from the US ZIP code list that
//! the `zipcodes` crate embeds (coordinates from GeoNames, CC BY 4.0); the
//! place names a map shows are the U.S. Census Bureau's (2022 Gazetteer,
//! public domain, `index/places/`).

use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::LazyLock;

/// Earth's mean radius in miles, as the search contract fixes it.
pub const EARTH_RADIUS_MILES: f64 = 3958.8;

/// Great-circle distance in miles between two points, by the haversine formula.
pub fn haversine_miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    haversine_miles_cos((lat1, lon1, cos_lat(lat1)), (lat2, lon2, cos_lat(lat2)))
}

/// The cosine of a latitude in degrees, as [`haversine_miles`] takes it.
pub(crate) fn cos_lat(lat: f64) -> f64 {
    lat.to_radians().cos()
}

/// A point as the distance functions take it: (latitude, longitude,
/// [`cos_lat`] of the latitude), degrees.
pub(crate) type Point = (f64, f64, f64);

/// [`haversine_miles`] of two points given with their latitude's cosine:
/// the same operations in the same order, so the same bits, without the two
/// cosines (a search's scan keeps each document's cosine).
pub(crate) fn haversine_miles_cos(from: Point, to: Point) -> f64 {
    hav_to_miles(haversine_cos(from, to))
}

/// The haversine of the central angle between two points, hav θ =
/// sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2): in [0, 1] up to rounding, and
/// the distance grows with it.
pub(crate) fn haversine_cos((lat1, lon1, cos1): Point, (lat2, lon2, cos2): Point) -> f64 {
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    (dp / 2.0).sin().powi(2) + cos1 * cos2 * (dl / 2.0).sin().powi(2)
}

/// Miles of a central angle given by its haversine ([`haversine_cos`]):
/// 2R·asin(√hav), the last steps of [`haversine_miles`] (the same bits).
pub(crate) fn hav_to_miles(hav: f64) -> f64 {
    2.0 * EARTH_RADIUS_MILES * hav.sqrt().min(1.0).asin()
}

/// How far apart [`haversine_estimate`] and [`haversine_cos`] can be,
/// relative to the latter: the sine's series is cut after its x⁹ term,
/// whose successor is below 3·10⁻¹⁴ of the sine for |x| <= 1/4, and the
/// dozen roundings add a few parts in 10¹⁶ (checked on random pairs by a
/// test).
pub(crate) const ESTIMATE_RELATIVE_ERROR: f64 = 1e-13;

/// [`haversine_cos`] within [`ESTIMATE_RELATIVE_ERROR`], for a scan that
/// only compares haversines with bounds: each sin(x) with |x| <= 1/4 (a
/// difference of up to 28 degrees) is a polynomial instead of a libm call,
/// which sets and restores the rounding mode each time (three quarters of
/// the cost of a 1M search's distances). Both terms are positive, so their
/// sum keeps the relative error.
pub(crate) fn haversine_estimate((lat1, lon1, cos1): Point, (lat2, lon2, cos2): Point) -> f64 {
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    half_sine_squared(dp) + cos1 * cos2 * half_sine_squared(dl)
}

/// The way from a search's origin to a document's point, with the
/// [`haversine_estimate`] the scan compared; [`Leg::miles`] is exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leg {
    pub from: Point,
    pub to: Point,
    pub estimate: f64,
}

impl Leg {
    /// The distance, miles: [`haversine_miles`]'s bits.
    pub fn miles(&self) -> f64 {
        haversine_miles_cos(self.from, self.to)
    }
}

/// sin²(x/2), by its series when |x/2| <= 1/4.
fn half_sine_squared(x: f64) -> f64 {
    let h = x / 2.0;
    if h.abs() > 0.25 {
        return h.sin().powi(2);
    }
    // h - h³/3! + h⁵/5! - h⁷/7! + h⁹/9!, by Horner's rule on h², with
    // multiplications only (a division costs several)
    const C3: f64 = -1.0 / 6.0;
    const C5: f64 = 1.0 / 120.0;
    const C7: f64 = -1.0 / 5040.0;
    const C9: f64 = 1.0 / 362_880.0;
    let h2 = h * h;
    let sine = h + h * h2 * (C3 + h2 * (C5 + h2 * (C7 + h2 * C9)));
    sine * sine
}

/// A place a search is centred on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Origin {
    /// How the place is written back to people: "Sacramento, CA 95814".
    pub label: String,
    /// Latitude, degrees north (WGS 84).
    pub lat: f64,
    /// Longitude, degrees east (WGS 84; negative in the US).
    pub lon: f64,
}

/// At most this many places are offered for an unknown or ambiguous place.
pub const MAX_SUGGESTIONS: usize = 10;

/// Coordinates farther than this from every placed US ZIP code are read as
/// a place abroad ([`PlaceError::Abroad`]): beyond the widest radius
/// (`request::MAX_RADIUS_MILES`, 500) with room for a program that lies past
/// its ZIP code's centre.
const FAR_FROM_EVERY_ZIP_MILES: f64 = 600.0;

/// Why a place could not be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    /// The place was left empty.
    #[error(
        "enter a ZIP code, a city and state (\"Denver, CO\") or coordinates (\"39.74,-104.99\")"
    )]
    Empty,
    /// Five digits that are not a ZIP code of the ZIP list.
    #[error("no US ZIP code {0} is known")]
    UnknownZip(String),
    /// A real ZIP code without a place on the map: military (APO/FPO/DPO)
    /// and some territories' ZIPs, whose coordinates the ZIP list leaves at
    /// (0, 0).
    #[error("ZIP code {zip} ({place}) has no location on the map, so nothing can be measured from it: enter the ZIP code or city of a place in the United States, or search by keywords alone")]
    NoLocation {
        /// The ZIP code.
        zip: String,
        /// The place the ZIP list names for it.
        place: String,
    },
    /// Text that looks like coordinates but is out of range.
    #[error("{0} is not a valid latitude,longitude pair: latitude must be within -90..90 and longitude within -180..180")]
    BadCoordinates(String),
    /// A place name the gazetteer does not know;
    /// `suggestions` holds the nearest spellings.
    #[error("no place called {query:?} is known{}", did_you_mean(.suggestions))]
    Unknown {
        /// What the person typed.
        query: String,
        /// Known places spelled like it.
        suggestions: Vec<String>,
    },
    /// A city name found in more than one state.
    #[error("more than one state has a place called {query:?}: add the state{}", did_you_mean(.suggestions))]
    Ambiguous {
        /// What the person typed.
        query: String,
        /// The same name in each state that has it ("Springfield, IL").
        suggestions: Vec<String>,
    },
    /// A place in another country ("Toronto, Canada"): the directory lists
    /// programs in the United States only.
    #[error("{query:?} is outside the United States: enter a place in the United States")]
    Abroad {
        /// What the person typed.
        query: String,
    },
    /// Four digits (or three): a ZIP code whose leading zeros a spreadsheet
    /// dropped; `zip` is the known 5-digit one.
    #[error("{typed:?} is not a whole ZIP code (ZIP codes have 5 digits){}", did_you_mean(.suggestions))]
    ZipMissingLeadingZero {
        /// The digits as typed.
        typed: String,
        /// The ZIP code with its leading zeros back.
        zip: String,
        /// Places the person may have meant.
        suggestions: Vec<String>,
    },
    /// A state (or territory) alone: a search needs a place in it.
    #[error("{state} is a whole {}: enter a ZIP code or a city in it{}", if is_territory(state) { "territory" } else { "state" }, did_you_mean(.suggestions))]
    WholeState {
        /// What the person typed.
        query: String,
        /// The state's name ("Colorado").
        state: &'static str,
        /// Its biggest places.
        suggestions: Vec<String>,
    },
}

impl PlaceError {
    /// Places the person may have meant ("Springfield, IL").
    pub fn suggestions(&self) -> &[String] {
        match self {
            PlaceError::Unknown { suggestions, .. }
            | PlaceError::Ambiguous { suggestions, .. }
            | PlaceError::ZipMissingLeadingZero { suggestions, .. }
            | PlaceError::WholeState { suggestions, .. } => suggestions,
            _ => &[],
        }
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(": did you mean {}?", suggestions.join(" / "))
    }
}

/// A ZIP code's record: its centroid and the city the post office names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZipPlace<'a> {
    /// Five digits.
    pub zip: &'a str,
    /// The city the post office names for it.
    pub city: &'a str,
    /// Two-letter state code.
    pub state: &'a str,
    /// Latitude of the ZIP code's centroid, degrees north.
    pub lat: f64,
    /// Longitude of the ZIP code's centroid, degrees east.
    pub lon: f64,
}

/// A placed ZIP code as the gazetteer holds it: 56 bytes, its strings in
/// the compiled-in [`ZIP_TABLE`] and its city's name in
/// [`Gazetteer::zip_cities`].
#[derive(Debug, Clone, Copy)]
struct ZipEntry {
    zip: &'static str,
    state: &'static str,
    /// Index into [`Gazetteer::zip_cities`].
    city: u32,
    lat: f64,
    lon: f64,
}

#[derive(Debug, Clone)]
struct CityPlace {
    city: String,
    state: &'static str,
    lat: f64,
    lon: f64,
    /// How many ZIP codes the city has: a measure of its size, used to offer
    /// the likeliest places first.
    zips: u32,
    /// What kind of place the Census Gazetteer has of this name in this
    /// state ([`CensusPlace::incorporation`]: 0 a city, 1 a town or
    /// borough, 2 a village, 3 a census designated place), for a Census
    /// town and a ZIP city alike; `None` when it has none (a ZIP city the
    /// Census does not name, a county).
    census_kind: Option<u8>,
}

/// The gazetteer: ZIP codes and cities of the United States, built once from
/// the ZIP list compiled in ([`ZIP_TABLE`]).
pub struct Gazetteer {
    /// Every ZIP code with a location, in ascending order of ZIP.
    zips: Vec<ZipEntry>,
    /// The cities' names as ZIP records name them (title case), each once.
    zip_cities: Vec<Box<str>>,
    /// ZIP codes the list knows but cannot place ((0, 0) in the list):
    /// ZIP -> "Apo, AE".
    unplaced: HashMap<&'static str, String>,
    /// normalized city name -> places of that name, one per state
    cities: HashMap<String, Vec<CityPlace>>,
    /// normalized county name without its last word ("orange" for "Orange
    /// County", "orleans" for "Orleans Parish") -> the counties of that
    /// name, one per state, each at the centre of its ZIP codes as a city is
    /// (the `zipcodes` list's county of each ZIP)
    counties: HashMap<String, Vec<CityPlace>>,
    /// Every city for maps: ranked, and found by where it is.
    map_cities: MapCities,
    /// normalized name -> the places of the Census Gazetteer of that name
    /// (one per state, an incorporated place before a census designated
    /// one) that no ZIP city of that name and state is: towns the post
    /// office files under a neighbour's name ("West Allis, WI" is
    /// Milwaukee's ZIP codes, "Lakewood, CO" Denver's), read when the ZIP
    /// list knows no city of the name ([`Gazetteer::census_town`]); `zips`
    /// is 0.
    census_towns: HashMap<String, Vec<CityPlace>>,
}

/// The `zipcodes` crate's US ZIP list (coordinates from GeoNames, CC BY
/// 4.0) reduced to the fields the gazetteer reads, by `index/build.rs` when
/// this crate is built: one line per ZIP, tab-separated: ZIP, type
/// (`STANDARD`, `PO BOX`, `UNIQUE`, `MILITARY`), city, state, latitude,
/// longitude, county, as the crate writes them. Compiled in, so building the
/// gazetteer never decodes the crate's list, which stays in memory for the
/// life of the process once read (measured: about 30 MiB, BENCHMARKS.md).
static ZIP_TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/zips.tsv"));

/// One line of [`ZIP_TABLE`].
struct ZipRecord {
    zip_code: &'static str,
    zip_code_type: &'static str,
    city: &'static str,
    state: &'static str,
    lat: &'static str,
    long: &'static str,
    county: &'static str,
}

/// Every record of [`ZIP_TABLE`], in the crate's order.
fn zip_records() -> impl Iterator<Item = ZipRecord> {
    ZIP_TABLE.lines().map(|line| {
        let mut f = line.split('\t');
        let mut next = || f.next().expect("build.rs writes seven fields a line");
        ZipRecord {
            zip_code: next(),
            zip_code_type: next(),
            city: next(),
            state: next(),
            lat: next(),
            long: next(),
            county: next(),
        }
    })
}

/// The places a map may label, for [`Gazetteer::largest_cities_in`]: every
/// place of the U.S. Census Bureau's 2022 Gazetteer (incorporated places and
/// census designated places, public domain; `index/places/us-places.tsv`,
/// made by `index/places/make.mjs` from Debian's weather-util-data), named
/// and placed as the Census does (its internal point). The Gazetteer gives no
/// population, so places rank by the ZIP codes the post office gives a city
/// of that name in that state (the ZIP list's size measure; each city's
/// count goes to the nearest place of its name, within 25 miles), then
/// cities before towns before villages before census designated places,
/// then by name and state; places no ZIP city names come last. One list
/// holds them all, largest first, and a grid of half-degree cells the ranks
/// of the places in each, ascending. A box of a few cells (a metro area, a region)
/// reads only its cells; a larger one walks the ranked list and stops at the
/// `n`th place inside. A map asked for its labels on every results page
/// reads a few hundred places instead of sorting all 32,000 (half a degree:
/// a search's map covers most of each cell it reads, so few of the places
/// read are outside it).
struct MapCities {
    /// (city, latitude, longitude), largest first.
    ranked: Vec<(String, f64, f64)>,
    /// (floor(2 latitude), floor(2 longitude)) -> ranks of the cities in it.
    cells: FxHashMap<(i32, i32), Vec<u32>>,
}

impl MapCities {
    /// Boxes of more cells than this (eight degrees square) walk the ranked
    /// list instead.
    const MAX_CELLS: i64 = 256;

    /// Places farther than this from a ZIP city's centre are not that city.
    const SAME_CITY_MILES: f64 = 25.0;

    /// The Census places, ranked by the ZIP codes of `cities` (normalized
    /// name -> the ZIP list's cities of that name).
    fn new(cities: &HashMap<String, Vec<CityPlace>>, census: &[CensusPlace]) -> MapCities {
        let mut places: Vec<(CensusPlace, u32)> = census.iter().map(|&p| (p, 0)).collect();
        // normalized name and state -> indexes into `places`
        let mut by_name: HashMap<(String, &str), Vec<usize>> = HashMap::new();
        for (i, (p, _)) in places.iter().enumerate() {
            by_name
                .entry((normalize_city(p.name), p.state))
                .or_default()
                .push(i);
        }
        let mut zips = vec![0u32; places.len()];
        for (key, same_name) in cities {
            for c in same_name {
                let nearest = by_name
                    .get(&(key.clone(), c.state))
                    .into_iter()
                    .flatten()
                    .map(|&i| {
                        (
                            i,
                            haversine_miles(c.lat, c.lon, places[i].0.lat, places[i].0.lon),
                        )
                    })
                    .filter(|&(_, miles)| miles <= Self::SAME_CITY_MILES)
                    .min_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((i, _)) = nearest {
                    zips[i] += c.zips;
                }
            }
        }
        for (p, z) in places.iter_mut().zip(zips) {
            p.1 = z;
        }
        places.sort_by(|(a, az), (b, bz)| {
            bz.cmp(az)
                .then_with(|| a.incorporation.cmp(&b.incorporation))
                .then_with(|| a.name.cmp(b.name))
                .then_with(|| a.state.cmp(b.state))
        });
        let mut cells: FxHashMap<(i32, i32), Vec<u32>> = FxHashMap::default();
        for (rank, (p, _)) in places.iter().enumerate() {
            cells
                .entry(Self::cell(p.lat, p.lon))
                .or_default()
                .push(rank as u32);
        }
        MapCities {
            ranked: places
                .into_iter()
                .map(|(p, _)| (p.name.to_string(), p.lat, p.lon))
                .collect(),
            cells,
        }
    }

    fn cell(lat: f64, lon: f64) -> (i32, i32) {
        ((lat * 2.0).floor() as i32, (lon * 2.0).floor() as i32)
    }

    /// The places inside the box, largest first, found as they are asked
    /// for (a map stops at its few labels).
    fn largest_in(
        &self,
        (west, east, south, north): (f64, f64, f64, f64),
    ) -> Box<dyn Iterator<Item = (&str, f64, f64)> + '_> {
        let inside = move |c: &(String, f64, f64)| {
            let (lat, lon) = (c.1, c.2);
            lon >= west && lon <= east && lat >= south && lat <= north
        };
        fn named(c: &(String, f64, f64)) -> (&str, f64, f64) {
            (c.0.as_str(), c.1, c.2)
        }
        if !(west <= east && south <= north) {
            return Box::new(std::iter::empty());
        }
        let ((s, w), (nn, e)) = (Self::cell(south, west), Self::cell(north, east));
        let cells = (i64::from(nn) - i64::from(s) + 1) * (i64::from(e) - i64::from(w) + 1);
        if cells > Self::MAX_CELLS {
            return Box::new(self.ranked.iter().filter(move |c| inside(c)).map(named));
        }
        // each cell's ranks are ascending: merged, smallest rank first,
        // those inside the box kept
        let cells: Vec<&Vec<u32>> = (s..=nn)
            .flat_map(|lat| (w..=e).map(move |lon| (lat, lon)))
            .filter_map(|key| self.cells.get(&key))
            .collect();
        let mut heads: BinaryHeap<Reverse<(u32, usize, usize)>> = BinaryHeap::new();
        for (c, cell) in cells.iter().enumerate() {
            if let Some(&r) = cell.first() {
                heads.push(Reverse((r, c, 0)));
            }
        }
        let merged = std::iter::from_fn(move || {
            let Reverse((r, c, i)) = heads.pop()?;
            if let Some(&next) = cells[c].get(i + 1) {
                heads.push(Reverse((next, c, i + 1)));
            }
            Some(&self.ranked[r as usize])
        });
        Box::new(merged.filter(move |c| inside(c)).map(named))
    }
}

/// The U.S. Census Bureau's 2022 Gazetteer places (public domain), one a
/// line: GEOID, name, state, latitude, longitude, legal/statistical
/// description (tab-separated; see `index/places/make.mjs`).
const US_PLACES_TSV: &str = include_str!("../places/us-places.tsv");

/// A place of the Census Gazetteer: its name as a map shows it (without
/// "city", "CDP" and the like), state, internal point, and what kind of
/// place it is.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CensusPlace {
    name: &'static str,
    state: &'static str,
    lat: f64,
    lon: f64,
    /// 0 for cities (and consolidated city-counties, municipalities),
    /// 1 for boroughs and towns, 2 for villages, 3 for census designated
    /// places (unincorporated): the order in which places of as many ZIP
    /// codes are named, since a state incorporates a city from a larger
    /// population than a town or village.
    incorporation: u8,
}

/// Every place of [`US_PLACES_TSV`], in its order (by GEOID). The file is
/// made by a script and embedded: a line it cannot read is a bug of the
/// build, so it panics.
fn census_places() -> Vec<CensusPlace> {
    US_PLACES_TSV
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let coordinate = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok());
            match (f.get(1), f.get(2), coordinate(3), coordinate(4), f.get(5)) {
                (Some(name), Some(state), Some(lat), Some(lon), Some(kind)) if f.len() == 6 => {
                    CensusPlace {
                        name,
                        state,
                        lat,
                        lon: pacific_longitude(state, lon),
                        incorporation: match *kind {
                            "borough" | "town" | "corporation" => 1,
                            "village" | "metro township" => 2,
                            "CDP" | "comunidad" | "zona urbana" => 3,
                            _ => 0,
                        },
                    }
                }
                _ => panic!("places/us-places.tsv: unreadable line {line:?}"),
            }
        })
        .collect()
}

/// The Census places no ZIP city of the same name and state is, by
/// normalized name, for [`Gazetteer::census_towns`]: in each state the one
/// incorporated first (a city, then a town, a village, a census designated
/// place: "Buckhead, GA" is a town and a CDP), states in order.
fn census_towns(
    cities: &mut HashMap<String, Vec<CityPlace>>,
    census: &[CensusPlace],
) -> HashMap<String, Vec<CityPlace>> {
    let mut towns: HashMap<String, Vec<(u8, CityPlace)>> = HashMap::new();
    for p in census {
        let key = normalize_city(p.name);
        // a ZIP city the Census has too takes its kind (the most
        // incorporated of the name in its state)
        let zip_city = cities
            .get_mut(&key)
            .and_then(|places| places.iter_mut().find(|c| c.state == p.state));
        if let Some(c) = zip_city {
            c.census_kind = Some(
                c.census_kind
                    .map_or(p.incorporation, |k| k.min(p.incorporation)),
            );
            continue;
        }
        if key.is_empty() {
            continue;
        }
        let same = towns.entry(key).or_default();
        match same.iter_mut().find(|(_, c)| c.state == p.state) {
            Some((kind, _)) if *kind <= p.incorporation => {}
            Some(held) => *held = (p.incorporation, census_city(p)),
            None => same.push((p.incorporation, census_city(p))),
        }
    }
    towns
        .into_iter()
        .map(|(key, mut places)| {
            places.sort_by(|a, b| a.1.state.cmp(b.1.state));
            (key, places.into_iter().map(|(_, p)| p).collect())
        })
        .collect()
}

/// A Census place as the gazetteer holds a city, with no ZIP codes.
fn census_city(p: &CensusPlace) -> CityPlace {
    CityPlace {
        city: p.name.to_string(),
        state: p.state,
        lat: p.lat,
        lon: p.lon,
        zips: 0,
        census_kind: Some(p.incorporation),
    }
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::build);

/// US states, DC and territories: postal code and name.
pub const STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
    ("AS", "American Samoa"),
    ("MP", "Northern Mariana Islands"),
    ("FM", "Federated States of Micronesia"),
    ("MH", "Marshall Islands"),
    ("PW", "Palau"),
];

/// Traditional abbreviations of state names (AP and GPO styles), written
/// without their periods, and other names people use: postal code, then name.
const STATE_OTHER_NAMES: &[(&str, &str)] = &[
    ("AL", "Ala"),
    ("AZ", "Ariz"),
    ("AR", "Ark"),
    ("CA", "Calif"),
    ("CA", "Cal"),
    ("CO", "Colo"),
    ("CT", "Conn"),
    ("DE", "Del"),
    ("DC", "Washington DC"),
    ("DC", "Wash DC"),
    ("DC", "Washington District of Columbia"),
    ("DC", "Dist of Columbia"),
    ("DC", "Dist Columbia"),
    ("FL", "Fla"),
    ("GA", "Ga"),
    ("IL", "Ill"),
    ("IN", "Ind"),
    ("KS", "Kan"),
    ("KS", "Kans"),
    ("KY", "Ky"),
    ("LA", "La"),
    ("MD", "Md"),
    ("MA", "Mass"),
    ("MI", "Mich"),
    ("MN", "Minn"),
    ("MS", "Miss"),
    ("MO", "Mo"),
    ("MT", "Mont"),
    ("NE", "Neb"),
    ("NE", "Nebr"),
    ("NV", "Nev"),
    ("NH", "NH"),
    ("NM", "NMex"),
    ("ND", "NDak"),
    ("OK", "Okla"),
    ("OR", "Ore"),
    ("OR", "Oreg"),
    ("PA", "Pa"),
    ("PA", "Penn"),
    ("PA", "Penna"),
    ("SD", "SDak"),
    ("TN", "Tenn"),
    ("TX", "Tex"),
    ("VT", "Vt"),
    ("VA", "Va"),
    ("WA", "Wash"),
    ("WV", "WVa"),
    ("WV", "W Virginia"),
    ("CO", "Col"),
    ("WI", "Wis"),
    ("WI", "Wisc"),
    ("WY", "Wyo"),
    ("PR", "Porto Rico"),
    ("VI", "Virgin Islands"),
    ("VI", "US Virgin Islands"),
    ("VI", "USVI"),
    ("MP", "CNMI"),
    ("MP", "Northern Marianas"),
    ("FM", "Micronesia"),
    // Spanish's older name, read but not written (the Spanish pages write
    // Texas, as the Academy does)
    ("TX", "Tejas"),
];

/// The names in Spanish of states and territories that differ from the
/// English ones once accents are folded, for the Spanish pages ("Santa Fe,
/// Nuevo México"): postal code, then name.
const STATE_NAMES_ES: &[(&str, &str)] = &[
    ("NC", "Carolina del Norte"),
    ("SC", "Carolina del Sur"),
    ("ND", "Dakota del Norte"),
    ("SD", "Dakota del Sur"),
    ("DC", "Distrito de Columbia"),
    ("HI", "Hawái"),
    ("LA", "Luisiana"),
    ("MS", "Misisipi"),
    ("MS", "Misisipí"),
    ("MO", "Misuri"),
    ("NH", "Nuevo Hampshire"),
    ("NJ", "Nueva Jersey"),
    ("NM", "Nuevo México"),
    ("NY", "Nueva York"),
    ("PA", "Pensilvania"),
    ("TN", "Tenesí"),
    ("WV", "Virginia Occidental"),
    ("VI", "Islas Vírgenes"),
    ("VI", "Islas Vírgenes de los Estados Unidos"),
    ("AS", "Samoa Americana"),
    ("MP", "Islas Marianas del Norte"),
    ("FM", "Estados Federados de Micronesia"),
    ("MH", "Islas Marshall"),
];

/// Is `text` a state's or territory's whole name, in English or Spanish
/// ("Ohio", "Carolina del Norte", "New York State"), not an abbreviation?
fn is_state_name(text: &str) -> bool {
    // keyed once, not each name on every place searched
    static NAME_KEYS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        STATES
            .iter()
            .chain(STATE_NAMES_ES)
            .flat_map(|(_, name)| [state_key(name), state_key(&format!("{name} State"))])
            .collect()
    });
    NAME_KEYS.contains(&state_key(text))
}

/// Other names of places, as people write them, read when no city has the
/// name in the state given: nicknames and abbreviations, boroughs and
/// neighbourhoods the post office names by their city, military posts by
/// their names since 2023 (the ZIP list keeps the older ones), and names in
/// Spanish that are not the English ones once accents are folded (for the
/// Spanish pages). Other name, then the city in the ZIP list and its state
/// (`None`: the name in every state that has it).
const CITY_OTHER_NAMES: &[(&str, &str, Option<&str>)] = &[
    ("NYC", "New York", Some("NY")),
    ("New York City", "New York", Some("NY")),
    ("Manhattan", "New York", Some("NY")),
    ("Harlem", "New York", Some("NY")),
    ("The Bronx", "Bronx", Some("NY")),
    ("Bklyn", "Brooklyn", Some("NY")),
    ("LA", "Los Angeles", Some("CA")),
    ("Hollywood", "Los Angeles", Some("CA")),
    ("SF", "San Francisco", Some("CA")),
    ("Philly", "Philadelphia", Some("PA")),
    ("NOLA", "New Orleans", Some("LA")),
    ("Vegas", "Las Vegas", Some("NV")),
    ("ATL", "Atlanta", Some("GA")),
    ("Indy", "Indianapolis", Some("IN")),
    ("SLC", "Salt Lake City", Some("UT")),
    ("KC", "Kansas City", Some("MO")),
    ("KC", "Kansas City", Some("KS")),
    ("OKC", "Oklahoma City", Some("OK")),
    ("Bmore", "Baltimore", Some("MD")),
    ("St Pete", "Saint Petersburg", Some("FL")),
    ("West Palm", "West Palm Beach", Some("FL")),
    ("Coney Island", "Brooklyn", Some("NY")),
    ("Crown Heights", "Brooklyn", Some("NY")),
    ("Williamsburg", "Brooklyn", Some("NY")),
    ("Washington Heights", "New York", Some("NY")),
    ("Upper West Side", "New York", Some("NY")),
    ("Upper East Side", "New York", Some("NY")),
    ("East Harlem", "New York", Some("NY")),
    ("Hell's Kitchen", "New York", Some("NY")),
    ("Tribeca", "New York", Some("NY")),
    ("SoHo", "New York", Some("NY")),
    ("Murray Hill", "New York", Some("NY")),
    ("Georgetown", "Washington", Some("DC")),
    ("Ahwatukee", "Phoenix", Some("AZ")),
    ("Bellevue", "Nashville", Some("TN")),
    ("Mount Lebanon", "Pittsburgh", Some("PA")),
    ("Upper St. Clair", "Pittsburgh", Some("PA")),
    ("Waikiki", "Honolulu", Some("HI")),
    ("Kona", "Kailua Kona", Some("HI")),
    ("Old San Juan", "San Juan", Some("PR")),
    ("Viejo San Juan", "San Juan", Some("PR")),
    ("Río Piedras", "San Juan", Some("PR")),
    ("Hato Rey", "San Juan", Some("PR")),
    ("Cupey", "San Juan", Some("PR")),
    ("Isla Verde", "Carolina", Some("PR")),
    ("Levittown", "Toa Baja", Some("PR")),
    ("Fort Liberty", "Fort Bragg", Some("NC")),
    ("Fort Cavazos", "Fort Hood", Some("TX")),
    ("Fort Moore", "Fort Benning", Some("GA")),
    ("Fort Novosel", "Fort Rucker", Some("AL")),
    ("Fort Johnson", "Fort Polk", Some("LA")),
    ("Fort Eisenhower", "Augusta", Some("GA")),
    ("Fort Gordon", "Augusta", Some("GA")),
    ("Fort Jackson", "Columbia", Some("SC")),
    ("Fort Sam Houston", "Jbsa Ft Sam Houston", Some("TX")),
    ("JBSA", "Jbsa Ft Sam Houston", Some("TX")),
    ("JBLM", "Mcchord Afb", Some("WA")),
    ("Joint Base Lewis-McChord", "Mcchord Afb", Some("WA")),
    ("Fort Lewis", "Mcchord Afb", Some("WA")),
    ("Naval Station Norfolk", "Norfolk", Some("VA")),
    ("Fort Gregg-Adams", "Fort Lee", Some("VA")),
    ("Nueva York", "New York", Some("NY")),
    ("Ciudad de Nueva York", "New York", Some("NY")),
    ("Filadelfia", "Philadelphia", None),
    ("Nueva Orleans", "New Orleans", Some("LA")),
    ("San Luis", "Saint Louis", Some("MO")),
];

/// A city of the ZIP list and its state, as [`CITY_OTHER_NAMES`] names it.
type CityIn = (&'static str, Option<&'static str>);

/// [`CITY_OTHER_NAMES`] by key ([`normalize_city`]).
static CITY_OTHER_KEYS: LazyLock<HashMap<String, Vec<CityIn>>> = LazyLock::new(|| {
    let mut keys: HashMap<String, Vec<_>> = HashMap::new();
    for &(other, city, state) in CITY_OTHER_NAMES {
        keys.entry(normalize_city(other))
            .or_default()
            .push((city, state));
    }
    keys
});

/// The readings of a place read again when none names a known city
/// ([`Gazetteer::resolve`]): by another name ([`CITY_OTHER_NAMES`]), and a
/// street address's last one to three words before its state ("123 Main St
/// Boise ID": "Boise"), only when what is left out has a number in it (a
/// house or suite number: "Mount Lebanon, PA" is not Lebanon, PA).
fn other_readings(
    readings: &[(String, Option<&'static str>)],
) -> Vec<(String, Option<&'static str>)> {
    let mut out = Vec::new();
    for (city, state) in readings {
        for &(name, its_state) in CITY_OTHER_KEYS
            .get(&normalize_city(city))
            .into_iter()
            .flatten()
        {
            match (state, its_state) {
                (Some(typed), Some(its)) if typed != &its => {}
                _ => out.push((name.to_string(), state.or(its_state))),
            }
        }
        if state.is_some() {
            let words: Vec<&str> = city.split_whitespace().collect();
            for take in (1..words.len().min(4)).rev() {
                let (street, name) = words.split_at(words.len() - take);
                if street.iter().any(|w| w.bytes().any(|b| b.is_ascii_digit())) {
                    out.push((name.join(" "), *state));
                }
            }
        }
    }
    out
}

/// A state's name, code or abbreviation as a key: folded, letters and
/// digits only ("N.Y." -> "ny", "District of Columbia" -> "districtofcolumbia").
fn state_key(text: &str) -> String {
    crate::text::fold(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

static STATE_KEYS: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut keys = HashMap::new();
    for &(code, name) in STATES.iter().chain(STATE_OTHER_NAMES).chain(STATE_NAMES_ES) {
        keys.insert(state_key(code), code);
        keys.insert(state_key(name), code);
    }
    // "Washington State", "New York State"
    for &(code, name) in STATES {
        keys.insert(state_key(&format!("{name} State")), code);
    }
    keys
});

/// The postal code of a state written as a code, a name or an abbreviation,
/// in any case, with or without periods ("co", "Colorado", "Colo.", "N.Y.",
/// "D.C.", "District of Columbia").
pub fn state_code(text: &str) -> Option<&'static str> {
    let key = state_key(text);
    if key.is_empty() {
        return None;
    }
    STATE_KEYS.get(&key).copied()
}

/// The state's or territory's name for its two-letter code ("CO" ->
/// "Colorado"), or `None`.
pub fn state_name(code: &str) -> Option<&'static str> {
    STATES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Other countries, and Canada's provinces, as people write them after a
/// place ("Toronto, Canada", "Vancouver, BC", "Tijuana, México"), in
/// English and Spanish: read only where no place of the United States is
/// meant ([`Gazetteer::within_city`]), since many are a US town's name too
/// (Canada, KY; Mexico, MO).
const ABROAD: &[&str] = &[
    "Canada",
    "Canadá",
    "Mexico",
    "México",
    "United Kingdom",
    "UK",
    "U.K.",
    "Great Britain",
    "Britain",
    "England",
    "Inglaterra",
    "Scotland",
    "Escocia",
    "Wales",
    "Ireland",
    "Irlanda",
    "France",
    "Francia",
    "Germany",
    "Alemania",
    "Deutschland",
    "Italy",
    "Italia",
    "Spain",
    "España",
    "Portugal",
    "Netherlands",
    "Holland",
    "Belgium",
    "Switzerland",
    "Austria",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "Poland",
    "Greece",
    "Russia",
    "Rusia",
    "Ukraine",
    "Turkey",
    "Israel",
    "Egypt",
    "Nigeria",
    "Kenya",
    "South Africa",
    "India",
    "Pakistan",
    "China",
    "Japan",
    "Japón",
    "Korea",
    "South Korea",
    "Philippines",
    "Filipinas",
    "Vietnam",
    "Thailand",
    "Indonesia",
    "Australia",
    "New Zealand",
    "Brazil",
    "Brasil",
    "Argentina",
    "Chile",
    "Colombia",
    "Peru",
    "Perú",
    "Venezuela",
    "Ecuador",
    "Bolivia",
    "Cuba",
    "Jamaica",
    "Haiti",
    "Haití",
    "Dominican Republic",
    "República Dominicana",
    "Guatemala",
    "Honduras",
    "El Salvador",
    "Nicaragua",
    "Costa Rica",
    "Panama",
    "Panamá",
    "Ontario",
    "Quebec",
    "Québec",
    "British Columbia",
    "BC",
    "B.C.",
    "Alberta",
    "AB",
    "Manitoba",
    "Saskatchewan",
    "Nova Scotia",
    "New Brunswick",
    "Newfoundland",
    "ON",
    "QC",
    "NS",
    "SK",
    "MB",
    "Lebanon",
    "Líbano",
    "Jordan",
    "Jordania",
    "Czech Republic",
    "Czechia",
    "Northern Ireland",
    "Palestine",
    "Iran",
    "Iraq",
    "Syria",
    "Afghanistan",
    "Somalia",
    "Ethiopia",
    "Ghana",
    "Morocco",
    "Sonora",
    "Chihuahua",
    "Coahuila",
    "Nuevo León",
    "Tamaulipas",
    "Baja California",
    "Jalisco",
    "Yucatán",
    "Oaxaca",
    "Michoacán",
    "Puebla",
    "Mexico City",
    "Ciudad de México",
    "CDMX",
    "La Habana",
];

/// The state a name not quite spelt right means ("Misouri", "Pennsilvania",
/// "Flordia", "Iowe"): the one state's or territory's name, in English or
/// Spanish, one letter away or two swapped ([`typing_distance`]; two for
/// names of eight letters or more); `None` for words under three letters.
fn misspelt_state(text: &str) -> Option<&'static str> {
    let key = state_key(text);
    let most = match key.len() {
        0..3 => return None,
        3..8 => 1,
        _ => 2,
    };
    // keyed once, not each name on every place searched
    static NAME_KEYS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
        STATES
            .iter()
            .chain(STATE_NAMES_ES)
            .map(|&(code, name)| (code, state_key(name)))
            .collect()
    });
    let mut near = NAME_KEYS
        .iter()
        .filter(|(_, name)| typing_distance(&key, name) <= most)
        .map(|&(code, _)| code);
    let code = near.next()?;
    near.all(|other| other == code).then_some(code)
}

/// [`edit_distance`] with two letters swapped one edit, as typing swaps
/// them ("Flordia", "Iwoa"): the optimal string alignment distance.
fn typing_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Is `text` another country or a province of Canada ([`ABROAD`])?
fn is_abroad(text: &str) -> bool {
    static KEYS: LazyLock<std::collections::HashSet<String>> =
        LazyLock::new(|| ABROAD.iter().map(|name| state_key(name)).collect());
    KEYS.contains(&state_key(text))
}

/// New York City's boroughs as people write them after a neighbourhood:
/// what comes before one is a part of it, never a town nearby ("Clifton,
/// Staten Island" is not Clifton, NJ).
const BOROUGHS: &[&str] = &[
    "Manhattan",
    "Brooklyn",
    "Bronx",
    "The Bronx",
    "Queens",
    "Staten Island",
];

/// Does a place's text end in its state, after a comma or as a postal
/// code ("Denver, CO", "Denver CO"), as the first part of "Denver, CO,
/// Canada" does ("Mount Washington" does not: a state's name in a place's
/// name is part of it)?
fn names_its_state(text: &str) -> bool {
    let after_comma = text
        .rsplit_once(',')
        .is_some_and(|(_, state)| state_code(state).is_some());
    let code = text.split_whitespace().last().is_some_and(|w| {
        w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase()) && state_code(w).is_some()
    });
    after_comma || code
}

/// The postal codes of [`STATES`] that are territories of the United
/// States or states in free association with it, not states.
const TERRITORIES: &[&str] = &["PR", "GU", "VI", "AS", "MP", "FM", "MH", "PW"];

/// Is `name`, a name of [`STATES`] ("Guam"), a territory rather than a
/// state?
pub fn is_territory(name: &str) -> bool {
    STATES
        .iter()
        .any(|&(code, n)| n == name && TERRITORIES.contains(&code))
}

/// A name of [`STATES`] ("North Carolina") as the Spanish pages write it
/// ("Carolina del Norte"): the Spanish name of its code where that is not
/// the English one once accents are folded, else the name itself (the same
/// in both languages: "Ohio", "Texas").
pub fn state_name_es(name: &str) -> &str {
    STATES
        .iter()
        .find(|&&(_, n)| n == name)
        .and_then(|&(code, _)| STATE_NAMES_ES.iter().find(|&&(c, _)| c == code))
        .map_or(name, |&(_, es)| es)
}

/// A place name as a key: folded ("Mayagüez" = "mayaguez"), punctuation,
/// spaces and case left out ("O'Fallon" = "O Fallon" = "ofallon"), and the
/// abbreviations of names made one ("Saint", "St.", "Ste." = "st"; "Fort",
/// "Ft." = "ft"; "Mount", "Mt." = "mt"; "Point", "Pt." = "pt"; "N." =
/// "North", and the other directions).
fn normalize_city(city: &str) -> String {
    let folded = crate::text::fold(city);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.replace('\'', ""))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::with_capacity(folded.len() + 4);
    for (i, word) in words.iter().enumerate() {
        // a first letter that is a direction before a word: "N Charleston"
        // = "North Charleston", written out ("W Allis" is not Wallis); not
        // the letters of "N.Y.C." or "U.S.A."
        let direction = i == 0 && words.get(1).is_some_and(|next| next.chars().count() > 1);
        out.push_str(match word.as_str() {
            "point" => "pt",
            "n" if direction => "north",
            "s" if direction => "south",
            "e" if direction => "east",
            "w" if direction => "west",
            _ => crate::text::canonical(word),
        });
    }
    out
}

/// The most suggestions whose spelling is this far from what was typed, by
/// its length in letters.
fn max_edits(key: &str) -> usize {
    match key.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

/// A place's display name and the sums of its ZIP codes' coordinates:
/// [standard ZIPs, PO box ZIPs], each (sum of latitudes, of longitudes,
/// count).
type PlaceSums = (String, [(f64, f64, u32); 2]);

/// Places by normalized name from the sums of their ZIP codes' coordinates
/// ((name, state) -> (display name, [standard ZIPs, PO box ZIPs] as sum of
/// latitudes, of longitudes, count)): each at the centre of its standard
/// ZIPs, or of its PO box ZIPs when it has none; the biggest (most ZIPs)
/// first, then by state.
fn places_of(sums: HashMap<(String, &'static str), PlaceSums>) -> HashMap<String, Vec<CityPlace>> {
    let mut places: HashMap<String, Vec<CityPlace>> = HashMap::new();
    for ((key, state), (city, by_kind)) in sums {
        let (lat, lon, n) = if by_kind[0].2 > 0 {
            by_kind[0]
        } else {
            by_kind[1]
        };
        let (lat, lon) = (lat / n as f64, lon / n as f64);
        let zips = by_kind[0].2 + by_kind[1].2;
        places.entry(key).or_default().push(CityPlace {
            city,
            state,
            lat,
            lon,
            zips,
            census_kind: None,
        });
    }
    for list in places.values_mut() {
        list.sort_by(|a, b| b.zips.cmp(&a.zips).then_with(|| a.state.cmp(b.state)));
        list.shrink_to_fit();
    }
    places
}

/// The words that end a county's name in the ZIP list and that a person
/// may leave out or abbreviate: "County" ("Co."), "Parish" (Louisiana),
/// "Borough" (Alaska); as written, then the word it stands for.
const COUNTY_WORDS: [(&str, &str); 4] = [
    ("county", "county"),
    // with its period: "CO" is Colorado
    ("co.", "county"),
    ("parish", "parish"),
    ("borough", "borough"),
];

/// A county's name without its last word when that is one of
/// [`COUNTY_WORDS`] ("Orange County" -> "Orange"); the name as it is
/// otherwise.
fn county_base(name: &str) -> &str {
    county_name(name).0
}

/// A county as written: its name without the word that says it is a
/// county, and that word ([`COUNTY_WORDS`]) when there was one: "Orange
/// County" and, in Spanish, "Condado de Orange" -> ("Orange", "county");
/// "Parroquia de Orleans" -> ("Orleans", "parish").
fn county_name(name: &str) -> (&str, Option<&'static str>) {
    let name = name.trim();
    if let Some((before, last)) = name.rsplit_once(char::is_whitespace) {
        if let Some((_, word)) = COUNTY_WORDS
            .iter()
            .find(|(written, _)| last.eq_ignore_ascii_case(written))
        {
            if !before.trim().is_empty() {
                return (before.trim(), Some(word));
            }
        }
    }
    for (prefix, word) in [
        ("county of ", "county"),
        ("parish of ", "parish"),
        ("condado de ", "county"),
        ("parroquia de ", "parish"),
    ] {
        if let Some(head) = name.get(..prefix.len()) {
            let rest = name[prefix.len()..].trim();
            if head.eq_ignore_ascii_case(prefix) && !rest.is_empty() {
                return (rest, Some(word));
            }
        }
    }
    (name, None)
}

impl Gazetteer {
    /// The gazetteer of the `zipcodes` crate's US ZIP list ([`ZIP_TABLE`]),
    /// built on first use.
    pub fn get() -> &'static Gazetteer {
        &GAZETTEER
    }

    fn build() -> Gazetteer {
        let mut zips = Vec::new();
        let mut zip_cities: Vec<Box<str>> = Vec::new();
        let mut city_ids: HashMap<&'static str, u32> = HashMap::new();
        let mut unplaced = HashMap::new();
        // (normalized city, state) and (normalized county without its last
        // word, state) -> their sums
        let mut sums: HashMap<(String, &'static str), PlaceSums> = HashMap::new();
        let mut county_sums: HashMap<(String, &'static str), PlaceSums> = HashMap::new();
        for z in zip_records() {
            let (Ok(lat), Ok(lon)) = (z.lat.parse::<f64>(), z.long.parse::<f64>()) else {
                continue;
            };
            let city = title_case(z.city);
            if lat == 0.0 && lon == 0.0 {
                // "no location", not a point in the Gulf of Guinea
                unplaced.insert(z.zip_code, format!("{city}, {}", z.state));
                continue;
            }
            let lon = pacific_longitude(z.state, lon);
            let id = *city_ids.entry(z.city).or_insert_with(|| {
                zip_cities.push(city.as_str().into());
                u32::try_from(zip_cities.len() - 1).expect("fewer than 2^32 cities")
            });
            zips.push(ZipEntry {
                zip: z.zip_code,
                state: z.state,
                city: id,
                lat,
                lon,
            });
            // City centres come from the ordinary ZIPs; PO box ZIPs only for
            // towns that have no other. Unique (single-building) and military
            // ZIPs are left out.
            let kind = match z.zip_code_type {
                "STANDARD" => 0,
                "PO BOX" => 1,
                _ => continue,
            };
            let entry = sums
                .entry((normalize_city(z.city), z.state))
                .or_insert_with(|| (city, [(0.0, 0.0, 0); 2]));
            let s = &mut entry.1[kind];
            s.0 += lat;
            s.1 += lon;
            s.2 += 1;
            if !z.county.is_empty() {
                let entry = county_sums
                    .entry((normalize_city(county_base(z.county)), z.state))
                    .or_insert_with(|| (z.county.to_string(), [(0.0, 0.0, 0); 2]));
                let s = &mut entry.1[kind];
                s.0 += lat;
                s.1 += lon;
                s.2 += 1;
            }
        }
        // by ZIP; a ZIP listed twice keeps its last record
        zips.sort_by(|a, b| a.zip.cmp(b.zip));
        zips.dedup_by(|later, earlier| {
            let same = later.zip == earlier.zip;
            if same {
                *earlier = *later;
            }
            same
        });
        zips.shrink_to_fit();
        zip_cities.shrink_to_fit();
        let mut cities = places_of(sums);
        let census = census_places();
        let census_towns = census_towns(&mut cities, &census);
        Gazetteer {
            zips,
            zip_cities,
            unplaced,
            map_cities: MapCities::new(&cities, &census),
            census_towns,
            cities,
            counties: places_of(county_sums),
        }
    }

    /// The placed ZIP code `zip` (five digits) as held.
    /// Whether some placed ZIP code lies within `miles` of the point.
    fn near_any_zip(&self, lat: f64, lon: f64, miles: f64) -> bool {
        // a degree of latitude is about 69 miles: most ZIPs fail that first
        let degrees = miles / 68.0;
        self.zips.iter().any(|z| {
            (z.lat - lat).abs() <= degrees && haversine_miles(lat, lon, z.lat, z.lon) <= miles
        })
    }

    fn zip_entry(&self, zip: &str) -> Option<&ZipEntry> {
        self.zips
            .binary_search_by(|z| z.zip.cmp(zip))
            .ok()
            .map(|i| &self.zips[i])
    }

    /// The record of a five-digit ZIP code, or `None` when it is unknown or has
    /// no location.
    pub fn zip(&self, zip: &str) -> Option<ZipPlace<'_>> {
        self.zip_entry(zip).map(|z| ZipPlace {
            zip: z.zip,
            city: &self.zip_cities[z.city as usize],
            state: z.state,
            lat: z.lat,
            lon: z.lon,
        })
    }

    /// Up to `n` places of the U.S. Census Bureau's 2022 Gazetteer whose
    /// internal point is inside the box (west, east, south, north, degrees),
    /// the largest first by how many ZIP codes the post office gives a city
    /// of that name there (then cities before towns, villages and census
    /// designated places, then by name and state), as (place, latitude,
    /// longitude): the names a map labels, as the Census names them. An empty
    /// or inverted box has none.
    pub fn largest_cities_in(
        &self,
        bounds: (f64, f64, f64, f64),
        n: usize,
    ) -> Vec<(&str, f64, f64)> {
        self.largest_cities_iter(bounds).take(n).collect()
    }

    /// [`Self::largest_cities_in`] as they are asked for, largest first,
    /// every place in the box in the end.
    pub fn largest_cities_iter(
        &self,
        bounds: (f64, f64, f64, f64),
    ) -> impl Iterator<Item = (&str, f64, f64)> + '_ {
        self.map_cities.largest_in(bounds)
    }

    /// The centre of `city` in the state with postal code `state`.
    pub fn city(&self, city: &str, state: &str) -> Option<Origin> {
        let places = self.cities.get(&normalize_city(city))?;
        places.iter().find(|p| p.state == state).map(|p| Origin {
            label: format!("{}, {}", p.city, p.state),
            lat: p.lat,
            lon: p.lon,
        })
    }

    /// Resolve what a person typed as a place: a ZIP code in any form a US
    /// form writes ("80621", "80621-1226", "80621 1226", "806211226"),
    /// coordinates ("39.74,-104.99"), or a city with or without its state
    /// ("O'Fallon, MO", "Mayagüez PR", "St. Louis, Mo.", "Washington, D.C.",
    /// "District of Columbia").
    pub fn resolve(&self, query: &str) -> Result<Origin, PlaceError> {
        let query = without_country(query.trim_matches(|c: char| c == ',' || c.is_whitespace()));
        if query.is_empty() {
            return Err(PlaceError::Empty);
        }
        if let Some(zip) = parse_zip(query) {
            return match zip {
                ZipForm::Whole(zip) => self
                    .zip(&zip)
                    .map(|z| Origin {
                        label: format!("{}, {} {}", z.city, z.state, z.zip),
                        lat: z.lat,
                        lon: z.lon,
                    })
                    .ok_or_else(|| match self.unplaced.get(zip.as_str()) {
                        Some(place) => PlaceError::NoLocation {
                            zip: zip.clone(),
                            place: place.clone(),
                        },
                        None => PlaceError::UnknownZip(zip.clone()),
                    }),
                ZipForm::Short(digits) => {
                    let zip = format!("{digits:0>5}");
                    if self.zip_entry(&zip).is_some() {
                        Err(PlaceError::ZipMissingLeadingZero {
                            typed: query.to_string(),
                            suggestions: vec![zip.clone()],
                            zip,
                        })
                    } else {
                        Err(PlaceError::UnknownZip(query.to_string()))
                    }
                }
            };
        }
        if let Some((lat, lon)) = parse_lat_lon(query) {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(PlaceError::BadCoordinates(query.to_string()));
            }
            // a point no US ZIP code is near (London's "51.5,-0.12"): no
            // program can lie within any radius of it
            if !self.near_any_zip(lat, lon, FAR_FROM_EVERY_ZIP_MILES) {
                return Err(PlaceError::Abroad {
                    query: query.to_string(),
                });
            }
            return Ok(Origin {
                label: format!("{lat:.4}, {lon:.4}"),
                lat,
                lon,
            });
        }
        if query
            .chars()
            .all(|c| c.is_ascii_digit() || is_zip_separator(c))
        {
            return Err(PlaceError::UnknownZip(query.to_string()));
        }
        // a place line that ends in its ZIP code ("Denver, CO 80202", a
        // street address, "APO AE 09001"): the ZIP, its most exact part; the
        // text before it when the ZIP is not known (and does not end in
        // another: one level, whatever is typed)
        if let Some((before, zip)) = trailing_zip(query) {
            // a place abroad with its postcode ("Paris, France 75001")
            if before
                .rsplit_once(',')
                .is_some_and(|(_, country)| is_abroad(country))
            {
                if let Err(abroad @ PlaceError::Abroad { .. }) = self.resolve(before) {
                    return Err(abroad);
                }
            }
            // a ZIP of another state than the one written before it
            // ("Denver, CO 10001"): the city and state
            if let Some(zip_state) = self.zip_entry(zip).map(|z| z.state) {
                let named = states_named(before);
                if !named.is_empty() && !named.contains(&zip_state) {
                    if let Ok(origin) = self.resolve(before) {
                        return Ok(origin);
                    }
                }
            }
            return match self.resolve(zip) {
                Err(PlaceError::UnknownZip(zip)) if trailing_zip(before).is_none() => self
                    .resolve(before)
                    .map_err(|_| PlaceError::UnknownZip(zip)),
                // named as written when the post office names the ZIP by a
                // neighbour ("Lakewood, CO 80226", not "Denver, CO 80226"),
                // at the ZIP's point
                Ok(mut at) if trailing_zip(before).is_none() => {
                    if let Ok(named) = self.resolve(before) {
                        let miles = haversine_miles(named.lat, named.lon, at.lat, at.lon);
                        if miles <= Self::NEAR_CITY_MILES && !at.label.starts_with(&named.label) {
                            at.label = format!("{} {zip}", named.label);
                        }
                    }
                    Ok(at)
                }
                found => found,
            };
        }
        // a ZIP code before the state or the city and state it is in
        // ("95814, CA", "78701 Austin TX"); a house number ("20500 Ventura
        // Blvd, Woodland Hills, CA") is read with the rest below
        if let Some((zip, after)) = leading_zip(query) {
            if let Some(place) = self.zip(zip) {
                // the rest is the ZIP's state alone, or its city in it:
                // "10001 Main St, Buffalo, NY" is an address in Buffalo
                let city = normalize_city(place.city);
                let its_own = city_state_readings(after).iter().any(|(named, state)| {
                    *state == Some(place.state)
                        && (named.is_empty() || normalize_city(named) == city)
                });
                if its_own {
                    return self.resolve(zip);
                }
            }
        }
        // a state's whole name ("Ohio", "Indiana"), unless a big city has
        // it too ("New York"; "Washington" and its DC): the state, not a
        // town of one ZIP code
        if is_state_name(query) {
            if let Some(state) = state_code(query).filter(|&s| s != "DC") {
                // the biggest city of the name, by itself or another name
                // ("Nueva York")
                let key = normalize_city(query);
                let aliases = CITY_OTHER_KEYS.get(&key).into_iter().flatten();
                let biggest_town = std::iter::once((key.clone(), None))
                    .chain(aliases.map(|&(city, state)| (normalize_city(city), state)))
                    .filter_map(|(key, state)| {
                        self.cities
                            .get(&key)?
                            .iter()
                            .find(|p| state.is_none_or(|s| s == p.state))
                    })
                    .map(|p| p.zips)
                    .max()
                    .unwrap_or(0);
                if biggest_town < BIG_CITY_ZIPS {
                    return Err(PlaceError::WholeState {
                        query: query.to_string(),
                        state: state_name(state).unwrap_or(state),
                        suggestions: self.biggest_in(state),
                    });
                }
            }
        }
        // another country by itself ("Canada", "México"), unless a US city
        // has its name ("Lebanon", "Peru": a choice of them)
        if is_abroad(query)
            && self
                .cities_in(query, None)
                .all(|p| p.zips <= Self::SMALL_TOWN_ZIPS && p.census_kind != Some(0))
        {
            return Err(PlaceError::Abroad {
                query: query.to_string(),
            });
        }
        // a state's name alone, misspelt ("Flordia"), when no place is
        // called that
        let key = normalize_city(query);
        let a_place = self.cities.contains_key(&key)
            || self.census_towns.contains_key(&key)
            || self.counties.contains_key(&key)
            || CITY_OTHER_KEYS.contains_key(&key);
        let misspelt = (!query.contains(',')
            && !is_state_name(query)
            && states_named(query).is_empty()
            && !a_place)
            .then(|| misspelt_state(query))
            .flatten();
        if let Some(state) = misspelt {
            if state != "DC" {
                return Err(PlaceError::WholeState {
                    query: query.to_string(),
                    state: state_name(state).unwrap_or(state),
                    suggestions: self.biggest_in(state),
                });
            }
        }
        // a neighbourhood or suburb and its city ("Buckhead, Atlanta")
        if let Some(found) = self.within_city(query) {
            return found;
        }
        let readings = city_state_readings(query);
        // the first reading whose city is known in its state, or alone
        // without one (a city before a state wins over a state alone); then
        // the readings that name no known city read again (`other_readings`:
        // without a last word "City", by another name of the city, by the
        // last words of a street address), before a state alone
        let (state_alone, named): (Vec<_>, Vec<_>) =
            readings.into_iter().partition(|(city, _)| city.is_empty());
        if let Some(found) = self
            .city_of(&named, query)
            .or_else(|| self.county(&named, query))
        {
            return found;
        }
        // then a town the ZIP list files under another city's name, then
        // the state alone
        if let Some(found) = self
            .city_of(&other_readings(&named), query)
            .or_else(|| self.census_town(&named, query))
            .or_else(|| self.city_of(&state_alone, query))
        {
            return found;
        }
        let readings: Vec<_> = named.into_iter().chain(state_alone).collect();
        // nothing: the places it may mean, in its state first
        let (city, state) = &readings[0];
        let key = normalize_city(city);
        let mut suggestions = match state {
            Some(state) => self.similar_cities(&key, Some(state)),
            None => Vec::new(),
        };
        if suggestions.is_empty() {
            if let Some(places) = self.cities.get(&key) {
                suggestions = places
                    .iter()
                    .take(MAX_SUGGESTIONS)
                    .map(CityPlace::label)
                    .collect();
            }
        }
        if suggestions.is_empty() {
            // the whole text may be a misspelt city without a state
            let whole = normalize_city(query);
            suggestions = self.similar_cities(&key, None);
            if suggestions.is_empty() && whole != key {
                suggestions = self.similar_cities(&whole, None);
            }
        }
        Err(PlaceError::Unknown {
            query: query.to_string(),
            suggestions,
        })
    }

    /// The first reading ((city, state) as [`city_state_readings`] gives
    /// them) whose city is known in its state, or alone without one, or the
    /// error of a name several states have; a state alone is the error that
    /// says so (the capital's spellings, "D.C.", mean its one city). `None`
    /// when no reading is either.
    fn city_of(
        &self,
        readings: &[(String, Option<&'static str>)],
        query: &str,
    ) -> Option<Result<Origin, PlaceError>> {
        for (city, state) in readings {
            let key = normalize_city(city);
            match (self.cities.get(&key), state) {
                (Some(places), Some(state)) => {
                    if let Some(p) = places.iter().find(|p| p.state == *state) {
                        return Some(Ok(city_origin(p)));
                    }
                    if *state == "DC" {
                        return Some(Ok(self.in_washington(&key)));
                    }
                }
                (Some(places), None) => {
                    // a town of a ZIP code or two is not the only place of
                    // its name when the Census has one in another state
                    // ("North Miami": a town in Oklahoma, a city in Florida)
                    // , or a county of the name ("Bucks": a town in
                    // Alabama, a county in Pennsylvania)
                    let towns = self.census_towns.get(&key).map_or(&[][..], Vec::as_slice);
                    // (not the county of a town of the name in its state:
                    // Puerto Rico's towns and their municipios)
                    let counties: Vec<&CityPlace> = self
                        .counties
                        .get(&key)
                        .into_iter()
                        .flatten()
                        .filter(|c| places.iter().all(|p| p.state != c.state))
                        .collect();
                    let (towns, counties) = match places.as_slice() {
                        [one] if one.zips > Self::SMALL_TOWN_ZIPS => {
                            return Some(Ok(city_origin(one)));
                        }
                        [one] if towns.is_empty() && counties.is_empty() => {
                            return Some(Ok(city_origin(one)));
                        }
                        [_] => (towns, &counties[..]),
                        // a big city the others of its name are villages
                        // beside ("Houston": 183 ZIP codes in Texas, one
                        // in Missouri), when the name is all that was
                        // written: not a state's name ("Washington"), not
                        // before a state not known ("Houston, Misouri")
                        [first, next, ..]
                            if first.zips >= BIG_CITY_ZIPS
                                && first.zips >= Self::BIG_CITY_LEAD * next.zips
                                && !is_state_name(query)
                                && !query.contains(',') =>
                        {
                            return Some(Ok(city_origin(first)));
                        }
                        // and a county bigger than every town of the
                        // name ("Westchester": the county in New York)
                        _ if is_state_name(query) => (towns, &counties[..0]),
                        _ => {
                            let biggest = places[0].zips;
                            let at = counties.partition_point(|c| c.zips > biggest);
                            (towns, &counties[..at])
                        }
                    };
                    // and a city by another name ("Manhattan": New York),
                    // the biggest first
                    let mut offered: Vec<&CityPlace> = places
                        .iter()
                        .chain(towns)
                        .chain(counties.iter().copied())
                        .collect();
                    for &(name, its_state) in CITY_OTHER_KEYS.get(&key).into_iter().flatten() {
                        offered.extend(self.cities_in(name, its_state));
                    }
                    offered.sort_by_key(|p| Self::offer_rank(p));
                    return Some(Err(ambiguous(query, offered)));
                }
                // a part of Washington, the one city of its district
                // ("Anacostia, DC", "Brookland, Washington DC")
                (None, Some("DC")) if !key.is_empty() => {
                    return Some(Ok(self.in_washington(&key)));
                }
                (None, Some(state)) if key.is_empty() => {
                    if *state == "DC" {
                        if let Some(origin) = self.city("Washington", "DC") {
                            return Some(Ok(origin));
                        }
                    }
                    return Some(Err(PlaceError::WholeState {
                        query: query.to_string(),
                        state: state_name(state).unwrap_or(state),
                        suggestions: self.biggest_in(state),
                    }));
                }
                (None, _) => {}
            }
        }
        None
    }

    /// The first reading ((city, state)) that is a place of the Census
    /// Gazetteer the ZIP list does not name ([`Gazetteer::census_towns`]):
    /// in its state, or alone when one state has it; the error of a name
    /// several states have. `None` when none is.
    fn census_town(
        &self,
        readings: &[(String, Option<&'static str>)],
        query: &str,
    ) -> Option<Result<Origin, PlaceError>> {
        for (city, state) in readings {
            let Some(places) = self.census_towns.get(&normalize_city(city)) else {
                continue;
            };
            match state {
                Some(state) => {
                    if let Some(p) = places.iter().find(|p| p.state == *state) {
                        return Some(Ok(city_origin(p)));
                    }
                }
                None if self.cities.contains_key(&normalize_city(city)) => {}
                None if places.len() == 1 => return Some(Ok(city_origin(&places[0]))),
                None => {
                    let mut offered: Vec<&CityPlace> = places.iter().collect();
                    offered.sort_by_key(|p| Self::offer_rank(p));
                    return Some(Err(ambiguous(query, offered)));
                }
            }
        }
        None
    }

    /// A place written as a part of a city, or a town, and the city or
    /// county it is in, with no state ("Buckhead, Atlanta", "Plano, Dallas",
    /// "Dayton, Montgomery", "Riverside, Riverside County", "Brookland,
    /// Washington DC"):
    /// - a place of the first name near a city or county of the second (a
    ///   suburb, a town of the county), the nearest: a town of more than
    ///   one ZIP code or a Census city within [`Self::NEAR_CITY_MILES`], a
    ///   village, borough or one-ZIP town within [`Self::NEAR_VILLAGE_MILES`],
    ///   less across a state line; beside a big city not a census designated
    ///   place, whose name is often a neighbourhood's ("Inwood, Manhattan"
    ///   is not Inwood on Long Island); beside one of New York's
    ///   [`BOROUGHS`] only the borough's own ZIP towns; beside a county a
    ///   big city of its name dwarfs, only a town of its own;
    /// - else the city of the second name when it is a big one (a
    ///   neighbourhood, which the ZIP list does not name: Buckhead, GA is
    ///   60 miles from Atlanta), or a choice of its cities when there are
    ///   several;
    /// - a very big city first and a village's name after it is the big
    ///   city ("Atlanta, Buckhead");
    /// - another country after a place that is none of these is abroad
    ///   ("Havana, Cuba": not Havana, IL beside Cuba, IL).
    ///
    /// `None` when the text is not two parts around a comma with no state
    /// after the first ("Denver, CO, Canada"), or when neither reading
    /// holds and the first part is a place of its own ("Asbury Park,
    /// Jersey Shore": read alone).
    fn within_city(&self, query: &str) -> Option<Result<Origin, PlaceError>> {
        let (part, city) = query.rsplit_once(',')?;
        let (part, city) = (part.trim(), city.trim());
        if part.is_empty()
            || city.chars().any(|c| c.is_ascii_digit())
            || state_code(city).is_some()
            || names_its_state(part)
        {
            return None;
        }
        let abroad = is_abroad(city);
        let refused = || {
            Some(Err(PlaceError::Abroad {
                query: query.to_string(),
            }))
        };
        // the cities of the second name, and by another name, and as "City
        // ST" ("Washington DC"); a country's name too, as a US town's
        // ("Chino, Ontario" is in California)
        let key = normalize_city(city);
        let (base, said) = county_name(city);
        let mut cities: Vec<&CityPlace> = Vec::new();
        if said.is_none() {
            cities.extend(self.cities.get(&key).into_iter().flatten());
            for &(name, state) in CITY_OTHER_KEYS.get(&key).into_iter().flatten() {
                cities.extend(self.cities_in(name, state));
            }
            for (name, state) in city_state_readings(city) {
                if let (false, Some(state)) = (name.is_empty(), state) {
                    cities.extend(self.cities_in(&name, Some(state)));
                }
            }
        }
        // the villages of the name left out: a city with parts people name
        // is a big one ("Williamsburg, Brooklyn" is in Brooklyn, NY, not
        // near Brooklyn, IA)
        cities.sort_by(|a, b| b.zips.cmp(&a.zips).then_with(|| a.state.cmp(b.state)));
        cities.dedup_by(|a, b| a.state == b.state && a.city == b.city);
        let biggest = cities.first().map_or(0, |p| p.zips);
        cities.retain(|p| p.zips * Self::BIG_CITY_LEAD >= biggest);
        // and the counties of the name ("Laurelton, Queens", "Warner Robins,
        // Houston"; "Parish" is not "County")
        let counties: Vec<&CityPlace> = self
            .counties
            .get(&normalize_city(base))
            .into_iter()
            .flatten()
            .filter(|p| said.is_none_or(|word| county_name(&p.city).1 == Some(word)))
            .collect();
        let outer: Vec<&CityPlace> = cities.iter().chain(&counties).copied().collect();
        let big_outer = outer.iter().any(|o| o.zips >= BIG_CITY_ZIPS);
        let part_key = normalize_city(part);
        let mut named: Vec<&CityPlace> = self
            .cities
            .get(&part_key)
            .into_iter()
            .chain(self.census_towns.get(&part_key))
            .flatten()
            .collect();
        // and by another name ("Levittown, Toa Baja")
        for &(name, state) in CITY_OTHER_KEYS.get(&part_key).into_iter().flatten() {
            named.extend(self.cities_in(name, state));
        }
        // a suburb, or a town of the county: the place of the first name
        // nearest a city or county of the second, as far from it as
        // `reach` lets it be
        let borough = BOROUGHS.iter().any(|b| normalize_city(b) == key);
        let reach = |p: &CityPlace, o: &CityPlace| -> f64 {
            let city = p.zips > 1 || p.census_kind == Some(0);
            // a town with a government or a ZIP code of its own name, not a
            // census designated place (often a neighbourhood's name)
            let town = city
                || matches!(p.census_kind, Some(1 | 2))
                || (p.zips > 0 && p.census_kind.is_none());
            let most = if abroad {
                // beside a US town of a country's name only a town right
                // beside it ("Shakopee, Jordan", "Annville, Lebanon"; not
                // "Havana, Cuba")
                if town || p.zips > 0 {
                    Self::NEAR_ABROAD_MILES
                } else {
                    0.0
                }
            } else if borough {
                // a borough's parts the ZIP list names ("Far Rockaway,
                // Queens"), not a town beyond it ("Clifton, Staten Island")
                if p.zips > 0 && p.state == o.state {
                    Self::NEAR_BOROUGH_MILES
                } else {
                    0.0
                }
            } else if city {
                Self::NEAR_CITY_MILES
            } else if town {
                // a village, a borough or a town of one ZIP code
                // ("Wilmette, Chicago", "Winthrop, Boston"), nearer
                Self::NEAR_VILLAGE_MILES
            } else if big_outer {
                // beside a big city an unincorporated place of one ZIP code
                // or none may be a neighbourhood's name ("Inwood, Manhattan")
                0.0
            } else {
                Self::NEAR_CITY_MILES
            };
            // a county a big city of its name dwarfs ("Houston": Houston
            // County, TX has 6 ZIP codes): only a town of its own there
            // ("Warner Robins, Houston"; not "Riverside, Houston")
            let dwarfed = counties.iter().any(|c| std::ptr::eq(*c, o))
                && o.zips * Self::BIG_CITY_LEAD < biggest;
            if dwarfed && p.zips <= Self::SMALL_TOWN_ZIPS {
                0.0
            } else if p.state == o.state {
                most
            } else if city {
                most.min(Self::NEAR_CITY_ACROSS_MILES)
            } else {
                // across a state line a village only right beside the city
                // ("Riverdale, NYC" is not Riverdale, NJ 22 miles away)
                most.min(Self::NEAR_VILLAGE_ACROSS_MILES)
            }
        };
        let suburb = named
            .iter()
            .filter_map(|p| {
                outer
                    .iter()
                    .filter_map(|o| {
                        let miles = haversine_miles(o.lat, o.lon, p.lat, p.lon);
                        (miles <= reach(p, o)).then_some(miles)
                    })
                    .min_by(f64::total_cmp)
                    .map(|miles| (p, miles))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((p, _)) = suburb {
            return Some(Ok(city_origin(p)));
        }
        if abroad {
            return refused();
        }
        // a very big city, then a village's name
        if let Some(outer_zips) = outer.iter().map(|p| p.zips).max() {
            if let [first, rest @ ..] = self.cities.get(&part_key).map_or(&[][..], Vec::as_slice) {
                let next = rest.first().map_or(0, |p| p.zips);
                if first.zips >= 2 * BIG_CITY_ZIPS
                    && first.zips >= Self::BIG_CITY_LEAD * next
                    && first.zips >= Self::BIG_CITY_LEAD * outer_zips.max(1)
                {
                    return Some(Ok(city_origin(first)));
                }
            }
        }
        let outer = if cities.is_empty() {
            &counties
        } else {
            &cities
        };
        match outer.as_slice() {
            [] => None,
            // a place of its own far from a village of the second name
            // ("Asbury Park, Jersey Shore"): read by itself
            [first, ..] if first.zips < BIG_CITY_ZIPS && !named.is_empty() && !borough => None,
            // the one city of the name ("Back Bay, Boston": Boston, MA, not
            // Boston, GA)
            [one] => Some(Ok(city_origin(one))),
            // a choice when two are cities ("St. Johns, Portland")
            _ => Some(Err(ambiguous(query, outer.iter().copied()))),
        }
    }

    /// A place written with "DC" that is not a city of it: the town of
    /// that name (normalized `key`) nearest Washington within
    /// [`Self::NEAR_CITY_MILES`], in Maryland or Virginia ("Bethesda, DC",
    /// "Leesburg, DC"), else Washington itself (a part of it: "Anacostia,
    /// DC").
    fn in_washington(&self, key: &str) -> Origin {
        let washington = self
            .cities
            .get("washington")
            .and_then(|places| places.iter().find(|p| p.state == "DC"))
            .expect("the ZIP list has Washington, DC");
        self.cities
            .get(key)
            .into_iter()
            .chain(self.census_towns.get(key))
            .flatten()
            .map(|p| {
                (
                    p,
                    haversine_miles(p.lat, p.lon, washington.lat, washington.lon),
                )
            })
            .filter(|&(_, miles)| miles <= Self::NEAR_CITY_MILES)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or_else(|| city_origin(washington), |(p, _)| city_origin(p))
    }

    /// The cities of the ZIP list called `name`, in `state` when given.
    fn cities_in<'a>(
        &'a self,
        name: &str,
        state: Option<&'a str>,
    ) -> impl Iterator<Item = &'a CityPlace> + 'a {
        self.cities
            .get(&normalize_city(name))
            .into_iter()
            .flatten()
            .filter(move |p| state.is_none_or(|s| s == p.state))
    }

    /// Where a place goes in a list of those of one name, lowest first: the
    /// ZIP list's towns of more than [`Self::SMALL_TOWN_ZIPS`] ZIP codes,
    /// the biggest first; then incorporated places the Census has (cities
    /// before towns and villages: North Miami, FL, which the post office
    /// files under a neighbour, before North Miami, OK); then the other
    /// small ZIP towns; then the Census's designated places.
    fn offer_rank(p: &CityPlace) -> (u8, u8, std::cmp::Reverse<u32>) {
        let tier = match (p.zips, p.census_kind) {
            (z, _) if z > Self::SMALL_TOWN_ZIPS => 0,
            (_, Some(0..=2)) => 1,
            (0, _) => 3,
            _ => 2,
        };
        let kind = if tier == 1 {
            p.census_kind.unwrap_or(3)
        } else {
            0
        };
        (tier, kind, std::cmp::Reverse(p.zips))
    }

    /// A city of the ZIP list with this many ZIP codes or fewer is not
    /// read alone as the only place of its name when the Census knows the
    /// name in another state ([`Self::city_of`]).
    const SMALL_TOWN_ZIPS: u32 = 2;

    /// A place with a tenth of the ZIP codes of the biggest of its name or
    /// fewer is a village beside it, not a city of the name
    /// ([`Self::within_city`], [`Self::city_of`]).
    const BIG_CITY_LEAD: u32 = 10;

    /// How far a town may be from a city or county to be read as its
    /// suburb or town ([`Self::within_city`]), centre to centre: Plano is
    /// 16 miles from Dallas, Worcester 38 from Boston, Las Cruces 42 from
    /// El Paso; the town of Buckhead is 63 miles from Atlanta.
    const NEAR_CITY_MILES: f64 = 45.0;

    /// [`Self::NEAR_CITY_MILES`] for a village or borough (a town of one
    /// ZIP code the Census calls neither a city nor a designated place):
    /// Chicago's villages are within 22 miles of it, Pittsburgh's Homewood
    /// 31 from the borough of that name.
    const NEAR_VILLAGE_MILES: f64 = 25.0;

    /// [`Self::NEAR_VILLAGE_MILES`] across a state line.
    const NEAR_VILLAGE_ACROSS_MILES: f64 = 10.0;

    /// How far a part of one of New York's [`BOROUGHS`] the ZIP list names
    /// may be from the borough's centre: Far Rockaway is 9 miles from
    /// Queens's.
    const NEAR_BOROUGH_MILES: f64 = 12.0;

    /// How far a US town may be from a US town of a country's name to be
    /// read beside it ("LaSalle, Peru" in Illinois), rather than abroad.
    const NEAR_ABROAD_MILES: f64 = 15.0;

    /// [`Self::NEAR_CITY_MILES`] for a town in another state than the city:
    /// Rock Hill, SC is 22 miles from Charlotte, Madison, NJ 26 from
    /// Brooklyn's Madison.
    const NEAR_CITY_ACROSS_MILES: f64 = 24.0;

    /// A county among the readings of a place that names no city: "Orange
    /// County, CA", "Orleans Parish", "Cook County Illinois", or a county's
    /// name without the word in its state ("Queens, NY"), at the centre of
    /// its ZIP codes. `None` when no reading is a county; an error when the
    /// word "County" (or "Parish", "Borough") was written without a state
    /// and several states have one of that name.
    fn county(
        &self,
        readings: &[(String, Option<&str>)],
        query: &str,
    ) -> Option<Result<Origin, PlaceError>> {
        for (name, state) in readings {
            if state.is_none() && state_code(name).is_some() {
                // a state's name ("District of Columbia") is the state
                continue;
            }
            let (base, said) = county_name(name);
            let key = normalize_city(base);
            let Some(places) = self.counties.get(&key) else {
                continue;
            };
            // "Orleans Parish" is not Orleans County
            let places: Vec<&CityPlace> = places
                .iter()
                .filter(|p| said.is_none_or(|word| county_name(&p.city).1 == Some(word)))
                .collect();
            let said = said.is_some();
            match state {
                Some(state) => {
                    if let Some(p) = places.iter().find(|p| p.state == *state) {
                        return Some(Ok(city_origin(p)));
                    }
                }
                // a county's name alone that a Census town has too
                // ("Davie": the town in Florida, the county in North
                // Carolina): a choice
                None if places.len() == 1 && !said && self.census_towns.contains_key(&key) => {
                    let towns = &self.census_towns[&key];
                    return Some(Err(ambiguous(query, places.iter().copied().chain(towns))));
                }
                None if places.len() == 1 => return Some(Ok(city_origin(places[0]))),
                // a county of a big city beside villages' ("Cook County":
                // Illinois)
                None if said
                    && places.len() > 1
                    && places[0].zips >= BIG_CITY_ZIPS
                    && places[0].zips >= Self::BIG_CITY_LEAD * places[1].zips =>
                {
                    return Some(Ok(city_origin(places[0])))
                }
                None if said && !places.is_empty() => {
                    return Some(Err(ambiguous(query, places.iter().copied())))
                }
                None => {}
            }
        }
        None
    }

    /// The biggest places of a state (by their number of ZIP codes).
    fn biggest_in(&self, state: &str) -> Vec<String> {
        let mut places: Vec<&CityPlace> = self
            .cities
            .values()
            .flatten()
            .filter(|p| p.state == state)
            .collect();
        places.sort_by(|a, b| b.zips.cmp(&a.zips).then_with(|| a.city.cmp(&b.city)));
        places
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(CityPlace::label)
            .collect()
    }

    /// Cities whose name is a few edits away from `key` ([`max_edits`]) or
    /// starts with it, in the given state when there is one: the closest
    /// spellings first, and among equally close ones the biggest places
    /// (most ZIP codes: the embedded list has no population figures).
    fn similar_cities(&self, key: &str, state: Option<&str>) -> Vec<String> {
        if key.chars().count() < 3 {
            return Vec::new();
        }
        let limit = max_edits(key);
        let mut found: Vec<(usize, std::cmp::Reverse<u32>, String)> = Vec::new();
        for (name, places) in &self.cities {
            let rank = if name.len().abs_diff(key.len()) <= limit {
                Some(edit_distance(name, key)).filter(|&d| d <= limit)
            } else {
                None
            };
            let rank = rank.or_else(|| name.starts_with(key).then_some(limit + 1));
            if let Some(rank) = rank {
                for p in places.iter().filter(|p| state.is_none_or(|s| s == p.state)) {
                    found.push((rank, std::cmp::Reverse(p.zips), p.label()));
                }
            }
        }
        found.sort();
        found
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, _, s)| s)
            .collect()
    }
}

/// Guam, the Northern Mariana Islands, Palau, Micronesia and the Marshall
/// Islands lie east of 180°: the ZIP list writes one Marshall Islands ZIP
/// (96960, Majuro) at -171, its sign lost; those territories' longitudes
/// are positive. (American Samoa, at -170, is west of 180° and stays.)
fn pacific_longitude(state: &str, lon: f64) -> f64 {
    match state {
        "GU" | "MP" | "PW" | "FM" | "MH" if lon < 0.0 => -lon,
        _ => lon,
    }
}

impl CityPlace {
    /// "Springfield, IL".
    fn label(&self) -> String {
        format!("{}, {}", self.city, self.state)
    }
}

/// The error of a name several places have: `query` and the first
/// [`MAX_SUGGESTIONS`] of `places`, in their order.
fn ambiguous<'a>(query: &str, places: impl IntoIterator<Item = &'a CityPlace>) -> PlaceError {
    PlaceError::Ambiguous {
        query: query.to_string(),
        suggestions: places
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(CityPlace::label)
            .collect(),
    }
}

fn city_origin(p: &CityPlace) -> Origin {
    Origin {
        label: p.label(),
        lat: p.lat,
        lon: p.lon,
    }
}

/// A ZIP code as typed: five digits (of a ZIP or ZIP+4), or fewer (the
/// leading zeros dropped).
enum ZipForm {
    Whole(String),
    Short(String),
}

/// Spaces, hyphens and the dashes that stand for them in ZIP+4 codes.
fn is_zip_separator(c: char) -> bool {
    c == ' ' || c == '-' || ('\u{2010}'..='\u{2015}').contains(&c) || c == '\u{2212}'
}

/// A place without the country after it, as maps and address books write
/// it ("Atlanta, GA, USA", "Seattle, WA 98101, United States", "Miami FL
/// USA", in Spanish "Miami, FL 33101, EE. UU."); the text as it is when
/// nothing would be left.
fn without_country(text: &str) -> &str {
    let country = |part: &str| {
        matches!(
            normalize_city(part).as_str(),
            "usa"
                | "us"
                | "unitedstates"
                | "unitedstatesofamerica"
                | "eeuu"
                | "estadosunidos"
                | "estadosunidosdeamerica"
        )
    };
    let cut = match text.rsplit_once(',') {
        Some((before, last)) if country(last) => before,
        // without a comma, the abbreviations ("Denver CO USA", "... EEUU")
        _ => match text.rsplit_once(char::is_whitespace) {
            Some((before, last))
                if matches!(normalize_city(last).as_str(), "usa" | "us" | "eeuu") =>
            {
                before
            }
            _ => text,
        },
    };
    match cut.trim_end_matches(|c: char| c.is_whitespace() || c == ',') {
        "" => text,
        rest => rest,
    }
}

/// A place line's text before its last word and that word, when the last
/// word is a ZIP code ("95814", "95814-1234", or with its leading zero
/// dropped, "2134") and there is text before it: "Denver, CO 80202" ->
/// ("Denver, CO", "80202").
fn trailing_zip(text: &str) -> Option<(&str, &str)> {
    // split at a char, whatever its width: a no-break space is two bytes
    let (before, zip) = text.rsplit_once(|c: char| c.is_whitespace() || c == ',')?;
    let before = before.trim_end_matches(|c: char| c.is_whitespace() || c == ',');
    (!before.is_empty() && parse_zip(zip).is_some()).then_some((before, zip))
}

/// A city with at least this many ZIP codes is what its name means even
/// where a state has the name too ("New York": over a hundred).
const BIG_CITY_ZIPS: u32 = 20;

/// The states a place's readings name ([`city_state_readings`]): "Denver,
/// CO" -> [CO]; none for a city alone.
fn states_named(text: &str) -> Vec<&'static str> {
    city_state_readings(text)
        .into_iter()
        .filter_map(|(_, state)| state)
        .collect()
}

/// A place line's first word and the text after it, when the first word
/// is a whole ZIP code and there is text after it: "95814, CA" -> ("95814",
/// "CA").
fn leading_zip(text: &str) -> Option<(&str, &str)> {
    let (zip, after) = text.split_once(|c: char| c.is_whitespace() || c == ',')?;
    let after = after.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    (!after.is_empty() && matches!(parse_zip(zip), Some(ZipForm::Whole(_)))).then_some((zip, after))
}

/// "95814", "95814-1234", "95814 1234", "958141234" -> the 5-digit ZIP;
/// "2108", "2108-1234" (a leading zero dropped), "601" -> the digits.
fn parse_zip(text: &str) -> Option<ZipForm> {
    let groups: Vec<&str> = text
        .split(is_zip_separator)
        .filter(|g| !g.is_empty())
        .collect();
    if groups.is_empty() || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let first = groups[0];
    match (groups.len(), first.len(), groups.get(1).map(|g| g.len())) {
        (1, 5, _) | (2, 5, Some(4)) => Some(ZipForm::Whole(first.to_string())),
        (1, 9, _) => Some(ZipForm::Whole(first[..5].to_string())),
        (1, 3 | 4, _) | (2, 3 | 4, Some(4)) => Some(ZipForm::Short(first.to_string())),
        _ => None,
    }
}

fn parse_lat_lon(text: &str) -> Option<(f64, f64)> {
    // "39.74,-104.99", "39.74, -104.99" or "39.74 -104.99" (decimals: two
    // whole numbers with a space are not read as a place)
    let (a, b) = text.split_once(',').or_else(|| {
        text.trim()
            .split_once(char::is_whitespace)
            .filter(|(a, b)| a.contains('.') && b.contains('.'))
    })?;
    let lat: f64 = a.trim().parse().ok()?;
    let lon: f64 = b.trim().parse().ok()?;
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

/// The ways to read a place as (city, state), likeliest first: "Denver, CO"
/// / "Denver, Colorado" / "Denver, Colo." split at the last comma; "Denver CO"
/// / "Santa Fe New Mexico" / "Washington D.C." with the state as the last one
/// to four words; and the whole text as a city without a state. A state
/// alone reads as an empty city in it.
fn city_state_readings(text: &str) -> Vec<(String, Option<&'static str>)> {
    let mut readings = Vec::new();
    if let Some((city, state)) = text.rsplit_once(',') {
        let city = city.trim().trim_end_matches(',').trim();
        let state = state_code(state).or_else(|| misspelt_state(state));
        // an unknown state: the city alone
        readings.push((city.to_string(), state));
        // a street address before the city ("123 Main St, Boise, ID"): the
        // city is its last part
        if let (Some((_, last)), Some(code)) = (city.rsplit_once(','), state) {
            readings.push((last.trim().to_string(), Some(code)));
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for take in (1..=4.min(words.len())).rev() {
        let state = words[words.len() - take..].join(" ");
        if let Some(code) = state_code(&state) {
            let city = words[..words.len() - take].join(" ");
            let city = city.trim_end_matches(',').trim().to_string();
            readings.push((city, Some(code)));
        }
    }
    // "D.C.", "Colorado": the state alone (when it is not also a city, which
    // the whole-text reading below finds first)
    readings.push((text.to_string(), None));
    readings.sort_by_key(|(city, state)| match (city.is_empty(), state) {
        (false, Some(_)) => 0,
        (false, None) => 1,
        (true, _) => 2,
    });
    readings.dedup();
    readings
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Levenshtein distance on bytes (place names are ASCII).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The estimate a scan compares is within its stated error of the
    /// haversine, near and far, across the antimeridian and near the poles,
    /// and identical pairs estimate 0.
    #[test]
    fn the_haversine_estimate_is_within_its_error() {
        let mut rng = fastrand::Rng::with_seed(29);
        let mut worst: f64 = 0.0;
        for round in 0..200_000 {
            let lat1 = rng.f64() * 180.0 - 90.0;
            let lon1 = rng.f64() * 360.0 - 180.0;
            let reach = [0.001, 0.1, 1.0, 10.0, 30.0, 60.0, 180.0][round % 7];
            let lat2 = (lat1 + (rng.f64() * 2.0 - 1.0) * reach).clamp(-90.0, 90.0);
            let lon2 = lon1 + (rng.f64() * 2.0 - 1.0) * reach * 2.0;
            let from = (lat1, lon1, cos_lat(lat1));
            let to = (lat2, lon2, cos_lat(lat2));
            let exact = haversine_cos(from, to);
            let estimate = haversine_estimate(from, to);
            if exact == 0.0 {
                assert_eq!(estimate, 0.0);
                continue;
            }
            let error = ((estimate - exact) / exact).abs();
            assert!(
                error <= ESTIMATE_RELATIVE_ERROR,
                "({lat1}, {lon1}) to ({lat2}, {lon2}): {estimate} against {exact}"
            );
            worst = worst.max(error);
        }
        let same = (40.7, -74.0, cos_lat(40.7));
        assert_eq!(haversine_estimate(same, same), 0.0);
        // the series is used, and is not exact: a bound that could not fail
        // would say nothing
        assert!(worst > 0.0, "no pair differed");
    }

    #[test]
    fn map_cities_are_the_largest_inside_the_box_as_a_plain_scan_finds_them() {
        let g = Gazetteer::get();
        let all = &g.map_cities.ranked;
        assert_eq!(all.len(), census_places().len());
        let mut rng = fastrand::Rng::with_seed(17);
        // boxes from a few miles to the whole country, some across cell
        // edges, some around Alaska and Hawaii, some empty (inverted)
        for i in 0..400 {
            let span = [0.05, 0.4, 1.0, 3.0, 9.0, 40.0][i % 6];
            let (south, west) = (rng.f64() * 55.0 + 15.0, rng.f64() * -110.0 - 60.0);
            let (east, north) = if i % 50 == 49 {
                (west - 1.0, south)
            } else {
                (west + span * (1.0 + rng.f64()), south + span)
            };
            let n = [1, 5, 40][i % 3];
            let want: Vec<(&str, f64, f64)> = all
                .iter()
                .filter(|p| p.2 >= west && p.2 <= east && p.1 >= south && p.1 <= north)
                .take(n)
                .map(|p| (p.0.as_str(), p.1, p.2))
                .collect();
            assert_eq!(
                g.largest_cities_in((west, east, south, north), n),
                want,
                "box {west},{east},{south},{north} n {n}"
            );
        }
        let philadelphia = g.largest_cities_in((-75.3, -75.0, 39.9, 40.1), 3);
        assert_eq!(philadelphia.first().map(|c| c.0), Some("Philadelphia"));
    }

    #[test]
    fn map_cities_are_census_places_named_and_placed_as_the_gazetteer_has_them() {
        let g = Gazetteer::get();
        let census = census_places();
        let is_census = |(name, lat, lon): (&str, f64, f64)| {
            census
                .iter()
                .any(|p| p.name == name && p.lat == lat && p.lon == lon)
        };
        // around Philadelphia 19104, 25 miles (the box a results map shows)
        let zip = g.zip("19104").unwrap();
        let (dlat, dlon) = (25.0 / 69.0, 25.0 / (69.0 * zip.lat.to_radians().cos()));
        let around = g.largest_cities_in(
            (
                zip.lon - dlon,
                zip.lon + dlon,
                zip.lat - dlat,
                zip.lat + dlat,
            ),
            8,
        );
        assert_eq!(around.len(), 8);
        assert!(around.iter().all(|&c| is_census(c)), "{around:?}");
        let names: Vec<&str> = around.iter().map(|c| c.0).collect();
        // the Census internal point of "Philadelphia city, PA" (GEOID 4260000)
        assert_eq!(around[0], ("Philadelphia", 40.00937, -75.13335));
        assert!(names.contains(&"Camden"), "{names:?}");
        assert!(!names
            .iter()
            .any(|n| n.ends_with(" city") || n.ends_with(" CDP")));
        // rural: the Nebraska Sandhills, 60 miles around Thedford; towns, and
        // only towns the Census lists
        let rural = g.largest_cities_in((-101.8, -99.4, 41.1, 42.9), 6);
        assert!(rural.len() >= 4, "{rural:?}");
        assert!(rural.iter().all(|&c| is_census(c)), "{rural:?}");
        // a city the post office names but the Census does not list as a
        // place ("Bronx" is a borough of "New York") is not a label; New
        // York is
        let bronx = g.largest_cities_in((-73.95, -73.75, 40.78, 40.92), 40);
        assert!(!bronx.iter().any(|c| c.0 == "Bronx"), "{bronx:?}");
        let nyc = g.largest_cities_in((-74.1, -73.8, 40.6, 40.9), 1);
        assert_eq!(nyc.first().map(|c| c.0), Some("New York"));
    }

    #[test]
    fn haversine_matches_known_distances() {
        // New York (40.7128, -74.0060) to Los Angeles (34.0522, -118.2437): ~2445.6 mi
        let d = haversine_miles(40.7128, -74.0060, 34.0522, -118.2437);
        assert!((d - 2445.6).abs() < 1.0, "{d}");
        assert_eq!(haversine_miles(10.0, 10.0, 10.0, 10.0), 0.0);
        // a quarter of the way round the Earth
        let q = haversine_miles(0.0, 0.0, 0.0, 90.0);
        assert!((q - EARTH_RADIUS_MILES * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
    }

    #[test]
    fn zips_keep_leading_zeros_and_accept_zip_plus_four() {
        let g = Gazetteer::get();
        let boston = g.resolve("02108").unwrap();
        assert!(
            boston.label.contains("02108") && boston.label.contains("MA"),
            "{}",
            boston.label
        );
        assert_eq!(g.resolve("02108-1234").unwrap(), boston);
        assert_eq!(
            g.resolve("00000"),
            Err(PlaceError::UnknownZip("00000".into()))
        );
        assert!(matches!(
            g.resolve("2108"),
            Err(PlaceError::ZipMissingLeadingZero { .. })
        ));
    }

    #[test]
    fn every_zip_form_a_form_writes_finds_the_zip() {
        let g = Gazetteer::get();
        for zip in ["80621", "02108", "00601", "99501", "96799"] {
            let Ok(want) = g.resolve(zip) else {
                panic!("{zip} is not known")
            };
            for typed in [
                format!("{zip}-1226"),
                format!("{zip} 1226"),
                format!("{zip}1226"),
                format!("{zip}\u{2013}1226"),
                format!("  {zip} - 1226 "),
            ] {
                assert_eq!(g.resolve(&typed), Ok(want.clone()), "{typed:?}");
            }
        }
        for bad in ["8062", "806211", "80621-12", "9999999999", "00000-0000"] {
            assert!(g.resolve(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_zip_whose_leading_zeros_were_dropped_gets_the_whole_zip_suggested() {
        let g = Gazetteer::get();
        for (typed, zip) in [
            ("2108", "02108"),
            ("2108-1234", "02108"),
            ("7030", "07030"),
            ("601", "00601"),
            ("6103", "06103"),
        ] {
            match g.resolve(typed) {
                Err(PlaceError::ZipMissingLeadingZero {
                    zip: suggested,
                    suggestions,
                    ..
                }) => {
                    assert_eq!(suggested, zip, "{typed}");
                    assert_eq!(suggestions, [zip], "{typed}");
                    assert!(g.resolve(zip).is_ok());
                }
                other => panic!("{typed}: {other:?}"),
            }
        }
        // four digits that are no ZIP with a zero before them either
        assert!(matches!(g.resolve("0000"), Err(PlaceError::UnknownZip(_))));
    }

    #[test]
    fn punctuation_case_and_abbreviations_are_not_part_of_a_name() {
        let g = Gazetteer::get();
        let same = |a: &str, b: &str| {
            let (ra, rb) = (g.resolve(a), g.resolve(b));
            assert!(ra.is_ok(), "{a:?}: {ra:?}");
            assert_eq!(ra, rb, "{a:?} / {b:?}");
        };
        for a in [
            "O'Fallon, MO",
            "O\u{2019}Fallon, MO",
            "O\u{2018}Fallon MO",
            "OFallon, Missouri",
            "o fallon, mo",
            "O'FALLON, MO.",
        ] {
            same(a, "O Fallon, MO");
        }
        same("O'Fallon, IL", "OFallon Illinois");
        for (a, b) in [
            ("St. Louis, MO", "Saint Louis, Missouri"),
            ("St Louis Mo.", "ST. LOUIS, MO"),
            ("Ste. Genevieve, MO", "Sainte Genevieve, MO"),
            ("Ste Genevieve MO", "St. Genevieve, Mo."),
            ("Ft. Worth, TX", "Fort Worth, Texas"),
            ("Ft Lauderdale FL", "Fort Lauderdale, Fla."),
            ("Mt. Vernon, NY", "Mount Vernon, New York"),
            ("Mt Pleasant, SC", "Mount Pleasant, S.C."),
            ("St. Paul, MN", "Saint Paul, Minn."),
            ("Port St. Lucie, FL", "Port Saint Lucie, FL"),
            ("Winston-Salem, NC", "winston salem n.c."),
            ("Coeur d'Alene, ID", "Coeur d Alene, Idaho"),
            ("Kansas City, Mo.", "KANSAS CITY MISSOURI"),
            ("Denver, Colo.", "Denver CO"),
        ] {
            same(a, b);
        }
    }

    #[test]
    fn accents_are_folded_both_ways() {
        let g = Gazetteer::get();
        for (a, b) in [
            ("Mayagüez, PR", "Mayaguez, PR"),
            ("MAYAGÜEZ PUERTO RICO", "mayaguez pr"),
            ("Bayamón, PR", "Bayamon, Puerto Rico"),
            ("Río Grande, PR", "Rio Grande, PR"),
            ("Cataño, PR", "Catano, PR"),
            ("Peñuelas, PR", "Penuelas, PR"),
            ("Española, NM", "Espanola, NM"),
            ("Cañon City, CO", "Canon City, CO"),
        ] {
            let (ra, rb) = (g.resolve(a), g.resolve(b));
            assert!(ra.is_ok(), "{a:?}: {ra:?}");
            assert_eq!(ra, rb, "{a:?} / {b:?}");
        }
    }

    #[test]
    fn the_capital_and_states_go_by_their_common_names() {
        let g = Gazetteer::get();
        let dc = g.resolve("Washington, DC").unwrap();
        assert_eq!(dc.label, "Washington, DC");
        for typed in [
            "Washington, D.C.",
            "Washington D.C.",
            "Washington DC",
            "washington d c",
            "Washington, District of Columbia",
            "District of Columbia",
            "DC",
            "D.C.",
            "d.c",
            "Wash. D.C.",
        ] {
            assert_eq!(g.resolve(typed), Ok(dc.clone()), "{typed:?}");
        }
        for (code, names) in [
            ("CA", &["ca", "California", "Calif.", "CALIF"][..]),
            ("NY", &["N.Y.", "New York", "ny"]),
            ("PA", &["Pa.", "Penn.", "Pennsylvania"]),
            ("WV", &["W.Va.", "West Virginia", "wv"]),
            ("PR", &["Puerto Rico", "P.R."]),
            ("VI", &["U.S. Virgin Islands", "Virgin Islands", "USVI"]),
        ] {
            for name in names {
                assert_eq!(state_code(name), Some(code), "{name}");
            }
        }
        // a state alone asks for a place in it, offering its biggest
        match g.resolve("Colorado") {
            Err(PlaceError::WholeState {
                state, suggestions, ..
            }) => {
                assert_eq!(state, "Colorado");
                assert!(
                    suggestions.iter().any(|s| s == "Denver, CO"),
                    "{suggestions:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn suggestions_rank_by_spelling_then_size_and_are_never_empty_when_close() {
        let g = Gazetteer::get();
        let err = g.resolve("Springfeld").unwrap_err();
        assert!(matches!(err, PlaceError::Unknown { .. }), "{err:?}");
        let s = err.suggestions();
        // every suggestion is a Springfield (one edit), the biggest first
        assert!(s.iter().all(|x| x.starts_with("Springfield, ")), "{s:?}");
        for big in ["Springfield, IL", "Springfield, MO", "Springfield, MA"] {
            assert!(s[..4].iter().any(|x| x == big), "{big} not early in {s:?}");
        }
        let s = g.resolve("Springfeld, IL").unwrap_err();
        assert_eq!(s.suggestions()[0], "Springfield, IL", "{s:?}");
        // a misspelt state-qualified city with no close name in that state
        // still gets the close names elsewhere
        let s = g.resolve("Sacramentoo, NV").unwrap_err();
        assert!(
            s.suggestions().iter().any(|x| x == "Sacramento, CA"),
            "{s:?}"
        );
        for (typed, want) in [
            ("Pittsburg, PA", "Pittsburgh, PA"),
            ("Albuquerqe, NM", "Albuquerque, NM"),
            ("Cincinatti, OH", "Cincinnati, OH"),
            ("Mayaguës, PR", "Mayaguez, PR"),
        ] {
            let e = g.resolve(typed).unwrap_err();
            assert!(
                e.suggestions().iter().any(|x| x == want),
                "{typed}: {want} not in {e:?}"
            );
        }
    }

    #[test]
    fn cities_resolve_by_code_name_and_alone_when_unique() {
        let g = Gazetteer::get();
        let a = g.resolve("Denver, CO").unwrap();
        assert_eq!(a.label, "Denver, CO");
        assert!(
            (a.lat - 39.74).abs() < 0.2 && (a.lon + 104.95).abs() < 0.3,
            "{a:?}"
        );
        assert_eq!(g.resolve("denver, colorado").unwrap(), a);
        assert_eq!(g.resolve("Denver CO").unwrap(), a);
        assert_eq!(
            g.resolve("Saint Louis, MO").unwrap(),
            g.resolve("St. Louis, MO").unwrap()
        );
        assert!(g.resolve("Kansas City Missouri").is_ok());
    }

    #[test]
    fn a_place_line_ending_in_its_zip_code_is_read_by_the_zip() {
        let g = Gazetteer::get();
        let zip = |z: &str| g.resolve(z).unwrap();
        // a city and state with the ZIP, as an address's last line writes them,
        // and whole street addresses: the ZIP (whichever city it names)
        for (typed, want) in [
            ("Denver, CO 80202", "80202"),
            ("Denver CO 80202-1234", "80202"),
            ("denver, colorado, 80202", "80202"),
            ("1600 Pennsylvania Ave NW, Washington, DC 20500", "20500"),
            ("127 West 25th Street, New York, NY 10001", "10001"),
            ("Springfield 62701", "62701"),
            ("Mayagüez, PR 00680", "00680"),
        ] {
            assert_eq!(g.resolve(typed).unwrap(), zip(want), "{typed}");
        }
        // a military address: the ZIP's own answer (no location on the map)
        for typed in ["APO AE 09001", "FPO, AP 96349"] {
            let err = g.resolve(typed).unwrap_err();
            assert!(
                matches!(err, PlaceError::NoLocation { .. }),
                "{typed}: {err:?}"
            );
        }
        // an unknown ZIP after a known city: the city; after nothing known: the ZIP
        assert_eq!(
            g.resolve("Denver, CO 99999").unwrap(),
            g.resolve("Denver, CO").unwrap()
        );
        assert_eq!(
            g.resolve("Xyzzyville 99999").unwrap_err(),
            PlaceError::UnknownZip("99999".to_string())
        );
        // numbers that are not a whole ZIP are not read as one
        assert!(g.resolve("Denver, CO 802").is_err());
        assert_eq!(trailing_zip("80202"), None);
        // many ZIP-like words: one is looked at, not each in turn
        let long = format!("Denver{}", " 99999".repeat(20_000));
        assert_eq!(
            g.resolve(&long).unwrap_err(),
            PlaceError::UnknownZip("99999".to_string())
        );
    }

    #[test]
    fn any_unicode_space_between_the_words_of_a_place_is_a_space() {
        let g = Gazetteer::get();
        // no-break, thin, narrow no-break, ideographic spaces, a line
        // separator, as text copied from web pages carries them
        for space in [
            '\u{a0}', '\u{2009}', '\u{202f}', '\u{3000}', '\u{2028}', '\t',
        ] {
            for (typed, plain) in [
                ("Denver_CO", "Denver CO"),
                ("Sacramento, CA_95814", "Sacramento, CA 95814"),
                ("Orange_County,_CA", "Orange County, CA"),
                ("Atlanta, GA,_USA", "Atlanta, GA, USA"),
                ("New_York_City", "New York City"),
                ("Condado_de_Orange, CA", "Condado de Orange, CA"),
                ("APO_AE_09001", "APO AE 09001"),
                ("Atlantis_99999", "Atlantis 99999"),
            ] {
                let typed = typed.replace('_', &space.to_string());
                assert_eq!(g.resolve(&typed).ok(), g.resolve(plain).ok(), "{typed:?}");
            }
        }
        assert_eq!(
            trailing_zip("Denver,\u{a0}80202"),
            Some(("Denver", "80202"))
        );
        assert_eq!(trailing_zip("Denver\u{a0}CO"), None);
    }

    #[test]
    fn the_country_after_a_place_and_a_street_before_it_are_left_out() {
        let g = Gazetteer::get();
        let zip = |z: &str| g.resolve(z).unwrap();
        let city = |c: &str| g.resolve(c).unwrap();
        for (typed, want) in [
            ("Atlanta, GA, USA", city("Atlanta, GA")),
            ("Chicago, IL, United States", city("Chicago, IL")),
            ("Seattle, WA 98101, USA", zip("98101")),
            ("Miami FL USA", city("Miami, FL")),
            ("Boise, Idaho, U.S.A.", city("Boise, ID")),
            ("Denver, CO, United States of America", city("Denver, CO")),
            ("123 Main St, Boise, ID", city("Boise, ID")),
            (
                "Apt 4, 500 Elm Street, Springfield, IL",
                city("Springfield, IL"),
            ),
            ("123 Main St, Boise, ID, USA", city("Boise, ID")),
        ] {
            assert_eq!(g.resolve(typed).unwrap(), want, "{typed}");
        }
        // nothing but a country is not a place
        assert!(g.resolve("USA").is_err());
        assert_eq!(without_country("USA"), "USA");
    }

    #[test]
    fn a_county_is_found_at_the_centre_of_its_zip_codes() {
        let g = Gazetteer::get();
        let orange = g.resolve("Orange County, CA").unwrap();
        assert_eq!(orange.label, "Orange County, CA");
        // inside the county: between Anaheim and Irvine
        assert!(
            (33.5..34.0).contains(&orange.lat) && (-118.1..-117.5).contains(&orange.lon),
            "{orange:?}"
        );
        for (typed, label) in [
            ("orange county california", "Orange County, CA"),
            ("Cook County, IL", "Cook County, IL"),
            ("Cook County Illinois, USA", "Cook County, IL"),
            ("Queens, NY", "Queens County, NY"),
            ("Queens County", "Queens County, NY"),
            ("Orleans Parish", "Orleans Parish, LA"),
            ("Orleans Parish, Louisiana", "Orleans Parish, LA"),
            ("Miami-Dade County", "Miami-Dade County, FL"),
        ] {
            assert_eq!(g.resolve(typed).unwrap().label, label, "{typed}");
        }
        // the word without a state where several states have the county:
        // the one of a big city when the others are rural, else a choice
        assert_eq!(g.resolve("Cook County").unwrap().label, "Cook County, IL");
        let err = g.resolve("Orange County").unwrap_err();
        assert!(matches!(err, PlaceError::Ambiguous { .. }), "{err:?}");
        assert!(
            err.suggestions().iter().any(|s| s == "Orange County, CA"),
            "{err:?}"
        );
        assert!(
            err.suggestions().iter().any(|s| s == "Orange County, FL"),
            "{err:?}"
        );
        // a city of the name comes first
        assert_eq!(g.resolve("Orange, CA").unwrap().label, "Orange, CA");
        assert_eq!(county_base("Orange County"), "Orange");
        assert_eq!(county_base("County"), "County");
        // in Spanish
        for (typed, label) in [
            ("Condado de Orange, CA", "Orange County, CA"),
            (
                "condado de Los Ángeles, California",
                "Los Angeles County, CA",
            ),
            ("Parroquia de Orleans", "Orleans Parish, LA"),
        ] {
            assert_eq!(g.resolve(typed).unwrap().label, label, "{typed}");
        }
    }

    #[test]
    fn states_and_cities_written_in_spanish_are_found() {
        let g = Gazetteer::get();
        for (typed, english) in [
            ("Santa Fe, Nuevo México", "Santa Fe, NM"),
            ("Charlotte, Carolina del Norte", "Charlotte, NC"),
            ("Charleston, Carolina del Sur", "Charleston, SC"),
            ("Fargo, Dakota del Norte", "Fargo, ND"),
            ("Honolulu, Hawái", "Honolulu, HI"),
            ("Baton Rouge, Luisiana", "Baton Rouge, LA"),
            ("Jackson, Misisipi", "Jackson, MS"),
            ("Newark, Nueva Jersey", "Newark, NJ"),
            ("Pittsburgh, Pensilvania", "Pittsburgh, PA"),
            ("Charleston, Virginia Occidental", "Charleston, WV"),
            ("Nueva York", "New York, NY"),
            ("Nueva York, NY", "New York, NY"),
            ("Ciudad de Nueva York", "New York, NY"),
            ("Filadelfia, Pensilvania", "Philadelphia, PA"),
            ("Nueva Orleans, Luisiana", "New Orleans, LA"),
        ] {
            assert_eq!(
                g.resolve(typed).unwrap(),
                g.resolve(english).unwrap(),
                "{typed}"
            );
        }
        // a name in several states, as in English: the big city of it
        assert_eq!(g.resolve("Filadelfia").unwrap().label, "Philadelphia, PA");
        assert_eq!(state_code("Carolina del Norte"), Some("NC"));
        assert_eq!(state_code("nuevo mexico"), Some("NM"));
    }

    #[test]
    fn places_by_their_other_names_and_in_other_orders_are_found() {
        let g = Gazetteer::get();
        let at = |p: &str| g.resolve(p).unwrap();
        for (typed, want) in [
            // nicknames, boroughs and neighbourhoods, renamed posts
            ("LA", "Los Angeles, CA"),
            ("L.A.", "Los Angeles, CA"),
            ("SF", "San Francisco, CA"),
            ("Philly", "Philadelphia, PA"),
            ("Philly, PA", "Philadelphia, PA"),
            ("NOLA", "New Orleans, LA"),
            ("Vegas", "Las Vegas, NV"),
            ("Indy", "Indianapolis, IN"),
            ("Manhattan, NY", "New York, NY"),
            ("Harlem, NY", "New York, NY"),
            ("The Bronx", "Bronx, NY"),
            ("Hollywood, CA", "Los Angeles, CA"),
            ("Fort Liberty, NC", "Fort Bragg, NC"),
            ("Fort Cavazos", "Fort Hood, TX"),
            ("San Luis, MO", "Saint Louis, MO"),
            ("Houston, Tejas", "Houston, TX"),
            // a street address without commas, a ZIP first
            ("123 Main St Boise ID", "Boise, ID"),
            ("1234 W Elm Street Apt 5, Denver CO", "Denver, CO"),
            ("95814, CA", "95814"),
            ("78701 Austin TX", "78701"),
            // a country in Spanish after it
            ("Miami, FL 33101, EE. UU.", "33101"),
            ("Denver, Colorado, Estados Unidos", "Denver, CO"),
            ("Orange Co., CA", "Orange County, CA"),
            ("County of San Diego", "San Diego County, CA"),
        ] {
            assert_eq!(at(typed), at(want), "{typed}");
        }
        // the real cities of those names stay theirs
        assert_eq!(at("Manhattan, KS").label, "Manhattan, KS");
        assert_eq!(at("Hollywood, FL").label, "Hollywood, FL");
        assert_eq!(at("Baton Rouge, LA").label, "Baton Rouge, LA");
        assert_eq!(at("San Luis, AZ").label, "San Luis, AZ");
        // a state called so, coordinates with a space
        for (typed, state) in [
            ("Washington State", "Washington"),
            ("New York State", "New York"),
        ] {
            assert!(
                matches!(g.resolve(typed), Err(PlaceError::WholeState { state: s, .. }) if s == state),
                "{typed}"
            );
        }
        // no silent move to another town, state or ZIP
        for (typed, want) in [
            ("Denver, CO 10001", "Denver, CO"),
            ("10001, Denver, CO", "Denver, CO"),
            (
                "20500 Ventura Blvd, Woodland Hills, CA",
                "Woodland Hills, CA",
            ),
            ("21201 Center Ridge Rd Rocky River OH", "Rocky River, OH"),
            ("10001 Main St, Buffalo, NY", "Buffalo, NY"),
            ("90210 Sunset Blvd, Los Angeles, CA", "Los Angeles, CA"),
            ("78701 Austin TX", "78701"),
            ("N Charleston SC", "North Charleston, SC"),
            ("N. Las Vegas, NV", "North Las Vegas, NV"),
            ("W. Des Moines, IA", "West Des Moines, IA"),
            ("E St Louis, IL", "East Saint Louis, IL"),
            ("KC, KS", "Kansas City, KS"),
            ("Denver CO US", "Denver, CO"),
            ("Denver CO EEUU", "Denver, CO"),
        ] {
            assert_eq!(at(typed), at(want), "{typed}");
        }
        for typed in ["New Hope, MN", "Denver, CO, Canada"] {
            let found = g.resolve(typed);
            assert!(
                !found
                    .as_ref()
                    .is_ok_and(|o| !o.label.starts_with(typed.split(',').next().unwrap())),
                "{typed}: {found:?}"
            );
        }
        for (typed, state) in [
            ("Ohio", "Ohio"),
            ("Indiana", "Indiana"),
            ("California", "California"),
        ] {
            assert!(
                matches!(g.resolve(typed), Err(PlaceError::WholeState { state: s, .. }) if s == state),
                "{typed}: {:?}",
                g.resolve(typed)
            );
        }
        assert_eq!(at("New York").label, "New York, NY");
        assert_eq!(at("Indiana, PA").label, "Indiana, PA");
        let o = at("39.7392 -104.9903");
        assert!((o.lat - 39.7392).abs() < 1e-9 && (o.lon + 104.9903).abs() < 1e-9);
        assert!(matches!(
            g.resolve("95814 95815"),
            Err(PlaceError::UnknownZip(_))
        ));
        // a ZIP after the state with its leading zero dropped: the whole one
        assert!(
            matches!(g.resolve("Boston, MA 2134"), Err(PlaceError::ZipMissingLeadingZero { ref zip, .. }) if zip == "02134"),
            "{:?}",
            g.resolve("Boston, MA 2134")
        );
    }

    #[test]
    fn a_city_written_with_the_word_city_or_as_nyc_is_found() {
        let g = Gazetteer::get();
        let new_york = g.resolve("New York, NY").unwrap();
        for typed in [
            "New York City",
            "new york city, ny",
            "NYC",
            "N.Y.C.",
            "NYC, NY",
        ] {
            assert_eq!(g.resolve(typed).unwrap(), new_york, "{typed}");
        }
        // a "City" that is part of the name stays in it
        for (typed, state) in [
            ("Kansas City, MO", "MO"),
            ("Carson City, NV", "NV"),
            ("Salt Lake City", "UT"),
            ("Jersey City", "NJ"),
        ] {
            let found = g.resolve(typed).unwrap();
            assert!(
                found.label.contains("City") && found.label.ends_with(state),
                "{typed}: {found:?}"
            );
        }
        // nor is a last word "City" dropped where the name is not New York's
        assert!(!matches!(
            g.resolve("Mexico City"),
            Ok(_) | Err(PlaceError::Ambiguous { .. })
        ));
    }

    #[test]
    fn ambiguous_and_unknown_places_come_with_suggestions() {
        let g = Gazetteer::get();
        let err = g.resolve("Springfield").unwrap_err();
        assert!(matches!(err, PlaceError::Ambiguous { .. }));
        // the biggest Springfields come first
        for s in ["Springfield, IL", "Springfield, MO", "Springfield, MA"] {
            assert!(
                err.suggestions()[..5].iter().any(|x| x == s),
                "{s} not early in {:?}",
                err.suggestions()
            );
        }
        assert!(err.suggestions().len() <= MAX_SUGGESTIONS);
        assert!(err.to_string().contains("did you mean"));
        let err = g.resolve("Denvr, CO").unwrap_err();
        assert!(
            err.suggestions().iter().any(|x| x == "Denver, CO"),
            "{:?}",
            err.suggestions()
        );
        assert!(matches!(
            g.resolve("Xyzzyville, ZZ"),
            Err(PlaceError::Unknown { .. })
        ));
    }

    #[test]
    fn a_town_the_zip_list_files_under_another_city_is_found() {
        let g = Gazetteer::get();
        let label = |q: &str| g.resolve(q).map(|o| o.label);
        // cities and suburbs whose ZIP codes carry a neighbour's name:
        // found as the Census places them, with their state or alone
        for (typed, want) in [
            ("West Allis, WI", "West Allis, WI"),
            ("West Allis", "West Allis, WI"),
            ("W. Allis, WI", "West Allis, WI"),
            ("Lakewood, CO", "Lakewood, CO"),
            ("Lakewood, Colorado", "Lakewood, CO"),
            ("North Miami, FL", "North Miami, FL"),
            ("Highlands Ranch, CO", "Highlands Ranch, CO"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        let west_allis = g.resolve("West Allis, WI").unwrap();
        let milwaukee = g.resolve("Milwaukee, WI").unwrap();
        let miles = haversine_miles(west_allis.lat, west_allis.lon, milwaukee.lat, milwaukee.lon);
        assert!((3.0..10.0).contains(&miles), "{miles}");
        // a ZIP city of a ZIP code or two is no longer the only one of its
        // name when the Census has the name in another state: a choice,
        // not a town 1,300 miles away
        for (typed, both) in [
            ("North Miami", ["North Miami, OK", "North Miami, FL"]),
            ("Edina", ["Edina, MO", "Edina, MN"]),
        ] {
            let err = g.resolve(typed).unwrap_err();
            assert!(
                matches!(err, PlaceError::Ambiguous { .. }),
                "{typed}: {err:?}"
            );
            for place in both {
                assert!(
                    err.suggestions().iter().any(|s| s == place),
                    "{typed}: {err:?}"
                );
            }
        }
        // a city of many ZIP codes stays itself, and so does a city whose
        // name the Census has only in its own state
        assert_eq!(label("Metairie").as_deref(), Ok("Metairie, LA"));
        assert_eq!(label("Ellicott City").as_deref(), Ok("Ellicott City, MD"));
        // a name many states have offers the Census's too
        let err = g.resolve("Lakewood").unwrap_err();
        assert!(
            err.suggestions().iter().any(|s| s == "Lakewood, CO"),
            "{err:?}"
        );
        // "Manhattan" alone offers New York first, then the towns
        let err = g.resolve("Manhattan").unwrap_err();
        assert_eq!(err.suggestions()[0], "New York, NY", "{err:?}");
        assert!(
            err.suggestions().iter().any(|s| s == "Manhattan, KS"),
            "{err:?}"
        );
    }

    #[test]
    fn a_part_of_a_city_written_before_it_is_read_in_that_city() {
        let g = Gazetteer::get();
        let label = |q: &str| g.resolve(q).map(|o| o.label);
        for (typed, want) in [
            // neighbourhoods: the city, not a town of the same name
            // elsewhere (Buckhead, GA is 60 miles from Atlanta; Watts, OK)
            ("Buckhead, Atlanta", "Atlanta, GA"),
            ("Watts, Los Angeles", "Los Angeles, CA"),
            ("Hyde Park, Chicago", "Chicago, IL"),
            ("Back Bay, Boston", "Boston, MA"),
            ("Midtown, Manhattan", "New York, NY"),
            ("Harlem, NYC", "New York, NY"),
            ("123 Main St, Boise", "Boise, ID"),
            // suburbs and towns near the city: themselves
            ("Decatur, Atlanta", "Decatur, GA"),
            ("Coral Gables, Miami", "Coral Gables, FL"),
            ("Cambridge, Boston", "Cambridge, MA"),
            ("Brooklyn, NYC", "Brooklyn, NY"),
            ("Lakewood, Denver", "Lakewood, CO"),
            // a state after the comma is still the state
            ("Portland, Maine", "Portland, ME"),
            ("Brooklyn, New York", "Brooklyn, NY"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // the city of the name, not a town beside a village of it: Brooklyn,
        // IA has a Williamsburg, Queens has no Laurelton but Pennsylvania does
        for (typed, want) in [
            ("Williamsburg, Brooklyn", "Brooklyn, NY"),
            ("Madison, Brooklyn", "Brooklyn, NY"),
            ("South Park, Houston", "Houston, TX"),
            ("Bellevue, Nashville", "Nashville, TN"),
            ("Germantown, Nashville", "Nashville, TN"),
            ("Riverside, Jacksonville", "Jacksonville, FL"),
            ("Sheridan, Denver", "Sheridan, CO"),
            ("Laurelton, Queens", "Queens County, NY"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // a city two states have as cities: a choice, the bigger first
        for typed in [
            "Downtown, Portland",
            "St. Johns, Portland",
            "Mount Pleasant, Cleveland",
        ] {
            let err = g.resolve(typed).unwrap_err();
            assert!(matches!(err, PlaceError::Ambiguous { .. }), "{err:?}");
            assert_eq!(err.suggestions().len(), 2, "{err:?}");
        }
        assert_eq!(
            g.resolve("St. Johns, Portland").unwrap_err().suggestions(),
            ["Portland, OR", "Portland, ME"]
        );
    }

    #[test]
    fn a_town_and_its_metro_or_county_is_the_town_and_other_orders_are_read() {
        let g = Gazetteer::get();
        let label = |q: &str| g.resolve(q).map(|o| o.label);
        for (typed, want) in [
            // suburbs 15 to 45 miles out, across a state line too
            ("Plano, Dallas", "Plano, TX"),
            ("Worcester, Boston", "Worcester, MA"),
            ("Rock Hill, Charlotte", "Rock Hill, SC"),
            ("Chatsworth, Los Angeles", "Chatsworth, CA"),
            // a city and its county, with or without the word
            ("Dayton, Montgomery", "Dayton, OH"),
            ("Rockville, Montgomery", "Rockville, MD"),
            ("Charlotte, Mecklenburg", "Charlotte, NC"),
            ("Seattle, King", "Seattle, WA"),
            ("Riverside, Riverside County", "Riverside, CA"),
            ("Fairbanks, Fairbanks North Star", "Fairbanks, AK"),
            // a big city, then its neighbourhood's name
            ("Atlanta, Buckhead", "Atlanta, GA"),
            ("Chicago, Lincoln Park", "Chicago, IL"),
            // a town far from a village of the second name: the town
            ("Asbury Park, Jersey Shore", "Asbury Park, NJ"),
            // a state's name one letter off: the state, not the big city
            ("Houston, Misouri", "Houston, MO"),
            ("Phoenix, Oregin", "Phoenix, OR"),
            ("Denver, Pennsilvania", "Denver, PA"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // a neighbourhood of a big city that a village nearby is named
        // like, and any part of a borough: the city or borough
        for (typed, want) in [
            ("Inwood, Manhattan", "New York, NY"),
            ("Homewood, Pittsburgh", "Pittsburgh, PA"),
            ("Montrose, Houston", "Houston, TX"),
            ("Norwood, Bronx", "Bronx, NY"),
            ("Clifton, Staten Island", "Staten Island, NY"),
            ("St. George, Staten Island", "Staten Island, NY"),
            ("Kensington, Brooklyn", "Brooklyn, NY"),
            ("Coral Gables, Miami", "Coral Gables, FL"),
            ("Anacostia, Washington DC", "Washington, DC"),
            ("Brookland, DC", "Washington, DC"),
            ("Mount Washington, Los Angeles", "Los Angeles, CA"),
            ("Levittown, Toa Baja", "Toa Baja, PR"),
            // state names misspelt, short ones and letters swapped
            ("Miami, Flordia", "Miami, FL"),
            ("Ames, Iowe", "Ames, IA"),
            ("Portland, Main", "Portland, ME"),
            ("Petersburg, W Virginia", "Petersburg, WV"),
            (",Atlanta", "Atlanta, GA"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // a town of a county named like a big city far away, or like a
        // country: the town ("Warner Robins, Houston" is in Houston County,
        // GA; "Annville, Lebanon" in Lebanon County, PA)
        for (typed, want) in [
            ("Colorado Springs, El Paso", "Colorado Springs, CO"),
            ("Warner Robins, Houston", "Warner Robins, GA"),
            ("Clarksville, Montgomery", "Clarksville, TN"),
            ("Norman, Cleveland", "Norman, OK"),
            ("Annville, Lebanon", "Annville, PA"),
            ("Shakopee, Jordan", "Shakopee, MN"),
            ("Riverside, Houston", "Houston, TX"),
            ("Selma, Dallas", "Selma, AL"),
            // villages and one-ZIP towns beside a big city, across a state
            // line only right beside it
            ("Wilmette, Chicago", "Wilmette, IL"),
            ("Riverdale, NYC", "New York, NY"),
            ("Hoboken, NYC", "Hoboken, NJ"),
            ("Covington, Cincinnati", "Covington, KY"),
            ("Winthrop, Boston", "Winthrop, MA"),
            // the parts of a borough the ZIP list names
            ("Far Rockaway, Queens", "Far Rockaway, NY"),
            // Maryland and Virginia written with DC
            ("Bethesda, DC", "Bethesda, MD"),
            ("Leesburg, DC", "Leesburg, VA"),
            ("Silver Spring, DC 20910", "Silver Spring, MD"),
            ("Boulder, Col", "Boulder, CO"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // a state misspelt by itself is the state
        assert!(matches!(
            g.resolve("Flordia"),
            Err(PlaceError::WholeState {
                state: "Florida",
                ..
            })
        ));
        // a country's name that US cities have too: a choice of them
        let err = g.resolve("Peru").unwrap_err();
        assert!(err.suggestions().iter().any(|s| s == "Peru, IN"), "{err:?}");
        assert!(matches!(
            g.resolve("Paris, France 75001"),
            Err(PlaceError::Abroad { .. })
        ));
        // a town and its county in Puerto Rico are one choice, not two
        assert_eq!(label("Toa Alta").as_deref(), Ok("Toa Alta, PR"));
        // an unknown word after a big city's name: a choice, not the city
        let err = g.resolve("Denver, PN").unwrap_err();
        assert!(
            err.suggestions().iter().any(|s| s == "Denver, PA"),
            "{err:?}"
        );
        // another country after a place: abroad, not Canada, KY
        for typed in [
            "Toronto, Canada",
            "London, England",
            "Vancouver, BC",
            "Birmingham, UK",
            "Tijuana, México",
            "Paris, France",
            "Havana, Cuba",
            "Waterloo, Ontario",
            "St. Petersburg, Russia",
            "Beirut, Lebanon",
            "Canada",
            "Mexico City",
        ] {
            assert_eq!(
                g.resolve(typed),
                Err(PlaceError::Abroad {
                    query: typed.to_string()
                }),
                "{typed}"
            );
        }
        // a US town of a country's name is still itself
        assert_eq!(label("Canada, KY").as_deref(), Ok("Canada, KY"));
        assert_eq!(label("Chino, Ontario").as_deref(), Ok("Chino, CA"));
        // a county's name with its word: the big one when the others are
        // small, and a bigger county offered with a name's towns
        assert_eq!(label("Cook County").as_deref(), Ok("Cook County, IL"));
        let err = g.resolve("Westchester").unwrap_err();
        assert_eq!(err.suggestions()[0], "Westchester County, NY", "{err:?}");
    }

    #[test]
    fn a_name_alone_is_the_big_city_of_it_or_a_choice_never_a_far_village() {
        let g = Gazetteer::get();
        let label = |q: &str| g.resolve(q).map(|o| o.label);
        // a big city beside villages of its name
        for (typed, want) in [
            ("Houston", "Houston, TX"),
            ("Phoenix", "Phoenix, AZ"),
            ("denver!!!", "Denver, CO"),
            ("Long Beach", "Long Beach, CA"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // two cities, or a state's name: a choice
        for (typed, first) in [
            ("Portland", "Portland, OR"),
            ("Kansas City", "Kansas City, MO"),
            ("Columbus", "Columbus, OH"),
            ("Washington", "Washington, DC"),
            // a county's name and a small town's ("Bucks": Alabama)
            ("Bucks", "Bucks County, PA"),
            ("Wake", "Wake County, NC"),
            ("Davie", "Davie County, NC"),
            // a Census city the post office files under a neighbour,
            // before a town of one ZIP code
            ("Sunrise", "Sunrise, FL"),
            ("North Miami", "North Miami, FL"),
        ] {
            let err = g.resolve(typed).unwrap_err();
            assert!(
                matches!(err, PlaceError::Ambiguous { .. }),
                "{typed}: {err:?}"
            );
            assert_eq!(err.suggestions()[0], first, "{typed}: {err:?}");
        }
        assert!(g
            .resolve("Davie")
            .unwrap_err()
            .suggestions()
            .contains(&"Davie, FL".to_string()));
        // a census designated place by its name (its state need not be given)
        assert_eq!(label("The Woodlands").as_deref(), Ok("The Woodlands, TX"));
        assert_eq!(
            label("Highlands Ranch").as_deref(),
            Ok("Highlands Ranch, CO")
        );
        // neighbourhoods, posts and nicknames by their city
        for (typed, want) in [
            ("Coney Island", "Brooklyn, NY"),
            ("Washington Heights", "New York, NY"),
            ("Georgetown, DC", "Washington, DC"),
            ("Hato Rey", "San Juan, PR"),
            ("Fort Eisenhower", "Augusta, GA"),
            ("Fort Jackson, SC", "Columbia, SC"),
            ("JBLM", "Mcchord Afb, WA"),
            ("OKC", "Oklahoma City, OK"),
            ("St Pete", "Saint Petersburg, FL"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        // every other name leads to a city of the ZIP list
        for &(other, city, state) in CITY_OTHER_NAMES {
            let places = g.cities.get(&normalize_city(city));
            assert!(
                places.is_some_and(|p| p.iter().any(|p| state.is_none_or(|s| s == p.state))),
                "{other}: no {city}, {state:?} in the ZIP list"
            );
        }
        // a ZIP code the post office names by a neighbour keeps the name written
        for (typed, want) in [
            ("Lakewood, CO 80226", "Lakewood, CO 80226"),
            (
                "7500 W Colfax Ave, Lakewood, CO 80214",
                "Lakewood, CO 80214",
            ),
            ("Denver, CO 80202", "Denver, CO 80202"),
        ] {
            assert_eq!(label(typed).as_deref(), Ok(want), "{typed}");
        }
        assert_eq!(
            (g.resolve("Lakewood, CO 80226").unwrap().lat),
            g.resolve("80226").unwrap().lat
        );
    }

    #[test]
    fn no_zip_sits_at_zero_zero_and_pacific_longitudes_keep_their_sign() {
        let g = Gazetteer::get();
        assert!(zipcodes::database().iter().all(|z| {
            g.zip(&z.zip_code)
                .is_none_or(|p| (p.lat, p.lon) != (0.0, 0.0))
        }));
        for military in ["09001", "96970"] {
            let err = g.resolve(military).unwrap_err();
            assert!(
                matches!(err, PlaceError::NoLocation { .. }),
                "{military}: {err:?}"
            );
            assert!(err.to_string().contains("no location"), "{err}");
        }
        let majuro = g.zip("96960").unwrap();
        assert!((majuro.lon - 171.1569).abs() < 1e-6, "{majuro:?}");
        assert!(g.zip("96799").unwrap().lon < 0.0, "American Samoa is west");
        assert!(g.zip("96910").unwrap().lon > 0.0, "Guam is east");
    }

    /// The table build.rs compiles in holds the crate's list as the crate
    /// has it: every placed ZIP with its title-cased city, state and
    /// coordinates, every unplaced one without a location.
    #[test]
    fn every_zip_of_the_crate_is_placed_as_the_crate_places_it() {
        let g = Gazetteer::get();
        let mut placed = 0;
        for z in zipcodes::database() {
            let (lat, lon): (f64, f64) = (z.lat.parse().unwrap(), z.long.parse().unwrap());
            if (lat, lon) == (0.0, 0.0) {
                assert_eq!(g.zip(&z.zip_code), None, "{}", z.zip_code);
                continue;
            }
            placed += 1;
            let place = g.zip(&z.zip_code).unwrap();
            assert_eq!(
                place,
                ZipPlace {
                    zip: &z.zip_code,
                    city: &title_case(&z.city),
                    state: &z.state,
                    lat,
                    lon: pacific_longitude(&z.state, lon),
                }
            );
        }
        assert_eq!(placed, g.zips.len());
        assert!(placed > 40_000, "{placed}");
    }

    #[test]
    fn coordinates_are_checked() {
        let g = Gazetteer::get();
        assert_eq!(g.resolve("39.74,-104.99").unwrap().lat, 39.74);
        assert!(matches!(
            g.resolve("95.0,10"),
            Err(PlaceError::BadCoordinates(_))
        ));
        // far from every US ZIP code: abroad (London, Tokyo, a dropped minus
        // sign that puts Denver in China, the middle of the Pacific)
        for abroad in ["51.5,-0.12", "35.68,139.69", "39.74,104.99", "30,-140"] {
            assert!(
                matches!(g.resolve(abroad), Err(PlaceError::Abroad { .. })),
                "{abroad}: {:?}",
                g.resolve(abroad)
            );
        }
        // but anywhere in the states and territories, and off their coasts
        for home in [
            "64.84,-147.72",  // Fairbanks
            "21.31,-157.86",  // Honolulu
            "13.47,144.75",   // Guam
            "-14.28,-170.70", // American Samoa
            "18.34,-64.93",   // St. Thomas
            "25.0,-80.0",     // off Miami
            "43.65,-79.38",   // Toronto: US programs across the lake
        ] {
            assert!(g.resolve(home).is_ok(), "{home}: {:?}", g.resolve(home));
        }
    }
}
