//! The templates crate's integration tests, one test binary: each former
//! `tests/NAME.rs` is module `NAME` here, and `common` holds the fixtures
//! they share.
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod common;

mod links_keep_the_search;
mod pages;
mod referrer_pages;
mod spanish;
