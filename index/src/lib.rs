//! # iop-index: what the directory knows and how it is searched
//!
//! This crate owns the [`Listing`] model, the [`Vocabulary`] (facet groups and
//! values, read from `vocabulary.toml`), geocoding of ZIP codes and places, the
//! tantivy schema, building an index from listings, and search with facet
//! counts and distance. It does not fetch anything (that is `iop-crawler`) and
//! does not render anything (that is `iop-templates`).

pub mod listing;
pub mod vocabulary;

pub use listing::{Address, Listing, Point, Precision, Provenance, Schedule, Session, Source};
pub use vocabulary::{FacetGroup, FacetValue, Vocabulary};
