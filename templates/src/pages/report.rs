//! "Report a problem" with a listing: the form (on the listing page, and as
//! its own page when a report needs fixing) and the thank-you page.
//!
//! No account and no e-mail address: a report is what is wrong, some words,
//! and an optional way to reach the reporter. The web layer validates and
//! stores it; these functions only render.

use crate::format::Text;
use crate::i18n::PerLanguage;
use crate::layout::{layout, Nav, Page};
use crate::SiteContext;
use iop_index::request::{REPORT_CONTACT_MAX, REPORT_DETAILS_MAX};
use iop_index::Listing;
use maud::{html, Markup, PreEscaped, Render};

/// The kinds of problem a visitor can report: form value and English label.
/// The web layer accepts only these values.
pub const REPORT_PROBLEMS: [(&str, &str); 4] = [
    ("wrong-phone", "The phone number is wrong"),
    (
        "closed",
        "The program has closed or no longer offers this care",
    ),
    ("wrong-insurance", "The insurance information is wrong"),
    ("other", "Something else"),
];

/// What a visitor typed into the report form, to show it again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportDraft {
    /// The problem chosen (a value of [`REPORT_PROBLEMS`]), if any.
    pub problem: Option<String>,
    /// What is wrong, in the visitor's words.
    pub details: String,
    /// How to reach the visitor, if they want an answer (may be empty).
    pub contact: String,
}

/// One thing to fix in a report: the form field (`problem`, `details`,
/// `contact`) and what to do, in English (translated when rendered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFix {
    /// The form field: `problem`, `details` or `contact`.
    pub field: &'static str,
    /// What to do, in English (the page translates it).
    pub message: &'static str,
}

impl ReportFix {
    /// No problem was chosen.
    pub const CHOOSE_PROBLEM: ReportFix = ReportFix {
        field: "problem",
        message: "Choose what is wrong with the listing.",
    };
    /// The problem is not one of [`REPORT_PROBLEMS`].
    pub const UNKNOWN_PROBLEM: ReportFix = ReportFix {
        field: "problem",
        message: "Choose one of the problems listed.",
    };
    /// "Something else" without a description.
    pub const DESCRIBE: ReportFix = ReportFix {
        field: "details",
        message: "Describe what is wrong in a few words.",
    };
    /// The description is longer than [`REPORT_DETAILS_MAX`] characters.
    pub const DETAILS_TOO_LONG: ReportFix = ReportFix {
        field: "details",
        message: "Shorten the description to 2,000 characters or fewer.",
    };
    /// The contact is longer than [`REPORT_CONTACT_MAX`] characters.
    pub const CONTACT_TOO_LONG: ReportFix = ReportFix {
        field: "contact",
        message: "Shorten the contact details to 200 characters or fewer, or leave them empty.",
    };
    /// Every fix the form can ask for.
    pub const ALL: [ReportFix; 5] = [
        ReportFix::CHOOSE_PROBLEM,
        ReportFix::UNKNOWN_PROBLEM,
        ReportFix::DESCRIBE,
        ReportFix::DETAILS_TOO_LONG,
        ReportFix::CONTACT_TOO_LONG,
    ];
}

/// The report section of a listing page: an empty form. It is the same
/// for every listing but the id in its action, so it is made once per
/// language around that id.
pub(crate) fn report_section(ctx: &SiteContext, listing: &Listing) -> Markup {
    static EMPTY: PerLanguage<(String, String)> = PerLanguage::new(|lang| {
        let made = empty_report_section(&SiteContext::in_language(lang), ID_SLOT).0;
        // the slot is in the action only (a listing id has none of the
        // characters escaping changes)
        let (before, after) = made.split_once(ID_SLOT).unwrap_or((&made, ""));
        (before.to_string(), after.to_string())
    });
    let (before, after) = EMPTY.get(ctx.lang);
    let mut out = String::with_capacity(before.len() + listing.id.len() + after.len());
    out.push_str(before);
    Text(&listing.id).render_to(&mut out);
    out.push_str(after);
    PreEscaped(out)
}

/// Where a listing's id goes in the empty report section made ahead.
const ID_SLOT: &str = "IOP-LISTING-ID-SLOT";

/// The report section of the listing `id` (see [`report_section`]).
fn empty_report_section(ctx: &SiteContext, id: &str) -> Markup {
    html! {
        section.report aria-labelledby="report-problem" {
            h2 #report-problem { (ctx.t("Report a problem with this listing")) }
            (report_form(ctx, id, &ReportDraft::default(), &[]))
        }
    }
}

