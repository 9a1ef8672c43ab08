//! Components shared by the pages, one module per job:
//!
//! - `frame`: the crisis line, the sample banner, small tags and links;
//! - `search_form`: the search form and the filter checkboxes;
//! - `facets`: the facet sidebar, filter chips, sort links and pagination;
//! - `card`: the program card;
//! - `facts`: fact rows with their sources, labels and values.

mod card;
mod facets;
mod facts;
mod frame;
mod search_form;

pub(crate) use card::program_card;
pub use card::CardParts;
pub(crate) use facets::{active_filters, facet_sidebar, filter_chips, pagination, sort_links};
pub(crate) use facts::{
    accepting, fact_row, fact_source, group_label, group_source, hours_a_week, labels_markup,
    reported, yes_no,
};
pub(crate) use frame::{
    coverage_note, crisis_line, not_reported, phone_link, phone_link_to, programs, sample_banner,
    sample_tag, QUOTE,
};
pub(crate) use search_form::{filter_fieldset, hidden_filters, search_form, FormValues};
