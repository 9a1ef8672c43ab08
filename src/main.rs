//! `iopfinder`: the command line of IOP Finder.
//!
//! - `serve`: the site and the JSON API, on the data directory's current index
//!   (seeded from the embedded sample directory when the directory is empty);
//! - `crawl`: read sources, normalize, update the listing store, publish a new
//!   index generation;
//! - `search`: the API's answer for scripts;
//! - `export`: every listing as JSON.

mod crawl;
mod json;
mod web;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use iop_index::{DataDir, SearchRequest, UnknownParams};
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
    },
    /// Fetch and normalize sources, then rebuild the index the server uses.
    Crawl {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        /// A source as KIND=URL_OR_PATH (repeatable). Kinds: sample (the
        /// embedded sample directory: `--source sample=embedded`).
        #[arg(long = "source", required = true, value_name = "KIND=URL_OR_PATH")]
        sources: Vec<String>,
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
    /// Print every listing in the store as JSON.
    Export {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { data_dir, addr } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(web::serve(DataDir::new(data_dir), addr))
        }
        Command::Crawl { data_dir, sources } => {
            let report = crawl::run(&DataDir::new(data_dir), &sources)?;
            println!("{report}");
            Ok(())
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
            println!("{}", serde_json::to_string_pretty(&json::search(&results))?);
            Ok(())
        }
        Command::Export { data_dir } => {
            let listings = DataDir::new(data_dir).read_listings()?;
            println!("{}", serde_json::to_string_pretty(&listings)?);
            Ok(())
        }
    }
}
