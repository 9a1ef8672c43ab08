//! One program: contact, every fact with its source and check date, sources.

use crate::components::{
    accepting, fact_row, fact_source, group_source, hours_a_week, labels_markup, not_reported,
    phone_link, phone_link_to, reported, sample_tag, yes_no,
};
use crate::format::{
    date_text, labels_of, search_href, short_url, tel_href, web_url, Reserve, Text,
};
use crate::layout::{Nav, Page};
use crate::pages::shortlist::{escaped_page, shortlist_bar, toggle_link};
use crate::{Phrase, SiteContext};
use iop_index::request::Shortlist;
use iop_index::{Listing, Point, SearchRequest, Vocabulary};
use maud::{html, Markup, PreEscaped, Render};

use crate::layout::frame_around;
use crate::pages::report::report_section;
use crate::share::{listing_head, DEFAULT_PUBLIC_URL};
use iop_index::request::encode;
use iop_index::Precision;

/// No source note (a fact row whose section has one for all its rows).
const NOTHING: PreEscaped<&str> = PreEscaped("");

/// Facet groups shown in the schedule section rather than with the others.
const SCHEDULE_GROUP: &str = "schedule";

/// A listing's page without a shortlist, search or reports (see
/// [`program_page_from`]).
pub fn program(ctx: &SiteContext, listing: &Listing) -> Markup {
    program_with_shortlist(ctx, listing, &Shortlist::default())
}

/// The program page for a visitor carrying a shortlist (`list=`): "Add to
/// shortlist" or "Remove from shortlist", and the shortlist bar.
pub fn program_with_shortlist(
    ctx: &SiteContext,
    listing: &Listing,
    shortlist: &Shortlist,
) -> Markup {
    program_page(ctx, listing, shortlist, DEFAULT_PUBLIC_URL)
}

/// The program page with its canonical URL, Open Graph URL and JSON-LD made
/// absolute against `public_url` (`https://iopfinder.example`).
pub fn program_page(
    ctx: &SiteContext,
    listing: &Listing,
    shortlist: &Shortlist,
    public_url: &str,
) -> Markup {
    program_page_from(ctx, listing, shortlist, public_url, None, &[])
}

/// [`program_page`] for a visitor who came from a search (its parameters
/// ride along on the card's link: a link back to those results, and the
/// shortlist links keep the search too), and for a listing with open
/// "report a problem" reports: `reported` are the days (`YYYY-MM-DD`) they
/// were received; the page says a correction was reported on the latest
/// (never what the report says).
pub fn program_page_from(
    ctx: &SiteContext,
    listing: &Listing,
    shortlist: &Shortlist,
    public_url: &str,
    search: Option<&SearchRequest>,
    reported: &[String],
) -> Markup {
    let tel = TelLinks::of(listing);
    program_page_with_tel(ctx, listing, &tel, shortlist, public_url, search, reported)
}

/// The `tel:` links of a listing's phone and intake phone ([`tel_href`]:
/// the number parsed and validated, which is most of what a program page
/// would otherwise spend), made once per listing: the web layer prepares
/// them per index generation; [`program_page_from`] makes them per page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TelLinks {
    /// The `tel:` URI of [`Listing::phone`], when it can be dialled.
    phone: Option<Box<str>>,
    /// The `tel:` URI of [`Listing::intake_phone`], when it can be dialled.
    intake_phone: Option<Box<str>>,
}

impl TelLinks {
    /// `listing`'s links (`None` for a number that is missing or cannot be
    /// dialled).
    pub fn of(listing: &Listing) -> TelLinks {
        let tel = |p: &Option<String>| p.as_deref().and_then(tel_href).map(Into::into);
        TelLinks {
            phone: tel(&listing.phone),
            intake_phone: tel(&listing.intake_phone),
        }
    }
}

