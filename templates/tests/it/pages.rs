//! The pages rendered from hand-built listings and real searches over them.

use crate::fixtures::{self, prov, request};
use crate::html::{attr, first, link, one, parse, select, text, ElementRef, Html};

use iop_index::indexing::build_in_ram;
use iop_index::listing::Weekday;
use iop_index::{GenerationMeta, Listing, SearchIndex, Source};
use iop_templates::{about, error_page, home, program, results, stylesheet_path, SiteContext};
use time::macros::date;

// ---------------------------------------------------------------- fixtures

fn ctx(sample: bool) -> SiteContext {
    fixtures::site(iop_templates::Lang::En, "", sample, 1234)
}

/// A source of these tests' listings, naming them as record `rec-1`.
fn source(kind: &str, title: &str, url: Option<&str>) -> Source {
    fixtures::source(kind, title, url, Some("rec-1"))
}

/// A listing near downtown Sacramento (ZIP 95814) with only its name, address
/// and point reported, plus the facet values given.
fn bare(id: &str, name: &str, lat: f64, lon: f64, facets: &[(&str, &[&str])]) -> Listing {
    let test = source("test", "Test directory", None);
    fixtures::listing(
        id,
        name,
        (lat, lon),
        facets,
        test,
        date!(2026 - 09 - 01),
        None,
    )
}

/// A listing with every fact reported, from two sources.
fn full() -> Listing {
    let mut l = bare(
        "0000000000a1",
        "River Bend Health",
        38.5816,
        -121.4944,
        &[
            ("focus", &["mental-health", "mood"]),
            ("age", &["adolescents"]),
            ("insurance", fixtures::EVERY_PLAN),
            ("schedule", &["evening"]),
            ("format", &["in-person", "telehealth"]),
            ("accreditation", &["joint-commission"]),
        ],
    );
    l.program_name = Some("Teen Evening IOP".into());
    l.description = Some("An evening program for teens.".into());
    l.address.street2 = Some("Suite 2".into());
    l.intake_phone = Some("916.555.0101 ext. 4".into());
    l.website = Some("https://www.riverbend.example/teen-iop/".into());
    l.sources.push(source(
        "website",
        "River Bend website",
        Some("https://www.riverbend.example/teen-iop/"),
    ));
    fixtures::state_every_fact(
        &mut l,
        fixtures::session(Weekday::Wed, "16:00", "19:00"),
        1,
        date!(2026 - 10 - 02),
    );
    // the website also states Medicaid, with its words
    l.provenance.retain(|p| p.fact != "insurance/medicaid");
    l.provenance.push(prov(
        "insurance/medicaid",
        1,
        date!(2026 - 10 - 02),
        Some("We accept Medi-Cal"),
    ));
    l
}

fn listings() -> Vec<Listing> {
    vec![
        full(),
        bare(
            "0000000000b2",
            "Capitol Recovery Center",
            38.60,
            -121.45,
            &[("insurance", &["medicare"])],
        ),
        bare(
            "0000000000c3",
            "Delta Family Services",
            38.55,
            -121.50,
            &[("insurance", &["private"])],
        ),
        // about 70 miles away: only within 100 miles
        bare(
            "0000000000d4",
            "Foothill Counseling",
            39.20,
            -120.80,
            &[("insurance", &["medicaid"])],
        ),
    ]
}

fn index() -> SearchIndex {
    build_in_ram(listings()).expect("index builds")
}

fn search(index: &SearchIndex, query: &str) -> String {
    let r = request(query);
    let found = index.search(&r).expect("search runs");
    results(&ctx(false), &r, &found).into_string()
}

fn meta() -> GenerationMeta {
    GenerationMeta {
        generation: "g-20261124T193000-1".into(),
        built_at: "2026-11-24T19:30:00Z".into(),
        listings: 1234,
        sample: false,
        sources: vec![
            fixtures::source_summary(
                "samhsa-directory",
                "SAMHSA National Directory of Substance Use Treatment Facilities, 2022",
                Some("2022"),
                Some("https://www.samhsa.gov/data/"),
                1200,
                Some(("2026-09-01", "2026-10-02")),
            ),
            fixtures::source_summary(
                "website",
                "Program websites",
                None,
                None,
                34,
                Some(("2026-10-02", "2026-10-02")),
            ),
        ],
    }
}

/// Every page, rendered with `ctx`.
fn all_pages(ctx: &SiteContext) -> Vec<(&'static str, String)> {
    let index = index();
    let r = request("near=95814&insurance=medicaid");
    let found = index.search(&r).unwrap();
    vec![
        ("home", home(ctx).into_string()),
        ("results", results(ctx, &r, &found).into_string()),
        ("program", program(ctx, &full()).into_string()),
        (
            "about",
            about(ctx, &meta(), &["samhsa-directory"]).into_string(),
        ),
        (
            "404",
            error_page(
                ctx,
                404,
                "Page not found",
                "There is no page at this address.",
                &[],
            )
            .into_string(),
        ),
    ]
}

