//! The frame of every page: head, skip link, crisis line, sample banner,
//! header with navigation, main, footer.

use crate::components::{crisis_line, sample_banner};
use crate::format::{count_of, date_part};
use crate::{stylesheet_path, SiteContext};
use maud::{html, Markup, DOCTYPE};

/// The site's name, in the header and every title.
pub(crate) const SITE_NAME: &str = "IOP Finder";

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Search,
    About,
    None,
}

/// What the head of a page says about it.
pub(crate) struct Page<'a> {
    /// The page's own title; the site name is added after it. Empty for the
    /// home page, whose title is the site's.
    pub title: &'a str,
    pub description: &'a str,
    pub nav: Nav,
    /// Keep the page out of search engines (errors, result pages).
    pub noindex: bool,
}

/// Wrap a page's main content in the site frame.
pub(crate) fn layout(ctx: &SiteContext, page: &Page<'_>, content: Markup) -> Markup {
    let title = if page.title.is_empty() {
        format!("{SITE_NAME}: find intensive outpatient programs")
    } else {
        format!("{} | {SITE_NAME}", page.title)
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(page.description);
                @if page.noindex {
                    meta name="robots" content="noindex";
                }
                meta name="referrer" content="strict-origin-when-cross-origin";
                link rel="stylesheet" href=(stylesheet_path());
            }
            body {
                a.skip-link href="#main" { "Skip to main content" }
                (crisis_line())
                @if ctx.sample {
                    (sample_banner())
                }
                header.site-header {
                    div.wrap.site-header-inner {
                        a.site-name href="/" { (SITE_NAME) }
                        nav.site-nav aria-label="Site" {
                            ul {
                                li { a href="/" aria-current=[current(page.nav, Nav::Search)] { "Search" } }
                                li { a href="/about" aria-current=[current(page.nav, Nav::About)] { "About" } }
                            }
                        }
                    }
                }
                main id="main" class="wrap" {
                    (content)
                }
                (footer(ctx))
            }
        }
    }
}

fn current(page: Nav, entry: Nav) -> Option<&'static str> {
    (page == entry).then_some("page")
}

fn footer(ctx: &SiteContext) -> Markup {
    html! {
        footer.site-footer {
            div.wrap {
                p.footer-crisis {
                    "In crisis? Call or text 988 (Suicide & Crisis Lifeline), or call 911 in an emergency. "
                    a href="tel:988" { "Call 988" }
                    " · "
                    a href="sms:988" { "Text 988" }
                }
                p {
                    @match date_part(&ctx.built_at) {
                        Some(date) => { "Data last built " time datetime=(date) { (date) } ". " }
                        None => { "Data build date unknown. " }
                    }
                    (count_of(ctx.listings, "program", "programs")) " listed."
                }
                p {
                    "No ads, no paid placement, no tracking. "
                    a href="/about" { "About this directory and its sources" }
                }
            }
        }
    }
}
