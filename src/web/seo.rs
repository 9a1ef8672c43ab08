//! How search engines and browsers find the site: `/sitemap.xml` (a sitemap
//! index of 50,000-URL chunks when there are more URLs), `/robots.txt`,
//! `/opensearch.xml`, and the site's public base URL.
//!
//! The public base URL makes canonical links, Open Graph URLs and sitemap
//! entries absolute. It is `IOPFINDER_PUBLIC_URL` when set
//! (`https://iopfinder.example`), else `http://` and the request's `Host`
//! header, else `http://127.0.0.1:3000`.

use super::{AppState, PageError};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
use std::sync::LazyLock;

/// The environment variable naming the site's public base URL.
pub const PUBLIC_URL_VAR: &str = "IOPFINDER_PUBLIC_URL";

/// The most URLs one sitemap file may list (sitemaps.org).
const SITEMAP_CHUNK: usize = 50_000;

static CONFIGURED_PUBLIC_URL: LazyLock<Option<String>> = LazyLock::new(|| {
    let value = std::env::var(PUBLIC_URL_VAR).ok()?;
    let value = value.trim().trim_end_matches('/');
    if value.is_empty() {
        return None;
    }
    let scheme_ok = value.starts_with("https://") || value.starts_with("http://");
    if !scheme_ok || value.contains(['"', '<', '>', ' ', '\'', '?', '#']) {
        tracing::warn!("{PUBLIC_URL_VAR}={value:?} is not an http(s) base URL; ignoring it");
        return None;
    }
    Some(value.to_string())
});

/// Whether the configured public URL is https (the site is served over TLS).
pub fn serves_https() -> bool {
    CONFIGURED_PUBLIC_URL
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

/// The site's public base URL, without a trailing slash.
pub fn public_url(headers: &HeaderMap) -> String {
    if let Some(configured) = CONFIGURED_PUBLIC_URL.as_ref() {
        return configured.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_plain_host(h));
    match host {
        Some(host) => format!("http://{host}"),
        None => iop_templates::DEFAULT_PUBLIC_URL.to_string(),
    }
}

/// A `Host` header that is only a host name or address and a port (nothing
/// that could smuggle markup or a path into a URL).
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sitemap.xml", get(sitemap))
        .route("/sitemaps/{file}", get(sitemap_chunk))
        .route("/robots.txt", get(robots))
        .route("/opensearch.xml", get(opensearch))
}

fn xml(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Escape text for XML character data and attribute values.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The pages a search engine should know, in order: home, about, then every
/// listing in name order; each page has one URL per language (English, then
/// `/es/...`).
fn url_count(state: &AppState) -> usize {
    (state.generation().index.len() + 2) * iop_templates::Lang::ALL.len()
}

/// URLs `range` of that order, with the listing's last-checked date where
/// there is one. Only the listings the range covers are decoded, off the
/// async threads: a chunk of a big directory is 25,000 listings, not all.
async fn page_urls(
    state: &AppState,
    base: &str,
    range: std::ops::Range<usize>,
) -> Result<Vec<(String, Option<String>)>, PageError> {
    let langs = iop_templates::Lang::ALL;
    let (first_page, end_page) = (range.start / langs.len(), range.end.div_ceil(langs.len()));
    let generation = state.generation().clone();
    let listings = super::blocking(move || {
        generation
            .index
            .listings_in_order(first_page.saturating_sub(2)..end_page.saturating_sub(2))
    })
    .await
    .map_err(|e| {
        PageError::Internal(anyhow::Error::new(e).context("listing the listings for the sitemap"))
    })?;
    let fixed = [("/".to_string(), None), ("/about".to_string(), None)];
    let pages = fixed
        .into_iter()
        .skip(first_page)
        .take(end_page.saturating_sub(first_page))
        .chain(listings.iter().map(|l| {
            (
                format!("/programs/{}", l.id),
                l.last_checked().map(|d| d.to_string()),
            )
        }));
    let mut urls = Vec::with_capacity(range.len());
    for (path, lastmod) in pages {
        for lang in langs {
            urls.push((format!("{base}{}{path}", lang.prefix()), lastmod.clone()));
        }
    }
    let skip = range.start - first_page * langs.len();
    Ok(urls.into_iter().skip(skip).take(range.len()).collect())
}

fn urlset(urls: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        let _ = write!(out, "<url><loc>{}</loc>", xml_escape(loc));
        if let Some(date) = lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", xml_escape(date));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

fn sitemap_index(base: &str, chunks: usize) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=chunks {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}/sitemaps/{n}.xml</loc></sitemap>",
            xml_escape(base)
        );
    }
    let _ = writeln!(
        out,
        "<sitemap><loc>{}/sitemaps/downloads.xml</loc></sitemap>",
        xml_escape(base)
    );
    out.push_str("</sitemapindex>\n");
    out
}

