//! The printable handout of a shortlist: one sheet (A4 or Letter) with each
//! program's key facts and phone numbers, the 988 line, the date printed and
//! a QR code of the shortlist's link, drawn here as inline SVG. No site
//! chrome: a discharge planner hands it over as it is.

use crate::components::{group_label, hours_a_week, labels_markup, not_reported, phone_link};
use crate::format::{date_text, labels_of, short_url, web_url};
use crate::layout::{head_essentials, SITE_NAME};
use crate::pages::shortlist::{count, ShortlistView};
use crate::SiteContext;
use iop_index::Listing;
use maud::{html, Markup, Render, DOCTYPE};
use qrcode::{Color, EcLevel, QrCode};

/// Modules of white space around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// The handout page. `printed` is today's date (`2026-11-24`).
pub fn handout(ctx: &SiteContext, view: &ShortlistView<'_>, printed: &str) -> Markup {
    let back = ctx.href(&view.shortlist.page("/shortlist", view.near));
    let other = ctx.lang.other();
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                (head_essentials(&format!("{} | {SITE_NAME}", ctx.t("Programs to consider")), true))
                @if let Some(canonical) = ctx.absolute_in(ctx.lang) {
                    link rel="canonical" href=(canonical);
                }
                @for lang in crate::Lang::ALL {
                    @if let Some(href) = ctx.absolute_in(lang) {
                        link rel="alternate" hreflang=(lang.code()) href=(href);
                    }
                }
            }
            body.handout-page {
                main.handout {
                    p.handout-screen {
                        a href=(back) { (ctx.t("Back to the shortlist")) }
                        " \u{b7} "
                        a href=(ctx.path_in(other)) lang=(other.code()) hreflang=(other.code()) { (other.name()) }
                        " \u{b7} "
                        (ctx.t("To print this sheet, use your browser's Print command (Ctrl+P, or \u{2318}P on a Mac)."))
                        " "
                        button.button type="button" data-action="print" hidden { (ctx.t("Print this sheet")) }
                    }
                    header.handout-head {
                        div {
                            p.handout-site { (SITE_NAME) }
                            h1 { (ctx.t("Intensive outpatient programs to consider")) }
                            p {
                                (count(ctx, view.programs.len()))
                                @if let Some(label) = view.near_label {
                                    " \u{b7} " (ctx.t("Distances from")) " " (label)
                                }
                                " \u{b7} " (ctx.t("Printed")) " " time datetime=(printed) { (date_text(ctx, printed)) }
                            }
                        }
                        figure.handout-qr {
                            (qr_svg(ctx, view.share_url))
                            figcaption {
                                (ctx.t("Scan to open this list online:"))
                                br;
                                span.handout-url { (view.share_url) }
                            }
                        }
                    }
                    p.handout-crisis {
                        strong { (ctx.t("In crisis? Call or text 988 (Suicide & Crisis Lifeline), or call 911 in an emergency.")) }
                    }
                    @if ctx.sample {
                        p.handout-sample { strong { (ctx.t("Sample data: not real programs")) } }
                    }
                    @if view.programs.is_empty() {
                        p { (ctx.t("Your shortlist is empty.")) }
                    }
                    ol.handout-list {
                        @for hit in view.programs {
                            li { (program_facts(ctx, &hit.listing, hit.distance_miles)) }
                        }
                    }
                    p.handout-note {
                        (ctx.t("Programs change: call to confirm insurance, schedule and openings before you go."))
                    }
                }
                script src="/static/share.js" defer {}
            }
        }
    }
}

fn program_facts(ctx: &SiteContext, listing: &Listing, miles: Option<f64>) -> Markup {
    let a = &listing.address;
    let tracks = labels_of(ctx, listing, "schedule");
    let fact = |label: &str, value: Markup| html! { div { dt { (label) } dd { (value) } } };
    html! {
        article.handout-program {
            h2 { (listing.display_name()) }
            dl {
                (fact(ctx.t("Address").as_str(), html! {
                    @if let Some(street) = &a.street { (street) ", " }
                    @if let Some(street2) = &a.street2 { (street2) ", " }
                    (a.city) ", " (a.state) " " (a.zip)
                    @if let Some(miles) = miles { " (" (crate::format::Distance(ctx, listing, miles)) ")" }
                }))
                (fact(ctx.t("Phone").as_str(), html! {
                    @match &listing.phone { Some(p) => (phone_link(p)), None => (not_reported(ctx)) }
                    @if let Some(intake) = &listing.intake_phone {
                        " \u{b7} " (ctx.t("Intake")) " " (phone_link(intake))
                    }
                }))
                (fact(group_label(ctx, "focus"), labels_markup(ctx, &labels_of(ctx, listing, "focus")).render()))
                (fact(group_label(ctx, "age"), labels_markup(ctx, &labels_of(ctx, listing, "age")).render()))
                (fact(group_label(ctx, "insurance"), labels_markup(ctx, &labels_of(ctx, listing, "insurance")).render()))
                (fact(ctx.t("Schedule").as_str(), html! {
                    @if tracks.is_empty() && listing.schedule.hours_per_week.is_none() {
                        (not_reported(ctx))
                    } @else {
                        (tracks.join(", "))
                        @if let Some(h) = listing.schedule.hours_per_week {
                            @if !tracks.is_empty() { " \u{b7} " }
                            (hours_a_week(ctx, h))
                        }
                    }
                }))
                (fact(group_label(ctx, "accreditation"), labels_markup(ctx, &labels_of(ctx, listing, "accreditation")).render()))
                @if let Some(url) = listing.website.as_deref().and_then(web_url) {
                    (fact(ctx.t("Website").as_str(), html! { (short_url(url)) }))
                }
                (fact(ctx.t("Source").as_str(), html! {
                    @for source in &listing.sources { (ctx.data(&source.title)) "; " }
                    @match listing.last_checked() {
                        Some(date) => { (ctx.t("last checked")) " " time datetime=(date) { (date_text(ctx, date)) } },
                        None => { (ctx.t("last checked")) ": " (not_reported(ctx)) },
                    }
                }))
            }
        }
    }
}

/// `text` as a QR code in inline SVG: one path of dark runs on white, with
/// the quiet zone. Nothing when the text is too long for a QR code.
pub(crate) fn qr_svg(ctx: &SiteContext, text: &str) -> Markup {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return html! {};
    };
    let width = code.width();
    let size = width + 2 * QUIET_ZONE;
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!(
                    "M{} {}h{run}v1h-{run}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                ));
            } else {
                x += 1;
            }
        }
    }
    html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {size} {size}"))
            role="img" aria-label=(ctx.t("QR code of the link to this shortlist")) shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}
