//! `/api/v1/openapi.json`: the OpenAPI 3.1 description of the JSON API.
//!
//! Kept beside the handlers ([`super::api`], shapes in [`crate::json`]) and
//! built from the same sources: the facet parameters and the facet fields
//! of a result come from the vocabulary, the limits from `iop_index::request`.
//! A test validates real answers of every endpoint (the 400 and 404 bodies
//! included) against the schemas here.

use axum::routing::get;
use axum::{Json, Router};
use iop_index::request::{
    DEFAULT_PER_PAGE, DEFAULT_RADIUS_MILES, MAX_PAGE, MAX_PER_PAGE, MAX_PLACE_CHARS,
    MAX_QUERY_CHARS, MAX_RADIUS_MILES,
};
use iop_index::Vocabulary;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

pub fn router() -> Router<super::AppState> {
    Router::new().route(
        "/api/v1/openapi.json",
        get(|| async { Json(document().clone()) }),
    )
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

/// The description (built once).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Value {
    let v = Vocabulary::get();
    let slugs = |group: &iop_index::FacetGroup| -> Vec<String> {
        group
            .values
            .iter()
            .map(|&id| v.value(id).slug.clone())
            .collect()
    };
    let mut parameters = vec![
        json!({"name": "near", "in": "query", "description": format!("Where to search from: a ZIP code (95814), a city or town and its state (Sacramento, CA; towns the ZIP list files under a neighbouring city are found as the Census places them: West Allis, WI), a neighbourhood, town or city and its city or county (Midtown, Sacramento: the city; Davis, Sacramento and Folsom, Sacramento County: the town), a county (Sacramento County, CA), an address or its last line (Sacramento, CA 95814: a ZIP code at the end is used; a country after it is left out) or coordinates (38.58,-121.49); at most {MAX_PLACE_CHARS} characters."), "schema": {"type": "string", "maxLength": MAX_PLACE_CHARS}}),
        json!({"name": "radius", "in": "query", "description": format!("Miles from `near` (default {DEFAULT_RADIUS_MILES}, at most {MAX_RADIUS_MILES})."), "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_MILES}}),
        json!({"name": "q", "in": "query", "description": format!("Words to find in names, descriptions and facts (at most {MAX_QUERY_CHARS} characters)."), "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}}),
        json!({"name": "sort", "in": "query", "description": "distance (needs `near`), relevance or name.", "schema": {"type": "string", "enum": ["distance", "relevance", "name"]}}),
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}}),
        json!({"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}}),
    ];
    let mut row_facets = Map::new();
    let mut facet_counts = Map::new();
    for group in v.groups() {
        parameters.push(json!({
            "name": group.slug,
            "in": "query",
            "description": format!("{}: {} Repeat for several values (any of them matches).", group.label, group.help),
            "style": "form",
            "explode": true,
            "schema": {"type": "array", "items": {"type": "string", "enum": slugs(group)}},
        }));
        row_facets.insert(
            group.slug.clone(),
            json!({"type": "array", "items": {"type": "string", "enum": slugs(group)}}),
        );
        facet_counts.insert(
            group.slug.clone(),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}}),
        );
    }
    let mut row = json!({
        "type": "object",
        "required": ["id", "name", "program_name", "url", "distance_miles", "address", "lat", "lon", "phone", "website", "last_checked", "sample"],
        "properties": {
            "id": {"$ref": "#/components/schemas/ListingId"},
            "name": {"type": "string"},
            "program_name": nullable("string"),
            "url": {"type": "string", "description": "The program's page, relative to the site."},
            "distance_miles": {"type": ["number", "null"], "description": "From `near`, rounded to 0.01 mile; null without `near`."},
            "address": {
                "type": "object",
                "required": ["street", "street2", "city", "state", "zip"],
                "properties": {
                    "street": nullable("string"),
                    "street2": {"type": ["string", "null"], "description": "A suite, floor or building: the second address line."},
                    "city": {"type": "string"},
                    "state": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                },
                "additionalProperties": false,
            },
            "lat": nullable("number"),
            "lon": nullable("number"),
            "phone": nullable("string"),
            "website": nullable("string"),
            "last_checked": {"type": ["string", "null"], "format": "date"},
            "sample": {"type": "boolean", "description": "True for the fictional programs of the sample directory."},
        },
        "additionalProperties": false,
    });
    if let Some(props) = row["properties"].as_object_mut() {
        props.extend(row_facets);
    }
    let search_results = json!({
        "type": "object",
        "required": ["total", "page", "per_page", "sort", "origin", "results", "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "sort": {"type": "string", "enum": ["distance", "relevance", "name"]},
            "origin": {
                "oneOf": [
                    {"type": "null"},
                    {"type": "object", "required": ["label", "lat", "lon"], "properties": {"label": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"}}, "additionalProperties": false},
                ],
            },
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}},
            "facets": {"type": "object", "properties": facet_counts, "additionalProperties": false},
        },
        "additionalProperties": false,
    });
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "IOP Finder API",
            "version": "1",
            "summary": "Search a public directory of intensive outpatient programs (IOPs).",
            "description": "Read-only and free to use from any origin (no credentials). Every answer carries ETag and Last-Modified; send If-None-Match to get 304 when nothing changed. The same directory is also served as Open Referral HSDS 3.0 under /hsds/.",
            "license": {"name": "Facts: see each listing's sources (SAMHSA data is public domain in the U.S.)", "url": "/about"},
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": {
            "/api/v1/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Programs matching a place, filters and words, with facet counts.",
                    "parameters": parameters,
                    "responses": {
                        "200": {"description": "One page of matching programs.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}}},
                        "400": error("A parameter is not understood: `parameter` names it, `error` says how to fix it, `suggestions` lists values it may have meant."),
                    },
                },
            },
            "/api/v1/programs/{id}": {
                "get": {
                    "operationId": "program",
                    "summary": "One program: every fact with its source and check date.",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/ListingId"}}],
                    "responses": {
                        "200": {"description": "The program.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Program"}}}},
                        "404": error("No program has this id (it may have closed or been removed)."),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description.",
                    "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}},
                },
            },
        },
        "components": {
            "schemas": {
                "ListingId": {"type": "string", "pattern": "^[0-9a-f]{12}$", "description": "Stable across crawls: shared links keep working."},
                "Error": {
                    "type": "object",
                    "required": ["error", "parameter", "suggestions"],
                    "properties": {
                        "error": {"type": "string"},
                        "parameter": nullable("string"),
                        "suggestions": {"type": ["array", "null"], "items": {"type": "string"}},
                    },
                    "additionalProperties": false,
                },
                "FacetCount": {
                    "type": "object",
                    "required": ["value", "label", "count", "selected"],
                    "properties": {
                        "value": {"type": "string"},
                        "label": {"type": "string"},
                        "count": {"type": "integer", "minimum": 0},
                        "selected": {"type": "boolean"},
                    },
                    "additionalProperties": false,
                },
                "SearchResult": row,
                "SearchResults": search_results,
                "Program": program_schema(),
            },
        },
    })
}

