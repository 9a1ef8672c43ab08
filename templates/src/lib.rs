//! # iop-templates: the pages of the IOP Finder site
//!
//! This crate owns what people see: every HTML page (home, search results,
//! program, about, error; for referrers the shortlist, its printable handout
//! with a QR code, and compare) as [maud] functions, the components they share
//! (crisis line, sample banner, search form, program card, facet sidebar,
//! pagination, fact rows) and the one stylesheet. It does no data access: the
//! web layer looks listings up and runs searches with `iop-index`, then hands
//! the values to these functions, which only render them.
//!
//! Rules every page follows:
//! - one external resource, the hashed stylesheet ([`stylesheet_path`]); no
//!   scripts, fonts, images from elsewhere or trackers (one exception: the
//!   shortlist page loads the same-origin `static/share.js` for "Copy link"
//!   and "Share", and works fully without it);
//! - the crisis line (988 / 911) near the top and in the footer;
//! - the sample-data banner whenever [`SiteContext::sample`] is true;
//! - data is only ever spliced escaped (`(expr)`), never as `PreEscaped`;
//! - a fact no source reported is shown as "not reported", never guessed;
//! - every visible string goes through [`SiteContext::t`] (or `tf` for
//!   patterns), every facet label through [`SiteContext::label`], and every
//!   link to a page through [`SiteContext::href`], so each page also renders
//!   in Spanish under `/es` (see [`i18n`]); the frame links to the same page
//!   in the other language.
//!
//! What is not here: the rules of requests (the search's parameters, the
//! shortlist's ids and limits, the "widen this search" alternatives, the
//! compare, CSV and report limits) are `iop_index::request`'s; the pages
//! take their results as view models.
//!
//! ## Example
//!
//! Render the 404 page in Spanish, as the web layer does:
//!
//! ```
//! use iop_templates::{error_page, Lang, SiteContext, DEFAULT_PUBLIC_URL};
//!
//! let site = SiteContext {
//!     sample: true,
//!     listings: 12,
//!     built_at: "2026-11-30T08:00:00Z".to_string(),
//!     from_providers: 0,
//!     lang: Lang::Es,
//!     path: "/nowhere".to_string(),
//!     public_url: DEFAULT_PUBLIC_URL.to_string(),
//! };
//! let page = error_page(&site, 404, "Page not found", "There is no page at this address.", &[])
//!     .into_string();
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains(r#"<html lang="es">"#));
//! // the crisis line is on every page, error pages included
//! assert!(page.contains("988"));
//! ```

#![warn(missing_docs)]

mod components;
mod format;
pub mod i18n;
mod layout;
pub mod map;
mod pages;
mod share;

use iop_index::request::Shortlist;
use std::sync::LazyLock;

pub use components::CardParts;
pub use format::Text;
pub use i18n::{Lang, Phrase};
pub use pages::about::about;
pub use pages::compare::{compare, CompareView, FACET_GROUPS};
pub use pages::error::{error_page, error_page_with_search, param_error_message, TypedSearch};
pub use pages::handout::handout;
pub use pages::home::home;
pub use pages::program::{program, program_with_shortlist};
pub use pages::program::{program_page, program_page_from, program_page_with_tel, TelLinks};
pub use pages::report::{report_page, report_thanks, ReportDraft, ReportFix, REPORT_PROBLEMS};
pub use pages::results::{results, results_with_shortlist};
pub use pages::results::{results_page, results_page_with_cards, Widening};
pub use pages::shortlist::{search_csv_href, shortlist, ShortlistView};
pub use share::DEFAULT_PUBLIC_URL;

/// What every page needs to know about the site as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteContext {
    /// True when the served data includes the embedded fictional sample directory.
    pub sample: bool,
    /// Number of listings served, and when the data was built (RFC 3339 string).
    pub listings: usize,
    /// When the served data was built (RFC 3339).
    pub built_at: String,
    /// How many listings have facts from providers' own websites or local
    /// directories (the `website` and `hsds` sources of the generation's
    /// `sources`), where programs for mental health only come from:
    /// SAMHSA's files list substance use programs alone.
    pub from_providers: usize,
    /// The language the page is rendered in.
    pub lang: Lang,
    /// The page's own path and query in English form (`/search?near=95814`),
    /// for the language switch and alternate links; empty when unknown (the
    /// switch then leads to the other language's home page).
    pub path: String,
    /// The site's public base URL without a trailing slash
    /// (`https://iopfinder.example`), for the absolute canonical and
    /// language links in every page's head.
    pub public_url: String,
}

