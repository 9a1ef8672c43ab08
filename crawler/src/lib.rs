//! # iop-crawler: from sources to normalized listings
//!
//! Each module of [`sources`] reads one kind of source into
//! [`normalize::SourceRecord`]s; [`normalize::normalize`] turns those into
//! [`iop_index::Listing`]s through the vocabulary; [`recrawl`] folds what
//! each crawl's sources say into the listing store and the crawl state (new,
//! changed, missed, withdrawn). This crate does not build or search the
//! index (that is `iop-index`), does not read or write the listing store or
//! the crawl state (that is the `iopfinder` binary) and renders nothing.
//!
//! [`extract`] reads a provider's page: the organization from its structured
//! data, facet values from its prose (each with the sentence that states it),
//! and its weekly schedule:
//!
//! ```
//! use iop_crawler::extract::extract;
//! use iop_index::Vocabulary;
//!
//! let page = r#"<html><head><title>Harbor Light IOP</title>
//!   <script type="application/ld+json">
//!   {"@type": "MedicalClinic", "name": "Harbor Light Recovery",
//!    "telephone": "(503) 555-0142"}
//!   </script></head>
//!   <body><h1>Adult Intensive Outpatient Program</h1>
//!   <p>Our program treats substance use disorders.</p>
//!   <p>Groups meet Monday, Wednesday and Thursday from 6:00 to 9:00 pm.</p>
//!   </body></html>"#;
//! let found = extract(page, Some("https://harborlight.example.org/"));
//!
//! let org = found.organization.expect("JSON-LD names the clinic");
//! assert_eq!(org.name.as_deref(), Some("Harbor Light Recovery"));
//! let vocabulary = Vocabulary::get();
//! let focus = vocabulary.lookup("focus", "substance-use").expect("in the vocabulary");
//! let fact = found.values.iter().find(|f| f.value == focus.id).expect("stated");
//! assert_eq!(fact.evidence, "Our program treats substance use disorders.");
//! assert_eq!(found.schedule.sessions.len(), 3);
//! ```

#![warn(missing_docs)]

pub mod extract;
pub mod fetch;
pub mod matching;
pub mod normalize;
pub use iop_index::phone;
pub mod recrawl;
pub mod site;
pub mod sources;
