//! Search: text, facets and distance over one index generation.
//!
//! One pass of a custom collector does all of it. For each document the text
//! query matches, it reads the document's location and facet bit set from fast
//! fields, drops it when it is outside the radius (haversine, inclusive), and
//! checks each selected facet group (OR within the group). A document that
//! passes every group is a result and counts for every value it has; a document
//! that fails exactly one group counts only for that group's values. That gives
//! disjunctive facet counts (each group's counts ignore that group's own
//! selection and apply every other filter) without a second pass.
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

use crate::geo::{haversine_miles, Origin};
use crate::listing::Listing;
use crate::request::{SearchRequest, Sort};
use crate::schema::{fields_of, Fields, NO_POINT};
use crate::vocabulary::{normalize_words, GroupId, ValueId, Vocabulary};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};

/// Distance (miles) at which a result's relevance is halved when text and
/// place are ranked together.
pub const RELEVANCE_HALF_DISTANCE_MILES: f64 = 10.0;

/// Words shorter than this must match exactly; longer ones may have one typo.
pub const FUZZY_MIN_CHARS: usize = 5;

/// Directories up to this size keep their listings decoded in memory.
pub const IN_MEMORY_LISTINGS_MAX: usize = 200_000;

/// Facet values cap: the bit set is read into fixed arrays of this many words.
const MAX_WORDS: usize = 4;

/// A searchable index generation.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    len: usize,
    /// The listings in `ord` order, when the directory is small enough.
    in_memory: Option<InMemory>,
}

struct InMemory {
    listings: Vec<Arc<Listing>>,
    by_id: HashMap<String, u32>,
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub listing: Arc<Listing>,
    pub distance_miles: Option<f64>,
    pub score: f32,
}

/// The count of one facet value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCount {
    pub value: ValueId,
    pub count: u64,
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    pub group: GroupId,
    pub values: Vec<ValueCount>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub sort: Sort,
    pub origin: Option<Origin>,
    pub hits: Vec<Hit>,
    /// Every group, every value, in vocabulary order.
    pub facets: Vec<GroupCounts>,
}

impl SearchResults {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }
}

