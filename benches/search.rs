//! In-process search benchmark (a plain program, no harness): index build time
//! and search latency for a fixed query mix, on the real national directory
//! and on synthetic directories spread like it (see
//! `examples/synthetic_directory.rs` and BENCHMARKS.md).
//!
//! ```sh
//! cargo bench --bench search                     # national + synthetic 100,000
//! IOP_BENCH_1M=1 cargo bench --bench search      # ... + synthetic 1,000,000 (minutes, ~GBs)
//! IOP_BENCH_QUERIES=500 cargo bench --bench search   # queries per class
//! ```
//!
//! The query mix, from a seeded splitmix64 (the same every run):
//! - `near`: `near=<ZIP>&radius=25`, the ZIP of a random real program (so
//!   places follow where programs are, as searches do);
//! - `near+facets`: the same plus 1 to 3 facet values of a random real
//!   program, each from a different group;
//! - `near+text`: the same plus `q=`: a vocabulary label or synonym of a
//!   value that occurs, the program's city, or a word (4+ letters) of the
//!   program's name (one third each);
//! - `browse`: no place, 1 or 2 facet values (sorted by name).
//!
//! Classes are interleaved in a fixed shuffled order; the first 10% of a run
//! warm up and are not timed again. Each timing is one whole
//! `SearchIndex::search` call plus dropping its results.
//!
//! Without `--bench` (`cargo test --benches`) it runs a smoke test: the national
//! directory, 20 queries per class.

// The example also sets the global allocator (mimalloc), as the binary does.
#[allow(dead_code)]
#[path = "../examples/synthetic_directory.rs"]
mod synthetic_directory;

use iop_index::indexing::build_in_ram;
use iop_index::{Listing, SearchIndex, SearchRequest, UnknownParams, Vocabulary};
use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};
use synthetic_directory::synthetic::{self, SplitMix64};

const QUERY_SEED: u64 = 0x5eed_0004;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Near,
    NearFacets,
    NearText,
    Browse,
}

impl Class {
    const ALL: [Class; 4] = [
        Class::Near,
        Class::NearFacets,
        Class::NearText,
        Class::Browse,
    ];

    fn name(self) -> &'static str {
        match self {
            Class::Near => "(a) near ZIP, 25 mi",
            Class::NearFacets => "(b) near + 1-3 facets",
            Class::NearText => "(c) near + text",
            Class::Browse => "(d) browse: 1-2 facets, no place",
        }
    }
}

/// Which pool a text query's words came from (for the breakdown of (c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TextKind {
    None,
    Vocabulary,
    City,
    NameWord,
}

impl TextKind {
    fn name(self) -> &'static str {
        match self {
            TextKind::None => "",
            TextKind::Vocabulary => "(c) ... q = vocabulary label/synonym",
            TextKind::City => "(c) ... q = the ZIP's city",
            TextKind::NameWord => "(c) ... q = a word of a name there",
        }
    }
}

struct Query {
    class: Class,
    text: TextKind,
    params: Vec<(String, String)>,
    request: SearchRequest,
}

/// What the query mix is drawn from: the real directory.
struct Pools {
    /// Real listings whose ZIP resolves: (ZIP, city, words of the name).
    anchors: Vec<(String, String, Vec<String>)>,
    /// Per real listing: its (group, value) pairs the vocabulary knows.
    facets: Vec<Vec<(String, String)>>,
    phrases: Vec<String>,
}