/// [`program_page_from`] with the listing's [`TelLinks`] made ahead (they
/// must be `TelLinks::of(listing)`); the page is the same.
pub fn program_page_with_tel(
    ctx: &SiteContext,
    listing: &Listing,
    tel: &TelLinks,
    shortlist: &Shortlist,
    public_url: &str,
    search: Option<&SearchRequest>,
    reported: &[String],
) -> Markup {
    let own = match search {
        Some(request) => program_href(&listing.id, request),
        None => format!("/programs/{}", listing.id),
    };
    let name = listing.display_name();
    let description = ctx.tf(
        "{name}, {city}, {state}: an intensive outpatient program. Insurance, ages, schedule and sources of every fact.",
        &[
            ("name", &name),
            ("city", &listing.address.city),
            ("state", &listing.address.state),
        ],
    );
    // the frame and the article in one buffer, grown once (see
    // `frame_around`): a program's article is 8-14 KB, and 16 KB leaves room
    let (before, after) = frame_around(
        ctx,
        &Page {
            title: &name,
            description: &description,
            nav: Nav::None,
            noindex: false,
        },
        listing_head(ctx, listing, public_url, &name, &description),
    );
    html! {
        (Reserve(before.len() + 16 * 1024 + after.len()))
        (PreEscaped(before))
        article.program {
            @if listing.sample {
                div.notice.sample-notice role="note" {
                    p {
                        strong { (ctx.t("Sample: not a real program")) }
                        " " (ctx.t("This listing is fictional, from the sample directory shown until real data is loaded."))
                    }
                }
            }
            @if let Some(request) = search {
                p.back-to-results {
                    a href=(Text(&ctx.href(&shortlist.carried(&search_href(request))))) {
                        span aria-hidden="true" { "\u{2190} " } (ctx.t("Back to the results"))
                    }
                }
            }
            div.program-head {
                h1 { (Text(&name)) @if listing.sample { " " (sample_tag(ctx)) } }
                @if listing.program_name.is_some() && name != listing.name {
                    p.org { (ctx.t("Offered by")) " " (Text(&listing.name)) }
                }
                @if listing.accepting_new_clients.is_some() {
                    p.status { (accepting(ctx, listing.accepting_new_clients)) }
                }
                @if let Some(date) = reported.iter().max() {
                    p.notice.correction-reported role="note" {
                        (ctx.tf("A correction to this listing was reported on {date}; we are checking it. Please confirm details with the program.", &[("date", &date_text(ctx, date))]))
                    }
                }
                (program_call(ctx, listing, tel))
                p.program-shortlist {
                    (toggle_link(ctx, shortlist, &listing.id, PreEscaped(&html! { (Text(&name)) }.into_string()), &escaped_page(ctx, &own), false))
                }
                (before_you_call(ctx))
            }
            div.program-layout {
                div.program-main {
                    (contact_section(ctx, listing, tel))
                    @if let Some(text) = &listing.description {
                        section aria-labelledby="about-program" {
                            h2 #about-program { (ctx.t("About this program")) }
                            p.description { (Text(text)) }
                            (fact_source(ctx, listing, "description"))
                        }
                    }
                    (details_section(ctx, listing))
                    (schedule_section(ctx, listing))
                    (level_of_care_section(ctx, listing))
                    (sources_section(ctx, listing))
                    (report_section(ctx, listing))
                }
            }
            (shortlist_bar(ctx, shortlist, None))
        }
        (PreEscaped(after))
    }
}

fn contact_section(ctx: &SiteContext, listing: &Listing, tel: &TelLinks) -> Markup {
    let address = &listing.address;
    html! {
        section aria-labelledby="contact" {
            h2 #contact { (ctx.t("Contact and location")) }
            dl.facts {
                (fact_row(ctx.t("Address").as_str(), html! {
                    p.address {
                        @if let Some(street) = &address.street { (Text(street)) br; }
                        @if let Some(street2) = &address.street2 { (Text(street2)) br; }
                        (Text(&address.city)) ", " (Text(&address.state)) " " (Text(&address.zip))
                    }
                }, fact_source(ctx, listing, "address")))
                (fact_row(ctx.t("Map").as_str(), reported(ctx, match (listing.point, &address.street) {
                    (Some(point), _) if point.precision == Precision::Exact => Some(directions(ctx, point)),
                    (_, Some(_)) => Some(address_directions(ctx, listing)),
                    (Some(point), None) => Some(directions(ctx, point)),
                    (None, None) => None,
                }), fact_source(ctx, listing, "point")))
                (fact_row(ctx.t("Phone").as_str(), reported(ctx, listing.phone.as_deref().map(|phone| {
                    phone_link_to(phone, tel.phone.as_deref())
                })), fact_source(ctx, listing, "phone")))
                (fact_row(ctx.t("Intake phone").as_str(), reported(ctx, listing.intake_phone.as_deref().map(|phone| html! {
                    // every intake line the sources give, the first first
                    // (its tel: link prepared; the rare others made here)
                    (phone_link_to(phone, tel.intake_phone.as_deref()))
                    @for more in &listing.more_intake_phones { br; (phone_link(more)) }
                })), fact_source(ctx, listing, "intake_phone")))
                (fact_row(ctx.t("Website").as_str(), reported(ctx, listing.website.as_deref().map(website)), fact_source(ctx, listing, "website")))
            }
        }
    }
}

