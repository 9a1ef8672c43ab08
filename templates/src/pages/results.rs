//! The results page: heading, search form, active filters, sort, cards,
//! pagination and the facet sidebar; an honest empty state.

use crate::components::{
    active_filters, coverage_note, facet_sidebar, filter_chips, hidden_filters, pagination,
    phone_link, program_card, programs, search_form, sort_links, FormValues, QUOTE,
};
use crate::format::{search_href, search_href_on_page, Reserve, Text};
use crate::layout::{frame_around, Nav, Page};
use crate::pages::shortlist::{escaped_page, search_csv_link, shortlist_bar, toggle_link};
use crate::{CardParts, SiteContext};
use iop_index::request::Shortlist;
use iop_index::request::{format_miles, Change};
use iop_index::{Hit, SearchRequest, SearchResults};
use maud::{html, Markup, PreEscaped, Render};
use std::borrow::Cow;

use crate::map::{markers, results_map};
use iop_index::Vocabulary;

/// Wider distances the empty state offers, in miles.
const WIDER: [f64; 2] = [50.0, 100.0];

/// The SAMHSA National Helpline: free treatment referral, around the clock.
const SAMHSA_HELPLINE: &str = "1-800-662-4357";

/// The results page of `request` without a shortlist and, for no result,
/// the empty state without counts (see [`results_page`]).
pub fn results(ctx: &SiteContext, request: &SearchRequest, results: &SearchResults) -> Markup {
    results_with_shortlist(ctx, request, results, &Shortlist::default())
}

/// The results page for a visitor carrying a shortlist (`list=`): each card
/// has its add or remove link, and the shortlist bar shows the count.
pub fn results_with_shortlist(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
) -> Markup {
    results_page(ctx, request, results, shortlist, None)
}

/// The results page. `widenings` are the searches an empty result offers
/// (see `iop_index::request::widenings_of`) with how many each finds; `None` offers them
/// without counts.
pub fn results_page(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
    widenings: Option<&[Widening]>,
) -> Markup {
    results_page_with_cards(ctx, request, results, shortlist, widenings, &[])
}