// ---------------------------------------------------------------- helpers

/// The markup inside the `dd` of the fact row labelled `label` (a `dt`
/// whose text is `label`, and the `dd` right after it).
fn row(page: &Html, label: &str) -> String {
    let dt = select(page, "dt")
        .into_iter()
        .find(|dt| text(*dt) == label)
        .unwrap_or_else(|| panic!("row {label:?} not found"));
    let dd = dt
        .next_siblings()
        .find_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "dd")
        .unwrap_or_else(|| panic!("row {label:?} has no dd"));
    dd.inner_html()
}

/// The facet group's `fieldset` in `within` whose legend starts with `legend`.
fn fieldset<'a>(within: ElementRef<'a>, legend: &str) -> ElementRef<'a> {
    select(within, "fieldset")
        .into_iter()
        .find(|f| first(*f, "legend").is_some_and(|l| text(l).starts_with(legend)))
        .unwrap_or_else(|| panic!("no group {legend:?}"))
}

/// The result card (`article`) whose text contains `name`.
fn card<'a>(page: &'a Html, name: &str) -> ElementRef<'a> {
    select(page, "article")
        .into_iter()
        .find(|a| text(*a).contains(name))
        .unwrap_or_else(|| panic!("no card of {name:?}"))
}

// ---------------------------------------------------------------- every page

#[test]
fn every_page_has_the_crisis_line_and_only_the_stylesheet_as_a_resource() {
    let css = format!("<link rel=\"stylesheet\" href=\"{}\">", stylesheet_path());
    for (name, html) in all_pages(&ctx(false)) {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{name}"
        );
        assert!(html.contains("<meta charset=\"utf-8\">"), "{name}");
        assert!(html.contains("name=\"viewport\""), "{name}");
        assert!(html.contains("<meta name=\"description\""), "{name}");
        assert!(
            html.contains("<a class=\"skip-link\" href=\"#main\">Skip to main content</a>"),
            "{name}"
        );
        assert!(html.contains("<main id=\"main\""), "{name}");
        // the crisis line near the top (before main) and in the footer
        let doc = parse(&html);
        let order = select(&doc, "[aria-label=\"Crisis help\"], main");
        assert!(
            order[0].value().attr("aria-label") == Some("Crisis help"),
            "{name}: crisis line after main"
        );
        assert!(html.contains("In crisis? Call or text 988 (Suicide &amp; Crisis Lifeline), or call 911 in an emergency."), "{name}");
        assert!(
            html.matches("href=\"tel:988\"").count() >= 2,
            "{name}: 988 tel link top and footer"
        );
        assert!(html.contains("href=\"sms:988\""), "{name}");
        assert!(
            html.contains("No ads, no paid placement, no tracking."),
            "{name}"
        );
        assert!(
            html.contains("<time datetime=\"2026-11-24\">2026-11-24</time>"),
            "{name}: build date"
        );
        assert!(html.contains("1,234 programs listed."), "{name}");
        // one external resource: the stylesheet; nothing else loads
        assert_eq!(html.matches(&css).count(), 1, "{name}");
        // other links load nothing: the OpenSearch description (fetched
        // only if the visitor adds the site as a search engine), canonical
        // and language alternates
        assert_eq!(
            html.matches("<link rel=\"stylesheet\"").count(),
            1,
            "{name}"
        );
        assert_eq!(
            html.matches("<link").count(),
            html.matches("<link rel=\"stylesheet\"").count()
                + html
                    .matches("<link rel=\"search\" type=\"application/opensearchdescription+xml\"")
                    .count()
                + html.matches("<link rel=\"canonical\"").count()
                + html.matches("<link rel=\"alternate\"").count()
                + html
                    .matches(&format!(
                        "<link rel=\"icon\" href=\"{}\" type=\"image/svg+xml\">",
                        iop_templates::favicon_path()
                    ))
                    .count(),
            "{name}"
        );
        // the referrer policy meta says what the header says
        assert!(
            html.contains("<meta name=\"referrer\" content=\"no-referrer\">"),
            "{name}"
        );
        // the only script element is JSON-LD data, which is never executed
        let html = html.replace("<script type=\"application/ld+json\">", "");
        for forbidden in [
            "<script", "<img", "<iframe", " src=", "<style", " style=", "@import",
        ] {
            assert!(!html.contains(forbidden), "{name} contains {forbidden}");
        }
    }
}

#[test]
fn the_sample_banner_shows_on_every_page_iff_the_data_is_sample() {
    for (name, html) in all_pages(&ctx(true)) {
        assert_eq!(
            html.matches("Sample data: not real programs").count(),
            1,
            "{name}"
        );
    }
    for (name, html) in all_pages(&ctx(false)) {
        assert!(!html.contains("Sample data: not real programs"), "{name}");
        assert!(!html.contains("sample-banner"), "{name}");
    }
}

