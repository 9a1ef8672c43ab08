//! Facts as the pages show them: labels, hours, yes/no values, and the row
//! of a fact with its source and date.

use super::frame::not_reported;
use crate::format::{one_decimal, value_label, Reserve, Text};
use crate::{Phrase, SiteContext};
use iop_index::listing::Provenance;
use iop_index::{Listing, Source, Vocabulary};
use maud::{html, Markup, PreEscaped};
use std::borrow::Cow;

/// A group's label from the vocabulary (the slug when unknown).
pub(crate) fn group_label<'a>(ctx: &SiteContext, slug: &'a str) -> &'a str {
    Vocabulary::get()
        .group_by_slug(slug)
        .map_or(slug, |g| ctx.group_label(g))
}

/// Labels joined by commas, or "not reported".
pub(crate) fn labels_markup(ctx: &SiteContext, labels: &[&str]) -> Markup {
    html! {
        @if labels.is_empty() { (not_reported(ctx)) }
        @for (i, label) in labels.iter().enumerate() {
            @if i > 0 { ", " }
            (Text(label))
        }
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

pub(crate) fn yes_no(ctx: &SiteContext, value: Option<bool>, yes: Phrase, no: Phrase) -> Markup {
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
    facts: &[(Cow<'_, str>, &Provenance, &Source)],
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
        .filter_map(|(about, p, _)| p.evidence.as_deref().map(|e| (about.as_ref(), e)))
        .collect();
    if seen.is_empty() && evidence.is_empty() {
        // nothing to say (one source, no evidence words): no buffer either
        return PreEscaped(String::new());
    }
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
                                    @if !about.is_empty() { (Text(about)) ": " }
                                    q { (Text(words)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The provenance of one fact of a listing, as a note. A fact two sources
/// state differently (a website's listing merged with its national record)
/// has an entry per source, the other source's value as its evidence: each
/// is named with its source and check date, so both values show with where
/// and when they were stated.
pub(crate) fn fact_source(ctx: &SiteContext, listing: &Listing, fact: &str) -> Markup {
    let entries: Vec<(&Provenance, &Source)> = listing
        .provenance
        .iter()
        .filter(|p| p.fact == fact)
        .filter_map(|p| listing.sources.get(p.source).map(|s| (p, s)))
        .collect();
    let several = entries.iter().any(|(p, _)| p.source != entries[0].0.source);
    let facts: Vec<(Cow<str>, &Provenance, &Source)> = entries
        .into_iter()
        // one source: its first entry, as before merges
        .take(if several { usize::MAX } else { 1 })
        .map(|(p, s)| {
            let about = if several {
                Cow::Owned(format!(
                    "{} {}, {}",
                    ctx.t("Source"),
                    p.source + 1,
                    p.checked
                ))
            } else {
                Cow::Borrowed("")
            };
            (about, p, s)
        })
        .collect();
    provenance_note(ctx, &facts, listing.sources.len())
}

/// The provenance of every reported value of a group, deduplicated.
pub(crate) fn group_source(ctx: &SiteContext, listing: &Listing, group: &str) -> Markup {
    let values = listing.values(group);
    if values.is_empty() {
        // nothing reported, nothing to source (no pass over the provenance)
        return PreEscaped(String::new());
    }
    // each value's first provenance entry (`{group}/{slug}`, as
    // `Listing::provenance_of` finds it), in one pass over the list
    // (a group has a few dozen values at most: a list beats a hash map)
    let mut first: Vec<(&str, &Provenance)> = Vec::new();
    for p in &listing.provenance {
        if let Some(slug) = p.fact.strip_prefix(group).and_then(|r| r.strip_prefix('/')) {
            if !first.iter().any(|(s, _)| *s == slug) {
                first.push((slug, p));
            }
        }
    }
    let facts: Vec<(Cow<str>, &Provenance, &Source)> = values
        .iter()
        .filter_map(|slug| {
            let p = first.iter().find(|(s, _)| *s == slug)?.1;
            let s = listing.sources.get(p.source)?;
            Some((Cow::Borrowed(value_label(ctx, group, slug)), p, s))
        })
        .collect();
    provenance_note(ctx, &facts, listing.sources.len())
}

/// A row of the program page's fact list: label, value, source.
pub(crate) fn fact_row(label: &str, value: Markup, source: Markup) -> Markup {
    html! {
        (Reserve(label.len() + value.0.len() + source.0.len()))
        div.fact-row {
            dt { (Text(label)) }
            dd {
                div.fact-value { (value) }
                (source)
            }
        }
    }
}
