//! The site in Spanish over HTTP: every page under `/es`, links that stay in
//! Spanish, the language switch, and Spanish 404 and 400 pages.

use crate::common;

use common::html::{attr, first, parse, select};
use common::TestApp;

/// Every `href` of a page, in document order.
fn hrefs(html: &str) -> Vec<String> {
    select(&parse(html), "[href]")
        .into_iter()
        .map(|e| attr(e, "href").to_string())
        .collect()
}

/// The language switch's link (the one marked with the other language).
fn switch(html: &str, lang: &str) -> String {
    let doc = parse(html);
    let link = first(&doc, &format!("a[lang={lang}][hreflang={lang}]"))
        .unwrap_or_else(|| panic!("no switch to {lang}"));
    attr(link, "href").to_string()
}

/// Links of a Spanish page that leave Spanish (besides the English switch
/// and alternate, resources and downloads).
fn english_links(html: &str) -> Vec<String> {
    let english_switch = switch(html, "en");
    hrefs(html)
        .into_iter()
        .filter(|h| h.starts_with('/') && !h.starts_with("/es/"))
        .filter(|h| {
            !h.starts_with("/static/")
                && !h.starts_with("/map/")
                && !h.starts_with("/search.csv")
                && !h.starts_with("/shortlist.csv")
                && !h.starts_with("/download/")
                && !h.starts_with("/hsds/")
                && !h.starts_with("/api/")
                && h != "/opensearch.xml"
                && *h != english_switch
        })
        .collect()
}

#[test]
fn spanish_search_results_are_in_spanish_and_link_within_spanish() {
    let app = TestApp::start();
    let response = app.get("/es/search?near=95814&radius=50");
    assert_eq!(response.headers()["content-language"], "es");
    let (status, html) = app.html("/es/search?near=95814&radius=50");
    assert_eq!(status, 200);
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"es\">"),
        "{html}"
    );
    assert!(html.contains("Buscar programas"));
    assert!(html.contains("¿En crisis?"));
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"es\" href=\"{}/es/search?near=95814&amp;radius=50\">",
        app.url
    )));
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"en\" href=\"{}/search?near=95814&amp;radius=50\">",
        app.url
    )));
    let leaving = english_links(&html);
    assert!(leaving.is_empty(), "links leave Spanish: {leaving:?}");
    // the forms search in Spanish too
    assert!(html.contains("action=\"/es/search\""));

    // the switch round-trips, keeping the query string
    let to_english = switch(&html, "en");
    assert_eq!(to_english, "/search?near=95814&radius=50");
    let (status, english) = app.html(&to_english);
    assert_eq!(status, 200);
    assert!(english.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert_eq!(switch(&english, "es"), "/es/search?near=95814&radius=50");

    // a program page from the results, in Spanish
    let program = hrefs(&html)
        .into_iter()
        .find(|h| h.starts_with("/es/programs/"))
        .expect("a program link");
    let (status, page) = app.html(&program);
    assert_eq!(status, 200);
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"es\">"));
    assert!(page.contains("Informar de un problema"));
    let leaving = english_links(&page);
    assert!(leaving.is_empty(), "links leave Spanish: {leaving:?}");
}

#[test]
fn every_page_type_answers_under_es() {
    let app = common::app::TestApp::sample();
    let (_, results) = app.html("/es/search?near=95814&radius=100");
    let mut ids: Vec<String> = hrefs(&results)
        .into_iter()
        .filter_map(|h| {
            h.strip_prefix("/es/programs/")
                .map(|id| id.chars().take(12).collect())
        })
        .collect();
    ids.dedup();
    assert!(ids.len() >= 2, "{ids:?}");
    let (id, id2) = (ids[0].clone(), ids[1].clone());
    for path in [
        "/es".to_string(),
        "/es/".to_string(),
        "/es/about".to_string(),
        format!("/es/programs/{id}"),
        format!("/es/programs/{id}/report"),
        format!("/es/programs/{id}/report/thanks"),
        format!("/es/shortlist?ids={id},{id2}"),
        format!("/es/shortlist/print?ids={id},{id2}"),
        format!("/es/compare?ids={id},{id2}"),
        "/es/shortlist?ids=".to_string(),
    ] {
        let (status, html) = app.html(&path);
        assert_eq!(status, 200, "{path}");
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"es\">"),
            "{path}"
        );
        let leaving = english_links(&html);
        assert!(
            leaving.is_empty(),
            "{path}: links leave Spanish: {leaving:?}"
        );
    }
    // the API and the machine files are not pages: not under /es
    assert_eq!(
        app.get("/es/api/v1/search?near=95814").status().as_u16(),
        404
    );
    assert_eq!(app.get("/api/v1/search?near=95814").status().as_u16(), 200);
    assert_eq!(app.get("/es/robots.txt").status().as_u16(), 404);
    // an address that merely starts with "es" is not Spanish
    let (status, _) = app.html("/essay");
    assert_eq!(status, 404);
}

