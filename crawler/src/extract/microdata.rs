//! The organization from schema.org microdata: the first element with
//! `itemscope` and a provider `itemtype` (".../MedicalClinic" and the like),
//! read from the `itemprop`s inside it (`content`, a link's `href` for `url`,
//! or the element's text).

use super::{is_provider, Org};
use scraper::{ElementRef, Html, Selector};

/// The organization the page's microdata describes, when it has a name.
pub fn organization(document: &Html) -> Option<Org> {
    let scoped = Selector::parse("[itemscope][itemtype]").expect("selector");
    let props = Selector::parse("[itemprop]").expect("selector");
    let element = document.select(&scoped).find(|e| {
        e.value()
            .attr("itemtype")
            .is_some_and(|t| t.split_whitespace().any(is_provider))
    })?;
    let mut org = Org::default();
    for prop in element.select(&props) {
        let value = prop_value(prop);
        let slot = match prop.value().attr("itemprop").unwrap_or("") {
            "name" => &mut org.name,
            "telephone" => &mut org.phone,
            "url" => &mut org.website,
            "streetAddress" => &mut org.street,
            "addressLocality" => &mut org.city,
            "addressRegion" => &mut org.state,
            "postalCode" => &mut org.zip,
            "latitude" => {
                org.lat = org.lat.or(value.and_then(|v| v.parse().ok()));
                continue;
            }
            "longitude" => {
                org.lon = org.lon.or(value.and_then(|v| v.parse().ok()));
                continue;
            }
            _ => continue,
        };
        if slot.is_none() {
            *slot = value;
        }
    }
    org.name.is_some().then_some(org)
}

fn prop_value(element: ElementRef<'_>) -> Option<String> {
    let e = element.value();
    let raw = e
        .attr("content")
        .or_else(|| {
            if e.name() == "a" && e.attr("itemprop") == Some("url") {
                e.attr("href")
            } else {
                None
            }
        })
        .map(str::to_string)
        .unwrap_or_else(|| element.text().collect::<String>());
    let cleaned = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}