/// The phone (and intake phone) as large tap targets, at the top.
fn program_call(ctx: &SiteContext, listing: &Listing, tel: &TelLinks) -> Markup {
    let calls: Vec<(Phrase, &str, &str)> = [
        (
            ctx.t("Call"),
            listing.phone.as_deref(),
            tel.phone.as_deref(),
        ),
        (
            ctx.t("Intake"),
            listing.intake_phone.as_deref(),
            tel.intake_phone.as_deref(),
        ),
    ]
    .into_iter()
    .filter_map(|(what, phone, tel)| Some((what, phone?, tel?)))
    .collect();
    html! {
        @if !calls.is_empty() {
            p.program-call {
                @for (what, phone, tel) in &calls {
                    a.call href=(Text(tel)) { span aria-hidden="true" { "\u{260e} " } (what) " " span.phone { (phone) } }
                }
            }
        }
    }
}

/// `/programs/{id}` carrying the search the visitor came from.
pub(crate) fn program_href(id: &str, request: &SearchRequest) -> String {
    let query = request.to_query_string();
    if query.is_empty() {
        format!("/programs/{id}")
    } else {
        format!("/programs/{id}?{query}")
    }
}

fn directions(ctx: &SiteContext, point: Point) -> Markup {
    let href = format!(
        "https://www.openstreetmap.org/directions?to={}%2C{}",
        coordinate(point.lat),
        coordinate(point.lon)
    );
    html! {
        a href=(Text(&href)) rel="nofollow noopener" { (ctx.t("Directions on OpenStreetMap")) }
        " "
        span.precision { "(" (ctx.t(point.precision.describe())) ")" }
    }
}

/// Directions by street address, when the point is only a ZIP code or city
/// centre: a plain link to a search of the address (nothing is loaded here).
fn address_directions(ctx: &SiteContext, listing: &Listing) -> Markup {
    let a = &listing.address;
    let street = a.street.as_deref().unwrap_or_default();
    let query = format!("{street}, {}, {} {}", a.city, a.state, a.zip);
    let href = format!(
        "https://www.openstreetmap.org/search?query={}",
        encode(&query)
    );
    html! {
        a href=(Text(&href)) rel="nofollow noopener" { (ctx.t("Directions to this address on OpenStreetMap")) }
    }
}

/// A coordinate to five decimals (about a metre), trailing zeros dropped.
fn coordinate(x: f64) -> String {
    let s = format!("{x:.5}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn website(site: &str) -> Markup {
    html! {
        @match web_url(site) {
            Some(url) => a href=(Text(url)) rel="nofollow noopener" { (Text(short_url(url))) },
            None => span { (Text(site)) },
        }
    }
}

fn details_section(ctx: &SiteContext, listing: &Listing) -> Markup {
    let vocabulary = Vocabulary::get();
    html! {
        section aria-labelledby="details" {
            h2 #details { (ctx.t("Program details")) }
            dl.facts {
                (fact_row(ctx.t("Accepting new clients").as_str(), yes_no(ctx, listing.accepting_new_clients, ctx.t("Yes"), ctx.t("No")),
                    fact_source(ctx, listing, "accepting_new_clients")))
                @for group in vocabulary.groups().iter().filter(|g| g.slug != SCHEDULE_GROUP) {
                    (group_row(ctx, listing, ctx.group_label(group), &group.slug))
                }
            }
        }
    }
}

/// The row of a facet group: the labels of the listing's values, and
/// where each came from.
fn group_row<'a>(
    ctx: &'a SiteContext,
    listing: &'a Listing,
    label: &'a str,
    group: &'a str,
) -> GroupRow<'a> {
    GroupRow {
        ctx,
        listing,
        label,
        group,
    }
}

