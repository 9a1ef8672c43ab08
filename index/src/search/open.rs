//! Opening an index generation: its columns, its name order, its
//! listings decoded into memory when the directory is small (at most
//! [`IN_MEMORY_LISTINGS_MAX`](super::IN_MEMORY_LISTINGS_MAX) listings), and
//! reading stored listings by position or id.

use super::query::synonym_words;
use super::{InMemory, SearchIndex, MAX_WORDS};
use crate::columns::SegmentColumns;
use crate::listing::Listing;
use crate::schema::fields_of;
use crate::vocabulary::Vocabulary;
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, SegmentOrdinal, TantivyDocument, Term,
};

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
            prepared: std::sync::OnceLock::new(),
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
            let mut by_id: HashMap<String, u32> = listings
                .iter()
                .enumerate()
                .map(|(i, l)| (l.id.clone(), i as u32))
                .collect();
            // the ids of listings merged into another find that one (never
            // in place of a listing's own id)
            for (i, l) in listings.iter().enumerate() {
                for merged in &l.merged_ids {
                    by_id.entry(merged.clone()).or_insert(i as u32);
                }
            }
            search_index.in_memory = Some(InMemory { listings, by_id });
        }
        Ok(search_index)
    }

    /// Decode the listing stored with a document.
    pub(super) fn stored(&self, address: DocAddress) -> tantivy::Result<Arc<Listing>> {
        self.stored_as(address, |json| serde_json::from_slice(json))
    }

    /// Decode the listing stored with a document for a list of results
    /// ([`crate::stored::for_results`]: of its provenance only the entry
    /// of the latest check date).
    pub(super) fn stored_for_results(&self, address: DocAddress) -> tantivy::Result<Arc<Listing>> {
        self.stored_as(address, crate::stored::for_results)
    }

    fn stored_as(
        &self,
        address: DocAddress,
        decode: impl FnOnce(&[u8]) -> serde_json::Result<Listing>,
    ) -> tantivy::Result<Arc<Listing>> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let bytes = doc
            .get_first(self.fields.listing)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| {
                tantivy::TantivyError::InvalidArgument("document without a listing".into())
            })?;
        decode(bytes)
            .map(Arc::new)
            .map_err(|e| tantivy::TantivyError::InvalidArgument(format!("stored listing: {e}")))
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

    /// The listing with this id, or else the listing this id was merged
    /// into ([`Listing::merged_ids`]; its `id` then differs from `id`).
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
                &tantivy::collector::TopDocs::with_limit(2).order_by_score(),
            )
            .ok()?;
        // its own listing before one it was merged into
        let found: Vec<Arc<Listing>> = top
            .iter()
            .filter_map(|(_, address)| self.stored(*address).ok())
            .collect();
        let own = found.iter().position(|l| l.id == id).unwrap_or(0);
        found.into_iter().nth(own)
    }
}