impl Pools {
    fn new(real: &[Listing]) -> Pools {
        let v = Vocabulary::get();
        let resolves =
            |zip: &str| SearchRequest::from_pairs([("near", zip)], UnknownParams::Refuse).is_ok();
        let anchors = real
            .iter()
            .filter(|l| resolves(&l.address.zip))
            .map(|l| {
                let words = l
                    .name
                    .split_whitespace()
                    .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase())
                    .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
                    .collect();
                (l.address.zip.clone(), l.address.city.clone(), words)
            })
            .collect();
        let facets: Vec<Vec<(String, String)>> = real
            .iter()
            .map(|l| {
                l.facets
                    .iter()
                    .flat_map(|(g, values)| values.iter().map(move |s| (g.clone(), s.clone())))
                    .filter(|(g, s)| v.lookup(g, s).is_some())
                    .collect::<Vec<_>>()
            })
            .filter(|f| !f.is_empty())
            .collect();
        // labels and synonyms of the values that occur in the real data
        let mut occurring = BTreeSet::new();
        for l in real {
            for (g, values) in &l.facets {
                for s in values {
                    if let Some(value) = v.lookup(g, s) {
                        occurring.insert(value.id);
                    }
                }
            }
        }
        let mut phrases = Vec::new();
        for id in occurring {
            let value = v.value(id);
            phrases.push(value.label.to_lowercase());
            phrases.extend(value.synonyms.iter().cloned());
        }
        Pools {
            anchors,
            facets,
            phrases,
        }
    }

    /// `n` facet pairs of one random real listing, from different groups.
    fn facet_pairs(&self, rng: &mut SplitMix64, n: usize) -> Vec<(String, String)> {
        let pairs = rng.pick(&self.facets);
        let mut chosen: Vec<(String, String)> = Vec::new();
        for _ in 0..n * 4 {
            if chosen.len() == n {
                break;
            }
            let pair = rng.pick(pairs);
            if !chosen.iter().any(|(g, _)| *g == pair.0) {
                chosen.push(pair.clone());
            }
        }
        chosen
    }

    fn query(&self, rng: &mut SplitMix64, class: Class) -> Query {
        let mut params: Vec<(String, String)> = Vec::new();
        let mut text = TextKind::None;
        // a real program: the place is its ZIP; text may be its city or a
        // word of its name
        let (zip, city, name_words) = rng.pick(&self.anchors);
        if class != Class::Browse {
            params.push(("near".into(), zip.clone()));
            params.push(("radius".into(), "25".into()));
        }
        match class {
            Class::Near => {}
            Class::NearFacets => {
                let n = 1 + rng.below(3);
                params.extend(self.facet_pairs(rng, n));
            }
            Class::NearText => {
                let (kind, q) = match rng.below(3) {
                    0 => (TextKind::Vocabulary, rng.pick(&self.phrases).clone()),
                    1 => (TextKind::City, city.clone()),
                    _ if !name_words.is_empty() => {
                        (TextKind::NameWord, rng.pick(name_words).clone())
                    }
                    _ => (TextKind::City, city.clone()),
                };
                text = kind;
                params.push(("q".into(), q));
            }
            Class::Browse => {
                let n = 1 + rng.below(2);
                params.extend(self.facet_pairs(rng, n));
            }
        }
        let request = SearchRequest::from_pairs(params.clone(), UnknownParams::Refuse)
            .unwrap_or_else(|e| panic!("benchmark query {params:?} is invalid: {e}"));
        Query {
            class,
            text,
            params,
            request,
        }
    }

    /// The fixed mix: `per_class` of each class, shuffled.
    fn mix(&self, per_class: usize) -> Vec<Query> {
        let mut rng = SplitMix64(QUERY_SEED);
        let mut queries: Vec<Query> = Class::ALL
            .iter()
            .flat_map(|&c| std::iter::repeat_n(c, per_class))
            .map(|c| self.query(&mut rng, c))
            .collect();
        for i in (1..queries.len()).rev() {
            let j = rng.below(i + 1);
            queries.swap(i, j);
        }
        queries
    }
}

struct Timing {
    micros: Vec<f64>,
    totals: Vec<usize>,
}

impl Timing {
    fn new() -> Timing {
        Timing {
            micros: Vec::new(),
            totals: Vec::new(),
        }
    }

    fn row(&mut self, label: &str) -> String {
        self.micros.sort_by(f64::total_cmp);
        let n = self.micros.len();
        let at = |p: f64| self.micros[((n as f64 * p).ceil() as usize).clamp(1, n) - 1];
        let mean = self.micros.iter().sum::<f64>() / n as f64;
        let matches = self.totals.iter().sum::<usize>() as f64 / n as f64;
        format!(
            "| {label} | {n} | {:.0} | {:.0} | {:.0} | {mean:.0} | {matches:.0} |",
            at(0.50),
            at(0.99),
            self.micros[n - 1]
        )
    }
}

fn time_queries(index: &SearchIndex, queries: &[Query]) -> Vec<(Duration, usize)> {
    queries
        .iter()
        .map(|q| {
            let started = Instant::now();
            let results = index
                .search(black_box(&q.request))
                .unwrap_or_else(|e| panic!("search {:?} failed: {e}", q.params));
            let total = results.total;
            black_box(&results);
            drop(results);
            (started.elapsed(), total)
        })
        .collect()
}

