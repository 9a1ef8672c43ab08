//! Listings kept on disk in id order: an external sort, so a crawl never
//! holds a million listings at once.
//!
//! [`ListingSpill::push`] takes listings in any order and keeps them as
//! compact JSON in memory until [`SPILL_RUN_BYTES`] are held, then writes
//! them, sorted by id, to a temporary file (a run). [`ListingSpill::sorted`]
//! reads them back merged from every run, one listing at a time, in
//! ascending id order; listings with the same id come in the order they
//! were pushed (each is numbered by [`ListingSpill::push`], and runs are
//! written in push order). The run files are removed when the spill is
//! dropped.

use super::RecrawlError;
use iop_index::Listing;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Bytes of listing JSON held in memory before they are written out as one
/// sorted run: 64 MiB (about 40,000 listings of the national directory).
pub const SPILL_RUN_BYTES: usize = 64 << 20;

/// One listing as pushed: its id, its number in push order, its JSON.
struct Held {
    id: String,
    seq: u64,
    json: String,
}

/// Listings pushed in any order, read back in id order (see the module).
pub struct ListingSpill {
    dir: tempfile::TempDir,
    held: Vec<Held>,
    held_bytes: usize,
    runs: Vec<PathBuf>,
    pushed: u64,
    run_bytes: usize,
}

impl std::fmt::Debug for ListingSpill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingSpill")
            .field("dir", &self.dir.path())
            .field("pushed", &self.pushed)
            .field("runs", &self.runs.len())
            .finish()
    }
}

impl ListingSpill {
    /// An empty spill whose runs go to a new temporary directory inside
    /// `parent` (the data directory, so they sit on its disk, not in a
    /// memory-backed /tmp).
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn new_in(parent: &Path) -> Result<ListingSpill, RecrawlError> {
        std::fs::create_dir_all(parent).map_err(|source| RecrawlError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        let dir = tempfile::Builder::new()
            .prefix(".spill-")
            .tempdir_in(parent)
            .map_err(|source| RecrawlError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        Ok(ListingSpill {
            dir,
            held: Vec::new(),
            held_bytes: 0,
            runs: Vec::new(),
            pushed: 0,
            run_bytes: SPILL_RUN_BYTES,
        })
    }

    /// As [`ListingSpill::new_in`], writing a run every `bytes` bytes of
    /// JSON (tests use a small size to get many runs).
    pub fn with_run_bytes(mut self, bytes: usize) -> ListingSpill {
        self.run_bytes = bytes.max(1);
        self
    }

    /// How many listings were pushed.
    pub fn len(&self) -> u64 {
        self.pushed
    }

    /// Whether none was pushed.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// Add one listing.
    ///
    /// # Errors
    /// A run could not be written.
    pub fn push(&mut self, listing: &Listing) -> Result<(), RecrawlError> {
        let json = serde_json::to_string(listing).expect("listings serialize");
        self.held_bytes += json.len() + listing.id.len();
        self.held.push(Held {
            id: listing.id.clone(),
            seq: self.pushed,
            json,
        });
        self.pushed += 1;
        if self.held_bytes >= self.run_bytes {
            self.write_run()?;
        }
        Ok(())
    }

    fn write_run(&mut self) -> Result<(), RecrawlError> {
        // stable: listings of one id stay in push order
        self.held.sort_by(|a, b| a.id.cmp(&b.id));
        let path = self.dir.path().join(format!("run-{}", self.runs.len()));
        let io = |source| RecrawlError::Io {
            path: path.clone(),
            source,
        };
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io)?);
        for held in self.held.drain(..) {
            writeln!(out, "{}\t{}", held.seq, held.json).map_err(io)?;
        }
        out.flush().map_err(io)?;
        self.held_bytes = 0;
        self.held.shrink_to(1024);
        self.runs.push(path);
        Ok(())
    }

    /// Every listing pushed, in ascending id order (the same id in push
    /// order), each with its number in push order (from 0). Reads one
    /// listing per run at a time.
    ///
    /// # Errors
    /// The last run cannot be written or a run cannot be opened; reading
    /// errors come with the items.
    pub fn sorted(mut self) -> Result<SortedListings, RecrawlError> {
        if !self.held.is_empty() {
            self.write_run()?;
        }
        let mut heads = Vec::with_capacity(self.runs.len());
        for path in &self.runs {
            let file = File::open(path).map_err(|source| RecrawlError::Io {
                path: path.clone(),
                source,
            })?;
            let mut run = Run {
                path: path.clone(),
                reader: BufReader::with_capacity(256 << 10, file),
                line: String::new(),
            };
            let head = run.next()?;
            heads.push((run, head));
        }
        Ok(SortedListings {
            _dir: self.dir,
            heads,
        })
    }
}

/// One run being read: its next listing parsed.
struct Run {
    path: PathBuf,
    reader: BufReader<File>,
    line: String,
}

impl Run {
    fn next(&mut self) -> Result<Option<(u64, Listing)>, RecrawlError> {
        self.line.clear();
        let n = self
            .reader
            .read_line(&mut self.line)
            .map_err(|source| RecrawlError::Io {
                path: self.path.clone(),
                source,
            })?;
        if n == 0 {
            return Ok(None);
        }
        let (seq, json) = self
            .line
            .trim_end()
            .split_once('\t')
            .ok_or_else(|| RecrawlError::Spill(self.path.clone()))?;
        let seq = seq
            .parse()
            .map_err(|_| RecrawlError::Spill(self.path.clone()))?;
        let listing = serde_json::from_str(json).map_err(|source| RecrawlError::Json {
            path: self.path.clone(),
            source,
        })?;
        Ok(Some((seq, listing)))
    }
}

/// A spill read back in id order ([`ListingSpill::sorted`]): an iterator of
/// (number in push order, listing).
pub struct SortedListings {
    _dir: tempfile::TempDir,
    heads: Vec<(Run, Option<(u64, Listing)>)>,
}

impl Iterator for SortedListings {
    type Item = Result<(u64, Listing), RecrawlError>;

    fn next(&mut self) -> Option<Self::Item> {
        // runs are few (one per SPILL_RUN_BYTES): the smallest head by a
        // scan; on equal ids the earlier run, pushed first
        let mut best: Option<usize> = None;
        for (i, (_, head)) in self.heads.iter().enumerate() {
            let Some((_, listing)) = head else { continue };
            if best.is_none_or(|b| listing.id < self.heads[b].1.as_ref().expect("a head").1.id) {
                best = Some(i);
            }
        }
        let i = best?;
        let (run, head) = &mut self.heads[i];
        let next = match run.next() {
            Ok(next) => next,
            Err(e) => {
                *head = None;
                return Some(Err(e));
            }
        };
        std::mem::replace(head, next).map(Ok)
    }
}
