//! HTML assertions through CSS selectors ([`scraper`]): parse a page once,
//! then pick elements, their text and their attributes, instead of slicing
//! the markup by hand. Shared by the page tests of this crate (the templates
//! crate's tests include this same file).

#![allow(dead_code)] // each crate's tests use part of it

pub use scraper::{ElementRef, Html};

/// What CSS selectors run in: a whole page or one of its elements.
pub trait Within<'a> {
    /// The elements under `self` that match `css`, in document order.
    fn select_all(self, css: &str) -> Vec<ElementRef<'a>>;
}

impl<'a> Within<'a> for &'a Html {
    fn select_all(self, css: &str) -> Vec<ElementRef<'a>> {
        self.select(&selector(css)).collect()
    }
}

impl<'a> Within<'a> for ElementRef<'a> {
    fn select_all(self, css: &str) -> Vec<ElementRef<'a>> {
        self.select(&selector(css)).collect()
    }
}

fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css:?}: {e}"))
}

/// `html` parsed as a whole document.
pub fn parse(html: &str) -> Html {
    Html::parse_document(html)
}

/// Every element in `within` (a page or an element) that matches `css`.
pub fn select<'a>(within: impl Within<'a>, css: &str) -> Vec<ElementRef<'a>> {
    within.select_all(css)
}

/// The first `a` in `within` whose text ([`text`]) is `words`; panics,
/// naming them, when there is none.
pub fn link<'a>(within: impl Within<'a>, words: &str) -> ElementRef<'a> {
    within
        .select_all("a")
        .into_iter()
        .find(|a| text(*a) == words)
        .unwrap_or_else(|| panic!("no link {words:?}"))
}

/// The one element in `within` that matches `css`; panics, naming the
/// selector, when there is none or more than one.
pub fn one<'a>(within: impl Within<'a>, css: &str) -> ElementRef<'a> {
    let found = within.select_all(css);
    assert_eq!(found.len(), 1, "{css:?} matches {} elements", found.len());
    found[0]
}

/// The first element in `within` that matches `css`, if any.
pub fn first<'a>(within: impl Within<'a>, css: &str) -> Option<ElementRef<'a>> {
    within.select_all(css).into_iter().next()
}

/// The element's text as a reader gets it: its text nodes joined, entities
/// decoded, runs of white space folded to one space and trimmed.
pub fn text(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value of the element's attribute `name`, decoded; panics, naming
/// the element, when it has none.
pub fn attr<'a>(element: ElementRef<'a>, name: &str) -> &'a str {
    element
        .value()
        .attr(name)
        .unwrap_or_else(|| panic!("no {name} in {}", element.html()))
}