/// [`results_page`] with the hits' [`CardParts`] prepared ahead in `ctx`'s
/// language: `cards[i]` goes with `results.hits[i]` (a hit without one, or
/// past the end of `cards`, has its parts made here). The page is the same.
pub fn results_page_with_cards(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
    widenings: Option<&[Widening]>,
    cards: &[Option<&CardParts>],
) -> Markup {
    let origin = results.origin.as_ref().or(request.origin.as_ref());
    // the search, written once for the 20 cards' links
    let query = request.to_query_string();
    let here = search_href(request);
    let here_escaped = escaped_page(ctx, &here);
    // a card's link, escaped: the program page in the page's language, the
    // program's id, then the search and the list every card carries
    let program_path = escaped_page(ctx, "/programs/");
    let program_tail = {
        let tail = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let mut out = String::new();
        Text(&shortlist.carried(&tail)).render_to(&mut out);
        out
    };
    let card_href = |id: &str| {
        let mut href = String::with_capacity(program_path.len() + id.len() + program_tail.len());
        href.push_str(&program_path);
        href.push_str(id);
        href.push_str(&program_tail);
        href
    };
    let miles = format_miles(request.radius_miles);
    let within = |o: &iop_index::Origin| {
        if request.radius_miles == 1.0 {
            ctx.tf("within 1 mile of {place}", &[("place", &o.label)])
        } else {
            ctx.tf(
                "within {n} miles of {place}",
                &[("n", &miles), ("place", &o.label)],
            )
        }
    };
    let title = match origin {
        Some(o) => format!("{} {}", ctx.t("Programs"), within(o)),
        None => ctx.t("Search results").to_string(),
    };
    let title = match results.page {
        1 => title,
        n => ctx.tf(
            "{title}, page {n}",
            &[("title", &title), ("n", &n.to_string())],
        ),
    };
    let offset = (results.page - 1) * results.per_page;
    let selected: usize = request.filters.values().map(Vec::len).sum();
    // the form starts open when there is nothing to summarise or nothing found
    let form_open = results.total == 0 || (origin.is_none() && request.text.is_none());
    let (before, after) = frame_around(
        ctx,
        &Page {
            title: &title,
            description: ctx.t("Intensive outpatient programs matching your search, with distance, insurance, ages, schedule and sources.").as_str(),
            nav: Nav::Search,
            noindex: true,
        },
        html! {},
    );
    // the frame and the content in one buffer (see `frame_around`), grown
    // once: about 1.6 KB a card, 30 KB of filters, 4 KB of map and the rest
    let room = before.len() + after.len() + 48 * 1024 + results.hits.len() * 2 * 1024;
    html! {
        (Reserve(room))
        (PreEscaped(before))
        div.results-top {
            h1 #results-heading {
                (Text(&programs(ctx, results.total)))
                @if let Some(o) = origin {
                    " " (Text(&within(o)))
                }
                @if let Some(text) = &request.text {
                    " " (ctx.t("matching")) " " (QUOTE) (text) (QUOTE)
                }
            }
            details.search-change open[form_open] {
                summary {
                    span.search-summary { (search_summary(ctx, request)) }
                    " " span.change { (ctx.t("Change")) span.visually-hidden { " " (ctx.t("the search")) } }
                }
                (search_form(ctx, FormValues::of(request), hidden_filters(request)))
            }
            div.results-tools {
                a.filters-open href="#filters" {
                    @if selected == 0 { (ctx.t("Filters")) } @else { (ctx.tf("Filters ({n})", &[("n", &selected.to_string())])) }
                }
                @if !results.hits.is_empty() {
                    (sort_links(ctx, request, results.sort, shortlist))
                }
            }
            (active_filters(ctx, request, shortlist))
        }
        div.results-layout {
            section.results aria-labelledby="results-heading" {
                @if results.total == 0 {
                    @match widenings {
                        Some(w) => (counted_empty_state(ctx, request, w)),
                        None => (empty_state(ctx, request, shortlist)),
                    }
                } @else if results.hits.is_empty() {
                    div.empty {
                        h2 { (ctx.t("No results on this page")) }
                        p {
                            (ctx.tf("This search has {programs} on {n} pages.", &[("programs", &programs(ctx, results.total)), ("n", &results.pages().to_string())])) " "
                            a href=(ctx.href(&shortlist.carried(&search_href_on_page(request, 1)))) { (ctx.t("Go to the first page")) }
                        }
                    }
                } @else {
                    ol.results-list start=(offset + 1) {
                        @for (i, hit) in results.hits.iter().enumerate() {
                            @let id = hit.listing.id.as_str();
                            li id={ "p-" (id) } {
                                span.num aria-hidden="true" { (offset + 1 + i) }
                                (program_card(ctx,
                                    hit,
                                    &card_href(id),
                                    toggle_link(ctx, shortlist, id, PreEscaped(&card_name(hit, cards.get(i).copied().flatten())), &here_escaped, true),
                                    &request.filters,
                                    cards.get(i).copied().flatten(),
                                ))
                            }
                        }
                    }
                    (pagination(ctx, request, results, shortlist))
                    (search_csv_link(ctx, request, results.total))
                }
                (shortlist_bar(ctx, shortlist, request.near.as_deref()))
            }
            div.results-side {
                @if !results.hits.is_empty() {
                    @let placed = markers(&results.hits, offset + 1);
                    (results_map(ctx, &placed, results.hits.len() - placed.len(), origin, request.radius_miles))
                }
                (facet_sidebar(ctx, request, results, shortlist))
            }
        }
        (PreEscaped(after))
    }
}

/// A card's program name, escaped: from its prepared parts when there are.
fn card_name<'a>(hit: &Hit, parts: Option<&'a CardParts>) -> Cow<'a, str> {
    match parts {
        Some(parts) => Cow::Borrowed(parts.name()),
        None => Cow::Owned(html! { (hit.listing.display_name()) }.into_string()),
    }
}

/// The search in one line: "19104 · 25 mi · \u{201c}cbt\u{201d}".
fn search_summary(ctx: &SiteContext, request: &SearchRequest) -> Markup {
    html! {
        @match &request.near {
            Some(near) => { (near) " \u{b7} " (format_miles(request.radius_miles)) " " (ctx.t("mi")) },
            None => (ctx.t("Anywhere")),
        }
        @if let Some(text) = &request.text {
            " \u{b7} " (QUOTE) (text) (QUOTE)
        }
    }
}

