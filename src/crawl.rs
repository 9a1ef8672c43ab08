//! The `crawl` command: sources -> normalized listings -> listing store -> a
//! new index generation.
//!
//! The listings of each source kind read in this crawl replace that kind's
//! listings in the store; other kinds' listings stay as they were. The store
//! and the index are replaced atomically, so a failed crawl leaves what is
//! being served untouched.

use anyhow::{bail, Context, Result};
use iop_crawler::sources;
use iop_index::{DataDir, Listing};
use std::fmt;

pub struct CrawlReport {
    pub per_source: Vec<(String, usize)>,
    pub total: usize,
    pub generation: String,
}

impl fmt::Display for CrawlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (source, n) in &self.per_source {
            writeln!(f, "{source}: {n} listings")?;
        }
        write!(
            f,
            "index {}: {} listings in all",
            self.generation, self.total
        )
    }
}

pub fn run(data: &DataDir, specs: &[String]) -> Result<CrawlReport> {
    let mut fresh: Vec<(String, Vec<Listing>)> = Vec::new();
    for spec in specs {
        let (kind, location) = spec.split_once('=').with_context(|| {
            format!("--source {spec:?}: write it as KIND=URL_OR_PATH, for example sample=embedded")
        })?;
        let listings = match kind {
            sources::sample::KIND => sources::sample::listings()?,
            sources::samhsa::KIND => {
                let directory = sources::samhsa::read_path(std::path::Path::new(location))?;
                let today = time::OffsetDateTime::now_utc().date();
                let crawl = sources::samhsa::listings(&directory, today);
                eprintln!(
                    "{location}: {} facility rows, {} intensive outpatient, {} duplicates merged, {} rejected",
                    crawl.rows,
                    crawl.iop_rows,
                    crawl.merged,
                    crawl.rejected.len()
                );
                for reason in crawl.rejected.iter().take(20) {
                    eprintln!("  rejected: {reason}");
                }
                crawl.listings
            }
            _ => bail!(
                "--source {spec:?}: unknown kind {kind:?}; the kinds are {}",
                sources::KINDS.join(", ")
            ),
        };
        fresh.push((kind.to_string(), listings));
    }
    seed_or_merge(data, fresh)
}

/// Replace the listings of each crawled kind in the store, then publish.
fn seed_or_merge(data: &DataDir, fresh: Vec<(String, Vec<Listing>)>) -> Result<CrawlReport> {
    let mut store = data.read_listings().context("reading the listing store")?;
    let crawled: Vec<&str> = fresh.iter().map(|(k, _)| k.as_str()).collect();
    store.retain(|l| !l.sources.iter().any(|s| crawled.contains(&s.kind.as_str())));
    let mut per_source = Vec::new();
    for (kind, listings) in &fresh {
        per_source.push((kind.clone(), listings.len()));
        store.extend(listings.iter().cloned());
    }
    data.write_listings(&store)
        .context("writing the listing store")?;
    let meta = data.publish(store).context("building the index")?;
    Ok(CrawlReport {
        per_source,
        total: meta.listings,
        generation: meta.generation,
    })
}

/// Seed an empty data directory from the embedded sample directory.
pub fn seed_sample(data: &DataDir) -> Result<CrawlReport> {
    seed_or_merge(
        data,
        vec![(
            sources::sample::KIND.to_string(),
            sources::sample::listings()?,
        )],
    )
}
