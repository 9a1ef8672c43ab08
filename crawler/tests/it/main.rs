//! The crawler's integration tests, one test binary (one link of the
//! crate and its dependencies instead of one per file): each former
//! `tests/NAME.rs` is module `NAME` here, and `common` is the setup they
//! share (loopback servers, request logs, fetcher settings).
//!
//! Run one file's tests with `cargo test --workspace --test it -- NAME::`.

mod common;

mod extract_quality;
mod extract_record;
mod fetch;
mod findtreatment;
mod hostile_input;
mod hsds;
mod phones_national_directory;
mod record_matching;
mod recrawl_cache;
mod samhsa_national_directory;
mod samhsa_url;
mod website_source;
mod website_whole_site;
