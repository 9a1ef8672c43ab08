//! The shortlist: programs a referrer or a family keeps to print, share or
//! compare. It lives only in its URL (`list=` on search and program pages,
//! `ids=` on the shortlist's own pages), so there is no account and nothing
//! is stored: sending the link sends the list.
//!
//! [`Shortlist`] is the value (parsed, validated ids: the request's rule,
//! in `iop_index::request`); the components here
//! render the "Add to shortlist" / "Remove" links and the shortlist bar, and
//! [`shortlist`] the page itself, with its "copy link" field.

use crate::components::program_card;
use crate::format::Text;
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use iop_index::request::{encode, Shortlist, CSV_MAX_ROWS, DEFAULT_PER_PAGE, MAX_SHORTLIST};
use iop_index::{Hit, SearchRequest};
use maud::{html, Markup, PreEscaped, Render};
use std::collections::BTreeMap;

/// "Add to shortlist" or "Remove from shortlist" for one program, as a link
/// to the page it is on, without `list=` (`page`: its path in the page's
/// language, escaped for an attribute, as [`escaped_page`] makes it; a
/// results page makes it once for its twenty links) carrying the new list.
/// `anchor` brings the reader back to the card.
pub(crate) fn toggle_link(
    ctx: &SiteContext,
    shortlist: &Shortlist,
    id: &str,
    name: PreEscaped<&str>,
    page: &str,
    anchor: bool,
) -> Markup {
    let href = || {
        let mut href = String::with_capacity(page.len() + 13 * (shortlist.ids().len() + 1) + 24);
        href.push_str(page);
        let sep = if page.contains('?') { "&amp;" } else { "?" };
        shortlist.write_toggled(&mut href, id, sep);
        if anchor {
            href.push_str("#p-");
            href.push_str(id);
        }
        PreEscaped(href)
    };
    html! {
        @if shortlist.contains(id) {
            a.shortlist-toggle.added href=(href()) {
                span aria-hidden="true" { "\u{2713} " }
                (ctx.t("Remove from shortlist"))
                span.visually-hidden { ": " (name) }
            }
        } @else if shortlist.is_full() {
            span.shortlist-full {
                (ctx.t("Shortlist full"))
                " (" (MAX_SHORTLIST) ")"
            }
        } @else {
            a.shortlist-toggle href=(href()) {
                span aria-hidden="true" { "+ " }
                (ctx.t("Add to shortlist"))
                span.visually-hidden { ": " (name) }
            }
        }
    }
}

/// `page` in the page's language ([`SiteContext::href`]), escaped for an
/// attribute: what [`toggle_link`] links to.
pub(crate) fn escaped_page(ctx: &SiteContext, page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 16);
    Text(&ctx.href(page)).render_to(&mut out);
    out
}

/// The shortlist's count and where it leads, on search and program pages:
/// "3 saved: Print / Compare / Share", compact, kept in reach at the foot
/// of the screen on a phone. Nothing while the shortlist is empty.
pub(crate) fn shortlist_bar(
    ctx: &SiteContext,
    shortlist: &Shortlist,
    near: Option<&str>,
) -> Markup {
    if shortlist.is_empty() {
        return html! {};
    }
    html! {
        nav.shortlist-bar aria-label=(ctx.t("Shortlist")) {
            p { strong { @if shortlist.len() == 1 { (ctx.t("1 saved")) } @else { (ctx.tf("{n} saved", &[("n", &shortlist.len().to_string())])) } } }
            ul {
                li { a href=(ctx.href(&shortlist.page("/shortlist/print", near))) { (ctx.t("Print")) span.visually-hidden { " " (ctx.t("the shortlist")) } } }
                @if (2..=4).contains(&shortlist.len()) {
                    li { a href=(ctx.href(&shortlist.page("/compare", near))) { (ctx.t("Compare")) span.visually-hidden { " " (ctx.t("the shortlist")) } } }
                }
                li { a href=(ctx.href(&shortlist.page("/shortlist", near))) { (ctx.t("Share")) span.visually-hidden { " " (ctx.t("or view the shortlist")) } } }
            }
        }
    }
}

