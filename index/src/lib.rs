//! # iop-index: what the directory knows and how it is searched
//!
//! This crate owns the [`Listing`] model, the [`Vocabulary`] (facet groups and
//! values, read from `vocabulary.toml`), geocoding of ZIP codes and places, the
//! tantivy schema, building an index from listings, and search with facet
//! counts and distance. It does not fetch anything (that is `iop-crawler`) and
//! does not render anything (that is `iop-templates`).

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
