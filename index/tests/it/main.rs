//! The index crate's integration tests, one test binary: each former
//! `tests/NAME.rs` is module `NAME` here.
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod census_places;
mod data_dir;
mod search_agrees_with_scan;
mod spellings;
