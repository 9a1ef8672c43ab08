//! Search: text, facets and distance over one index generation.
//!
//! A search visits candidate documents and checks each against the filters,
//! reading only the in-memory columns of `crate::columns`:
//! - with a place, the candidates are the documents within the radius,
//!   found through the spatial order (only the bounding box is visited; the
//!   haversine distance, inclusive, decides); with text too, whichever side
//!   is smaller drives: the text matches, each checked for distance, when the
//!   text query expects fewer matches than the bounding box holds, otherwise
//!   the documents near, each looked up in the text matches by seeking;
//! - with text and no place, the candidates are the text query's matches;
//! - with neither (a browse), nothing is visited one by one: counts come from
//!   the per-value bit sets (AND, popcount) and the page from the name order.
//!
//! For each candidate, each selected facet group is checked (OR within the
//! group). A document that passes every group is a result and counts for
//! every value it has; a document that fails exactly one group counts only for
//! that group's values. That gives disjunctive facet counts (each group's
//! counts ignore that group's own selection and apply every other filter)
//! without a second pass.
//!
//! Ordering is total: by distance, relevance or name, then by name, then by id
//! (`ord` is the position in the name-then-id order).
//!
//! Listings live in tantivy's doc store. Directories of up to
//! [`IN_MEMORY_LISTINGS_MAX`] listings are also held in memory, decoded, so a
//! results page costs no decoding; bigger ones decode the page's listings from
//! the doc store on each search, to keep memory bounded.
//!
//! Relevance with a place: when both text and a place are given and the sort is
//! relevance, a result's score is its BM25 relevance divided by
//! `1 + distance / 10 miles`, so a program 10 miles away needs twice the
//! relevance of one next door to rank above it.
//!
//! The modules: `open` opens a generation and reads its stored listings,
//! `query` turns text into a tantivy query, `visit` walks the candidates of
//! a place or text search (or reads a browse from the bit sets), `collector`
//! keeps the running answer, and `results` holds what a search returns
//! (re-exported here).

mod collector;
mod open;
mod query;
mod results;
mod visit;

pub use results::{GroupCounts, Hit, SearchResults, ValueCount};

use crate::columns::SegmentColumns;
use crate::listing::Listing;
use crate::request::{SearchRequest, Sort};
use crate::schema::Fields;
use crate::vocabulary::{ValueId, Vocabulary};
use collector::{Filter, Tally};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tantivy::{DocAddress, DocId, Index, SegmentOrdinal};

/// Distance (miles) at which a result's relevance is halved when text and
/// place are ranked together.
pub const RELEVANCE_HALF_DISTANCE_MILES: f64 = 10.0;

/// Words shorter than this must match exactly; longer ones may have one typo.
pub const FUZZY_MIN_CHARS: usize = 5;

/// Directories up to this size keep their listings decoded in memory.
pub const IN_MEMORY_LISTINGS_MAX: usize = 20_000;

/// Facet values cap: the bit set is read into fixed arrays of this many words.
const MAX_WORDS: usize = 4;

/// A searchable index generation.
pub struct SearchIndex {
    index: Index,
    /// The generation's one searcher: its segments never change.
    searcher: tantivy::Searcher,
    /// Per segment, a reader of its doc store, for the stored listing's
    /// bytes as they are ([`SearchIndex::stored`]).
    stores: Vec<tantivy::store::StoreReader>,
    fields: Fields,
    len: usize,
    /// Per segment, the columns a search reads ([`crate::columns`]).
    columns: Vec<SegmentColumns>,
    /// Document address of each `ord` (name order).
    by_ord: Vec<(SegmentOrdinal, DocId)>,
    /// The listings in `ord` order, when the directory is small enough.
    in_memory: Option<InMemory>,
    /// Each stemmed word of the vocabulary's synonyms (labels and slugs
    /// included) and the values whose synonyms have it.
    synonym_words: HashMap<String, Vec<ValueId>>,
    /// What a caller prepared once for this generation ([`SearchIndex::prepared`]).
    prepared: OnceLock<Box<dyn Any + Send + Sync>>,
}

struct InMemory {
    listings: Vec<Arc<Listing>>,
    /// Each id's position (the generation's own ids, so a fast hash: a
    /// results page looks up 20, and SipHash was 190 instructions each).
    by_id: rustc_hash::FxHashMap<String, u32>,
}

impl SearchIndex {
    /// The number of listings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the generation has no listing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of tantivy segments.
    pub fn segments(&self) -> usize {
        self.columns.len()
    }

    /// Whether the listings are held decoded in memory.
    pub fn holds_listings_in_memory(&self) -> bool {
        self.in_memory.is_some()
    }

    /// What the caller derives once per generation from the listings held
    /// in memory (in name order, as [`SearchIndex::position`] numbers them):
    /// `prepare` runs on the first call, and every later call returns the
    /// same value until the generation is dropped. `None` when the listings
    /// are not held in memory (more than [`IN_MEMORY_LISTINGS_MAX`]), or when
    /// a value of another type was prepared first (one type per index).
    ///
    /// The web layer keeps each listing's JSON object and result card here,
    /// rendered ahead (see the binary's `web::prepared`).
    pub fn prepared<T: Any + Send + Sync>(
        &self,
        prepare: impl FnOnce(&[Arc<Listing>]) -> T,
    ) -> Option<&T> {
        let memory = self.in_memory.as_ref()?;
        self.prepared
            .get_or_init(|| Box::new(prepare(&memory.listings)))
            .downcast_ref::<T>()
    }

