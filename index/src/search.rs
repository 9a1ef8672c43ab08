//! Search: text, facets and distance over one index generation.
//!
//! A search visits candidate documents and checks each against the filters,
//! reading only the in-memory columns of [`crate::columns`]:
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

use crate::columns::{and_count, Near, SegmentColumns};
use crate::geo::Origin;
use crate::listing::Listing;
use crate::request::{SearchRequest, Sort};
use crate::schema::{fields_of, Fields};
use crate::text::search_words;
use crate::vocabulary::{GroupId, ValueId, Vocabulary};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, ReloadPolicy, SegmentOrdinal, TantivyDocument,
    Term, TERMINATED,
};

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
        crate::text::register(&index);
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
        let searcher = reader.searcher();
        let len = searcher.num_docs() as usize;
        let values = vocabulary.values().len();
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| SegmentColumns::read(segment, &fields, values))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut by_ord = vec![(u32::MAX, 0); len];
        for (segment_ord, (segment, columns)) in
            searcher.segment_readers().iter().zip(&columns).enumerate()
        {
            for doc in (0..segment.max_doc()).filter(|&d| columns.is_alive(d)) {
                let ord = columns.ord[doc as usize] as usize;
                let slot = by_ord.get_mut(ord).ok_or_else(|| {
                    tantivy::TantivyError::InvalidArgument(format!("ord {ord} out of range"))
                })?;
                *slot = (segment_ord as SegmentOrdinal, doc);
            }
        }
        if by_ord.iter().any(|&(segment, _)| segment == u32::MAX) {
            return Err(tantivy::TantivyError::InvalidArgument(
                "listing ords are not 0..n".into(),
            ));
        }
        let synonym_words = synonym_words(&index, &fields, vocabulary)?;
        let mut search_index = SearchIndex {
            index,
            searcher,
            fields,
            len,
            columns,
            by_ord,
            in_memory: None,
            synonym_words,
        };
        if len <= in_memory_max {
            // decoded on every core: this is most of the time to open a
            // small directory
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            let chunk = len.div_ceil(threads).max(1);
            let decode = |addresses: &[(SegmentOrdinal, DocId)]| {
                addresses
                    .iter()
                    .map(|&(segment, doc)| search_index.stored(DocAddress::new(segment, doc)))
                    .collect::<tantivy::Result<Vec<_>>>()
            };
            let parts: Vec<tantivy::Result<Vec<Arc<Listing>>>> = std::thread::scope(|scope| {
                let workers: Vec<_> = search_index
                    .by_ord
                    .chunks(chunk)
                    .map(|addresses| scope.spawn(move || decode(addresses)))
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().expect("decoding listings does not panic"))
                    .collect()
            });
            let mut listings = Vec::with_capacity(len);
            for part in parts {
                listings.extend(part?);
            }
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
        let doc: TantivyDocument = self.searcher.doc(address)?;
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

    /// The ids of the listings `text` matches, found by tantivy's own
    /// collector rather than by [`SearchIndex::search`]: tests check the
    /// search's text path against it.
    #[doc(hidden)]
    pub fn text_matches(&self, text: &str) -> tantivy::Result<Vec<String>> {
        let Some(query) = self.text_query(text) else {
            return Ok(self.all_listings()?.iter().map(|l| l.id.clone()).collect());
        };
        let docs = self
            .searcher
            .search(query.as_ref(), &tantivy::collector::DocSetCollector)?;
        docs.into_iter()
            .map(|address| Ok(self.stored(address)?.id.clone()))
            .collect()
    }

    /// Number of tantivy segments.
    pub fn segments(&self) -> usize {
        self.columns.len()
    }

    /// Whether the listings are held decoded in memory.
    pub fn holds_listings_in_memory(&self) -> bool {
        self.in_memory.is_some()
    }

    /// Every listing, in name order (for export and checks; decodes each one
    /// when the directory is not held in memory).
    pub fn all_listings(&self) -> tantivy::Result<Vec<Arc<Listing>>> {
        self.listings_in_order(0..self.len)
    }

    /// The listings at positions `range` of the name order (clamped to the
    /// directory), decoding only those when they are not held in memory.
    pub fn listings_in_order(
        &self,
        range: std::ops::Range<usize>,
    ) -> tantivy::Result<Vec<Arc<Listing>>> {
        let range = range.start.min(self.len)..range.end.min(self.len);
        if let Some(memory) = &self.in_memory {
            return Ok(memory.listings[range].to_vec());
        }
        self.by_ord[range]
            .iter()
            .map(|&(segment, doc)| self.stored(DocAddress::new(segment, doc)))
            .collect()
    }

    /// The listing with this id.
    pub fn listing(&self, id: &str) -> Option<Arc<Listing>> {
        if let Some(memory) = &self.in_memory {
            return memory
                .by_id
                .get(id)
                .map(|&ord| memory.listings[ord as usize].clone());
        }
        let searcher = &self.searcher;
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
        let text_query = request.text.as_deref().and_then(|t| self.text_query(t));
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
        let filter = Filter {
            words: self.fields.bits.len(),
            origin: request.origin.as_ref().map(|o| (o.lat, o.lon)),
            radius: request.radius_miles,
            groups,
            group_masks,
            sort,
            keep: offset + request.per_page,
        };
        let tally = match (&text_query, filter.origin) {
            (None, None) => self.browse(&filter, vocabulary.values().len()),
            _ => self.scan(
                &filter,
                text_query.as_deref(),
                request.text.is_some() && sort == Sort::Relevance,
                vocabulary.values().len(),
            )?,
        };
        let mut tally = tally;
        let mut hits = Vec::with_capacity(request.per_page);
        for c in tally.take_top().into_iter().skip(offset) {
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

    /// A place and/or text search: visit the documents within the radius (the
    /// spatial order), or those the text matches, or both (the place's
    /// documents in doc order, each looked up in the text matches by seeking).
    fn scan(
        &self,
        filter: &Filter,
        text: Option<&dyn Query>,
        scoring: bool,
        values: usize,
    ) -> tantivy::Result<Tally> {
        let mut tally = Tally::new(filter.keep, values);
        let weight = match text {
            Some(query) => Some(query.weight(if scoring {
                EnableScoring::enabled_from_searcher(&self.searcher)
            } else {
                EnableScoring::disabled_from_searcher(&self.searcher)
            })?),
            None => None,
        };
        for (segment_ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let columns = &self.columns[segment_ord];
            let segment_ord = segment_ord as SegmentOrdinal;
            let scorer = match &weight {
                Some(weight) => Some(weight.scorer(segment, 1.0)?),
                None => None,
            };
            match (filter.origin, scorer) {
                (Some((lat, lon)), None) => {
                    columns.within(lat, lon, filter.radius, |near| {
                        let Near {
                            doc,
                            ord,
                            bits,
                            miles,
                        } = near;
                        tally.consider(filter, segment_ord, doc, ord, bits, miles, 0.0);
                    });
                }
                // few text matches: walk them and check each one's distance
                (Some((lat, lon)), Some(mut scorer))
                    if (scorer.size_hint() as usize)
                        < columns.box_size(lat, lon, filter.radius) =>
                {
                    let mut doc = scorer.doc();
                    while doc != TERMINATED {
                        if columns.is_alive(doc) {
                            if let Some(miles) =
                                columns.distance_within(doc, lat, lon, filter.radius)
                            {
                                let score = if scoring { scorer.score() } else { 0.0 };
                                let (ord, bits) = columns.row(doc);
                                tally.consider(filter, segment_ord, doc, ord, bits, miles, score);
                            }
                        }
                        doc = scorer.advance();
                    }
                }
                // few programs near: look each one up among the text matches
                (Some((lat, lon)), Some(mut scorer)) => {
                    let mut near = Vec::new();
                    columns.within(lat, lon, filter.radius, |found| near.push(found));
                    near.sort_unstable_by_key(|found| found.doc);
                    for Near {
                        doc,
                        ord,
                        bits,
                        miles,
                    } in near
                    {
                        if scorer.doc() > doc {
                            continue;
                        }
                        let at = scorer.seek(doc);
                        if at == TERMINATED {
                            break;
                        }
                        if at == doc {
                            let score = if scoring { scorer.score() } else { 0.0 };
                            tally.consider(filter, segment_ord, doc, ord, bits, miles, score);
                        }
                    }
                }
                (None, Some(mut scorer)) => {
                    let mut doc = scorer.doc();
                    while doc != TERMINATED {
                        if columns.is_alive(doc) {
                            let score = if scoring { scorer.score() } else { 0.0 };
                            let (ord, bits) = columns.row(doc);
                            tally.consider(filter, segment_ord, doc, ord, bits, 0.0, score);
                        }
                        doc = scorer.advance();
                    }
                }
                (None, None) => {
                    for doc in 0..columns.ord.len() as DocId {
                        if columns.is_alive(doc) {
                            let (ord, bits) = columns.row(doc);
                            tally.consider(filter, segment_ord, doc, ord, bits, 0.0, 0.0);
                        }
                    }
                }
            }
        }
        Ok(tally)
    }

    /// A browse (no place, no text): counts from the per-value bit sets, and
    /// the first results in name order (`ord`), read until the page is full.
    fn browse(&self, filter: &Filter, values: usize) -> Tally {
        let vocabulary = Vocabulary::get();
        let mut tally = Tally::new(filter.keep, values);
        let mut matching: Vec<Vec<u64>> = Vec::with_capacity(self.columns.len());
        for columns in &self.columns {
            // each selected group's documents: OR of its selected values
            let selected: Vec<(GroupId, Vec<u64>)> = filter
                .groups
                .iter()
                .map(|(group, mask)| {
                    let mut set = vec![0u64; columns.alive.len()];
                    for value in vocabulary.group(*group).values.iter().copied() {
                        if mask[value / 64] & (1 << (value % 64)) != 0 {
                            for (a, b) in set.iter_mut().zip(&columns.postings[value]) {
                                *a |= b;
                            }
                        }
                    }
                    (*group, set)
                })
                .collect();
            // the documents passing every selected group except `skip`
            let passing = |skip: Option<GroupId>| {
                let mut set = columns.alive.clone();
                for (group, group_set) in &selected {
                    if Some(*group) != skip {
                        for (a, b) in set.iter_mut().zip(group_set) {
                            *a &= b;
                        }
                    }
                }
                set
            };
            let all = passing(None);
            tally.total += all.iter().map(|w| w.count_ones() as usize).sum::<usize>();
            for group in vocabulary.groups() {
                let own;
                let base = if filter.groups.iter().any(|(g, _)| *g == group.id) {
                    own = passing(Some(group.id));
                    &own
                } else {
                    &all
                };
                for &value in &group.values {
                    tally.counts[value] += and_count(&columns.postings[value], base);
                }
            }
            matching.push(all);
        }
        let mut found = 0;
        for &(segment, doc) in &self.by_ord {
            if found == filter.keep.min(tally.total) {
                break;
            }
            if matching[segment as usize][doc as usize / 64] & (1 << (doc % 64)) != 0 {
                found += 1;
                let ord = self.columns[segment as usize].ord[doc as usize];
                tally.top.push(Candidate {
                    key: 0.0,
                    ord: u64::from(ord),
                    segment,
                    doc,
                    distance: 0.0,
                    score: 0.0,
                });
            }
        }
        tally
    }

    /// The text query: every word (or vocabulary phrase) must match. Words
    /// are [`search_words`]: folded, one spelling each (see [`crate::text`]).
    /// `None` when the text has no word at all (requests refuse such text). A phrase
    /// that names a vocabulary value matches listings with that value or with
    /// all its words in their own text; other words match in the name
    /// (boosted), the body or the synonyms of the listing's values, with one
    /// typo allowed in words of five letters or more.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let vocabulary = Vocabulary::get();
        let words = search_words(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            for n in (1..=vocabulary
                .longest_search_phrase_words()
                .min(words.len() - i))
                .rev()
            {
                let values = vocabulary.values_for_search_words(&words[i..i + n]);
                if !values.is_empty() {
                    matched = Some((n, values));
                    break;
                }
            }
            match matched {
                Some((n, values)) => {
                    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    for &v in values {
                        let term = facet_term(&self.fields, vocabulary, v);
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                                2.0,
                            )),
                        ));
                    }
                    // or every word in the listing's own text (not through
                    // other values' synonyms: the phrase names its values)
                    let phrase_words: Vec<Box<dyn Query>> = words[i..i + n]
                        .iter()
                        .filter_map(|w| self.word_query(w, false, false))
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
                    // a word too long to be a term matches nothing (it must
                    // not be dropped: text of only such words would match all)
                    let q = self
                        .word_query(&words[i], true, true)
                        .unwrap_or_else(|| Box::new(EmptyQuery));
                    clauses.push((Occur::Must, q));
                    i += 1;
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// One word in the name or the body, stemmed, or (when `synonyms`) in a
    /// synonym of a value the listing has; fuzzy when `fuzzy` and long.
    ///
    /// Synonyms are not indexed with each listing (that was most of the
    /// index's words and half its build time): a word found in the synonyms of
    /// values becomes a match on those values' facet terms, with the same
    /// one-typo rule as the text.
    fn word_query(&self, word: &str, fuzzy: bool, synonyms: bool) -> Option<Box<dyn Query>> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body).ok()?;
        let mut stream = analyzer.token_stream(word);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push(token.text.clone());
        }
        let fuzzy = fuzzy && word.chars().count() >= FUZZY_MIN_CHARS;
        let vocabulary = Vocabulary::get();
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
            // the values whose synonyms have the word (boost 1) or a word
            // one edit away (boost 0.5), each once with its best boost
            let mut values: Vec<(ValueId, f32)> = Vec::new();
            let mut add = |ids: &[ValueId], boost: f32| {
                for &id in ids {
                    match values.iter_mut().find(|(v, _)| *v == id) {
                        Some((_, b)) => *b = b.max(boost),
                        None => values.push((id, boost)),
                    }
                }
            };
            if synonyms {
                if let Some(ids) = self.synonym_words.get(&token) {
                    add(ids, 1.0);
                }
                if fuzzy {
                    for (synonym_word, ids) in &self.synonym_words {
                        if *synonym_word != token && within_one_edit(synonym_word, &token) {
                            add(ids, 0.5);
                        }
                    }
                }
            }
            values.sort_by_key(|&(id, _)| id);
            for (id, boost) in values {
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            facet_term(&self.fields, vocabulary, id),
                            IndexRecordOption::Basic,
                        )),
                        boost,
                    )),
                ));
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

