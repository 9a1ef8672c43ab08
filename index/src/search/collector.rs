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
    /// Each value's count (complete once [`Tally::settle`] has added the
    /// planes to it).
    pub(super) counts: Vec<u64>,
    /// The counts of the documents considered since the last settling.
    planes: CountPlanes,
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
            planes: CountPlanes::default(),
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
                let mask = &filter.group_masks[group];
                for (word, m) in bits.iter_mut().zip(mask) {
                    *word &= m;
                }
                self.count(&bits, filter.words);
            }
            return;
        }
        self.total += 1;
        if filter.total_only {
            return;
        }
        self.count(&bits, filter.words);
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

    /// One to the count of every value whose bit is set in the first
    /// `words` of `bits`.
    fn count(&mut self, bits: &[u64; MAX_WORDS], words: usize) {
        if self.planes.add(bits, words) {
            self.settle();
        }
    }

    /// Adds the planes' counts to [`Tally::counts`] and empties them: after
    /// the last document, before the counts are read.
    pub(super) fn settle(&mut self) {
        self.planes.drain_into(&mut self.counts);
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

/// Counts of up to `MAX_WORDS * 64` values kept as bit planes (vertical
/// counters): bit `b` of word `w` of plane `p` is bit `p` of the count of
/// value `w * 64 + b`. Adding a document's bits is a binary addition over
/// the planes, 64 values at once, with the carry rippling up only as far as
/// it goes (about two planes a word on average), where adding one to each
/// set bit's count was a loop over the document's 30-odd values.
#[derive(Default)]
struct CountPlanes {
    planes: [[u64; MAX_WORDS]; COUNT_PLANES],
    /// How many documents were added since the planes were last drained.
    added: u32,
}

/// Planes of a [`CountPlanes`]: counts up to 2^16 - 1 before they are drained.
const COUNT_PLANES: usize = 16;

impl CountPlanes {
    /// One to the count of every value whose bit is set in the first
    /// `words` of `bits`; true when the planes are full (drain them before
    /// the next).
    fn add(&mut self, bits: &[u64; MAX_WORDS], words: usize) -> bool {
        for (w, &word) in bits.iter().enumerate().take(words) {
            let mut carry = word;
            for plane in &mut self.planes {
                if carry == 0 {
                    break;
                }
                let next = plane[w] & carry;
                plane[w] ^= carry;
                carry = next;
            }
        }
        self.added += 1;
        self.added == (1 << COUNT_PLANES) - 1
    }

    /// Adds each value's count to `counts` (by value id) and empties the
    /// planes.
    fn drain_into(&mut self, counts: &mut [u64]) {
        if self.added == 0 {
            return;
        }
        for (p, plane) in self.planes.iter_mut().enumerate() {
            for (w, word) in plane.iter_mut().enumerate() {
                let mut set = std::mem::take(word);
                while set != 0 {
                    let b = set.trailing_zeros() as usize;
                    counts[w * 64 + b] += 1 << p;
                    set &= set - 1;
                }
            }
        }
        self.added = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The planes count what adding one per set bit counts: random bit sets
    /// of one to four words, past the planes' limit (drained when full, as
    /// the tally does), and nothing added at all.
    #[test]
    fn count_planes_count_every_set_bit() {
        let mut rng = fastrand::Rng::with_seed(0xc0_17);
        for (words, documents) in [(1, 1), (2, 300), (4, 70_000), (3, 0)] {
            let mut planes = CountPlanes::default();
            let mut counts = vec![0u64; MAX_WORDS * 64];
            let mut expected = vec![0u64; MAX_WORDS * 64];
            for _ in 0..documents {
                let mut bits = [0u64; MAX_WORDS];
                for word in bits.iter_mut().take(words) {
                    // sparse and dense words both
                    *word =
                        rng.u64(..) & rng.u64(..) & if rng.bool() { u64::MAX } else { rng.u64(..) };
                }
                // a value every document has: its count passes 2^16
                bits[0] |= 1;
                for (w, word) in bits.iter().enumerate().take(words) {
                    for b in 0..64 {
                        expected[w * 64 + b] += word >> b & 1;
                    }
                }
                if planes.add(&bits, words) {
                    planes.drain_into(&mut counts);
                }
            }
            planes.drain_into(&mut counts);
            assert_eq!(counts, expected, "{words} words, {documents} documents");
            assert_eq!(planes.added, 0);
        }
    }
}
