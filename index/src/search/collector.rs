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
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// Lower sorts first.
    pub(super) key: f64,
    pub(super) ord: u64,
    pub(super) segment: SegmentOrdinal,
    pub(super) doc: DocId,
    pub(super) distance: f64,
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
    /// Count per value id; what [`Tally::consider`] counts is in `planes`
    /// until [`Tally::fold_counts`].
    pub(super) counts: Vec<u64>,
    /// Bit-sliced counters of the values counted by [`Tally::consider`]:
    /// bit `b` of `planes[k][w]` is bit `k` of value `w * 64 + b`'s count.
    /// Adding a document's bits is a carry through the planes (about two
    /// steps a word) instead of an increment per value it has.
    planes: Vec<[u64; MAX_WORDS]>,
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
            planes: Vec::new(),
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
            self.count_bits(&bits, &filter.group_masks[group], filter.words);
            return;
        }
        self.count_bits(&bits, &[u64::MAX; MAX_WORDS], filter.words);
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

    /// Add 1 to the count of every value in `bits & mask`.
    fn count_bits(&mut self, bits: &[u64; MAX_WORDS], mask: &[u64; MAX_WORDS], words: usize) {
        for w in 0..words {
            let mut carry = bits[w] & mask[w];
            let mut k = 0;
            while carry != 0 {
                if k == self.planes.len() {
                    self.planes.push([0; MAX_WORDS]);
                }
                let plane = &mut self.planes[k][w];
                let had = *plane;
                *plane ^= carry;
                carry &= had;
                k += 1;
            }
        }
    }

    /// Add what the bit-sliced counters hold to `counts` (and clear them).
    pub(super) fn fold_counts(&mut self) {
        for (k, plane) in std::mem::take(&mut self.planes).iter().enumerate() {
            for (w, &word) in plane.iter().enumerate() {
                let mut set = word;
                while set != 0 {
                    let b = set.trailing_zeros() as usize;
                    if let Some(count) = self.counts.get_mut(w * 64 + b) {
                        *count += 1 << k;
                    }
                    set &= set - 1;
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit-sliced counters count what an increment per value counts.
    #[test]
    fn bit_sliced_counts_are_the_plain_counts() {
        let mut rng = fastrand::Rng::with_seed(5);
        let values: usize = 200;
        let words = values.div_ceil(64);
        let mut tally = Tally::new(1, values);
        let mut plain = vec![0u64; values];
        for round in 0..5000 {
            let mut bits = [0u64; MAX_WORDS];
            let mut mask = [0u64; MAX_WORDS];
            for w in 0..words {
                bits[w] = rng.u64(..) & rng.u64(..);
                mask[w] = if round % 3 == 0 {
                    rng.u64(..)
                } else {
                    u64::MAX
                };
            }
            // the last word's bits past the last value stay clear
            bits[words - 1] &= (1 << (values % 64)) - 1;
            tally.count_bits(&bits, &mask, words);
            for (v, count) in plain.iter_mut().enumerate() {
                if bits[v / 64] & mask[v / 64] & (1 << (v % 64)) != 0 {
                    *count += 1;
                }
            }
            if round == 2500 {
                tally.fold_counts();
                assert_eq!(tally.counts, plain);
            }
        }
        tally.fold_counts();
        assert_eq!(tally.counts, plain);
        assert!(plain.iter().any(|&c| c > 1000));
    }
}
