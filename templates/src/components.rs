//! Components shared by the pages: crisis line, sample banner, search form,
//! filter checkboxes, program card, facet sidebar, active filter chips, sort
//! links, pagination and fact rows with their sources.

use crate::format::{one_decimal, search_href, tel_href, thousands, value_label};
use crate::Shortlist;
use crate::SiteContext;
use iop_index::listing::Provenance;
use iop_index::request::{format_miles, DEFAULT_PER_PAGE, DEFAULT_RADIUS_MILES, MAX_PAGE};
use iop_index::vocabulary::{GroupId, ValueId};
use iop_index::{
    FacetValue, GroupCounts, Hit, Listing, SearchRequest, SearchResults, Sort, Source, Vocabulary,
};
use maud::{html, Markup, PreEscaped};
use std::collections::BTreeMap;

/// The radius choices of the search form, in miles.
pub(crate) const RADIUS_PRESETS: [f64; 5] = [5.0, 10.0, 25.0, 50.0, 100.0];

/// A facet group with more values than this shows the first
/// [`LONG_GROUP_VISIBLE`] (plus every selected one) and folds the rest.
const LONG_GROUP: usize = 9;
const LONG_GROUP_VISIBLE: usize = 6;

/// A straight double quote, for quoting a search text around an escaped splice.
pub(crate) const QUOTE: PreEscaped<&str> = PreEscaped("\"");

/// The crisis line, near the top of every page.
pub(crate) fn crisis_line(ctx: &SiteContext) -> Markup {
    html! {
        aside.crisis role="region" aria-label=(ctx.t("Crisis help")) {
            div.wrap.crisis-inner {
                p.crisis-text {
                    (ctx.t("In crisis? Call or text 988 (Suicide & Crisis Lifeline), or call 911 in an emergency."))
                }
                p.crisis-actions {
                    a href="tel:988" { (ctx.t("Call 988")) }
                    a href="sms:988" { (ctx.t("Text 988")) }
                    a href="tel:911" { (ctx.t("Call 911")) }
                }
            }
        }
    }
}

/// The banner shown on every page while the fictional sample directory is served.
pub(crate) fn sample_banner(ctx: &SiteContext) -> Markup {
    html! {
        div.sample-banner role="region" aria-label=(ctx.t("Sample data notice")) {
            p.wrap {
                strong { (ctx.t("Sample data: not real programs")) }
                span.sample-more { " " (ctx.t("These programs are fictional examples, shown only until the directory has crawled real data, so please don't contact them.")) }
            }
        }
    }
}

/// A "not reported" marker for a fact no source gave.
pub(crate) fn not_reported(ctx: &SiteContext) -> Markup {
    html! { span.not-reported { (ctx.t("not reported")) } }
}

/// The "Sample" tag of a fictional listing.
pub(crate) fn sample_tag(ctx: &SiteContext) -> Markup {
    html! { span.tag.tag-sample { (ctx.t("Sample")) } }
}

/// A phone number as a `tel:` link (plain text when it cannot be dialled).
pub(crate) fn phone_link(phone: &str) -> Markup {
    html! {
        @match tel_href(phone) {
            Some(href) => a.phone href=(href) { (phone) },
            None => span.phone { (phone) },
        }
    }
}

/// What the search form starts out with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormValues<'a> {
    pub near: &'a str,
    pub radius: f64,
    pub q: &'a str,
}

impl Default for FormValues<'_> {
    fn default() -> Self {
        FormValues {
            near: "",
            radius: DEFAULT_RADIUS_MILES,
            q: "",
        }
    }
}