impl SiteContext {
    /// A context that says only the language: for what is made ahead of
    /// any request (a card's parts, a checkbox's text), which depends on
    /// nothing else of the site.
    pub fn in_language(lang: Lang) -> SiteContext {
        SiteContext {
            sample: false,
            listings: 0,
            built_at: String::new(),
            from_providers: 0,
            lang,
            path: String::new(),
            public_url: String::new(),
        }
    }

    /// An English UI string in the page's language (see [`i18n`]).
    pub fn t(&self, english: &'static str) -> Phrase {
        Phrase(i18n::translate(self.lang, english))
    }

    /// A site path (`/search?near=...`) in the page's language: `/es/search?...`
    /// for Spanish. Paths outside the pages (`/static/`, `/api/`) are unchanged.
    pub fn href(&self, path: &str) -> String {
        href_in(self.lang, path)
    }

    /// The shortlist this page carries: `list=` on search, program and other
    /// pages, `ids=` on the shortlist's own pages (`/shortlist`, its print
    /// view, `/compare`); empty when there is none or it is not valid.
    pub fn shortlist(&self) -> Shortlist {
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let key = if is_shortlist_page(path) {
            "ids"
        } else {
            "list"
        };
        iop_index::request::form_urlencoded_value(query, key)
            .and_then(|v| Shortlist::parse(&v).ok())
            .unwrap_or_default()
    }

    /// An internal link (`/`, `/about`, `/search?near=...`) in the page's
    /// language that keeps the page's shortlist (see [`Self::shortlist`]),
    /// so no link of the site loses it. Links to the shortlist's own pages
    /// carry their ids already and are only translated.
    pub fn keep(&self, path: &str) -> String {
        let bare = path.split(['?', '#']).next().unwrap_or(path);
        if is_shortlist_page(bare) || path.contains("list=") {
            return self.href(path);
        }
        let (path, fragment) = match path.find('#') {
            Some(at) => path.split_at(at),
            None => (path, ""),
        };
        format!("{}{fragment}", self.href(&self.shortlist().carried(path)))
    }

    /// This page's absolute URL in `lang`, without the visitor's shortlist
    /// (`https://iopfinder.example/es/search?near=95814`), for the canonical
    /// and `hreflang` links; `None` when the page's path is unknown.
    pub fn absolute_in(&self, lang: Lang) -> Option<String> {
        if !self.path.starts_with('/') {
            return None;
        }
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        // the base, the language's prefix (as `href_in` puts it), then the
        // path and the query without the list, in one string
        let base = self.public_url.trim_end_matches('/');
        let mut url = String::with_capacity(base.len() + 3 + self.path.len());
        url.push_str(base);
        if lang != Lang::En && !path.starts_with("/static/") && !path.starts_with("/api/") {
            url.push_str(lang.prefix());
        }
        url.push_str(path);
        let bare = url.len();
        for pair in query
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("list="))
        {
            url.push(if url.len() == bare { '?' } else { '&' });
            url.push_str(pair);
        }
        Some(url)
    }

    /// A text that comes with the data (a source's title) in the page's
    /// language when the catalog has it, else as it is.
    pub fn data<'a>(&self, text: &'a str) -> &'a str {
        i18n::lookup(self.lang, text).unwrap_or(text)
    }

    /// An English pattern with `{name}` placeholders in the page's language,
    /// the placeholders filled in: `site.tf("{n} programs", &[("n", "3")])`.
    pub fn tf(&self, english: &'static str, args: &[(&str, &str)]) -> String {
        // one pass, so a value that contains `{...}` is never filled in again
        iop_index::request::fill(self.t(english).as_str(), args)
    }

    /// [`Self::tf`], escaped, written at the end of `out`: the same text
    /// as `Text(&ctx.tf(english, args))` without a string of its own.
    pub fn write_tf(&self, out: &mut String, english: &'static str, args: &[(&str, &str)]) {
        use maud::Render;
        iop_index::request::fill_pieces(self.t(english).as_str(), args, |piece| {
            format::Text(piece).render_to(out)
        });
    }

    /// A facet value's label in the page's language.
    pub fn label<'v>(&self, value: &'v iop_index::FacetValue) -> &'v str {
        match self.lang {
            Lang::En => &value.label,
            Lang::Es => &value.label_es,
        }
    }

    /// A facet group's label in the page's language.
    pub fn group_label<'g>(&self, group: &'g iop_index::FacetGroup) -> &'g str {
        match self.lang {
            Lang::En => &group.label,
            Lang::Es => &group.label_es,
        }
    }

    /// A facet group's help text in the page's language.
    pub fn group_help<'g>(&self, group: &'g iop_index::FacetGroup) -> &'g str {
        match self.lang {
            Lang::En => &group.help,
            Lang::Es => &group.help_es,
        }
    }

    /// This page in `lang` (`/es/search?near=95814`), for the language
    /// switch and `hreflang` alternates.
    pub fn path_in(&self, lang: Lang) -> String {
        let path = if self.path.starts_with('/') {
            self.path.as_str()
        } else {
            "/"
        };
        href_in(lang, path)
    }
}

