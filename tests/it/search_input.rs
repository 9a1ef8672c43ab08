//! Search input as people type it, against the site's router in process: place names with
//! their punctuation and accents, every ZIP form, keywords with no word in
//! them, and error pages worded for a person in the page's language.

use crate::common;

use common::app::TestApp;
use common::html::{first, parse};

#[test]
fn places_as_people_type_them_are_found_in_english_and_spanish() {
    let app = TestApp::sample();
    for lang in ["", "/es"] {
        for (typed, label) in [
            ("O%27Fallon%2C+MO", "O Fallon, MO"),
            ("O%E2%80%99Fallon%2C+MO", "O Fallon, MO"),
            ("Mayag%C3%BCez%2C+PR", "Mayaguez, PR"),
            ("Mayaguez+PR", "Mayaguez, PR"),
            ("806211226", "80621"),
            ("80621+1226", "80621"),
            ("80621-1226", "80621"),
            ("Washington+D.C.", "Washington, DC"),
            ("St.+Louis%2C+Mo.", "Louis, MO"),
        ] {
            let (status, html) = app.html(&format!("{lang}/search?near={typed}"));
            assert_eq!(status, 200, "{lang} near={typed}");
            assert!(
                html.contains(label),
                "{lang} near={typed}: {label} not on the page"
            );
        }
    }
}

#[test]
fn a_place_copied_with_other_spaces_is_read_as_typed_with_spaces() {
    // no-break, thin, narrow no-break and ideographic spaces and a line
    // separator, as text copied from web pages carries them: before, a
    // ZIP after one of them made the server close the connection unanswered
    let app = TestApp::sample();
    let heading = |html: &str| {
        let page = parse(html);
        first(&page, "h1")
            .map(common::html::text)
            .unwrap_or_default()
    };
    for space in ["%C2%A0", "%E2%80%89", "%E2%80%AF", "%E3%80%80", "%E2%80%A8"] {
        for typed in [
            "Denver_CO",
            "Sacramento%2C_CA_95814",
            "Atlanta%2C_GA%2C_USA",
            "Orange_County%2C_CA",
            "Atlantis_99999",
        ] {
            for lang in ["", "/es"] {
                let plain = app.html(&format!("{lang}/search?near={}", typed.replace('_', "+")));
                let copied = app.html(&format!("{lang}/search?near={}", typed.replace('_', space)));
                assert_eq!(copied.0, plain.0, "{lang} {typed} with {space}");
                assert_eq!(
                    heading(&copied.1),
                    heading(&plain.1),
                    "{lang} {typed} with {space}"
                );
            }
            let (status, json) = app.json(&format!(
                "/api/v1/search?per_page=1&near={}",
                typed.replace('_', space)
            ));
            assert!(
                status == 200 || status == 400,
                "API {typed} with {space}: {status}"
            );
            assert!(json.is_object(), "API {typed} with {space}");
        }
    }
}