#[test]
fn a_report_sent_in_spanish_thanks_in_spanish() {
    let app = TestApp::start();
    let (_, results) = app.html("/es/search?near=95814&radius=100");
    let id = hrefs(&results)
        .into_iter()
        .find_map(|h| {
            h.strip_prefix("/es/programs/")
                .map(|id| id[..12].to_string())
        })
        .expect("a program");
    let (_, form) = app.html(&format!("/es/programs/{id}/report"));
    assert!(
        form.contains(&format!("action=\"/es/programs/{id}/report\"")),
        "{form}"
    );
    let r = common::no_redirects()
        .post(format!("{}/es/programs/{id}/report", app.url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("problem=closed&details=&contact=")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/es/programs/{id}/report/thanks"));
    let (status, thanks) = app.html(&location);
    assert_eq!(status, 200);
    assert!(thanks.contains("Gracias: su informe se envió"));
}

#[test]
fn errors_under_es_are_spanish() {
    let app = common::app::TestApp::sample();
    let (status, html) = app.html("/es/no-such-page");
    assert_eq!(status, 404);
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"es\">"));
    assert!(html.contains("Página no encontrada"), "{html}");
    assert!(html.contains("No hay ninguna página en esta dirección"));
    assert!(html.contains("tel:988"));

    let (status, html) = app.html("/es/programs/ffffffffffff");
    assert_eq!(status, 404);
    assert!(html.contains("Página no encontrada"));

    let (status, html) = app.html("/es/search?near=00000");
    assert_eq!(status, 400);
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"es\">"));
    assert!(html.contains("No pudimos entender esa búsqueda"), "{html}");
    assert!(
        html.contains("No conocemos el código postal 00000"),
        "{html}"
    );

    let (status, html) = app.html("/es/search?near=95814&radius=abc");
    assert_eq!(status, 400);
    assert!(html.contains("no es un número de millas"), "{html}");

    let (status, html) = app.html("/es/search?near=95814&insurance=gold");
    assert_eq!(status, 400);
    assert!(html.contains("no es una de las opciones de"), "{html}");
    assert!(html.contains("Seguro privado"));

    // suggestions stay in Spanish
    let (status, html) = app.html("/es/search?near=Springfield");
    assert_eq!(status, 400);
    assert!(
        html.contains("name=\"near\" value=\"Springfield\""),
        "the form keeps what was typed"
    );
    assert!(
        html.contains("href=\"/es/search?near=Springfield%2C"),
        "{html}"
    );

    // a whole state is named in Spanish; a territory is a territory
    let (status, html) = app.html("/es/search?near=North+Carolina");
    assert_eq!(status, 400);
    assert!(
        html.contains("Carolina del Norte es un estado entero"),
        "{html}"
    );
    let (_, html) = app.html("/es/search?near=Texas");
    assert!(html.contains("Texas es un estado entero"), "{html}");
    let (status, html) = app.html("/es/search?near=Puerto+Rico");
    assert_eq!(status, 400);
    assert!(
        html.contains("Puerto Rico es un territorio entero"),
        "{html}"
    );
    let (_, html) = app.html("/search?near=Guam");
    assert!(html.contains("Guam is a whole territory"), "{html}");

    // the API keeps English, in the English page's one wording
    let (status, body) = app.json("/api/v1/search?near=00000");
    assert_eq!(status, 400);
    let error = body["error"].as_str().unwrap();
    assert_eq!(
        error,
        "We do not know the ZIP code 00000. Check it, or enter a city and state."
    );
    let (_, english) = app.html("/search?near=00000");
    assert!(english.contains(error), "{english}");
}
