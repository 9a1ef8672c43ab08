//! Components shared by the pages: crisis line, sample banner, search form,
//! filter checkboxes, program card, facet sidebar, active filter chips, sort
//! links, pagination and fact rows with their sources.

use crate::format::{
    count_of, labels_of, one_decimal, search_href, tel_href, thousands, value_label,
};
use iop_index::listing::Provenance;
use iop_index::request::{format_miles, DEFAULT_PER_PAGE, DEFAULT_RADIUS_MILES, MAX_PAGE};
use iop_index::{
    FacetValue, GroupCounts, Hit, Listing, SearchRequest, SearchResults, Sort, Source, Vocabulary,
};
use maud::{html, Markup, PreEscaped};

/// The radius choices of the search form, in miles.
pub(crate) const RADIUS_PRESETS: [f64; 5] = [5.0, 10.0, 25.0, 50.0, 100.0];

/// How many insurance labels a card shows before "+N more".
const CARD_INSURANCE_LABELS: usize = 5;

/// A facet group with more values than this shows the first
/// [`LONG_GROUP_VISIBLE`] (plus every selected one) and folds the rest.
const LONG_GROUP: usize = 9;
const LONG_GROUP_VISIBLE: usize = 6;

/// A straight double quote, for quoting a search text around an escaped splice.
pub(crate) const QUOTE: PreEscaped<&str> = PreEscaped("\"");

/// The crisis line, near the top of every page.
pub(crate) fn crisis_line() -> Markup {
    html! {
        aside.crisis role="region" aria-label="Crisis help" {
            div.wrap.crisis-inner {
                p.crisis-text {
                    "In crisis? Call or text 988 (Suicide & Crisis Lifeline), or call 911 in an emergency."
                }
                p.crisis-actions {
                    a href="tel:988" { "Call 988" }
                    a href="sms:988" { "Text 988" }
                    a href="tel:911" { "Call 911" }
                }
            }
        }
    }
}

/// The banner shown on every page while the fictional sample directory is served.
pub(crate) fn sample_banner() -> Markup {
    html! {
        div.sample-banner role="note" {
            p.wrap {
                strong { "Sample data: not real programs" }
                " These programs are fictional examples, shown only until the directory has crawled real data, so please don't contact them."
            }
        }
    }
}

/// A "not reported" marker for a fact no source gave.
pub(crate) fn not_reported() -> Markup {
    html! { span.not-reported { "not reported" } }
}

/// The "Sample" tag of a fictional listing.
pub(crate) fn sample_tag() -> Markup {
    html! { span.tag.tag-sample { "Sample" } }
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
pub(crate) fn search_form(values: FormValues<'_>, extra: Markup) -> Markup {
    html! {
        form.search-form method="get" action="/search" role="search" aria-label="Find programs" {
            div.search-fields {
                div.field.field-near {
                    label for="near" { "ZIP code or city" }
                    input #near type="text" name="near" value=(values.near)
                        placeholder="e.g. 95814 or Denver, CO" autocomplete="off"
                        inputmode="text" autocapitalize="words" spellcheck="false"
                        enterkeyhint="search";
                }
                div.field.field-radius {
                    label for="radius" { "Distance" }
                    (radius_select(values.radius))
                }
                div.field.field-q {
                    label for="q" { "Keywords (optional)" }
                    input #q type="text" name="q" value=(values.q)
                        placeholder="e.g. DBT, evening, Spanish" enterkeyhint="search";
                }
                div.field.field-submit {
                    button.button type="submit" { "Find programs" }
                }
            }
            (extra)
        }
    }
}

/// The distance choices, with `radius` selected (and added when it is not a preset).
pub(crate) fn radius_select(radius: f64) -> Markup {
    let mut choices: Vec<f64> = RADIUS_PRESETS.to_vec();
    if !choices.contains(&radius) {
        choices.push(radius);
        choices.sort_by(f64::total_cmp);
    }
    html! {
        select #radius name="radius" {
            @for miles in choices {
                option value=(format_miles(miles)) selected[miles == radius] {
                    "Within " (format_miles(miles)) @if miles == 1.0 { " mile" } @else { " miles" }
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
                (value.label)
                @if let Some(count) = count {
                    " "
                    span.count {
                        span aria-hidden="true" { "(" }
                        (thousands(count as usize))
                        span.visually-hidden { @if count == 1 { " program" } @else { " programs" } }
                        span aria-hidden="true" { ")" }
                    }
                }
            }
        }
    }
}

/// A fieldset of unchecked checkboxes for some values of a group (the home page).
pub(crate) fn filter_fieldset(group_slug: &str, values: &[&str]) -> Markup {
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
            legend { (group.label) }
            div.checks {
                @for value in chosen {
                    (checkbox(&group.slug, value, false, None))
                }
            }
        }
    }
}

