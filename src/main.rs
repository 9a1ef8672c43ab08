//! `iopfinder`: the command line of IOP Finder.
//!
//! - `serve`: the site and the JSON API, on the data directory's current index
//!   (seeded from the embedded sample directory when the directory is empty);
//! - `crawl`: read sources, normalize, update the listing store, publish a new
//!   index generation;
//! - `reindex`: rebuild the index from the listing store, without fetching;
//! - `extract`: what one provider page says, fact by fact, with evidence;
//! - `search`: the API's answer for scripts;
//! - `export`: every listing as JSON, or the directory as an HSDS 3.0 data
//!   package (`--format hsds --out DIR`);
//! - `reports`: read and close visitors' "report a problem" submissions.

/// mimalloc: indexing allocates many small strings on several threads, where
/// it is about 1.5x faster than the system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3): how long freed memory is kept
/// before it is returned to the OS, in ms (default 1000 in v3). The Rust bindings do
/// not name it; a test checks the number still means that option.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long the server's freed memory is kept before it goes back to the OS.
/// Not 1000 ms (mimalloc's default): a server holds its memory steady
/// (national directory under load: VmHWM 171 -> 137 MiB, BENCHMARKS.md). Not
/// 0 either: at 1,000,000 listings each API answer then faulted about 58 pages
/// back in (23 at 10 ms), and the page faults and purges were 9% of its
/// profile; the national directory's VmHWM stays under 150 MiB (issue 17).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Return freed memory to the OS soon ([`PURGE_DELAY_MS`]).
fn purge_freed_memory_soon() {
    // SAFETY: mi_option_set only stores an integer option; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

/// No transparent huge pages for the server's memory (`PR_SET_THP_DISABLE`,
/// prctl(2)): with memory returned soon, a results page's buffers (over
/// 64 KiB, in mimalloc's 4 MiB pages) were faulted in again on every page,
/// and with the kernel's THP "always" each fault zeroed a 2 MiB huge page
/// (`clear_page_erms`, 16% of the page's profile). Without them: national
/// directory VmHWM 230 -> 160 MiB and the results page about 20-40% faster
/// (BENCHMARKS.md, issue 17). mimalloc's own `allow_thp` option is read
/// when the process loads, before `main`, so the server asks the kernel.
/// Errors (a kernel without the call) are ignored: the setting is only
/// about speed and memory.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and only
    // sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use iop_crawler::fetch::FetcherConfig;
use iop_index::{DataDir, SearchRequest, UnknownParams};
use iopfinder::{crawl, extract, hsds, inbox, json, web};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "iopfinder",
    version,
    about = "IOP Finder: a directory and search engine for Intensive Outpatient Programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and the JSON API.
    Serve {
        /// Runtime data: the listing store and the index.
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Install index generations from this http(s) URL: a copy of a
        /// publishing data directory's `index/` (a static file server, an
        /// object store's public bucket, a CDN). Each new generation is
        /// downloaded into DATA_DIR, verified against the checksums in its
        /// generation.json, and swapped in; one that fails is not served.
        #[arg(long, value_name = "URL", env = "IOPFINDER_INDEX_FROM", value_parser = parse_index_url)]
        index_from: Option<reqwest::Url>,
        /// How often to look for a new generation, in seconds (default 1 in
        /// the data directory, 5 at --index-from).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        index_poll: Option<u64>,
        /// Where "report a problem" submissions are appended (reports.jsonl):
        /// a directory shared by every replica (default DATA_DIR/reports).
        #[arg(long, value_name = "DIR", env = "IOPFINDER_REPORTS_DIR")]
        reports_dir: Option<PathBuf>,
        /// Street tiles under the results map, from this OSM-style URL
        /// template (https://tile.example.org/{z}/{x}/{y}.png); the pages'
        /// Content-Security-Policy then allows images from its origin. Off
        /// by default: the map draws its embedded Census basemap and no page
        /// asks another origin for anything.
        #[arg(long, value_name = "URL_TEMPLATE", env = "IOPFINDER_MAP_TILES")]
        map_tiles: Option<String>,
        /// The credit the map's legend gives the tiles: the tile provider's
        /// required attribution, such as "© OpenStreetMap contributors"
        /// (default: the tile server's host name).
        #[arg(
            long,
            value_name = "TEXT",
            env = "IOPFINDER_MAP_TILES_CREDIT",
            default_value = ""
        )]
        map_tiles_credit: String,
        /// A reverse proxy in front of the server, as a CIDR or an address
        /// (repeatable, or comma-separated in the variable): "report a
        /// problem" then limits each client by the right-most address of
        /// X-Forwarded-For that is not a trusted proxy, instead of by the
        /// proxy's own address. Never name a network clients can post from.
        #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = parse_net,
              env = "IOPFINDER_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<ipnet::IpNet>,
        /// Memory for rendered answers, MiB: a search, program page, home
        /// or about page asked for again (same URL, Host and encoding)
        /// before the next index generation is sent from memory. 0 turns
        /// the cache off.
        #[arg(long, value_name = "MIB", env = "IOPFINDER_PAGE_CACHE_MB",
              default_value_t = 4, value_parser = clap::value_parser!(u64).range(0..=4096))]
        page_cache_mb: u64,
    },
    /// Fetch and normalize sources, then rebuild the index the server uses.
    ///
    /// Prints a report (and saves it as JSON under DATA_DIR/crawls/). Fails
    /// only when every source failed; a source that fails keeps its listings
    /// from the last good crawl.
    Crawl {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        #[arg(
            long = "source",
            required_unless_present = "sources_file",
            value_name = "KIND=URL_OR_PATH",
            help = source_help()
        )]
        sources: Vec<String>,
        /// A TOML file listing many sources, each `[[source]]` with `kind`,
        /// `location` and optional `delay_ms` and `max_pages`; read besides
        /// any `--source`.
        #[arg(long = "sources", value_name = "FILE")]
        sources_file: Option<PathBuf>,
        /// Withdraw a listing once it is missing from its source on this many
        /// consecutive crawls (until then it stays, with its old check dates).
        #[arg(long, default_value_t = crawl::DEFAULT_WITHDRAW_AFTER, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..))]
        withdraw_after: u32,
        /// The crawl's date, YYYY-MM-DD (default today, UTC): the check date
        /// recorded for what it reads. For replaying and tests.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<time::Date>,
        #[command(flatten)]
        fetch: FetchArgs,
        /// Crawl at most this many websites (each its own host) at once;
        /// each host still gets one request at a time, spaced by its delay.
        #[arg(long, default_value_t = crawl::DEFAULT_CONCURRENT_HOSTS as u64, value_name = "N",
              value_parser = clap::value_parser!(u64).range(1..=1024))]
        concurrent_hosts: u64,
    },
    /// Rebuild the index from the listing store, without fetching (after an
    /// upgrade, or to measure the build); a running server switches to it.
    Reindex {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Print, as JSON, what one provider page says: each fact with the
    /// sentence it came from, and the listing the page makes.
    Extract {
        /// A saved page (HTML file) or an http(s) URL.
        #[arg(value_name = "FILE_OR_URL", required_unless_present = "site")]
        target: Option<String>,
        /// Read a whole provider site from this URL, as a `website` crawl
        /// would, and print the listings it makes with every fact's page and
        /// sentence.
        #[arg(long, value_name = "URL", conflicts_with = "target")]
        site: Option<String>,
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Search the index and print the API's JSON answer.
    Search {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        /// The API's parameters as NAME=VALUE: near=95814 radius=10
        /// insurance=medicaid insurance=medicare q=evening sort=name page=2
        #[arg(value_name = "NAME=VALUE")]
        params: Vec<String>,
    },
    /// Print every listing of the directory as JSON, or write the directory
    /// as an Open Referral HSDS 3.0 data package (`--format hsds --out DIR`).
    Export {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        /// `json`: the listings as the directory shows them (a program
        /// that several sources list is one listing), printed; `hsds`: a
        /// tabular data package (datapackage.json + CSV) and JSON of the
        /// same, written to --out.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The directory an HSDS package is written to (created if missing).
        #[arg(long, value_name = "DIR", required_if_eq("format", "hsds"))]
        out: Option<PathBuf>,
    },
    /// Read and close visitors' "report a problem" submissions (newest
    /// first, with the listing each concerns and whether it changed since).
    Reports {
        #[arg(long, global = true, default_value = "./data")]
        data_dir: PathBuf,
        /// The reports directory `serve --reports-dir` writes to, when not
        /// DATA_DIR/reports (a directory shared by replicas).
        #[arg(long, global = true, value_name = "DIR", env = "IOPFINDER_REPORTS_DIR")]
        reports_dir: Option<PathBuf>,
        #[command(subcommand)]
        action: ReportsAction,
    },
}

#[derive(Subcommand)]
enum ReportsAction {
    /// The open reports, newest first (`--all`: the resolved ones too).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Everything report N says.
    Show {
        #[arg(value_name = "N")]
        number: usize,
    },
    /// Close report N, saying what was done.
    Resolve {
        #[arg(value_name = "N")]
        number: usize,
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Json,
    Hsds,
}

/// How the crawler may fetch (crawl and extract).
#[derive(clap::Args)]
struct FetchArgs {
    /// Allow fetching from this network although it is not public, as a CIDR
    /// (127.0.0.0/8) or an address (repeatable). By default private,
    /// loopback and link-local addresses are refused.
    #[arg(long = "allow-address", value_name = "CIDR", value_parser = parse_net)]
    allow_address: Vec<ipnet::IpNet>,
    /// Wait at least this long between requests to one host, in milliseconds
    /// (default 1000; a longer robots.txt Crawl-delay still applies).
    #[arg(long, value_name = "MS")]
    delay_ms: Option<u64>,
}

impl FetchArgs {
    fn config(&self) -> FetcherConfig {
        let mut config = FetcherConfig {
            allow: self.allow_address.clone(),
            ..FetcherConfig::default()
        };
        if let Some(ms) = self.delay_ms {
            config.min_delay = std::time::Duration::from_millis(ms);
        }
        config
    }
}

fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is not a network (127.0.0.0/8) or an address (127.0.0.1)"))
}

fn parse_index_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|e| {
        format!("{text:?} is not a URL ({e}); give the http(s) URL of a copy of index/, for example https://data.example.org/iopfinder/index/")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{text:?} is not an http or https URL; give the URL of a copy of index/, for example https://data.example.org/iopfinder/index/"
        ));
    }
    Ok(url)
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("{text:?} is not a date YYYY-MM-DD"))
}

