//! The data directory: the listing store and the published index generations.
//!
//! ```text
//! DATA_DIR/
//!   listings.json          the listing store: every listing, as the crawler left it
//!   index/
//!     CURRENT              the name of the generation being served
//!     g-20261124T193000-1/ one index generation, never changed once published:
//!       tantivy files (the listings in its doc store), generation.json (what
//!       the generation is, and the size and SHA-256 of each of its other files)
//! ```
//!
//! The crawl command also keeps `crawl-state.json` (each listing's first and
//! last sighting, last change and misses) and `crawls/*.json` (one report per
//! crawl).
//!
//! Publishing from the store ([`DataDir::publish_store`]) reads `listings.json`
//! twice, one listing at a time: first only names and ids, for each listing's
//! rank in name order, then each whole listing into the index. Memory stays
//! bounded by the index writer's budget, not by the number of listings.
//!
//! Publishing builds a new generation in a temporary directory, renames it into
//! place, then replaces `CURRENT` by an atomic rename. A reader therefore sees
//! the old generation or the new one, never a half-built one, and a failed or
//! interrupted build leaves the served generation untouched. Servers poll
//! `CURRENT` and swap to the new generation without a restart.
//!
//! Because a generation never changes and lists its files with their
//! checksums, `index/` can be copied as it is to any static HTTP location
//! (a file server, an object store's public bucket, a CDN); a server started
//! with `--index-from URL` downloads each new generation into its own data
//! directory and installs it ([`DataDir::install_generation`]) only once every
//! file matches its checksum.
//! After a publish, the generations kept are the new one and the one
//! `CURRENT` named just before the switch (a server may still be answering
//! from it); every other generation goes, including one a killed publish
//! renamed into place but never made current. Temporary files of writers
//! that are gone (`.listings.json.tmp-PID`, `index/.CURRENT.tmp-PID`...,
//! PID no longer running) are removed by [`DataDir::remove_stale_temporaries`],
//! which the crawl and the server call when they start.

use crate::indexing::{build_in_dir, name_order, open_dir, order_key, StoredListing};
use crate::listing::Listing;
use crate::search::SearchIndex;
use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Why the data directory could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file of the data directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The listing store is not valid listing JSON.
    #[error("{path}: not valid listing JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// tantivy could not build or open an index.
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The data directory has no current generation yet.
    #[error(
        "{0} has no published index: run `iopfinder crawl` or `iopfinder serve` to create one"
    )]
    NoIndex(PathBuf),
    /// A generation's files do not match the checksums of its
    /// `generation.json` (or it has none, or names a file outside itself).
    #[error("generation {generation} is not installed: {problem}")]
    Unverified {
        /// The generation's name.
        generation: String,
        /// What does not match, as people read it.
        problem: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Facts about one index generation, shown on the about page and `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationMeta {
    /// The generation's name (`g-...`).
    pub generation: String,
    /// RFC 3339 time the generation was built.
    pub built_at: String,
    /// How many listings the generation holds.
    pub listings: usize,
    /// True when any listing is from the embedded sample directory.
    pub sample: bool,
    /// Each source's share of the listings, in source order.
    pub sources: Vec<SourceSummary>,
}

impl GenerationMeta {
    /// How many listings have facts from providers' own websites or local
    /// directories (sources of kind `website` or `hsds`): where programs for
    /// mental health only come from, SAMHSA's files listing substance use
    /// programs alone. A listing with facts from both kinds counts twice.
    pub fn from_providers(&self) -> usize {
        self.sources
            .iter()
            .filter(|s| matches!(s.kind.as_str(), "website" | "hsds"))
            .map(|s| s.listings)
            .sum()
    }
}

/// One source's share of a generation, for the about page's sources table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSummary {
    /// The source kind (`samhsa-directory`, `website`, `sample`, ...).
    pub kind: String,
    /// The source's title as people read it.
    pub title: String,
    /// The source's own date ([`crate::listing::Source::edition`]), the
    /// newest its listings give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// The source's public page, when its listings give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How many listings have facts from this source.
    pub listings: usize,
    /// Oldest and newest check dates of the source's facts, "YYYY-MM-DD".
    pub oldest_check: Option<String>,
    /// See `oldest_check`.
    pub newest_check: Option<String>,
}

/// The name of the file in each generation's directory that says what the
/// generation is ([`GenerationManifest`]).
pub const GENERATION_FILE: &str = "generation.json";

/// One file of a published generation, as `generation.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChecksum {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lowercase hex (64 characters).
    pub sha256: String,
}

/// `generation.json`: the generation's facts ([`GenerationMeta`], at the top
/// level of the object) and every other file of the generation's directory,
/// by its path relative to the directory (`/`-separated), with its size and
/// SHA-256. `files` is empty in generations published before checksums were
/// kept; those open locally but are never installed from elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationManifest {
    /// The generation's facts.
    #[serde(flatten)]
    pub meta: GenerationMeta,
    /// Every other file of the generation: path -> size and SHA-256.
    #[serde(default)]
    pub files: BTreeMap<String, FileChecksum>,
}

