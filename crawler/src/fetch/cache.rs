//! A page cache across crawls, for conditional GET.
//!
//! One JSON file per URL in a directory (the `crawl` command uses
//! `DATA_DIR/cache/pages`), named by the SHA-256 of the URL: the validators
//! the server gave (ETag, Last-Modified), the [`Page::content_hash`] of the
//! body, and the decoded body itself, so that a 304 Not Modified can be read
//! as if the page had been fetched. Writes go to a temporary file in the same
//! directory and are renamed into place, so a reader sees the old entry or
//! the new one, never half of one. An entry that cannot be read or parsed, or
//! that names another URL, is treated as absent: the page is fetched
//! unconditionally and the entry rewritten.
//!
//! The cache is bounded ([`CacheLimits`]: total size, entry count, age):
//! [`PageCache::prune`] removes entries older than the age limit, then the
//! least recently used (by file time: a read touches it) until both the
//! count and the size are within their limits. The `crawl` command prunes
//! after each crawl.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Page, Validators};

/// Version of the entry format; entries of another version are ignored.
const FORMAT: u32 = 1;

/// What the cache remembers of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedPage {
    /// Version of the entry format; an entry of another version is ignored.
    pub format: u32,
    /// The URL asked for (the cache key).
    pub url: String,
    /// Where the page was read from, after redirects.
    pub final_url: String,
    /// The ETag the server gave, if any.
    pub etag: Option<String>,
    /// The Last-Modified the server gave (an HTTP date), if any.
    pub last_modified: Option<String>,
    /// [`Page::content_hash`]: hex SHA-256 of the body as sent.
    pub content_hash: String,
    /// The Content-Type header as sent, if any.
    pub content_type: Option<String>,
    /// The body decoded to text.
    pub text: String,
}

impl CachedPage {
    /// The entry for a page fetched from `url` (which answered 200).
    pub fn of(url: &str, page: &Page) -> CachedPage {
        CachedPage {
            format: FORMAT,
            url: url.to_string(),
            final_url: page.final_url.to_string(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            content_hash: page.content_hash.clone(),
            content_type: page.content_type.clone(),
            text: page.text.clone(),
        }
    }

    /// What to send on the next fetch.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
            content_hash: Some(self.content_hash.clone()),
        }
    }
}

/// How large the cache may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// Total size of the entries' files, in bytes.
    pub max_bytes: u64,
    /// Most entries kept, one file each.
    pub max_entries: usize,
    /// Entries not read or written for this long are removed.
    pub max_age: Duration,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            max_bytes: 256 * 1024 * 1024,
            max_entries: 20_000,
            max_age: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

/// What [`PageCache::prune`] left and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PruneSummary {
    /// Entries left.
    pub entries: usize,
    /// Total size of the entries left, in bytes.
    pub bytes: u64,
    /// Removed for their age.
    pub expired: usize,
    /// Removed, least recently used first, to fit the count and size.
    pub evicted: usize,
}

/// The cache directory (created on the first write).
#[derive(Debug, Clone)]
pub struct PageCache {
    dir: PathBuf,
}

impl PageCache {
    /// A cache in `dir`; nothing is read or created until it is used.
    pub fn new(dir: impl Into<PathBuf>) -> PageCache {
        PageCache { dir: dir.into() }
    }

    /// The directory that holds the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `url`'s entry.
    pub fn path_of(&self, url: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", super::hex(&Sha256::digest(url))))
    }