#[test]
fn error_pages_speak_to_a_person_in_the_pages_language() {
    let app = TestApp::sample();
    let (status, html) = app.html("/search?near=Springfeld");
    assert_eq!(status, 400);
    assert!(html.contains("We do not know a place called"), "{html}");
    assert!(html.contains("Springfield, IL"));
    let (status, html) = app.html("/es/search?near=Springfeld");
    assert_eq!(status, 400);
    assert!(html.contains("No conocemos ningún lugar llamado"), "{html}");
    // a ZIP whose leading zero a spreadsheet dropped: the 5-digit one, linked
    let (status, html) = app.html("/search?near=2108&insurance=medicaid");
    assert_eq!(status, 400);
    assert!(html.contains("did you mean 02108?"), "{html}");
    assert!(
        html.contains("/search?near=02108&amp;insurance=medicaid"),
        "{html}"
    );
    // keywords with nothing to search for are refused, never matched to all
    for q in ["%40", "%F0%9F%99%82", "...", "%2B"] {
        for lang in ["", "/es"] {
            let (status, html) = app.html(&format!("{lang}/search?q={q}"));
            assert_eq!(status, 400, "{lang} q={q}");
            assert!(
                !html.contains("results-list"),
                "{lang} q={q}: results listed"
            );
        }
        let (status, body) = app.json(&format!("/api/v1/search?q={q}"));
        assert_eq!(status, 400);
        assert_eq!(body["parameter"], "q");
    }
    // no parameter names, slugs or ids in the words of any error page; the
    // API keeps its parameter field
    for (path, parameter) in [
        ("/search?near=Springfeld", "near"),
        ("/search?near=00000", "near"),
        ("/search?radius=abc", "radius"),
        ("/search?radius=900", "radius"),
        ("/search?sort=fast", "sort"),
        ("/search?page=0", "page"),
        ("/search?per_page=1000", "per_page"),
        ("/search?insurance=gold", "insurance"),
        ("/search?q=%40", "q"),
        ("/search?list=zz", "list"),
        ("/search?near=Colorado", "near"),
    ] {
        for lang in ["", "/es"] {
            let (status, html) = app.html(&format!("{lang}{path}"));
            assert_eq!(status, 400, "{lang}{path}");
            let message = message_of(&html);
            for raw in [
                "near:",
                "radius:",
                "q:",
                "sort:",
                "page:",
                "per_page",
                "insurance:",
                "list:",
                "list=",
                "ids=",
            ] {
                assert!(
                    !message.contains(raw),
                    "{lang}{path}: {raw:?} in {message:?}"
                );
            }
        }
        if parameter != "list" {
            let (status, body) = app.json(&format!("/api/v1{path}"));
            assert_eq!(status, 400, "{path}");
            assert_eq!(body["parameter"], parameter, "{path}");
        }
    }
    for path in ["/programs/0123456789ab", "/es/programs/0123456789ab"] {
        let (status, html) = app.html(path);
        assert_eq!(status, 404);
        assert!(!message_of(&html).contains("0123456789ab"), "{path}");
    }
}

/// The text of the page's error message paragraph.
fn message_of(html: &str) -> String {
    let page = parse(html);
    let message = first(&page, ".error-message");
    let message = message.unwrap_or_else(|| panic!("no error message in {html}"));
    message.text().collect()
}

#[test]
fn a_place_too_long_to_be_one_is_refused_without_being_read() {
    // a paste gone wrong: 44,000 characters. Before, they were read as a
    // place and the message quoted them back; now a place is at most 200
    // characters
    let app = TestApp::sample();
    let long = "Springfield".repeat(4_000);
    for (lang, words) in [
        ("", "The place is longer than 200 characters"),
        ("/es", "El lugar tiene más de 200 caracteres"),
    ] {
        let (status, html) = app.html(&format!("{lang}/search?near={long}"));
        assert_eq!(status, 400, "{lang}");
        let message = message_of(&html);
        assert!(message.contains(words), "{lang}: {message}");
        assert!(message.len() < 300, "{lang}: the message quotes it back");
    }
    let (status, body) = app.json(&format!("/api/v1/search?near={long}"));
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "near");
    // an address of 200 characters is still read (its ZIP code at the end)
    let address = format!("{:<178}, Sacramento, CA 95814", "Suite 100, 1215 K Street");
    assert_eq!(address.chars().count(), 200);

    let (status, html) = app.html(&format!(
        "/search?near={}",
        address.replace(' ', "+").replace(',', "%2C")
    ));
    assert_eq!(status, 200, "{html}");
}

#[test]
fn a_place_abroad_is_answered_as_abroad_in_both_languages() {
    // before, "Toronto, Canada" searched near Canada, Kentucky
    let app = TestApp::sample();
    for (lang, words) in [
        ("", "is outside the United States"),
        ("/es", "está fuera de los Estados Unidos"),
    ] {
        let (status, html) = app.html(&format!("{lang}/search?near=Toronto%2C+Canada"));
        assert_eq!(status, 400, "{lang}");
        let message = message_of(&html);
        assert!(message.contains(words), "{lang}: {message}");
        assert!(message.contains("Toronto, Canada"), "{lang}: {message}");
    }
    let (status, body) = app.json("/api/v1/search?near=Toronto%2C+Canada");
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "near");
    // a US town of a country's name is still searched
    let (status, _) = app.html("/search?near=Canada%2C+KY");
    assert_eq!(status, 200);
}