/// Whether `name` can be a generation's name: `g-` then ASCII letters,
/// digits, `-`, `_` or `.` (never `..`), at most 100 characters. Names read
/// from elsewhere (a remote `CURRENT`) are checked with it before they become
/// a path.
pub fn is_generation_name(name: &str) -> bool {
    name.len() > 2 && name.len() <= 100 && name.starts_with("g-") && is_safe_component(name)
}

/// Whether `path` can name a file inside a generation: `/`-separated
/// components of ASCII letters, digits, `-`, `_` or `.`, none of them `.` or
/// `..`, and not `generation.json` itself.
pub fn is_generation_file_path(path: &str) -> bool {
    path != GENERATION_FILE && path.len() <= 400 && path.split('/').all(is_safe_component)
}

fn is_safe_component(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && !part.contains("..")
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Size and SHA-256 of the file at `path`, read 1 MiB at a time.
pub fn checksum_file(path: &Path) -> Result<FileChecksum, StoreError> {
    let mut file = fs::File::open(path).map_err(io_err(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = io::Read::read(&mut file, &mut buffer).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(FileChecksum {
        bytes,
        sha256: hex(&hasher.finalize()),
    })
}

/// The checksum of every file under `dir` except its `generation.json`;
/// each is also made readable by all (tantivy writes some files owner-only),
/// so a static file server can serve a copy of `index/`.
fn checksum_generation_files(dir: &Path) -> Result<BTreeMap<String, FileChecksum>, StoreError> {
    let mut files = BTreeMap::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        for entry in fs::read_dir(&path).map_err(io_err(&path))? {
            let entry = entry.map_err(io_err(&path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            let entry_path = entry.path();
            let kind = entry.file_type().map_err(io_err(&entry_path))?;
            if kind.is_dir() {
                pending.push((entry_path, format!("{relative}/")));
            } else if relative != GENERATION_FILE {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    fs::set_permissions(&entry_path, fs::Permissions::from_mode(0o644))
                        .map_err(io_err(&entry_path))?;
                }
                files.insert(relative, checksum_file(&entry_path)?);
            }
        }
    }
    Ok(files)
}

/// Check that the generation in `dir` is whole: its `generation.json` lists
/// files, every listed path stays inside `dir`, and every file has the size
/// and SHA-256 listed. Answers the manifest.
pub fn verify_generation_dir(dir: &Path) -> Result<GenerationManifest, StoreError> {
    let manifest_path = dir.join(GENERATION_FILE);
    let bytes = fs::read(&manifest_path).map_err(io_err(&manifest_path))?;
    let manifest: GenerationManifest =
        serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
            path: manifest_path,
            source,
        })?;
    let unverified = |problem: String| StoreError::Unverified {
        generation: manifest.meta.generation.clone(),
        problem,
    };
    if !is_generation_name(&manifest.meta.generation) {
        return Err(unverified(format!(
            "{:?} is not a generation name",
            manifest.meta.generation
        )));
    }
    if manifest.files.is_empty() {
        return Err(unverified(format!(
            "its {GENERATION_FILE} lists no files with checksums (published by an older version: publish it again)"
        )));
    }
    for (path, expected) in &manifest.files {
        if !is_generation_file_path(path) {
            return Err(unverified(format!(
                "{path:?} is not a path inside a generation"
            )));
        }
        let actual = match checksum_file(&dir.join(path)) {
            Ok(actual) => actual,
            Err(e) => return Err(unverified(format!("{path}: {e}"))),
        };
        if actual.bytes != expected.bytes {
            return Err(unverified(format!(
                "{path} has {} bytes, {} expected",
                actual.bytes, expected.bytes
            )));
        }
        if !actual.sha256.eq_ignore_ascii_case(&expected.sha256) {
            return Err(unverified(format!(
                "{path} has SHA-256 {}, {} expected",
                actual.sha256, expected.sha256
            )));
        }
    }
    Ok(manifest)
}

/// An opened generation: the index and what it is.
pub struct Generation {
    /// The generation's facts (`generation.json`).
    pub meta: GenerationMeta,
    /// Its search index, opened.
    pub index: SearchIndex,
    /// [`GenerationMeta::built_at`] read once (the Unix epoch when it is
    /// not RFC 3339): every page's `Last-Modified` starts from it.
    pub built: std::time::SystemTime,
    /// [`GenerationMeta::from_providers`] counted once (every page's
    /// coverage note reads it).
    pub from_providers: usize,
}

/// A data directory: `listings.json` (the listing store), `index/` (the
/// published generations, one directory each, and `CURRENT`, which names the
/// current one), and the crawl's state and reports beside them.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `root` (nothing is read or created yet).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The data directory's path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The listing store's path: `root/listings.json`.
    pub fn listings_path(&self) -> PathBuf {
        self.root.join("listings.json")
    }

    /// The crawler's memory of each listing between crawls (its format is
    /// `iop_crawler::recrawl::CrawlState`'s; the `crawl` command reads and
    /// writes it).
    pub fn crawl_state_path(&self) -> PathBuf {
        self.root.join("crawl-state.json")
    }

    /// Where each crawl's report is saved, one JSON file per crawl.
    pub fn crawl_reports_dir(&self) -> PathBuf {
        self.root.join("crawls")
    }

    /// Save a crawl report as `crawls/{name}.json` (atomically); answers its path.
    pub fn save_crawl_report(&self, name: &str, json: &[u8]) -> Result<PathBuf, StoreError> {
        let dir = self.crawl_reports_dir();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let path = dir.join(format!("{name}.json"));
        write_atomically(&path, json)?;
        Ok(path)
    }

    fn index_root(&self) -> PathBuf {
        self.root.join("index")
    }

    fn current_path(&self) -> PathBuf {
        self.index_root().join("CURRENT")
    }

    /// The listing store; empty when there is none yet.
    pub fn read_listings(&self) -> Result<Vec<Listing>, StoreError> {
        let path = self.listings_path();
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Json { path, source })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Replace the listing store atomically.
    pub fn write_listings(&self, listings: &[Listing]) -> Result<(), StoreError> {
        self.write_listings_from(listings.iter()).map(|_| ())
    }

    /// Replace the listing store atomically with listings written one at a
    /// time as they come (none held in memory here); answers how many.
    pub fn write_listings_from<L: Borrow<Listing>>(
        &self,
        listings: impl Iterator<Item = L>,
    ) -> Result<usize, StoreError> {
        fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let path = self.listings_path();
        let mut count = 0;
        // one listing a line: a JSON array any reader takes, which
        // `for_each_stored` also reads a line at a time
        write_atomically_with(&path, |out| {
            out.write_all(b"[\n")?;
            for listing in listings {
                if count > 0 {
                    out.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut *out, listing.borrow())?;
                count += 1;
            }
            out.write_all(b"\n]\n")
        })?;
        Ok(count)
    }

    /// Replace the listing store atomically with `listings`, written one at
    /// a time as they come, if every item is `Ok`: the first `Err` stops
    /// the write, leaves the store as it was and is answered as the inner
    /// error. Otherwise answers how many were written.
    ///
    /// # Errors
    /// The store cannot be written (the outer error).
    pub fn try_write_listings_from<L: Borrow<Listing>, E>(
        &self,
        listings: impl Iterator<Item = Result<L, E>>,
    ) -> Result<Result<usize, E>, StoreError> {
        fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let path = self.listings_path();
        let mut count = 0;
        let mut stopped = None;
        let written = write_atomically_with(&path, |out| {
            out.write_all(b"[\n")?;
            for listing in listings {
                let listing = match listing {
                    Ok(listing) => listing,
                    Err(e) => {
                        stopped = Some(e);
                        return Err(io::Error::other("stopped"));
                    }
                };
                if count > 0 {
                    out.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut *out, listing.borrow())?;
                count += 1;
            }
            out.write_all(b"\n]\n")
        });
        match (written, stopped) {
            (_, Some(e)) => Ok(Err(e)),
            (Ok(()), None) => Ok(Ok(count)),
            (Err(e), None) => Err(e),
        }
    }

    /// Call `each` with every item of the listing store, parsed as `T` (a
    /// [`Listing`], or a struct of some of its fields), one at a time in the
    /// store's order; answers how many there were (0 when there is no
    /// store). A store that is not a JSON array of listings is
    /// [`StoreError::Json`]; an error of `each` stops the reading and is
    /// answered.
    pub fn for_each_in_store<T: DeserializeOwned>(
        &self,
        mut each: impl FnMut(T) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let path = self.listings_path();
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(StoreError::Io { path, source: e }),
        };
        self.for_each_stored(&file, |item, _| each(item))
    }

    /// Call `each` with every listing of the store `file` from its start,
    /// one at a time, and the line it was read from when the store has one
    /// listing a line (as [`DataDir::write_listings_from`] writes it; other
    /// JSON arrays are parsed as a stream). Answers how many there were.
    fn for_each_stored<T: DeserializeOwned>(
        &self,
        mut file: &fs::File,
        mut each: impl FnMut(T, Option<&[u8]>) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let path = self.listings_path();
        let json_err = |source| StoreError::Json {
            path: path.clone(),
            source,
        };
        file.seek(SeekFrom::Start(0)).map_err(io_err(&path))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = Vec::new();
        let mut count = 0;
        reader.read_until(b'\n', &mut line).map_err(io_err(&path))?;
        if line.trim_ascii() == b"[" {
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).map_err(io_err(&path))? == 0 {
                    break; // no closing bracket: the parse below says so
                }
                let element = line.trim_ascii_end();
                let element = element.strip_suffix(b",").unwrap_or(element);
                if element.trim_ascii() == b"]" && count > 0 {
                    return Ok(count);
                }
                match serde_json::from_slice::<T>(element) {
                    Ok(item) => {
                        each(item, Some(element))?;
                        count += 1;
                    }
                    // not one listing a line (an empty or pretty-printed
                    // array): parsed as a stream below
                    Err(_) if count == 0 => break,
                    Err(e) => return Err(json_err(e)),
                }
            }
            if count > 0 {
                // lines ran out before the closing bracket
                return Err(json_err(serde::de::Error::custom(format!(
                    "the store ends after {count} listings, before its closing ]"
                ))));
            }
        }
        file.seek(SeekFrom::Start(0)).map_err(io_err(&path))?;
        let mut stopped = None;
        let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
        let visitor = EachElement {
            each: |item| each(item, None),
            stopped: &mut stopped,
            count: 0,
            item: PhantomData,
        };
        let parsed = de.deserialize_seq(visitor).and_then(|count| {
            de.end()?;
            Ok(count)
        });
        match (parsed, stopped) {
            (_, Some(e)) => Err(e),
            (Ok(count), None) => Ok(count),
            (Err(source), None) => Err(json_err(source)),
        }
    }

    /// The name of the generation being served, if any.
    pub fn current_generation(&self) -> Result<Option<String>, StoreError> {
        let path = self.current_path();
        match fs::read_to_string(&path) {
            Ok(name) => Ok(Some(name.trim().to_string()).filter(|n| !n.is_empty())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Build a new generation from `listings` and make it current.
    pub fn publish(&self, listings: Vec<Listing>) -> Result<GenerationMeta, StoreError> {
        let ords = name_order(
            listings
                .iter()
                .map(|l| order_key(&l.name, l.program_name.as_deref(), &l.id))
                .collect(),
        );
        self.publish_with(|dir, tally| {
            for listing in &listings {
                tally.add(listing);
            }
            build_in_dir(dir, ords.into_iter().zip(&listings))?;
            Ok(())
        })
    }

    /// Build a new generation from the listing store and make it current,
    /// reading the store one listing at a time (see the module's doc); `None`
    /// when the store is absent or empty (nothing is published).
    pub fn publish_store(&self) -> Result<Option<GenerationMeta>, StoreError> {
        #[derive(Deserialize)]
        struct Key {
            id: String,
            name: String,
            #[serde(default)]
            program_name: Option<String>,
        }
        // both passes read the same file, even if a crawl replaces the store
        // in between
        let path = self.listings_path();
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io { path, source: e }),
        };
        let mut keys = Vec::new();
        self.for_each_stored(&file, |key: Key, _| {
            keys.push(order_key(&key.name, key.program_name.as_deref(), &key.id));
            Ok(())
        })?;
        if keys.is_empty() {
            return Ok(None);
        }
        let ords = name_order(keys);
        self.publish_with(|dir, tally| {
            // the store is parsed on this thread while the index is built on
            // another, from batches of listings sent over a bounded channel
            const BATCH: usize = 256;
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<StoredListing>>(8);
            std::thread::scope(|scope| {
                let builder = scope.spawn(|| {
                    let listings = receiver.into_iter().flatten();
                    build_in_dir(dir, ords.into_iter().zip(listings))
                });
                let mut batch = Vec::with_capacity(BATCH);
                let read = self.for_each_stored(&file, |listing: Listing, line| {
                    tally.add(&listing);
                    let json = match line {
                        Some(line) => line.to_vec(),
                        None => serde_json::to_vec(&listing).expect("listings serialize"),
                    };
                    batch.push(StoredListing { listing, json });
                    if batch.len() == BATCH {
                        // a closed channel means the builder failed: its
                        // error is reported below
                        let _ =
                            sender.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                    }
                    Ok(())
                });
                let _ = sender.send(batch);
                drop(sender);
                let built = builder.join().expect("the index builder does not panic");
                read?;
                built?;
                Ok(())
            })
        })
        .map(Some)
    }

    /// Build a generation with `build` (which fills the directory it is
    /// given and counts what it indexed) and make it current.
    fn publish_with(
        &self,
        build: impl FnOnce(&Path, &mut SourceTally) -> Result<(), StoreError>,
    ) -> Result<GenerationMeta, StoreError> {
        let index_root = self.index_root();
        fs::create_dir_all(&index_root).map_err(io_err(&index_root))?;
        let now = OffsetDateTime::now_utc();
        let name = format!(
            "g-{:04}{:02}{:02}T{:02}{:02}{:02}-{:09}",
            now.year(),
            now.month() as u8,
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.nanosecond()
        );
        let building = index_root.join(format!("building-{name}"));
        let result = (|| {
            fs::create_dir_all(&building).map_err(io_err(&building))?;
            let mut tally = SourceTally::default();
            build(&building, &mut tally)?;
            let meta = GenerationMeta {
                generation: name.clone(),
                built_at: now
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                listings: tally.listings,
                sample: tally.sample,
                sources: tally.sources,
            };
            let manifest = GenerationManifest {
                meta: meta.clone(),
                files: checksum_generation_files(&building)?,
            };
            let manifest_bytes =
                serde_json::to_vec_pretty(&manifest).expect("the manifest serializes");
            write_atomically(&building.join(GENERATION_FILE), &manifest_bytes)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let path = building.join(GENERATION_FILE);
                fs::set_permissions(&path, fs::Permissions::from_mode(0o644))
                    .map_err(io_err(&path))?;
            }
            let done = index_root.join(&name);
            fs::rename(&building, &done).map_err(io_err(&done))?;
            sync_dir(&index_root);
            // read just before the switch: the generation servers answer from
            let previous = self.current_generation().ok().flatten();
            write_atomically(&self.current_path(), name.as_bytes())?;
            Ok((meta, previous))
        })();
        match result {
            Ok((meta, previous)) => {
                self.remove_old_generations(&name, previous.as_deref());
                Ok(meta)
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&building);
                Err(e)
            }
        }
    }

    /// A fresh, empty directory to download the generation `name` into
    /// before [`DataDir::install_generation`] (`index/building-{name}`,
    /// emptied if a download was interrupted).
    pub fn staging_dir(&self, name: &str) -> Result<PathBuf, StoreError> {
        if !is_generation_name(name) {
            return Err(StoreError::Unverified {
                generation: name.to_string(),
                problem: format!("{name:?} is not a generation name"),
            });
        }
        let dir = self.index_root().join(format!("building-{name}"));
        match fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir,
                    source: e,
                })
            }
        }
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(dir)
    }

    /// Install a generation copied from elsewhere into `staged` (a
    /// [`DataDir::staging_dir`]): verify every file against its
    /// `generation.json` ([`verify_generation_dir`]), move it into `index/`
    /// and make it current, exactly as a publish does (a server polling
    /// `CURRENT` swaps to it). A generation that does not verify is removed
    /// and the current one stays.
    pub fn install_generation(&self, staged: &Path) -> Result<GenerationMeta, StoreError> {
        let manifest = match verify_generation_dir(staged) {
            Ok(manifest) => manifest,
            Err(e) => {
                let _ = fs::remove_dir_all(staged);
                return Err(e);
            }
        };
        let name = manifest.meta.generation.clone();
        let done = self.index_root().join(&name);
        if done.exists() {
            if self.current_generation()?.as_deref() == Some(name.as_str()) {
                let _ = fs::remove_dir_all(staged);
                return Ok(manifest.meta);
            }
            fs::remove_dir_all(&done).map_err(io_err(&done))?;
        }
        fs::rename(staged, &done).map_err(io_err(&done))?;
        sync_dir(&self.index_root());
        let previous = self.current_generation()?;
        write_atomically(&self.current_path(), name.as_bytes())?;
        self.remove_old_generations(&name, previous.as_deref());
        Ok(manifest.meta)
    }

    /// Open the current generation.
    pub fn open_current(&self) -> Result<Generation, StoreError> {
        let name = self
            .current_generation()?
            .ok_or_else(|| StoreError::NoIndex(self.root.clone()))?;
        self.open_generation(&name)
    }

    /// Open the generation `name` of `index/`: read its `generation.json` and
    /// open its index.
    ///
    /// # Errors
    /// [`StoreError::Io`] or [`StoreError::Json`] when `generation.json` cannot
    /// be read, [`StoreError::Index`] when the index cannot be opened.
    pub fn open_generation(&self, name: &str) -> Result<Generation, StoreError> {
        let dir = self.index_root().join(name);
        let meta_path = dir.join("generation.json");
        let meta_bytes = fs::read(&meta_path).map_err(io_err(&meta_path))?;
        let meta: GenerationMeta =
            serde_json::from_slice(&meta_bytes).map_err(|source| StoreError::Json {
                path: meta_path,
                source,
            })?;
        let index = open_dir(&dir)?;
        let built = time::OffsetDateTime::parse(
            &meta.built_at,
            &time::format_description::well_known::Rfc3339,
        )
        .map(std::time::SystemTime::from)
        .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
        let from_providers = meta.from_providers();
        Ok(Generation {
            meta,
            index,
            built,
            from_providers,
        })
    }

    /// Keep the current generation and `previous`, the one `CURRENT` named
    /// before the switch (a server may still be answering from it); remove
    /// every other generation older than the current one (orphans of a
    /// publish killed between its rename and its switch included) and
    /// abandoned builds.
    fn remove_old_generations(&self, current: &str, previous: Option<&str>) {
        let Ok(entries) = fs::read_dir(self.index_root()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old = name.starts_with("g-") && name.as_str() < current;
            if (old && Some(name.as_str()) != previous)
                || (name.starts_with("building-") && !name.ends_with(current))
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Remove the temporary files that writers killed before their rename
    /// left behind (`.NAME.tmp-PID` in the data directory, `index/`,
    /// `crawls/`, `reports/`; `.NAME.PID.N.tmp` in `cache/pages/`), when
    /// process PID is no longer running. Answers what was removed.
    pub fn remove_stale_temporaries(&self) -> Vec<PathBuf> {
        let dirs = [
            self.root.clone(),
            self.index_root(),
            self.crawl_reports_dir(),
            self.root.join("reports"),
            self.root.join("cache").join("pages"),
        ];
        let mut removed = Vec::new();
        for dir in dirs {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(pid) = temporary_owner(&name) else {
                    continue;
                };
                if !process_running(pid) && fs::remove_file(entry.path()).is_ok() {
                    removed.push(entry.path());
                }
            }
        }
        removed
    }
}

