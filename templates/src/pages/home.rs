//! The home page: the search form with the first filters families ask about,
//! and what an IOP is.

use crate::components::{filter_fieldset, search_form, FormValues};
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use maud::{html, Markup};

/// The payment options the home page offers (the full list is on results).
const HOME_INSURANCE: [&str; 6] = [
    "medicaid",
    "medicare",
    "private",
    "tricare",
    "sliding-scale",
    "self-pay",
];

pub fn home(ctx: &SiteContext) -> Markup {
    let filters = html! {
        div.home-filters {
            h2.filters-title { "Narrow it down (optional)" }
            p.hint { "Tick any that matter to you; you can change them on the results page." }
            div.fieldsets {
                (filter_fieldset("insurance", &HOME_INSURANCE))
                (filter_fieldset("focus", &[]))
                (filter_fieldset("age", &[]))
            }
            div.field-submit {
                button.button type="submit" { "Find programs" }
            }
        }
    };
    let content = html! {
        section.hero aria-labelledby="home-heading" {
            h1 #home-heading { "Find an intensive outpatient program near you" }
            p.lede {
                "A free, public directory of intensive outpatient programs (IOPs) for mental health and substance use. "
                "Search by ZIP code or city; every fact shows where it came from."
            }
            (search_form(FormValues::default(), filters))
        }
        section.explainer aria-labelledby="what-is-an-iop" {
            h2 #what-is-an-iop { "What is an IOP?" }
            p {
                "An intensive outpatient program is structured treatment, typically 9 to 19 hours a week "
                "spread over 3 to 5 days, while you keep living at home. It sits between weekly therapy "
                "and residential or inpatient care."
            }
            h3 { "Who it can suit" }
            ul {
                li { "People who need more support than a weekly therapy session, but can safely live at home." }
                li { "People stepping down from a hospital stay, residential treatment or a partial hospitalization program." }
                li { "People stepping up when outpatient therapy alone isn't enough." }
            }
            h3 { "How to choose" }
            p {
                "Ask each program about its schedule (daytime, evening or weekend), which insurance it takes, "
                "the ages it serves, and its approach to treatment. It's fine to call several; "
                "a clinician or your insurer can help you decide, too."
            }
        }
    };
    layout(
        ctx,
        &Page {
            title: "",
            description: "Find intensive outpatient programs (IOPs) for mental health and substance use near you. Free, no ads, no tracking; every fact shows its source.",
            nav: Nav::Search,
            noindex: false,
        },
        content,
    )
}
