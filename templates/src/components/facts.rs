//! Facts as the pages show them: labels, hours, yes/no values, and the row
//! of a fact with its source and date.

use super::frame::not_reported;
use crate::format::{one_decimal, Text};
use crate::{Phrase, SiteContext};
use iop_index::listing::Provenance;
use iop_index::{Listing, Vocabulary};
use maud::Render;
use std::borrow::Cow;

/// A group's label from the vocabulary (the slug when unknown).
pub(crate) fn group_label<'a>(ctx: &SiteContext, slug: &'a str) -> &'a str {
    Vocabulary::get()
        .group_by_slug(slug)
        .map_or(slug, |g| ctx.group_label(g))
}

/// Labels joined by commas, or "not reported", written straight into the
/// page.
pub(crate) fn labels_markup<'a>(ctx: &'a SiteContext, labels: &'a [&'a str]) -> Labels<'a> {
    Labels { ctx, labels }
}

/// [`labels_markup`]'s labels, as the page writes them.
pub(crate) struct Labels<'a> {
    ctx: &'a SiteContext,
    labels: &'a [&'a str],
}

impl Render for Labels<'_> {
    fn render_to(&self, out: &mut String) {
        if self.labels.is_empty() {
            not_reported(self.ctx).render_to(out);
        }
        for (i, label) in self.labels.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            Text(label).render_to(out);
        }
    }
}

/// A fact's value, or "not reported" when no source gave it, written
/// straight into the page.
pub(crate) fn reported<T: Render>(ctx: &SiteContext, value: Option<T>) -> Reported<'_, T> {
    Reported { ctx, value }
}

/// A [`reported`] value, as the page writes it.
pub(crate) struct Reported<'a, T> {
    ctx: &'a SiteContext,
    value: Option<T>,
}

impl<T: Render> Render for Reported<'_, T> {
    fn render_to(&self, out: &mut String) {
        match &self.value {
            Some(value) => value.render_to(out),
            None => not_reported(self.ctx).render_to(out),
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
pub(crate) fn accepting(ctx: &SiteContext, value: Option<bool>) -> YesNo<'_> {
    yes_no(
        ctx,
        value,
        ctx.t("Accepting new clients"),
        ctx.t("Not accepting new clients"),
    )
}

/// `yes` or `no` (marked as such), or "not reported", written straight
/// into the page.
pub(crate) fn yes_no(ctx: &SiteContext, value: Option<bool>, yes: Phrase, no: Phrase) -> YesNo<'_> {
    YesNo {
        ctx,
        value,
        yes,
        no,
    }
}

/// A [`yes_no`] value, as the page writes it.
pub(crate) struct YesNo<'a> {
    ctx: &'a SiteContext,
    value: Option<bool>,
    yes: Phrase,
    no: Phrase,
}

impl Render for YesNo<'_> {
    fn render_to(&self, out: &mut String) {
        let (class, words) = match self.value {
            Some(true) => ("yes", self.yes),
            Some(false) => ("no", self.no),
            None => return not_reported(self.ctx).render_to(out),
        };
        out.push_str(r#"<span class=""#);
        out.push_str(class);
        out.push_str(r#"">"#);
        words.render_to(out);
        out.push_str("</span>");
    }
}

/// Where a fact comes from, told once per source: the page's Sources
/// section names each source with its check date and the facts it gave, so
/// under a fact there is only a link to its source ("Source 2") when the
/// listing has more than one (`sources`), and the evidence words folded in
/// a `<details>`. `facts` are provenance entries with what they are about
/// (a value label for a group's values, empty for a single fact). Written
/// straight into the page; nothing at all when there is nothing to say
/// (one source, no evidence words).
pub(crate) fn provenance_note<'a>(
    ctx: &'a SiteContext,
    facts: impl IntoIterator<Item = (Cow<'a, str>, &'a Provenance)>,
    sources: usize,
) -> ProvenanceNote<'a> {
    let mut note = ProvenanceNote {
        ctx,
        seen: Vec::new(),
        evidence: Vec::new(),
    };
    for (about, p) in facts {
        if sources > 1 && !note.seen.contains(&p.source) {
            note.seen.push(p.source);
        }
        if let Some(words) = p.evidence.as_deref() {
            note.evidence.push((about, words));
        }
    }
    note
}

