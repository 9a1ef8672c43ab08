//! The results page: heading, search form, active filters, sort, cards,
//! pagination and the facet sidebar; an honest empty state.

use crate::components::{
    active_filters, facet_sidebar, filter_chips, hidden_filters, pagination, phone_link,
    program_card, programs, search_form, sort_links, FormValues, QUOTE,
};
use crate::format::search_href;
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use iop_index::request::format_miles;
use iop_index::{SearchRequest, SearchResults};
use maud::{html, Markup};

/// Wider distances the empty state offers, in miles.
const WIDER: [f64; 2] = [50.0, 100.0];

/// The SAMHSA National Helpline: free treatment referral, around the clock.
const SAMHSA_HELPLINE: &str = "1-800-662-4357";

pub fn results(ctx: &SiteContext, request: &SearchRequest, results: &SearchResults) -> Markup {
    let origin = results.origin.as_ref().or(request.origin.as_ref());
    let miles = format_miles(request.radius_miles);
    let unit = if request.radius_miles == 1.0 {
        "mile"
    } else {
        "miles"
    };
    let title = match origin {
        Some(o) => format!("Programs within {miles} {unit} of {}", o.label),
        None => "Search results".to_string(),
    };
    let title = match results.page {
        1 => title,
        n => format!("{title}, page {n}"),
    };
    let offset = (results.page - 1) * results.per_page;
    let content = html! {
        div.results-top {
            h1 #results-heading {
                (programs(results.total))
                @if let Some(o) = origin {
                    " within " (miles) " " (unit) " of " (o.label)
                }
                @if let Some(text) = &request.text {
                    " matching " (QUOTE) (text) (QUOTE)
                }
            }
            p.jump { a href="#filters" { "Jump to filters" } }
            (search_form(FormValues::of(request), hidden_filters(request)))
            (active_filters(request))
        }
        div.results-layout {
            section.results aria-labelledby="results-heading" {
                @if results.total == 0 {
                    (empty_state(ctx, request))
                } @else if results.hits.is_empty() {
                    div.empty {
                        h2 { "No results on this page" }
                        p {
                            "This search has " (programs(results.total)) " on " (results.pages()) " pages. "
                            a href=(search_href(&request.on_page(1))) { "Go to the first page" }
                        }
                    }
                } @else {
                    (sort_links(request, results.sort))
                    ol.results-list start=(offset + 1) {
                        @for hit in &results.hits {
                            li { (program_card(hit)) }
                        }
                    }
                    (pagination(request, results))
                }
            }
            (facet_sidebar(request, results))
        }
    };
    layout(
        ctx,
        &Page {
            title: &title,
            description: "Intensive outpatient programs matching your search, with distance, insurance, ages, schedule and sources.",
            nav: Nav::Search,
            noindex: true,
        },
        content,
    )
}

/// Nothing matched: ways to widen the search (without pretending to know
/// how many each would find).
fn empty_state(ctx: &SiteContext, request: &SearchRequest) -> Markup {
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
    html! {
        div.empty {
            h2 { "No programs matched this search" }
            @if ctx.listings == 0 {
                p { "The directory has no programs loaded yet. Please try again later." }
            } @else {
                p { "Some ways to find more:" }
                ul.suggestions {
                    @for next in &wider {
                        li {
                            a href=(search_href(next)) {
                                "Search within " (format_miles(next.radius_miles)) " miles"
                            }
                        }
                    }
                    @if !request.filters.is_empty() {
                        li {
                            "Remove a filter: "
                            ul.chips {
                                @for chip in filter_chips(request) {
                                    li { (chip) }
                                }
                            }
                        }
                    }
                    @if let (Some(next), Some(text)) = (&without_text, &request.text) {
                        li {
                            a href=(search_href(next)) {
                                "Search without the keywords " (QUOTE) (text) (QUOTE)
                            }
                        }
                    }
                    @if request.origin.is_none() {
                        li { "Enter a ZIP code or a city in the form above to search near a place." }
                    }
                    li { "Check the spelling of the place or the keywords." }
                }
            }
            p {
                "SAMHSA's National Helpline, " (phone_link(SAMHSA_HELPLINE))
                ", is free, confidential and open 24 hours a day; it can also help you find treatment."
            }
        }
    }
}