fn bench(label: &str, listings: Vec<Listing>, pools: &Pools, per_class: usize) {
    let count = listings.len();
    println!("\n## {label}: {count} listings\n");
    let started = Instant::now();
    let index = build_in_ram(listings).expect("index builds");
    let secs = started.elapsed().as_secs_f64();
    let (rss, hwm) = synthetic::memory_kib();
    println!(
        "build_in_ram: {secs:.2} s = {:.0} listings/s; process VmRSS {} MiB, VmHWM {} MiB (listings + in-RAM index)\n",
        count as f64 / secs,
        rss / 1024,
        hwm / 1024
    );
    let queries = pools.mix(per_class);
    // warm up: the first tenth of the mix, not counted
    let _ = time_queries(&index, &queries[..queries.len() / 10]);
    let started = Instant::now();
    let times = time_queries(&index, &queries);
    let wall = started.elapsed().as_secs_f64();
    let mut by_class: Vec<Timing> = Class::ALL.iter().map(|_| Timing::new()).collect();
    let mut by_text: Vec<(TextKind, Timing)> =
        [TextKind::Vocabulary, TextKind::City, TextKind::NameWord]
            .into_iter()
            .map(|k| (k, Timing::new()))
            .collect();
    let mut all = Timing::new();
    for (q, (elapsed, total)) in queries.iter().zip(times) {
        let us = elapsed.as_secs_f64() * 1e6;
        let class = Class::ALL
            .iter()
            .position(|&c| c == q.class)
            .expect("a class");
        for t in [&mut by_class[class], &mut all] {
            t.micros.push(us);
            t.totals.push(total);
        }
        if let Some((_, t)) = by_text.iter_mut().find(|(k, _)| *k == q.text) {
            t.micros.push(us);
            t.totals.push(total);
        }
    }
    println!("| query class | queries | p50 µs | p99 µs | max µs | mean µs | mean matches |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (class, timing) in Class::ALL.iter().zip(&mut by_class) {
        println!("{}", timing.row(class.name()));
    }
    for (kind, timing) in &mut by_text {
        if !timing.micros.is_empty() {
            println!("{}", timing.row(kind.name()));
        }
    }
    println!("{}", all.row("**all**"));
    println!(
        "\n{} queries in {wall:.2} s on one thread = {:.0} queries/s",
        queries.len(),
        queries.len() as f64 / wall
    );
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let shared = synthetic::shared_data_dir(None);
    let csv = synthetic::national_csv(&shared);
    if !csv.exists() {
        println!(
            "skipped: {} is absent (the national directory, and the synthetic directories made from it, live in ../shared/data)",
            csv.display()
        );
        return;
    }
    let real = synthetic::read_national(&shared).expect("the national directory reads");
    let pools = Pools::new(&real);
    let per_class = |default: usize| {
        std::env::var("IOP_BENCH_QUERIES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    if !benchmarking {
        bench("national (smoke test)", real, &pools, 20);
        return;
    }
    println!("# IOP Finder in-process search benchmark");
    println!(
        "\nquery mix seed {QUERY_SEED:#x}, synthetic seed {:#x}; per_page 20; one thread",
        synthetic::SEED
    );
    println!("load average at start: {}", load_average());
    bench("national", real.clone(), &pools, per_class(2000));
    let synthetic_100k = synthetic::generate(&real, 100_000, synthetic::SEED);
    bench("synthetic 100k", synthetic_100k, &pools, per_class(2000));
    if std::env::var("IOP_BENCH_1M").is_ok_and(|v| v == "1") {
        let synthetic_1m = synthetic::generate(&real, 1_000_000, synthetic::SEED);
        bench("synthetic 1M", synthetic_1m, &pools, per_class(500));
    } else {
        println!(
            "\n(synthetic 1M skipped: set IOP_BENCH_1M=1 to run it; it takes minutes and GBs)"
        );
    }
    println!(
        "\nload average at the end: {} (this benchmark alone makes about 1)",
        load_average()
    );
}

/// The 1, 5 and 15 minute load averages, to show whether the machine was quiet.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
