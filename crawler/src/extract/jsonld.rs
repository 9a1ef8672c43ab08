//! The organization from schema.org JSON-LD (`<script type="application/ld+json">`:
//! one object, an array, or an `@graph`; `@type` a string or an array;
//! numbers sent as strings). Pages without it may say the same in
//! [`microdata`](super::microdata).

use super::{is_provider, Org};
use scraper::{Html, Selector};
use serde_json::Value;

/// The first provider organization with a name in the page's JSON-LD
/// scripts (a script that is not valid JSON is skipped), if any.
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
    orgs.into_iter().find(|o| o.name.is_some())
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