/// The `facet` term of a value: `group/slug`.
fn facet_term(fields: &Fields, vocabulary: &Vocabulary, id: ValueId) -> Term {
    let value = vocabulary.value(id);
    Term::from_field_text(
        fields.facet,
        &format!("{}/{}", vocabulary.group(value.group).slug, value.slug),
    )
}

/// Each value's synonyms, analyzed as the text is: stemmed word -> values.
fn synonym_words(
    index: &Index,
    fields: &Fields,
    vocabulary: &Vocabulary,
) -> tantivy::Result<HashMap<String, Vec<ValueId>>> {
    let mut analyzer = index.tokenizer_for_field(fields.body)?;
    let mut words: HashMap<String, Vec<ValueId>> = HashMap::new();
    for value in vocabulary.values() {
        // the words a query would have, not every indexed form
        for word in value.synonyms.iter().flat_map(|s| search_words(s)) {
            let mut stream = analyzer.token_stream(&word);
            while let Some(token) = stream.next() {
                let ids = words.entry(token.text.clone()).or_default();
                if !ids.contains(&value.id) {
                    ids.push(value.id);
                }
            }
        }
    }
    Ok(words)
}

/// Whether `a` and `b` differ by at most one edit: an inserted, deleted or
/// changed character, or two adjacent characters swapped (the rule of
/// tantivy's `FuzzyTermQuery` with distance 1 and transpositions).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if prefix == short.len() {
        return true; // equal, or one character added at the end
    }
    if short.len() == long.len() {
        let rest = prefix + 1;
        short[rest..] == long[rest..]
            || (rest < short.len()
                && short[prefix] == long[rest]
                && short[rest] == long[prefix]
                && short[rest + 1..] == long[rest + 1..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// What a search keeps: the selected groups and how to rank.
struct Filter {
    words: usize,
    origin: Option<(f64, f64)>,
    radius: f64,
    /// Selected groups and the bit mask of their selected values.
    groups: Vec<(GroupId, [u64; MAX_WORDS])>,
    /// Every group's bit mask of all its values.
    group_masks: Vec<[u64; MAX_WORDS]>,
    sort: Sort,
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

/// The running answer: total, disjunctive counts and the best `keep`
/// candidates (a max-heap of the best, so the worst is on top).
struct Tally {
    total: usize,
    counts: Vec<u64>,
    heap: BinaryHeap<Candidate>,
    /// Candidates already in order (the browse path).
    top: Vec<Candidate>,
    keep: usize,
}

impl Tally {
    fn new(keep: usize, values: usize) -> Tally {
        Tally {
            total: 0,
            counts: vec![0; values],
            heap: BinaryHeap::with_capacity(keep + 1),
            top: Vec::new(),
            keep,
        }
    }

    /// One document inside the radius and matching the text (if any): a
    /// document that passes every selected group is a result and counts for
    /// every value it has; one that fails exactly one group counts only for
    /// that group's values; one that fails two counts nowhere.
    #[allow(clippy::too_many_arguments)]
    fn consider(
        &mut self,
        filter: &Filter,
        segment: SegmentOrdinal,
        doc: DocId,
        ord: u32,
        doc_bits: &[u64],
        distance: f64,
        score: f32,
    ) {
        let mut bits = [0u64; MAX_WORDS];
        for (word, &value) in bits.iter_mut().zip(doc_bits) {
            *word = value;
        }
        let mut failed: Option<GroupId> = None;
        for (group, mask) in &filter.groups {
            let hit = (0..filter.words).any(|w| bits[w] & mask[w] != 0);
            if !hit {
                if failed.is_some() {
                    return;
                }
                failed = Some(*group);
            }
        }
        if let Some(group) = failed {
            count_bits(
                &mut self.counts,
                &bits,
                &filter.group_masks[group],
                filter.words,
            );
            return;
        }
        count_bits(
            &mut self.counts,
            &bits,
            &[u64::MAX; MAX_WORDS],
            filter.words,
        );
        self.total += 1;
        let key = match filter.sort {
            Sort::Distance => distance,
            Sort::Name => 0.0,
            Sort::Relevance => {
                let relevance = if filter.origin.is_some() {
                    score as f64 / (1.0 + distance / RELEVANCE_HALF_DISTANCE_MILES)
                } else {
                    score as f64
                };
                -relevance
            }
        };
        let candidate = Candidate {
            key,
            ord: u64::from(ord),
            segment,
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

    /// The kept candidates, best first.
    fn take_top(&mut self) -> Vec<Candidate> {
        let mut top = std::mem::take(&mut self.top);
        top.extend(std::mem::take(&mut self.heap).into_sorted_vec());
        top.sort_unstable();
        top
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

#[cfg(test)]
mod tests {
    use super::within_one_edit;

    #[test]
    fn one_edit_is_an_insertion_a_deletion_a_change_or_a_swap() {
        for (a, b) in [
            ("dialect", "dialect"),
            ("dialect", "dialects"),
            ("dialect", "ialect"),
            ("dialect", "dialwct"),
            ("dialect", "dilaect"),
            ("dialect", "dialetc"),
            ("trauma", "truama"),
        ] {
            assert!(within_one_edit(a, b), "{a} / {b}");
            assert!(within_one_edit(b, a), "{b} / {a}");
        }
        for (a, b) in [
            ("dialect", "dilaetc"),
            ("dialect", "dialectic"),
            ("dialect", "xialecx"),
            ("trauma", "tamura"),
            ("ab", "ba c"),
        ] {
            assert!(!within_one_edit(a, b), "{a} / {b}");
            assert!(!within_one_edit(b, a), "{b} / {a}");
        }
    }
}
