//! The collector: what a search keeps ([`Filter`]), the candidates in their
//! total order ([`Candidate`]), and the running answer ([`Tally`]): the
//! total, the disjunctive facet counts and the best candidates of the page.

use super::{MAX_WORDS, RELEVANCE_HALF_DISTANCE_MILES};
use crate::request::Sort;
use crate::vocabulary::GroupId;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use tantivy::{DocId, SegmentOrdinal};

/// What a search keeps: the selected groups and how to rank.
pub(super) struct Filter {
    pub(super) words: usize,
    pub(super) origin: Option<(f64, f64)>,
    pub(super) radius: f64,
    /// Selected groups and the bit mask of their selected values.
    pub(super) groups: Vec<(GroupId, [u64; MAX_WORDS])>,
    /// Every group's bit mask of all its values.
    pub(super) group_masks: Vec<[u64; MAX_WORDS]>,
    pub(super) sort: Sort,
    pub(super) keep: usize,
    /// Only the total is wanted: no facet counts, no candidates.
    pub(super) total_only: bool,
}

/// How far a document is from the search's origin: in miles, or the way
/// the spatial scan found ([`crate::geo::Leg`]), whose miles are worked out
/// only for a document that may be shown.
#[derive(Debug, Clone, Copy)]
pub(super) enum Distance {
    Miles(f64),
    Leg(crate::geo::Leg),
}

impl Distance {
    fn miles(self) -> f64 {
        match self {
            Distance::Miles(miles) => miles,
            Distance::Leg(leg) => leg.miles(),
        }
    }

    /// The estimated haversine, when that is known (NaN otherwise).
    fn haversine(self) -> f64 {
        match self {
            Distance::Miles(_) => f64::NAN,
            Distance::Leg(leg) => leg.estimate,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// Lower sorts first.
    pub(super) key: f64,
    pub(super) ord: u64,
    pub(super) segment: SegmentOrdinal,
    pub(super) doc: DocId,
    pub(super) distance: f64,
    /// The estimated haversine `distance` was worked out from, or NaN.
    pub(super) haversine: f64,
    pub(super) score: f32,
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
pub(super) struct Tally {
    pub(super) total: usize,
    pub(super) counts: Vec<u64>,
    heap: BinaryHeap<Candidate>,
    /// Candidates already in order (the browse path).
    pub(super) top: Vec<Candidate>,
    keep: usize,
}

impl Tally {
    pub(super) fn new(keep: usize, values: usize) -> Tally {
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
    pub(super) fn consider(
        &mut self,
        filter: &Filter,
        segment: SegmentOrdinal,
        doc: DocId,
        ord: u32,
        doc_bits: &[u64],
        distance: Distance,
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
            if !filter.total_only {
                count_bits(
                    &mut self.counts,
                    &bits,
                    &filter.group_masks[group],
                    filter.words,
                );
            }
            return;
        }
        self.total += 1;
        if filter.total_only {
            return;
        }
        count_bits(
            &mut self.counts,
            &bits,
            &[u64::MAX; MAX_WORDS],
            filter.words,
        );
        if matches!(filter.sort, Sort::Distance) && self.heap.len() >= self.keep {
            if let Some(worst) = self.heap.peek() {
                if surely_farther(distance.haversine(), worst.haversine) {
                    return;
                }
            }
        }
        let haversine = distance.haversine();
        let distance = distance.miles();
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
            haversine,
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
    pub(super) fn take_top(&mut self) -> Vec<Candidate> {
        let mut top = std::mem::take(&mut self.top);
        top.extend(std::mem::take(&mut self.heap).into_sorted_vec());
        top.sort_unstable();
        top
    }
}

/// Whether a document at estimated haversine `hav` is surely farther than
/// one at `than`, in miles as [`crate::geo::Leg::miles`] rounds them: a
/// billionth more haversine is half a billionth more angle, far above the
/// estimates' error ([`crate::geo::ESTIMATE_RELATIVE_ERROR`]) and that
/// rounding, short of the antipodes (where the square root's clamp makes
/// distances equal). False when either is unknown (NaN).
fn surely_farther(hav: f64, than: f64) -> bool {
    hav < 0.99 && hav > than * (1.0 + 1e-9)
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
