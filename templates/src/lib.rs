//! # iop-templates: the pages of the IOP Finder site
//!
//! This crate owns what people see: every HTML page (home, search results,
//! program, about, error) as [maud] functions, the components they share
//! (crisis line, sample banner, search form, program card, facet sidebar,
//! pagination, fact rows) and the one stylesheet. It does no data access: the
//! web layer looks listings up and runs searches with `iop-index`, then hands
//! the values to these functions, which only render them.
//!
//! Rules every page follows:
//! - one external resource, the hashed stylesheet ([`stylesheet_path`]); no
//!   scripts, fonts, images from elsewhere or trackers;
//! - the crisis line (988 / 911) near the top and in the footer;
//! - the sample-data banner whenever [`SiteContext::sample`] is true;
//! - data is only ever spliced escaped (`(expr)`), never as `PreEscaped`;
//! - a fact no source reported is shown as "not reported", never guessed.

mod components;
mod format;
pub mod i18n;
mod layout;
mod pages;

use std::sync::LazyLock;

pub use i18n::Lang;
pub use pages::about::about;
pub use pages::error::error_page;
pub use pages::home::home;
pub use pages::program::program;
pub use pages::results::results;

/// What every page needs to know about the site as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteContext {
    /// True when the served data includes the embedded fictional sample directory.
    pub sample: bool,
    /// Number of listings served, and when the data was built (RFC 3339 string).
    pub listings: usize,
    pub built_at: String,
    /// The language the page is rendered in.
    pub lang: Lang,
}

impl SiteContext {
    /// An English UI string in the page's language (see [`i18n`]).
    pub fn t(&self, english: &'static str) -> &'static str {
        i18n::translate(self.lang, english)
    }

    /// A site path (`/search?near=...`) in the page's language: `/es/search?...`
    /// for Spanish. Paths outside the pages (`/static/`, `/api/`) are unchanged.
    pub fn href(&self, path: &str) -> String {
        if self.lang == Lang::En || path.starts_with("/static/") || path.starts_with("/api/") {
            return path.to_string();
        }
        match path {
            "/" => format!("{}/", self.lang.prefix()),
            _ => format!("{}{path}", self.lang.prefix()),
        }
    }
}

/// The site's stylesheet, served at [`stylesheet_path`].
pub const STYLESHEET: &str = include_str!("../static/site.css");

static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/site-{:08x}.css", fnv1a_32(STYLESHEET.as_bytes())));

/// The stylesheet's URL path, named by a hash of its content so it can be
/// cached forever: `/static/site-0123abcd.css`.
pub fn stylesheet_path() -> String {
    STYLESHEET_PATH.clone()
}

/// FNV-1a, 32 bits.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn the_stylesheet_path_is_stable_and_hashed() {
        let path = stylesheet_path();
        assert_eq!(path, stylesheet_path());
        let hash = path
            .strip_prefix("/static/site-")
            .and_then(|p| p.strip_suffix(".css"))
            .unwrap();
        assert_eq!(hash.len(), 8);
        assert!(hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(hash, format!("{:08x}", fnv1a_32(STYLESHEET.as_bytes())));
    }

    #[test]
    fn the_stylesheet_is_small() {
        assert!(
            STYLESHEET.len() < 12 * 1024,
            "site.css is {} bytes",
            STYLESHEET.len()
        );
    }
}
