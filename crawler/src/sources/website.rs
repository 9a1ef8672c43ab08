//! `website`: a provider's own site, from a start URL (`website=https://x.org/`)
//! or a sitemap URL (`website=https://x.org/sitemap.xml`; any URL whose path
//! ends in `.xml`/`.xml.gz` or whose file name mentions "sitemap").
//!
//! The crawl stays on the start URL's host (`www.` ignored), obeys robots.txt
//! (through the [`Fetcher`]) and reads the sitemaps its
//! `Sitemap:` lines name. Candidate pages are links from the start page (and,
//! one level further, from program pages) and sitemap entries whose URL or
//! link text looks like a program page ([`looks_like_program`]); documents
//! (.pdf, images...) are skipped without a request, other non-HTML answers by
//! the fetcher. At most [`MAX_PAGES`] pages are fetched.
//!
//! Pages about the organization (contact, locations, insurance, FAQ,
//! admissions, accreditation: [`looks_like_site_page`]) are read too; blog
//! and news posts never. robots.txt `Sitemap:` lines may be relative: they
//! are resolved against the robots.txt URL.
//!
//! The pages read are assembled into listings as one site
//! ([`crate::site::assemble`]): one listing per program page per location,
//! with the address, phone and name a person sees (or structured data), the
//! organization's insurers, accreditation and languages joined in, each fact
//! with its own page and sentence, listings of the same content once. A site
//! that makes no listing says why in the report's first line; a failed page
//! is an error counted by kind; only a failed start (the start page, or the
//! sitemap given) fails the source. The context may lower the page limit
//! ([`CrawlContext::max_pages`]).
//!
//! Recrawls are conditional when the context has a cache directory
//! ([`CrawlContext::cache_dir`], a [`PageCache`]): each page is fetched with
//! the ETag and Last-Modified its server gave last time; a 304 Not Modified
//! is read from the cached copy (counted in
//! [`SourceCrawl::pages_not_modified`]), and a 200 whose body hashes as
//! before (a server that ignores validators) is counted in
//! [`SourceCrawl::pages_unchanged`]. A page that is gone (404, 410) leaves
//! the cache; a cache that cannot be read or written only costs full fetches.

use super::{CrawlContext, Progress, SourceCrawl, SourceError};
use crate::extract::budget::{self, Budget, Deadline, PageError};
use crate::fetch::cache::{CachedPage, PageCache};
use crate::fetch::{FetchError, Fetcher};
use crate::site::SitePage;
use reqwest::Url;
use std::collections::{HashSet, VecDeque};

/// The source kind of listings read from providers' own websites.
pub const KIND: &str = "website";
/// Most pages fetched from one site (robots.txt and sitemaps not counted).
pub const MAX_PAGES: usize = 200;
/// Sitemap files read at most.
const MAX_SITEMAPS: usize = 10;
/// Link depth from the start page.
const MAX_DEPTH: usize = 2;

/// File extensions that are never HTML pages.
const DOCUMENTS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "jpeg", "png", "gif", "webp", "svg",
    "zip", "mp3", "mp4", "mov", "ics", "csv", "txt", "xml", "gz", "css", "js",
];

/// Words of a URL path or link text that suggest a program page.
const PROGRAM_WORDS: &[&str] = &[
    "iop",
    "iops",
    "intensive",
    "outpatient",
    "program",
    "programs",
    "treatment",
    "treatments",
    "service",
    "services",
    "adolescent",
    "adolescents",
    "teen",
    "teens",
    "adult",
    "adults",
    "php",
    "hospitalization",
    "recovery",
    "therapy",
    "addiction",
    "substance",
    "eating",
    "dbt",
];

/// Words of a URL path or link text that suggest a page about the
/// organization as a whole: where it is, what it accepts, what it holds.
const SITE_WORDS: &[&str] = &[
    "contact",
    "location",
    "locations",
    "directions",
    "insurance",
    "insurances",
    "admissions",
    "faq",
    "faqs",
    "payment",
    "accreditation",
    "accreditations",
    "carf",
];

