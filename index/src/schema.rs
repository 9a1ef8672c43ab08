//! The tantivy schema of the search index.
//!
//! Text is searched in `name` and `body` (description, program name, city,
//! state and ZIP), analyzed by [`crate::text::analyzer`] (folded, one spelling
//! per word, stemmed in English), with term frequencies but no positions
//! (no phrase queries). The labels and synonyms of facet values are not in the
//! body: a word of a synonym matches the value's `facet` term at query time. Everything a search filters, counts or sorts on is a
//! fast field, read into the in-memory columns (`columns.rs`) that a search
//! (`search/`) visits:
//! - `ord`: the listing's position in the generation's listing file, which is
//!   sorted by name then id, so `ord` is also the name order;
//! - `lat`, `lon`: degrees (`NO_POINT` when the listing has no location);
//! - `bits0`..: the listing's facet values as a bit set over the vocabulary
//!   (bit `i` = value id `i`), 64 values per field.
//!
//! `facet` holds `group/slug` terms, so text queries can match a concept
//! ("dual diagnosis" -> `focus/co-occurring`, "dialectical" -> `modality/dbt`). `id` finds a listing by its
//! id, and `listing` stores the whole listing as JSON in tantivy's compressed
//! doc store: the generation's one copy of its listings.

use crate::vocabulary::Vocabulary;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Latitude and longitude stored for a listing with no known location: far
/// from every place, so no radius reaches it.
pub const NO_POINT: f64 = 1.0e6;

/// How many 64-bit words the facet bit set needs for the vocabulary.
pub fn bit_words(vocabulary: &Vocabulary) -> usize {
    vocabulary.values().len().div_ceil(64)
}

/// The tantivy fields of the schema ([`build_schema`]), by role.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The listing id (exact, indexed): looked up by [`crate::SearchIndex::listing`].
    pub id: Field,
    /// The listing as compact JSON, stored (the doc store).
    pub listing: Field,
    /// The names (organization and program), analyzed as [`STEMMED`] text.
    pub name: Field,
    /// The description and other text of the listing, analyzed as [`STEMMED`].
    pub body: Field,
    /// Each facet value as `group/slug`, indexed as one term.
    pub facet: Field,
    /// The listing's position in name order (fast field).
    pub ord: Field,
    /// Latitude, degrees north (fast field).
    pub lat: Field,
    /// Longitude, degrees east (fast field).
    pub lon: Field,
    /// The facet bit set: one 64-bit fast field per [`bit_words`] word, bit
    /// `id % 64` of word `id / 64` set for each [`crate::vocabulary::ValueId`].
    pub bits: Vec<Field>,
}

/// The analyzer of the text fields ([`crate::text::analyzer`]).
pub const STEMMED: &str = crate::text::ANALYZER;

/// The index schema for `vocabulary`, and its [`Fields`].
pub fn build_schema(vocabulary: &Vocabulary) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(STEMMED)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let id = builder.add_text_field("id", STRING);
    let listing = builder.add_bytes_field("listing", STORED);
    let name = builder.add_text_field("name", text.clone());
    let body = builder.add_text_field("body", text);
    let facet = builder.add_text_field("facet", STRING);
    let ord = builder.add_u64_field("ord", FAST);
    let lat = builder.add_f64_field("lat", FAST);
    let lon = builder.add_f64_field("lon", FAST);
    let bits = (0..bit_words(vocabulary))
        .map(|i| builder.add_u64_field(&format!("bits{i}"), FAST))
        .collect();
    (
        builder.build(),
        Fields {
            id,
            listing,
            name,
            body,
            facet,
            ord,
            lat,
            lon,
            bits,
        },
    )
}

/// Field handles of an opened index, checked against the schema it was built with.
pub fn fields_of(schema: &Schema, vocabulary: &Vocabulary) -> tantivy::Result<Fields> {
    let get = |name: &str| {
        schema.get_field(name).map_err(|_| {
            tantivy::TantivyError::SchemaError(format!("index has no field {name}: rebuild it"))
        })
    };
    // an index whose text was analyzed otherwise answers words differently
    for name in ["name", "body"] {
        let field = get(name)?;
        let analyzer = match schema.get_field_entry(field).field_type() {
            tantivy::schema::FieldType::Str(options) => options
                .get_indexing_options()
                .map(|i| i.tokenizer().to_string()),
            _ => None,
        };
        if analyzer.as_deref() != Some(STEMMED) {
            return Err(tantivy::TantivyError::SchemaError(format!(
                "index field {name} is analyzed by {analyzer:?}, not {STEMMED:?}: rebuild it"
            )));
        }
    }
    Ok(Fields {
        id: get("id")?,
        listing: get("listing")?,
        name: get("name")?,
        body: get("body")?,
        facet: get("facet")?,
        ord: get("ord")?,
        lat: get("lat")?,
        lon: get("lon")?,
        bits: (0..bit_words(vocabulary))
            .map(|i| get(&format!("bits{i}")))
            .collect::<Result<_, _>>()?,
    })
}
