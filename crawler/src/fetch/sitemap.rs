//! Sitemaps (sitemaps.org): `<urlset>` and `<sitemapindex>`, plain or gzip,
//! read with a small scanner for `<loc>` elements (CDATA and XML character
//! references handled), within limits on size and entries.

use std::io::Read;

use super::FetchError;

/// Most entries read from one sitemap file (the protocol's own limit).
pub const MAX_ENTRIES: usize = 50_000;
/// Largest decompressed sitemap (the protocol's own limit).
pub const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;

/// A parsed sitemap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// A `<sitemapindex>`: the sitemaps it lists.
    Index(Vec<String>),
    /// A `<urlset>`: the page URLs it lists.
    UrlSet(Vec<String>),
}

/// Parse a sitemap body, gunzipping it first when it starts with the gzip magic.
pub fn parse(body: &[u8]) -> Result<Sitemap, FetchError> {
    let inflated;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(body)
            .take(MAX_SITEMAP_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| FetchError::Network(format!("bad gzip sitemap: {e}")))?;
        if out.len() > MAX_SITEMAP_BYTES {
            return Err(FetchError::TooLarge(MAX_SITEMAP_BYTES));
        }
        inflated = out;
        &inflated[..]
    } else {
        body
    };
    let text = String::from_utf8_lossy(body);
    let index = match (text.find("<sitemapindex"), text.find("<urlset")) {
        (Some(i), Some(u)) => i < u,
        (Some(_), None) => true,
        _ => false,
    };
    let locs = locs(&text);
    Ok(if index {
        Sitemap::Index(locs)
    } else {
        Sitemap::UrlSet(locs)
    })
}

/// The text of every `<loc>` element (at most [`MAX_ENTRIES`]).
fn locs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + 5..];
        let Some(end) = rest.find("</loc>") else {
            break;
        };
        let raw = rest[..end].trim();
        rest = &rest[end + 6..];
        let value = match raw
            .strip_prefix("<![CDATA[")
            .and_then(|r| r.strip_suffix("]]>"))
        {
            Some(cdata) => cdata.trim().to_string(),
            None => unescape(raw),
        };
        if !value.is_empty() {
            out.push(value);
        }
        if out.len() >= MAX_ENTRIES {
            break;
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_and_index() {
        let set = b"<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
            <url><loc> https://a.example/x?a=1&amp;b=2 </loc></url>\
            <url><loc><![CDATA[https://a.example/y]]></loc></url></urlset>";
        assert_eq!(
            parse(set).unwrap(),
            Sitemap::UrlSet(vec![
                "https://a.example/x?a=1&b=2".into(),
                "https://a.example/y".into()
            ])
        );
        let index = b"<sitemapindex><sitemap><loc>https://a.example/s1.xml.gz</loc></sitemap></sitemapindex>";
        assert_eq!(
            parse(index).unwrap(),
            Sitemap::Index(vec!["https://a.example/s1.xml.gz".into()])
        );
        assert_eq!(unescape("a&#x41;&#66;&bogus;"), "aAB&bogus;");
    }
}