/// A listing as `/api/v1/programs/{id}` gives it.
fn program_schema() -> Value {
    json!({
        "type": "object",
        "required": ["id", "name", "program_name", "description", "address", "point", "phone", "intake_phone", "website", "facets", "schedule", "level_of_care", "accepting_new_clients", "sources", "provenance", "sample", "url", "last_checked"],
        "properties": {
            "id": {"$ref": "#/components/schemas/ListingId"},
            "name": {"type": "string"},
            "program_name": nullable("string"),
            "description": nullable("string"),
            "address": {
                "type": "object",
                "required": ["street", "street2", "city", "state", "zip"],
                "properties": {
                    "street": nullable("string"),
                    "street2": nullable("string"),
                    "city": {"type": "string"},
                    "state": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                },
                "additionalProperties": false,
            },
            "point": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["lat", "lon", "precision"],
                        "properties": {
                            "lat": {"type": "number", "minimum": -90, "maximum": 90},
                            "lon": {"type": "number", "minimum": -180, "maximum": 180},
                            "precision": {"type": "string", "enum": ["exact", "zip-centroid", "city"], "description": "exact: the program's own coordinates; otherwise the centre of its ZIP code or city."},
                        },
                        "additionalProperties": false,
                    },
                ],
            },
            "phone": nullable("string"),
            "intake_phone": nullable("string"),
            "more_intake_phones": {"type": "array", "items": {"type": "string"}, "description": "Further intake numbers, when a source gives more than one; absent when none."},
            "website": nullable("string"),
            "facets": {"type": "object", "description": "Facet group -> value slugs (see /api/v1/search's parameters); a group not reported is absent.", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "schedule": {
                "type": "object",
                "required": ["days_per_week", "hours_per_week", "sessions", "program_weeks"],
                "properties": {
                    "days_per_week": {"type": ["integer", "null"], "minimum": 1, "maximum": 7},
                    "hours_per_week": nullable("number"),
                    "sessions": {"type": "array", "items": {
                        "type": "object",
                        "required": ["weekday", "start", "end"],
                        "properties": {
                            "weekday": {"type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
                            "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
                            "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
                        },
                        "additionalProperties": false,
                    }},
                    "program_weeks": {"type": ["integer", "null"], "minimum": 1},
                },
                "additionalProperties": false,
            },
            "level_of_care": {
                "type": "object",
                "required": ["php", "outpatient"],
                "properties": {"php": nullable("boolean"), "outpatient": nullable("boolean")},
                "additionalProperties": false,
            },
            "accepting_new_clients": nullable("boolean"),
            "sources": {"type": "array", "items": {
                "type": "object",
                "required": ["kind", "title", "url", "record"],
                "properties": {"kind": {"type": "string"}, "title": {"type": "string"}, "url": nullable("string"), "record": nullable("string")},
                "additionalProperties": false,
            }},
            "provenance": {"type": "array", "items": {
                "type": "object",
                "required": ["fact", "source", "checked", "evidence"],
                "properties": {
                    "fact": {"type": "string", "description": "A field name or a facet value as group/slug."},
                    "source": {"type": "integer", "minimum": 0, "description": "Index into sources."},
                    "checked": {"type": "string", "format": "date"},
                    "evidence": nullable("string"),
                },
                "additionalProperties": false,
            }},
            "sample": {"type": "boolean"},
            "merged_ids": {"type": "array", "items": {"$ref": "#/components/schemas/ListingId"}, "description": "Ids of other sources' listings of this program merged into this one; their URLs answer 308 to this one. Absent when none."},
            "url": {"type": "string"},
            "last_checked": {"type": ["string", "null"], "format": "date"},
        },
        "additionalProperties": false,
    })
}
