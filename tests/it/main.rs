//! The site's integration tests, one test binary (one link of the binary's
//! library and its dependencies instead of one per file): each former
//! `tests/NAME.rs` is module `NAME` here, and `common` is what they share:
//! the real `iopfinder` binary serving a temporary data directory (`TestApp`
//! in `common/mod.rs`), the in-process app (`common/app.rs`) and HTML
//! assertions through CSS selectors (`common/html.rs`, which the templates
//! crate's tests include too).
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod common;

mod browser;
mod browser_flows;
mod crawl;
mod crawl_hosts;
mod hostile;
mod listing_page;
mod one_listing;
mod open_data;
mod page_cache;
mod referrers;
mod scale_out;
mod search_input;
mod search_national;
mod site;
mod spanish;