    /// The position in name order (`0..len`) of the listing with this id,
    /// when the listings are held in memory.
    pub fn position(&self, id: &str) -> Option<usize> {
        let memory = self.in_memory.as_ref()?;
        memory.by_id.get(id).map(|&ord| ord as usize)
    }

    /// One page of results of `request`, with the total and the facet counts of
    /// every group (see the module doc for the counts and the order).
    ///
    /// # Errors
    /// A tantivy error when the index cannot be read (a listing that does not
    /// decode included).
    pub fn search(&self, request: &SearchRequest) -> tantivy::Result<SearchResults> {
        self.search_decoding(request, false)
    }

    /// [`SearchIndex::search`] for a list of results (the search API, the
    /// results page): in a directory too big to hold its listings decoded,
    /// each hit's listing has of its provenance only the first entry of the
    /// latest check date, so [`Listing::last_checked`] is the same but not
    /// the provenance of each fact (decoding every entry was a sixth of an
    /// API answer at 1M listings). Whole listings otherwise.
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn search_for_results(&self, request: &SearchRequest) -> tantivy::Result<SearchResults> {
        self.search_decoding(request, true)
    }

    /// How many programs `request` finds: [`SearchIndex::search`]'s
    /// `total`, without its page or facet counts (an empty result's wider
    /// searches show only how many each would find).
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn total(&self, request: &SearchRequest) -> tantivy::Result<usize> {
        let text_query = request.text.as_deref().and_then(|t| self.text_query(t));
        let filter = self.filter(request, 0, true);
        let tally = self.visit(request, &filter, text_query.as_deref())?;
        Ok(tally.total)
    }

    /// What a search keeps of `request`: its `keep` best candidates, and
    /// with `total_only` only the total.
    fn filter(&self, request: &SearchRequest, keep: usize, total_only: bool) -> Filter {
        let vocabulary = Vocabulary::get();
        let mut groups = Vec::new();
        for (&group, values) in &request.filters {
            let mut mask = [0u64; MAX_WORDS];
            for &v in values {
                mask[v / 64] |= 1 << (v % 64);
            }
            groups.push((group, mask));
        }
        let mut group_masks = vec![[0u64; MAX_WORDS]; vocabulary.groups().len()];
        for value in vocabulary.values() {
            group_masks[value.group][value.id / 64] |= 1 << (value.id % 64);
        }
        Filter {
            words: self.fields.bits.len(),
            origin: request.origin.as_ref().map(|o| (o.lat, o.lon)),
            radius: request.radius_miles,
            groups,
            group_masks,
            sort: request.sort(),
            keep,
            total_only,
        }
    }

    /// Visit what `request` can match (the browse, or the scan of the place
    /// and/or the text) into a [`Tally`].
    fn visit(
        &self,
        request: &SearchRequest,
        filter: &Filter,
        text_query: Option<&dyn tantivy::query::Query>,
    ) -> tantivy::Result<Tally> {
        let values = Vocabulary::get().values().len();
        Ok(match (text_query, filter.origin) {
            (None, None) => self.browse(filter, values),
            _ => self.scan(
                filter,
                text_query,
                request.text.is_some() && filter.sort == Sort::Relevance && !filter.total_only,
                values,
            )?,
        })
    }

    fn search_decoding(
        &self,
        request: &SearchRequest,
        for_results: bool,
    ) -> tantivy::Result<SearchResults> {
        let vocabulary = Vocabulary::get();
        let sort = request.sort();
        let text_query = request.text.as_deref().and_then(|t| self.text_query(t));
        let offset = (request.page - 1) * request.per_page;
        let filter = self.filter(request, offset + request.per_page, false);
        let mut tally = self.visit(request, &filter, text_query.as_deref())?;
        let mut hits = Vec::with_capacity(request.per_page);
        for c in tally.take_top().into_iter().skip(offset) {
            let listing = match &self.in_memory {
                Some(memory) => memory.listings[c.ord as usize].clone(),
                None if for_results => {
                    self.stored_for_results(DocAddress::new(c.segment, c.doc))?
                }
                None => self.stored(DocAddress::new(c.segment, c.doc))?,
            };
            hits.push(Hit {
                listing,
                distance_miles: request.origin.as_ref().map(|_| c.distance),
                score: c.score,
            });
        }
        let facets = vocabulary
            .groups()
            .iter()
            .map(|g| GroupCounts {
                group: g.id,
                values: g
                    .values
                    .iter()
                    .map(|&v| ValueCount {
                        value: v,
                        count: tally.counts[v],
                        selected: request.is_selected(g.id, v),
                    })
                    .collect(),
            })
            .collect();
        Ok(SearchResults {
            total: tally.total,
            page: request.page,
            per_page: request.per_page,
            sort,
            origin: request.origin.clone(),
            hits,
            facets,
        })
    }
}
