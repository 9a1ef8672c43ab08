//! The site's integration tests, one test binary (one link of the binary's
//! library and its dependencies instead of one per file): each former
//! `tests/NAME.rs` is module `NAME` here, and `common` is the test app they
//! share (the real `iopfinder` binary serving a temporary data directory).
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod common;

mod browser;
mod browser_flows;
mod crawl;
mod hostile;
mod listing_page;
mod one_listing;
mod open_data;
mod referrers;
mod scale_out;
mod search_input;
mod search_national;
mod site;
mod spanish;