/// What a generation holds, counted one listing at a time.
#[derive(Default)]
struct SourceTally {
    listings: usize,
    sample: bool,
    sources: Vec<SourceSummary>,
}

impl SourceTally {
    fn add(&mut self, listing: &Listing) {
        self.listings += 1;
        self.sample |= listing.sample;
        for (i, source) in listing.sources.iter().enumerate() {
            let dates = listing
                .provenance
                .iter()
                .filter(|p| p.source == i)
                .map(|p| p.checked.to_string());
            let (oldest, newest) = dates.fold((None::<String>, None::<String>), |(lo, hi), d| {
                (
                    Some(lo.map_or(d.clone(), |x: String| x.min(d.clone()))),
                    Some(hi.map_or(d.clone(), |x: String| x.max(d))),
                )
            });
            let summary = match self
                .sources
                .iter_mut()
                .find(|s| s.kind == source.kind && s.title == source.title)
            {
                Some(s) => s,
                None => {
                    self.sources.push(SourceSummary {
                        kind: source.kind.clone(),
                        title: source.title.clone(),
                        edition: None,
                        url: None,
                        listings: 0,
                        oldest_check: None,
                        newest_check: None,
                    });
                    self.sources.last_mut().expect("just pushed")
                }
            };
            summary.listings += 1;
            if source.edition > summary.edition {
                summary.edition.clone_from(&source.edition);
            }
            if summary.url.is_none() {
                summary.url = source.public_url().map(str::to_string);
            }
            if let Some(o) = oldest {
                summary.oldest_check =
                    Some(summary.oldest_check.take().map_or(o.clone(), |x| x.min(o)));
            }
            if let Some(n) = newest {
                summary.newest_check =
                    Some(summary.newest_check.take().map_or(n.clone(), |x| x.max(n)));
            }
        }
    }
}