/// [`SiteContext::href`] in `lang`.
fn href_in(lang: Lang, path: &str) -> String {
    if lang == Lang::En || path.starts_with("/static/") || path.starts_with("/api/") {
        return path.to_string();
    }
    match path {
        "/" => format!("{}/", lang.prefix()),
        _ => format!("{}{path}", lang.prefix()),
    }
}

/// The pages that take the shortlist as `ids=` rather than `list=`.
fn is_shortlist_page(path: &str) -> bool {
    matches!(path, "/shortlist" | "/shortlist/print" | "/compare")
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

/// The shortlist pages' script (`/static/share.js`): "Copy link", "Share"
/// and "Print" as a progressive enhancement; the pages work without it.
pub const SHARE_JS: &str = include_str!("../static/share.js");

/// The site's icon (SVG), served at [`favicon_path`].
pub const FAVICON: &str = include_str!("../static/favicon.svg");

static FAVICON_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/icon-{:08x}.svg", fnv1a_32(FAVICON.as_bytes())));

/// The icon's URL path, named by a hash of its content like the stylesheet's.
pub fn favicon_path() -> String {
    FAVICON_PATH.clone()
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
    fn absolute_links_are_the_path_in_each_language_without_the_list() {
        // as they were made before being written into one string
        fn before(ctx: &SiteContext, lang: Lang) -> Option<String> {
            if !ctx.path.starts_with('/') {
                return None;
            }
            let (path, query) = ctx.path.split_once('?').unwrap_or((&ctx.path, ""));
            let mut bare = path.to_string();
            for pair in query
                .split('&')
                .filter(|pair| !pair.is_empty() && !pair.starts_with("list="))
            {
                bare.push(if bare.len() == path.len() { '?' } else { '&' });
                bare.push_str(pair);
            }
            Some(format!(
                "{}{}",
                ctx.public_url.trim_end_matches('/'),
                href_in(lang, &bare)
            ))
        }
        let paths = [
            "",
            "x",
            "/",
            "/?",
            "/search",
            "/about?list=a",
            "/static/s.css",
            "/api/v1/search?near=1",
            "/search?near=19104&list=00aa.00bb&insurance=medicaid",
            "/search?&&list=&q=a%26b",
            "/programs/0a?list=1&",
        ];
        for url in [
            "",
            "https://iopfinder.example",
            "https://iopfinder.example/",
            "http://127.0.0.1:3000//",
        ] {
            for path in paths {
                let ctx = SiteContext {
                    path: path.to_string(),
                    public_url: url.to_string(),
                    ..SiteContext::in_language(Lang::En)
                };
                for lang in Lang::ALL {
                    assert_eq!(
                        ctx.absolute_in(lang),
                        before(&ctx, lang),
                        "{url:?} {path:?} {lang:?}"
                    );
                }
            }
        }
    }

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
            STYLESHEET.len() < 20 * 1024,
            "site.css is {} bytes",
            STYLESHEET.len()
        );
    }
}
