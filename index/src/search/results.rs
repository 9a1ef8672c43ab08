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
