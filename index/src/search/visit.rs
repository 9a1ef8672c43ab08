//! Visiting candidates: a place and/or text search walks the documents
//! within the radius or those the text matches (whichever side is smaller
//! drives); a browse reads counts from the per-value bit sets and the page
//! from the name order. Each candidate goes to the [`Tally`].

use super::collector::{Candidate, Distance, Filter, Tally};
use super::SearchIndex;
use crate::columns::{and_count, Near};
use crate::vocabulary::{GroupId, Vocabulary};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, DocSet, SegmentOrdinal, TERMINATED};

/// The distance of a search without a place.
const NOWHERE: Distance = Distance::Miles(0.0);

impl SearchIndex {
    /// A place and/or text search: visit the documents within the radius (the
    /// spatial order), or those the text matches, or both (the place's
    /// documents in doc order, each looked up in the text matches by seeking).
    pub(super) fn scan(
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
                            leg,
                        } = near;
                        let distance = Distance::Leg(leg);
                        tally.consider(filter, segment_ord, doc, ord, bits, distance, 0.0);
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
                                let distance = Distance::Miles(miles);
                                tally.consider(
                                    filter,
                                    segment_ord,
                                    doc,
                                    ord,
                                    bits,
                                    distance,
                                    score,
                                );
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
                        leg,
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
                            let distance = Distance::Leg(leg);
                            tally.consider(filter, segment_ord, doc, ord, bits, distance, score);
                        }
                    }
                }
                (None, Some(mut scorer)) => {
                    let mut doc = scorer.doc();
                    while doc != TERMINATED {
                        if columns.is_alive(doc) {
                            let score = if scoring { scorer.score() } else { 0.0 };
                            let (ord, bits) = columns.row(doc);
                            tally.consider(filter, segment_ord, doc, ord, bits, NOWHERE, score);
                        }
                        doc = scorer.advance();
                    }
                }
                (None, None) => {
                    for doc in 0..columns.ord.len() as DocId {
                        if columns.is_alive(doc) {
                            let (ord, bits) = columns.row(doc);
                            tally.consider(filter, segment_ord, doc, ord, bits, NOWHERE, 0.0);
                        }
                    }
                }
            }
        }
        tally.settle();
        Ok(tally)
    }

    /// A browse (no place, no text): counts from the per-value bit sets, and
    /// the first results in name order (`ord`), read until the page is full.
    pub(super) fn browse(&self, filter: &Filter, values: usize) -> Tally {
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
                    haversine: f64::NAN,
                    score: 0.0,
                });
            }
        }
        tally
    }
}
