//! The program card of result lists and shortlists.

use super::facts::{accepting, group_label, hours_a_week};
use super::frame::{not_reported, sample_tag};
use crate::format::{tel_href, Text};
use crate::i18n::{OneValue, PerLanguage};
use crate::{Lang, SiteContext};
use iop_index::vocabulary::{GroupId, ValueId};
use iop_index::{Hit, Listing, Vocabulary};
use maud::{html, Markup, PreEscaped, Render};
use std::collections::BTreeMap;

/// The facet groups a card shows when reported, after those the search
/// filters on.
const CARD_GROUPS: [&str; 4] = ["focus", "age", "insurance", "schedule"];

/// How many labels of one group a card shows before "+N more" (those the
/// search asked for are all shown, first).
const CARD_LABELS: usize = 2;

/// Each facet group's label as a card's "Not reported:" line lists it, in
/// lower case and escaped, by group id: made once per language (a card
/// lowered and escaped each label it listed, about twenty a page).
fn missing_labels(lang: Lang) -> &'static [Box<str>] {
    fn make(lang: Lang) -> Vec<Box<str>> {
        Vocabulary::get()
            .groups()
            .iter()
            .map(|group| {
                let label = match lang {
                    Lang::En => &group.label,
                    Lang::Es => &group.label_es,
                };
                let mut lower = String::new();
                Text(&label.to_lowercase()).render_to(&mut lower);
                lower.into()
            })
            .collect()
    }
    static LABELS: PerLanguage<Vec<Box<str>>> = PerLanguage::new(make);
    LABELS.get(lang)
}

/// A listing as a result card, built for a phone: name, distance and street
/// address, the phone as a large tap target, then the facts the active
/// `filters` ask about (matching values first, marked), the other decisive
/// facts that are reported, and one line naming those that are not.
/// `href` is its program page, escaped for an attribute (a results page
/// escapes the part its twenty cards share once); `action` goes with the links at the foot
/// (the shortlist's add or remove link). `parts` are the listing's
/// [`CardParts`] in `ctx`'s language when prepared ahead (made here when
/// `None`). The card is written straight into the page that splices it.
pub(crate) fn program_card<'a>(
    ctx: &'a SiteContext,
    hit: &'a Hit,
    href: &'a str,
    action: Markup,
    filters: &'a BTreeMap<GroupId, Vec<ValueId>>,
    parts: Option<&'a CardParts>,
) -> ProgramCard<'a> {
    ProgramCard {
        ctx,
        hit,
        href,
        action,
        filters,
        parts,
    }
}

/// [`program_card`]'s card, rendered where it is spliced.
pub(crate) struct ProgramCard<'a> {
    ctx: &'a SiteContext,
    hit: &'a Hit,
    href: &'a str,
    action: Markup,
    filters: &'a BTreeMap<GroupId, Vec<ValueId>>,
    parts: Option<&'a CardParts>,
}

