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
use std::sync::Arc;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, SegmentOrdinal, TantivyDocument, Term,
};

/// Blocks of each segment's doc store kept decompressed (tantivy's default
/// for a searcher's own readers).
const DOC_STORE_CACHE_BLOCKS: usize = 100;

/// The value of a stored document that has exactly one value, of `field`,
/// a bytes value: what follows its header in tantivy's document format
/// (a VInt count of values, then per value the field id as a little-endian
/// u32, a type code, 4 for bytes, and a VInt length). `None` for any other
/// shape, read then by tantivy itself; a test checks that every stored
/// listing is read here.
fn only_bytes_value(doc: &[u8], field: tantivy::schema::Field) -> Option<&[u8]> {
    /// tantivy's type code of a bytes value (`schema::document::type_codes`).
    const BYTES_CODE: u8 = 4;
    // tantivy's VInt: 7 bits a byte, least significant first, the last byte
    // with its high bit set
    fn vint(bytes: &[u8]) -> Option<(u64, &[u8])> {
        let mut value = 0u64;
        for (i, &b) in bytes.iter().enumerate().take(10) {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 != 0 {
                return Some((value, &bytes[i + 1..]));
            }
        }
        None
    }
    let (values, rest) = vint(doc)?;
    let (id, rest) = rest.split_first_chunk::<4>()?;
    let (&code, rest) = rest.split_first()?;
    let (len, rest) = vint(rest)?;
    (values == 1
        && u32::from_le_bytes(*id) == field.field_id()
        && code == BYTES_CODE
        && len == rest.len() as u64)
        .then_some(rest)
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
        let stores = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.get_store_reader(DOC_STORE_CACHE_BLOCKS))
            .collect::<std::io::Result<Vec<_>>>()?;
        let mut search_index = SearchIndex {
            index,
            searcher,
            stores,
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
            let mut by_id: rustc_hash::FxHashMap<String, u32> = listings
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
        self.stored_as(address, |json| {
            // checked as UTF-8 in one pass, not string by string
            let json = std::str::from_utf8(json).map_err(serde::de::Error::custom)?;
            serde_json::from_str(json)
        })
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
        let listing = |bytes: &[u8]| {
            decode(bytes)
                .map(Arc::new)
                .map_err(|e| tantivy::TantivyError::InvalidArgument(format!("stored listing: {e}")))
        };
        // the document's bytes as stored, its one value cut out of them
        // (tantivy's own reading copies a bytes value one byte at a time:
        // 8% of an API answer at 1M listings); anything else read by tantivy
        let raw = match self.stores.get(address.segment_ord as usize) {
            Some(store) => Some(store.get_document_bytes(address.doc_id)?),
            None => None,
        };
        if let Some(bytes) = raw
            .as_ref()
            .and_then(|raw| only_bytes_value(raw, self.fields.listing))
        {
            return listing(bytes);
        }
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let bytes = doc
            .get_first(self.fields.listing)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| {
                tantivy::TantivyError::InvalidArgument("document without a listing".into())
            })?;
        listing(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indexing::build_in_ram_with;
    use crate::listing::{Address, Point, Precision, Provenance, Source};
    use crate::request::{SearchRequest, UnknownParams};
    use time::{Date, Month};

    /// Listings with points around Albany, facets and provenance of
    /// several check dates (the evidence with characters JSON escapes).
    fn listings(n: usize) -> Vec<Listing> {
        (0..n)
            .map(|i| {
                let address = Address {
                    city: "Albany".into(),
                    state: "NY".into(),
                    zip: "12207".into(),
                    ..Address::default()
                };
                let mut l = Listing::new(format!("{i:012x}"), format!("Program {i}"), address);
                l.point = Some(Point {
                    lat: 42.65 + (i % 17) as f64 * 0.01,
                    lon: -73.75 - (i % 13) as f64 * 0.01,
                    precision: Precision::Exact,
                });
                l.facets.insert("insurance".into(), vec!["medicaid".into()]);
                l.sources.push(Source {
                    kind: "sample".into(),
                    title: "Sample".into(),
                    ..Source::default()
                });
                for (k, fact) in ["name", "phone", "insurance/medicaid"].iter().enumerate() {
                    l.provenance.push(Provenance {
                        fact: (*fact).into(),
                        source: 0,
                        checked: Date::from_calendar_date(
                            2026,
                            Month::March,
                            1 + ((i + k) % 5) as u8,
                        )
                        .unwrap(),
                        evidence: (k == 1).then(|| format!("say \"{i}\"\n")),
                    });
                }
                l
            })
            .collect()
    }

    /// Every stored listing is cut out of its document's bytes (not read
    /// by tantivy's slower way), and is the listing read by tantivy.
    #[test]
    fn stored_listings_are_cut_out_of_their_documents() {
        let listings = listings(300);
        let index = build_in_ram_with(listings.clone(), 0).unwrap();
        assert!(!index.holds_listings_in_memory());
        for (ord, &(segment, doc)) in index.by_ord.iter().enumerate() {
            let raw = index.stores[segment as usize]
                .get_document_bytes(doc)
                .unwrap();
            let cut = only_bytes_value(&raw, index.fields.listing).expect("cut out");
            let address = DocAddress::new(segment, doc);
            let tantivy: TantivyDocument = index.searcher.doc(address).unwrap();
            let whole = tantivy.get_first(index.fields.listing).unwrap().as_bytes();
            assert_eq!(Some(cut), whole, "ord {ord}");
            assert_eq!(
                *index.stored(address).unwrap(),
                *index.listing(&index.stored(address).unwrap().id).unwrap()
            );
        }
        let mut sorted = listings;
        crate::indexing::sort_listings(&mut sorted);
        let read: Vec<Listing> = index
            .all_listings()
            .unwrap()
            .iter()
            .map(|l| (**l).clone())
            .collect();
        assert_eq!(read, sorted);
        assert_eq!(only_bytes_value(&[], index.fields.listing), None);
        assert_eq!(
            only_bytes_value(&[0x81, 9, 0, 0, 0, 4, 0x81, 1], index.fields.listing),
            None
        );
    }

    /// A search for results finds what the search finds, each listing with
    /// of its provenance only the first entry of the latest check date.
    #[test]
    fn searches_for_results_have_the_latest_check_of_each_listing() {
        let index = build_in_ram_with(listings(300), 0).unwrap();
        for query in [
            "near=12207&radius=25",
            "near=12207&radius=5&per_page=50&sort=name",
            "",
        ] {
            let request = SearchRequest::from_query_string(query, UnknownParams::Refuse).unwrap();
            let whole = index.search(&request).unwrap();
            let for_results = index.search_for_results(&request).unwrap();
            assert!(!whole.hits.is_empty(), "{query}");
            assert_eq!(whole.total, for_results.total);
            assert_eq!(whole.facets, for_results.facets);
            assert_eq!(whole.hits.len(), for_results.hits.len());
            for (w, r) in whole.hits.iter().zip(&for_results.hits) {
                assert_eq!(w.distance_miles, r.distance_miles);
                let latest = w.listing.last_checked();
                let first_latest = w
                    .listing
                    .provenance
                    .iter()
                    .find(|p| Some(p.checked) == latest)
                    .cloned();
                let mut expected = (*w.listing).clone();
                expected.provenance = first_latest.into_iter().collect();
                assert_eq!(*r.listing, expected);
                assert_eq!(r.listing.last_checked(), latest);
            }
        }
    }
}