/// The form, filled with `draft`, with `fixes` marked on their fields.
fn report_form(ctx: &SiteContext, id: &str, draft: &ReportDraft, fixes: &[ReportFix]) -> Markup {
    let fix = |field: &str| fixes.iter().find(|f| f.field == field);
    let action = ctx.href(&format!("/programs/{id}/report"));
    let details_max = REPORT_DETAILS_MAX.to_string();
    let contact_max = REPORT_CONTACT_MAX.to_string();
    html! {
        p {
            (ctx.t("Tell us what is wrong and we will check it. You do not need an account or an e-mail address."))
        }
        form.report-form method="post" action=(action) {
            fieldset aria-describedby=[fix("problem").map(|_| "report-problem-error")] {
                legend { (ctx.t("What is wrong?")) }
                @if let Some(f) = fix("problem") {
                    p.field-error #report-problem-error { (ctx.t(f.message)) }
                }
                @for (i, (value, label)) in REPORT_PROBLEMS.iter().enumerate() {
                    @let id = format!("report-problem-{value}");
                    div.check {
                        input type="radio" name="problem" id=(id) value=(value)
                            required[i == 0]
                            checked[draft.problem.as_deref() == Some(*value)];
                        label for=(id) { (ctx.t(label)) }
                    }
                }
            }
            div.field {
                label for="report-details" { (ctx.t("What did you find?")) }
                p.hint #report-details-hint {
                    (ctx.t("Up to 2,000 characters. Please do not include health information about anyone."))
                }
                @if let Some(f) = fix("details") {
                    p.field-error #report-details-error { (ctx.t(f.message)) }
                }
                textarea #report-details name="details" rows="4" maxlength=(details_max)
                    aria-describedby={ "report-details-hint" @if fix("details").is_some() { " report-details-error" } }
                    aria-invalid=[fix("details").map(|_| "true")] {
                    (draft.details)
                }
            }
            div.field {
                label for="report-contact" { (ctx.t("Phone or e-mail, if you want a reply (optional)")) }
                p.hint #report-contact-hint {
                    (ctx.t("Leave this empty to stay anonymous. We use it only to ask about this report."))
                }
                @if let Some(f) = fix("contact") {
                    p.field-error #report-contact-error { (ctx.t(f.message)) }
                }
                input #report-contact type="text" name="contact" maxlength=(contact_max)
                    autocomplete="off" value=(draft.contact)
                    aria-describedby={ "report-contact-hint" @if fix("contact").is_some() { " report-contact-error" } }
                    aria-invalid=[fix("contact").map(|_| "true")];
            }
            button.button type="submit" { (ctx.t("Send report")) }
        }
    }
}

/// The report form as its own page: shown again with what to fix (answered
/// with status 400), or on its own at `GET /programs/{id}/report`.
pub fn report_page(
    ctx: &SiteContext,
    listing: &Listing,
    draft: &ReportDraft,
    fixes: &[ReportFix],
) -> Markup {
    let name = listing.display_name();
    let title = format!("{}: {name}", ctx.t("Report a problem"));
    let content = html! {
        h1 { (ctx.t("Report a problem")) ": " (name) }
        @if !fixes.is_empty() {
            div.error-summary role="alert" aria-labelledby="fix-heading" {
                h2 #fix-heading { (ctx.t("Your report was not sent. Please fix this:")) }
                ul {
                    @for f in fixes {
                        li { a href={ "#report-" (f.field) @if f.field == "problem" { "-" (REPORT_PROBLEMS[0].0) } } { (ctx.t(f.message)) } }
                    }
                }
            }
        }
        (report_form(ctx, &listing.id, draft, fixes))
        p { a href=(ctx.keep(&format!("/programs/{}", listing.id))) { (ctx.t("Back to the listing")) } }
    };
    layout(
        ctx,
        &Page {
            title: &title,
            description: &title,
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}

/// After a report is stored (POST, then redirect to this page).
pub fn report_thanks(ctx: &SiteContext, listing: &Listing) -> Markup {
    let name = listing.display_name();
    let content = html! {
        h1 { (ctx.t("Thank you: your report was sent")) }
        p {
            (ctx.t("We read every report and check the listing against its sources and with the program. Corrections appear after the next update of the directory."))
        }
        p {
            (ctx.t("Your report is about:")) " "
            a href=(ctx.keep(&format!("/programs/{}", listing.id))) { (name) }
        }
        p { a href=(ctx.keep("/")) { (ctx.t("Start a new search")) } }
    };
    layout(
        ctx,
        &Page {
            title: ctx.t("Thank you: your report was sent").as_str(),
            description: ctx.t("Thank you: your report was sent").as_str(),
            nav: Nav::None,
            noindex: true,
        },
        content,
    )
}

#[cfg(test)]
mod tests {
    use super::{empty_report_section, report_section, ReportFix, REPORT_PROBLEMS};
    use crate::i18n::{lookup, Lang};
    use crate::SiteContext;

    #[test]
    fn the_report_section_made_ahead_is_each_listings_own() {
        let listings = iop_crawler::sources::sample::listings().unwrap();
        for lang in Lang::ALL {
            let ctx = SiteContext::in_language(lang);
            for listing in &listings {
                let section = report_section(&ctx, listing).into_string();
                assert_eq!(
                    section,
                    empty_report_section(&ctx, &listing.id).into_string()
                );
                assert!(section.contains(&format!(
                    "{}/programs/{}/report\"",
                    lang.prefix(),
                    listing.id
                )));
            }
        }
    }

    /// The strings between `open` and the next `"` in a source file.
    fn literals<'a>(source: &'a str, open: &str) -> Vec<&'a str> {
        source
            .split(open)
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap_or(0)])
            .collect()
    }

    #[test]
    fn every_string_of_the_report_map_and_empty_state_is_translated() {
        let mut strings: Vec<&'static str> = Vec::new();
        for source in [
            include_str!("report.rs"),
            include_str!("program.rs"),
            include_str!("results.rs"),
            include_str!("../map.rs"),
        ] {
            strings.extend(literals(source, "ctx.t(\""));
        }
        // the fixes the web layer asks for, rendered through `ctx.t`
        strings.extend(ReportFix::ALL.iter().map(|fix| fix.message));
        strings.extend(REPORT_PROBLEMS.iter().map(|(_, label)| *label));
        assert!(strings.len() > 40, "{}", strings.len());
        let missing: Vec<&str> = strings
            .into_iter()
            .filter(|s| lookup(Lang::Es, s).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "not in templates/i18n/es.toml: {missing:?}"
        );
    }
}
