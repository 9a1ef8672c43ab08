//! The recrawl: what one crawl's sources said, folded into the listing store
//! and the crawl state.
//!
//! [`reconcile`] is a pure function: it takes the store's listings, the
//! crawl state ([`CrawlState`], which remembers which source last yielded
//! each listing) and each source's outcome (the listings it yields now, or
//! its failure), and answers the new listings, the new state and what
//! happened per source ([`SourceTally`]). Reading and writing the data
//! directory (the store, `crawl-state.json`, the report, the index) is the
//! `crawl` command's.
//!
//! Each source is identified by [`source_key`]: its dataset when its kind
//! names one ([`SourceKind::dataset`]), else `KIND=LOCATION`. What each
//! source yields is sorted into:
//!
//! - **new**: not in the store before;
//! - **changed**: their content (every field but the check dates,
//!   [`content_hash`]) differs from the last crawl; the change is dated in
//!   the state;
//! - **unchanged**: the same facts, checked again today;
//! - **missed**: last yielded by this source but not now. A missed listing is
//!   kept as it was (its facts keep their old check dates) until its source
//!   has missed it on `withdraw_after` consecutive crawls, then it is
//!   **withdrawn**: removed from the store and the state. A listing that
//!   comes back before that starts counting afresh (and is counted as
//!   **returned**).
//!
//! Misses are counted per source, not per kind: a crawl of one website or
//! one FindTreatment area says nothing about another's listings. A source
//! is what it is, not where it was read: every edition of SAMHSA's
//! substance use directory is one source ([`SourceKind::dataset`]), so
//! crawling the 2023 file after the 2022 file misses, then withdraws, the
//! programs the 2023 edition no longer lists. Listings of a kind read in
//! this crawl whose source was not read are kept and counted in a note of
//! the first source of that kind.
//!
//! A source that fails as a whole keeps its listings from the last good crawl
//! in place, and none of them counts as missed (nobody can tell what the failed
//! source would have said); they are counted as
//! [`SourceTally::kept_from_last_crawl`]. When every source failed nothing
//! is to be written ([`Reconciled::any_read`] is false). Listings of kinds
//! not read in a crawl stay as they were.
//!
//! What came before the crawl state is read as well as it can be: a listing
//! in the store without state gets one from what it says (its first
//! source's kind, its newest check date, no source); such a listing is
//! given to the one source of its kind when this crawl read exactly one and
//! read it well. A state written before sources had datasets keys a SAMHSA
//! listing by its file (`samhsa-directory=/path/su_2022_facilities.csv`):
//! it is re-keyed to the dataset. A listing given twice (by one source or
//! two) keeps its first; text that normalization cut to its length limit is
//! counted and noted by listing id (the first [`CUT_NOTES`] per source).

mod spill;
mod state;
#[cfg(test)]
mod tests;

pub use spill::{ListingSpill, SortedListings, SPILL_RUN_BYTES};
pub use state::{content_hash, CrawlState, ListingState};

use crate::sources::SourceKind;
use iop_index::Listing;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use time::Date;

/// Consecutive misses after which a listing is withdrawn, by default.
pub const DEFAULT_WITHDRAW_AFTER: u32 = 3;

/// Listings whose cut text is noted by id, per source (all are counted).
pub const CUT_NOTES: usize = 20;

/// One source of a crawl, as the recrawl sees it.
#[derive(Debug)]
pub struct SourceOutcome {
    /// The source's kind.
    pub kind: SourceKind,
    /// The source's identity in the crawl state ([`source_key`]).
    pub key: String,
    /// What reading it gave.
    pub outcome: Outcome,
}

/// What reading one source gave.
#[derive(Debug)]
pub enum Outcome {
    /// Every listing the source has now (normalized, in the source's order).
    Read(Vec<Listing>),
    /// The source could not be read at all: its listings stay as they are.
    Failed,
}

impl SourceOutcome {
    /// The outcome of the source `kind=location`, keyed by
    /// [`source_key`].
    pub fn new(kind: SourceKind, location: &str, outcome: Outcome) -> Self {
        SourceOutcome {
            kind,
            key: source_key(kind, location),
            outcome,
        }
    }
}

