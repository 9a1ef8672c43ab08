//! # iop-crawler: from sources to normalized listings
//!
//! Reads program listings from sources and normalizes them to
//! [`iop_index::Listing`] through the vocabulary.

pub mod sources;
