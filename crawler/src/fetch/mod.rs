//! # Fetching pages as a good citizen of the web
//!
//! [`Fetcher::get`] fetches one URL: the address policy ([`address`]) is
//! checked before any connection and on every redirect hop (redirects are
//! followed by hand), robots.txt ([`robots`]) is obeyed, requests to a host
//! are spaced ([`politeness`]; a 429 doubles the host's delay for the rest
//! of the crawl), 429/5xx/timeouts (connect, read and total) are retried
//! with backoff, bodies are size-limited while streaming (after gzip
//! decoding), non-HTML is skipped on website crawls, and text is decoded
//! ([`charset`]). Conditional GET uses [`Validators`], remembered across
//! crawls by a [`cache::PageCache`].
//!
//! TLS is reqwest's default rustls with the aws-lc-rs provider (reqwest's
//! own default, so every other reqwest client in the workspace keeps working).

pub mod address;
pub mod cache;
pub mod charset;
pub mod politeness;
pub mod robots;
pub mod sitemap;

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::header::{self, HeaderMap};
use reqwest::{StatusCode, Url};
use sha2::{Digest, Sha256};

use address::{AddressPolicy, FilteringResolver};
use politeness::{Politeness, Slot};
use robots::{RobotsCache, Rules};

/// The User-Agent every request sends.
pub const USER_AGENT: &str = "IOPFinderBot/0.1 (+https://github.com/iopfinder/iopfinder; directory of intensive outpatient programs)";

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The address policy refused the URL: a scheme other than http(s), or
    /// a host with no public (or allowed) address; says which.
    #[error("blocked: {0}")]
    Blocked(String),
    /// The site's robots.txt disallows the URL for our user-agent token.
    #[error("disallowed by robots.txt")]
    RobotsDisallowed,
    /// robots.txt could not be read (5xx, timeout, network): nothing is
    /// fetched from the site for now, and the cause is said.
    #[error("robots.txt unavailable: {0}")]
    RobotsUnavailable(String),
    /// The body, after gzip decoding, exceeded the limit given, in bytes.
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    /// The connect, read or total timeout ran out, on the last attempt.
    #[error("timed out")]
    Timeout,
    /// The final answer's HTTP status was not a success (429 and 5xx only
    /// after the retries).
    #[error("HTTP status {0}")]
    Status(u16),
    /// More redirect hops than [`FetcherConfig::max_redirects`].
    #[error("too many redirects")]
    TooManyRedirects,
    /// An HTML-only fetch got another media type: the Content-Type header
    /// as sent (empty when there was none).
    #[error("not HTML: {0}")]
    NotHtml(String),
    /// The URL does not parse or has no host, or a redirect has no usable
    /// Location; the URL and the cause.
    #[error("bad URL: {0}")]
    BadUrl(String),
    /// DNS, connection, TLS or read failure (on the last attempt), a bad
    /// gzip sitemap, or a failed write of a download; the cause.
    #[error("network error: {0}")]
    Network(String),
}

impl FetchError {
    /// A short stable name for crawl reports ("errors by kind").
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Blocked(_) => "blocked",
            FetchError::RobotsDisallowed => "robots_disallowed",
            FetchError::RobotsUnavailable(_) => "robots_unavailable",
            FetchError::TooLarge(_) => "too_large",
            FetchError::Timeout => "timeout",
            FetchError::Status(_) => "status",
            FetchError::TooManyRedirects => "too_many_redirects",
            FetchError::NotHtml(_) => "not_html",
            FetchError::BadUrl(_) => "bad_url",
            FetchError::Network(_) => "network",
        }
    }

    fn from_reqwest(e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout
        } else {
            FetchError::Network(format!("{e:#}"))
        }
    }

    fn retryable(&self) -> bool {
        matches!(self, FetchError::Timeout | FetchError::Network(_))
    }
}

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetcherConfig {
    /// Sent as User-Agent; its first word (before `/`) is the robots.txt token.
    pub user_agent: String,
    /// Minimum spacing between requests to one host.
    pub min_delay: Duration,
    /// How many hosts may be fetched at once.
    pub max_hosts: usize,
    /// Longest wait for the TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response (headers or body).
    pub read_timeout: Duration,
    /// Whole request, body included.
    pub total_timeout: Duration,
    /// Limit on the decoded (decompressed) body.
    pub max_body_bytes: usize,
    /// Redirect hops followed before [`FetchError::TooManyRedirects`].
    pub max_redirects: usize,
    /// Networks allowed although not public (e.g. `127.0.0.0/8` in tests).
    pub allow: Vec<IpNet>,
    /// Retries after the first attempt on 429, 5xx, timeouts and network errors.
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Skip responses that are not HTML (website crawls).
    pub html_only: bool,
}

