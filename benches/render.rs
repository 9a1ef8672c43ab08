//! In-process rendering benchmark (a plain program, no harness): how long a
//! results page and a program page take to render, without HTTP, on the
//! real national directory, with the generation's prepared card parts and
//! `tel:` links as the server has them (see BENCHMARKS.md, issue 17's
//! request path).
//!
//! ```sh
//! cargo bench --bench render                     # national directory
//! IOP_BENCH_PAGES=2000 cargo bench --bench render   # pages per kind
//! ```
//!
//! The pages: the results page of `near=ZIP&radius=25&insurance=medicaid`
//! (the HTTP benchmark's search) for the ZIPs of programs picked by a seeded
//! splitmix64, searched once outside the timing; and the program page of
//! each of those programs. Each timing is one page rendered to its string
//! and dropped; the first tenth warms up. Without `--bench` (`cargo test
//! --benches`) it renders 20 pages of each kind as a smoke test.

// The example also sets the global allocator (mimalloc), as the binary does.
#[allow(dead_code)]
#[path = "../examples/synthetic_directory.rs"]
mod synthetic_directory;

use iop_index::indexing::build_in_ram;
use iop_index::request::Shortlist;
use iop_index::{Listing, SearchRequest, UnknownParams};
use iop_templates::{CardParts, Lang, SiteContext, TelLinks};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use synthetic_directory::synthetic::{self, SplitMix64};

const SEED: u64 = 0x5eed_0017;

/// The generation's prepared parts.
struct Ready {
    listings: Vec<Arc<Listing>>,
    cards: Vec<CardParts>,
    tels: Vec<TelLinks>,
}

fn main() {
    let timed = std::env::args().any(|a| a == "--bench");
    let shared = synthetic::shared_data_dir(None);
    if !synthetic::national_csv(&shared).exists() {
        println!(
            "skipped: {} is absent (the national directory lives in ../shared/data)",
            synthetic::national_csv(&shared).display()
        );
        return;
    }
    let pages = if timed {
        std::env::var("IOP_BENCH_PAGES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000)
    } else {
        20
    };
    let listings = synthetic::read_national(&shared).expect("the national directory reads");
    let index = build_in_ram(listings).expect("the index builds");
    let site = SiteContext {
        sample: false,
        listings: index.len(),
        built_at: "2026-12-01T08:00:00Z".to_string(),
        from_providers: 0,
        lang: Lang::En,
        path: "/search".to_string(),
        public_url: iop_templates::DEFAULT_PUBLIC_URL.to_string(),
    };
    // what the server prepares per generation (src/web/prepared.rs), in
    // name order as `SearchIndex::position` numbers the listings
    let ready = index
        .prepared(|listings| Ready {
            listings: listings.to_vec(),
            cards: listings.iter().map(|l| CardParts::of(&site, l)).collect(),
            tels: listings.iter().map(|l| TelLinks::of(l)).collect(),
        })
        .expect("the national directory's listings are held in memory");
    let (all, cards, tels) = (&ready.listings, &ready.cards, &ready.tels);
    let mut rng = SplitMix64(SEED);
    let mut searches = Vec::new();
    while searches.len() < pages {
        let listing = &all[(rng.next_u64() % all.len() as u64) as usize];
        let query = format!("near={}&radius=25&insurance=medicaid", listing.address.zip);
        let Ok(request) = SearchRequest::from_query_string(&query, UnknownParams::Refuse) else {
            continue;
        };
        let results = index.search(&request).expect("a search");
        if results.hits.is_empty() {
            continue;
        }
        searches.push((request, results));
    }
    let none = Shortlist::default();
    let results_times = time(&searches, |(request, results)| {
        let ready: Vec<Option<&CardParts>> = results
            .hits
            .iter()
            .map(|h| index.position(&h.listing.id).map(|at| &cards[at]))
            .collect();
        iop_templates::results_page_with_cards(&site, request, results, &none, None, &ready)
            .into_string()
            .len()
    });
    let programs: Vec<usize> = searches
        .iter()
        .filter_map(|(_, results)| index.position(&results.hits[0].listing.id))
        .collect();
    let program_times = time(&programs, |&at| {
        let site = SiteContext {
            path: format!("/programs/{}", all[at].id),
            ..site.clone()
        };
        iop_templates::program_page_with_tel(
            &site,
            &all[at],
            &tels[at],
            &none,
            iop_templates::DEFAULT_PUBLIC_URL,
            None,
            &[],
        )
        .into_string()
        .len()
    });
    println!("| page | pages | median µs | p90 µs | mean KB |");
    println!("|---|---:|---:|---:|---:|");
    for (name, (times, bytes)) in [
        ("results (near ZIP, 25 mi, Medicaid)", results_times),
        ("program", program_times),
    ] {
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            bytes as f64 / times.len() as f64 / 1024.0
        );
    }
}

/// Each item's page timed once (after a tenth of them warm up): the times
/// in µs, and the bytes rendered.
fn time<T>(items: &[T], render: impl Fn(&T) -> usize) -> (Vec<f64>, usize) {
    for item in &items[..items.len() / 10] {
        black_box(render(item));
    }
    let mut bytes = 0;
    let times = items
        .iter()
        .map(|item| {
            let start = Instant::now();
            bytes += black_box(render(item));
            micros(start.elapsed())
        })
        .collect();
    (times, bytes)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn percentile(times: &[f64], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