/// The facet sidebar: one GET form with every group's values and counts.
pub(crate) fn facet_sidebar(request: &SearchRequest, results: &SearchResults) -> Markup {
    html! {
        aside.filters #filters aria-labelledby="filters-heading" {
            h2 #filters-heading { "Filter results" }
            form method="get" action="/search" {
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
                p.hint {
                    "Several choices in one group mean \u{201c}any of these\u{201d}; choices in different groups must all match."
                }
                @for counts in &results.facets {
                    (facet_group(counts))
                }
                div.filters-submit {
                    button.button type="submit" { "Update results" }
                }
            }
        }
    }
}

fn facet_group(counts: &GroupCounts) -> Markup {
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
                (group.label)
                @if selected > 0 {
                    " " span.selected-count { "(" (selected) " selected)" }
                }
            }
            p.facet-help { (group.help) }
            @if !shown.is_empty() {
                div.checks {
                    @for vc in &shown {
                        (checkbox(&group.slug, vocabulary.value(vc.value), vc.selected, Some(vc.count)))
                    }
                }
            }
            @if !folded.is_empty() {
                details.more {
                    summary { "Show " (folded.len()) " more" }
                    div.checks {
                        @for vc in &folded {
                            (checkbox(&group.slug, vocabulary.value(vc.value), vc.selected, Some(vc.count)))
                        }
                    }
                }
            }
        }
    }
}

/// The active filters as links that remove them, and "Clear all filters".
pub(crate) fn active_filters(request: &SearchRequest) -> Markup {
    if request.filters.is_empty() {
        return html! {};
    }
    html! {
        div.active-filters {
            h2.visually-hidden { "Active filters" }
            ul.chips {
                @for chip in filter_chips(request) {
                    li { (chip) }
                }
                li {
                    a.clear-all href=(search_href(&without_filters(request))) { "Clear all filters" }
                }
            }
        }
    }
}

