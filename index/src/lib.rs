//! # iop-index: what the directory knows and how it is searched
//!
//! This crate owns the [`Listing`] model, the [`Vocabulary`] (facet groups and
//! values, read from `vocabulary.toml`), geocoding of ZIP codes and places, the
//! tantivy schema, building an index from listings, and search with facet
//! counts and distance. It does not fetch anything (that is `iop-crawler`) and
//! does not render anything (that is `iop-templates`).
//!
//! Build a tiny index from two listings in a directory, open it and search
//! it (the site opens the directory's current generation the same way):
//!
//! ```
//! use iop_index::listing::Address;
//! use iop_index::{indexing, Listing, SearchRequest, UnknownParams};
//!
//! let address = |city: &str, zip: &str| Address {
//!     city: city.into(),
//!     state: "OR".into(),
//!     zip: zip.into(),
//!     ..Address::default()
//! };
//! let mut teens = Listing::new("a1", "Cedar Grove Teen IOP", address("Portland", "97201"));
//! teens.facets.insert("focus".into(), vec!["mood".into()]);
//! let adults = Listing::new("b2", "Harbor Light Recovery", address("Salem", "97301"));
//!
//! // the index's ords are the listings' ranks in name order
//! let mut listings = vec![teens, adults];
//! indexing::sort_listings(&mut listings);
//! let dir = std::env::temp_dir().join(format!("iop-index-doctest-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let numbered = listings.into_iter().enumerate().map(|(ord, l)| (ord as u64, l));
//! indexing::build_in_dir(&dir, numbered)?;
//! let index = indexing::open_dir(&dir)?;
//! assert_eq!(index.len(), 2);
//!
//! let request = SearchRequest::from_query_string("q=teen", UnknownParams::Refuse)?;
//! let results = index.search(&request)?;
//! assert_eq!(results.total, 1);
//! assert_eq!(results.hits[0].listing.name, "Cedar Grove Teen IOP");
//! std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod columns;
pub mod geo;
pub mod indexing;
pub mod listing;
pub mod phone;
pub mod reference;
pub mod request;
pub mod schema;
pub mod search;
pub mod store;
mod stored;
pub mod text;
pub mod vocabulary;

pub use geo::{Gazetteer, Origin};
pub use listing::{Address, Listing, Point, Precision, Provenance, Schedule, Session, Source};
pub use request::{ParamError, ParamErrorKind, SearchRequest, Sort, UnknownParams};
pub use search::{GroupCounts, Hit, SearchIndex, SearchResults, ValueCount};
pub use store::{
    DataDir, FileChecksum, Generation, GenerationManifest, GenerationMeta, StoreError,
};
pub use vocabulary::{FacetGroup, FacetValue, Vocabulary};
