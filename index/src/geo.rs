//! Geography: great-circle distance, and offline geocoding of ZIP codes and
//! places ("City, ST", "City, State", "lat,lon") from the US ZIP code list that
//! the `zipcodes` crate embeds (coordinates from GeoNames, CC BY 4.0).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Earth's mean radius in miles, as the search contract fixes it.
pub const EARTH_RADIUS_MILES: f64 = 3958.8;

/// Great-circle distance in miles between two points, by the haversine formula.
pub fn haversine_miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * a.sqrt().min(1.0).asin()
}

/// A place a search is centred on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Origin {
    /// How the place is written back to people: "Sacramento, CA 95814".
    pub label: String,
    pub lat: f64,
    pub lon: f64,
}

/// At most this many places are offered for an unknown or ambiguous place.
pub const MAX_SUGGESTIONS: usize = 10;

/// Why a place could not be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error(
        "enter a ZIP code, a city and state (\"Denver, CO\") or coordinates (\"39.74,-104.99\")"
    )]
    Empty,
    #[error("no US ZIP code {0} is known")]
    UnknownZip(String),
    /// A real ZIP code without a place on the map: military (APO/FPO/DPO)
    /// and some territories' ZIPs, whose coordinates the ZIP list leaves at
    /// (0, 0).
    #[error("ZIP code {zip} ({place}) has no location on the map, so nothing can be measured from it: search by state or by words instead")]
    NoLocation { zip: String, place: String },
    #[error("{0} is not a valid latitude,longitude pair: latitude must be within -90..90 and longitude within -180..180")]
    BadCoordinates(String),
    #[error("no place called {query:?} is known{}", did_you_mean(.suggestions))]
    Unknown {
        query: String,
        suggestions: Vec<String>,
    },
    #[error("there is a {query:?} in more than one state: add the state{}", did_you_mean(.suggestions))]
    Ambiguous {
        query: String,
        suggestions: Vec<String>,
    },
}