/// What the recrawl did with one source's listings. Counts are of listings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTally {
    /// Listings not in the store before.
    pub new: usize,
    /// Listings whose content differs from the last crawl's.
    pub changed: usize,
    /// Listings with the same content as the last crawl's.
    pub unchanged: usize,
    /// Of the new, changed and unchanged: listings that had been missed on
    /// earlier crawls and are back (their misses start again from zero).
    pub returned: usize,
    /// Listings of this source not in it now, kept for now.
    pub missed: usize,
    /// Listings of this source withdrawn: missed `withdraw_after` crawls in
    /// a row.
    pub withdrawn: usize,
    /// A failed source: its listings kept from the last good crawl.
    pub kept_from_last_crawl: usize,
    /// Listings given twice (the same id, here or by an earlier source);
    /// the first was kept.
    pub duplicates: usize,
    /// Listings with text cut to its length limit at normalization.
    pub text_cut: usize,
    /// Lines for the crawl report, in order: cut text (the first
    /// [`CUT_NOTES`]), duplicates, listings of the kind from sources not
    /// read in this crawl.
    pub notes: Vec<String>,
    /// The ids counted in `changed`, `missed` and `withdrawn`.
    pub changed_ids: Vec<String>,
    /// See [`SourceTally::changed_ids`].
    pub missed_ids: Vec<String>,
    /// See [`SourceTally::changed_ids`].
    pub withdrawn_ids: Vec<String>,
}

/// The listing store and crawl state after a crawl.
#[derive(Debug)]
pub struct Reconciled {
    /// Every listing, by id (the store's, as they are when every source
    /// failed).
    pub listings: Vec<Listing>,
    /// Every listing's state, for exactly the ids of `listings`.
    pub state: CrawlState,
    /// One tally per source, in the order given.
    pub sources: Vec<SourceTally>,
    /// The threshold applied: `withdraw_after`, at least 1.
    pub withdraw_after: u32,
    /// Whether any source was read; when none was, nothing changed and
    /// nothing should be written.
    pub any_read: bool,
}

