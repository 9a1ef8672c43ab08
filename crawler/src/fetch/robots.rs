//! robots.txt per RFC 9309, parsed with `texting_robots`: 2xx parsed (at
//! least 500 KiB read), 4xx means no rules, 5xx, a timeout or a network
//! failure means nothing may be fetched for now ([`Rules::Unavailable`],
//! reported with its cause, not as "disallowed"), up to 5 redirects
//! followed; cached per origin for at most 24 hours (failures for a few
//! minutes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// How much of a robots.txt is read (RFC 9309 asks for at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;
/// Redirects followed for robots.txt (RFC 9309: at least 5).
pub const MAX_ROBOTS_REDIRECTS: usize = 5;
/// How long a fetched robots.txt is trusted.
pub const CACHE_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// How long an unreachable robots.txt (disallow all) is remembered.
pub const FAILURE_CACHE_FOR: Duration = Duration::from_secs(5 * 60);

/// The rules for one origin.
pub enum Rules {
    /// No robots.txt (4xx): everything allowed.
    AllowAll,
    /// Server error, timeout or unreachable (the cause, e.g. "HTTP status
    /// 500", "timed out"): nothing allowed for now.
    Unavailable(String),
    /// A parsed robots.txt.
    Parsed(Box<texting_robots::Robot>),
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rules::AllowAll => f.write_str("AllowAll"),
            Rules::Unavailable(cause) => write!(f, "Unavailable({cause})"),
            Rules::Parsed(r) => write!(f, "Parsed(delay {:?}, sitemaps {:?})", r.delay, r.sitemaps),
        }
    }
}

impl Rules {
    /// Parse a robots.txt body for the user-agent product token `agent`.
    pub fn parse(agent: &str, body: &[u8]) -> Rules {
        let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
        match texting_robots::Robot::new(agent, body) {
            Ok(robot) => Rules::Parsed(Box::new(robot)),
            // Unparseable rules are treated as no rules.
            Err(_) => Rules::AllowAll,
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::Unavailable(_) => false,
            Rules::Parsed(robot) => robot.allowed(url),
        }
    }

    /// The Crawl-delay, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| {
                Duration::from_secs_f32(d.min(super::politeness::MAX_DELAY.as_secs_f32()))
            }),
            _ => None,
        }
    }

    /// The Sitemap lines.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            Rules::Parsed(robot) => &robot.sitemaps,
            _ => &[],
        }
    }
}

/// robots.txt rules cached per origin.
#[derive(Debug, Default)]
pub struct RobotsCache {
    entries: Mutex<HashMap<String, (Instant, Arc<Rules>)>>,
}

impl RobotsCache {
    /// Cached rules for `origin`, if still fresh.
    pub fn get(&self, origin: &str) -> Option<Arc<Rules>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(origin)
            .filter(|(until, _)| Instant::now() < *until)
            .map(|(_, rules)| rules.clone())
    }

    /// Remember rules for `origin`.
    pub fn put(&self, origin: &str, rules: Arc<Rules>) {
        let ttl = match *rules {
            Rules::Unavailable(_) => FAILURE_CACHE_FOR,
            _ => CACHE_FOR,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(origin.to_string(), (Instant::now() + ttl, rules));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rules_expire_after_a_day_and_failures_after_minutes() {
        let cache = RobotsCache::default();
        cache.put(
            "http://a.example",
            Arc::new(Rules::parse(
                "IOPFinderBot",
                b"User-agent: *\nDisallow: /x\n",
            )),
        );
        cache.put(
            "http://b.example",
            Arc::new(Rules::Unavailable("timed out".into())),
        );
        tokio::time::advance(FAILURE_CACHE_FOR + Duration::from_secs(1)).await;
        assert!(
            cache.get("http://b.example").is_none(),
            "a failure is retried soon"
        );
        let rules = cache.get("http://a.example").expect("still fresh");
        assert!(!rules.allowed("http://a.example/x/y"));
        tokio::time::advance(CACHE_FOR).await;
        assert!(cache.get("http://a.example").is_none(), "at most 24 hours");
    }
}
