//! The about page: what the directory is, where its data comes from, how it
//! is checked, what it doesn't do, levels of care, credits.

use crate::components::programs;
use crate::format::{date_part, date_text, short_url, thousands, web_url};
use crate::layout::{layout, Nav, Page};
use crate::pages::program::source_date;
use crate::SiteContext;
use iop_index::GenerationMeta;
use maud::{html, Markup};

/// The about page for the generation `meta`. `public_domain_kinds`: the
/// source kinds whose facility data the credits name as public domain (the
/// web layer gives SAMHSA's National Directory, a work of the U.S.
/// government); each source of `meta` of one of these kinds is named there.
pub fn about(ctx: &SiteContext, meta: &GenerationMeta, public_domain_kinds: &[&str]) -> Markup {
    let content = html! {
        article.prose {
            h1 { (ctx.t("About IOP Finder")) }
            p.lede {
                (ctx.t("IOP Finder is a free, public directory and search engine for intensive outpatient programs (IOPs) for mental health and substance use in the United States. It is for families looking for care, and for the clinicians and discharge planners who help them."))
            }

            h2 #sources { (ctx.t("Where the data comes from")) }
            @if meta.sample {
                p.notice.sample-notice {
                    strong { (ctx.t("This site is showing sample data.")) }
                    " " (ctx.t("The fictional sample directory is shown until the directory has crawled real data."))
                }
            }
            @if meta.sources.is_empty() {
                p { (ctx.t("No sources are loaded yet.")) }
            } @else {
                // scrolls sideways on a phone: a region the keyboard reaches
                div.table-scroll role="region" aria-label=(ctx.t("Sources of the listings")) tabindex="0" {
                    table.sources-table {
                        caption { (ctx.t("Sources of the listings")) }
                        thead {
                            tr {
                                th scope="col" { (ctx.t("Source")) }
                                th scope="col" { (ctx.t("Edition or date")) }
                                th scope="col" { (ctx.t("Programs")) }
                                th scope="col" { (ctx.t("Checked")) }
                            }
                        }
                        tbody {
                            @for source in &meta.sources {
                                tr {
                                    th scope="row" {
                                        (ctx.data(&source.title))
                                        @if let Some(url) = source.url.as_deref().filter(|u| iop_index::listing::is_public_url(u)).and_then(web_url) {
                                            br;
                                            a href=(url) rel="nofollow noopener" { (short_url(url)) }
                                        }
                                    }
                                    td { (source_date(ctx, source.edition.as_deref())) }
                                    td { (thousands(source.listings)) }
                                    td {
                                        @match (&source.oldest_check, &source.newest_check) {
                                            (Some(old), Some(new)) if old != new => {
                                                time datetime=(old) { (date_text(ctx, old)) } " " (ctx.t("to")) " " time datetime=(new) { (date_text(ctx, new)) }
                                            }
                                            (Some(date), _) | (None, Some(date)) => { time datetime=(date) { (date_text(ctx, date)) } }
                                            (None, None) => { span.not-reported { (ctx.t("not reported")) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p {
                @match date_part(&meta.built_at) {
                    Some(date) => { (ctx.t("This index was built on")) " " time datetime=(date) { (date_text(ctx, date)) } }
                    None => { (ctx.t("This index was built at an unknown time")) }
                }
                " " (ctx.t("and lists")) " " (programs(ctx, meta.listings)) "."
                " "
                span.generation { "(" (ctx.t("Index generation")) " " (meta.generation) ".)" }
            }

            h2 { (ctx.t("How listings are checked")) }
            ul {
                li { (ctx.t("Every fact on a program's page shows the source it came from and the date it was last checked.")) }
                li { (ctx.t("Facts that no source reported are shown as \u{201c}not reported\u{201d}. We never guess them.")) }
                li { (ctx.t("Programs change their hours, insurance and services. Please confirm the details with the program before you go.")) }
            }

            h2 { (ctx.t("What we don't do")) }
            p {
                (ctx.t("No paid placement: programs cannot pay to appear or to rank higher. No ads. No tracking: no analytics, no cookies, no third-party scripts or fonts."))
            }

            h2 { (ctx.t("Levels of care, from least to most intensive")) }
            dl.levels {
                dt { (ctx.t("Outpatient")) }
                dd { (ctx.t("Therapy or counselling, usually once or twice a week for an hour or so.")) }
                dt { (ctx.t("Intensive outpatient (IOP)")) }
                dd { (ctx.t("Structured treatment, typically 9 to 19 hours a week over 3 to 5 days, while living at home.")) }
                dt { (ctx.t("Partial hospitalization (PHP)")) }
                dd { (ctx.t("Day treatment, usually 5 days a week for most of the day, returning home at night.")) }
                dt { (ctx.t("Residential")) }
                dd { (ctx.t("Living at a treatment facility with care around the clock, often for weeks.")) }
                dt { (ctx.t("Inpatient")) }
                dd { (ctx.t("Hospital care with 24-hour medical supervision, for a crisis or when someone is not safe at home.")) }
            }

            h2 { (ctx.t("Open data")) }
            p {
                (ctx.tf("The whole directory as files, built on {date}, with each source and its licence:", &[("date", meta.built_at.get(..10).unwrap_or(&meta.built_at))]))
            }
            ul.downloads {
                li { a href="/download/iop-programs.csv" download { (ctx.t("Every program (CSV)")) } }
                li { a href="/download/iop-programs.jsonl" download { (ctx.t("Every program, every fact with its source (JSON lines)")) } }
                li { a href="/download/datapackage.json" { (ctx.t("What the files hold: sources, licences and date (data package)")) } }
                li { a href="/hsds/" { (ctx.t("Open Referral HSDS 3.0 API")) } " · " a href="/api/v1/openapi.json" { (ctx.t("JSON API description (OpenAPI)")) } }
            }

            h2 { (ctx.t("Credits")) }
            ul.credits {
                li {
                    (ctx.t("ZIP code coordinates:")) " "
                    a href="https://www.geonames.org/" { "GeoNames" }
                    " (CC BY 4.0)"
                }
                li {
                    (ctx.t("Map: state and county lines and place names from the U.S. Census Bureau (2017 cartographic boundary files, 2022 Gazetteer places;")) " "
                    (ctx.t("public domain")) "), "
                    (ctx.t("through the us-atlas and weather-util-data packages"))
                }
                @for source in meta.sources.iter().filter(|s| public_domain_kinds.contains(&s.kind.as_str())) {
                    li { (ctx.t("Facility data:")) " " (source.title) " (" (ctx.t("public domain")) ")" }
                }
            }
        }
    };
    layout(
        ctx,
        &Page {
            title: ctx.t("About").as_str(),
            description: ctx.t("What IOP Finder is, where its data comes from and how it is checked. No ads, no paid placement, no tracking.").as_str(),
            nav: Nav::About,
            noindex: false,
        },
        content,
    )
}
