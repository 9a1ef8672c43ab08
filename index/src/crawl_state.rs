//! Crawl state: what the crawler remembers about each listing between crawls,
//! so a recrawl can tell new, changed, unchanged and missing listings apart.
//!
//! Kept in `DATA_DIR/crawl-state.json`, keyed by listing id, and replaced
//! atomically like the listing store. A listing's content hash covers every
//! field except the check dates of its facts, so a recrawl that finds the
//! same facts again is "unchanged" (only its dates move) and one that finds
//! different facts is "changed" on that day.

use crate::listing::Listing;
use crate::store::{write_atomically, DataDir, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use time::Date;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The crawler's memory of one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingState {
    /// The source kind that yields the listing (`samhsa-directory`, ...).
    pub kind: String,
    /// The source that last yielded it: its dataset when the source kind
    /// names one (`samhsa-directory#national-directory-substance-use`, the
    /// same for every edition and path), else `KIND=LOCATION` (the location
    /// made absolute when it is a path). A crawl of that source that does not find
    /// the listing counts a miss; crawls of other sources leave it alone.
    /// None for a listing older than the crawl state.
    #[serde(default)]
    pub source: Option<String>,
    /// The first crawl that found it (or, for a listing older than the crawl
    /// state, the newest check date it had then).
    #[serde(with = "iso_date")]
    pub first_seen: Date,
    /// The last crawl that found it in its source.
    #[serde(with = "iso_date")]
    pub last_seen: Date,
    /// The last crawl that found its content different.
    #[serde(with = "iso_date")]
    pub last_changed: Date,
    /// [`content_hash`] of the listing as last seen.
    pub content_hash: String,
    /// Successful crawls of its kind in a row that did not find it.
    #[serde(default)]
    pub misses: u32,
}

/// Every listing's state, by listing id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlState {
    pub version: u32,
    pub listings: BTreeMap<String, ListingState>,
}

impl CrawlState {
    pub const VERSION: u32 = 1;

    /// The state in `data`; empty when there is none yet.
    pub fn read(data: &DataDir) -> Result<CrawlState, StoreError> {
        let path = data.crawl_state_path();
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Json { path, source })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(CrawlState {
                version: Self::VERSION,
                listings: BTreeMap::new(),
            }),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Replace the state in `data` atomically.
    pub fn write(&self, data: &DataDir) -> Result<(), StoreError> {
        let root = data.root();
        fs::create_dir_all(root).map_err(|source| StoreError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let mut state = self.clone();
        state.version = Self::VERSION;
        let bytes = serde_json::to_vec_pretty(&state).expect("crawl state serializes");
        write_atomically(&data.crawl_state_path(), &bytes)
    }
}

/// A hash of everything a listing says except when its facts were checked:
/// 16 hex digits of FNV-1a 64 over the listing's JSON with the check dates
/// blanked.
pub fn content_hash(listing: &Listing) -> String {
    let mut value = serde_json::to_value(listing).expect("listing serializes");
    if let Some(provenance) = value
        .get_mut("provenance")
        .and_then(serde_json::Value::as_array_mut)
    {
        for entry in provenance {
            if let Some(object) = entry.as_object_mut() {
                object.remove("checked");
            }
        }
    }
    let text = serde_json::to_string(&value).expect("value serializes");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{Address, Provenance, Source};
    use time::macros::date;

    fn listing(phone: &str, checked: Date) -> Listing {
        let address = Address {
            street: Some("1 Main St".into()),
            street2: None,
            city: "Boston".into(),
            state: "MA".into(),
            zip: "02108".into(),
        };
        Listing {
            phone: Some(phone.into()),
            sources: vec![Source {
                kind: "samhsa-directory".into(),
                title: "t".into(),
                url: None,
                record: None,
                edition: None,
            }],
            provenance: vec![Provenance {
                fact: "phone".into(),
                source: 0,
                checked,
                evidence: None,
            }],
            ..Listing::new("0123456789ab", "Harbor House", address)
        }
    }

    #[test]
    fn the_hash_ignores_check_dates_but_not_facts() {
        let a = listing("617-555-0100", date!(2026 - 01 - 01));
        let b = listing("617-555-0100", date!(2026 - 11 - 24));
        let c = listing("617-555-0199", date!(2026 - 01 - 01));
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&c));
        assert_eq!(content_hash(&a).len(), 16);
    }

    #[test]
    fn the_state_round_trips_through_the_data_directory() {
        let dir = std::env::temp_dir().join(format!("iop-crawl-state-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let data = DataDir::new(&dir);
        assert!(CrawlState::read(&data).unwrap().listings.is_empty());
        let mut state = CrawlState::default();
        state.listings.insert(
            "0123456789ab".into(),
            ListingState {
                kind: "samhsa-directory".into(),
                source: Some("samhsa-directory=/data/su_2022_facilities.csv".into()),
                first_seen: date!(2026 - 01 - 01),
                last_seen: date!(2026 - 11 - 20),
                last_changed: date!(2026 - 11 - 01),
                content_hash: "00ff".into(),
                misses: 2,
            },
        );
        state.write(&data).unwrap();
        let read = CrawlState::read(&data).unwrap();
        assert_eq!(read.listings, state.listings);
        assert_eq!(read.version, CrawlState::VERSION);
        let text = fs::read_to_string(data.crawl_state_path()).unwrap();
        assert!(text.contains("\"last_changed\": \"2026-11-01\""), "{text}");
        fs::write(data.crawl_state_path(), "not json").unwrap();
        assert!(CrawlState::read(&data).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