    /// The entry for `url`, if there is a sound one (its file time is set to
    /// now: it was used).
    pub fn get(&self, url: &str) -> Option<CachedPage> {
        let path = self.path_of(url);
        let bytes = std::fs::read(&path).ok()?;
        let entry: CachedPage = serde_json::from_slice(&bytes).ok()?;
        let sound = entry.format == FORMAT && entry.url == url && !entry.content_hash.is_empty();
        if sound {
            let _ = std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::now()));
        }
        sound.then_some(entry)
    }

    /// Bring the cache within `limits`: entries older than the age limit
    /// go, then the least recently used until the count and the size fit.
    /// Files that are not entries are left alone; errors only leave more.
    pub fn prune(&self, limits: &CacheLimits) -> PruneSummary {
        let mut summary = PruneSummary::default();
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return summary;
        };
        let now = SystemTime::now();
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for entry in dir.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let used = meta.modified().unwrap_or(now);
            if now.duration_since(used).unwrap_or_default() > limits.max_age {
                if std::fs::remove_file(&path).is_ok() {
                    summary.expired += 1;
                }
                continue;
            }
            entries.push((used, meta.len(), path));
        }
        // newest first; the oldest are removed from the end
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        while entries.len() > limits.max_entries || total > limits.max_bytes {
            let Some((_, len, path)) = entries.pop() else {
                break;
            };
            if std::fs::remove_file(&path).is_ok() {
                summary.evicted += 1;
                total -= len;
            }
        }
        summary.entries = entries.len();
        summary.bytes = total;
        summary
    }

    /// Store `entry` under its URL, atomically.
    pub fn put(&self, entry: &CachedPage) -> std::io::Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path_of(&entry.url);
        let json = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        let temp = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            path.file_stem().and_then(|s| s.to_str()).unwrap_or("entry"),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            std::fs::rename(&temp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }

    /// Forget `url` (a page that is gone); a missing entry is not an error.
    pub fn remove(&self, url: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path_of(url)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(url: &str) -> CachedPage {
        CachedPage {
            format: FORMAT,
            url: url.to_string(),
            final_url: url.to_string(),
            etag: Some("\"v1\"".into()),
            last_modified: Some("Tue, 24 Nov 2026 10:00:00 GMT".into()),
            content_hash: "ab".repeat(32),
            content_type: Some("text/html".into()),
            text: "<p>caf\u{e9}</p>".into(),
        }
    }

    #[test]
    fn the_cache_is_bounded_by_size_count_and_age() {
        let dir = std::env::temp_dir().join(format!("page-cache-bounds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = PageCache::new(&dir);
        // ten crawls of ten 100 KB pages at new URLs each
        for crawl in 0..10 {
            for page in 0..10 {
                let mut e = entry(&format!("https://example.org/{crawl}/{page}"));
                e.text = "x".repeat(100_000);
                cache.put(&e).unwrap();
            }
            let limits = CacheLimits {
                max_bytes: 2_500_000,
                max_entries: 1_000,
                max_age: Duration::from_secs(3600),
            };
            let summary = cache.prune(&limits);
            assert!(summary.bytes <= limits.max_bytes, "{summary:?}");
            let on_disk: u64 = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum();
            assert!(on_disk <= limits.max_bytes, "crawl {crawl}: {on_disk}");
        }
        // the least recently used went: a page read just now stays
        let first = "https://example.org/9/0";
        let old = SystemTime::now() - Duration::from_secs(60);
        for e in std::fs::read_dir(&dir).unwrap() {
            let f = std::fs::File::options()
                .write(true)
                .open(e.unwrap().path())
                .unwrap();
            f.set_modified(old).unwrap();
        }
        assert!(cache.get(first).is_some());
        let summary = cache.prune(&CacheLimits {
            max_bytes: u64::MAX,
            max_entries: 1,
            max_age: Duration::from_secs(3600),
        });
        assert_eq!(summary.entries, 1);
        assert!(cache.get(first).is_some(), "the entry used last is kept");
        // and an entry unused for longer than the age limit expires
        let f = std::fs::File::options()
            .write(true)
            .open(cache.path_of(first))
            .unwrap();
        f.set_modified(old).unwrap();
        let summary = cache.prune(&CacheLimits {
            max_age: Duration::from_secs(30),
            ..CacheLimits::default()
        });
        assert_eq!((summary.expired, summary.entries), (1, 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn round_trip_and_corruption() {
        let dir = std::env::temp_dir().join(format!("page-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = PageCache::new(&dir);
        let url = "https://example.org/programs/iop";
        assert_eq!(cache.get(url), None, "nothing yet");
        cache.put(&entry(url)).unwrap();
        assert_eq!(cache.get(url), Some(entry(url)));
        let v = cache.get(url).unwrap().validators();
        assert_eq!(v.etag.as_deref(), Some("\"v1\""));
        assert_eq!(v.content_hash, Some("ab".repeat(32)));
        // only the entry itself is left in the directory: no temporary files
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        // a truncated entry, or one for another URL, is absent
        let path = cache.path_of(url);
        let json = std::fs::read(&path).unwrap();
        std::fs::write(&path, &json[..json.len() / 2]).unwrap();
        assert_eq!(cache.get(url), None);
        std::fs::write(
            &path,
            serde_json::to_vec(&entry("https://other.org/")).unwrap(),
        )
        .unwrap();
        assert_eq!(cache.get(url), None);
        cache.remove(url).unwrap();
        cache.remove(url).unwrap();
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
