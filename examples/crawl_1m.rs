//! A crawl of a million listings into a data directory that already holds a
//! million, for the memory benchmark (`bench/crawl-1m.sh`, BENCHMARKS.md
//! "Memory").
//!
//! ```sh
//! cargo run --release --example crawl_1m -- store --count 1000000 --data-dir /tmp/iop-crawl-1m
//! cargo run --release --example crawl_1m -- crawl --count 1000000 --data-dir /tmp/iop-crawl-1m
//! cargo run --release --example crawl_1m -- crawl --in-memory --count 1000000 --data-dir /tmp/iop-crawl-1m
//! ```
//!
//! `store` writes the synthetic directory of N programs
//! (`examples/synthetic_directory.rs`) as the listing store, in the order
//! it is generated (not by id: the crawl sorts it on disk before its first
//! merge). `crawl` crawls one source of N listings into it: the same
//! synthetic programs, of which every 10th has a new phone number, every
//! 100th is missing, and N/100 are new. The source streams: each listing
//! goes into a [`ListingSpill`] as it is generated, as a source that
//! spills would, then `iopfinder::crawl::reconcile_spilled` merges it with
//! the store, writes the store and the crawl state, and publishes the
//! index, exactly as `iopfinder crawl` does after reading its sources.
//! `--in-memory` does what the crawl did before the merge: the whole store,
//! the whole source and the whole state in memory, folded by the in-memory
//! `recrawl::reconcile`, then written and published.
//!
//! Prints each step's time and the process's peak memory (VmHWM).

#[allow(dead_code)]
#[path = "synthetic_directory.rs"]
mod synthetic_directory;

use anyhow::{Context, Result};
use clap::Parser;
use iop_crawler::recrawl::{self, ListingSpill, Outcome, SourceOutcome};
use iop_crawler::sources::{SourceCrawl, SourceKind};
use iop_index::{DataDir, Listing};
use iopfinder::crawl::{read_state, reconcile_spilled, write_state, SourceSpec};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use synthetic_directory::synthetic;

#[derive(Parser)]
#[command(about = "Crawl a million listings into a million-listing store")]
struct Args {
    /// `store` (write the store) or `crawl` (crawl the source into it).
    step: String,
    /// How many synthetic programs.
    #[arg(long, default_value_t = 1_000_000)]
    count: usize,
    /// The data directory.
    #[arg(long)]
    data_dir: PathBuf,
    /// The shared data directory holding samhsa-national-directory-2023/.
    #[arg(long)]
    shared: Option<PathBuf>,
    /// Crawl as before the merge: everything in memory.
    #[arg(long)]
    in_memory: bool,
}

/// The source: the store's programs, every 10th with a new phone, every
/// 100th missing, and `count / 100` new ones.
fn source(real: &[Listing], count: usize) -> impl Iterator<Item = Listing> + '_ {
    let extra = count / 100;
    synthetic::generated(real, count + extra, synthetic::SEED)
        .enumerate()
        .filter(move |(i, _)| *i >= count || i % 100 != 99)
        .map(|(i, mut listing)| {
            if i % 10 == 3 {
                listing.phone = Some(format!("555-{:03}-{:04}", i % 1000, i % 10_000));
            }
            listing
        })
}

fn main() -> Result<()> {
    let args = Args::parse();
    let shared = synthetic::shared_data_dir(args.shared.clone());
    let real = synthetic::read_national(&shared)?;
    let data = DataDir::new(&args.data_dir);
    let started = Instant::now();
    let today = time::OffsetDateTime::now_utc().date();
    match args.step.as_str() {
        "store" => {
            let n =
                data.write_listings_from(synthetic::generated(&real, args.count, synthetic::SEED))?;
            println!(
                "store: {n} listings written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        "crawl" if args.in_memory => {
            let stored = data.read_listings()?;
            let state = read_state(&data)?;
            let listings: Vec<Listing> = source(&real, args.count).collect();
            let outcome =
                SourceOutcome::new(SourceKind::Hsds, "synthetic", Outcome::Read(listings));
            let done = recrawl::reconcile(stored, state, vec![outcome], 3, today);
            data.write_listings(&done.listings)?;
            write_state(&data, &done.state)?;
            let tally = &done.sources[0];
            drop(done.listings);
            data.publish_store()?.context("the store is empty")?;
            println!(
                "crawl (in memory): new {}, changed {}, unchanged {}, missed {} in {:.1} s",
                tally.new,
                tally.changed,
                tally.unchanged,
                tally.missed,
                started.elapsed().as_secs_f64()
            );
        }
        "crawl" => {
            let mut spill = ListingSpill::new_in(data.root())?;
            for listing in source(&real, args.count) {
                spill.push(&listing)?;
            }
            let read = started.elapsed();
            let spec = SourceSpec {
                kind: SourceKind::Hsds,
                location: "synthetic".into(),
                delay: None,
                max_pages: None,
            };
            let report = reconcile_spilled(
                &data,
                vec![(spec, Ok((SourceCrawl::default(), spill)), Duration::ZERO)],
                3,
                today,
            )?;
            let s = &report.sources[0];
            println!(
                "crawl (merge): new {}, changed {}, unchanged {}, missed {}; {} listings published; source spilled in {:.1} s, all in {:.1} s",
                s.new,
                s.changed,
                s.unchanged,
                s.missed,
                report.listings,
                read.as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
        }
        other => anyhow::bail!("{other:?}: the steps are store and crawl"),
    }
    let (_, hwm) = synthetic::memory_kib();
    println!("peak memory: VmHWM {} MiB", hwm / 1024);
    Ok(())
}