impl SearchIndex {
    /// Wrap an opened tantivy index; its listings are decoded into memory
    /// when there are at most `in_memory_max` of them.
    pub(crate) fn open(index: Index, in_memory_max: usize) -> tantivy::Result<SearchIndex> {
        let vocabulary = Vocabulary::get();
        let fields = fields_of(&index.schema(), vocabulary)?;
        if fields.bits.len() > MAX_WORDS {
            return Err(tantivy::TantivyError::SchemaError(
                "vocabulary has more than 256 values".into(),
            ));
        }
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let len = reader.searcher().num_docs() as usize;
        let mut search_index = SearchIndex {
            index,
            reader,
            fields,
            len,
            in_memory: None,
        };
        if len <= in_memory_max {
            let mut listings: Vec<Option<Arc<Listing>>> = vec![None; len];
            let searcher = search_index.reader.searcher();
            for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
                let ords = segment.fast_fields().u64("ord")?;
                for doc in 0..segment.max_doc() {
                    if segment.is_deleted(doc) {
                        continue;
                    }
                    let ord = ords.first(doc).unwrap_or(u64::MAX) as usize;
                    let listing = search_index.stored(DocAddress::new(segment_ord as u32, doc))?;
                    let slot = listings.get_mut(ord).ok_or_else(|| {
                        tantivy::TantivyError::InvalidArgument(format!("ord {ord} out of range"))
                    })?;
                    *slot = Some(listing);
                }
            }
            let listings: Vec<Arc<Listing>> =
                listings.into_iter().collect::<Option<_>>().ok_or_else(|| {
                    tantivy::TantivyError::InvalidArgument("listing ords are not 0..n".into())
                })?;
            let by_id = listings
                .iter()
                .enumerate()
                .map(|(i, l)| (l.id.clone(), i as u32))
                .collect();
            search_index.in_memory = Some(InMemory { listings, by_id });
        }
        Ok(search_index)
    }

    /// Decode the listing stored with a document.
    fn stored(&self, address: DocAddress) -> tantivy::Result<Arc<Listing>> {
        let doc: TantivyDocument = self.reader.searcher().doc(address)?;
        let bytes = doc
            .get_first(self.fields.listing)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| {
                tantivy::TantivyError::InvalidArgument("document without a listing".into())
            })?;
        serde_json::from_slice(bytes)
            .map(Arc::new)
            .map_err(|e| tantivy::TantivyError::InvalidArgument(format!("stored listing: {e}")))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the listings are held decoded in memory.
    pub fn holds_listings_in_memory(&self) -> bool {
        self.in_memory.is_some()
    }

    /// Every listing, in name order (for export and checks; decodes each one
    /// when the directory is not held in memory).
    pub fn all_listings(&self) -> tantivy::Result<Vec<Arc<Listing>>> {
        if let Some(memory) = &self.in_memory {
            return Ok(memory.listings.clone());
        }
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(self.len);
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in (0..segment.max_doc()).filter(|&d| !segment.is_deleted(d)) {
                out.push(self.stored(DocAddress::new(segment_ord as u32, doc))?);
            }
        }
        out.sort_by_cached_key(|l| (l.name.to_lowercase(), l.id.clone()));
        Ok(out)
    }

    /// The listing with this id.
    pub fn listing(&self, id: &str) -> Option<Arc<Listing>> {
        if let Some(memory) = &self.in_memory {
            return memory
                .by_id
                .get(id)
                .map(|&ord| memory.listings[ord as usize].clone());
        }
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(
                &query,
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .ok()?;
        let (_, address) = top.first()?;
        self.stored(*address).ok()
    }

    pub fn search(&self, request: &SearchRequest) -> tantivy::Result<SearchResults> {
        let vocabulary = Vocabulary::get();
        let sort = request.sort();
        let query: Box<dyn Query> = match request.text.as_deref().and_then(|t| self.text_query(t)) {
            Some(q) => q,
            None => Box::new(AllQuery),
        };
        let words = self.fields.bits.len();
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
        let offset = (request.page - 1) * request.per_page;
        let collector = FilterCollector {
            fields: &self.fields,
            words,
            origin: request.origin.as_ref().map(|o| (o.lat, o.lon)),
            radius: request.radius_miles,
            groups,
            group_masks,
            values: vocabulary.values().len(),
            sort,
            text: request.text.is_some(),
            keep: offset + request.per_page,
        };
        let searcher = self.reader.searcher();
        let fruit = searcher.search(query.as_ref(), &collector)?;
        let mut hits = Vec::with_capacity(request.per_page);
        for c in fruit.top.into_iter().skip(offset) {
            let listing = match &self.in_memory {
                Some(memory) => memory.listings[c.ord as usize].clone(),
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
                        count: fruit.counts[v],
                        selected: request.is_selected(g.id, v),
                    })
                    .collect(),
            })
            .collect();
        Ok(SearchResults {
            total: fruit.total,
            page: request.page,
            per_page: request.per_page,
            sort,
            origin: request.origin.clone(),
            hits,
            facets,
        })
    }

    /// The text query: every word (or vocabulary phrase) must match. A phrase
    /// that names a vocabulary value matches listings with that value or with
    /// the words; other words match in the name (boosted) or the body, with
    /// one typo allowed in words of five letters or more.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let vocabulary = Vocabulary::get();
        let words = normalize_words(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            for n in (1..=vocabulary.longest_phrase_words().min(words.len() - i)).rev() {
                let values = vocabulary.values_for_words(&words[i..i + n]);
                if !values.is_empty() {
                    matched = Some((n, values));
                    break;
                }
            }
            match matched {
                Some((n, values)) => {
                    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    for &v in values {
                        let value = vocabulary.value(v);
                        let term = Term::from_field_text(
                            self.fields.facet,
                            &format!("{}/{}", vocabulary.group(value.group).slug, value.slug),
                        );
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                                2.0,
                            )),
                        ));
                    }
                    let phrase_words: Vec<Box<dyn Query>> = words[i..i + n]
                        .iter()
                        .filter_map(|w| self.word_query(w, false))
                        .collect();
                    if !phrase_words.is_empty() {
                        any.push((
                            Occur::Should,
                            Box::new(BooleanQuery::intersection(phrase_words)),
                        ));
                    }
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                    i += n;
                }
                None => {
                    if let Some(q) = self.word_query(&words[i], true) {
                        clauses.push((Occur::Must, q));
                    }
                    i += 1;
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// One word in the name or the body, stemmed; fuzzy when `fuzzy` and long.
    fn word_query(&self, word: &str, fuzzy: bool) -> Option<Box<dyn Query>> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body).ok()?;
        let mut stream = analyzer.token_stream(word);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push(token.text.clone());
        }
        let fuzzy = fuzzy && word.chars().count() >= FUZZY_MIN_CHARS;
        let mut per_token: Vec<Box<dyn Query>> = Vec::new();
        for token in tokens {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in [(self.fields.name, 2.0), (self.fields.body, 1.0)] {
                let term = Term::from_field_text(field, &token);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                if fuzzy {
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(term, 1, true)),
                            0.5,
                        )),
                    ));
                }
            }
            per_token.push(Box::new(BooleanQuery::new(any)));
        }
        match per_token.len() {
            0 => None,
            1 => per_token.pop(),
            _ => Some(Box::new(BooleanQuery::intersection(per_token))),
        }
    }
}

struct FilterCollector<'a> {
    fields: &'a Fields,
    words: usize,
    origin: Option<(f64, f64)>,
    radius: f64,
    /// Selected groups and the bit mask of their selected values.
    groups: Vec<(GroupId, [u64; MAX_WORDS])>,
    /// Every group's bit mask of all its values.
    group_masks: Vec<[u64; MAX_WORDS]>,
    values: usize,
    sort: Sort,
    text: bool,
    keep: usize,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Lower sorts first.
    key: f64,
    ord: u64,
    segment: SegmentOrdinal,
    doc: DocId,
    distance: f64,
    score: f32,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then(self.ord.cmp(&other.ord))
    }
}

