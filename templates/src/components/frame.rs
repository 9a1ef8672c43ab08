//! The page frame's small parts: the crisis line, the sample banner, the
//! "not reported" and sample tags, phone links, the coverage note and the
//! program counts.

use crate::format::{tel_href, thousands, Text};
use crate::i18n::PerLanguage;
use crate::SiteContext;
use maud::{html, Markup, PreEscaped};

/// A straight double quote, for quoting a search text around an escaped splice.
pub(crate) const QUOTE: PreEscaped<&str> = PreEscaped("\"");

/// The crisis line, near the top of every page (made once per language).
pub(crate) fn crisis_line(ctx: &SiteContext) -> PreEscaped<&'static str> {
    static MADE: PerLanguage<String> =
        PerLanguage::new(|lang| crisis_line_in(&SiteContext::in_language(lang)).into_string());
    PreEscaped(MADE.get(ctx.lang))
}

fn crisis_line_in(ctx: &SiteContext) -> Markup {
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

/// The banner shown on every page while the fictional sample directory is
/// served (made once per language).
pub(crate) fn sample_banner(ctx: &SiteContext) -> PreEscaped<&'static str> {
    static MADE: PerLanguage<String> =
        PerLanguage::new(|lang| sample_banner_in(&SiteContext::in_language(lang)).into_string());
    PreEscaped(MADE.get(ctx.lang))
}

fn sample_banner_in(ctx: &SiteContext) -> Markup {
    html! {
        div.sample-banner role="region" aria-label=(ctx.t("Sample data notice")) {
            p.wrap {
                strong { (ctx.t("Sample data: not real programs")) }
                span.sample-more { " " (ctx.t("These programs are fictional examples, shown only until the directory has crawled real data, so please don't contact them.")) }
            }
        }
    }
}

/// A "not reported" marker for a fact no source gave (made once per
/// language: a program page has several).
pub(crate) fn not_reported(ctx: &SiteContext) -> PreEscaped<&'static str> {
    static MADE: PerLanguage<String> = PerLanguage::new(|lang| {
        let ctx = SiteContext::in_language(lang);
        html! { span.not-reported { (ctx.t("not reported")) } }.into_string()
    });
    PreEscaped(MADE.get(ctx.lang))
}

/// The "Sample" tag of a fictional listing.
pub(crate) fn sample_tag(ctx: &SiteContext) -> Markup {
    html! { span.tag.tag-sample { (ctx.t("Sample")) } }
}

/// A phone number as a `tel:` link (plain text when it cannot be dialled).
pub(crate) fn phone_link(phone: &str) -> Markup {
    phone_link_to(phone, tel_href(phone).as_deref())
}

/// [`phone_link`] with its `tel:` URI made ahead (`tel_href(phone)`).
pub(crate) fn phone_link_to(phone: &str, tel: Option<&str>) -> Markup {
    html! {
        @match tel {
            Some(href) => a.phone href=(Text(href)) { (phone) },
            None => span.phone { (phone) },
        }
    }
}

/// What the directory holds today, told plainly (the home page, an empty
/// result): SAMHSA's national file lists substance-use IOPs; its
/// mental-health file has no IOP category, so programs for mental health
/// only come from providers' own websites and local directories, as many
/// as the served data has ([`SiteContext::from_providers`]: none is said
/// as none).
pub(crate) fn coverage_note(ctx: &SiteContext) -> Markup {
    html! {
        p.coverage {
            @if ctx.sample {
                (ctx.t("What the directory holds today: SAMHSA's national directory lists intensive outpatient programs for substance use. Its mental-health directory has no IOP category, so programs for mental health only (eating disorders, depression, anxiety, teens) come from the provider websites we crawl, and there are fewer of them."))
            } @else if ctx.from_providers == 0 {
                (ctx.t("What the directory holds today: SAMHSA's national directory lists intensive outpatient programs for substance use. Its mental-health directory has no IOP category, so programs for mental health only (eating disorders, depression, anxiety, teens) come from providers' own websites, and none has been read into this directory yet."))
            } @else {
                (ctx.tf("What the directory holds today: SAMHSA's national directory lists intensive outpatient programs for substance use. Its mental-health directory has no IOP category, so programs for mental health only (eating disorders, depression, anxiety, teens) come from providers' own websites and local directories: {n} of the programs here have facts from them.", &[("n", &crate::format::thousands(ctx.from_providers))]))
            }
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