/// Nothing matched: ways to widen the search (without pretending to know
/// how many each would find).
fn empty_state(ctx: &SiteContext, request: &SearchRequest, shortlist: &Shortlist) -> Markup {
    let wider: Vec<SearchRequest> = if request.origin.is_some() {
        WIDER
            .iter()
            .filter(|&&r| r > request.radius_miles)
            .map(|&r| SearchRequest {
                radius_miles: r,
                page: 1,
                ..request.clone()
            })
            .collect()
    } else {
        Vec::new()
    };
    let without_text = request.text.as_ref().map(|_| SearchRequest {
        text: None,
        page: 1,
        ..request.clone()
    });
    let ways = html! {
        @for next in &wider {
            li {
                a href=(ctx.keep(&search_href(next))) {
                    (ctx.tf("Search within {n} miles", &[("n", &format_miles(next.radius_miles))]))
                }
            }
        }
        @if !request.filters.is_empty() {
            li {
                (ctx.t("Remove a filter:")) " "
                ul.chips {
                    @for chip in filter_chips(ctx, request, shortlist) {
                        li { (chip) }
                    }
                }
            }
        }
        @if let (Some(next), Some(text)) = (&without_text, &request.text) {
            li {
                a href=(ctx.keep(&search_href(next))) {
                    (ctx.t("Search without the keywords")) " " (QUOTE) (text) (QUOTE)
                }
            }
        }
    };
    empty_frame(ctx, request, true, ways)
}

/// A search an empty result offers instead, and how many programs it finds.
#[derive(Debug, Clone, PartialEq)]
pub struct Widening {
    /// How the search was widened.
    pub change: Change,
    /// The wider search (its link).
    pub request: SearchRequest,
    /// How many programs it finds.
    pub total: usize,
}

/// Nothing matched: each way to widen the search with the number of
/// programs it finds (the web layer ran them).
fn counted_empty_state(
    ctx: &SiteContext,
    request: &SearchRequest,
    widenings: &[Widening],
) -> Markup {
    let vocabulary = Vocabulary::get();
    let ways = html! {
        @for w in widenings {
            @let what = match w.change {
                Change::Radius(miles) => html! { (ctx.t("Widen the search to")) " " (format_miles(miles)) " " (ctx.t("mi")) },
                Change::DropFilter(_, value) => html! { (ctx.t("Remove the filter")) " " (QUOTE) (ctx.label(vocabulary.value(value))) (QUOTE) },
                Change::DropAllFilters => html! { (ctx.t("Remove every filter")) },
                Change::DropText => html! {
                    (ctx.t("Search without the keywords")) " " (QUOTE) (request.text.as_deref().unwrap_or_default()) (QUOTE)
                },
            };
            li {
                @if w.total > 0 {
                    a href=(ctx.keep(&search_href(&w.request))) { (what) }
                    " " span.count { "(" (count_programs(ctx, w.total)) ")" }
                } @else {
                    (what) ": " span.count { (ctx.t("no programs either")) }
                }
            }
        }
    };
    empty_frame(ctx, request, !widenings.is_empty(), ways)
}

/// What both empty states share: the heading, the ways to find more (after
/// an introduction when `intro`), the suggestions every empty result ends
/// with, and SAMHSA's helpline.
fn empty_frame(ctx: &SiteContext, request: &SearchRequest, intro: bool, ways: Markup) -> Markup {
    html! {
        div.empty {
            h2 { (ctx.t("No programs matched this search")) }
            @if ctx.listings == 0 {
                p { (ctx.t("The directory has no programs loaded yet. Please try again later.")) }
            } @else {
                @if intro {
                    p { (ctx.t("Some ways to find more:")) }
                }
                ul.suggestions {
                    (ways)
                    @if request.origin.is_none() {
                        li { (ctx.t("Enter a ZIP code or a city in the form above to search near a place.")) }
                    }
                    li { (ctx.t("Check the spelling of the place or the keywords.")) }
                }
            }
            (coverage_note(ctx))
            p {
                (ctx.t("SAMHSA's National Helpline is free, confidential and open 24 hours a day; it can also help you find treatment:"))
                " " (phone_link(SAMHSA_HELPLINE))
            }
        }
    }
}

/// "1 program", "12 programs", in the page's language.
fn count_programs(ctx: &SiteContext, n: usize) -> String {
    match n {
        1 => format!("1 {}", ctx.t("matching program")),
        n => format!(
            "{} {}",
            crate::format::thousands(n),
            ctx.t("matching programs")
        ),
    }
}