struct Fruit {
    total: usize,
    /// Best first.
    top: Vec<Candidate>,
    counts: Vec<u64>,
}

struct SegmentFilter {
    segment: SegmentOrdinal,
    ord: Column<u64>,
    lat: Column<f64>,
    lon: Column<f64>,
    bits: Vec<Column<u64>>,
    words: usize,
    origin: Option<(f64, f64)>,
    radius: f64,
    /// Latitude band (degrees) outside which no point can be within the radius.
    lat_band: f64,
    groups: Vec<(GroupId, [u64; MAX_WORDS])>,
    group_masks: Vec<[u64; MAX_WORDS]>,
    sort: Sort,
    keep: usize,
    total: usize,
    heap: BinaryHeap<Candidate>,
    counts: Vec<u64>,
}

impl Collector for FilterCollector<'_> {
    type Fruit = Fruit;
    type Child = SegmentFilter;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFilter> {
        let ff = segment.fast_fields();
        let schema = segment.schema();
        let name = |f| schema.get_field_name(f).to_string();
        Ok(SegmentFilter {
            segment: segment_ord,
            ord: ff.u64(&name(self.fields.ord))?,
            lat: ff.f64(&name(self.fields.lat))?,
            lon: ff.f64(&name(self.fields.lon))?,
            bits: self
                .fields
                .bits
                .iter()
                .map(|&f| ff.u64(&name(f)))
                .collect::<tantivy::Result<_>>()?,
            words: self.words,
            origin: self.origin,
            radius: self.radius,
            // one degree of latitude is at least 68.7 miles everywhere
            lat_band: self.radius / 68.7 + 1e-6,
            groups: self.groups.clone(),
            group_masks: self.group_masks.clone(),
            sort: self.sort,
            keep: self.keep,
            total: 0,
            heap: BinaryHeap::with_capacity(self.keep + 1),
            counts: vec![0; self.values],
        })
    }

    fn requires_scoring(&self) -> bool {
        self.text && self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut merged = Fruit {
            total: 0,
            top: Vec::new(),
            counts: vec![0; self.values],
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            for (a, b) in merged.counts.iter_mut().zip(fruit.counts) {
                *a += b;
            }
        }
        merged.top.sort_unstable();
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFilter {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let mut distance = 0.0;
        if let Some((olat, olon)) = self.origin {
            let lat = self.lat.first(doc).unwrap_or(NO_POINT);
            if (lat - olat).abs() > self.lat_band {
                return;
            }
            let lon = self.lon.first(doc).unwrap_or(NO_POINT);
            distance = haversine_miles(olat, olon, lat, lon);
            if distance > self.radius || distance.is_nan() {
                return;
            }
        }
        let mut bits = [0u64; MAX_WORDS];
        for (w, column) in self.bits.iter().enumerate().take(self.words) {
            bits[w] = column.first(doc).unwrap_or(0);
        }
        let mut failed: Option<GroupId> = None;
        for (group, mask) in &self.groups {
            let hit = (0..self.words).any(|w| bits[w] & mask[w] != 0);
            if !hit {
                if failed.is_some() {
                    return; // fails two groups: counts nowhere
                }
                failed = Some(*group);
            }
        }
        if let Some(group) = failed {
            let mask = &self.group_masks[group];
            count_bits(&mut self.counts, &bits, mask, self.words);
            return;
        }
        count_bits(&mut self.counts, &bits, &[u64::MAX; MAX_WORDS], self.words);
        self.total += 1;
        let ord = self.ord.first(doc).unwrap_or(u64::MAX);
        let key = match self.sort {
            Sort::Distance => distance,
            Sort::Name => 0.0,
            Sort::Relevance => {
                let relevance = if self.origin.is_some() {
                    score as f64 / (1.0 + distance / RELEVANCE_HALF_DISTANCE_MILES)
                } else {
                    score as f64
                };
                -relevance
            }
        };
        let candidate = Candidate {
            key,
            ord,
            segment: self.segment,
            doc,
            distance,
            score,
        };
        if self.heap.len() < self.keep {
            self.heap.push(candidate);
        } else if let Some(worst) = self.heap.peek() {
            if candidate < *worst {
                self.heap.pop();
                self.heap.push(candidate);
            }
        }
    }

    fn harvest(self) -> Fruit {
        Fruit {
            total: self.total,
            top: self.heap.into_sorted_vec(),
            counts: self.counts,
        }
    }
}

fn count_bits(counts: &mut [u64], bits: &[u64; MAX_WORDS], mask: &[u64; MAX_WORDS], words: usize) {
    for w in 0..words {
        let mut set = bits[w] & mask[w];
        while set != 0 {
            let b = set.trailing_zeros() as usize;
            counts[w * 64 + b] += 1;
            set &= set - 1;
        }
    }
}
