//! HSDS 3.0 records as the reader takes them: the fields the mapping uses,
//! typed, from the API's nested JSON or a package's flat rows alike.
//!
//! Publishers differ in how they write a field, so every field is lenient:
//! a text field takes a string (trimmed; blank is absent), or a number or
//! boolean written without quotes (kept as its text); coordinates take a
//! number or a numeric string; a list takes an array (elements that are not
//! objects are skipped) and anything else is an empty list. Fields HSDS
//! defines that the mapping does not use are ignored.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A text field: see the module documentation.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A coordinate: a number or a numeric string.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The elements of an array that read as `T`.
fn items<T: DeserializeOwned>(value: Value) -> Vec<T> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// A list field: see the module documentation.
fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(items(Value::deserialize(d)?))
}

/// A list field whose presence matters (`None`: the field is absent).
fn present_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Some(items(Value::deserialize(d)?)))
}

/// A nested object; anything else is absent.
fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// An HSDS `service`, with what is nested in it (the API's form) or joined
/// to it (a package's tables).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Service {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub alternate_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "text")]
    pub url: Option<String>,
    /// `active`, `inactive`, `defunct`, `temporarily closed`.
    #[serde(deserialize_with = "text")]
    pub status: Option<String>,
    #[serde(deserialize_with = "object")]
    pub organization: Option<Organization>,
    /// `None` when the record does not nest them (an API list without
    /// `full`): the service is then read whole from `/services/{id}`.
    #[serde(deserialize_with = "present_list")]
    pub service_at_locations: Option<Vec<ServiceAtLocation>>,
    #[serde(deserialize_with = "list")]
    pub phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    pub schedules: Vec<Schedule>,
    #[serde(deserialize_with = "list")]
    pub languages: Vec<Language>,
    #[serde(deserialize_with = "list")]
    pub attributes: Vec<Attribute>,
}

/// An HSDS `organization`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Organization {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub website: Option<String>,
    #[serde(deserialize_with = "list")]
    pub phones: Vec<Phone>,
}

/// An HSDS `service_at_location`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceAtLocation {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub service_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub location_id: Option<String>,
    #[serde(deserialize_with = "object")]
    pub location: Option<Location>,
    #[serde(deserialize_with = "list")]
    pub phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    pub schedules: Vec<Schedule>,
}

/// An HSDS `location`; `latitude`/`longitude` in decimal degrees (WGS 84).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Location {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub url: Option<String>,
    #[serde(deserialize_with = "number")]
    pub latitude: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub longitude: Option<f64>,
    #[serde(deserialize_with = "list")]
    pub addresses: Vec<Address>,
    #[serde(deserialize_with = "list")]
    pub phones: Vec<Phone>,
}

/// An HSDS `address`; `address_type` is `physical`, `postal` or `virtual`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    #[serde(deserialize_with = "text")]
    pub location_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub address_1: Option<String>,
    #[serde(deserialize_with = "text")]
    pub address_2: Option<String>,
    #[serde(deserialize_with = "text")]
    pub city: Option<String>,
    #[serde(deserialize_with = "text")]
    pub state_province: Option<String>,
    #[serde(deserialize_with = "text")]
    pub postal_code: Option<String>,
    #[serde(deserialize_with = "text")]
    pub address_type: Option<String>,
}

/// An HSDS `phone`, linked to one of a service, organization, location or
/// service at location.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Phone {
    #[serde(deserialize_with = "text")]
    pub service_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub location_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub service_at_location_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub number: Option<String>,
    #[serde(deserialize_with = "text")]
    pub extension: Option<String>,
    /// `voice`, `fax`, `text`...; some publishers write `intake` here.
    #[serde(rename = "type", deserialize_with = "text")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
}

/// An HSDS `schedule` (RFC 5545 style: `freq`, `byday` as `MO,WE`;
/// `opens_at`/`closes_at` as `HH:MM` or `HH:MM:SS`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Schedule {
    #[serde(deserialize_with = "text")]
    pub service_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub service_at_location_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub freq: Option<String>,
    #[serde(deserialize_with = "text")]
    pub byday: Option<String>,
    #[serde(deserialize_with = "text")]
    pub opens_at: Option<String>,
    #[serde(deserialize_with = "text")]
    pub closes_at: Option<String>,
}

/// An HSDS `language` of a service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Language {
    #[serde(deserialize_with = "text")]
    pub service_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
}

/// An HSDS `attribute`: a taxonomy term (nested, or by
/// `taxonomy_term_id`) and a value, linked to a record by `link_id`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Attribute {
    #[serde(deserialize_with = "text")]
    pub link_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub taxonomy_term_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub value: Option<String>,
    #[serde(deserialize_with = "object")]
    pub taxonomy_term: Option<TaxonomyTerm>,
}

/// An HSDS `taxonomy_term`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaxonomyTerm {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub code: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    /// The taxonomy's name (HSDS 3.0's free-text `taxonomy` field).
    #[serde(deserialize_with = "text")]
    pub taxonomy: Option<String>,
}

/// The rows of a table that read as `T` (a row that is not an object is
/// skipped), and how many were skipped.
pub fn rows_as<T: DeserializeOwned>(rows: Vec<Value>) -> (Vec<T>, usize) {
    let total = rows.len();
    let read: Vec<T> = rows
        .into_iter()
        .filter_map(|row| serde_json::from_value(row).ok())
        .collect();
    let skipped = total - read.len();
    (read, skipped)
}
