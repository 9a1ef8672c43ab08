//! `iopfinder`: the service of IOP Finder, as a library the command line
//! (`src/main.rs`) and the integration tests call.
//!
//! - [`web`]: the site and the JSON API (axum router, state, serving);
//! - [`crawl`]: a crawl's run over sources, the listing store and the
//!   published index generations;
//! - [`extract`]: the `extract` command's reading of one page or site;
//! - [`hsds`]: the Open Referral HSDS 3.0 export;
//! - [`inbox`]: visitors' "report a problem" submissions;
//! - [`json`]: the API's JSON shapes.

pub mod crawl;
pub mod extract;
pub mod hsds;
pub mod inbox;
pub mod json;
pub mod web;
