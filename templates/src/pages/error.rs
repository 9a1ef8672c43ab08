//! Error pages (400, 404, 500): what happened, what to try, a search form.

use crate::components::{search_form, FormValues};
use crate::format::safe_href;
use crate::layout::{layout, Nav, Page};
use crate::{i18n, SiteContext};
use iop_index::{ParamError, ParamErrorKind, Vocabulary};
use maud::{html, Markup};

/// A status-specific heading (English; translated where shown).
fn heading(status: u16) -> &'static str {
    match status {
        400 => "We couldn't understand that search",
        404 => "Page not found",
        500..=599 => "Something went wrong",
        _ => "Something went wrong",
    }
}

/// What the person typed into the search form, kept on a 400 page so they
/// can correct it there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypedSearch {
    /// The place, as typed.
    pub near: String,
    /// `None` when the distance given was missing or not a valid one.
    pub radius: Option<f64>,
    /// The keywords, as typed.
    pub q: String,
    /// The search's filters that name vocabulary values, as (group, value
    /// slug): shown ticked, so correcting the place keeps them.
    pub filters: Vec<(String, String)>,
}

/// 400/404/500 pages. `suggestions` are (label, href) links ("Did you mean Springfield, IL?").
pub fn error_page(
    ctx: &SiteContext,
    status: u16,
    title: &str,
    message: &str,
    suggestions: &[(String, String)],
) -> Markup {
    error_page_with_search(
        ctx,
        status,
        title,
        message,
        suggestions,
        &TypedSearch::default(),
    )
}

/// [`error_page`] whose search form starts out with what was typed (escaped
/// like every splice), for a search that could not be understood.
pub fn error_page_with_search(
    ctx: &SiteContext,
    status: u16,
    title: &str,
    message: &str,
    suggestions: &[(String, String)],
    typed: &TypedSearch,
) -> Markup {
    let form = FormValues {
        near: &typed.near,
        radius: typed.radius.unwrap_or(FormValues::default().radius),
        q: &typed.q,
    };
    let heading = ctx.t(heading(status)).as_str();
    // titles and messages come from the web layer in English: shown in the
    // page's language when the catalog has them (parameter errors come
    // already worded, see [`param_error_message`])
    let title = i18n::lookup(ctx.lang, title).unwrap_or(title);
    let message = i18n::lookup(ctx.lang, message).unwrap_or(message);
    let page_title = if title.is_empty() { heading } else { title };
    let content = html! {
        section.error aria-labelledby="error-heading" {
            h1 #error-heading { (heading) }
            @if !title.is_empty() && title != heading {
                p.error-title { strong { (title) } }
            }
            @if !message.is_empty() {
                p.error-message { (message) }
            }
            @if !suggestions.is_empty() {
                h2 { (ctx.t("Try one of these")) }
                ul.suggestions {
                    @for (label, href) in suggestions {
                        li {
                            @match safe_href(href) {
                                Some(href) => a href=(ctx.keep(href)) { (label) },
                                None => span { (label) },
                            }
                        }
                    }
                }
            }
            @if status >= 500 {
                p { (ctx.t("This is our fault, not yours. Please try again in a moment.")) }
            }
            h2 { (ctx.t("Try a new search")) }
            (search_form(ctx, form, kept_filters(ctx, &typed.filters)))
            p { a href=(ctx.keep("/")) { (ctx.t("Go to the home page")) } }
        }
    };
    layout(
        ctx,
        &Page {
            title: page_title,
            description: ctx.t("IOP Finder could not show this page.").as_str(),
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}

/// The filters of a search that could not be understood, ticked, each one
/// a checkbox the person can untick before searching again.
fn kept_filters(ctx: &SiteContext, filters: &[(String, String)]) -> Markup {
    let vocabulary = Vocabulary::get();
    let kept: Vec<_> = filters
        .iter()
        .filter_map(|(group, slug)| {
            Some((
                vocabulary.group_by_slug(group)?,
                vocabulary.lookup(group, slug)?,
            ))
        })
        .collect();
    html! {
        @if !kept.is_empty() {
            fieldset.kept-filters {
                legend { (ctx.t("Filters from your search")) }
                p.hint { (ctx.t("Untick any you no longer want.")) }
                div.checks {
                    @for (group, value) in &kept {
                        label.check {
                            input type="checkbox" name=(group.slug) value=(value.slug) checked;
                            span { (ctx.group_label(group)) ": " (ctx.label(value)) }
                        }
                    }
                }
            }
        }
    }
}

/// A search parameter's error in words for a person, in the page's language:
/// the error's one English wording ([`ParamError::wording`], the JSON API's
/// `error` too) through the catalog, with the parameter, facet group,
/// values and the list of parameters named by their labels rather than
/// their slugs and names ("“Medicaidd” is
/// not one of the choices for “Insurance”. Choose from: ...").
pub fn param_error_message(ctx: &SiteContext, error: &ParamError) -> String {
    let quoted = |text: &str| format!("\u{201c}{text}\u{201d}");
    let name = parameter_label(ctx, &error.parameter);
    if error.kind == ParamErrorKind::Other {
        // other pages' messages are written for people in English (without
        // the parameter's name); in Spanish, the catalog's or a general one
        return match (ctx.lang, i18n::lookup(ctx.lang, &error.message)) {
            (crate::Lang::En, _) => sentence(&error.message),
            (_, Some(text)) => text.to_string(),
            (_, None) => ctx.tf(
                "The {parameter} part of this address is not valid. Copy the link again, or start a new search.",
                &[("parameter", &quoted(&name))],
            ),
        };
    }
    let (template, mut args) = error.wording();
    let vocabulary = Vocabulary::get();
    let group = vocabulary.group_by_slug(&error.parameter);
    for (key, value) in &mut args {
        match (*key, group) {
            ("parameter", _) => *value = quoted(&name),
            ("group", Some(group)) => *value = quoted(ctx.group_label(group)),
            ("values", Some(group)) => {
                *value = vocabulary
                    .values_of(group.id)
                    .map(|v| ctx.label(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            ("state", _) if ctx.lang == crate::Lang::Es => {
                *value = iop_index::geo::state_name_es(value).to_string()
            }
            ("parameters", _) => {
                *value = value
                    .split(", ")
                    .map(|p| parameter_label(ctx, p))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            _ => {}
        }
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ctx.tf(template, &args)
}

/// `text` as a sentence: its first letter a capital, a full stop at the end.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '?', '!', ')']) {
        out.push('.');
    }
    out
}

/// What a search parameter is, in words: "distance" for `radius`, a facet
/// group's label for its slug; the name itself when unknown.
fn parameter_label(ctx: &SiteContext, parameter: &str) -> String {
    let words = match parameter {
        "near" => "place",
        "radius" => "distance",
        "q" => "keywords",
        "sort" => "sort order",
        "page" => "page number",
        "per_page" => "results per page",
        "list" | "ids" => "list of programs",
        other => {
            return Vocabulary::get()
                .group_by_slug(other)
                .map_or_else(|| other.to_string(), |g| ctx.group_label(g).to_string())
        }
    };
    ctx.t(words).to_string()
}
