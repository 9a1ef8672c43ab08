//! The program card of result lists and shortlists.

use super::facts::{accepting, group_label, hours_a_week};
use super::frame::{not_reported, sample_tag};
use crate::format::{tel_href, value_label, Reserve};
use crate::SiteContext;
use iop_index::vocabulary::{GroupId, ValueId};
use iop_index::{Hit, Listing, Vocabulary};
use maud::{html, Markup, PreEscaped};
use std::collections::BTreeMap;

/// The facet groups a card shows when reported, after those the search
/// filters on.
const CARD_GROUPS: [&str; 4] = ["focus", "age", "insurance", "schedule"];

/// How many labels of one group a card shows before "+N more" (those the
/// search asked for are all shown, first).
const CARD_LABELS: usize = 2;

/// A listing as a result card, built for a phone: name, distance and street
/// address, the phone as a large tap target, then the facts the active
/// `filters` ask about (matching values first, marked), the other decisive
/// facts that are reported, and one line naming those that are not.
/// `href` is its program page; `action` goes with the links at the foot
/// (the shortlist's add or remove link). `parts` are the listing's
/// [`CardParts`] in `ctx`'s language when prepared ahead (made here when
/// `None`).
pub(crate) fn program_card(
    ctx: &SiteContext,
    hit: &Hit,
    href: &str,
    action: Markup,
    filters: &BTreeMap<GroupId, Vec<ValueId>>,
    parts: Option<&CardParts>,
) -> Markup {
    let made;
    let parts = match parts {
        Some(parts) => parts,
        None => {
            made = CardParts::of(ctx, &hit.listing);
            &made
        }
    };
    let listing: &iop_index::Listing = &hit.listing;
    let vocabulary = Vocabulary::get();
    // escaped once for its two links
    let href = html! { (href) }.into_string();
    let href = PreEscaped(href.as_str());
    // the groups asked about first (their facts made for this search), then
    // the usual ones (their facts ready)
    let mut missing: Vec<&str> = Vec::new();
    let mut facts: Vec<PreEscaped<&str>> = Vec::new();
    let mut asked: Vec<String> = Vec::new();
    for (&g, wanted) in filters {
        let slug = vocabulary.group(g).slug.as_str();
        let fact = if slug == "schedule" {
            schedule_fact(ctx, listing, wanted)
        } else {
            group_fact(ctx, listing, slug, wanted)
        };
        match fact {
            Some(value) => asked.push(card_fact(group_label(ctx, slug), value).into_string()),
            None => missing.push(group_label(ctx, slug)),
        }
    }
    facts.extend(asked.iter().map(|f| PreEscaped(f.as_str())));
    for (slug, fact) in CARD_GROUPS.iter().zip(&parts.facts) {
        if filters
            .keys()
            .any(|&g| vocabulary.group(g).slug.as_str() == *slug)
        {
            continue;
        }
        match fact {
            Some(fact) => facts.push(PreEscaped(fact)),
            None => missing.push(group_label(ctx, slug)),
        }
    }
    html! {
        // (a card is 1.2-2 KB)
        (Reserve(2048))
        article.card {
            div.card-head {
                h2.card-title { a href=(href) { (PreEscaped(&*parts.name)) } }
                (PreEscaped(&*parts.tag))
            }
            p.card-where {
                @if let Some(miles) = hit.distance_miles {
                    span.distance { (crate::format::distance_text(ctx, listing, miles)) } " \u{b7} "
                }
                (PreEscaped(&*parts.place))
            }
            (PreEscaped(&*parts.call))
            @if !facts.is_empty() || parts.accepting.is_some() {
                dl.card-facts {
                    @for fact in &facts { (fact) }
                    @if let Some(accepting) = &parts.accepting { (PreEscaped(&**accepting)) }
                }
            }
            @if !missing.is_empty() {
                p.card-missing { (ctx.t("Not reported:")) " " (missing.join(", ").to_lowercase()) }
            }
            p.card-actions {
                (action)
                a.card-more href=(href) { (PreEscaped(&*parts.more)) }
            }
        }
    }
}

/// What a listing's result card shows that depends only on the listing and
/// the language: HTML fragments, escaped, rendered once per index
/// generation by the web layer (see [`crate::card_parts`]) or per card.
#[derive(Debug, Clone)]
pub struct CardParts {
    /// The name, escaped (the title link's text).
    name: Box<str>,
    /// The "Sample" tag, or nothing.
    tag: Box<str>,
    /// Street, city and state (after the distance).
    place: Box<str>,
    /// The call paragraph (`p.card-call`).
    call: Box<str>,
    /// Each of [`CARD_GROUPS`]' fact rows when no value of it is asked for;
    /// `None` when not reported.
    facts: [Option<Box<str>>; 4],
    /// The "New clients" fact row, when reported.
    accepting: Option<Box<str>>,
    /// The "Details and sources" link's content.
    more: Box<str>,
}

