//! # iop-crawler: from sources to normalized listings
//!
//! Each module of [`sources`] reads one kind of source into
//! [`normalize::SourceRecord`]s; [`normalize::normalize`] turns those into
//! [`iop_index::Listing`]s through the vocabulary; [`recrawl`] folds what
//! each crawl's sources say into the listing store and the crawl state (new,
//! changed, missed, withdrawn). This crate does not build or search the
//! index (that is `iop-index`), does not read or write the listing store or
//! the crawl state (that is the `iopfinder` binary) and renders nothing.

pub mod extract;
pub mod fetch;
pub mod normalize;
pub use iop_index::phone;
pub mod recrawl;
pub mod site;
pub mod sources;