/// The sitemap; a sitemap index of `/sitemaps/{n}.xml` chunks when there
/// are more URLs than one sitemap may hold.
async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let base = public_url(&headers);
    let count = url_count(&state);
    if count > SITEMAP_CHUNK {
        return Ok(xml(sitemap_index(&base, count.div_ceil(SITEMAP_CHUNK))));
    }
    let mut urls = page_urls(&state, &base, 0..count).await?;
    urls.extend(download_urls(&state, &base));
    Ok(xml(urlset(&urls)))
}

/// The bulk download's files, dated by the generation they are built from.
fn download_urls(state: &AppState, base: &str) -> Vec<(String, Option<String>)> {
    let built = state
        .generation()
        .meta
        .built_at
        .get(..10)
        .map(str::to_string);
    super::download::PATHS
        .iter()
        .map(|path| (format!("{base}{path}"), built.clone()))
        .collect()
}

async fn sitemap_chunk(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let base = public_url(&headers);
    let not_found = || {
        PageError::NotFound(format!(
            "There is no sitemap {file:?}. The list of sitemaps is at /sitemap.xml."
        ))
    };
    let count = url_count(&state);
    if file == "downloads.xml" && count > SITEMAP_CHUNK {
        return Ok(xml(urlset(&download_urls(&state, &base))));
    }
    let Some(n) = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n >= 1 && count > SITEMAP_CHUNK && (n - 1) * SITEMAP_CHUNK < count)
    else {
        return Err(not_found());
    };
    let start = (n - 1) * SITEMAP_CHUNK;
    let urls = page_urls(&state, &base, start..(start + SITEMAP_CHUNK).min(count)).await?;
    Ok(xml(urlset(&urls)))
}

/// Crawl every page, but not the API, result pages with parameters (their
/// combinations are endless and each says `noindex`) or the report forms.
async fn robots(headers: HeaderMap) -> Response {
    let base = public_url(&headers);
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /search?\nDisallow: /es/search?\nDisallow: /programs/*/report\nDisallow: /es/programs/*/report\n\nSitemap: {base}/sitemap.xml\n"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The OpenSearch description: browsers offer the site as a search engine.
async fn opensearch(headers: HeaderMap) -> Response {
    let base = xml_escape(&public_url(&headers));
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
<ShortName>IOP Finder</ShortName>
<Description>Search intensive outpatient programs by place, insurance and care.</Description>
<InputEncoding>UTF-8</InputEncoding>
<Language>en-us</Language>
<Url type="text/html" method="get" template="{base}/search?q={{searchTerms}}"/>
<Url type="application/json" method="get" template="{base}/api/v1/search?q={{searchTerms}}"/>
<Url type="application/opensearchdescription+xml" rel="self" template="{base}/opensearch.xml"/>
</OpenSearchDescription>
"#
    );
    (
        [(
            header::CONTENT_TYPE,
            "application/opensearchdescription+xml; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_anything_but_a_name_and_port_are_refused() {
        assert!(is_plain_host("iopfinder.example:8080"));
        assert!(is_plain_host("[::1]:3000"));
        assert!(!is_plain_host("evil.example/\"><script>"));
        assert!(!is_plain_host("a b"));
        assert!(!is_plain_host(""));
    }

    #[test]
    fn a_sitemap_index_names_one_file_per_chunk() {
        let index = sitemap_index("https://x.example", 3);
        // the chunks, then the bulk download's files
        assert_eq!(index.matches("<sitemap>").count(), 4);
        assert!(index.contains("<loc>https://x.example/sitemaps/3.xml</loc>"));
        assert!(index.contains("<loc>https://x.example/sitemaps/downloads.xml</loc>"));
        let set = urlset(&[("https://x.example/a&b".into(), Some("2026-01-02".into()))]);
        assert!(set.contains("<loc>https://x.example/a&amp;b</loc><lastmod>2026-01-02</lastmod>"));
    }
}
