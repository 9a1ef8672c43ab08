//! Building an index from listings.
//!
//! Each listing's `ord` is its rank in name order (the name as shown,
//! case-insensitive, then id: [`order_key`]), so `ord` is the name order
//! whatever order documents are added in: a listing store can be indexed as
//! it is read, one listing at a time, with the ranks worked out first from
//! the names and ids alone ([`name_order`]).

use crate::geo::state_name;
use crate::listing::Listing;
use crate::schema::{build_schema, Fields, NO_POINT};
use crate::search::{SearchIndex, IN_MEMORY_LISTINGS_MAX};
use crate::vocabulary::Vocabulary;
use std::borrow::Cow;
use std::path::Path;
use tantivy::{Index, TantivyDocument};

/// Memory budget of the index writer (shared by its threads), at most.
const WRITER_BUDGET_BYTES: usize = 200_000_000;

/// Writer budget per listing to index: enough that a directory of up to
/// 100,000 listings is indexed without flushing. Small directories get small
/// budgets, since tantivy sizes (and the kernel zeroes) its hash tables by
/// the budget: with the whole budget, zeroing pages was 40% of indexing the
/// national directory.
const WRITER_BYTES_PER_LISTING: usize = 2_000;

/// tantivy's least budget per indexing thread.
const WRITER_BUDGET_PER_THREAD_MIN: usize = 15_000_000;

/// The writer budget for about `listings` listings (all of it when unknown).
fn writer_budget(listings: Option<usize>, threads: usize) -> usize {
    let least = WRITER_BUDGET_PER_THREAD_MIN * threads;
    listings
        .map_or(WRITER_BUDGET_BYTES, |n| {
            n.saturating_mul(WRITER_BYTES_PER_LISTING)
        })
        .clamp(least, WRITER_BUDGET_BYTES.max(least))
}

/// Indexing threads: the machine's cores, at most 4 (each makes a segment).
fn writer_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// A listing's place in name order: its name as shown, the organization's
/// then the program's ([`crate::listing::display_name`]), ignoring case;
/// then its id. Several programs of one organization are thus in the order
/// of their own names ("Gateway Foundation: Chicago Kedzie" before "...:
/// Chicago West").
pub fn order_key(name: &str, program_name: Option<&str>, id: &str) -> (String, String) {
    (
        crate::listing::display_name(name, program_name).to_lowercase(),
        id.to_string(),
    )
}

/// Something to index: a listing, and its JSON for the doc store.
pub trait ToIndex {
    /// The listing to index.
    fn listing(&self) -> &Listing;
    /// The listing as the doc store keeps it (`serde_json`, compact).
    fn json(&self) -> Cow<'_, [u8]> {
        Cow::Owned(serde_json::to_vec(self.listing()).expect("listings serialize"))
    }
}

impl ToIndex for Listing {
    fn listing(&self) -> &Listing {
        self
    }
}

impl ToIndex for &Listing {
    fn listing(&self) -> &Listing {
        self
    }
}

/// A listing read from the listing store with the compact JSON it was read
/// from, which the doc store keeps as it is (no second encoding).
pub struct StoredListing {
    /// The listing.
    pub listing: Listing,
    /// The exact bytes it was read from (compact JSON).
    pub json: Vec<u8>,
}

impl ToIndex for StoredListing {
    fn listing(&self) -> &Listing {
        &self.listing
    }
    fn json(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.json)
    }
}

/// Sort listings into name order ([`order_key`]).
pub fn sort_listings(listings: &mut [Listing]) {
    listings.sort_by_cached_key(|l| order_key(&l.name, l.program_name.as_deref(), &l.id));
}

/// The `ord` of each listing, given their [`order_key`]s in the order the
/// listings will be added: `name_order(keys)[i]` is the rank of the `i`th.
pub fn name_order(keys: Vec<(String, String)>) -> Vec<u64> {
    let mut positions: Vec<u32> = (0..keys.len() as u32).collect();
    positions.sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
    let mut ords = vec![0u64; keys.len()];
    for (ord, position) in positions.into_iter().enumerate() {
        ords[position as usize] = ord as u64;
    }
    ords
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
    let numbered = listings.iter().enumerate().map(|(i, l)| (i as u64, l));
    write_documents(&index, &fields, numbered, None)?;
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
    let numbered = listings.iter().enumerate().map(|(i, l)| (i as u64, l));
    write_documents(&index, &fields, numbered, Some(per_segment.max(1)))?;
    SearchIndex::open(index, in_memory_max)
}

/// Build an index in the empty directory `dir` from `(ord, listing)` pairs
/// in any order, one at a time: the listings need not all be in memory at
/// once. The ords must be the listings' ranks in name order ([`name_order`]);
/// opening the index checks that they are `0..n`.
pub fn build_in_dir<L: ToIndex>(
    dir: &Path,
    listings: impl Iterator<Item = (u64, L)>,
) -> tantivy::Result<()> {
    let (schema, fields) = build_schema(Vocabulary::get());
    let index = Index::create_in_dir(dir, schema)?;
    write_documents(&index, &fields, listings, None)
}

/// Open the index in `dir`.
pub fn open_dir(dir: &Path) -> tantivy::Result<SearchIndex> {
    SearchIndex::open(Index::open_in_dir(dir)?, IN_MEMORY_LISTINGS_MAX)
}

fn write_documents<L: ToIndex>(
    index: &Index,
    fields: &Fields,
    listings: impl Iterator<Item = (u64, L)>,
    commit_every: Option<usize>,
) -> tantivy::Result<()> {
    let vocabulary = Vocabulary::get();
    let threads = writer_threads();
    let budget = writer_budget(listings.size_hint().1, threads);
    crate::text::register(index);
    let mut writer = index.writer_with_num_threads(threads, budget)?;
    if commit_every.is_some() {
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    }
    for (added, (ord, listing)) in listings.enumerate() {
        writer.add_document(document(vocabulary, fields, ord, &listing))?;
        if commit_every.is_some_and(|n| (added + 1) % n == 0) {
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
    item: &impl ToIndex,
) -> TantivyDocument {
    let listing = item.listing();
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &listing.id);
    // the ids of listings merged into this one find it too (their links
    // redirect here)
    for merged in &listing.merged_ids {
        doc.add_text(fields.id, merged);
    }
    doc.add_bytes(fields.listing, &item.json());
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
            // the value, and the values whose searches find it
            // (`found_by`: adolescents for "children or adolescents", MAT
            // for methadone): the filters, the counts and a search's words
            // all read these
            for id in std::iter::once(value.id).chain(value.found_by.iter().copied()) {
                bits[id / 64] |= 1 << (id % 64);
            }
        }
    }
    // the values' synonyms are matched through these terms at query time
    // (`search/query.rs`), not indexed with every listing
    for (word, &set) in bits.iter().enumerate() {
        let mut set = set;
        while set != 0 {
            let value = vocabulary.value(word * 64 + set.trailing_zeros() as usize);
            set &= set - 1;
            let group = vocabulary.group(value.group);
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
