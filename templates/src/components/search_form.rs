//! The search form: place, distance and keywords, the filter checkboxes of
//! the home page, and the hidden fields that keep a search's filters.

use crate::format::thousands;
use crate::SiteContext;
use iop_index::request::{format_miles, DEFAULT_RADIUS_MILES};
use iop_index::{FacetValue, SearchRequest, Vocabulary};
use maud::{html, Markup};

/// The radius choices of the search form, in miles.
pub(crate) const RADIUS_PRESETS: [f64; 5] = [5.0, 10.0, 25.0, 50.0, 100.0];

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
