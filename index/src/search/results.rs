//! What a search returns: one page of [`Hit`]s, the total and the facet
//! counts of every group.

use crate::geo::Origin;
use crate::listing::Listing;
use crate::request::Sort;
use crate::vocabulary::{GroupId, ValueId};
use std::sync::Arc;

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The listing.
    pub listing: Arc<Listing>,
    /// Miles from the search's place (great-circle), when the search has one.
    pub distance_miles: Option<f64>,
    /// The text's BM25 relevance (0 without text or when the sort is not
    /// relevance).
    pub score: f32,
}

/// The count of one facet value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCount {
    /// The value.
    pub value: ValueId,
    /// How many results the value would have: every filter applied except those
    /// of its own group.
    pub count: u64,
    /// Whether the request selects it.
    pub selected: bool,
}

/// The counts of one facet group's values, in vocabulary order.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    /// The group.
    pub group: GroupId,
    /// Each value of the group with its count.
    pub values: Vec<ValueCount>,
}

/// What a search returns: one page of hits, the total and the facet counts.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// How many listings match (every page).
    pub total: usize,
    /// The page shown, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// The order in effect ([`SearchRequest::sort`](crate::SearchRequest::sort)).
    pub sort: Sort,
    /// The place the search is centred on, if any.
    pub origin: Option<Origin>,
    /// The page's results, in order.
    pub hits: Vec<Hit>,
    /// Every group, every value, in vocabulary order.
    pub facets: Vec<GroupCounts>,
}

impl SearchResults {
    /// How many pages the results fill (at least 1).
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }
}