impl CardParts {
    /// The listing's display name, escaped.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// `listing`'s parts in `ctx`'s language (only [`SiteContext::lang`]
    /// matters).
    pub fn of(ctx: &SiteContext, listing: &Listing) -> CardParts {
        let a = &listing.address;
        let fact = |slug: &str| {
            let value = if slug == "schedule" {
                schedule_fact(ctx, listing, &[])
            } else {
                group_fact(ctx, listing, slug, &[])
            };
            value.map(|v| card_fact(group_label(ctx, slug), v).into_string().into())
        };
        CardParts {
            name: html! { (listing.display_name()) }.into_string().into(),
            tag: html! { @if listing.sample { (sample_tag(ctx)) } }
                .into_string()
                .into(),
            place: html! {
                @if let Some(street) = &a.street { span.street { (street) } ", " }
                (a.city) ", " (a.state)
            }
            .into_string()
            .into(),
            call: html! {
                p.card-call {
                    @match listing.phone.as_deref().and_then(|p| tel_href(p).map(|h| (p, h))) {
                        Some((phone, tel)) => a.call href=(tel) {
                            span aria-hidden="true" { "\u{260e} " }
                            (ctx.t("Call")) " " span.phone { (phone) }
                            span.visually-hidden { " " (listing.display_name()) }
                        },
                        None => { (ctx.t("Phone")) ": " @match &listing.phone { Some(p) => span.phone { (p) }, None => (not_reported(ctx)) } },
                    }
                }
            }
            .into_string()
            .into(),
            facts: CARD_GROUPS.map(fact),
            accepting: listing.accepting_new_clients.is_some().then(|| {
                card_fact(ctx.t("New clients").as_str(), accepting(ctx, listing.accepting_new_clients))
                    .into_string()
                    .into()
            }),
            more: html! {
                (ctx.t("Details and sources")) span.visually-hidden { " " (ctx.t("for")) " " (listing.display_name()) }
            }
            .into_string()
            .into(),
        }
    }
}

/// A group's values on a card, those the search asked for (`wanted`) first
/// and marked; `None` when the listing reports none.
fn group_fact(
    ctx: &SiteContext,
    listing: &Listing,
    slug: &str,
    wanted: &[ValueId],
) -> Option<Markup> {
    let vocabulary = Vocabulary::get();
    let values = listing.values(slug);
    if values.is_empty() {
        return None;
    }
    let is_wanted = |value: &str| wanted.iter().any(|&id| vocabulary.value(id).slug == value);
    // labels borrowed from the vocabulary (a slug it does not know is shown
    // as it is)
    let mut ordered: Vec<(bool, &str)> = values
        .iter()
        .map(|v| (is_wanted(v), value_label(ctx, slug, v)))
        .collect();
    ordered.sort_by_key(|(hit, _)| !hit);
    let shown = ordered
        .iter()
        .filter(|(hit, _)| *hit)
        .count()
        .max(CARD_LABELS);
    let more = ordered.len().saturating_sub(shown);
    Some(html! {
        @for (i, (hit, label)) in ordered.iter().take(shown).enumerate() {
            @if i > 0 { ", " }
            @if *hit { strong.match { span aria-hidden="true" { "\u{2713} " } (label) } } @else { (label) }
        }
        @if more > 0 {
            " " span.more { (ctx.tf("+{n} more", &[("n", &more.to_string())])) }
        }
    })
}

/// "Evening, Weekend · 9 hours a week" on a card; `None` when neither the
/// tracks nor the hours are reported.
fn schedule_fact(ctx: &SiteContext, listing: &Listing, wanted: &[ValueId]) -> Option<Markup> {
    let tracks = group_fact(ctx, listing, "schedule", wanted);
    let hours = listing.schedule.hours_per_week;
    if tracks.is_none() && hours.is_none() {
        return None;
    }
    Some(html! {
        @if let Some(tracks) = &tracks { (tracks) }
        @if let Some(h) = hours {
            @if tracks.is_some() { " \u{b7} " }
            (hours_a_week(ctx, h))
        }
    })
}

fn card_fact(label: &str, value: Markup) -> Markup {
    html! {
        div.fact {
            dt { (label) }
            dd { (value) }
        }
    }
}
