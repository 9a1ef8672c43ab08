//! The `extract` command: one provider page (a file or a URL) -> the facts it
//! states, each with the sentence that states it, and the listing they make;
//! or, with `--site URL`, a whole site read as a `website` crawl reads it ->
//! the listings it makes, every fact with its page and sentence.

use anyhow::{Context, Result};
use iop_crawler::extract::budget::Budget;
use iop_crawler::extract::{extract_within, Extraction};
use iop_crawler::fetch::{charset, Fetcher, FetcherConfig};
use iop_crawler::site::{assemble, SitePage};
use iop_index::Vocabulary;
use serde_json::{json, Value};
use std::path::Path;

/// Read `target` (an http(s) URL or a file path) and describe what it says.
pub fn run(target: &str, fetcher: FetcherConfig) -> Result<Value> {
    let is_url = target.starts_with("http://") || target.starts_with("https://");
    let (text, url, identity, title) = if is_url {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let fetcher = Fetcher::new(fetcher).map_err(|e| anyhow::anyhow!("{e}"))?;
        let page = runtime
            .block_on(fetcher.get(target))
            .map_err(|e| anyhow::anyhow!("fetching {target}: {e}"))?;
        let mut final_url = page.final_url.clone();
        final_url.set_fragment(None);
        let url = final_url.to_string();
        let host = page.final_url.host_str().unwrap_or("provider").to_string();
        (page.text, Some(url.clone()), url, format!("{host} website"))
    } else {
        let path = Path::new(target);
        let bytes = std::fs::read(path).with_context(|| format!("reading {target}"))?;
        let (text, _) = charset::decode(&bytes, None);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| target.to_string());
        let identity = std::fs::canonicalize(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| target.to_string());
        (text, None, identity, format!("page file {name}"))
    };
    let extraction = extract_within(&text, url.as_deref(), &Budget::default())
        .with_context(|| format!("reading {target}"))?;
    let mut out = describe(&extraction);
    // the listing(s) the page makes read alone: its structured data or the
    // address, phone and name a person sees on it
    let page_url = url.clone().unwrap_or_else(|| format!("file://{identity}"));
    let page = SitePage::read(&page_url, &text);
    let today = time::OffsetDateTime::now_utc().date();
    let mut site = assemble(&[page], false, today);
    for listing in &mut site.listings {
        for source in &mut listing.sources {
            source.title.clone_from(&title);
        }
    }
    let listings = site.listings;
    let note = site.none.map(|why| format!("no listing: {why}"));
    out["source"] = json!(target);
    out["url"] = json!(url);
    out["listings"] = serde_json::to_value(&listings)?;
    out["note"] = json!(note);
    Ok(out)
}

/// Read a whole site as a `website` crawl would, and describe the listings
/// it makes: each fact with its value, sentence and page.
pub fn run_site(url: &str, fetcher: FetcherConfig) -> Result<Value> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        anyhow::bail!("--site {url:?}: give the site's http(s) URL, for example https://provider.example.org/");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let today = time::OffsetDateTime::now_utc().date();
    let ctx = iop_crawler::sources::CrawlContext::new(today, fetcher);
    let out = runtime
        .block_on(iop_crawler::sources::crawl(
            iop_crawler::sources::SourceKind::Website,
            url,
            &ctx,
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let v = Vocabulary::get();
    let listings: Vec<Value> = out
        .listings
        .iter()
        .map(|l| {
            let facts: Vec<Value> = l
                .provenance
                .iter()
                .filter(|p| p.fact.contains('/'))
                .map(|p| {
                    let (group, slug) = p.fact.split_once('/').unwrap_or(("", ""));
                    let label = v.lookup(group, slug).map(|x| x.label.clone());
                    json!({
                        "fact": p.fact,
                        "value": label,
                        "evidence": p.evidence,
                        "page": l.sources.get(p.source).and_then(|s| s.url.clone()),
                    })
                })
                .collect();
            json!({
                "name": l.name,
                "program_name": l.program_name,
                "address": l.address,
                "phone": l.phone,
                "website": l.website,
                "schedule": l.schedule,
                "level_of_care": l.level_of_care,
                "facts": facts,
            })
        })
        .collect();
    Ok(json!({
        "site": url,
        "pages_fetched": out.pages_fetched,
        "errors": out.errors,
        "report": out.notes,
        "listings": listings,
    }))
}

/// The extraction as JSON: organization, facts with evidence, schedule.
fn describe(x: &Extraction) -> Value {
    let v = Vocabulary::get();
    let facts: Vec<Value> = x
        .values
        .iter()
        .chain(&x.schedule.tracks)
        .map(|fact| {
            let value = v.value(fact.value);
            let group = v.group(value.group);
            json!({
                "fact": format!("{}/{}", group.slug, value.slug),
                "group": group.label,
                "value": value.label,
                "evidence": fact.evidence,
            })
        })
        .collect();
    let organization = x.organization.as_ref().map(|o| {
        json!({
            "name": o.name,
            "phone": o.phone,
            "street": o.street,
            "city": o.city,
            "state": o.state,
            "zip": o.zip,
            "lat": o.lat,
            "lon": o.lon,
            "website": o.website,
        })
    });
    let s = &x.schedule;
    json!({
        "organization": organization,
        "facts": facts,
        "schedule": {
            "sessions": s.sessions,
            "days_per_week": s.days_per_week,
            "hours_per_week": s.hours_per_week,
            "program_weeks": s.program_weeks,
            "evidence": s.evidence,
        },
        "php": x.php,
        "outpatient": x.outpatient,
    })
}
