//! One module per page; each public function renders a whole document.

pub mod about;
pub mod compare;
pub mod error;
pub mod handout;
pub mod home;
pub mod program;
pub mod report;
pub mod results;
pub mod shortlist;