impl<'a> FormValues<'a> {
    pub(crate) fn of(request: &'a SearchRequest) -> FormValues<'a> {
        FormValues {
            near: request.near.as_deref().unwrap_or(""),
            radius: request.radius_miles,
            q: request.text.as_deref().unwrap_or(""),
        }
    }
}

/// The search form: place, distance, keywords; `extra` goes between the
/// fields and the button (filter fieldsets, hidden filters).
pub(crate) fn search_form(ctx: &SiteContext, values: FormValues<'_>, extra: Markup) -> Markup {
    html! {
        form.search-form method="get" action=(ctx.href("/search")) role="search" aria-label=(ctx.t("Find programs")) {
            div.search-fields {
                div.field.field-near {
                    label for="near" { (ctx.t("ZIP code or city")) }
                    input #near type="text" name="near" value=(values.near)
                        placeholder=(ctx.t("e.g. 95814 or Denver, CO")) autocomplete="off"
                        inputmode="text" autocapitalize="words" spellcheck="false"
                        enterkeyhint="search";
                }
                div.field.field-radius {
                    label for="radius" { (ctx.t("Distance")) }
                    (radius_select(ctx, values.radius))
                }
                div.field.field-q {
                    label for="q" { (ctx.t("Keywords (optional)")) }
                    input #q type="text" name="q" value=(values.q)
                        placeholder=(ctx.t("e.g. DBT, evening, Spanish")) enterkeyhint="search";
                }
                div.field.field-submit {
                    button.button type="submit" { (ctx.t("Find programs")) }
                }
            }
            @if !ctx.shortlist().is_empty() {
                input type="hidden" name="list" value=(ctx.shortlist().param());
            }
            (extra)
        }
    }
}

/// The distance choices, with `radius` selected (and added when it is not a preset).
pub(crate) fn radius_select(ctx: &SiteContext, radius: f64) -> Markup {
    let mut choices: Vec<f64> = RADIUS_PRESETS.to_vec();
    if !choices.contains(&radius) {
        choices.push(radius);
        choices.sort_by(f64::total_cmp);
    }
    html! {
        select #radius name="radius" {
            @for miles in choices {
                option value=(format_miles(miles)) selected[miles == radius] {
                    @if miles == 1.0 { (ctx.t("Within 1 mile")) } @else { (ctx.tf("Within {n} miles", &[("n", &format_miles(miles))])) }
                }
            }
        }
    }
}

/// Hidden inputs carrying a request's filters (so a new place keeps them).
pub(crate) fn hidden_filters(request: &SearchRequest) -> Markup {
    let vocabulary = Vocabulary::get();
    html! {
        @for (&group, values) in &request.filters {
            @for &value in values {
                input type="hidden" name=(vocabulary.group(group).slug) value=(vocabulary.value(value).slug);
            }
        }
    }
}

/// One filter checkbox, its label wrapping it (a large touch target), with
/// the number of programs it would show when known.
pub(crate) fn checkbox(
    ctx: &SiteContext,
    group_slug: &str,
    value: &FacetValue,
    checked: bool,
    count: Option<u64>,
) -> Markup {
    let dim = count == Some(0) && !checked;
    html! {
        label.check.dim[dim] {
            input type="checkbox" name=(group_slug) value=(value.slug) checked[checked];
            span.check-label {
                (ctx.label(value))
                @if let Some(count) = count {
                    " "
                    span.count {
                        span aria-hidden="true" { "(" }
                        (thousands(count as usize))
                        span.visually-hidden { " " @if count == 1 { (ctx.t("program")) } @else { (ctx.t("programs")) } }
                        span aria-hidden="true" { ")" }
                    }
                }
            }
        }
    }
}

/// A fieldset of unchecked checkboxes for some values of a group (the home page).
pub(crate) fn filter_fieldset(ctx: &SiteContext, group_slug: &str, values: &[&str]) -> Markup {
    let vocabulary = Vocabulary::get();
    let Some(group) = vocabulary.group_by_slug(group_slug) else {
        return html! {};
    };
    let chosen: Vec<&FacetValue> = if values.is_empty() {
        vocabulary.values_of(group.id).collect()
    } else {
        values
            .iter()
            .filter_map(|slug| vocabulary.lookup(group_slug, slug))
            .collect()
    };
    html! {
        fieldset.facet {
            legend { (ctx.group_label(group)) }
            div.checks {
                @for value in chosen {
                    (checkbox(ctx, &group.slug, value, false, None))
                }
            }
        }
    }
}

