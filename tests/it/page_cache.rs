//! Rendered answers kept per generation (`src/web/page_cache.rs`), against
//! the real binary: a repeat is the same answer sent from memory, and
//! nothing of one request (language, encoding, host, a report, a new
//! generation) leaks into another's answer.

use crate::common::{self, TempDir, TestApp};
use reqwest::blocking::{Client, Response};

/// A client that neither follows redirects nor decodes gzip, so the test
/// sees answers as they were sent.
fn raw() -> Client {
    Client::builder()
        .no_proxy()
        .no_gzip()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = raw().get(format!("{}{path}", app.url));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().unwrap()
}

/// (hits, misses, pages held) from `/healthz`.
fn counts(app: &TestApp) -> (u64, u64, u64) {
    let (_, health) = app.json("/healthz");
    let c = &health["page_cache"];
    (
        c["hits"].as_u64().unwrap(),
        c["misses"].as_u64().unwrap(),
        c["pages"].as_u64().unwrap(),
    )
}

/// Status, the headers that describe the answer, and the body.
fn answer(r: Response) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = r.status().as_u16();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str() != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    (status, headers, r.bytes().unwrap().to_vec())
}

#[test]
fn a_repeated_page_is_the_same_answer_sent_from_memory() {
    let app = TestApp::start();
    let (_, search) = app.json("/api/v1/search?per_page=1");
    let id = search["results"][0]["id"].as_str().unwrap().to_string();
    let paths = [
        "/".to_string(),
        "/about".to_string(),
        "/search?near=95814&insurance=medicaid".to_string(),
        "/es/search?near=95814".to_string(),
        format!("/programs/{id}"),
        format!("/es/programs/{id}"),
        "/api/v1/search?near=95814&per_page=20".to_string(),
        format!("/api/v1/programs/{id}"),
    ];
    for path in &paths {
        let (hits, misses, _) = counts(&app);
        let first = answer(get(&app, path, &[]));
        assert_eq!(first.0, 200, "{path}");
        assert_eq!(counts(&app).1, misses + 1, "{path}: the first is rendered");
        let second = answer(get(&app, path, &[]));
        assert_eq!(counts(&app).0, hits + 1, "{path}: the repeat is a hit");
        assert_eq!(first, second, "{path}: the same status, headers and body");
        let names: Vec<&str> = second.1.iter().map(|(n, _)| n.as_str()).collect();
        for header in ["etag", "content-security-policy", "cache-control"] {
            assert!(names.contains(&header), "{path}: {header} kept: {names:?}");
        }
    }

    // the language is part of the URL: the Spanish page is never the English one
    let english = answer(get(&app, "/search?near=95814", &[]));
    let spanish = answer(get(&app, "/es/search?near=95814", &[]));
    assert!(String::from_utf8_lossy(&english.2).contains("lang=\"en\""));
    assert!(String::from_utf8_lossy(&spanish.2).contains("lang=\"es\""));

    // the encoding is part of the key: gzip for who asks, plain for who does not
    let path = "/search?near=95814&modality=cbt";
    for _ in 0..2 {
        let plain = get(&app, path, &[]);
        assert!(plain.headers().get("content-encoding").is_none());
        assert!(plain.text().unwrap().contains("<!DOCTYPE html>"));
        let gzip = get(&app, path, &[("accept-encoding", "gzip")]);
        assert_eq!(gzip.headers()["content-encoding"], "gzip");
        assert_eq!(&gzip.bytes().unwrap()[..2], &[0x1f, 0x8b], "gzip magic");
    }

    // the host is part of the key: each host's canonical links are its own
    for _ in 0..2 {
        for host in ["one.example:8080", "two.example:8080"] {
            let r = get(&app, &format!("/programs/{id}"), &[("host", host)]);
            let page = r.text().unwrap();
            assert!(
                page.contains(&format!("http://{host}/programs/{id}")),
                "{host}"
            );
        }
    }

    // conditional requests, HEAD and errors are not taken from the cache
    let (hits, _, _) = counts(&app);
    let etag = get(&app, "/about", &[]).headers()["etag"].clone();
    let hits_after_about = counts(&app).0;
    assert_eq!(hits_after_about, hits + 1);
    let not_modified = get(&app, "/about", &[("if-none-match", etag.to_str().unwrap())]);
    assert_eq!(not_modified.status(), 304);
    let head = raw().head(format!("{}/about", app.url)).send().unwrap();
    assert_eq!(head.status(), 200);
    for _ in 0..2 {
        assert_eq!(get(&app, "/search?radius=abc", &[]).status(), 400);
        assert_eq!(get(&app, "/programs/no-such-program", &[]).status(), 404);
    }
    assert_eq!(counts(&app).0, hits_after_about, "none of those was a hit");
}

#[test]
fn a_report_or_a_new_generation_is_shown_at_once() {
    let app = TestApp::start();
    let data = app.data.path().to_str().unwrap().to_string();
    let (_, search) = app.json("/api/v1/search?per_page=1");
    let id = search["results"][0]["id"].as_str().unwrap().to_string();
    let page = format!("/programs/{id}");
    for _ in 0..2 {
        let (_, html) = app.html(&page);
        assert!(!html.contains("correction to this listing was reported"));
    }
    assert!(counts(&app).0 >= 1, "the repeat was a hit");
    let r = common::no_redirects()
        .post(format!("{}{page}/report", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("problem=wrong-phone&details=The+number+is+out+of+service")
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = app.html(&page);
    assert!(
        html.contains("correction to this listing was reported"),
        "the kept page of before the report is not sent"
    );

    // a new generation: the sample republished from its store
    let (_, before) = app.json("/healthz");
    let search = "/api/v1/search?near=95814&per_page=1";
    app.json(search);
    app.json(search);
    let (ok, _, stderr) = common::run(&["reindex", "--data-dir", &data]);
    assert!(ok, "{stderr}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, now) = app.json("/healthz");
        if now["generation"] != before["generation"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new generation is served"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let r = get(&app, search, &[]);
    let (_, now) = app.json("/healthz");
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let generation = now["generation"].as_str().unwrap();
    assert!(
        tag.contains(generation),
        "{tag} is of generation {generation}"
    );
    assert_eq!(
        now["page_cache"]["pages"], 1,
        "the old generation's pages dropped"
    );
}

#[test]
fn the_cache_can_be_turned_off() {
    let app = TestApp::start_with_env(
        TempDir::new("no-page-cache"),
        &[("IOPFINDER_PAGE_CACHE_MB", "0")],
    );
    for _ in 0..3 {
        assert_eq!(app.get("/search?near=95814").status(), 200);
    }
    let (_, health) = app.json("/healthz");
    assert_eq!(health["page_cache"]["capacity_bytes"], 0);
    assert_eq!(health["page_cache"]["hits"], 0);
    assert_eq!(health["page_cache"]["pages"], 0);
}

#[test]
fn a_burst_of_one_new_url_is_rendered_once() {
    let app = TestApp::start();
    let (hits, misses, _) = counts(&app);
    let path = "/search?near=95814&radius=100&modality=dbt";
    let barrier = std::sync::Barrier::new(16);
    let bodies: Vec<Vec<u8>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    let r = get(&app, path, &[]);
                    assert_eq!(r.status(), 200);
                    r.bytes().unwrap().to_vec()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every answer the same page"
    );
    let (hits_after, misses_after, _) = counts(&app);
    assert_eq!(misses_after, misses + 1, "one render");
    assert_eq!(hits_after, hits + 15, "the others waited for it");
}