#[test]
fn titles_are_specific_to_each_page() {
    let titles: Vec<String> = all_pages(&ctx(false))
        .into_iter()
        .map(|(_, html)| text(one(&parse(&html), "title")))
        .collect();
    assert_eq!(
        titles,
        [
            "IOP Finder: find intensive outpatient programs",
            "Programs within 25 miles of Sacramento, CA 95814 | IOP Finder",
            "River Bend Health: Teen Evening IOP | IOP Finder",
            "About | IOP Finder",
            "Page not found | IOP Finder",
        ]
    );
}

// ---------------------------------------------------------------- home

#[test]
fn the_home_page_says_how_many_programs_come_from_providers_own_sites() {
    // SAMHSA's files alone: no program for mental health only, said so
    let note = |site: &SiteContext| text(one(&parse(&home(site).into_string()), "p.coverage"));
    let samhsa_only = note(&ctx(false));
    assert!(
        samhsa_only.contains(
            "come from providers' own websites, and none has been read into this directory yet."
        ),
        "{samhsa_only}"
    );
    let crawled = note(&SiteContext {
        from_providers: 1234,
        ..ctx(false)
    });
    assert!(
        crawled.contains("local directories: 1,234 of the programs here have facts from them."),
        "{crawled}"
    );
    let spanish = note(&SiteContext {
        from_providers: 1234,
        ..fixtures::site(iop_templates::Lang::Es, "", false, 5000)
    });
    assert!(
        spanish.contains("y de directorios locales: 1,234 de los programas de aquí"),
        "{spanish}"
    );
}

#[test]
fn the_home_form_searches_with_the_first_filters() {
    let html = home(&ctx(false)).into_string();
    assert!(html.contains("<form class=\"search-form\" method=\"get\" action=\"/search\""));
    assert!(html.contains("<label for=\"near\">ZIP code or city</label>"));
    let doc = parse(&html);
    let near = one(&doc, "input[name=near]");
    assert_eq!(attr(near, "autocomplete"), "off");
    assert_eq!(attr(near, "value"), "");
    assert!(html.contains("<option value=\"25\" selected>Within 25 miles</option>"));
    for miles in ["5", "10", "50", "100"] {
        assert!(
            html.contains(&format!(
                "<option value=\"{miles}\">Within {miles} miles</option>"
            )),
            "{miles}"
        );
    }
    assert!(html.contains("Keywords (optional)"));
    for (group, value, label) in [
        ("insurance", "medicaid", "Medicaid"),
        ("insurance", "sliding-scale", "Sliding fee scale"),
        ("focus", "eating-disorders", "Eating disorders"),
        ("age", "adolescents", "Adolescents (13-17)"),
    ] {
        let input = format!("<input type=\"checkbox\" name=\"{group}\" value=\"{value}\">");
        assert!(html.contains(&input), "{input}");
        assert!(
            html.contains(&format!("{input}<span>{label}</span>")),
            "{label}"
        );
    }
    // the less common plans wait for the results page
    assert!(!html.contains("value=\"aetna\""));
    assert!(html.contains("<legend>Insurance and payment</legend>"));
    assert!(html.contains(">Find programs</button>"));
    assert!(html.contains("What is an IOP?"));
    assert!(html.contains("9 to 19 hours a week"));
}

// ---------------------------------------------------------------- results

#[test]
fn the_results_heading_counts_programs_near_the_place() {
    let index = index();
    let html = search(&index, "near=95814");
    assert!(
        html.contains(
            "<h1 id=\"results-heading\">3 programs within 25 miles of Sacramento, CA 95814</h1>"
        ),
        "{html}"
    );
    let html = search(&index, "near=95814&insurance=tricare");
    assert!(html.contains(">1 program within 25 miles of Sacramento, CA 95814</h1>"));
    let html = search(&index, "");
    assert!(html.contains(">4 programs</h1>"));
    let html = search(&index, "near=95814&q=teen");
    assert!(
        html.contains(">1 program within 25 miles of Sacramento, CA 95814 matching \"teen\"</h1>"),
        "{html}"
    );
}

#[test]
fn the_form_is_prefilled_and_keeps_an_odd_radius() {
    let index = index();
    let html = search(
        &index,
        "near=Sacramento%2C+CA&radius=30&q=evening+group&insurance=medicaid",
    );
    let doc = parse(&html);
    assert_eq!(attr(one(&doc, "#near"), "value"), "Sacramento, CA");
    assert_eq!(attr(one(&doc, "#q"), "value"), "evening group");
    assert!(html.contains("<option value=\"25\">Within 25 miles</option><option value=\"30\" selected>Within 30 miles</option>"));
    // a new place keeps the filters
    assert!(html.contains("<input type=\"hidden\" name=\"insurance\" value=\"medicaid\">"));
}

