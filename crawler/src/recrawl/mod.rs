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

mod state;
#[cfg(test)]
mod tests;

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
pub fn reconcile(
    stored: Vec<Listing>,
    mut state: CrawlState,
    sources: Vec<SourceOutcome>,
    withdraw_after: u32,
    today: Date,
) -> Reconciled {
    let withdraw_after = withdraw_after.max(1);
    let mut store: BTreeMap<String, Listing> =
        stored.into_iter().map(|l| (l.id.clone(), l)).collect();
    // a listing without state yet (a store older than the crawl state) gets
    // one from what it says: its kind and newest check date
    for (id, listing) in &store {
        state.listings.entry(id.clone()).or_insert_with(|| {
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
        });
    }
    state.listings.retain(|id, _| store.contains_key(id));
    // a state written before sources had datasets keys them by location
    // (`samhsa-directory=/path/su_2022_facilities.csv`): the same dataset
    for s in state.listings.values_mut() {
        let kind = s.kind.parse::<SourceKind>().ok();
        if let Some(dataset) = kind.and_then(SourceKind::dataset) {
            if s.source.as_deref().is_some_and(|k| k != dataset) {
                s.source = Some(dataset.to_string());
            }
        }
    }

    let mut kinds: Vec<SourceKind> = Vec::with_capacity(sources.len());
    let mut keys: Vec<String> = Vec::with_capacity(sources.len());
    let mut reads: Vec<Option<Vec<Listing>>> = Vec::with_capacity(sources.len());
    for source in sources {
        kinds.push(source.kind);
        keys.push(source.key);
        reads.push(match source.outcome {
            Outcome::Read(listings) => Some(listings),
            Outcome::Failed => None,
        });
    }
    let ok: Vec<bool> = reads.iter().map(Option::is_some).collect();
    let mut tallies = vec![SourceTally::default(); keys.len()];
    let failed_keys: BTreeSet<&str> = (0..keys.len())
        .filter(|&i| !ok[i])
        .map(|i| keys[i].as_str())
        .collect();

    // listings older than the crawl state: when their kind is read from one
    // source only, and it was read, that source is theirs
    for i in 0..keys.len() {
        let kind = kinds[i];
        let sources_of_kind: BTreeSet<&str> = (0..keys.len())
            .filter(|&j| kinds[j] == kind)
            .map(|j| keys[j].as_str())
            .collect();
        if sources_of_kind.len() == 1 && ok[i] && !failed_keys.contains(keys[i].as_str()) {
            for s in state.listings.values_mut() {
                if s.source.is_none() && s.kind == kind.as_str() {
                    s.source = Some(keys[i].clone());
                }
            }
        }
    }

    // what each source yields now: new, changed or unchanged
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for i in 0..keys.len() {
        let Some(listings) = reads[i].take() else {
            continue;
        };
        let tally = &mut tallies[i];
        for listing in listings {
            if !seen.insert(listing.id.clone()) {
                tally.duplicates += 1;
                continue;
            }
            // text over its limit was cut at normalization: say where
            let cut = crate::normalize::cut_fields(&listing);
            if !cut.is_empty() {
                tally.text_cut += 1;
                if tally.text_cut <= CUT_NOTES {
                    tally.notes.push(format!(
                        "listing {}: {} cut to the length limit",
                        listing.id,
                        cut.join(", ")
                    ));
                }
            }
            let hash = content_hash(&listing);
            let id = listing.id.clone();
            match state.listings.get_mut(&id) {
                Some(s) => {
                    if s.misses > 0 {
                        tally.returned += 1;
                    }
                    if s.content_hash == hash {
                        tally.unchanged += 1;
                    } else {
                        tally.changed += 1;
                        tally.changed_ids.push(id.clone());
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
                    state.listings.insert(
                        id.clone(),
                        ListingState {
                            kind: kinds[i].to_string(),
                            source: Some(keys[i].clone()),
                            first_seen: today,
                            last_seen: today,
                            last_changed: today,
                            content_hash: hash,
                            misses: 0,
                        },
                    );
                }
            }
            store.insert(id, listing);
        }
        if tally.duplicates > 0 {
            tally.notes.push(format!(
                "{} listings given twice (here or by an earlier source): the first of each was kept",
                tally.duplicates
            ));
        }
    }

    // what each source no longer yields: missed, or withdrawn at last; a
    // failed source's listings stay as they are
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for i in 0..keys.len() {
        let key = keys[i].as_str();
        if !done.insert(key) {
            continue;
        }
        let unseen: Vec<String> = state
            .listings
            .iter()
            .filter(|(id, s)| s.source.as_deref() == Some(key) && !seen.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        if failed_keys.contains(key) {
            for j in (i..keys.len()).filter(|&j| keys[j] == key) {
                tallies[j].kept_from_last_crawl = unseen.len();
            }
            continue;
        }
        for id in unseen {
            let s = state
                .listings
                .get_mut(&id)
                .expect("unseen ids come from the state");
            s.misses += 1;
            if s.misses >= withdraw_after {
                state.listings.remove(&id);
                store.remove(&id);
                tallies[i].withdrawn += 1;
                tallies[i].withdrawn_ids.push(id);
            } else {
                tallies[i].missed += 1;
                tallies[i].missed_ids.push(id);
            }
        }
    }
    // say what of the kinds read was not checked: it came from other sources
    let mut noted: BTreeSet<SourceKind> = BTreeSet::new();
    for i in 0..keys.len() {
        let kind = kinds[i];
        if !noted.insert(kind) {
            continue;
        }
        let elsewhere = state
            .listings
            .iter()
            .filter(|(id, s)| {
                s.kind == kind.as_str()
                    && !seen.contains(*id)
                    && !s.source.as_ref().is_some_and(|k| keys.contains(k))
            })
            .count();
        if elsewhere > 0 {
            tallies[i].notes.push(format!(
                "{elsewhere} {kind} listings come from sources not read in this crawl: kept as they are until their source is read again"
            ));
        }
    }

    Reconciled {
        listings: store.into_values().collect(),
        state,
        sources: tallies,
        withdraw_after,
        any_read: ok.iter().any(|&ok| ok),
    }
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
