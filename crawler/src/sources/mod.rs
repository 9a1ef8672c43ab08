//! Source kinds: each reads one format into source records.

pub mod samhsa;
pub mod sample;

/// The source kinds `iopfinder crawl --source KIND=...` accepts.
pub const KINDS: &[&str] = &["samhsa-directory", "sample"];
