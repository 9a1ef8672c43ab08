//! Compare: two to four programs side by side, field by field. A table whose
//! rows are the fields and columns the programs; on a phone it scrolls
//! sideways with the field names held in place (sticky first column).

use crate::components::{
    accepting, group_label, hours_a_week, labels_markup, not_reported, phone_link, reported,
};
use crate::format::{date_text, labels_of, short_url, web_url};
use crate::layout::{layout, Nav, Page};
use crate::pages::shortlist::count;
use crate::SiteContext;
use iop_index::request::Shortlist;
use iop_index::{Hit, Listing};
use maud::{html, Markup, Render};

/// Facet groups compared, in this order (the CSV export's order too).
pub const FACET_GROUPS: [&str; 9] = [
    "focus",
    "age",
    "insurance",
    "modality",
    "schedule",
    "format",
    "language",
    "population",
    "accreditation",
];

/// What the compare page shows.
#[derive(Debug, Clone, Copy)]
pub struct CompareView<'a> {
    /// The programs compared, as asked (their ids form the list).
    pub compared: &'a Shortlist,
    /// The compared programs still in the directory, in list order, with
    /// their distance from `near` when one was given.
    pub programs: &'a [Hit],
    /// The place distances are measured from, as given and as resolved.
    pub near: Option<&'a str>,
    /// `near` as resolved (`Sacramento, CA 95814`).
    pub near_label: Option<&'a str>,
}

/// The compare page: two to four programs side by side, one row per fact.
pub fn compare(ctx: &SiteContext, view: &CompareView<'_>) -> Markup {
    let programs = view.programs;
    let has_distance = programs.iter().any(|h| h.distance_miles.is_some());
    // a row that no program compared reports says nothing: left out
    let nothing = not_reported(ctx).0;
    let row = |label: &str, cell: &dyn Fn(&Hit) -> Markup| {
        let cells: Vec<Markup> = programs.iter().map(cell).collect();
        if cells.iter().all(|c| c.0 == nothing) {
            return html! {};
        }
        html! {
            tr {
                th scope="row" { (label) }
                @for c in cells {
                    td { (c) }
                }
            }
        }
    };
    let content = html! {
        div.compare-page {
            h1 #compare-heading { (ctx.t("Compare programs")) }
            p.lede {
                (count(ctx, programs.len()))
                @if let Some(label) = view.near_label {
                    ". " (ctx.t("Distances from")) " " (label)
                }
                ". " (ctx.t("Programs change: confirm the details with each program before deciding."))
            }
            div.table-scroll role="region" aria-labelledby="compare-heading" tabindex="0" {
                table.compare {
                    caption.visually-hidden { (ctx.t("Programs compared field by field: one column for each program.")) }
                    thead {
                        tr {
                            th scope="col" { span.visually-hidden { (ctx.t("Field")) } }
                            @for hit in programs {
                                th scope="col" {
                                    a href=(ctx.keep(&format!("/programs/{}", hit.listing.id))) { (hit.listing.display_name()) }
                                }
                            }
                        }
                    }
                    tbody {
                        (row(ctx.t("Address").as_str(), &|h| address(&h.listing)))
                        @if has_distance {
                            (row(ctx.t("Distance").as_str(), &|h| reported(ctx, h.distance_miles.map(|miles| crate::format::Distance(ctx, &h.listing, miles))).render()))
                        }
                        (row(ctx.t("Phone").as_str(), &|h| reported(ctx, h.listing.phone.as_deref().map(phone_link)).render()))
                        (row(ctx.t("Intake phone").as_str(), &|h| reported(ctx, h.listing.intake_phone.as_deref().map(phone_link)).render()))
                        (row(ctx.t("Website").as_str(), &|h| reported(ctx, h.listing.website.as_deref().and_then(web_url).map(|url| html! {
                            a href=(url) rel="nofollow noopener" { (short_url(url)) }
                        })).render()))
                        (row(ctx.t("New clients").as_str(), &|h| accepting(ctx, h.listing.accepting_new_clients).render()))
                        @for group in FACET_GROUPS {
                            (row(group_label(ctx, group), &|h| labels_markup(ctx, &labels_of(ctx, &h.listing, group)).render()))
                        }
                        (row(ctx.t("Hours a week").as_str(), &|h| reported(ctx, h.listing.schedule.hours_per_week.map(|hours| hours_a_week(ctx, hours))).render()))
                        (row(ctx.t("Days a week").as_str(), &|h| reported(ctx, h.listing.schedule.days_per_week).render()))
                        (row(ctx.t("Program length (weeks)").as_str(), &|h| reported(ctx, h.listing.schedule.program_weeks).render()))
                        (row(ctx.t("Also offers partial hospitalization (PHP)").as_str(), &|h| yes_no(ctx, h.listing.level_of_care.php)))
                        (row(ctx.t("Sources").as_str(), &|h| sources(ctx, &h.listing)))
                    }
                }
            }
            ul.shortlist-actions {
                li { a href=(ctx.href(&view.compared.page("/shortlist", view.near))) { (ctx.t("Shortlist of these programs: share or print")) } }
                li { a href=(ctx.keep("/")) { (ctx.t("Find programs")) } }
            }
        }
    };
    layout(
        ctx,
        &Page {
            title: ctx.t("Compare programs").as_str(),
            description: ctx
                .t("Intensive outpatient programs compared side by side.")
                .as_str(),
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}

fn address(listing: &Listing) -> Markup {
    let a = &listing.address;
    html! {
        @if let Some(street) = &a.street { (street) br; }
        @if let Some(street2) = &a.street2 { (street2) br; }
        (a.city) ", " (a.state) " " (a.zip)
    }
}

fn yes_no(ctx: &SiteContext, value: Option<bool>) -> Markup {
    match value {
        Some(true) => html! { (ctx.t("Yes")) },
        Some(false) => html! { (ctx.t("No")) },
        None => html! { (not_reported(ctx)) },
    }
}

/// Each source's title, and the date the listing was last checked.
fn sources(ctx: &SiteContext, listing: &Listing) -> Markup {
    html! {
        @for source in &listing.sources {
            (ctx.data(&source.title)) br;
        }
        @match listing.last_checked() {
            Some(date) => { (ctx.t("Last checked")) " " time datetime=(date) { (date_text(ctx, date)) } },
            None => { (ctx.t("Last checked")) ": " (not_reported(ctx)) },
        }
    }
}
