//! One module per page; each public function renders a whole document.

pub mod about;
pub mod error;
pub mod home;
pub mod program;
pub mod results;