/// Fold what each source yields into the store and the crawl state, as the
/// module documentation describes. `stored` is the listing store as read
/// (a repeated id keeps its last copy), `state` the crawl state as read,
/// `withdraw_after` the consecutive misses that withdraw a listing (0 is
/// taken as 1), `today` the crawl's date.
///
/// Everything in memory; the same decisions as [`reconcile_sorted`], which
/// it calls with the store and each source sorted by id.
pub fn reconcile(
    stored: Vec<Listing>,
    state: CrawlState,
    sources: Vec<SourceOutcome>,
    withdraw_after: u32,
    today: Date,
) -> Reconciled {
    // a repeated id keeps its last copy: a stable sort keeps them in order
    let mut stored = stored;
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    let sorted = sources
        .into_iter()
        .map(|source| SortedSource {
            kind: source.kind,
            key: source.key,
            listings: match source.outcome {
                Outcome::Read(listings) => {
                    let mut numbered: Vec<(u64, Listing)> =
                        (0u64..).zip(listings).collect::<Vec<_>>();
                    numbered.sort_by(|a, b| a.1.id.cmp(&b.1.id));
                    Some(Box::new(numbered.into_iter().map(Ok::<_, RecrawlError>))
                        as SortedIter<'static>)
                }
                Outcome::Failed => None,
            },
        })
        .collect();
    let mut listings = Vec::new();
    let done = reconcile_sorted(
        stored.into_iter().map(Ok::<_, RecrawlError>),
        state,
        sorted,
        withdraw_after,
        today,
        |listing| {
            listings.push(listing);
            Ok(())
        },
    )
    .expect("sorted in memory, nothing to read or write");
    Reconciled {
        listings,
        state: done.state,
        sources: done.sources,
        withdraw_after: done.withdraw_after,
        any_read: done.any_read,
    }
}

/// Why a streaming reconcile ([`reconcile_sorted`]) stopped.
#[derive(Debug, thiserror::Error)]
pub enum RecrawlError {
    /// A temporary file (a [`ListingSpill`] run) could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A temporary file holds something else than listing JSON.
    #[error("{path}: not valid listing JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A spill run's line is not `NUMBER<TAB>JSON`.
    #[error("{0}: not a spill run")]
    Spill(PathBuf),
    /// An input was not in ascending id order: which one, and the id that
    /// came after a greater one.
    #[error("{input} is not sorted by id: {id:?} comes after {after:?}")]
    Unsorted {
        /// "the listing store" or the source's key.
        input: String,
        /// The id out of order.
        id: String,
        /// The id before it.
        after: String,
    },
    /// The listing store could not be read or written.
    #[error(transparent)]
    Store(#[from] iop_index::StoreError),
}

/// A source's listings in ascending id order, each with its number in the
/// source's own order (listings of one id in that order).
pub type SortedIter<'a> = Box<dyn Iterator<Item = Result<(u64, Listing), RecrawlError>> + 'a>;

/// One source of a streaming reconcile ([`reconcile_sorted`]).
pub struct SortedSource<'a> {
    /// The source's kind.
    pub kind: SourceKind,
    /// The source's identity in the crawl state ([`source_key`]).
    pub key: String,
    /// What it yields now, sorted ([`SortedIter`]); `None` when it failed
    /// as a whole.
    pub listings: Option<SortedIter<'a>>,
}

/// The crawl state and the tallies after a streaming reconcile; the
/// listings went to its `write`.
#[derive(Debug)]
pub struct Merged {
    /// Every listing's state, for exactly the ids written.
    pub state: CrawlState,
    /// One tally per source, in the order given.
    pub sources: Vec<SourceTally>,
    /// The threshold applied: `withdraw_after`, at least 1.
    pub withdraw_after: u32,
    /// Whether any source was read; when none was, the listings written are
    /// the store's as they were, and nothing should be saved.
    pub any_read: bool,
    /// How many listings were written.
    pub listings: usize,
}

/// One input's cursor: its next item, and the last id it gave (to check
/// the order).
struct Cursor<I> {
    input: I,
    next: Option<(u64, Listing)>,
    last: Option<String>,
    name: String,
}

impl<I: Iterator<Item = Result<(u64, Listing), RecrawlError>>> Cursor<I> {
    fn new(input: I, name: String) -> Result<Self, RecrawlError> {
        let mut cursor = Cursor {
            input,
            next: None,
            last: None,
            name,
        };
        cursor.advance()?;
        Ok(cursor)
    }

    fn peek_id(&self) -> Option<&str> {
        self.next.as_ref().map(|(_, l)| l.id.as_str())
    }

    fn advance(&mut self) -> Result<Option<(u64, Listing)>, RecrawlError> {
        let next = self.input.next().transpose()?;
        if let Some((_, listing)) = &next {
            if let Some(last) = &self.last {
                if listing.id < *last {
                    return Err(RecrawlError::Unsorted {
                        input: self.name.clone(),
                        id: listing.id.clone(),
                        after: last.clone(),
                    });
                }
            }
            self.last = Some(listing.id.clone());
        }
        Ok(std::mem::replace(&mut self.next, next))
    }
}

/// [`reconcile`] as a merge: the store, in ascending id order (a repeated id
/// next to itself, its last copy kept), against each source's listings in
/// the same order ([`SortedSource`]; a [`ListingSpill`] sorts them), one id
/// at a time. Each listing of the new store goes to `write` as soon as it is
/// decided, in ascending id order; what is held is the crawl state (ids,
/// hashes and dates) and one listing per input. The decisions, tallies and
/// notes are exactly [`reconcile`]'s (notes and `changed_ids` in each
/// source's own order).
///
/// # Errors
/// An input's error, an input out of order ([`RecrawlError::Unsorted`]),
/// or `write`'s error; what was written by then is to be thrown away.
pub fn reconcile_sorted<'a>(
    stored: impl Iterator<Item = Result<Listing, RecrawlError>>,
    state: CrawlState,
    sources: Vec<SortedSource<'a>>,
    withdraw_after: u32,
    today: Date,
    mut write: impl FnMut(Listing) -> Result<(), RecrawlError>,
) -> Result<Merged, RecrawlError> {
    let withdraw_after = withdraw_after.max(1);
    let mut old = state.listings;
    let mut new_state: BTreeMap<String, ListingState> = BTreeMap::new();

    let n = sources.len();
    let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
    let keys: Vec<String> = sources.iter().map(|s| s.key.clone()).collect();
    let ok: Vec<bool> = sources.iter().map(|s| s.listings.is_some()).collect();
    let failed_keys: BTreeSet<&str> = (0..n)
        .filter(|&i| !ok[i])
        .map(|i| keys[i].as_str())
        .collect();
    // listings older than the crawl state: when their kind is read from one
    // source only, and it was read, that source is theirs
    let mut owner_of_kind: BTreeMap<&'static str, &str> = BTreeMap::new();
    for i in 0..n {
        let sources_of_kind: BTreeSet<&str> = (0..n)
            .filter(|&j| kinds[j] == kinds[i])
            .map(|j| keys[j].as_str())
            .collect();
        if sources_of_kind.len() == 1 && ok[i] && !failed_keys.contains(keys[i].as_str()) {
            owner_of_kind.entry(kinds[i].as_str()).or_insert(&keys[i]);
        }
    }
    // each key's first source (its misses are counted there)
    let mut first_of_key: BTreeMap<&str, usize> = BTreeMap::new();
    let mut first_of_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    for i in 0..n {
        first_of_key.entry(keys[i].as_str()).or_insert(i);
        first_of_kind.entry(kinds[i].as_str()).or_insert(i);
    }

    let mut tallies = vec![SourceTally::default(); n];
    let mut cut_notes: Vec<Vec<(u64, String)>> = vec![Vec::new(); n];
    let mut changed: Vec<Vec<(u64, String)>> = vec![Vec::new(); n];
    let mut kept_by_key: BTreeMap<&str, usize> = BTreeMap::new();
    let mut elsewhere: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut written = 0;

    let mut store = Cursor::new(
        stored.map(|r| r.map(|l| (0, l))),
        "the listing store".into(),
    )?;
    let mut cursors: Vec<Option<Cursor<SortedIter<'a>>>> = Vec::with_capacity(n);
    for source in sources {
        cursors.push(match source.listings {
            Some(listings) => Some(Cursor::new(listings, source.key)?),
            None => None,
        });
    }

    loop {
        // the smallest id any input has next
        let mut id: Option<String> = store.peek_id().map(str::to_string);
        for cursor in cursors.iter().flatten() {
            if let Some(next) = cursor.peek_id() {
                if id.as_deref().is_none_or(|id| next < id) {
                    id = Some(next.to_string());
                }
            }
        }
        let Some(id) = id else { break };
        // the store's copy: the last of a repeated id
        let mut stored: Option<Listing> = None;
        while store.peek_id() == Some(id.as_str()) {
            stored = store.advance()?.map(|(_, l)| l);
        }
        // what the sources give for it, in source order then their own
        let mut given: Vec<(usize, u64, Listing)> = Vec::new();
        for (i, cursor) in cursors.iter_mut().enumerate() {
            let Some(cursor) = cursor else { continue };
            while cursor.peek_id() == Some(id.as_str()) {
                if let Some((seq, listing)) = cursor.advance()? {
                    given.push((i, seq, listing));
                }
            }
        }

        // the state of a listing in the store; one without state yet (a
        // store older than the crawl state) gets one from what it says:
        // its kind and newest check date. State without a stored listing
        // is dropped.
        let mut st: Option<ListingState> = match &stored {
            Some(listing) => Some(old.remove(&id).unwrap_or_else(|| {
                let seen = listing.last_checked().unwrap_or(today);
                ListingState {
                    kind: kind_of(listing),
                    source: None,
                    first_seen: seen,
                    last_seen: seen,
                    last_changed: seen,
                    content_hash: content_hash(listing),
                    misses: 0,
                }
            })),
            None => {
                old.remove(&id);
                None
            }
        };
        if let Some(s) = st.as_mut() {
            // a state written before sources had datasets keys them by
            // location (`samhsa-directory=/path/su_2022_facilities.csv`)
            let kind = s.kind.parse::<SourceKind>().ok();
            if let Some(dataset) = kind.and_then(SourceKind::dataset) {
                if s.source.as_deref().is_some_and(|k| k != dataset) {
                    s.source = Some(dataset.to_string());
                }
            }
            if s.source.is_none() {
                if let Some(key) = owner_of_kind.get(s.kind.as_str()) {
                    s.source = Some((*key).to_string());
                }
            }
        }

        let mut given = given.into_iter();
        let out: Option<Listing> = if let Some((i, seq, listing)) = given.next() {
            // the first given is kept; the others are duplicates
            for (j, _, _) in given {
                tallies[j].duplicates += 1;
            }
            let tally = &mut tallies[i];
            // text over its limit was cut at normalization: say where
            let cut = crate::normalize::cut_fields(&listing);
            if !cut.is_empty() {
                tally.text_cut += 1;
                let notes = &mut cut_notes[i];
                notes.push((
                    seq,
                    format!(
                        "listing {}: {} cut to the length limit",
                        listing.id,
                        cut.join(", ")
                    ),
                ));
                if notes.len() >= 4 * CUT_NOTES {
                    notes.sort_by_key(|(seq, _)| *seq);
                    notes.truncate(CUT_NOTES);
                }
            }
            let hash = content_hash(&listing);
            match st.as_mut() {
                Some(s) => {
                    if s.misses > 0 {
                        tally.returned += 1;
                    }
                    if s.content_hash == hash {
                        tally.unchanged += 1;
                    } else {
                        tally.changed += 1;
                        changed[i].push((seq, id.clone()));
                        s.last_changed = today;
                        s.content_hash = hash;
                    }
                    s.kind = kinds[i].to_string();
                    s.source = Some(keys[i].clone());
                    s.last_seen = today;
                    s.misses = 0;
                }
                None => {
                    tally.new += 1;
                    st = Some(ListingState {
                        kind: kinds[i].to_string(),
                        source: Some(keys[i].clone()),
                        first_seen: today,
                        last_seen: today,
                        last_changed: today,
                        content_hash: hash,
                        misses: 0,
                    });
                }
            }
            Some(listing)
        } else {
            // not given now: missed, withdrawn at last, kept for a failed
            // source, or of a source not read in this crawl
            let s = st.as_mut().expect("an id no source gives is the store's");
            let key = s
                .source
                .as_deref()
                .and_then(|k| first_of_key.get_key_value(k));
            match key {
                Some((key, _)) if failed_keys.contains(key) => {
                    *kept_by_key.entry(key).or_default() += 1;
                    stored
                }
                Some((_, &i)) => {
                    s.misses += 1;
                    if s.misses >= withdraw_after {
                        tallies[i].withdrawn += 1;
                        tallies[i].withdrawn_ids.push(id.clone());
                        st = None;
                        None
                    } else {
                        tallies[i].missed += 1;
                        tallies[i].missed_ids.push(id.clone());
                        stored
                    }
                }
                None => {
                    if let Some((kind, _)) = first_of_kind.get_key_value(s.kind.as_str()) {
                        *elsewhere.entry(kind).or_default() += 1;
                    }
                    stored
                }
            }
        };
        if let (Some(listing), Some(s)) = (out, st) {
            write(listing)?;
            written += 1;
            new_state.insert(id, s);
        }
    }

    for (i, tally) in tallies.iter_mut().enumerate() {
        let mut notes = std::mem::take(&mut cut_notes[i]);
        notes.sort_by_key(|(seq, _)| *seq);
        tally
            .notes
            .extend(notes.into_iter().take(CUT_NOTES).map(|(_, note)| note));
        if tally.duplicates > 0 {
            tally.notes.push(format!(
                "{} listings given twice (here or by an earlier source): the first of each was kept",
                tally.duplicates
            ));
        }
        let mut ids = std::mem::take(&mut changed[i]);
        ids.sort_by_key(|(seq, _)| *seq);
        tally.changed_ids = ids.into_iter().map(|(_, id)| id).collect();
        if let Some(kept) = kept_by_key.get(keys[i].as_str()) {
            tally.kept_from_last_crawl = *kept;
        }
    }
    // say what of the kinds read was not checked: it came from other sources
    for (kind, i) in &first_of_kind {
        if let Some(count) = elsewhere.get(kind).filter(|&&c| c > 0) {
            tallies[*i].notes.push(format!(
                "{count} {kind} listings come from sources not read in this crawl: kept as they are until their source is read again"
            ));
        }
    }

    Ok(Merged {
        state: CrawlState {
            version: state.version,
            listings: new_state,
        },
        sources: tallies,
        withdraw_after,
        any_read: ok.iter().any(|&ok| ok),
        listings: written,
    })
}

/// A source's identity in the crawl state: its dataset when the kind names
/// one ([`SourceKind::dataset`]: every edition of SAMHSA's substance use
/// directory is one source, wherever it is read from), else
/// `KIND=LOCATION`, a path made absolute (against the current directory) so
/// `./x.csv` and `x.csv` are the same source. URLs and the sample's
/// location are kept as given.
pub fn source_key(kind: SourceKind, location: &str) -> String {
    if let Some(dataset) = kind.dataset() {
        return dataset.to_string();
    }
    if kind == SourceKind::Sample || location.contains("://") {
        return format!("{kind}={location}");
    }
    let path = std::path::absolute(location).unwrap_or_else(|_| PathBuf::from(location));
    format!("{kind}={}", path.display())
}

/// The kind a listing belongs to: its first source's.
fn kind_of(listing: &Listing) -> String {
    listing
        .sources
        .first()
        .map(|s| s.kind.clone())
        .unwrap_or_default()
}
