//! Building an index from listings.
//!
//! Listings are sorted by name (case-insensitive) then id, and added in that
//! order with `ord` = position, so `ord` doubles as the name order.

use crate::geo::state_name;
use crate::listing::Listing;
use crate::schema::{build_schema, Fields, NO_POINT};
use crate::search::SearchIndex;
use crate::vocabulary::Vocabulary;
use std::path::Path;
use tantivy::{Index, TantivyDocument};

/// Memory budget of the index writer (one thread).
const WRITER_BUDGET_BYTES: usize = 200_000_000;

/// Sort listings into index order: name (ignoring case), then id.
pub fn sort_listings(listings: &mut [Listing]) {
    listings.sort_by_cached_key(|l| (l.name.to_lowercase(), l.id.clone()));
}

/// Build an index in memory (tests, the sample directory in `search`).
pub fn build_in_ram(mut listings: Vec<Listing>) -> tantivy::Result<SearchIndex> {
    sort_listings(&mut listings);
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_ram(schema);
    write_documents(&index, &fields, &listings)?;
    SearchIndex::new(index, listings)
}

/// Build an index in the empty directory `dir`; `listings` must already be in
/// index order ([`sort_listings`]).
pub fn build_in_dir(dir: &Path, listings: &[Listing]) -> tantivy::Result<()> {
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_dir(dir, schema)?;
    write_documents(&index, &fields, listings)
}

/// Open the index in `dir` with its listings (in index order).
pub fn open_dir(dir: &Path, listings: Vec<Listing>) -> tantivy::Result<SearchIndex> {
    SearchIndex::new(Index::open_in_dir(dir)?, listings)
}

fn write_documents(index: &Index, fields: &Fields, listings: &[Listing]) -> tantivy::Result<()> {
    let vocabulary = Vocabulary::get();
    let mut writer = index.writer_with_num_threads(1, WRITER_BUDGET_BYTES)?;
    for (ord, listing) in listings.iter().enumerate() {
        writer.add_document(document(vocabulary, fields, ord as u64, listing))?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn document(
    vocabulary: &Vocabulary,
    fields: &Fields,
    ord: u64,
    listing: &Listing,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.name, &listing.name);
    let mut body = String::new();
    let mut add = |text: &str| {
        body.push_str(text);
        body.push_str(" \n ");
    };
    if let Some(p) = &listing.program_name {
        add(p);
    }
    if let Some(d) = &listing.description {
        add(d);
    }
    add(&listing.address.city);
    add(&listing.address.state);
    if let Some(name) = state_name(&listing.address.state) {
        add(name);
    }
    add(&listing.address.zip);
    let mut bits = vec![0u64; fields.bits.len()];
    for group in vocabulary.groups() {
        for slug in listing.values(&group.slug) {
            let Some(value) = vocabulary.lookup(&group.slug, slug) else {
                continue; // a slug the vocabulary no longer has: ignored
            };
            bits[value.id / 64] |= 1 << (value.id % 64);
            doc.add_text(fields.facet, format!("{}/{}", group.slug, value.slug));
            for synonym in &value.synonyms {
                add(synonym);
            }
        }
    }
    doc.add_text(fields.body, &body);
    doc.add_u64(fields.ord, ord);
    let (lat, lon) = listing
        .point
        .map(|p| (p.lat, p.lon))
        .unwrap_or((NO_POINT, NO_POINT));
    doc.add_f64(fields.lat, lat);
    doc.add_f64(fields.lon, lon);
    for (field, word) in fields.bits.iter().zip(bits) {
        doc.add_u64(*field, word);
    }
    doc
}
