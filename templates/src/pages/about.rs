//! The about page: what the directory is, where its data comes from, how it
//! is checked, what it doesn't do, levels of care, credits.

use crate::components::programs;
use crate::format::{date_part, thousands};
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use iop_index::GenerationMeta;
use maud::{html, Markup};

/// The source kind of the SAMHSA National Directory (a public-domain work of
/// the U.S. government).
const SAMHSA_KIND: &str = "samhsa-directory";

pub fn about(ctx: &SiteContext, meta: &GenerationMeta) -> Markup {
    let content = html! {
        article.prose {
            h1 { "About IOP Finder" }
            p.lede {
                "IOP Finder is a free, public directory and search engine for intensive outpatient programs (IOPs) "
                "for mental health and substance use in the United States. It is for families looking for care, "
                "and for the clinicians and discharge planners who help them."
            }

            h2 #sources { "Where the data comes from" }
            @if meta.sample {
                p.notice.sample-notice {
                    strong { "This site is showing sample data." }
                    " The fictional sample directory is shown until the directory has crawled real data."
                }
            }
            @if meta.sources.is_empty() {
                p { "No sources are loaded yet." }
            } @else {
                div.table-scroll {
                    table.sources-table {
                        caption { "Sources of the listings" }
                        thead {
                            tr {
                                th scope="col" { "Source" }
                                th scope="col" { "Programs" }
                                th scope="col" { "Checked" }
                            }
                        }
                        tbody {
                            @for source in &meta.sources {
                                tr {
                                    th scope="row" { (source.title) }
                                    td { (thousands(source.listings)) }
                                    td {
                                        @match (&source.oldest_check, &source.newest_check) {
                                            (Some(old), Some(new)) if old != new => {
                                                time datetime=(old) { (old) } " to " time datetime=(new) { (new) }
                                            }
                                            (Some(date), _) | (None, Some(date)) => { time datetime=(date) { (date) } }
                                            (None, None) => { span.not-reported { "not reported" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p {
                "This index was built "
                @match date_part(&meta.built_at) {
                    Some(date) => { "on " time datetime=(date) { (date) } }
                    None => { "at an unknown time" }
                }
                " and lists " (programs(meta.listings)) "."
                " "
                span.generation { "(Index generation " (meta.generation) ".)" }
            }

            h2 { "How listings are checked" }
            ul {
                li { "Every fact on a program's page shows the source it came from and the date it was last checked." }
                li { "Facts that no source reported are shown as \u{201c}not reported\u{201d}. We never guess them." }
                li { "Programs change their hours, insurance and services. Please confirm the details with the program before you go." }
            }

            h2 { "What we don't do" }
            p {
                "No paid placement: programs cannot pay to appear or to rank higher. No ads. No tracking: "
                "no analytics, no cookies, no third-party scripts or fonts."
            }

            h2 { "Levels of care, from least to most intensive" }
            dl.levels {
                dt { "Outpatient" }
                dd { "Therapy or counselling, usually once or twice a week for an hour or so." }
                dt { "Intensive outpatient (IOP)" }
                dd { "Structured treatment, typically 9 to 19 hours a week over 3 to 5 days, while living at home." }
                dt { "Partial hospitalization (PHP)" }
                dd { "Day treatment, usually 5 days a week for most of the day, returning home at night." }
                dt { "Residential" }
                dd { "Living at a treatment facility with care around the clock, often for weeks." }
                dt { "Inpatient" }
                dd { "Hospital care with 24-hour medical supervision, for a crisis or when someone is not safe at home." }
            }

            h2 { "Credits" }
            ul.credits {
                li {
                    "ZIP code coordinates: "
                    a href="https://www.geonames.org/" { "GeoNames" }
                    " (CC BY 4.0)"
                }
                @for source in meta.sources.iter().filter(|s| s.kind == SAMHSA_KIND) {
                    li { "Facility data: " (source.title) " (public domain)" }
                }
            }
        }
    };
    layout(
        ctx,
        &Page {
            title: "About",
            description: "What IOP Finder is, where its data comes from and how it is checked. No ads, no paid placement, no tracking.",
            nav: Nav::About,
            noindex: false,
        },
        content,
    )
}
