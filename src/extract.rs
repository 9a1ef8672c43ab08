//! The `extract` command: one provider page (a file or a URL) -> the facts it
//! states, each with the sentence that states it, and the listing they make.

use anyhow::{Context, Result};
use iop_crawler::extract::budget::Budget;
use iop_crawler::extract::{extract_within, Extraction};
use iop_crawler::fetch::{charset, Fetcher, FetcherConfig};
use iop_crawler::normalize::normalize;
use iop_index::listing::Source;
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
    let source = Source {
        kind: "website".into(),
        title,
        url: url.clone(),
        record: None,
        edition: None,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let (listings, note) = match extraction.into_record(source, identity, today) {
        None => (
            Vec::new(),
            Some(
                "no listing: the page's structured data does not give the organization's name, city, state and ZIP code"
                    .to_string(),
            ),
        ),
        Some(record) => match normalize(record) {
            Ok(listing) => (vec![listing], None),
            Err(e) => (Vec::new(), Some(format!("no listing: {e}"))),
        },
    };
    out["source"] = json!(target);
    out["url"] = json!(url);
    out["listings"] = serde_json::to_value(&listings)?;
    out["note"] = json!(note);
    Ok(out)
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
