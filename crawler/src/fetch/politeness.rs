//! Per-host politeness: one request at a time per host, spaced by the host's
//! current delay (the configured minimum, robots.txt Crawl-delay, or longer
//! after a 429), and a global cap on how many hosts are fetched at once.
//!
//! A host waiting out its delay does not count against the global cap: the
//! cap is taken only once the host may be contacted, so a few slow hosts
//! (a long Crawl-delay) never hold the others back. One [`Politeness`] can be
//! shared by several fetchers ([`crate::fetch::Fetcher::with_politeness`]):
//! the sources of one crawl then share each host's turn and spacing, so two
//! sources on one host never fetch from it at once or closer than its delay.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest delay a host can push us to (Crawl-delay or Retry-After).
pub const MAX_DELAY: Duration = Duration::from_secs(120);

#[derive(Debug, Default)]
struct HostState {
    /// Earliest time of the next request to this host.
    next_at: Option<Instant>,
    /// The host's delay floor for the rest of the crawl, raised by 429s.
    floor: Duration,
}

/// Per-host queues plus the global host cap.
#[derive(Debug)]
pub struct Politeness {
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<HostState>>>>,
    global: Arc<Semaphore>,
}

/// The right to send requests to one host; dropped to let the next one in.
#[derive(Debug)]
pub struct Slot {
    state: OwnedMutexGuard<HostState>,
    _permit: OwnedSemaphorePermit,
}

impl Politeness {
    /// At most `max_hosts` hosts in flight at once.
    pub fn new(max_hosts: usize) -> Self {
        Politeness {
            hosts: Mutex::new(HashMap::new()),
            global: Arc::new(Semaphore::new(max_hosts.max(1))),
        }
    }

    /// Wait for our turn at `host`: one at a time per host, then until the
    /// host's delay since its last request has passed, then a global permit.
    pub async fn slot(&self, host: &str) -> Slot {
        let lock = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts.entry(host.to_ascii_lowercase()).or_default().clone()
        };
        let state = lock.lock_owned().await;
        // the host's delay is waited out before the global permit is taken
        if let Some(at) = state.next_at {
            tokio::time::sleep_until(at).await;
        }
        let permit = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        Slot {
            state,
            _permit: permit,
        }
    }
}

impl Slot {
    /// Sleep until the host may be contacted again (needed only after
    /// [`Slot::done`]: a new slot has waited already).
    pub async fn wait(&self) {
        if let Some(at) = self.state.next_at {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Record a request just made: the next one waits `delay` (or the
    /// host's raised floor, if longer) from now.
    pub fn done(&mut self, delay: Duration) {
        let delay = delay.max(self.state.floor).min(MAX_DELAY);
        self.state.next_at = Some(Instant::now() + delay);
    }

    /// The host said "too many requests": double its delay (at least
    /// `current`, the delay in force) for the rest of the crawl.
    pub fn slow_down(&mut self, current: Duration) {
        self.state.floor = (self.state.floor.max(current) * 2).min(MAX_DELAY);
    }

    /// The host's delay floor (zero until a 429).
    pub fn floor(&self) -> Duration {
        self.state.floor
    }
}