/// The facet sidebar: one GET form with every group's values and counts.
pub(crate) fn facet_sidebar(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
) -> Markup {
    html! {
        aside.filters #filters aria-labelledby="filters-heading" {
            h2 #filters-heading { (ctx.t("Filter results")) }
            p.filters-close { a href="#results-heading" { (ctx.t("Back to the results")) } }
            form method="get" action=(ctx.href("/search")) {
                @if let Some(near) = &request.near {
                    input type="hidden" name="near" value=(near);
                }
                @if request.radius_miles != DEFAULT_RADIUS_MILES {
                    input type="hidden" name="radius" value=(format_miles(request.radius_miles));
                }
                @if let Some(q) = &request.text {
                    input type="hidden" name="q" value=(q);
                }
                @if let Some(sort) = request.requested_sort {
                    input type="hidden" name="sort" value=(sort.slug());
                }
                @if request.per_page != DEFAULT_PER_PAGE {
                    input type="hidden" name="per_page" value=(request.per_page);
                }
                @if !shortlist.is_empty() {
                    input type="hidden" name="list" value=(shortlist.param());
                }
                p.hint {
                    (ctx.t("Several choices in one group mean \u{201c}any of these\u{201d}; choices in different groups must all match."))
                }
                @for counts in &results.facets {
                    (facet_group(ctx, counts))
                }
                div.filters-submit {
                    button.button type="submit" { (ctx.t("Update results")) }
                }
            }
        }
    }
}

fn facet_group(ctx: &SiteContext, counts: &GroupCounts) -> Markup {
    let vocabulary = Vocabulary::get();
    let group = vocabulary.group(counts.group);
    let long = counts.values.len() > LONG_GROUP;
    let mut shown = Vec::new();
    let mut folded = Vec::new();
    let mut unselected_shown = 0;
    for vc in &counts.values {
        let fold = if vc.selected {
            false
        } else if long {
            let fold = vc.count == 0 || unselected_shown >= LONG_GROUP_VISIBLE;
            if !fold {
                unselected_shown += 1;
            }
            fold
        } else {
            false
        };
        if fold {
            folded.push(vc);
        } else {
            shown.push(vc);
        }
    }
    let selected = counts.values.iter().filter(|v| v.selected).count();
    html! {
        fieldset.facet {
            legend {
                (ctx.group_label(group))
                @if selected > 0 {
                    " " span.selected-count {
                        "("
                        @if selected == 1 { (ctx.t("1 selected")) } @else { (ctx.tf("{n} selected", &[("n", &selected.to_string())])) }
                        ")"
                    }
                }
            }
            p.facet-help { (ctx.group_help(group)) }
            @if !shown.is_empty() {
                div.checks {
                    @for vc in &shown {
                        (checkbox(ctx, &group.slug, vocabulary.value(vc.value), vc.selected, Some(vc.count)))
                    }
                }
            }
            @if !folded.is_empty() {
                details.more {
                    summary { (ctx.tf("Show {n} more", &[("n", &folded.len().to_string())])) }
                    div.checks {
                        @for vc in &folded {
                            (checkbox(ctx, &group.slug, vocabulary.value(vc.value), vc.selected, Some(vc.count)))
                        }
                    }
                }
            }
        }
    }
}

/// The active filters as links that remove them, and "Clear all filters".
pub(crate) fn active_filters(
    ctx: &SiteContext,
    request: &SearchRequest,
    shortlist: &Shortlist,
) -> Markup {
    if request.filters.is_empty() {
        return html! {};
    }
    html! {
        div.active-filters {
            h2.visually-hidden { (ctx.t("Active filters")) }
            ul.chips {
                @for chip in filter_chips(ctx, request, shortlist) {
                    li { (chip) }
                }
                li {
                    a.clear-all href=(ctx.href(&shortlist.carried(&search_href(&without_filters(request))))) { (ctx.t("Clear all filters")) }
                }
            }
        }
    }
}

