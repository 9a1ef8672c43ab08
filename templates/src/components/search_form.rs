//! The search form: place, distance and keywords, the filter checkboxes of
//! the home page, and the hidden fields that keep a search's filters.

use crate::format::push_thousands;
use crate::i18n::{OneValue, PerLanguage};
use crate::Lang;
use crate::SiteContext;
use iop_index::request::{format_miles, DEFAULT_RADIUS_MILES};
use iop_index::{FacetValue, SearchRequest, Vocabulary};
use maud::{html, Markup, PreEscaped};

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
                        placeholder=(ctx.t("e.g. CBT, veterans, Spanish")) enterkeyhint="search";
                }
                div.field.field-submit {
                    button.button type="submit" { (ctx.t("Find programs")) }
                }
            }
            @let list = ctx.shortlist();
            @if !list.is_empty() {
                input type="hidden" name="list" value=(list.param());
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
    static WITHIN: OneValue = OneValue::new("Within {n} miles", "n");
    html! {
        select #radius name="radius" {
            @for miles in choices {
                @let n = format_miles(miles);
                option value=(n) selected[miles == radius] {
                    @if miles == 1.0 { (ctx.t("Within 1 mile")) } @else { (WITHIN.filled(ctx, &n)) }
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
    value: &FacetValue,
    checked: bool,
    count: Option<u64>,
) -> Markup {
    let mut out = String::with_capacity(300);
    write_checkbox(&mut out, ctx, value, checked, count);
    PreEscaped(out)
}

/// [`checkbox`], written at the end of `out`: the facet sidebar writes
/// about a hundred a page, each from three pieces prepared once per
/// language (the checkbox up to its count, the count, the rest).
///
/// The count's parentheses are drawn by the style sheet (`.count`): they
/// are for the eye, and a hundred of them were 6 KB of every results page.
pub(crate) fn write_checkbox(
    out: &mut String,
    ctx: &SiteContext,
    value: &FacetValue,
    checked: bool,
    count: Option<u64>,
) {
    let text = &checkbox_text(ctx.lang)[value.id];
    out.push_str(if checked {
        &text.checked
    } else if count == Some(0) {
        &text.dim
    } else {
        &text.unchecked
    });
    match count {
        Some(count) => {
            out.push_str(r#" <span class="count">"#);
            push_thousands(out, count as usize);
            out.push_str(if count == 1 {
                text.one_tail
            } else {
                text.many_tail
            });
        }
        None => out.push_str("</span></label>"),
    }
}

/// A facet value's checkbox around its holes (checked or dim, count),
/// escaped once per language.
struct CheckboxText {
    /// `<label class="check"><input type="checkbox" name="{group}"
    /// value="{value}"><span>{label}`: the label's span left open.
    unchecked: Box<str>,
    /// The same, dimmed (`class="check dim"`): no program would match.
    dim: Box<str>,
    /// The same, checked.
    checked: Box<str>,
    /// After a count of one: "program" for screen readers, then every
    /// open element closed.
    one_tail: &'static str,
    /// After any other count: "programs", then every open element closed.
    many_tail: &'static str,
}

/// Every vocabulary value's [`CheckboxText`] in `lang`, by value id.
fn checkbox_text(lang: Lang) -> &'static [CheckboxText] {
    fn make(lang: Lang) -> Vec<CheckboxText> {
        let vocabulary = Vocabulary::get();
        let tail = |word: &'static str| -> &'static str {
            let hidden =
                html! { span.visually-hidden { " " (crate::i18n::translate(lang, word)) } };
            format!("{}</span></span></label>", hidden.0).leak()
        };
        let (one_tail, many_tail) = (tail("program"), tail("programs"));
        vocabulary
            .values()
            .iter()
            .map(|value| {
                let group = &vocabulary.group(value.group).slug;
                let label = match lang {
                    Lang::En => &value.label,
                    Lang::Es => &value.label_es,
                };
                let open = |dim: bool, checked: bool| -> Box<str> {
                    html! {
                        label.check.dim[dim] {
                            input type="checkbox" name=(group) value=(value.slug) checked[checked];
                            span { (label) }
                        }
                    }
                    .into_string()
                    .trim_end_matches("</span></label>")
                    .into()
                };
                CheckboxText {
                    unchecked: open(false, false),
                    dim: open(true, false),
                    checked: open(false, true),
                    one_tail,
                    many_tail,
                }
            })
            .collect()
    }
    static TEXT: PerLanguage<Vec<CheckboxText>> = PerLanguage::new(make);
    TEXT.get(lang)
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
                    (checkbox(ctx, value, false, None))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::thousands;

    /// A checkbox as maud writes it, the way it was written before its
    /// text was prepared: the oracle for [`write_checkbox`].
    fn checkbox_by_maud(
        ctx: &SiteContext,
        value: &FacetValue,
        checked: bool,
        count: Option<u64>,
    ) -> String {
        let group = &Vocabulary::get().group(value.group).slug;
        let dim = count == Some(0) && !checked;
        html! {
            label.check.dim[dim] {
                input type="checkbox" name=(group) value=(value.slug) checked[checked];
                span {
                    (ctx.label(value))
                    @if let Some(count) = count {
                        " "
                        span.count {
                            (thousands(count as usize))
                            span.visually-hidden { " " @if count == 1 { (ctx.t("program")) } @else { (ctx.t("programs")) } }
                        }
                    }
                }
            }
        }
        .into_string()
    }

    #[test]
    fn prepared_checkboxes_are_what_maud_writes_for_every_value_in_both_languages() {
        for lang in Lang::ALL {
            let ctx = SiteContext::in_language(lang);
            for value in Vocabulary::get().values() {
                for checked in [false, true] {
                    for count in [None, Some(0), Some(1), Some(1234)] {
                        assert_eq!(
                            checkbox(&ctx, value, checked, count).into_string(),
                            checkbox_by_maud(&ctx, value, checked, count),
                            "{lang:?} {} {checked} {count:?}",
                            value.slug
                        );
                    }
                }
            }
        }
    }
}