/// Deserializes a JSON array by handing each element to `each` as it is
/// parsed, without collecting them.
struct EachElement<'s, T, F> {
    each: F,
    /// The error `each` stopped with, if it did.
    stopped: &'s mut Option<StoreError>,
    count: usize,
    item: PhantomData<T>,
}

impl<'de, T, F> Visitor<'de> for EachElement<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), StoreError>,
{
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of listings")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<usize, A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            if let Err(e) = (self.each)(item) {
                *self.stopped = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
            self.count += 1;
        }
        Ok(self.count)
    }
}

/// Write `bytes` to `path` through a temporary file and a rename, so readers
/// see the old content or the new, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// As [`write_atomically`], with the content written by `write` into a
/// buffered temporary file; an error of `write` leaves `path` as it was.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let file = fs::File::create(&tmp).map_err(io_err(&tmp))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let written = write(&mut out).and_then(|()| out.flush());
    let file = match written.and_then(|()| out.into_inner().map_err(|e| e.into_error())) {
        Ok(file) => file,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(StoreError::Io {
                path: tmp,
                source: e,
            });
        }
    };
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_err(path))?;
    sync_dir(dir);
    Ok(())
}

/// The process id in a temporary file's name: `.listings.json.tmp-PID`
/// ([`write_atomically`]) or `.HASH.PID.N.tmp` (the page cache).
fn temporary_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    if let Some((_, pid)) = rest.rsplit_once(".tmp-") {
        return pid.parse().ok();
    }
    let mut parts = rest.strip_suffix(".tmp")?.rsplit('.');
    let _counter: u64 = parts.next()?.parse().ok()?;
    parts.next()?.parse().ok()
}

/// Whether process `pid` runs (where `/proc` can tell; elsewhere assumed).
fn process_running(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new("/proc").join(pid.to_string()).exists()
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
