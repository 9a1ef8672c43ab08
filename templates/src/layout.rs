//! The frame of every page: head, skip link, crisis line, sample banner,
//! header with navigation, main, footer.

use crate::components::{crisis_line, sample_banner};
use crate::format::{date_part, date_text, thousands, Text};
use crate::{Lang, SiteContext};
use maud::{html, Markup, PreEscaped, DOCTYPE};

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
    layout_with_head(ctx, page, html! {}, content)
}

/// [`layout`] with extra elements in the head (canonical link, Open Graph
/// tags, JSON-LD), written after the stylesheet link.
pub(crate) fn layout_with_head(
    ctx: &SiteContext,
    page: &Page<'_>,
    head: Markup,
    content: Markup,
) -> Markup {
    // the page is the frame around the content, in the frame's buffer grown
    // once to its exact size (maud's own splicing grew it twice over a
    // results page's 74 KB: copies, and fresh memory faulted in)
    let (mut out, after) = frame_around(ctx, page, head);
    out.reserve_exact(content.0.len() + after.len());
    out.push_str(&content.0);
    out.push_str(&after);
    PreEscaped(out)
}

/// The frame of [`layout_with_head`] as what goes before the content and
/// what goes after it, for a page that writes its content between them in
/// its own buffer (the results page: its 70 KB then copied no more).
pub(crate) fn frame_around(ctx: &SiteContext, page: &Page<'_>, head: Markup) -> (String, String) {
    let title = if page.title.is_empty() {
        format!(
            "{SITE_NAME}: {}",
            ctx.t("find intensive outpatient programs")
        )
    } else {
        format!("{} | {SITE_NAME}", page.title)
    };
    let other = ctx.lang.other();
    // listing pages write absolute canonical and alternates of their own
    // (crate::share); every other page's are made here, absolute too
    let alternates = head.0.is_empty() || !head.0.contains("hreflang=");
    // (each made once: keeping the shortlist reads the page's query)
    let home = ctx.keep("/");
    let about = ctx.keep("/about");
    let frame = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                (head_essentials(&title, page.noindex))
                meta name="description" content=(Text(page.description));
                link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml" title=(SITE_NAME);
                @if alternates {
                    @if let Some(canonical) = ctx.absolute_in(ctx.lang) {
                        link rel="canonical" href=(Text(&canonical));
                    }
                    @for lang in Lang::ALL {
                        @if let Some(href) = ctx.absolute_in(lang) {
                            link rel="alternate" hreflang=(lang.code()) href=(Text(&href));
                        }
                    }
                }
                (head)
            }
            body {
                a.skip-link href="#main" { (ctx.t("Skip to main content")) }
                (crisis_line(ctx))
                @if ctx.sample {
                    (sample_banner(ctx))
                }
                header.site-header {
                    div.wrap.site-header-inner {
                        a.site-name href=(Text(&home)) { (SITE_NAME) }
                        nav.site-nav aria-label=(ctx.t("Site")) {
                            ul {
                                li { a href=(Text(&home)) aria-current=[current(page.nav, Nav::Search)] { (ctx.t("Search")) } }
                                li { a href=(Text(&about)) aria-current=[current(page.nav, Nav::About)] { (ctx.t("About")) } }
                                li.lang-switch {
                                    a href=(Text(&ctx.path_in(other))) lang=(other.code()) hreflang=(other.code()) {
                                        (other.name())
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" class="wrap" {
                    (PreEscaped(CONTENT_SLOT))
                }
                (footer(ctx, &about))
            }
        }
    };
    let mut frame = frame.into_string();
    // the slot is in `main`, which every frame has
    let Some(at) = frame.rfind(CONTENT_SLOT) else {
        return (frame, String::new());
    };
    let after = frame[at + CONTENT_SLOT.len()..].to_string();
    frame.truncate(at);
    (frame, after)
}

/// Where [`layout_with_head`] puts the content in the frame: a comment no
/// escaped text can write (its `<` would be `&lt;`), and the frame after
/// `main` holds only the footer.
const CONTENT_SLOT: &str = "<!--iop:content-->";

/// What the head of every document starts with, the handout's included:
/// charset, viewport, title, the robots rule, the referrer policy, the icon
/// and the one stylesheet.
pub(crate) fn head_essentials(title: &str, noindex: bool) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (Text(title)) }
        @if noindex {
            meta name="robots" content="noindex";
        }
        // the same policy as the Referrer-Policy header (src/web)
        meta name="referrer" content="no-referrer";
        link rel="icon" href=(Text(&crate::FAVICON_PATH)) type="image/svg+xml";
        link rel="stylesheet" href=(Text(&crate::STYLESHEET_PATH));
    }
}

fn current(page: Nav, entry: Nav) -> Option<&'static str> {
    (page == entry).then_some("page")
}

/// The footer; `about` is the About page's link ([`SiteContext::keep`]).
fn footer(ctx: &SiteContext, about: &str) -> Markup {
    html! {
        footer.site-footer {
            div.wrap {
                p.footer-crisis {
                    (ctx.t("In crisis? Call or text 988 (Suicide & Crisis Lifeline), or call 911 in an emergency.")) " "
                    a href="tel:988" { (ctx.t("Call 988")) }
                    " · "
                    a href="sms:988" { (ctx.t("Text 988")) }
                }
                p {
                    @match date_part(&ctx.built_at) {
                        Some(date) => { (ctx.t("Data last built")) " " time datetime=(date) { (date_text(ctx, date)) } ". " }
                        None => { (ctx.t("Data build date unknown.")) " " }
                    }
                    @if ctx.listings == 1 {
                        (ctx.t("1 program listed."))
                    } @else {
                        (ctx.tf("{n} programs listed.", &[("n", &thousands(ctx.listings))]))
                    }
                }
                p {
                    (ctx.t("No ads, no paid placement, no tracking.")) " "
                    a href=(Text(about)) { (ctx.t("About this directory and its sources")) }
                }
            }
        }
    }
}