fn source_help() -> String {
    format!(
        "A source as KIND=URL_OR_PATH (repeatable). The kinds: {}. \
         For example --source sample=embedded, or \
         --source samhsa-directory=national-directory-su-facilities-2023.xlsx",
        iop_crawler::sources::SourceKind::ALL
            .map(iop_crawler::sources::SourceKind::as_str)
            .join(", ")
    )
}

/// Write to stdout with `write`; a reader that went away (`iopfinder
/// export | head`) stops the command quietly, as Unix tools do.
fn print_out(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            // nothing more can be said on stdout; what was asked is done
            drop(out.into_parts());
            std::process::exit(0)
        }
        other => other.context("writing to standard output"),
    }
}

/// `value` as pretty JSON and a line end, through [`print_out`].
fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    print_out(|out| {
        serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
        writeln!(out)
    })
}

/// Threads of the server's blocking pool (searches, exports, page builds):
/// one per core for the searches and pages, plus the exports' places (the
/// site builds at most 4 at once), so that exports never hold every thread.
/// More runnable threads than cores made every request slower: at 1,000,000
/// listings 16 threads on 2 cores doubled the API's p99 and raised the load
/// average to 10 (BENCHMARKS.md, issue 17).
fn max_blocking_threads() -> usize {
    const EXPORTS: usize = 4;
    std::thread::available_parallelism().map_or(2, |n| n.get()) + EXPORTS
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve {
            data_dir,
            addr,
            index_from,
            index_poll,
            reports_dir,
            map_tiles,
            map_tiles_credit,
            trusted_proxy,
            page_cache_mb,
        } => {
            let map_tiles = map_tiles
                .map(|t| iop_templates::map::TileServer::new(&t, &map_tiles_credit))
                .transpose()
                .map_err(|e| anyhow::anyhow!("--map-tiles: {e}"))?;
            purge_freed_memory_soon();
            no_transparent_huge_pages();
            // The blocking pool runs searches, exports and page builds; its
            // threads are capped so that a flood of slow requests queues
            // instead of growing the process by a thread (and its
            // allocator's memory) per request: tokio's default allows 512.
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads(max_blocking_threads())
                .build()?;
            let options = web::ServeOptions {
                addr,
                index_from,
                poll: index_poll.map(std::time::Duration::from_secs),
                reports_dir,
                map_tiles,
                trusted_proxies: trusted_proxy,
                page_cache_bytes: page_cache_mb << 20,
            };
            runtime.block_on(web::serve(DataDir::new(data_dir), options))
        }
        Command::Crawl {
            data_dir,
            sources,
            sources_file,
            withdraw_after,
            today,
            fetch,
            concurrent_hosts,
        } => {
            let mut specs = crawl::parse_specs(&sources)?;
            if let Some(file) = &sources_file {
                specs.extend(crawl::read_sources_file(file)?);
            }
            let options = crawl::CrawlOptions {
                withdraw_after,
                fetcher: fetch.config(),
                today: today.unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
                progress: true,
                concurrent_hosts: usize::try_from(concurrent_hosts).unwrap_or(1),
            };
            let report = crawl::run(&DataDir::new(data_dir), &specs, &options)?;
            print_out(|out| writeln!(out, "{report}"))?;
            if report.all_failed() {
                anyhow::bail!("every source failed; what is served has not changed");
            }
            if report.totals.sources_failed > 0 {
                eprintln!(
                    "warning: {} of {} sources failed; their listings from the last good crawl were kept",
                    report.totals.sources_failed, report.totals.sources
                );
            }
            Ok(())
        }
        Command::Reindex { data_dir } => {
            let started = std::time::Instant::now();
            let meta = crawl::reindex(&DataDir::new(&data_dir))?;
            let secs = started.elapsed().as_secs_f64();
            print_out(|out| {
                writeln!(
                    out,
                    "published generation {}: {} listings in {secs:.2} s ({:.0} listings/s)",
                    meta.generation,
                    meta.listings,
                    meta.listings as f64 / secs
                )
            })
        }
        Command::Extract {
            target,
            site,
            fetch,
        } => {
            let out = match (site, target) {
                (Some(site), _) => extract::run_site(&site, fetch.config())?,
                (None, Some(target)) => extract::run(&target, fetch.config())?,
                (None, None) => anyhow::bail!("say what to read: a FILE_OR_URL or --site URL"),
            };
            print_json(&out)
        }
        Command::Search { data_dir, params } => {
            let data = DataDir::new(&data_dir);
            let generation = data.open_current().context("opening the index")?;
            let pairs = params
                .iter()
                .map(|p| {
                    p.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .with_context(|| {
                            format!("{p:?} is not NAME=VALUE (for example near=95814)")
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            let request = SearchRequest::from_pairs(pairs, UnknownParams::Refuse)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let results = generation.index.search(&request)?;
            print_json(&json::search(&results))
        }
        Command::Export {
            data_dir,
            format,
            out,
        } => {
            let data = DataDir::new(data_dir);
            // the directory as it is shown: matched programs merged (else
            // the store as it is, streamed)
            let shown = crawl::shown_listings(&data)?.map(|c| c.listings);
            match (format, out) {
                (ExportFormat::Hsds, Some(out)) => {
                    let created = time::OffsetDateTime::now_utc()
                        .replace_nanosecond(0)?
                        .format(&time::format_description::well_known::Rfc3339)?;
                    let info = hsds::package::PackageInfo { created };
                    let n = match &shown {
                        Some(listings) => hsds::package::write_listings(listings, &info, &out)?,
                        // streamed: a listing at a time from the store
                        None => hsds::package::write_store(&data, &info, &out)?,
                    };
                    println!(
                        "wrote {n} services as HSDS {} to {}",
                        hsds::VERSION,
                        out.display()
                    );
                }
                _ => match shown {
                    Some(listings) => print_json(&listings)?,
                    None => print_json(&data.read_listings()?)?,
                },
            }
            Ok(())
        }
        Command::Reports {
            data_dir,
            reports_dir,
            action,
        } => {
            let data = DataDir::new(data_dir);
            let dir = reports_dir.unwrap_or_else(|| inbox::reports_dir(&data));
            let out = match action {
                ReportsAction::List { all } => inbox::list(&data, &dir, all)?,
                ReportsAction::Show { number } => inbox::show(&data, &dir, number)?,
                ReportsAction::Resolve { number, note } => inbox::resolve(&dir, number, &note)?,
            };
            print_out(|stdout| writeln!(stdout, "{}", out.trim_end_matches('\n')))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_15_is_mimallocs_purge_delay() {
        // its default in mimalloc v3's options.c is 1000 ms; no other option
        // defaults to 1000
        // SAFETY: reads an integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_server_turns_transparent_huge_pages_off() {
        no_transparent_huge_pages();
        // SAFETY: reads this process's flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