/// `/search.csv?...` for a search: every matching program, not one page.
pub fn search_csv_href(request: &SearchRequest) -> String {
    let all = SearchRequest {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..request.clone()
    };
    match all.to_query_string() {
        query if query.is_empty() => "/search.csv".to_string(),
        query => format!("/search.csv?{query}"),
    }
}

/// "Download these results (CSV)" under the results list.
pub(crate) fn search_csv_link(ctx: &SiteContext, request: &SearchRequest, total: usize) -> Markup {
    html! {
        p.download {
            a href=(search_csv_href(request)) download {
                (ctx.t("Download all these results as a spreadsheet (CSV)"))
            }
            @if total > CSV_MAX_ROWS {
                " " (ctx.t("(the first 10,000 programs)"))
            }
        }
    }
}

/// "1 program", "3 programs", translated.
pub(crate) fn count(ctx: &SiteContext, n: usize) -> String {
    if n == 1 {
        ctx.t("1 program").to_string()
    } else {
        ctx.t("{n} programs").replace("{n}", &n.to_string())
    }
}

/// What the shortlist pages show.
#[derive(Debug, Clone, Copy)]
pub struct ShortlistView<'a> {
    /// The ids of the link, in order.
    pub shortlist: &'a Shortlist,
    /// The shortlist's programs still in the directory, in shortlist order,
    /// with their distance from `near` when one was given.
    pub programs: &'a [Hit],
    /// How many ids of the link are no longer in the directory.
    pub missing: usize,
    /// The place distances are measured from, as given (`near=`) and as resolved.
    pub near: Option<&'a str>,
    /// `near` as resolved (`Sacramento, CA 95814`).
    pub near_label: Option<&'a str>,
    /// The shortlist page's absolute URL, to copy, share and encode as a QR code.
    pub share_url: &'a str,
}