#[test]
fn facet_checkboxes_are_checked_when_selected_and_counted() {
    let index = index();
    let html = search(&index, "near=95814&insurance=medicaid");
    let doc = parse(&html);
    let checkbox = |value: &str| {
        one(
            &doc,
            &format!("input[type=checkbox][name=insurance][value={value}]"),
        )
    };
    attr(checkbox("medicaid"), "checked");
    assert_eq!(checkbox("medicare").value().attr("checked"), None);
    // counts ignore the group's own selection: medicare would add Capitol Recovery
    assert!(html.contains(
        "value=\"medicare\"><span>Medicare <span class=\"count\">2<span class=\"visually-hidden\"> programs</span></span></span>"
    ), "{html}");
    // one form, carrying the place; values with no programs are dimmed; long groups fold
    let sidebar = one(&doc, "aside.filters");
    let form = one(sidebar, "form");
    assert_eq!(
        (attr(form, "method"), attr(form, "action")),
        ("get", "/search")
    );
    one(
        form,
        "form > input[type=hidden][name=near][value=\"95814\"]:first-child",
    );
    one(
        sidebar,
        "label[class=\"check dim\"] > input[type=checkbox][name=focus][value=eating-disorders]:first-child",
    );
    let languages = fieldset(sidebar, "Languages");
    let more = one(languages, "details[class=more]");
    assert_eq!(text(one(more, "summary:first-child")), "Show 23 more");
    assert!(text(sidebar).contains("any of these"));
    assert!(select(sidebar, "button")
        .into_iter()
        .any(|b| text(b) == "Update results"));
    let legends: Vec<String> = select(sidebar, "legend").into_iter().map(text).collect();
    for group in [
        "Treatment focus",
        "Therapy approach",
        "Insurance and payment",
        "Schedule",
        "Format",
    ] {
        assert!(legends.iter().any(|l| l.starts_with(group)), "{group}");
    }
}

#[test]
fn a_selected_value_stays_visible_in_a_folded_group() {
    let index = index();
    let html = search(&index, "near=95814&language=yupik");
    let doc = parse(&html);
    let languages = fieldset(one(&doc, "aside.filters"), "Languages");
    // checked, and not folded away in the group's "Show more"
    one(languages, "input[value=yupik][checked]");
    assert!(select(languages, "details input[value=yupik]").is_empty());
}

#[test]
fn chips_remove_one_filter_each_and_clear_all_removes_them_all() {
    let index = index();
    let html = search(
        &index,
        "near=95814&insurance=medicaid&insurance=medicare&age=adolescents&page=1",
    );
    let doc = parse(&html);
    let chip = one(&doc, "a[aria-label=\"Remove filter: Medicaid\"]");
    assert_eq!(
        attr(chip, "href"),
        "/search?near=95814&insurance=medicare&age=adolescents"
    );
    assert!(html.contains("aria-label=\"Remove filter: Medicaid\">Medicaid <span aria-hidden=\"true\">\u{d7}</span></a>"));
    let chip = one(&doc, "a[aria-label=\"Remove filter: Adolescents (13-17)\"]");
    assert_eq!(
        attr(chip, "href"),
        "/search?near=95814&insurance=medicaid&insurance=medicare"
    );
    let clear = link(&doc, "Clear all filters");
    assert_eq!(attr(clear, "href"), "/search?near=95814");
}

#[test]
fn sort_links_offer_what_makes_sense_and_mark_the_current_one() {
    let index = index();
    let html = search(&index, "near=95814&q=health");
    let doc = parse(&html);
    let sort = one(&doc, "nav.sort");
    let current = one(sort, "a[aria-current=true]");
    assert_eq!(text(current), "Distance");
    assert_eq!(attr(current, "href"), "/search?near=95814&q=health");
    let best = link(sort, "Best match");
    assert_eq!(
        attr(best, "href"),
        "/search?near=95814&q=health&sort=relevance"
    );
    assert_eq!(best.value().attr("aria-current"), None);
    assert!(attr(link(sort, "Name"), "href").ends_with("sort=name"));
    // without a place or text there is only one order: no sort links
    assert!(select(&parse(&search(&index, "")), "nav.sort").is_empty());
}