/// One link per selected value, to the same search without it.
pub(crate) fn filter_chips(
    ctx: &SiteContext,
    request: &SearchRequest,
    shortlist: &Shortlist,
) -> Vec<Markup> {
    let vocabulary = Vocabulary::get();
    let mut chips = Vec::new();
    for (&group, values) in &request.filters {
        for &value in values {
            let label = ctx.label(vocabulary.value(value));
            let href = ctx.href(&shortlist.carried(&search_href(&request.toggled(group, value))));
            chips.push(html! {
                a.chip href=(href) aria-label={ (ctx.t("Remove filter:")) " " (label) } {
                    (label) " " span aria-hidden="true" { "\u{d7}" }
                }
            });
        }
    }
    chips
}

/// The request with every filter removed, back on page 1.
pub(crate) fn without_filters(request: &SearchRequest) -> SearchRequest {
    let mut next = request.clone();
    next.filters.clear();
    next.page = 1;
    next
}

/// The sort choices that make sense for a request, current one marked.
pub(crate) fn sort_links(
    ctx: &SiteContext,
    request: &SearchRequest,
    current: Sort,
    shortlist: &Shortlist,
) -> Markup {
    let mut choices = Vec::new();
    if request.origin.is_some() {
        choices.push((Sort::Distance, ctx.t("Distance")));
    }
    if request.text.is_some() {
        choices.push((Sort::Relevance, ctx.t("Best match")));
    }
    choices.push((Sort::Name, ctx.t("Name")));
    if choices.len() < 2 {
        return html! {};
    }
    let default = SearchRequest {
        requested_sort: None,
        ..request.clone()
    }
    .sort();
    html! {
        nav.sort aria-label=(ctx.t("Sort results")) {
            span.sort-label { (ctx.t("Sort by:")) }
            ul {
                @for (sort, label) in choices {
                    @let next = SearchRequest {
                        requested_sort: (sort != default).then_some(sort),
                        page: 1,
                        ..request.clone()
                    };
                    li {
                        a href=(ctx.href(&shortlist.carried(&search_href(&next)))) aria-current=[(sort == current).then_some("true")] { (label) }
                    }
                }
            }
        }
    }
}

