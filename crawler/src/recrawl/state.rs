//! The crawl state: what the crawler remembers about each listing between
//! crawls, so a recrawl can tell new, changed, unchanged and missing listings
//! apart.
//!
//! The `crawl` command keeps it in `DATA_DIR/crawl-state.json`, keyed by
//! listing id, and replaces it atomically like the listing store; this module
//! owns its shape and its JSON ([`CrawlState::from_json`],
//! [`CrawlState::to_json`]), not the file. A listing's content hash covers
//! every field except the check dates of its facts, so a recrawl that finds
//! the same facts again is "unchanged" (only its dates move) and one that
//! finds different facts is "changed" on that day.

use iop_index::Listing;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The crawler's memory of one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingState {
    /// The source kind that yields the listing: a
    /// [`crate::sources::SourceKind`]'s name (`samhsa-directory`, ...), or
    /// for a listing older than the crawl state its first source's kind as
    /// the listing gives it (empty when it gives none). Kept as a string so
    /// that every state file written so far reads.
    pub kind: String,
    /// The source that last yielded it: its dataset when the source kind
    /// names one (`samhsa-directory#national-directory-substance-use`, the
    /// same for every edition and path), else `KIND=LOCATION` (the location
    /// made absolute when it is a path; see [`super::source_key`]). A crawl
    /// of that source that does not find the listing counts a miss; crawls
    /// of other sources leave it alone. None for a listing older than the
    /// crawl state.
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
    /// Successful crawls of its source in a row that did not find it.
    #[serde(default)]
    pub misses: u32,
}

/// Every listing's state, by listing id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlState {
    /// The format's version, [`CrawlState::VERSION`] when written.
    pub version: u32,
    /// Each listing's state, by listing id.
    pub listings: BTreeMap<String, ListingState>,
}

impl Default for CrawlState {
    /// No listing yet, in the current format.
    fn default() -> Self {
        CrawlState {
            version: Self::VERSION,
            listings: BTreeMap::new(),
        }
    }
}

impl CrawlState {
    /// The version of the JSON format [`CrawlState::to_json`] writes.
    pub const VERSION: u32 = 1;

    /// The state in `crawl-state.json`'s bytes.
    ///
    /// # Errors
    /// The bytes are not a crawl state in JSON.
    pub fn from_json(bytes: &[u8]) -> Result<CrawlState, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The state read from `crawl-state.json` as it is parsed (never the
    /// whole file in memory).
    ///
    /// # Errors
    /// The bytes are not a crawl state in JSON, or cannot be read.
    pub fn from_reader(reader: impl std::io::Read) -> Result<CrawlState, serde_json::Error> {
        serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, reader))
    }

    /// The state as `crawl-state.json` holds it: pretty-printed JSON (two
    /// spaces), the version set to [`CrawlState::VERSION`].
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.write_json(&mut bytes).expect("writing to memory");
        bytes
    }

    /// [`CrawlState::to_json`]'s bytes, written to `out` as they are made.
    ///
    /// # Errors
    /// `out`'s error.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Versioned<'a> {
            version: u32,
            listings: &'a BTreeMap<String, ListingState>,
        }
        let state = Versioned {
            version: Self::VERSION,
            listings: &self.listings,
        };
        serde_json::to_writer_pretty(out, &state).map_err(std::io::Error::other)
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
    use iop_index::{Address, Provenance, Source};
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

    /// A crawl-state.json as the crawl wrote it before the state moved to
    /// this crate: it must read, and write back byte for byte.
    const WRITTEN_BEFORE: &str = r#"{
  "version": 1,
  "listings": {
    "0123456789ab": {
      "kind": "samhsa-directory",
      "source": "samhsa-directory=/data/su_2022_facilities.csv",
      "first_seen": "2026-01-01",
      "last_seen": "2026-11-20",
      "last_changed": "2026-11-01",
      "content_hash": "00ff",
      "misses": 2
    },
    "ba9876543210": {
      "kind": "sample",
      "source": null,
      "first_seen": "2025-12-31",
      "last_seen": "2025-12-31",
      "last_changed": "2025-12-31",
      "content_hash": "0a0b0c0d0e0f0102",
      "misses": 0
    }
  }
}"#;

    #[test]
    fn the_state_reads_and_writes_the_same_json_as_before() {
        let state = CrawlState::from_json(WRITTEN_BEFORE.as_bytes()).unwrap();
        let harbor = &state.listings["0123456789ab"];
        assert_eq!(harbor.kind, "samhsa-directory");
        assert_eq!(harbor.last_changed, date!(2026 - 11 - 01));
        assert_eq!(harbor.misses, 2);
        assert_eq!(state.listings["ba9876543210"].source, None);
        assert_eq!(String::from_utf8(state.to_json()).unwrap(), WRITTEN_BEFORE);
        // fields added after version 1 began default when absent
        let old = r#"{"version":1,"listings":{"x":{"kind":"sample","first_seen":"2026-01-01","last_seen":"2026-01-01","last_changed":"2026-01-01","content_hash":"00"}}}"#;
        let state = CrawlState::from_json(old.as_bytes()).unwrap();
        assert_eq!(
            (
                state.listings["x"].source.clone(),
                state.listings["x"].misses
            ),
            (None, 0)
        );
        // written with the current version whatever it was read with
        let state = CrawlState {
            version: 0,
            ..CrawlState::default()
        };
        assert!(String::from_utf8(state.to_json())
            .unwrap()
            .contains("\"version\": 1"));
        assert!(CrawlState::from_json(b"not json").is_err());
    }
}