#[test]
fn a_search_for_adolescents_finds_and_marks_a_program_for_children_or_adolescents() {
    // SAMHSA's "children/adolescents": the card says what the source said,
    // marked as what the search found; the box counts it
    let index = build_in_ram(vec![
        bare(
            "0000000000e5",
            "Under 18 Program",
            38.58,
            -121.49,
            &[("age", &["children-adolescents", "adults"])],
        ),
        bare(
            "0000000000f6",
            "Adults Program",
            38.58,
            -121.48,
            &[("age", &["adults"])],
        ),
    ])
    .expect("index builds");
    let doc = parse(&search(&index, "near=95814&age=adolescents"));
    assert_eq!(select(&doc, "article.card").len(), 1);
    let facts = one(card(&doc, "Under 18 Program"), "dl.card-facts").inner_html();
    assert!(
        facts.contains("<dd><strong class=\"match\"><span aria-hidden=\"true\">✓ </span>Children or adolescents (under 18)</strong>, Adults</dd>"),
        "{facts}"
    );
    let boxes = |value: &str| {
        let input = one(
            &doc,
            &format!("aside.filters input[name=\"age\"][value=\"{value}\"]"),
        );
        text(input.parent().and_then(ElementRef::wrap).unwrap())
    };
    assert!(
        boxes("adolescents").contains("Adolescents (13-17) 1"),
        "{}",
        boxes("adolescents")
    );
    assert!(
        boxes("children").contains("Children (under 13) 1"),
        "{}",
        boxes("children")
    );
    assert!(boxes("adults").contains("Adults 2"), "{}", boxes("adults"));
}

#[test]
fn cards_show_the_decisive_facts_and_say_what_is_not_reported() {
    let index = index();
    let doc = parse(&search(&index, "near=95814&insurance=medicare"));
    let river = card(&doc, "River Bend Health: Teen Evening IOP");
    // the link carries the search, so the program page can lead back to it
    let title = one(river, "h2.card-title > a");
    assert_eq!(
        attr(title, "href"),
        "/programs/0000000000a1?near=95814&insurance=medicare"
    );
    assert_eq!(text(title), "River Bend Health: Teen Evening IOP");
    let miles = text(one(river, "span.distance"));
    let miles = miles.strip_suffix(" mi").unwrap_or(&miles);
    assert!(
        miles.len() == 3 && miles.parse::<f64>().unwrap() < 1.0,
        "{miles}"
    );
    assert_eq!(text(one(river, "span.street")), "100 Capitol Mall");
    assert!(text(river).contains(" mi · 100 Capitol Mall, Sacramento, CA"));
    // the phone as a large tap target, before the facts
    let call = one(river, "a.call[href=\"tel:+19165550100\"]");
    assert!(text(call).contains("Call (916) 555-0100"), "{}", text(call));
    assert_eq!(text(one(call, "span.phone")), "(916) 555-0100");
    let order = select(river, "a.call, dl.card-facts");
    assert_eq!(order[0], call, "the call link before the facts");
    // the facts the filters ask about come first, the matching value first and marked
    let facts = one(river, "dl.card-facts").inner_html();
    assert!(facts.starts_with("<div class=\"fact\"><dt>Insurance and payment</dt><dd><strong class=\"match\"><span aria-hidden=\"true\">✓ </span>Medicare</strong>, Medicaid"), "{facts}");
    assert!(
        facts.contains("<dd>Mental health, Depression and mood disorders</dd>"),
        "{facts}"
    );
    assert!(
        facts.contains("<dd>Evening · 9 hours a week</dd>"),
        "{facts}"
    );
    assert!(!text(river).contains("Sample"));
    // a listing with nothing but its name and address: one line for what is missing
    let bare_card = card(&doc, "Capitol Recovery Center");
    assert_eq!(
        text(one(bare_card, "p.card-missing")),
        "Not reported: treatment focus, ages served, schedule"
    );
    assert!(select(bare_card, "dt")
        .into_iter()
        .all(|dt| text(dt) != "Ages served"));
    assert!(bare_card
        .inner_html()
        .contains("Phone: <span class=\"not-reported\">not reported</span>"));
    one(bare_card, "span.distance");
}

#[test]
fn sample_listings_are_tagged() {
    let mut l = full();
    l.sample = true;
    let index = build_in_ram(vec![l.clone()]).unwrap();
    let r = request("near=95814");
    let html = results(&ctx(true), &r, &index.search(&r).unwrap()).into_string();
    assert!(html.contains("<span class=\"tag tag-sample\">Sample</span>"));
    let page = program(&ctx(true), &l).into_string();
    assert!(page.contains("Sample: not a real program"));
    assert!(!program(&ctx(false), &full())
        .into_string()
        .contains("Sample: not a real program"));
}

#[test]
fn pagination_links_pages_around_the_current_one() {
    let index = index();
    let html = search(&index, "per_page=1&page=2");
    let doc = parse(&html);
    let nav = one(&doc, "nav.pagination[aria-label=Pages]");
    assert!(text(nav).contains("Page 2 of 4"), "{}", nav.html());
    one(nav, "a[href=\"/search?per_page=1\"][rel=prev]");
    one(nav, "a[href=\"/search?page=3&per_page=1\"][rel=next]");
    let current = one(nav, "a[aria-current=page]");
    assert_eq!(attr(current, "href"), "/search?page=2&per_page=1");
    assert_eq!(
        current.inner_html(),
        "<span class=\"visually-hidden\">Page </span>2"
    );
    one(&doc, "ol.results-list[start=\"2\"]");
    // one page: no pagination
    assert!(select(&parse(&search(&index, "")), "[aria-label=Pages]").is_empty());
}

