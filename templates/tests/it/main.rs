//! The templates crate's integration tests, one test binary: each former
//! `tests/NAME.rs` is module `NAME` here, and `fixtures` holds the
//! listings, sources and contexts they share.
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod fixtures;
// the page tests' CSS-selector helpers, one file for the workspace's two
// crates of page tests (the site's tests/it/common/html.rs)
#[path = "../../../tests/it/common/html.rs"]
mod html;

mod links_keep_the_search;
mod pages;
mod referrer_pages;
mod spanish;
