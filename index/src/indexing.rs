//! Building an index from listings.
//!
//! Listings are sorted by name (case-insensitive) then id, and added in that
//! order with `ord` = position, so `ord` doubles as the name order.

use crate::geo::state_name;
use crate::listing::Listing;
use crate::schema::{build_schema, Fields, NO_POINT};
use crate::search::{SearchIndex, IN_MEMORY_LISTINGS_MAX};
use crate::vocabulary::Vocabulary;
use std::path::Path;
use tantivy::{Index, TantivyDocument};

/// Memory budget of the index writer (shared by its threads).
const WRITER_BUDGET_BYTES: usize = 200_000_000;

/// Indexing threads: the machine's cores, at most 4 (each makes a segment).
fn writer_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// Sort listings into index order: name (ignoring case), then id.
pub fn sort_listings(listings: &mut [Listing]) {
    listings.sort_by_cached_key(|l| (l.name.to_lowercase(), l.id.clone()));
}

/// Build an index in memory (tests, benchmarks).
pub fn build_in_ram(listings: Vec<Listing>) -> tantivy::Result<SearchIndex> {
    build_in_ram_with(listings, IN_MEMORY_LISTINGS_MAX)
}

/// As [`build_in_ram`], holding the listings decoded in memory only when
/// there are at most `in_memory_max` (0: always read from the doc store).
pub fn build_in_ram_with(
    mut listings: Vec<Listing>,
    in_memory_max: usize,
) -> tantivy::Result<SearchIndex> {
    sort_listings(&mut listings);
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_ram(schema);
    write_documents(&index, &fields, listings.iter(), None)?;
    SearchIndex::open(index, in_memory_max)
}

/// As [`build_in_ram_with`], committing every `per_segment` listings with
/// merging off, so the index has several segments (tests of multi-segment
/// search).
pub fn build_in_ram_segmented(
    mut listings: Vec<Listing>,
    per_segment: usize,
    in_memory_max: usize,
) -> tantivy::Result<SearchIndex> {
    sort_listings(&mut listings);
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_ram(schema);
    write_documents(&index, &fields, listings.iter(), Some(per_segment.max(1)))?;
    SearchIndex::open(index, in_memory_max)
}

/// Build an index in the empty directory `dir` from listings already in
/// index order ([`sort_listings`]), one at a time: the listings need not all
/// be in memory at once.
pub fn build_in_dir<'a>(
    dir: &Path,
    listings: impl Iterator<Item = &'a Listing>,
) -> tantivy::Result<()> {
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_dir(dir, schema)?;
    write_documents(&index, &fields, listings, None)
}

/// Open the index in `dir`.
pub fn open_dir(dir: &Path) -> tantivy::Result<SearchIndex> {
    SearchIndex::open(Index::open_in_dir(dir)?, IN_MEMORY_LISTINGS_MAX)
}

fn write_documents<'a>(
    index: &Index,
    fields: &Fields,
    listings: impl Iterator<Item = &'a Listing>,
    commit_every: Option<usize>,
) -> tantivy::Result<()> {
    let vocabulary = Vocabulary::get();
    let mut writer = index.writer_with_num_threads(writer_threads(), WRITER_BUDGET_BYTES)?;
    if commit_every.is_some() {
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    }
    let mut last: Option<(String, String)> = None;
    for (ord, listing) in listings.enumerate() {
        let key = (listing.name.to_lowercase(), listing.id.clone());
        if last.as_ref().is_some_and(|l| *l > key) {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "listings must come in index order (name, then id); {:?} came after {:?}",
                key, last
            )));
        }
        last = Some(key);
        writer.add_document(document(vocabulary, fields, ord as u64, listing))?;
        if commit_every.is_some_and(|n| (ord + 1) % n == 0) {
            writer.commit()?;
        }
    }
    writer.commit()?;
    if commit_every.is_none() {
        // one segment: each indexing thread makes its own, and every text
        // query pays per segment (term lookups, fuzzy automata)
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
    }
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
    doc.add_text(fields.id, &listing.id);
    doc.add_bytes(
        fields.listing,
        &serde_json::to_vec(listing).expect("listings serialize"),
    );
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
            // the value's synonyms are matched through this term at query
            // time (`search.rs`), not indexed with every listing
            doc.add_text(fields.facet, format!("{}/{}", group.slug, value.slug));
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
