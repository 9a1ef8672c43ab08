//! The organization from schema.org JSON-LD (`<script type="application/ld+json">`:
//! one object, an array, or an `@graph`; `@type` a string or an array;
//! numbers sent as strings) or, failing that, from microdata (`itemscope
//! itemtype=".../MedicalClinic"` with `itemprop`s).

use super::Org;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

/// The schema.org types that describe a treatment provider.
const TYPES: &[&str] = &[
    "MedicalClinic",
    "MedicalOrganization",
    "MedicalBusiness",
    "LocalBusiness",
    "Hospital",
    "Physician",
    "HealthAndBeautyBusiness",
    "MentalHealthClinic",
];

/// The organization the page describes, if it says so in structured data.
pub fn organization(document: &Html) -> Option<Org> {
    let scripts = Selector::parse(r#"script[type="application/ld+json"]"#).expect("selector");
    let mut orgs = Vec::new();
    for script in document.select(&scripts) {
        let text: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
            continue;
        };
        let mut candidates = Vec::new();
        collect(&value, &mut candidates, 0);
        orgs.extend(candidates.into_iter().map(org_of));
    }
    orgs.into_iter()
        .find(|o| o.name.is_some())
        .or_else(|| microdata(document))
}

fn collect<'a>(value: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out, depth + 1)),
        Value::Object(map) => {
            if let Some(graph) = map.get("@graph") {
                collect(graph, out, depth + 1);
            }
            let typed = match map.get("@type") {
                Some(Value::String(t)) => is_provider(t),
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_provider),
                _ => false,
            };
            if typed {
                out.push(value);
            }
        }
        _ => {}
    }
}

fn is_provider(t: &str) -> bool {
    let t = t.rsplit('/').next().unwrap_or(t);
    TYPES.contains(&t)
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items.iter().find_map(|v| text(Some(v))),
        Value::Object(map) => text(map.get("name").or_else(|| map.get("@value"))),
        _ => None,
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn org_of(value: &Value) -> Org {
    let mut org = Org {
        name: text(value.get("name")),
        phone: text(value.get("telephone")),
        website: text(value.get("url")),
        ..Org::default()
    };
    match value.get("address") {
        Some(Value::String(s)) => org.street = Some(s.clone()),
        Some(address) => {
            let address = match address {
                Value::Array(items) => items.first().unwrap_or(address),
                other => other,
            };
            org.street = text(address.get("streetAddress"));
            org.city = text(address.get("addressLocality"));
            org.state = text(address.get("addressRegion"));
            org.zip = text(address.get("postalCode"));
        }
        None => {}
    }
    if let Some(geo) = value.get("geo") {
        org.lat = number(geo.get("latitude"));
        org.lon = number(geo.get("longitude"));
    }
    org
}

fn microdata(document: &Html) -> Option<Org> {
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
