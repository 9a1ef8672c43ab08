//! The result page's controls: the facet sidebar with its counts, the
//! active filter chips, the sort links and the pagination.

use super::search_form::write_checkbox;
use crate::format::{search_href, search_href_on_page, thousands, Reserve, Text};
use crate::i18n::{OneValue, PerLanguage};
use crate::{Lang, SiteContext};
use iop_index::request::Shortlist;
use iop_index::request::{format_miles, DEFAULT_PER_PAGE, DEFAULT_RADIUS_MILES, MAX_PAGE};
use iop_index::{GroupCounts, SearchRequest, SearchResults, Sort, ValueCount, Vocabulary};
use maud::{html, Markup, Render};

/// A facet group with more values than this shows the first
/// [`LONG_GROUP_VISIBLE`] (plus every selected one) and folds the rest.
const LONG_GROUP: usize = 9;
const LONG_GROUP_VISIBLE: usize = 6;

/// The facet sidebar: one GET form with every group's values and counts.
pub(crate) fn facet_sidebar(
    ctx: &SiteContext,
    request: &SearchRequest,
    results: &SearchResults,
    shortlist: &Shortlist,
) -> Markup {
    html! {
        // (about a hundred checkboxes: 30 KB, written in place)
        (Reserve(34 * 1024))
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
                (FacetGroups { ctx, results })
                div.filters-submit {
                    button.button type="submit" { (ctx.t("Update results")) }
                }
            }
        }
    }
}

/// Every group's fieldset, written into the sidebar where it is spliced
/// (about a hundred checkboxes a page, from text escaped once per
/// language).
struct FacetGroups<'a> {
    ctx: &'a SiteContext,
    results: &'a SearchResults,
}

impl Render for FacetGroups<'_> {
    fn render_to(&self, out: &mut String) {
        for counts in &self.results.facets {
            write_facet_group(out, self.ctx, counts);
        }
    }
}

fn write_facet_group(out: &mut String, ctx: &SiteContext, counts: &GroupCounts) {
    let vocabulary = Vocabulary::get();
    let group = vocabulary.group(counts.group);
    let long = counts.values.len() > LONG_GROUP;
    let mut shown = Vec::with_capacity(counts.values.len());
    let mut folded = Vec::with_capacity(if long { counts.values.len() } else { 0 });
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
    if selected == 0 {
        out.push_str(&group_heads(ctx.lang)[group.id]);
    } else {
        out.push_str(r#"<fieldset class="facet">"#);
        write_group_head(out, ctx, group, selected);
    }
    let checks = |out: &mut String, values: &[&ValueCount]| {
        out.push_str(r#"<div class="checks">"#);
        for vc in values {
            write_checkbox(
                out,
                ctx,
                vocabulary.value(vc.value),
                vc.selected,
                Some(vc.count),
            );
        }
        out.push_str("</div>");
    };
    if !shown.is_empty() {
        checks(out, &shown);
    }
    if !folded.is_empty() {
        static SHOW_MORE: OneValue = OneValue::new("Show {n} more", "n");
        // the summary, then the folded checks inside the same `details`
        out.push_str(r#"<details class="more"><summary>"#);
        SHOW_MORE.write(ctx, out, itoa::Buffer::new().format(folded.len()));
        out.push_str("</summary>");
        checks(out, &folded);
        out.push_str("</details>");
    }
    out.push_str("</fieldset>");
}

/// A group's legend (with how many of its values are selected, when
/// any) and help text.
fn write_group_head(
    out: &mut String,
    ctx: &SiteContext,
    group: &iop_index::FacetGroup,
    selected: usize,
) {
    let head = html! {
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
    };
    out.push_str(&head.0);
}

/// Every group's fieldset opened, with its legend and help, for a group
/// with nothing selected (most groups of most pages), by group id: made
/// once per language.
fn group_heads(lang: Lang) -> &'static [String] {
    fn make(lang: Lang) -> Vec<String> {
        let ctx = SiteContext::in_language(lang);
        Vocabulary::get()
            .groups()
            .iter()
            .map(|group| {
                let mut out = String::from(r#"<fieldset class="facet">"#);
                write_group_head(&mut out, &ctx, group, 0);
                out
            })
            .collect()
    }
    static HEADS: PerLanguage<Vec<String>> = PerLanguage::new(make);
    HEADS.get(lang)
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
                    a.clear-all href=(Text(&ctx.href(&shortlist.carried(&search_href(&without_filters(request)))))) { (ctx.t("Clear all filters")) }
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
                a.chip href=(Text(&href)) aria-label={ (ctx.t("Remove filter:")) " " (Text(label)) } {
                    (Text(label)) " " span aria-hidden="true" { "\u{d7}" }
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
                        a href=(Text(&ctx.href(&shortlist.carried(&search_href(&next))))) aria-current=[(sort == current).then_some("true")] { (label) }
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
                    li { a href=(Text(&ctx.href(&shortlist.carried(&search_href_on_page(request, current - 1))))) rel="prev" { span aria-hidden="true" { "\u{2190} " } (ctx.t("Previous")) } }
                }
                @for (i, &n) in numbers.iter().enumerate() {
                    @if i > 0 && n > numbers[i - 1] + 1 {
                        li.gap aria-hidden="true" { "\u{2026}" }
                    }
                    li {
                        a href=(Text(&ctx.href(&shortlist.carried(&search_href_on_page(request, n))))) aria-current=[(n == current).then_some("page")] {
                            span.visually-hidden { (ctx.t("Page")) " " } (n)
                        }
                    }
                }
                @if current < pages {
                    li { a href=(Text(&ctx.href(&shortlist.carried(&search_href_on_page(request, current + 1))))) rel="next" { (ctx.t("Next")) span aria-hidden="true" { " \u{2192}" } } }
                }
            }
        }
    }
}