impl Default for FetcherConfig {
    fn default() -> Self {
        FetcherConfig {
            user_agent: USER_AGENT.to_string(),
            min_delay: Duration::from_secs(1),
            max_hosts: 8,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            allow: Vec::new(),
            retries: 2,
            backoff: Duration::from_secs(2),
            html_only: true,
        }
    }
}

/// What we know from the last fetch of a URL, for conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// The ETag the server gave, sent back as If-None-Match.
    pub etag: Option<String>,
    /// The Last-Modified the server gave (an HTTP date), sent back as
    /// If-Modified-Since.
    pub last_modified: Option<String>,
    /// [`Page::content_hash`] of the last fetch, for servers that ignore validators.
    pub content_hash: Option<String>,
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where the page was read from, after redirects.
    pub final_url: Url,
    /// HTTP status of the final answer: a 2xx, or 304 when `not_modified`.
    pub status: u16,
    /// The Content-Type header as sent, if any.
    pub content_type: Option<String>,
    /// The body decoded to text (empty when `not_modified`).
    pub text: String,
    /// The body after gzip decoding, at most `max_body_bytes` (empty when
    /// `not_modified`).
    pub bytes: Vec<u8>,
    /// The ETag header, or on a 304 the one in the [`Validators`] given.
    pub etag: Option<String>,
    /// The Last-Modified header (an HTTP date), or on a 304 the one in the
    /// [`Validators`] given.
    pub last_modified: Option<String>,
    /// Hex SHA-256 of the body.
    pub content_hash: String,
    /// The server answered 304 Not Modified.
    pub not_modified: bool,
    /// The body hash equals the one in the [`Validators`] given.
    pub unchanged: bool,
}

/// The crawler's HTTP client.
#[derive(Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    config: FetcherConfig,
    policy: Arc<AddressPolicy>,
    hosts: Arc<Politeness>,
    robots: RobotsCache,
    agent_token: String,
}

impl Fetcher {
    /// Build a fetcher; fails only if the HTTP client cannot be built.
    pub fn new(config: FetcherConfig) -> Result<Fetcher, FetchError> {
        let hosts = Arc::new(Politeness::new(config.max_hosts));
        Fetcher::with_politeness(config, hosts)
    }

