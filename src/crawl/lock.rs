//! `crawl.lock`: one crawl at a time per data directory.

use anyhow::{bail, Context, Result};
use iop_index::DataDir;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `DATA_DIR/crawl.lock`: one crawl at a time per data directory (two at
/// once would each write the store without the other's changes). Holds the
/// crawl's process id; a lock left by a process that is gone is taken over.
pub(super) struct CrawlLock(PathBuf);

impl CrawlLock {
    pub(super) fn take(data: &DataDir) -> Result<CrawlLock> {
        let root = data.root();
        std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let path = root.join("crawl.lock");
        for _ in 0..2 {
            match std::fs::File::create_new(&path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    // what crawls killed before their renames left behind
                    let removed = data.remove_stale_temporaries();
                    if !removed.is_empty() {
                        tracing::info!(
                            "removed {} temporary files left by killed runs",
                            removed.len()
                        );
                    }
                    return Ok(CrawlLock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let holder = holder.trim();
                    let alive = holder.parse::<u32>().is_ok_and(|pid| {
                        // without /proc, believe the lock
                        !Path::new("/proc/self").exists()
                            || Path::new("/proc").join(pid.to_string()).exists()
                    });
                    if alive {
                        bail!(
                            "another crawl (process {holder}) is running on {}; if it is not, remove {}",
                            root.display(),
                            path.display()
                        );
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("creating {}", path.display()));
                }
            }
        }
        bail!("could not take {}", path.display())
    }
}

impl Drop for CrawlLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
