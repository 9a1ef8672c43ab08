//! A synthetic directory of N programs "spread like real ones", published as
//! an index generation, for the benchmarks (see BENCHMARKS.md).
//!
//! ```sh
//! cargo run --release --example synthetic_directory -- --count 1000000 --data-dir /tmp/iop-1m
//! cargo run --release --example synthetic_directory -- --national --data-dir /tmp/iop-national
//! ```
//!
//! Every synthetic listing copies a random real listing of SAMHSA's 2023
//! national directory (facets, schedule, phones, provenance), gets a new id
//! and a name made from the original plus a number, and sits at another random
//! real listing's address and ZIP centroid plus up to 5 miles of jitter, so
//! the density of programs follows the real density and facet frequencies
//! follow the real frequencies. The choice is a fixed splitmix64 sequence:
//! the same N gives the same directory. Synthetic listings are marked
//! `sample` (the site says "not real programs") and their source kind is
//! `synthetic`.
//!
//! Writes the listing store one listing at a time as they are generated, then
//! publishes it (`DataDir::publish_store`: read the store for names and ids,
//! rank them, read it again into the tantivy index, switch `CURRENT`), as a
//! crawl does. Prints both times, the build in listings per second, and the
//! process's peak memory (`VmHWM`): no step holds all the listings.

use anyhow::{bail, Context, Result};
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

/// The allocator of the `iopfinder` binary (see src/main.rs), so timings and
/// memory here are the binary's. `benches/search.rs` includes this file and
/// gets it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Publish a synthetic directory of N programs spread like the real one")]
struct Args {
    /// How many synthetic programs.
    #[arg(long, conflicts_with = "national")]
    count: Option<usize>,
    /// Publish the real national directory itself (SAMHSA's 2023 edition).
    #[arg(long)]
    national: bool,
    /// The data directory to publish into (created when absent).
    #[arg(long)]
    data_dir: PathBuf,
    /// The shared data directory holding samhsa-national-directory-2023/.
    #[arg(long)]
    shared: Option<PathBuf>,
    /// Seed of the choice of programs and places.
    #[arg(long, default_value_t = synthetic::SEED)]
    seed: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.count.is_none() && !args.national {
        bail!("give --count N (synthetic programs) or --national (the real directory)");
    }
    let shared = synthetic::shared_data_dir(args.shared.clone());
    let started = Instant::now();
    let real = synthetic::read_national(&shared)?;
    eprintln!(
        "read {} real programs from {} in {:.1} s",
        real.len(),
        synthetic::national_csv(&shared).display(),
        started.elapsed().as_secs_f64()
    );
    let data = iop_index::DataDir::new(&args.data_dir);
    let started = Instant::now();
    let count = match args.count {
        Some(count) => data.write_listings_from(synthetic::generated(&real, count, args.seed)),
        None => data.write_listings_from(real.iter()),
    }
    .with_context(|| format!("writing the listing store in {}", args.data_dir.display()))?;
    let write_secs = started.elapsed().as_secs_f64();
    drop(real);
    let (rss_before, hwm_before) = synthetic::memory_kib();
    let started = Instant::now();
    let meta = data
        .publish_store()
        .with_context(|| format!("publishing {}", args.data_dir.display()))?
        .context("the listing store is empty")?;
    let secs = started.elapsed().as_secs_f64();
    let (rss, hwm) = synthetic::memory_kib();
    println!("data dir:      {}", args.data_dir.display());
    println!("generation:    {}", meta.generation);
    println!("listings:      {count}");
    println!(
        "store:         {write_secs:.2} s to generate and write listings.json ({} MiB)",
        std::fs::metadata(data.listings_path()).map_or(0, |m| m.len()) / (1024 * 1024)
    );
    println!(
        "publish:       {secs:.2} s = {:.0} listings/s (DataDir::publish_store)",
        count as f64 / secs
    );
    println!(
        "memory:        VmRSS before publish {} MiB (peak so far {} MiB), after {} MiB; peak VmHWM {} MiB",
        rss_before / 1024,
        hwm_before / 1024,
        rss / 1024,
        hwm / 1024
    );
    let index_dir = args.data_dir.join("index").join(&meta.generation);
    println!(
        "on disk:       {} MiB ({})",
        synthetic::dir_bytes(&index_dir) / (1024 * 1024),
        index_dir.display()
    );
    Ok(())
}