#[test]
fn an_empty_result_suggests_wider_distances_and_fewer_filters() {
    let index = index();
    let html = search(&index, "near=95814&radius=10&insurance=tricare&q=zebra");
    assert!(html
        .contains(">0 programs within 10 miles of Sacramento, CA 95814 matching \"zebra\"</h1>"));
    assert!(html.contains("No programs matched this search"));
    assert!(html.contains("<a href=\"/search?near=95814&amp;radius=50&amp;q=zebra&amp;insurance=tricare\">Search within 50 miles</a>"));
    assert!(
        html.contains("radius=100&amp;q=zebra&amp;insurance=tricare\">Search within 100 miles</a>")
    );
    let doc = parse(&html);
    // the filter's chip, and again among the ways to find more
    let chips = select(
        &doc,
        "a[aria-label=\"Remove filter: TRICARE (military insurance)\"]",
    );
    assert!(!chips.is_empty());
    for chip in chips {
        assert_eq!(attr(chip, "href"), "/search?near=95814&radius=10&q=zebra");
    }
    assert!(html.contains("<a href=\"/search?near=95814&amp;radius=10&amp;insurance=tricare\">Search without the keywords \"zebra\"</a>"));
    // no invented counts
    assert!(!html.contains("Search within 50 miles ("));
    // already wide: no wider suggestion below the current radius
    let html = search(&index, "near=95814&radius=75&insurance=free");
    assert!(!html.contains("Search within 50 miles"));
    assert!(html.contains("Search within 100 miles"));
}

// ---------------------------------------------------------------- program

#[test]
fn the_program_page_shows_every_fact_with_its_source() {
    let html = program(&ctx(false), &full()).into_string();
    let doc = parse(&html);
    assert!(html.contains("<h1>River Bend Health: Teen Evening IOP</h1>"));
    assert!(html.contains("Offered by River Bend Health"));
    assert!(row(&doc, "Address").contains("100 Capitol Mall<br>Suite 2<br>Sacramento, CA 95814"));
    let map = row(&doc, "Map");
    assert!(
        map.contains("href=\"https://www.openstreetmap.org/directions?to=38.5816%2C-121.4944\""),
        "{map}"
    );
    assert!(map.contains("exact location"));
    // a fact links to its source, named once in the Sources section
    assert!(map.contains("<a href=\"#source-2\">Source 2</a>"), "{map}");
    // the extension is dialled too
    assert!(row(&doc, "Intake phone").contains("href=\"tel:+19165550101;ext=4\""));
    assert!(row(&doc, "Website").contains("<a href=\"https://www.riverbend.example/teen-iop/\" rel=\"nofollow noopener\">riverbend.example/teen-iop</a>"));
    // a group's sources, deduplicated, with the evidence words
    let insurance = row(&doc, "Insurance and payment");
    assert_eq!(
        insurance
            .matches("<a href=\"#source-1\">Source 1</a>")
            .count(),
        1,
        "{insurance}"
    );
    assert_eq!(
        insurance
            .matches("<a href=\"#source-2\">Source 2</a>")
            .count(),
        1
    );
    assert!(!insurance.contains("checked"), "{insurance}");
    // each source once, with its date and what it reported
    one(&doc, "#source-2");
    let sources = one(&doc, "section[aria-labelledby=sources]").inner_html();
    assert!(
        sources.contains("Source 2: <span class=\"source-title\">River Bend website</span>"),
        "{sources}"
    );
    assert!(sources.contains("Facts from this source: "), "{sources}");
    assert!(
        insurance.contains(
            "<summary>Evidence</summary><ul><li>Medicaid: <q>We accept Medi-Cal</q></li></ul>"
        ),
        "{insurance}"
    );
    // schedule
    assert_eq!(
        row(&doc, "Days a week"),
        "<div class=\"fact-value\">3 days a week</div>"
    );
    assert!(row(&doc, "Hours a week").contains("9 hours a week"));
    assert!(row(&doc, "Sessions").contains(
        "Monday <time datetime=\"16:00\">4:00 pm</time>–<time datetime=\"19:00\">7:00 pm</time>"
    ));
    assert!(row(&doc, "Program length").contains("About 8 weeks"));
    assert!(row(&doc, "Partial hospitalization (PHP)").contains("Yes"));
    assert!(row(&doc, "Outpatient care to step down to").contains("No"));
    assert!(row(&doc, "Accepting new clients").contains("Yes"));
    // sources and the overall check date
    assert!(html.contains("Last checked <time datetime=\"2026-10-02\">2026-10-02</time>."));
    assert!(html.contains("<span class=\"record\">Record: rec-1</span>"));
    assert!(html.contains("Before you call"));
}

