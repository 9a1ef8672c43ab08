//! Reading an HSDS API (HSDA): `{base}/services?page=N&full=true` page by
//! page (the `Page` envelope), and a service listed without its nested
//! service-at-locations read whole from `{base}/services/{id}`.

use super::records::Service;
use super::MAX_PAGES;
use crate::fetch::Fetcher;
use crate::sources::{CrawlContext, Progress, SourceCrawl};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// HSDA's `Page` envelope: the fields the reader uses, each lenient (a
/// count or flag written as a string is read; anything else is absent).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Page {
    #[serde(deserialize_with = "count")]
    total_pages: Option<u64>,
    #[serde(deserialize_with = "count")]
    total_items: Option<u64>,
    #[serde(deserialize_with = "flag")]
    last_page: Option<bool>,
    /// The records; kept as JSON until each is read as a service, so one
    /// unreadable record does not lose the page.
    #[serde(deserialize_with = "array")]
    contents: Option<Vec<Value>>,
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn array<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Value>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(items),
        _ => None,
    })
}

/// Read every service of the API at `base` (without a trailing `/`). A
/// failed list page is the error answered; a failed service detail is an
/// error counted in `out`.
pub async fn read_api(
    base: &str,
    ctx: &CrawlContext,
    out: &mut SourceCrawl,
) -> Result<Vec<Service>, String> {
    let fetcher: Fetcher =
        crate::sources::data_fetcher(ctx, 64 * 1024 * 1024).map_err(|e| e.to_string())?;
    let mut services = Vec::new();
    let mut page = 1u64;
    loop {
        let url = format!("{base}/services?page={page}&full=true");
        let fetched = fetcher
            .get(&url)
            .await
            .map_err(|e| format!("services page {page}: {e}"))?;
        out.pages_fetched += 1;
        let value: Value = serde_json::from_slice(&fetched.bytes)
            .map_err(|e| format!("services page {page}: not JSON: {e}"))?;
        // not an object: no `contents`, answered below
        let envelope: Page = serde_json::from_value(value).unwrap_or_default();
        let Some(contents) = envelope.contents else {
            return Err(format!(
                "services page {page}: no `contents` array; is {base} an HSDS API?"
            ));
        };
        let empty = contents.is_empty();
        for record in contents {
            let service: Service = match serde_json::from_value(record) {
                Ok(service) => service,
                Err(e) => {
                    out.error("bad-json");
                    out.notes
                        .push(format!("services page {page}: a record not read: {e}"));
                    continue;
                }
            };
            if service.service_at_locations.is_some() {
                services.push(service);
                continue;
            }
            let Some(id) = service.id.as_deref() else {
                out.error("service-without-id");
                out.notes.push(format!(
                    "services page {page}: a service without an id and without its locations: not read"
                ));
                continue;
            };
            let detail = format!("{base}/services/{id}");
            match fetcher.get(&detail).await {
                Ok(p) => {
                    out.pages_fetched += 1;
                    match serde_json::from_slice::<Service>(&p.bytes) {
                        Ok(v) => services.push(v),
                        Err(e) => {
                            out.error("bad-json");
                            out.notes.push(format!("{detail}: not JSON: {e}"));
                        }
                    }
                }
                Err(e) => {
                    if matches!(e, crate::fetch::FetchError::Status(_)) {
                        out.pages_fetched += 1;
                    }
                    out.error(e.kind());
                    out.notes.push(format!("{detail}: {e}"));
                }
            }
        }
        (ctx.progress)(Progress {
            done: services.len() as u64,
            total: envelope.total_items,
        });
        let done = match (envelope.last_page, envelope.total_pages) {
            (Some(true), _) => true,
            (_, Some(total)) => page >= total,
            _ => empty,
        };
        if done || empty || page >= MAX_PAGES {
            break;
        }
        page += 1;
    }
    Ok(services)
}