/// The synthetic directory, shared with `benches/search.rs`.
pub mod synthetic {
    use anyhow::{Context, Result};
    use iop_crawler::sources::samhsa;
    use iop_index::listing::stable_id;
    use iop_index::Listing;
    use std::path::{Path, PathBuf};

    pub const SEED: u64 = 0x10f_2022;

    /// Source kind of synthetic listings.
    pub const KIND: &str = "synthetic";

    /// Furthest a synthetic program sits from the ZIP centroid it copies.
    pub const JITTER_MILES: f64 = 5.0;

    /// splitmix64: small, fast, and the same everywhere.
    pub struct SplitMix64(pub u64);

    impl SplitMix64 {
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// Uniform in `0..n` (n > 0).
        pub fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }

        /// Uniform in [0, 1).
        pub fn unit(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    /// `given`, else `$IOP_SHARED_DATA`, else `../shared/data` beside the
    /// repository.
    pub fn shared_data_dir(given: Option<PathBuf>) -> PathBuf {
        given
            .or_else(|| std::env::var_os("IOP_SHARED_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
    }

    pub fn national_csv(shared: &Path) -> PathBuf {
        shared.join("samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx")
    }

    /// The real national directory's IOPs, as `iopfinder crawl` makes them.
    pub fn read_national(shared: &Path) -> Result<Vec<Listing>> {
        let path = national_csv(shared);
        let directory = samhsa::read_path(&path)
            .with_context(|| format!("reading the national directory {}", path.display()))?;
        let today = time::OffsetDateTime::now_utc().date();
        Ok(samhsa::listings(&directory, today).listings)
    }

    /// `count` synthetic listings spread like `real` (see the file's doc).
    pub fn generate(real: &[Listing], count: usize, seed: u64) -> Vec<Listing> {
        generated(real, count, seed).collect()
    }

    /// As [`generate`], one listing at a time.
    pub fn generated(
        real: &[Listing],
        count: usize,
        seed: u64,
    ) -> impl Iterator<Item = Listing> + '_ {
        let placed: Vec<&Listing> = real.iter().filter(|l| l.point.is_some()).collect();
        assert!(!placed.is_empty(), "no real listing has a location to copy");
        let mut rng = SplitMix64(seed);
        (0..count).map(move |i| {
            let template = rng.pick(real);
            let place = *rng.pick(&placed);
            let mut listing = template.clone();
            listing.id = stable_id(KIND, &format!("{i}"));
            listing.name = format!("{} {}", template.name, i + 1);
            listing.address = place.address.clone();
            let mut point = place.point.expect("placed listings have a point");
            // uniform over a disc of JITTER_MILES around the centroid
            let r = JITTER_MILES * rng.unit().sqrt();
            let theta = std::f64::consts::TAU * rng.unit();
            let miles_per_degree = 69.0;
            point.lat = (point.lat + r * theta.cos() / miles_per_degree).clamp(-89.9, 89.9);
            point.lon += r * theta.sin() / (miles_per_degree * point.lat.to_radians().cos());
            listing.point = Some(point);
            for source in &mut listing.sources {
                source.kind = KIND.to_string();
                source.title = format!(
                    "Synthetic benchmark directory (copied from {})",
                    source.title
                );
                source.url = None;
                source.record = Some(format!("synthetic {i}"));
            }
            listing.sample = true;
            listing
        })
    }

    /// (VmRSS, VmHWM) of this process in KiB; zeros where /proc is absent.
    pub fn memory_kib() -> (u64, u64) {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Total size of the files under `dir`.
    pub fn dir_bytes(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
}