/// Page links: previous, numbers around the current page, next.
pub(crate) fn pagination(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
) -> Markup {
    let pages = results.pages().min(MAX_PAGE);
    if pages <= 1 {
        return html! {};
    }
    let current = results.page;
    let mut numbers: Vec<usize> = vec![1, pages];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(pages));
    numbers.sort_unstable();
    numbers.dedup();
    html! {
        nav.pagination aria-label=(ctx.t("Pages")) {
            p.page-of { (ctx.tf("Page {n} of {total}", &[("n", &current.min(results.pages()).to_string()), ("total", &thousands(results.pages()))])) }
            ul {
                @if current > 1 && current <= pages {
                    li { a href=(ctx.href(&shortlist.carried(&search_href(&request.on_page(current - 1))))) rel="prev" { span aria-hidden="true" { "\u{2190} " } (ctx.t("Previous")) } }
                }
                @for (i, &n) in numbers.iter().enumerate() {
                    @if i > 0 && n > numbers[i - 1] + 1 {
                        li.gap aria-hidden="true" { "\u{2026}" }
                    }
                    li {
                        a href=(ctx.href(&shortlist.carried(&search_href(&request.on_page(n))))) aria-current=[(n == current).then_some("page")] {
                            span.visually-hidden { (ctx.t("Page")) " " } (n)
                        }
                    }
                }
                @if current < pages {
                    li { a href=(ctx.href(&shortlist.carried(&search_href(&request.on_page(current + 1))))) rel="next" { (ctx.t("Next")) span aria-hidden="true" { " \u{2192}" } } }
                }
            }
        }
    }
}

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
/// (the shortlist's add or remove link).
pub(crate) fn program_card(
    ctx: &SiteContext,
    hit: &Hit,
    href: &str,
    action: Markup,
    filters: &BTreeMap<GroupId, Vec<ValueId>>,
) -> Markup {
    let listing: &iop_index::Listing = &hit.listing;
    let vocabulary = Vocabulary::get();
    let a = &listing.address;
    // the groups asked about first, then the usual ones
    let mut groups: Vec<(&str, &[ValueId])> = filters
        .iter()
        .map(|(&g, values)| (vocabulary.group(g).slug.as_str(), values.as_slice()))
        .collect();
    for slug in CARD_GROUPS {
        if !groups.iter().any(|(g, _)| *g == slug) {
            groups.push((slug, &[]));
        }
    }
    let mut missing: Vec<&str> = Vec::new();
    let mut facts: Vec<Markup> = Vec::new();
    for (slug, wanted) in groups {
        let fact = if slug == "schedule" {
            schedule_fact(ctx, listing, wanted)
        } else {
            group_fact(ctx, listing, slug, wanted)
        };
        match fact {
            Some(value) => facts.push(card_fact(group_label(ctx, slug), value)),
            None => missing.push(group_label(ctx, slug)),
        }
    }
    html! {
        article.card {
            div.card-head {
                h2.card-title { a href=(href) { (listing.display_name()) } }
                @if listing.sample { (sample_tag(ctx)) }
            }
            p.card-where {
                @if let Some(miles) = hit.distance_miles {
                    span.distance { (crate::format::distance_text(ctx, listing, miles)) } " \u{b7} "
                }
                @if let Some(street) = &a.street { span.street { (street) } ", " }
                (a.city) ", " (a.state)
            }
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
            @if !facts.is_empty() || listing.accepting_new_clients.is_some() {
                dl.card-facts {
                    @for fact in &facts { (fact) }
                    @if listing.accepting_new_clients.is_some() {
                        (card_fact(ctx.t("New clients"), accepting(ctx, listing.accepting_new_clients)))
                    }
                }
            }
            @if !missing.is_empty() {
                p.card-missing { (ctx.t("Not reported:")) " " (missing.join(", ").to_lowercase()) }
            }
            p.card-actions {
                (action)
                a.card-more href=(href) { (ctx.t("Details and sources")) span.visually-hidden { " " (ctx.t("for")) " " (listing.display_name()) } }
            }
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
    let mut ordered: Vec<(bool, String)> = values
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

/// A group's label from the vocabulary (the slug when unknown).
pub(crate) fn group_label<'a>(ctx: &SiteContext, slug: &'a str) -> &'a str {
    Vocabulary::get()
        .group_by_slug(slug)
        .map_or(slug, |g| ctx.group_label(g))
}

/// Labels joined by commas, or "not reported".
pub(crate) fn labels_markup(ctx: &SiteContext, labels: &[String]) -> Markup {
    html! {
        @if labels.is_empty() { (not_reported(ctx)) } @else { (labels.join(", ")) }
    }
}

pub(crate) fn hours_a_week(ctx: &SiteContext, hours: f32) -> String {
    let h = one_decimal(f64::from(hours));
    if h == "1" {
        ctx.t("1 hour a week").to_string()
    } else {
        ctx.tf("{n} hours a week", &[("n", &h)])
    }
}

/// Yes / No / not reported, for "accepting new clients".
pub(crate) fn accepting(ctx: &SiteContext, value: Option<bool>) -> Markup {
    yes_no(
        ctx,
        value,
        ctx.t("Accepting new clients"),
        ctx.t("Not accepting new clients"),
    )
}

pub(crate) fn yes_no(ctx: &SiteContext, value: Option<bool>, yes: &str, no: &str) -> Markup {
    html! {
        @match value {
            Some(true) => span.yes { (yes) },
            Some(false) => span.no { (no) },
            None => (not_reported(ctx)),
        }
    }
}

/// Where a fact comes from, told once per source: the page's Sources
/// section names each source with its check date and the facts it gave, so
/// under a fact there is only a link to its source ("Source 2") when the
/// listing has more than one (`sources`), and the evidence words folded in
/// a `<details>`. `facts` are provenance entries with what they are about
/// (a value label for a group's values, empty for a single fact).
pub(crate) fn provenance_note(
    ctx: &SiteContext,
    facts: &[(String, &Provenance, &Source)],
    sources: usize,
) -> Markup {
    let mut seen: Vec<usize> = Vec::new();
    for (_, p, _) in facts {
        if sources > 1 && !seen.contains(&p.source) {
            seen.push(p.source);
        }
    }
    let evidence: Vec<(&str, &str)> = facts
        .iter()
        .filter_map(|(about, p, _)| p.evidence.as_deref().map(|e| (about.as_str(), e)))
        .collect();
    html! {
        @if !seen.is_empty() || !evidence.is_empty() {
            div.provenance {
                @if !seen.is_empty() {
                    p.source-note {
                        @for (i, source) in seen.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "#source-" (source + 1) } { (ctx.t("Source")) " " (source + 1) }
                        }
                    }
                }
                @if !evidence.is_empty() {
                    details.evidence {
                        summary { (ctx.t("Evidence")) }
                        ul {
                            @for (about, words) in &evidence {
                                li {
                                    @if !about.is_empty() { (about) ": " }
                                    q { (words) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The provenance of one fact of a listing, as a note.
pub(crate) fn fact_source(ctx: &SiteContext, listing: &Listing, fact: &str) -> Markup {
    let facts: Vec<(String, &Provenance, &Source)> = listing
        .provenance_of(fact)
        .map(|(p, s)| (String::new(), p, s))
        .into_iter()
        .collect();
    provenance_note(ctx, &facts, listing.sources.len())
}

/// The provenance of every reported value of a group, deduplicated.
pub(crate) fn group_source(ctx: &SiteContext, listing: &Listing, group: &str) -> Markup {
    let facts: Vec<(String, &Provenance, &Source)> = listing
        .values(group)
        .iter()
        .filter_map(|slug| {
            listing
                .provenance_of(&format!("{group}/{slug}"))
                .map(|(p, s)| (value_label(ctx, group, slug), p, s))
        })
        .collect();
    provenance_note(ctx, &facts, listing.sources.len())
}

/// A row of the program page's fact list: label, value, source.
pub(crate) fn fact_row(label: &str, value: Markup, source: Markup) -> Markup {
    html! {
        div.fact-row {
            dt { (label) }
            dd {
                div.fact-value { (value) }
                (source)
            }
        }
    }
}

/// What the directory holds today, told plainly (the home page, an empty
/// result): SAMHSA's national file lists substance-use IOPs; its
/// mental-health file has no IOP category, so programs for mental health
/// only come from the provider websites crawled, and are fewer.
pub(crate) fn coverage_note(ctx: &SiteContext) -> Markup {
    html! {
        p.coverage {
            (ctx.t("What the directory holds today: SAMHSA's national directory lists intensive outpatient programs for substance use. Its mental-health directory has no IOP category, so programs for mental health only (eating disorders, depression, anxiety, teens) come from the provider websites we crawl, and there are fewer of them."))
        }
    }
}

/// "23 programs", for headings.
pub(crate) fn programs(ctx: &SiteContext, n: usize) -> String {
    if n == 1 {
        ctx.t("1 program").to_string()
    } else {
        ctx.tf("{n} programs", &[("n", &thousands(n))])
    }
}