#[test]
fn missing_facts_are_not_reported_never_guessed() {
    let mut l = bare("0000000000e5", "Quiet Valley Clinic", 38.58, -121.49, &[]);
    l.point = None;
    let html = program(&ctx(false), &l).into_string();
    let doc = parse(&html);
    let nr = "<span class=\"not-reported\">not reported</span>";
    for label in [
        "Map",
        "Phone",
        "Intake phone",
        "Website",
        "Accepting new clients",
        "Insurance and payment",
        "Ages served",
        "When sessions meet",
        "Days a week",
        "Hours a week",
        "Sessions",
        "Program length",
        "Partial hospitalization (PHP)",
        "Outpatient care to step down to",
    ] {
        assert!(
            row(&doc, label).contains(nr),
            "{label}: {}",
            row(&doc, label)
        );
    }
    assert!(row(&doc, "Intensive outpatient (IOP)").contains("Yes"));
    assert!(!html.contains("openstreetmap.org"));
    assert!(!html.contains("Offered by"));
}

#[test]
fn data_is_escaped_and_unsafe_links_are_not_links() {
    let mut l = full();
    l.name = "<script>alert(1)</script> Clinic".into();
    l.program_name = Some("\"><img src=x onerror=alert(2)>".into());
    l.website = Some("javascript:alert(3)".into());
    l.phone = Some("<b>call</b>".into());
    l.sources[1].url = Some("data:text/html,<script>alert(4)</script>".into());
    l.provenance.push(prov(
        "description",
        1,
        date!(2026 - 10 - 02),
        Some("</q><script>alert(5)</script>"),
    ));
    for html in [program(&ctx(false), &l).into_string(), {
        let index = build_in_ram(vec![l.clone()]).unwrap();
        let r = request("q=%3Cscript%3E&near=95814");
        results(&ctx(false), &r, &index.search(&r).unwrap()).into_string()
    }] {
        // the JSON-LD element is the only script; the data inside it cannot
        // close it (every `<` is written `\u003c`)
        assert!(html.matches("<script").count() <= 1, "{html}");
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script type=\"application/ld+json\">")
                .count()
        );
        assert_eq!(
            html.matches("</script>").count(),
            html.matches("<script").count()
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("href=\"javascript:"));
        assert!(!html.contains("href=\"data:"));
        assert!(!html.contains("<b>call"));
    }
    let html = program(&ctx(false), &l).into_string();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Clinic"));
    assert!(html.contains("<span>javascript:alert(3)</span>"));
}

// ---------------------------------------------------------------- about and errors

#[test]
fn the_about_page_lists_the_sources_and_credits() {
    let html = about(&ctx(false), &meta(), &["samhsa-directory"]).into_string();
    // each source with its public page, its own date (edition) and,
    // apart, when we read it
    assert!(html.contains("<th scope=\"row\">SAMHSA National Directory of Substance Use Treatment Facilities, 2022<br><a href=\"https://www.samhsa.gov/data/\" rel=\"nofollow noopener\">samhsa.gov/data</a></th><td>Edition of 2022</td><td>1,200</td>"), "{html}");
    assert!(html.contains("<time datetime=\"2026-09-01\">2026-09-01</time> to <time datetime=\"2026-10-02\">2026-10-02</time>"));
    assert!(html.contains("<th scope=\"row\">Program websites</th><td>Source's date: <span class=\"not-reported\">not reported</span></td><td>34</td><td><time datetime=\"2026-10-02\">2026-10-02</time></td>"), "{html}");
    assert!(html.contains(
        "ZIP code coordinates: <a href=\"https://www.geonames.org/\">GeoNames</a> (CC BY 4.0)"
    ));
    assert!(html.contains("Facility data: SAMHSA National Directory of Substance Use Treatment Facilities, 2022 (public domain)"));
    // the map's lines and place names (index/places/us-places.tsv)
    assert!(html.contains("Map: state and county lines and place names from the U.S. Census Bureau (2017 cartographic boundary files, 2022 Gazetteer places; public domain), through the us-atlas and weather-util-data packages"), "{html}");
    let es = about(
        &fixtures::site(iop_templates::Lang::Es, "", false, 1234),
        &meta(),
        &["samhsa-directory"],
    )
    .into_string();
    assert!(es.contains("lugares del Gazetteer de 2022; dominio público), a través de los paquetes us-atlas y weather-util-data"), "{es}");
    assert!(html.contains(
        "built on <time datetime=\"2026-11-24\">2026-11-24</time> and lists 1,234 programs."
    ));
    assert!(html.contains("No paid placement"));
    for level in [
        "Outpatient",
        "Intensive outpatient (IOP)",
        "Partial hospitalization (PHP)",
        "Residential",
        "Inpatient",
    ] {
        assert!(html.contains(&format!("<dt>{level}</dt>")), "{level}");
    }
    // only the sources the data has
    let mut m = meta();
    m.sources.clear();
    let html = about(&ctx(false), &m, &["samhsa-directory"]).into_string();
    assert!(!html.contains("SAMHSA National Directory"));
    assert!(html.contains("GeoNames"));
    // the credits name the sources of the kinds the caller gives
    let html = about(&ctx(false), &meta(), &[]).into_string();
    assert!(html.contains("SAMHSA National Directory"));
    assert!(!html.contains("Facility data:"));
}

