//! The home page: the search form with the first filters families ask about,
//! and what an IOP is.

use crate::components::{coverage_note, filter_fieldset, search_form, FormValues};
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

/// The home page: the search form with the common filters.
pub fn home(ctx: &SiteContext) -> Markup {
    let filters = html! {
        div.home-filters {
            h2.filters-title { (ctx.t("Narrow it down (optional)")) }
            p.hint { (ctx.t("Tick any that matter to you; you can change them on the results page.")) }
            div.fieldsets {
                (filter_fieldset(ctx, "insurance", &HOME_INSURANCE))
                (filter_fieldset(ctx, "focus", &[]))
                (filter_fieldset(ctx, "age", &[]))
            }
            div.field-submit {
                button.button type="submit" { (ctx.t("Find programs")) }
            }
        }
    };
    let content = html! {
        section.hero aria-labelledby="home-heading" {
            h1 #home-heading { (ctx.t("Find an intensive outpatient program near you")) }
            p.lede {
                (ctx.t("A free, public directory of intensive outpatient programs (IOPs) for mental health and substance use.")) " "
                (ctx.t("Search by ZIP code or city; every fact shows where it came from."))
            }
            (search_form(ctx, FormValues::default(), filters))
            (coverage_note(ctx))
        }
        section.explainer aria-labelledby="what-is-an-iop" {
            h2 #what-is-an-iop { (ctx.t("What is an IOP?")) }
            p {
                (ctx.t("An intensive outpatient program is structured treatment, typically 9 to 19 hours a week spread over 3 to 5 days, while you keep living at home. It sits between weekly therapy and residential or inpatient care."))
            }
            h3 { (ctx.t("Who it can suit")) }
            ul {
                li { (ctx.t("People who need more support than a weekly therapy session, but can safely live at home.")) }
                li { (ctx.t("People stepping down from a hospital stay, residential treatment or a partial hospitalization program.")) }
                li { (ctx.t("People stepping up when outpatient therapy alone isn't enough.")) }
            }
            h3 { (ctx.t("How to choose")) }
            p {
                (ctx.t("Ask each program about its schedule (daytime, evening or weekend), which insurance it takes, the ages it serves, and its approach to treatment. It's fine to call several; a clinician or your insurer can help you decide, too."))
            }
        }
    };
    layout(
        ctx,
        &Page {
            title: "",
            description: ctx.t("Find intensive outpatient programs (IOPs) for mental health and substance use near you. Free, no ads, no tracking; every fact shows its source.").as_str(),
            nav: Nav::Search,
            noindex: false,
        },
        content,
    )
}
