//! The JSON shapes of the API (`/api/v1/...`) and of `iopfinder search`.

use iop_index::{Listing, SearchResults, Vocabulary};
use serde_json::{json, Map, Value};

pub fn program_url(listing: &Listing) -> String {
    format!("/programs/{}", listing.id)
}

/// The search contract: total, page, per_page, origin, results, facets.
pub fn search(results: &SearchResults) -> Value {
    let vocabulary = Vocabulary::get();
    let rows: Vec<Value> = results
        .hits
        .iter()
        .map(|hit| search_row(&hit.listing, hit.distance_miles))
        .collect();
    let mut facets = Map::new();
    for group in &results.facets {
        let values: Vec<Value> = group
            .values
            .iter()
            .map(|c| {
                let v = vocabulary.value(c.value);
                json!({"value": v.slug, "label": v.label, "count": c.count, "selected": c.selected})
            })
            .collect();
        facets.insert(
            vocabulary.group(group.group).slug.clone(),
            Value::Array(values),
        );
    }
    json!({
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "sort": results.sort.slug(),
        "origin": results.origin.as_ref().map(|o| json!({"label": o.label, "lat": o.lat, "lon": o.lon})),
        "results": rows,
        "facets": facets,
    })
}

/// One result of the search contract: the listing's summary fields, its
/// facet values by group, and `distance_miles` (rounded to 0.01, `null`
/// without a place).
pub fn search_row(l: &Listing, distance_miles: Option<f64>) -> Value {
    let vocabulary = Vocabulary::get();
    let mut row = Map::new();
    row.insert("id".into(), json!(l.id));
    row.insert("name".into(), json!(l.name));
    row.insert("program_name".into(), json!(l.program_name));
    row.insert("url".into(), json!(program_url(l)));
    row.insert(
        "distance_miles".into(),
        json!(distance_miles.map(|d| (d * 100.0).round() / 100.0)),
    );
    row.insert(
        "address".into(),
        json!({"street": l.address.street, "street2": l.address.street2, "city": l.address.city, "state": l.address.state, "zip": l.address.zip}),
    );
    row.insert("lat".into(), json!(l.point.map(|p| p.lat)));
    row.insert("lon".into(), json!(l.point.map(|p| p.lon)));
    row.insert("phone".into(), json!(l.phone));
    row.insert("website".into(), json!(l.website));
    for group in vocabulary.groups() {
        row.insert(group.slug.clone(), json!(l.values(&group.slug)));
    }
    row.insert(
        "last_checked".into(),
        json!(l.last_checked().map(|d| d.to_string())),
    );
    row.insert("sample".into(), json!(l.sample));
    Value::Object(row)
}

/// One listing: every field, with its URL.
pub fn program(listing: &Listing) -> Value {
    let mut value = serde_json::to_value(listing).expect("listings serialize");
    if let Value::Object(map) = &mut value {
        map.insert("url".into(), json!(program_url(listing)));
        map.insert(
            "last_checked".into(),
            json!(listing.last_checked().map(|d| d.to_string())),
        );
    }
    value
}