#[test]
fn error_pages_say_what_happened_and_offer_a_way_on() {
    let suggestions = vec![
        (
            "Springfield, IL".to_string(),
            "/search?near=Springfield%2C+IL".to_string(),
        ),
        (
            "Springfield, MO".to_string(),
            "javascript:alert(1)".to_string(),
        ),
    ];
    let html = error_page(
        &ctx(false),
        400,
        "Place not found",
        "No place called \"Springfeld\" is known.",
        &suggestions,
    )
    .into_string();
    assert!(html.contains("<h1 id=\"error-heading\">We couldn't understand that search</h1>"));
    assert!(html.contains("No place called &quot;Springfeld&quot; is known."));
    assert!(html.contains("<a href=\"/search?near=Springfield%2C+IL\">Springfield, IL</a>"));
    assert!(html.contains("<span>Springfield, MO</span>"));
    assert!(html.contains("action=\"/search\""));
    assert!(html.contains("<a href=\"/\">Go to the home page</a>"));
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    let html = error_page(&ctx(false), 404, "", "", &[]).into_string();
    assert!(html.contains(">Page not found</h1>"));
    let html = error_page(&ctx(false), 500, "", "The index could not be read.", &[]).into_string();
    assert!(html.contains(">Something went wrong</h1>"));
    assert!(html.contains("href=\"tel:988\""));
}

#[test]
fn the_stylesheet_link_is_stable_and_hashed() {
    let path = stylesheet_path();
    assert_eq!(path, stylesheet_path());
    assert!(
        path.starts_with("/static/site-")
            && path.ends_with(".css")
            && path.len() == "/static/site-01234567.css".len()
    );
    assert!(home(&ctx(false))
        .into_string()
        .contains(&format!("href=\"{path}\"")));
}

#[test]
fn distances_from_a_zip_centre_claim_no_more_than_they_know() {
    // a program placed at its ZIP's centre, searched from that ZIP: the
    // distance is unknown within the ZIP, not "0.0 mi"
    let centre = iop_index::Gazetteer::get().zip("95814").unwrap();
    let same = bare(
        "0000000000d4",
        "Same ZIP Clinic",
        centre.lat,
        centre.lon,
        &[],
    );
    let index = build_in_ram(vec![
        same,
        full(),
        bare(
            "0000000000b2",
            "Capitol Recovery Center",
            38.60,
            -121.45,
            &[],
        ),
    ])
    .unwrap();
    let html = search(&index, "near=95814");
    let doc = parse(&html);
    let distance = |name: &str| text(one(card(&doc, name), "span.distance"));
    assert_eq!(distance("Same ZIP Clinic"), "in ZIP 95814");
    let capitol = distance("Capitol Recovery Center");
    assert!(
        capitol.starts_with("about ") && capitol.ends_with(" mi") && !capitol.contains('.'),
        "{capitol}"
    );
    // the program's own coordinates keep their decimal
    let exact = distance("River Bend Health: Teen Evening IOP");
    assert!(exact.ends_with(" mi") && exact.contains('.'), "{exact}");
    assert!(!html.contains("0.0 mi"));
}

#[test]
fn a_source_shows_its_own_date_apart_from_when_it_was_read_and_no_private_address() {
    let mut l = full();
    l.sources[0].url = Some("http://127.0.0.1:41234/data/su_2023_facilities.csv".into());
    l.sources[0].edition = Some("2023".into());
    l.sources[1].url = Some("http://192.168.1.20/provider/page".into());
    let html = program(&ctx(false), &l).into_string();
    assert!(
        !html.contains("127.0.0.1:41234") && !html.contains("192.168."),
        "{html}"
    );
    assert!(html.contains("Edition of 2023"), "{html}");
    assert!(html.contains("We last read it on"), "{html}");
    // each fact links to its source, named once with its edition and when
    // we read it
    assert!(
        html.contains(
            "<li id=\"source-1\">Source 1: <span class=\"source-title\">Test directory</span>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"#source-1\">Source 1</a>"),
        "{html}"
    );
    l.sources[0].url = Some("https://www.samhsa.gov/data/".into());
    let html = program(&ctx(false), &l).into_string();
    assert!(html.contains(
        "<a href=\"https://www.samhsa.gov/data/\" rel=\"nofollow noopener\">samhsa.gov/data</a>"
    ));
}