/// The shortlist page: the programs with their key facts and remove links,
/// the link to copy or share, and the way to print, compare or download.
pub fn shortlist(ctx: &SiteContext, view: &ShortlistView<'_>) -> Markup {
    let list = view.shortlist;
    // the search and program pages it leads to keep the place distances
    // are measured from, and the list
    let onward = |path: &str| match view.near {
        Some(near) => list.carried(&format!("{path}?near={}", encode(near))),
        None => list.carried(path),
    };
    let content = html! {
        div.shortlist-page {
            h1 { (ctx.t("Your shortlist")) }
            @if list.is_empty() {
                p { (ctx.t("Your shortlist is empty. Search for programs and choose \u{201c}Add to shortlist\u{201d} on the ones you want to keep, print or send.")) }
                p { a.button href=(ctx.keep("/")) { (ctx.t("Find programs")) } }
            } @else if view.programs.is_empty() {
                // every program of the link has left the directory: nothing
                // to share, print or compare
                p.notice role="note" { (ctx.t("None of the programs in this link are in the directory any more.")) }
                p { a.button href=(ctx.href(&view.near.map_or("/".to_string(), |near| format!("/search?near={}", encode(near))))) { (ctx.t("Find programs")) } }
            } @else {
                p.lede {
                    (count(ctx, view.programs.len()))
                    @if let Some(label) = view.near_label {
                        ". " (ctx.t("Distances from")) " " (label)
                    }
                    ". "
                    (ctx.t("The list lives only in its link: nothing is stored on our side, and anyone with the link sees the same list."))
                }
                @if view.missing > 0 {
                    p.notice role="note" {
                        (ctx.t("Some programs in this link are no longer in the directory and are left out:"))
                        " " (view.missing)
                    }
                }
                section.share aria-labelledby="share-heading" {
                    h2 #share-heading { (ctx.t("Share this shortlist")) }
                    label for="share-url" { (ctx.t("Link to this shortlist (copy it into an e-mail or a text message)")) }
                    input #share-url type="text" readonly value=(view.share_url);
                    div.share-actions data-share-url=(view.share_url) data-copied=(ctx.t("Link copied.")) data-title=(ctx.t("Shortlist of intensive outpatient programs")) {
                        button.button type="button" data-action="copy" hidden { (ctx.t("Copy link")) }
                        button.button type="button" data-action="share" hidden { (ctx.t("Share")) }
                        p.share-status role="status" {}
                    }
                    ul.shortlist-actions {
                        li { a href=(ctx.href(&list.page("/shortlist/print", view.near))) { (ctx.t("Printable handout with QR code")) } }
                        @if (2..=4).contains(&view.programs.len()) {
                            li { a href=(ctx.href(&list.page("/compare", view.near))) { (ctx.t("Compare these programs side by side")) } }
                        } @else if view.programs.len() > 4 {
                            li { (ctx.t("To compare side by side, keep 2 to 4 programs on the list.")) }
                        }
                        li { a href=(list.page("/shortlist.csv", view.near)) download { (ctx.t("Download as a spreadsheet (CSV)")) } }
                    }
                }
                h2.visually-hidden { (ctx.t("Programs on the shortlist")) }
                ol.results-list.shortlist-list {
                    @for hit in view.programs {
                        @let id = hit.listing.id.as_str();
                        @let name = hit.listing.display_name();
                        li id={ "p-" (id) } {
                            (program_card(ctx, hit, &escaped_page(ctx, &onward(&format!("/programs/{id}"))),
                                remove_link(ctx, &list.without(id).page("/shortlist", view.near), &name), &BTreeMap::new(), None))
                        }
                    }
                }
                p { a href=(ctx.href(&onward("/search"))) { (ctx.t("Search for more programs")) } }
            }
        }
        script src="/static/share.js" defer {}
    };
    layout(
        ctx,
        &Page {
            title: ctx.t("Your shortlist").as_str(),
            description: ctx
                .t("A shortlist of intensive outpatient programs to share, print or compare.")
                .as_str(),
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}

/// "Remove" on the shortlist's own pages: a link to the list without it.
pub(crate) fn remove_link(ctx: &SiteContext, href: &str, name: &str) -> Markup {
    html! {
        a.shortlist-toggle.added href=(ctx.href(href)) {
            span aria-hidden="true" { "\u{d7} " }
            (ctx.t("Remove from shortlist"))
            span.visually-hidden { ": " (name) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    /// A toggle link's href as it was made before [`escaped_page`]: the
    /// whole href built (the list toggled, carried), put in the page's
    /// language, then escaped.
    fn href_before(ctx: &SiteContext, list: &Shortlist, id: &str, page: &str) -> String {
        let toggled = if list.contains(id) {
            list.without(id)
        } else {
            list.with(id)
        };
        let mut href = ctx.href(&toggled.carried(page));
        href.push_str("#p-");
        href.push_str(id);
        html! { (href) }.into_string()
    }

    #[test]
    fn toggle_links_go_where_they_went() {
        let id = |n: usize| format!("{n:012x}");
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..500 {
            let ids: Vec<String> = (0..rng.usize(0..=MAX_SHORTLIST))
                .map(|_| id(rng.usize(0..20)))
                .collect();
            let list = Shortlist::parse(&ids.join(",")).unwrap_or_default();
            let program = id(rng.usize(0..20));
            let page = [
                "/",
                "/search",
                "/search?near=19104&q=a%2Ab&insurance=medicaid",
                "/programs/0000000000aa",
            ][rng.usize(0..4)];
            for lang in Lang::ALL {
                let ctx = SiteContext::in_language(lang);
                let link = toggle_link(
                    &ctx,
                    &list,
                    &program,
                    PreEscaped("A & B"),
                    &escaped_page(&ctx, page),
                    true,
                )
                .into_string();
                if list.is_full() && !list.contains(&program) {
                    assert!(!link.contains("href"), "{link}");
                    continue;
                }
                let want = format!("href=\"{}\"", href_before(&ctx, &list, &program, page));
                assert!(link.contains(&want), "{link}\n{want}");
            }
        }
    }
}