    /// Build a fetcher that takes its turns at each host from `hosts`, shared
    /// with other fetchers (the sources of one crawl): a host is fetched by
    /// one of them at a time, each request spaced from the last one any of
    /// them made by the delay of the fetcher making it. `hosts`'s own cap
    /// on hosts in flight applies, not `config.max_hosts`. Fails only if the
    /// HTTP client cannot be built.
    pub fn with_politeness(
        config: FetcherConfig,
        hosts: Arc<Politeness>,
    ) -> Result<Fetcher, FetchError> {
        let policy = Arc::new(AddressPolicy::new(config.allow.clone()));
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(FilteringResolver {
                policy: policy.clone(),
            }))
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .build()
            .map_err(|e| FetchError::Network(format!("building client: {e}")))?;
        let agent_token = config
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or("IOPFinderBot")
            .to_string();
        Ok(Fetcher {
            client,
            hosts,
            policy,
            robots: RobotsCache::default(),
            agent_token,
            config,
        })
    }

    /// Fetch `url` unconditionally.
    pub async fn get(&self, url: &str) -> Result<Page, FetchError> {
        self.get_with(url, &Validators::default()).await
    }

    /// Fetch `url`, sending `validators` as If-None-Match / If-Modified-Since.
    pub async fn get_with(&self, url: &str, validators: &Validators) -> Result<Page, FetchError> {
        self.fetch(url, validators, self.config.html_only).await
    }

    /// Fetch `url` (any content type) into `out` as it downloads, never
    /// holding the body in memory: at most `max_bytes` after gzip decoding
    /// ([`FetchError::TooLarge`] beyond, with what was written left for the
    /// caller to discard). Answers the final URL and the bytes written.
    pub async fn download(
        &self,
        url: &str,
        out: &mut impl std::io::Write,
        max_bytes: u64,
    ) -> Result<(Url, u64), FetchError> {
        let (url, mut response, slot) = self.follow(url, &Validators::default()).await?;
        drop(slot);
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        if !response.headers().contains_key(header::CONTENT_ENCODING)
            && response.content_length().is_some_and(|len| len > max_bytes)
        {
            return Err(FetchError::TooLarge(limit));
        }
        let mut written: u64 = 0;
        while let Some(chunk) = response.chunk().await.map_err(FetchError::from_reqwest)? {
            written += chunk.len() as u64;
            if written > max_bytes {
                return Err(FetchError::TooLarge(limit));
            }
            out.write_all(&chunk)
                .map_err(|e| FetchError::Network(format!("writing the download: {e}")))?;
        }
        Ok((url, written))
    }

    /// Follow a sitemap (index or urlset, plain or gzip) and return the page
    /// URLs it lists, at most `max_urls`, reading at most `max_sitemaps` files.
    pub async fn sitemap_urls(
        &self,
        url: &str,
        max_urls: usize,
        max_sitemaps: usize,
    ) -> Result<Vec<String>, FetchError> {
        Ok(self.sitemap(url, max_urls, max_sitemaps).await?.0)
    }

    /// As [`Fetcher::sitemap_urls`], also answering how many sitemap files
    /// were fetched.
    pub async fn sitemap(
        &self,
        url: &str,
        max_urls: usize,
        max_sitemaps: usize,
    ) -> Result<(Vec<String>, usize), FetchError> {
        let mut queue = std::collections::VecDeque::from([url.to_string()]);
        let (mut urls, mut read) = (Vec::new(), 0);
        while let Some(next) = queue.pop_front() {
            if read >= max_sitemaps || urls.len() >= max_urls {
                break;
            }
            read += 1;
            let page = self.fetch(&next, &Validators::default(), false).await?;
            match sitemap::parse(&page.bytes)? {
                sitemap::Sitemap::Index(children) => queue.extend(children),
                sitemap::Sitemap::UrlSet(found) => {
                    urls.extend(found.into_iter().take(max_urls - urls.len()))
                }
            }
        }
        Ok((urls, read))
    }

    async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        html_only: bool,
    ) -> Result<Page, FetchError> {
        let (url, response, slot) = self.follow(url, validators).await?;
        let page = self.read_page(url, response, validators, html_only).await;
        drop(slot);
        page
    }

    /// Request `url` as robots.txt and the address policy allow, following
    /// redirects (each hop checked again, at most `max_redirects`); a 304
    /// answers `validators` and is not followed. Answers the final URL, its
    /// response (any other status) and the host's politeness slot, held
    /// while the caller reads the body.
    async fn follow(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<(Url, reqwest::Response, Slot), FetchError> {
        let mut url = Url::parse(url).map_err(|e| FetchError::BadUrl(format!("{url}: {e}")))?;
        let mut hops = 0;
        loop {
            self.policy.check_url(&url).await?;
            let rules = self.rules_for(&url).await?;
            if let Rules::Unavailable(cause) = &*rules {
                return Err(FetchError::RobotsUnavailable(cause.clone()));
            }
            if !rules.allowed(url.as_str()) {
                return Err(FetchError::RobotsDisallowed);
            }
            let delay = self.delay_for(&rules);
            let mut slot = self.hosts.slot(&host_key(&url)).await;
            let response = self.send(&url, validators, &mut slot, delay).await?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let next = redirect_target(&url, response.headers())?;
                drop(slot);
                hops += 1;
                if hops > self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects);
                }
                url = next;
                continue;
            }
            return Ok((url, response, slot));
        }
    }

    /// The robots.txt rules for this URL's origin (fetched and cached).
    pub async fn rules_for(&self, url: &Url) -> Result<Arc<Rules>, FetchError> {
        let origin = url.origin().ascii_serialization();
        if let Some(rules) = self.robots.get(&origin) {
            return Ok(rules);
        }
        let rules = Arc::new(self.fetch_robots(url).await?);
        self.robots.put(&origin, rules.clone());
        Ok(rules)
    }

    async fn fetch_robots(&self, url: &Url) -> Result<Rules, FetchError> {
        let mut robots_url = url
            .join("/robots.txt")
            .map_err(|e| FetchError::BadUrl(e.to_string()))?;
        for _ in 0..=robots::MAX_ROBOTS_REDIRECTS {
            // A robots.txt redirect to a forbidden address is an error of the page fetch.
            self.policy.check_url(&robots_url).await?;
            let mut slot = self.hosts.slot(&host_key(&robots_url)).await;
            slot.wait().await;
            let result = self.client.get(robots_url.clone()).send().await;
            slot.done(self.config.min_delay);
            let mut response = match result.map_err(FetchError::from_reqwest) {
                Ok(r) => r,
                Err(e) => return Ok(Rules::Unavailable(e.to_string())),
            };
            let status = response.status();
            if status.is_redirection() {
                match redirect_target(&robots_url, response.headers()) {
                    Ok(next) => {
                        robots_url = next;
                        continue;
                    }
                    Err(_) => return Ok(Rules::AllowAll),
                }
            }
            if status.is_client_error() {
                return Ok(Rules::AllowAll);
            }
            if !status.is_success() {
                return Ok(Rules::Unavailable(
                    FetchError::Status(status.as_u16()).to_string(),
                ));
            }
            let mut body = Vec::new();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = robots::MAX_ROBOTS_BYTES - body.len();
                        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        if body.len() >= robots::MAX_ROBOTS_BYTES {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Ok(Rules::Unavailable(FetchError::from_reqwest(e).to_string()))
                    }
                }
            }
            return Ok(Rules::parse(&self.agent_token, &body));
        }
        // Too many redirects: RFC 9309 allows treating that as unavailable (no rules).
        Ok(Rules::AllowAll)
    }

    fn delay_for(&self, rules: &Rules) -> Duration {
        rules
            .crawl_delay()
            .map_or(self.config.min_delay, |d| d.max(self.config.min_delay))
    }

    /// One request with retries on 429, 5xx, timeouts and network errors.
    async fn send(
        &self,
        url: &Url,
        validators: &Validators,
        slot: &mut Slot,
        delay: Duration,
    ) -> Result<reqwest::Response, FetchError> {
        let mut attempt = 0;
        loop {
            slot.wait().await;
            let mut request = self.client.get(url.clone());
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
            let result = request.send().await.map_err(FetchError::from_reqwest);
            let backoff = self.config.backoff * 2u32.saturating_pow(attempt);
            let failure = match result {
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        // slower for the rest of the crawl, and wait as asked now
                        slot.slow_down(delay);
                        let wait = retry_after(response.headers()).unwrap_or(backoff);
                        slot.done(wait.max(delay));
                        FetchError::Status(429)
                    } else if status.is_server_error() {
                        slot.done(backoff.max(delay));
                        FetchError::Status(status.as_u16())
                    } else {
                        slot.done(delay);
                        return Ok(response);
                    }
                }
                Err(e) => {
                    slot.done(backoff.max(delay));
                    e
                }
            };
            if attempt >= self.config.retries
                || !(failure.retryable() || matches!(failure, FetchError::Status(_)))
            {
                return Err(failure);
            }
            attempt += 1;
        }
    }

    async fn read_page(
        &self,
        final_url: Url,
        mut response: reqwest::Response,
        validators: &Validators,
        html_only: bool,
    ) -> Result<Page, FetchError> {
        let status = response.status();
        let headers = response.headers().clone();
        let text_header = |name| {
            headers
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = text_header(header::CONTENT_TYPE);
        let etag = text_header(header::ETAG);
        let last_modified = text_header(header::LAST_MODIFIED);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Page {
                final_url,
                status: 304,
                content_type,
                text: String::new(),
                bytes: Vec::new(),
                etag: etag.or_else(|| validators.etag.clone()),
                last_modified: last_modified.or_else(|| validators.last_modified.clone()),
                content_hash: validators.content_hash.clone().unwrap_or_default(),
                not_modified: true,
                unchanged: true,
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        if html_only && !is_html(content_type.as_deref()) {
            return Err(FetchError::NotHtml(content_type.unwrap_or_default()));
        }
        let limit = self.config.max_body_bytes;
        // Content-Length is of the encoded body; only trust it when not compressed.
        if !headers.contains_key(header::CONTENT_ENCODING) {
            if let Some(len) = response.content_length() {
                if len > limit as u64 {
                    return Err(FetchError::TooLarge(limit));
                }
            }
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::from_reqwest)? {
            if bytes.len() + chunk.len() > limit {
                // Dropping the response closes the connection.
                return Err(FetchError::TooLarge(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        let (text, _) = charset::decode(&bytes, content_type.as_deref());
        let content_hash = hex(&Sha256::digest(&bytes));
        let unchanged = validators.content_hash.as_deref() == Some(content_hash.as_str());
        Ok(Page {
            final_url,
            status: status.as_u16(),
            content_type,
            text,
            bytes,
            etag,
            last_modified,
            content_hash,
            not_modified: false,
            unchanged,
        })
    }
}

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn redirect_target(from: &Url, headers: &HeaderMap) -> Result<Url, FetchError> {
    let location = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FetchError::BadUrl("redirect without Location".into()))?;
    from.join(location)
        .map_err(|e| FetchError::BadUrl(format!("{location}: {e}")))
}

/// Retry-After as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

fn is_html(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "text/html" || mime == "application/xhtml+xml"
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
