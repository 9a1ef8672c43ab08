//! Error pages (400, 404, 500): what happened, what to try, a search form.

use crate::components::{search_form, FormValues};
use crate::format::safe_href;
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use maud::{html, Markup};

/// A status-specific heading.
fn heading(status: u16) -> &'static str {
    match status {
        400 => "We couldn't understand that search",
        404 => "Page not found",
        500..=599 => "Something went wrong",
        _ => "Something went wrong",
    }
}

/// 400/404/500 pages. `suggestions` are (label, href) links ("Did you mean Springfield, IL?").
pub fn error_page(
    ctx: &SiteContext,
    status: u16,
    title: &str,
    message: &str,
    suggestions: &[(String, String)],
) -> Markup {
    let heading = heading(status);
    let page_title = if title.is_empty() { heading } else { title };
    let content = html! {
        section.error aria-labelledby="error-heading" {
            h1 #error-heading { (heading) }
            @if !title.is_empty() && title != heading {
                p.error-title { strong { (title) } }
            }
            @if !message.is_empty() {
                p.error-message { (message) }
            }
            @if !suggestions.is_empty() {
                h2 { "Try one of these" }
                ul.suggestions {
                    @for (label, href) in suggestions {
                        li {
                            @match safe_href(href) {
                                Some(href) => a href=(href) { (label) },
                                None => span { (label) },
                            }
                        }
                    }
                }
            }
            @if status >= 500 {
                p { "This is our fault, not yours. Please try again in a moment." }
            }
            h2 { "Try a new search" }
            (search_form(FormValues::default(), html! {}))
            p { a href="/" { "Go to the home page" } }
        }
    };
    layout(
        ctx,
        &Page {
            title: page_title,
            description: "IOP Finder could not show this page.",
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}