/// A [`group_row`], written straight into the page.
struct GroupRow<'a> {
    ctx: &'a SiteContext,
    listing: &'a Listing,
    label: &'a str,
    group: &'a str,
}

impl Render for GroupRow<'_> {
    fn render_to(&self, out: &mut String) {
        let (ctx, group) = (self.ctx, self.group);
        let labels = labels_of(ctx, self.listing, group);
        let values = self.listing.values(group);
        let source = group_source(ctx, self.listing, group, values, &labels);
        fact_row(self.label, labels_markup(ctx, &labels), source).render_to(out);
    }
}

fn schedule_section(ctx: &SiteContext, listing: &Listing) -> Markup {
    let schedule = &listing.schedule;
    html! {
        section aria-labelledby="schedule" {
            h2 #schedule { (ctx.t("Schedule")) }
            dl.facts {
                (group_row(ctx, listing, ctx.t("When sessions meet").as_str(), SCHEDULE_GROUP))
                (fact_row(ctx.t("Days a week").as_str(), reported(ctx, schedule.days_per_week.map(|d| match d {
                    1 => ctx.t("1 day a week").to_string(),
                    d => ctx.tf("{n} days a week", &[("n", &d.to_string())]),
                })), NOTHING))
                (fact_row(ctx.t("Hours a week").as_str(), reported(ctx, schedule.hours_per_week.map(|h| hours_a_week(ctx, h))), NOTHING))
                (fact_row(ctx.t("Sessions").as_str(), html! {
                    @if schedule.sessions.is_empty() {
                        (not_reported(ctx))
                    } @else {
                        ul.sessions {
                            @for s in &schedule.sessions {
                                li {
                                    (ctx.t(s.weekday.name())) " "
                                    time datetime=(s.start) { (clock(ctx, s.start)) }
                                    "\u{2013}"
                                    time datetime=(s.end) { (clock(ctx, s.end)) }
                                }
                            }
                        }
                    }
                }, NOTHING))
                (fact_row(ctx.t("Program length").as_str(), reported(ctx, schedule.program_weeks.map(|w| match w {
                    1 => ctx.t("About 1 week").to_string(),
                    w => ctx.tf("About {n} weeks", &[("n", &w.to_string())]),
                })), NOTHING))
            }
            (fact_source(ctx, listing, "schedule"))
        }
    }
}

fn level_of_care_section(ctx: &SiteContext, listing: &Listing) -> Markup {
    let care = &listing.level_of_care;
    html! {
        section aria-labelledby="level-of-care" {
            h2 #level-of-care { (ctx.t("Level of care")) }
            dl.facts {
                (fact_row(ctx.t("Intensive outpatient (IOP)").as_str(), yes_no(ctx, Some(true), ctx.t("Yes"), ctx.t("No")), NOTHING))
                (fact_row(ctx.t("Partial hospitalization (PHP)").as_str(), yes_no(ctx, care.php, ctx.t("Yes"), ctx.t("No")), NOTHING))
                (fact_row(ctx.t("Outpatient care to step down to").as_str(), yes_no(ctx, care.outpatient, ctx.t("Yes"), ctx.t("No")), NOTHING))
            }
            (fact_source(ctx, listing, "level_of_care"))
        }
    }
}

