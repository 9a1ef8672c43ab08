//! A crawl of many provider websites keeps many hosts busy at once, each
//! within its politeness: 200 loopback sites (200 ports of 127.0.0.1, each
//! its own host to the crawler) with a per-host delay, crawled by the real
//! binary from one `--sources` file. Every request is recorded by the
//! sites; the test checks that several hosts had a request in flight at the
//! same moment, that no host ever had two, and that no host was asked again
//! sooner than its delay after its last answer. Prints pages/s.

use crate::common::{run, TempDir};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SITES: usize = 200;
const DELAY: Duration = Duration::from_millis(200);
/// How long each page takes to answer: long enough that two requests to
/// one host at once, or to many hosts at once, overlap visibly.
const ANSWER: Duration = Duration::from_millis(15);

/// One request as a site saw it: its port, path, and when it came and was
/// answered (since the sites started).
#[derive(Debug, Clone)]
struct Request {
    port: u16,
    path: String,
    came: Duration,
    answered: Duration,
}

#[derive(Default)]
struct Log {
    requests: Vec<Request>,
    in_flight: usize,
    most_in_flight: usize,
    in_flight_by_port: BTreeMap<u16, usize>,
    most_in_flight_at_one_host: usize,
}

fn page(port: u16, path: &str) -> Option<(&'static str, String)> {
    let home = format!(
        "<html><head><title>Harbor Path {port}</title></head><body>\
         <h1>Harbor Path Recovery {port}</h1>\
         <p>Our intensive outpatient program (IOP) meets three evenings a week.</p>\
         <p>12 Main St, Boston, MA 02108. Call 617-555-0100.</p>\
         <a href=\"/services\">Services</a> <a href=\"/insurance\">Insurance</a> \
         <a href=\"/contact\">Contact</a></body></html>"
    );
    match path {
        "/robots.txt" => Some(("text/plain", "User-agent: *\nAllow: /\n".to_string())),
        "/" => Some(("text/html; charset=utf-8", home)),
        "/services" | "/insurance" | "/contact" => Some((
            "text/html; charset=utf-8",
            format!(
                "<html><head><title>{path}</title></head><body><p>We accept Medicaid.</p>\
                 <a href=\"/\">Home</a></body></html>"
            ),
        )),
        _ => None,
    }
}

/// Start `SITES` sites on 127.0.0.1 (one runtime, one listener each);
/// answers their ports and the request log.
fn start_sites(start: Instant) -> (Vec<u16>, Arc<Mutex<Log>>) {
    use axum::http::{header, StatusCode, Uri};
    use axum::response::IntoResponse;
    let log = Arc::new(Mutex::new(Log::default()));
    let mut listeners = Vec::new();
    for _ in 0..SITES {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        listeners.push(listener);
    }
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    let shared = log.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let mut servers = tokio::task::JoinSet::new();
            for listener in listeners {
                let port = listener.local_addr().unwrap().port();
                let log = shared.clone();
                let app = axum::Router::new().fallback(move |uri: Uri| {
                    let log = log.clone();
                    async move {
                        let came = start.elapsed();
                        {
                            let mut log = log.lock().unwrap();
                            log.in_flight += 1;
                            log.most_in_flight = log.most_in_flight.max(log.in_flight);
                            let here = log.in_flight_by_port.entry(port).or_default();
                            *here += 1;
                            let here = *here;
                            log.most_in_flight_at_one_host =
                                log.most_in_flight_at_one_host.max(here);
                        }
                        tokio::time::sleep(ANSWER).await;
                        let answer = page(port, uri.path());
                        let mut log = log.lock().unwrap();
                        log.in_flight -= 1;
                        *log.in_flight_by_port.get_mut(&port).unwrap() -= 1;
                        log.requests.push(Request {
                            port,
                            path: uri.path().to_string(),
                            came,
                            answered: start.elapsed(),
                        });
                        match answer {
                            Some((content_type, body)) => {
                                ([(header::CONTENT_TYPE, content_type)], body).into_response()
                            }
                            None => (StatusCode::NOT_FOUND, "not found").into_response(),
                        }
                    }
                });
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                servers.spawn(async move { axum::serve(listener, app).await });
            }
            while servers.join_next().await.is_some() {}
        });
    });
    (ports, log)
}

#[test]
fn a_crawl_of_many_websites_keeps_many_hosts_busy_each_within_its_politeness() {
    let data = TempDir::new("crawl-hosts-data");
    let files = TempDir::new("crawl-hosts-src");
    let start = Instant::now();
    let (ports, log) = start_sites(start);
    let list = files.path().join("sources.toml");
    let mut toml = String::new();
    for port in &ports {
        toml.push_str(&format!(
            "[[source]]\nkind = \"website\"\nlocation = \"http://127.0.0.1:{port}/\"\ndelay_ms = {}\n\n",
            DELAY.as_millis()
        ));
    }
    std::fs::write(&list, toml).unwrap();
    let crawl_started = start.elapsed();
    let (ok, out, err) = run(&[
        "crawl",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--sources",
        list.to_str().unwrap(),
        "--allow-address",
        "127.0.0.0/8",
        "--concurrent-hosts",
        "32",
    ]);
    let seconds = (start.elapsed() - crawl_started).as_secs_f64();
    assert!(ok, "{out}\n{err}");
    let log = log.lock().unwrap();

    // every site was asked, and nearly all read whole: the home page and
    // the pages it links (on a loaded machine a page's extraction can run
    // out of time, and its links are not followed)
    let mut by_port: BTreeMap<u16, Vec<&Request>> = BTreeMap::new();
    for r in &log.requests {
        by_port.entry(r.port).or_default().push(r);
    }
    assert_eq!(by_port.len(), SITES, "sites asked");
    let whole = by_port
        .values()
        .filter(|requests| {
            ["/", "/services", "/insurance", "/contact"]
                .iter()
                .all(|path| requests.iter().any(|r| r.path == *path))
        })
        .count();
    assert!(
        whole >= SITES * 9 / 10,
        "only {whole} of {SITES} sites read whole"
    );
    // many hosts at once, never two requests at once to one host
    assert!(
        log.most_in_flight > 1,
        "at most {} request in flight across {SITES} hosts",
        log.most_in_flight
    );
    assert_eq!(
        log.most_in_flight_at_one_host, 1,
        "a host had two requests at once"
    );
    // each host asked again only its delay after its last answer
    for (port, requests) in &mut by_port {
        requests.sort_by_key(|r| r.came);
        for pair in requests.windows(2) {
            let gap = pair[1].came.saturating_sub(pair[0].answered);
            assert!(
                gap >= DELAY,
                "{port}: {} {:?} after {} was answered, less than its delay {DELAY:?}",
                pair[1].path,
                gap,
                pair[0].path
            );
        }
    }
    let pages = log.requests.len();
    println!(
        "{SITES} loopback sites, {}ms per-host delay, 32 hosts at once: {pages} requests in {seconds:.1} s = {:.1} pages/s; at most {} in flight at once (one host would allow {:.1} pages/s)",
        DELAY.as_millis(),
        pages as f64 / seconds,
        log.most_in_flight,
        1.0 / (DELAY + ANSWER).as_secs_f64()
    );
}