/// One link per selected value, to the same search without it.
pub(crate) fn filter_chips(request: &SearchRequest) -> Vec<Markup> {
    let vocabulary = Vocabulary::get();
    let mut chips = Vec::new();
    for (&group, values) in &request.filters {
        for &value in values {
            let label = &vocabulary.value(value).label;
            let href = search_href(&request.toggled(group, value));
            chips.push(html! {
                a.chip href=(href) aria-label={ "Remove filter: " (label) } {
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
pub(crate) fn sort_links(request: &SearchRequest, current: Sort) -> Markup {
    let mut choices = Vec::new();
    if request.origin.is_some() {
        choices.push((Sort::Distance, "Distance"));
    }
    if request.text.is_some() {
        choices.push((Sort::Relevance, "Best match"));
    }
    choices.push((Sort::Name, "Name"));
    if choices.len() < 2 {
        return html! {};
    }
    let default = SearchRequest {
        requested_sort: None,
        ..request.clone()
    }
    .sort();
    html! {
        nav.sort aria-label="Sort results" {
            span.sort-label { "Sort by:" }
            ul {
                @for (sort, label) in choices {
                    @let next = SearchRequest {
                        requested_sort: (sort != default).then_some(sort),
                        page: 1,
                        ..request.clone()
                    };
                    li {
                        a href=(search_href(&next)) aria-current=[(sort == current).then_some("true")] { (label) }
                    }
                }
            }
        }
    }
}

/// Page links: previous, numbers around the current page, next.
pub(crate) fn pagination(request: &SearchRequest, results: &SearchResults) -> Markup {
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
        nav.pagination aria-label="Pages" {
            p.page-of { "Page " (current.min(results.pages())) " of " (thousands(results.pages())) }
            ul {
                @if current > 1 && current <= pages {
                    li { a href=(search_href(&request.on_page(current - 1))) rel="prev" { span aria-hidden="true" { "\u{2190} " } "Previous" } }
                }
                @for (i, &n) in numbers.iter().enumerate() {
                    @if i > 0 && n > numbers[i - 1] + 1 {
                        li.gap aria-hidden="true" { "\u{2026}" }
                    }
                    li {
                        a href=(search_href(&request.on_page(n))) aria-current=[(n == current).then_some("page")] {
                            span.visually-hidden { "Page " } (n)
                        }
                    }
                }
                @if current < pages {
                    li { a href=(search_href(&request.on_page(current + 1))) rel="next" { "Next" span aria-hidden="true" { " \u{2192}" } } }
                }
            }
        }
    }
}

/// A listing as a result card: name, distance, place and the decisive facts.
pub(crate) fn program_card(hit: &Hit) -> Markup {
    let listing: &iop_index::Listing = &hit.listing;
    let href = format!("/programs/{}", listing.id);
    let insurance = labels_of(listing, "insurance");
    let more_insurance = insurance.len().saturating_sub(CARD_INSURANCE_LABELS);
    html! {
        article.card {
            div.card-head {
                h2.card-title { a href=(href) { (listing.display_name()) } }
                @if listing.sample { (sample_tag()) }
            }
            p.card-where {
                @if let Some(miles) = hit.distance_miles {
                    span.distance { (format!("{miles:.1}")) " mi" } " \u{b7} "
                }
                (listing.address.city) ", " (listing.address.state)
            }
            dl.card-facts {
                (card_fact(group_label("focus"), labels_markup(&labels_of(listing, "focus"))))
                (card_fact(group_label("age"), labels_markup(&labels_of(listing, "age"))))
                (card_fact(group_label("insurance"), html! {
                    @if insurance.is_empty() {
                        (not_reported())
                    } @else {
                        (insurance.iter().take(CARD_INSURANCE_LABELS).cloned().collect::<Vec<_>>().join(", "))
                        @if more_insurance > 0 {
                            " " span.more { "+" (more_insurance) " more" }
                        }
                    }
                }))
                (card_fact(group_label("schedule"), schedule_summary(listing)))
                (card_fact(group_label("format"), labels_markup(&labels_of(listing, "format"))))
                (card_fact(group_label("accreditation"), labels_markup(&labels_of(listing, "accreditation"))))
                (card_fact("New clients", accepting(listing.accepting_new_clients)))
            }
            p.card-contact {
                @match &listing.phone {
                    Some(phone) => { "Phone: " (phone_link(phone)) }
                    None => { "Phone: " (not_reported()) }
                }
                a.card-more href=(href) { "Details and sources" span.visually-hidden { " for " (listing.display_name()) } }
            }
        }
    }
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
pub(crate) fn group_label(slug: &str) -> &str {
    Vocabulary::get()
        .group_by_slug(slug)
        .map_or(slug, |g| g.label.as_str())
}

/// Labels joined by commas, or "not reported".
pub(crate) fn labels_markup(labels: &[String]) -> Markup {
    html! {
        @if labels.is_empty() { (not_reported()) } @else { (labels.join(", ")) }
    }
}

/// "Evening, Weekend · 9 hours a week", from the schedule tracks and hours.
fn schedule_summary(listing: &Listing) -> Markup {
    let tracks = labels_of(listing, "schedule");
    let hours = listing.schedule.hours_per_week;
    html! {
        @if tracks.is_empty() && hours.is_none() {
            (not_reported())
        } @else {
            (tracks.join(", "))
            @if let Some(h) = hours {
                @if !tracks.is_empty() { " \u{b7} " }
                (hours_a_week(h))
            }
        }
    }
}

pub(crate) fn hours_a_week(hours: f32) -> String {
    let h = one_decimal(f64::from(hours));
    if h == "1" {
        "1 hour a week".to_string()
    } else {
        format!("{h} hours a week")
    }
}

/// Yes / No / not reported, for "accepting new clients".
pub(crate) fn accepting(value: Option<bool>) -> Markup {
    yes_no(value, "Accepting new clients", "Not accepting new clients")
}

pub(crate) fn yes_no(value: Option<bool>, yes: &str, no: &str) -> Markup {
    html! {
        @match value {
            Some(true) => span.yes { (yes) },
            Some(false) => span.no { (no) },
            None => (not_reported()),
        }
    }
}

/// Where a fact comes from: "Source: title, checked 2026-10-02" for each
/// distinct (source, date), with the evidence words folded in a `<details>`.
/// `facts` are provenance entries with what they are about (a value label for
/// a group's values, empty for a single fact).
pub(crate) fn provenance_note(facts: &[(String, &Provenance, &Source)]) -> Markup {
    let mut seen: Vec<(&str, String)> = Vec::new();
    for (_, p, s) in facts {
        let key = (s.title.as_str(), p.checked.to_string());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    let evidence: Vec<(&str, &str)> = facts
        .iter()
        .filter_map(|(about, p, _)| p.evidence.as_deref().map(|e| (about.as_str(), e)))
        .collect();
    html! {
        @if !seen.is_empty() {
            div.provenance {
                @for (title, date) in &seen {
                    p.source-note {
                        "Source: " (title) ", checked " time datetime=(date) { (date) }
                    }
                }
                @if !evidence.is_empty() {
                    details.evidence {
                        summary { "Evidence" }
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
pub(crate) fn fact_source(listing: &Listing, fact: &str) -> Markup {
    let facts: Vec<(String, &Provenance, &Source)> = listing
        .provenance_of(fact)
        .map(|(p, s)| (String::new(), p, s))
        .into_iter()
        .collect();
    provenance_note(&facts)
}

/// The provenance of every reported value of a group, deduplicated.
pub(crate) fn group_source(listing: &Listing, group: &str) -> Markup {
    let facts: Vec<(String, &Provenance, &Source)> = listing
        .values(group)
        .iter()
        .filter_map(|slug| {
            listing
                .provenance_of(&format!("{group}/{slug}"))
                .map(|(p, s)| (value_label(group, slug), p, s))
        })
        .collect();
    provenance_note(&facts)
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

/// "23 programs", for headings.
pub(crate) fn programs(n: usize) -> String {
    count_of(n, "program", "programs")
}