impl Render for ProgramCard<'_> {
    fn render_to(&self, out: &mut String) {
        let ctx = self.ctx;
        let made;
        let parts = match self.parts {
            Some(parts) => parts,
            None => {
                made = CardParts::of(ctx, &self.hit.listing);
                &made
            }
        };
        let listing: &Listing = &self.hit.listing;
        let vocabulary = Vocabulary::get();
        let href = self.href;
        // (a card is 1.2-2 KB)
        out.reserve(2048);
        out.push_str(
            r#"<article class="card"><div class="card-head"><h2 class="card-title"><a href=""#,
        );
        out.push_str(href);
        out.push_str(r#"">"#);
        out.push_str(&parts.name);
        out.push_str("</a></h2>");
        out.push_str(&parts.tag);
        out.push_str(r#"</div><p class="card-where">"#);
        if let Some(miles) = self.hit.distance_miles {
            out.push_str(r#"<span class="distance">"#);
            crate::format::Distance(ctx, listing, miles).render_to(out);
            out.push_str("</span> \u{b7} ");
        }
        out.push_str(&parts.place);
        out.push_str("</p>");
        out.push_str(&parts.call);
        // the groups asked about first (their facts made for this search),
        // then the usual ones (their facts ready); the list is dropped again
        // when it has none
        let mut missing: Vec<&str> = Vec::new();
        let not_reported_as = missing_labels(ctx.lang);
        let facts_at = out.len();
        out.push_str(r#"<dl class="card-facts">"#);
        let mut any = false;
        for (&g, wanted) in self.filters {
            let slug = vocabulary.group(g).slug.as_str();
            let label = group_label(ctx, slug);
            let row_at = out.len();
            open_fact(out, label);
            let reported = if slug == "schedule" {
                schedule_fact(ctx, listing, wanted).map(|value| out.push_str(&value.0))
            } else {
                write_group_fact(out, ctx, listing, slug, wanted).then_some(())
            };
            match reported {
                Some(()) => {
                    close_fact(out);
                    any = true;
                }
                None => {
                    out.truncate(row_at);
                    missing.push(&not_reported_as[g]);
                }
            }
        }
        for (slug, fact) in CARD_GROUPS.iter().zip(&parts.facts) {
            if self
                .filters
                .keys()
                .any(|&g| vocabulary.group(g).slug.as_str() == *slug)
            {
                continue;
            }
            match fact {
                Some(fact) => {
                    out.push_str(fact);
                    any = true;
                }
                None => missing.push(
                    vocabulary
                        .group_by_slug(slug)
                        .map_or(*slug, |group| &not_reported_as[group.id]),
                ),
            }
        }
        if let Some(accepting) = &parts.accepting {
            out.push_str(accepting);
            any = true;
        }
        if any {
            out.push_str("</dl>");
        } else {
            out.truncate(facts_at);
        }
        if !missing.is_empty() {
            out.push_str(r#"<p class="card-missing">"#);
            ctx.t("Not reported:").render_to(out);
            out.push(' ');
            for (i, label) in missing.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(label);
            }
            out.push_str("</p>");
        }
        out.push_str(r#"<p class="card-actions">"#);
        out.push_str(&self.action.0);
        out.push_str(r#"<a class="card-more" href=""#);
        out.push_str(href);
        out.push_str(r#"">"#);
        out.push_str(&parts.more);
        out.push_str("</a></p></article>");
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
                card_fact(ctx.t("New clients").as_str(), accepting(ctx, listing.accepting_new_clients).render())
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
    let mut out = String::new();
    write_group_fact(&mut out, ctx, listing, slug, wanted).then_some(PreEscaped(out))
}

/// [`group_fact`] written at the end of `out`; false (nothing written)
/// when the listing reports none.
fn write_group_fact(
    out: &mut String,
    ctx: &SiteContext,
    listing: &Listing,
    slug: &str,
    wanted: &[ValueId],
) -> bool {
    let values = listing.values(slug);
    if values.is_empty() {
        return false;
    }
    let vocabulary = Vocabulary::get();
    let labels = value_labels(ctx.lang);
    // which values were asked for, one bit each (compared once: a card
    // writes them in two passes); a listing with more values than bits
    // compares the rest as they come
    // a value is asked for when a search for it is, or a search for a
    // value that finds it ("adolescents" finds "children or adolescents",
    // MAT finds methadone; looked up only when such a value is asked for)
    let finds_others = wanted
        .iter()
        .any(|&id| !vocabulary.value(id).finds.is_empty());
    let asked = |value: &str| {
        wanted.iter().any(|&id| vocabulary.value(id).slug == value)
            || (finds_others
                && vocabulary
                    .lookup(slug, value)
                    .is_some_and(|entry| wanted.iter().any(|&id| entry.answers(id))))
    };
    let mut asked_bits = 0u64;
    for (i, value) in values.iter().enumerate().take(64) {
        if asked(value) {
            asked_bits |= 1 << i;
        }
    }
    let is_asked = |i: usize, value: &str| match i {
        0..64 => asked_bits & (1 << i) != 0,
        _ => asked(value),
    };
    let matching = values
        .iter()
        .enumerate()
        .filter(|&(i, v)| is_asked(i, v))
        .count();
    let shown = matching.max(CARD_LABELS);
    // those asked for, then the others, each in the listing's order; labels
    // escaped once per language (a slug the vocabulary does not know is
    // shown as it is)
    let mut written = 0;
    for first in [true, false] {
        for (i, value) in values.iter().enumerate() {
            if written == shown {
                break;
            }
            if is_asked(i, value) != first {
                continue;
            }
            if written > 0 {
                out.push_str(", ");
            }
            written += 1;
            let label = vocabulary.lookup(slug, value).map(|v| &*labels[v.id]);
            if first {
                out.push_str("<strong class=\"match\"><span aria-hidden=\"true\">\u{2713} </span>");
            }
            match label {
                Some(label) => out.push_str(label),
                None => Text(value).render_to(out),
            }
            if first {
                out.push_str("</strong>");
            }
        }
    }
    let more = values.len().saturating_sub(shown);
    if more > 0 {
        static MORE: OneValue = OneValue::new("+{n} more", "n");
        out.push_str(r#" <span class="more">"#);
        MORE.write(ctx, out, itoa::Buffer::new().format(more));
        out.push_str("</span>");
    }
    true
}

/// Every vocabulary value's label in `lang`, escaped, by value id: made
/// once per language (a card's facts escaped each label they wrote).
fn value_labels(lang: Lang) -> &'static [Box<str>] {
    fn make(lang: Lang) -> Vec<Box<str>> {
        let ctx = SiteContext::in_language(lang);
        Vocabulary::get()
            .values()
            .iter()
            .map(|value| {
                let mut label = String::new();
                Text(ctx.label(value)).render_to(&mut label);
                label.into()
            })
            .collect()
    }
    static LABELS: PerLanguage<Vec<Box<str>>> = PerLanguage::new(make);
    LABELS.get(lang)
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
    let mut out = String::with_capacity(value.0.len() + 64);
    open_fact(&mut out, label);
    out.push_str(&value.0);
    close_fact(&mut out);
    PreEscaped(out)
}

/// A fact row's start, up to its value: `<div class="fact"><dt>…</dt><dd>`.
fn open_fact(out: &mut String, label: &str) {
    out.push_str(r#"<div class="fact"><dt>"#);
    Text(label).render_to(out);
    out.push_str("</dt><dd>");
}

/// A fact row's end, after its value.
fn close_fact(out: &mut String) {
    out.push_str("</dd></div>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::value_label;
    use crate::Lang;
    use iop_index::{Point, Precision};
    use std::sync::Arc;

    /// A group's values as maud wrote them: the oracle for [`group_fact`].
    fn group_fact_by_maud(
        ctx: &SiteContext,
        listing: &Listing,
        slug: &str,
        wanted: &[ValueId],
    ) -> Option<String> {
        let vocabulary = Vocabulary::get();
        let values = listing.values(slug);
        if values.is_empty() {
            return None;
        }
        let is_wanted = |value: &str| {
            let entry = vocabulary.lookup(slug, value);
            wanted
                .iter()
                .any(|&id| entry.map_or(vocabulary.value(id).slug == value, |e| e.answers(id)))
        };
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
        Some(
            html! {
                @for (i, (hit, label)) in ordered.iter().take(shown).enumerate() {
                    @if i > 0 { ", " }
                    @if *hit { strong.match { span aria-hidden="true" { "\u{2713} " } (label) } } @else { (label) }
                }
                @if more > 0 {
                    " " span.more { (ctx.tf("+{n} more", &[("n", &more.to_string())])) }
                }
            }
            .into_string(),
        )
    }

    /// The card as maud wrote it before it was written straight into its
    /// page: the oracle for [`ProgramCard`].
    fn card_by_maud(
        ctx: &SiteContext,
        hit: &Hit,
        href: &str,
        action: Markup,
        filters: &BTreeMap<GroupId, Vec<ValueId>>,
    ) -> String {
        let parts = CardParts::of(ctx, &hit.listing);
        let listing: &Listing = &hit.listing;
        let vocabulary = Vocabulary::get();
        let mut missing: Vec<&str> = Vec::new();
        let mut facts: Vec<String> = Vec::new();
        for (&g, wanted) in filters {
            let slug = vocabulary.group(g).slug.as_str();
            let fact = if slug == "schedule" {
                schedule_fact(ctx, listing, wanted).map(|m| m.0)
            } else {
                group_fact_by_maud(ctx, listing, slug, wanted)
            };
            match fact {
                Some(value) => facts.push(
                    html! { div.fact { dt { (group_label(ctx, slug)) } dd { (PreEscaped(value)) } } }
                        .into_string(),
                ),
                None => missing.push(group_label(ctx, slug)),
            }
        }
        for (slug, fact) in CARD_GROUPS.iter().zip(&parts.facts) {
            if filters
                .keys()
                .any(|&g| vocabulary.group(g).slug.as_str() == *slug)
            {
                continue;
            }
            match fact {
                Some(fact) => facts.push(fact.to_string()),
                None => missing.push(group_label(ctx, slug)),
            }
        }
        html! {
            article.card {
                div.card-head {
                    h2.card-title { a href=(href) { (PreEscaped(&*parts.name)) } }
                    (PreEscaped(&*parts.tag))
                }
                p.card-where {
                    @if let Some(miles) = hit.distance_miles {
                        span.distance { (crate::format::Distance(ctx, listing, miles)) } " \u{b7} "
                    }
                    (PreEscaped(&*parts.place))
                }
                (PreEscaped(&*parts.call))
                @if !facts.is_empty() || parts.accepting.is_some() {
                    dl.card-facts {
                        @for fact in &facts { (PreEscaped(fact)) }
                        @if let Some(accepting) = &parts.accepting { (PreEscaped(&**accepting)) }
                    }
                }
                @if !missing.is_empty() {
                    p.card-missing { (ctx.t("Not reported:").as_str()) " " (missing.join(", ").to_lowercase()) }
                }
                p.card-actions {
                    (action)
                    a.card-more href=(href) { (PreEscaped(&*parts.more)) }
                }
            }
        }
        .into_string()
    }

    /// Every sample listing's card, near and far, exact or placed by its
    /// ZIP code, under filters on one group, several and none (matching
    /// values marked, a schedule asked for), in both languages, is what
    /// maud wrote.
    /// A distance as it was written before [`crate::format::write_distance`]
    /// wrote it in place: the oracle.
    fn distance_by_tf(ctx: &SiteContext, listing: &Listing, miles: f64) -> String {
        let precision = listing.point.map(|p| p.precision);
        let text = match precision {
            Some(Precision::Exact) if miles < 0.1 => ctx.t("under 0.1 mi").to_string(),
            Some(Precision::Exact) => ctx.tf("{n} mi", &[("n", &format!("{miles:.1}"))]),
            Some(Precision::City) if miles < 0.5 => {
                ctx.tf("in {city}", &[("city", &listing.address.city)])
            }
            _ if miles < 0.5 => ctx.tf("in ZIP {zip}", &[("zip", &listing.address.zip)]),
            _ => ctx.tf(
                "about {n} mi",
                &[("n", &format!("{}", miles.round().max(1.0)))],
            ),
        };
        html! { (text) }.into_string()
    }

    #[test]
    fn distances_are_what_the_filled_phrases_were() {
        let listings = iop_crawler::sources::sample::listings().unwrap();
        let miles = [
            0.0, 0.05, 0.1, 0.25, 0.49, 0.5, 0.96, 1.0, 2.449, 12.5, 99.96, 4e15, 1e20,
        ];
        for lang in Lang::ALL {
            let ctx = SiteContext::in_language(lang);
            for listing in listings.iter().take(12) {
                for precision in [
                    None,
                    Some(Precision::Exact),
                    Some(Precision::ZipCentroid),
                    Some(Precision::City),
                ] {
                    let mut listing = listing.clone();
                    listing.address.city = "Coeur d'Alene & <Co> \"Falls\"".to_string();
                    listing.point = precision.map(|precision| Point {
                        lat: 40.0,
                        lon: -75.0,
                        precision,
                    });
                    for m in miles {
                        assert_eq!(
                            html! { (crate::format::Distance(&ctx, &listing, m)) }.into_string(),
                            distance_by_tf(&ctx, &listing, m),
                            "{lang:?} {precision:?} {m}"
                        );
                    }
                }
            }
        }
    }

    /// Many values: those asked for, wherever they are, shown first.
    #[test]
    fn a_group_of_many_values_shows_those_asked_for_first() {
        let vocabulary = Vocabulary::get();
        let mut listing = iop_crawler::sources::sample::listings().unwrap()[0].clone();
        let mut values: Vec<String> = (0..70).map(|k| format!("value-{k}")).collect();
        values[3] = "spanish".into();
        values[66] = "french".into();
        listing.facets.insert("language".into(), values);
        let wanted: Vec<ValueId> = ["spanish", "french", "arabic"]
            .iter()
            .map(|v| vocabulary.lookup("language", v).expect("a known value").id)
            .collect();
        for lang in Lang::ALL {
            let ctx = SiteContext::in_language(lang);
            let ours = group_fact(&ctx, &listing, "language", &wanted).map(|m| m.0);
            assert_eq!(
                ours,
                group_fact_by_maud(&ctx, &listing, "language", &wanted),
                "{lang:?}"
            );
            let ours = ours.unwrap();
            assert_eq!(ours.matches("class=\"match\"").count(), 2, "{ours}");
            assert!(ours.contains("+68"), "{ours}");
        }
    }

    #[test]
    fn cards_are_what_maud_wrote() {
        let vocabulary = Vocabulary::get();
        let filter_sets: Vec<BTreeMap<GroupId, Vec<ValueId>>> = [
            vec![],
            vec![("insurance", vec!["medicaid"])],
            vec![
                ("insurance", vec!["medicaid", "medicare", "tricare"]),
                ("age", vec!["adults"]),
            ],
            vec![
                ("schedule", vec!["evening"]),
                ("focus", vec!["mental-health"]),
            ],
            vec![
                ("modality", vec!["cbt", "dbt"]),
                ("language", vec!["spanish"]),
            ],
        ]
        .into_iter()
        .map(|groups| {
            let mut filters: BTreeMap<GroupId, Vec<ValueId>> = BTreeMap::new();
            for (group, values) in groups {
                for value in values {
                    let v = vocabulary.lookup(group, value).expect("a known value");
                    filters.entry(v.group).or_default().push(v.id);
                }
            }
            filters
        })
        .collect();
        let listings = iop_crawler::sources::sample::listings().unwrap();
        let mut cards = 0;
        for lang in Lang::ALL {
            let ctx = SiteContext::in_language(lang);
            for (i, listing) in listings.iter().enumerate() {
                let mut listing = listing.clone();
                if i % 3 == 1 {
                    if let Some(p) = &mut listing.point {
                        p.precision = [Precision::ZipCentroid, Precision::City][i % 2];
                    }
                }
                let hit = Hit {
                    listing: Arc::new(listing),
                    distance_miles: [None, Some(0.05), Some(0.3), Some(7.25)][i % 4],
                    score: 0.0,
                };
                let href = format!("/programs/{}?near=19104&q=a+%22b%22&amp", hit.listing.id);
                let action = html! { a.shortlist-toggle href="/x?a=1&b=2" { "Add" } };
                for slug in CARD_GROUPS.iter().chain(&["modality", "language"]) {
                    for filters in &filter_sets {
                        let wanted: Vec<ValueId> = filters.values().flatten().copied().collect();
                        assert_eq!(
                            group_fact(&ctx, &hit.listing, slug, &wanted).map(|m| m.0),
                            group_fact_by_maud(&ctx, &hit.listing, slug, &wanted),
                            "{lang:?} {} {slug} {wanted:?}",
                            hit.listing.id
                        );
                    }
                }
                for filters in &filter_sets {
                    let ours = html! {
                        (program_card(&ctx, &hit, &html! { (href) }.0, action.clone(), filters, None))
                    }
                    .into_string();
                    assert_eq!(
                        ours,
                        card_by_maud(&ctx, &hit, &href, action.clone(), filters),
                        "{lang:?} {} {filters:?}",
                        hit.listing.id
                    );
                    cards += 1;
                }
            }
        }
        assert!(cards > 1000, "{cards} cards");
    }
}
