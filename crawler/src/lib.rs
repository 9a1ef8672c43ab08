//! # iop-crawler: from sources to normalized listings
//!
//! Each module of [`sources`] reads one kind of source into
//! [`normalize::SourceRecord`]s; [`normalize::normalize`] turns those into
//! [`iop_index::Listing`]s through the vocabulary. This crate does not build
//! or search the index (that is `iop-index`) and renders nothing.

pub mod extract;
pub mod fetch;
pub mod normalize;
pub use iop_index::phone;
pub mod site;
pub mod sources;