fn sources_section(ctx: &SiteContext, listing: &Listing) -> Markup {
    html! {
        section aria-labelledby="sources" {
            h2 #sources { (ctx.t("Sources")) }
            @if listing.sources.is_empty() {
                p { (ctx.t("No sources are recorded for this listing.")) }
            } @else {
                ul.sources {
                    @for (i, source) in listing.sources.iter().enumerate() {
                        li id={ "source-" (i + 1) } {
                            @if listing.sources.len() > 1 { (ctx.t("Source")) " " (i + 1) ": " }
                            span.source-title { (Text(ctx.data(&source.title))) }
                            // a public page only: never the private or
                            // loopback address a file was read from
                            @if let Some(url) = source.public_url().and_then(web_url) {
                                br;
                                a href=(Text(url)) rel="nofollow noopener" { (Text(short_url(url))) }
                            }
                            @if let Some(record) = &source.record {
                                br;
                                span.record { (ctx.t("Record:")) " " (Text(record)) }
                            }
                            br;
                            span.source-date { (source_date(ctx, source.edition.as_deref())) }
                            @if let Some(date) = listing.provenance.iter().filter(|p| p.source == i).map(|p| p.checked).max() {
                                br;
                                (ctx.t("We last read it on")) " " time datetime=(date) { (date_text(ctx, date)) }
                            }
                            @let facts = facts_from(ctx, listing, i);
                            @if !facts.is_empty() {
                                br;
                                span.source-facts { (ctx.t("Facts from this source:")) " " (Text(&facts.join(", "))) }
                            }
                        }
                    }
                }
            }
            p.last-checked {
                @match listing.last_checked() {
                    Some(date) => { (ctx.t("Last checked")) " " time datetime=(date) { (date_text(ctx, date)) } "." }
                    None => { (ctx.t("Last checked")) ": " (not_reported(ctx)) }
                }
                " " (ctx.t("Programs change; please confirm details with the program."))
            }
        }
    }
}

/// What source `source` of a listing reported, in words and page order
/// ("Address, Phone, Insurance and payment"), each once.
fn facts_from(ctx: &SiteContext, listing: &Listing, source: usize) -> Vec<String> {
    let vocabulary = Vocabulary::get();
    let mut words: Vec<String> = Vec::new();
    for p in listing.provenance.iter().filter(|p| p.source == source) {
        let word = match p.fact.split_once('/') {
            Some((group, _)) => vocabulary
                .group_by_slug(group)
                .map(|g| ctx.group_label(g).to_string()),
            None => match p.fact.as_str() {
                "name" => Some(ctx.t("Name")),
                "address" => Some(ctx.t("Address")),
                "point" => Some(ctx.t("Map")),
                "phone" => Some(ctx.t("Phone")),
                "intake_phone" => Some(ctx.t("Intake phone")),
                "website" => Some(ctx.t("Website")),
                "description" => Some(ctx.t("About this program")),
                "schedule" => Some(ctx.t("Schedule")),
                "level_of_care" => Some(ctx.t("Level of care")),
                "accepting_new_clients" => Some(ctx.t("Accepting new clients")),
                _ => None,
            }
            .map(|word| word.to_string()),
        };
        if let Some(word) = word.filter(|w| !words.contains(w)) {
            words.push(word);
        }
    }
    words
}

/// The source's own date, apart from when it was read: "Edition of 2023",
/// "Dated 2025-08-19", or "Source's date: not reported".
pub(crate) fn source_date(ctx: &SiteContext, edition: Option<&str>) -> Markup {
    html! {
        @match edition {
            Some(year) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => {
                (ctx.tf("Edition of {year}", &[("year", year)]))
            }
            Some(date) => { (ctx.t("Dated")) " " time datetime=(date) { (date_text(ctx, date)) } }
            None => { (ctx.t("Source's date:")) " " (not_reported(ctx)) }
        }
    }
}

fn before_you_call(ctx: &SiteContext) -> Markup {
    html! {
        aside.tip aria-labelledby="before-you-call" {
            h2 #before-you-call { (ctx.t("Before you call")) }
            ul {
                li { (ctx.t("Ask whether they take your insurance, and what you would pay.")) }
                li { (ctx.t("Ask about the schedule: which days and hours, and whether evening or telehealth sessions are offered.")) }
                li { (ctx.t("Ask whether there is a waitlist, and how intake works.")) }
                li { (ctx.t("Have a pen ready, and ask who you spoke to.")) }
            }
        }
    }
}

/// A time of day as the page's language writes it: "4:00 pm", "4:00 p. m.".
fn clock(ctx: &SiteContext, time: iop_index::listing::ClockTime) -> String {
    let text = time.to_12h();
    match ctx.lang {
        crate::Lang::En => text,
        crate::Lang::Es => text.replace(" am", " a. m.").replace(" pm", " p. m."),
    }
}