/// Whether a link (its URL and text) looks like a program page.
pub fn looks_like_program(url: &Url, text: &str) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .chain(text.split(|c: char| !c.is_alphanumeric()))
        .any(|w| PROGRAM_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Whether a link looks like a page about the organization (contact,
/// locations, insurance, FAQ, admissions, accreditation).
pub fn looks_like_site_page(url: &Url, text: &str) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .chain(text.split(|c: char| !c.is_alphanumeric()))
        .any(|w| SITE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Blog and news posts are never read for a listing.
fn is_post(url: &Url) -> bool {
    crate::site::page_kind(url.as_str(), false) == crate::site::PageKind::Post
}

fn is_document(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or("");
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| DOCUMENTS.contains(&ext))
}

fn is_sitemap(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or("");
    path.ends_with(".xml") || path.ends_with(".xml.gz") || name.contains("sitemap")
}

fn site_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    format!("{host}:{}", url.port_or_known_default().unwrap_or(0))
}

/// What one page says, read in one go (scraper's documents are not `Send`).
struct Reading {
    page: SitePage,
    links: Vec<(String, String)>,
}

/// Read a page within the default [`Budget`]: parsed once, then walked.
fn read_page(html: &str, url: &str) -> Result<Reading, PageError> {
    let budget = Budget::default();
    let deadline = Deadline::start(&budget);
    let document = budget::parse(html, &budget, &deadline)?;
    let page = SitePage::read_document(url, &document, &deadline)?;
    let anchors = scraper::Selector::parse("a[href]").expect("selector");
    let links = document
        .select(&anchors)
        .filter_map(|a| {
            let href = a.value().attr("href")?.trim().to_string();
            let text = a.text().collect::<Vec<_>>().join(" ");
            Some((href, text))
        })
        .collect();
    drop(document);
    deadline.check()?;
    Ok(Reading { page, links })
}

/// Why a page gave nothing: it could not be fetched, or it was over the
/// [`Budget`] of reading.
#[derive(Debug, thiserror::Error)]
enum PageFailure {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Read(#[from] PageError),
}

/// Crawl the site at `location`.
pub async fn crawl(location: &str, ctx: &CrawlContext) -> Result<SourceCrawl, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let start = Url::parse(location).map_err(|e| failed(format!("not a URL: {e}")))?;
    if !matches!(start.scheme(), "http" | "https") {
        return Err(failed("only http and https URLs".into()));
    }
    let mut config = ctx.fetcher_config.clone();
    config.html_only = true;
    let fetcher = ctx.fetcher_with(config).map_err(|e| match e {
        SourceError::Failed { message, .. } => failed(message),
    })?;
    let mut crawl = Crawl {
        out: SourceCrawl::default(),
        host: site_host(&start),
        seen: HashSet::new(),
        queue: VecDeque::new(),
        fetched: 0,
        cache: ctx.cache_dir.as_ref().map(PageCache::new),
        cache_failed: false,
        not_followed: std::collections::HashMap::new(),
    };
    let sitemap_mode = is_sitemap(&start);
    let mut sitemaps = Vec::new();
    let home = if sitemap_mode {
        sitemaps.push(start.to_string());
        start.join("/").map_err(|e| failed(e.to_string()))?
    } else {
        start.clone()
    };

    // robots.txt: fetched once by the fetcher, its Sitemap lines read here
    match fetcher.rules_for(&home).await {
        Ok(rules) => {
            crawl.out.pages_fetched += 1;
            if !sitemap_mode {
                // `Sitemap:` lines may be relative ("/sitemap.xml"): resolved
                // against the robots.txt URL, as crawlers commonly do
                let robots = home
                    .join("/robots.txt")
                    .map_err(|e| failed(e.to_string()))?;
                for line in rules.sitemaps() {
                    match robots.join(line.trim()) {
                        Ok(url) => sitemaps.push(url.to_string()),
                        Err(_) => {
                            crawl.out.error("bad_url");
                            crawl
                                .out
                                .notes
                                .push(format!("{robots}: Sitemap {line:?} is not a URL"));
                        }
                    }
                }
            }
        }
        Err(e) => crawl.out.error(e.kind()),
    }

    // the start (or home) page: its links
    crawl.seen.insert(canonical(&home));
    let mut pages: Vec<SitePage> = Vec::new();
    let mut start_page = false;
    match crawl.fetch(&fetcher, home.as_str()).await {
        Ok((final_url, reading)) => {
            crawl.host = site_host(&final_url);
            crawl.enqueue_links(&final_url, &reading.links, 1);
            pages.push(reading.page);
            start_page = true;
        }
        Err(e) if !sitemap_mode => return Err(failed(format!("start page: {e}"))),
        Err(e) => crawl.out.notes.push(format!("{home}: {e}")),
    }

    for sitemap in sitemaps {
        let Ok(url) = Url::parse(&sitemap) else {
            crawl.out.error("bad_url");
            continue;
        };
        if site_host(&url) != crawl.host {
            crawl
                .out
                .notes
                .push(format!("{sitemap}: sitemap on another host, not read"));
            continue;
        }
        match fetcher
            .sitemap(url.as_str(), MAX_PAGES * 10, MAX_SITEMAPS)
            .await
        {
            Ok((urls, files)) => {
                crawl.out.pages_fetched += files;
                for entry in urls {
                    if let Ok(entry) = Url::parse(&entry) {
                        crawl.consider(entry, "", MAX_DEPTH);
                    }
                }
            }
            Err(e) if sitemap_mode => return Err(failed(format!("sitemap: {e}"))),
            Err(e) => {
                crawl.out.error(e.kind());
                crawl.out.notes.push(format!("{sitemap}: {e}"));
            }
        }
    }

    let max_pages = ctx.max_pages.unwrap_or(MAX_PAGES);
    while let Some((url, depth)) = crawl.queue.pop_front() {
        if crawl.fetched >= max_pages {
            crawl.out.error("page-limit");
            crawl.out.notes.push(format!(
                "{location}: stopped at {max_pages} pages, {} left unread",
                crawl.queue.len() + 1
            ));
            break;
        }
        (ctx.progress)(Progress {
            done: crawl.fetched as u64,
            total: Some((crawl.fetched + crawl.queue.len() + 1).min(max_pages) as u64),
        });
        match crawl.fetch(&fetcher, url.as_str()).await {
            Ok((final_url, reading)) => {
                if depth < MAX_DEPTH {
                    crawl.enqueue_links(&final_url, &reading.links, depth + 1);
                }
                pages.push(reading.page);
            }
            Err(e) => crawl.out.notes.push(format!("{url}: {e}")),
        }
    }
    (ctx.progress)(Progress {
        done: crawl.fetched as u64,
        total: Some(crawl.fetched as u64),
    });
    let site = crate::site::assemble(&pages, start_page, ctx.today);
    let listings = site.listings;
    let failed = crawl.fetched.saturating_sub(pages.len());
    let mut summary = format!(
        "{location}: {} pages read{}, {} program pages, {} locations, {} listings",
        pages.len(),
        if failed > 0 {
            format!(" ({failed} more failed, each on a line below)")
        } else {
            String::new()
        },
        site.programs,
        site.locations,
        listings.len()
    );
    // pages not read, and why (a page queued by another link is read)
    let mut skipped: std::collections::BTreeMap<&str, usize> = Default::default();
    for (url, why) in &crawl.not_followed {
        if !crawl.seen.contains(url) {
            *skipped.entry(why).or_default() += 1;
        }
    }
    if !skipped.is_empty() {
        let list: Vec<String> = [SKIP_POST, SKIP_OTHER, SKIP_OFF_SITE]
            .iter()
            .filter_map(|why| skipped.get(why).map(|n| format!("{n} {why}")))
            .collect();
        summary.push_str(&format!("; links not followed: {}", list.join(", ")));
    }
    if let Some(why) = &site.none {
        crawl.out.error("no-listing");
        summary.push_str(&format!("; no listing: {why}"));
    }
    crawl.out.notes.extend(site.notes);
    if crawl.cache.is_some() {
        summary.push_str(&format!(
            "; {} pages not modified (304), {} unchanged (same content hash)",
            crawl.out.pages_not_modified, crawl.out.pages_unchanged
        ));
    }
    crawl.out.notes.insert(0, summary);
    crawl.out.listings = listings;
    Ok(crawl.out)
}

struct Crawl {
    out: SourceCrawl,
    /// The site's host and port (`www.` dropped).
    host: String,
    seen: HashSet<String>,
    queue: VecDeque<(Url, usize)>,
    /// Pages requested (robots.txt and sitemaps not counted).
    fetched: usize,
    /// Pages from earlier crawls, for conditional GET.
    cache: Option<PageCache>,
    /// A cache write failed (reported once).
    cache_failed: bool,
    /// Links and sitemap entries not followed, and why (canonical URL ->
    /// reason); those queued later by another link are not counted.
    not_followed: std::collections::HashMap<String, &'static str>,
}

/// Why a link or sitemap entry is not followed: a blog or news post.
const SKIP_POST: &str = "blog or news posts";
/// Why a link or sitemap entry is not followed: not about a program or the
/// organization.
const SKIP_OTHER: &str = "not about a program or the organization";
/// Why a link is not followed: it leaves the site.
const SKIP_OFF_SITE: &str = "on other sites";

/// A URL without its fragment, for "seen".
fn canonical(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.to_string()
}

impl Crawl {
    fn push(&mut self, url: Url, depth: usize) {
        if !matches!(url.scheme(), "http" | "https") || site_host(&url) != self.host {
            return;
        }
        if is_document(&url) {
            if self.seen.insert(canonical(&url)) {
                self.out.error("not_html");
            }
            return;
        }
        if self.seen.insert(canonical(&url)) {
            let mut url = url;
            url.set_fragment(None);
            self.queue.push_back((url, depth));
        }
    }

    fn enqueue_links(&mut self, base: &Url, links: &[(String, String)], depth: usize) {
        for (href, text) in links {
            let Ok(url) = base.join(href) else { continue };
            self.consider(url, text, depth);
        }
    }

    /// Queue a link (its text, "" for a sitemap entry) when it looks like a
    /// program or organization page of this site; else note why not.
    fn consider(&mut self, url: Url, text: &str, depth: usize) {
        if !matches!(url.scheme(), "http" | "https") {
            return; // tel:, mailto:...: not pages
        }
        let why = if site_host(&url) != self.host {
            SKIP_OFF_SITE
        } else if is_post(&url) {
            SKIP_POST
        } else if looks_like_program(&url, text) || looks_like_site_page(&url, text) {
            self.push(url, depth);
            return;
        } else {
            SKIP_OTHER
        };
        self.not_followed.entry(canonical(&url)).or_insert(why);
    }

    async fn fetch(&mut self, fetcher: &Fetcher, url: &str) -> Result<(Url, Reading), PageFailure> {
        self.fetched += 1;
        let cached = self.cache.as_ref().and_then(|c| c.get(url));
        let validators = cached
            .as_ref()
            .map(CachedPage::validators)
            .unwrap_or_default();
        match fetcher.get_with(url, &validators).await {
            Ok(page) => {
                self.out.pages_fetched += 1;
                let final_url = page.final_url.clone();
                let text = if page.not_modified {
                    // a 304 answers validators, which only a cached page sends
                    let Some(mut entry) = cached else {
                        self.out.error("status");
                        return Err(FetchError::Status(304).into());
                    };
                    self.out.pages_not_modified += 1;
                    if page.etag != entry.etag || page.last_modified != entry.last_modified {
                        entry.etag = page.etag;
                        entry.last_modified = page.last_modified;
                        self.store(&entry);
                    }
                    entry.text
                } else {
                    let entry = CachedPage::of(url, &page);
                    if page.unchanged {
                        self.out.pages_unchanged += 1;
                    }
                    if cached.as_ref() != Some(&entry) {
                        self.store(&entry);
                    }
                    entry.text
                };
                // parsing is CPU work of up to the budget's time: off the
                // async workers
                let at = final_url.to_string();
                let reading = tokio::task::spawn_blocking(move || read_page(&text, &at))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                match reading {
                    Ok(reading) => Ok((final_url, reading)),
                    Err(e) => {
                        self.out.error(e.kind());
                        Err(e.into())
                    }
                }
            }
            Err(e) => {
                if matches!(e, FetchError::Status(_) | FetchError::NotHtml(_)) {
                    self.out.pages_fetched += 1;
                }
                if matches!(e, FetchError::Status(404 | 410)) && cached.is_some() {
                    if let Some(cache) = &self.cache {
                        let _ = cache.remove(url);
                    }
                }
                self.out.error(e.kind());
                Err(e.into())
            }
        }
    }

    /// Write a cache entry; a failure is counted and noted once, never fatal.
    fn store(&mut self, entry: &CachedPage) {
        let Some(cache) = &self.cache else { return };
        if let Err(e) = cache.put(entry) {
            self.out.error("cache");
            if !self.cache_failed {
                self.cache_failed = true;
                self.out.notes.push(format!(
                    "page cache {}: {e}; pages are fetched in full",
                    cache.dir().display()
                ));
            }
        }
    }
}