/// A [`provenance_note`], as the page writes it.
pub(crate) struct ProvenanceNote<'a> {
    ctx: &'a SiteContext,
    /// The sources named, in the order the facts first name them (only
    /// when the listing has more than one).
    seen: Vec<usize>,
    /// What each evidence is about ("" for a single fact) and its words.
    evidence: Vec<(Cow<'a, str>, &'a str)>,
}

impl Render for ProvenanceNote<'_> {
    fn render_to(&self, out: &mut String) {
        if self.seen.is_empty() && self.evidence.is_empty() {
            return;
        }
        let ctx = self.ctx;
        out.push_str(r#"<div class="provenance">"#);
        if !self.seen.is_empty() {
            out.push_str(r#"<p class="source-note">"#);
            for (i, source) in self.seen.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let mut digits = itoa::Buffer::new();
                let number = digits.format(source + 1);
                out.push_str(r##"<a href="#source-"##);
                out.push_str(number);
                out.push_str(r#"">"#);
                ctx.t("Source").render_to(out);
                out.push(' ');
                out.push_str(number);
                out.push_str("</a>");
            }
            out.push_str("</p>");
        }
        if !self.evidence.is_empty() {
            out.push_str(r#"<details class="evidence"><summary>"#);
            ctx.t("Evidence").render_to(out);
            out.push_str("</summary><ul>");
            for (about, words) in &self.evidence {
                out.push_str("<li>");
                if !about.is_empty() {
                    Text(about).render_to(out);
                    out.push_str(": ");
                }
                out.push_str("<q>");
                Text(words).render_to(out);
                out.push_str("</q></li>");
            }
            out.push_str("</ul></details>");
        }
        out.push_str("</div>");
    }
}

/// The provenance of one fact of a listing, as a note. A fact two sources
/// state differently (a website's listing merged with its national record)
/// has an entry per source, the other source's value as its evidence: each
/// is named with its source and check date, so both values show with where
/// and when they were stated.
pub(crate) fn fact_source<'a>(
    ctx: &'a SiteContext,
    listing: &'a Listing,
    fact: &str,
) -> ProvenanceNote<'a> {
    let mut entries = listing
        .provenance
        .iter()
        .filter(|p| p.fact == fact && p.source < listing.sources.len());
    let Some(first) = entries.next() else {
        return provenance_note(ctx, [], listing.sources.len());
    };
    let several = entries.clone().any(|p| p.source != first.source);
    if !several {
        // one source: its first entry, as before merges
        return provenance_note(ctx, [(Cow::Borrowed(""), first)], listing.sources.len());
    }
    let about = |p: &Provenance| {
        Cow::Owned(format!(
            "{} {}, {}",
            ctx.t("Source"),
            p.source + 1,
            p.checked
        ))
    };
    provenance_note(
        ctx,
        std::iter::once(first).chain(entries).map(|p| (about(p), p)),
        listing.sources.len(),
    )
}

/// The provenance of every reported value of a group, deduplicated:
/// `values` are the listing's values of `group` and `labels` their labels
/// (the caller has them for the row).
pub(crate) fn group_source<'a>(
    ctx: &'a SiteContext,
    listing: &'a Listing,
    group: &str,
    values: &[String],
    labels: &[&'a str],
) -> ProvenanceNote<'a> {
    if values.is_empty() {
        // nothing reported, nothing to source (no pass over the provenance)
        return provenance_note(ctx, [], listing.sources.len());
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
    let facts = values.iter().zip(labels).filter_map(|(slug, &label)| {
        let p = first.iter().find(|(s, _)| *s == slug)?.1;
        (p.source < listing.sources.len()).then_some((Cow::Borrowed(label), p))
    });
    provenance_note(ctx, facts, listing.sources.len())
}

/// A row of the program page's fact list: label, value, source, written
/// straight into the page.
pub(crate) fn fact_row<V: Render, S: Render>(
    label: &str,
    value: V,
    source: S,
) -> FactRow<'_, V, S> {
    FactRow {
        label,
        value,
        source,
    }
}

/// A [`fact_row`], as the page writes it.
pub(crate) struct FactRow<'a, V, S> {
    label: &'a str,
    value: V,
    source: S,
}

impl<V: Render, S: Render> Render for FactRow<'_, V, S> {
    fn render_to(&self, out: &mut String) {
        out.push_str(r#"<div class="fact-row"><dt>"#);
        Text(self.label).render_to(out);
        out.push_str(r#"</dt><dd><div class="fact-value">"#);
        self.value.render_to(out);
        out.push_str("</div>");
        self.source.render_to(out);
        out.push_str("</dd></div>");
    }
}