impl PlaceError {
    /// Places the person may have meant ("Springfield, IL").
    pub fn suggestions(&self) -> &[String] {
        match self {
            PlaceError::Unknown { suggestions, .. } | PlaceError::Ambiguous { suggestions, .. } => {
                suggestions
            }
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
#[derive(Debug, Clone)]
pub struct ZipPlace {
    pub zip: String,
    pub city: String,
    pub state: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone)]
struct CityPlace {
    city: String,
    state: String,
    lat: f64,
    lon: f64,
    /// How many ZIP codes the city has: a measure of its size, used to offer
    /// the likeliest places first.
    zips: u32,
}

/// The gazetteer: ZIP codes and cities of the United States, built once from
/// the embedded ZIP list.
pub struct Gazetteer {
    zips: HashMap<String, ZipPlace>,
    /// ZIP codes the list knows but cannot place ((0, 0) in the list):
    /// ZIP -> "Apo, AE".
    unplaced: HashMap<String, String>,
    /// normalized city name -> places of that name, one per state
    cities: HashMap<String, Vec<CityPlace>>,
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

/// The postal code of a state written as a code or a name ("co", "Colorado").
pub fn state_code(text: &str) -> Option<&'static str> {
    let text = text.trim().trim_end_matches('.');
    STATES.iter().find_map(|&(code, name)| {
        (code.eq_ignore_ascii_case(text) || name.eq_ignore_ascii_case(text)).then_some(code)
    })
}

pub fn state_name(code: &str) -> Option<&'static str> {
    STATES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn normalize_city(city: &str) -> String {
    let mut out = String::with_capacity(city.len());
    for word in city
        .split(|c: char| c.is_whitespace() || c == '.' || c == '-')
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let word = match word.as_str() {
            "saint" => "st".to_string(),
            "mount" => "mt".to_string(),
            "fort" => "ft".to_string(),
            _ => word,
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

impl Gazetteer {
    pub fn get() -> &'static Gazetteer {
        &GAZETTEER
    }

    fn build() -> Gazetteer {
        let mut zips = HashMap::new();
        let mut unplaced = HashMap::new();
        // (normalized city, state) -> (display city, [sum lat, sum lon, count]
        // over standard ZIPs, then over PO box ZIPs)
        type Sums = (String, [(f64, f64, u32); 2]);
        let mut sums: HashMap<(String, String), Sums> = HashMap::new();
        for z in zipcodes::database() {
            let (Ok(lat), Ok(lon)) = (z.lat.parse::<f64>(), z.long.parse::<f64>()) else {
                continue;
            };
            let city = title_case(&z.city);
            if lat == 0.0 && lon == 0.0 {
                // "no location", not a point in the Gulf of Guinea
                unplaced.insert(z.zip_code.clone(), format!("{city}, {}", z.state));
                continue;
            }
            let lon = pacific_longitude(&z.state, lon);
            zips.insert(
                z.zip_code.clone(),
                ZipPlace {
                    zip: z.zip_code.clone(),
                    city: city.clone(),
                    state: z.state.clone(),
                    lat,
                    lon,
                },
            );
            // City centres come from the ordinary ZIPs; PO box ZIPs only for
            // towns that have no other. Unique (single-building) and military
            // ZIPs are left out.
            let kind = match z.zip_code_type.as_str() {
                "STANDARD" => 0,
                "PO BOX" => 1,
                _ => continue,
            };
            let entry = sums
                .entry((normalize_city(&z.city), z.state.clone()))
                .or_insert_with(|| (city, [(0.0, 0.0, 0); 2]));
            let s = &mut entry.1[kind];
            s.0 += lat;
            s.1 += lon;
            s.2 += 1;
        }
        let mut cities: HashMap<String, Vec<CityPlace>> = HashMap::new();
        for ((key, state), (city, by_kind)) in sums {
            let (lat, lon, n) = if by_kind[0].2 > 0 {
                by_kind[0]
            } else {
                by_kind[1]
            };
            let (lat, lon) = (lat / n as f64, lon / n as f64);
            let zips = by_kind[0].2 + by_kind[1].2;
            cities.entry(key).or_default().push(CityPlace {
                city,
                state,
                lat,
                lon,
                zips,
            });
        }
        for places in cities.values_mut() {
            // the biggest first, then by state
            places.sort_by(|a, b| b.zips.cmp(&a.zips).then_with(|| a.state.cmp(&b.state)));
        }
        Gazetteer {
            zips,
            unplaced,
            cities,
        }
    }

    pub fn zip(&self, zip: &str) -> Option<&ZipPlace> {
        self.zips.get(zip)
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

    /// Resolve what a person typed as a place.
    pub fn resolve(&self, query: &str) -> Result<Origin, PlaceError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(PlaceError::Empty);
        }
        if let Some(zip) = parse_zip(query) {
            return self
                .zips
                .get(zip)
                .map(|z| Origin {
                    label: format!("{}, {} {}", z.city, z.state, z.zip),
                    lat: z.lat,
                    lon: z.lon,
                })
                .ok_or_else(|| match self.unplaced.get(zip) {
                    Some(place) => PlaceError::NoLocation {
                        zip: zip.to_string(),
                        place: place.clone(),
                    },
                    None => PlaceError::UnknownZip(zip.to_string()),
                });
        }
        if let Some((lat, lon)) = parse_lat_lon(query) {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(PlaceError::BadCoordinates(query.to_string()));
            }
            return Ok(Origin {
                label: format!("{lat:.4}, {lon:.4}"),
                lat,
                lon,
            });
        }
        if query
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
        {
            return Err(PlaceError::UnknownZip(query.to_string()));
        }
        let (city, state) = split_city_state(query);
        let key = normalize_city(city);
        let places = self.cities.get(&key);
        match (places, state) {
            (Some(places), Some(state)) => match places.iter().find(|p| p.state == state) {
                Some(p) => Ok(Origin {
                    label: format!("{}, {}", p.city, p.state),
                    lat: p.lat,
                    lon: p.lon,
                }),
                None => Err(PlaceError::Unknown {
                    query: query.to_string(),
                    suggestions: places
                        .iter()
                        .take(MAX_SUGGESTIONS)
                        .map(|p| format!("{}, {}", p.city, p.state))
                        .collect(),
                }),
            },
            (Some(places), None) if places.len() == 1 => {
                let p = &places[0];
                Ok(Origin {
                    label: format!("{}, {}", p.city, p.state),
                    lat: p.lat,
                    lon: p.lon,
                })
            }
            (Some(places), None) => Err(PlaceError::Ambiguous {
                query: query.to_string(),
                suggestions: places
                    .iter()
                    .take(MAX_SUGGESTIONS)
                    .map(|p| format!("{}, {}", p.city, p.state))
                    .collect(),
            }),
            (None, state) => Err(PlaceError::Unknown {
                query: query.to_string(),
                suggestions: self.similar_cities(&key, state),
            }),
        }
    }

    /// Cities whose name is one edit away from `key` or starts with it,
    /// in the given state when there is one.
    fn similar_cities(&self, key: &str, state: Option<&str>) -> Vec<String> {
        if key.len() < 3 {
            return Vec::new();
        }
        let mut found: Vec<(usize, String)> = Vec::new();
        for (name, places) in &self.cities {
            let close = if name.starts_with(key) {
                Some(1 + name.len() - key.len())
            } else if name.len().abs_diff(key.len()) <= 2 && edit_distance(name, key) <= 2 {
                Some(edit_distance(name, key))
            } else {
                None
            };
            if let Some(rank) = close {
                for p in places.iter().filter(|p| state.is_none_or(|s| s == p.state)) {
                    found.push((rank, format!("{}, {}", p.city, p.state)));
                }
            }
        }
        found.sort();
        found
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, s)| s)
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

/// "95814", "95814-1234" -> "95814".
fn parse_zip(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let five = b.len() >= 5 && b[..5].iter().all(u8::is_ascii_digit);
    match b.len() {
        5 if five => Some(&text[..5]),
        10 if five && b[5] == b'-' && b[6..].iter().all(u8::is_ascii_digit) => Some(&text[..5]),
        _ => None,
    }
}

fn parse_lat_lon(text: &str) -> Option<(f64, f64)> {
    let (a, b) = text.split_once(',')?;
    let lat: f64 = a.trim().parse().ok()?;
    let lon: f64 = b.trim().parse().ok()?;
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

/// "Denver, CO" / "Denver, Colorado" / "Denver CO" / "Denver".
fn split_city_state(text: &str) -> (&str, Option<&'static str>) {
    if let Some((city, state)) = text.rsplit_once(',') {
        if let Some(code) = state_code(state) {
            return (city.trim(), Some(code));
        }
    }
    // "Denver CO", "Kansas City Missouri", "Santa Fe New Mexico"
    let words: Vec<&str> = text.split_whitespace().collect();
    for take in [3, 2, 1] {
        if words.len() > take {
            let state = words[words.len() - take..].join(" ");
            if let Some(code) = state_code(&state) {
                let cut = text.len() - text.trim_end().len();
                let city_end = text[..text.len() - cut]
                    .rfind(words[words.len() - take])
                    .unwrap_or(text.len());
                return (text[..city_end].trim().trim_end_matches(','), Some(code));
            }
        }
    }
    (text, None)
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
        assert!(matches!(g.resolve("2108"), Err(PlaceError::UnknownZip(_))));
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
            g.resolve("Atlantis, ZZ"),
            Err(PlaceError::Unknown { .. })
        ));
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

    #[test]
    fn coordinates_are_checked() {
        let g = Gazetteer::get();
        assert_eq!(g.resolve("39.74,-104.99").unwrap().lat, 39.74);
        assert!(matches!(
            g.resolve("95.0,10"),
            Err(PlaceError::BadCoordinates(_))
        ));
    }
}
