//! Scaled out on parts operators already run, all on 127.0.0.1: nginx serves
//! a publishing data directory's `index/`; two replicas run
//! `iopfinder serve --index-from` that URL with a shared reports directory;
//! HAProxy balances them, retrying a failed request on the other replica. A
//! new generation is published while requests flow; both replicas must switch
//! to it and one replica's death must cost no request.
//!
//! Needs the Debian packages nginx and haproxy (`.ci/run` installs them);
//! without them the test says so and skips.

use crate::common;

use common::{client, TempDir, BIN};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The load loop's bounds: whichever comes first.
const LOAD_MAX_REQUESTS: u64 = 50_000;
const LOAD_MAX_TIME: Duration = Duration::from_secs(120);

/// A program on `PATH` or in the sbin directories Debian installs daemons to.
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A port free on 127.0.0.1 a moment ago (for nginx and HAProxy, which take
/// their ports from a configuration file).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Wait until `url` answers 200 (at most 30 s).
fn wait_ok(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client().get(url).send() {
            if r.status().is_success() {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not answer {url} in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start_nginx(nginx: &Path, dir: &Path, docroot: &Path, port: u16) -> Running {
    let conf = dir.join("nginx.conf");
    let d = dir.display();
    // the configuration DEPLOY.md gives for the publish target, on a test port
    std::fs::write(
        &conf,
        format!(
            r#"daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  default_type application/octet-stream;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /index/CURRENT {{
      default_type text/plain;
      add_header Cache-Control "no-cache";
    }}
    location /index/ {{
      add_header Cache-Control "public, max-age=31536000, immutable";
    }}
  }}
}}
"#,
            root = docroot.display()
        ),
    )
    .unwrap();
    let child = Command::new(nginx)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("nginx-error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    let nginx = Running(child);
    wait_ok(&format!("http://127.0.0.1:{port}/index/CURRENT"), "nginx");
    nginx
}

fn start_haproxy(haproxy: &Path, dir: &Path, port: u16, replicas: &[String]) -> Running {
    let conf = dir.join("haproxy.cfg");
    let servers: String = replicas
        .iter()
        .enumerate()
        .map(|(i, url)| {
            let addr = url.trim_start_matches("http://");
            format!("  server replica{i} {addr} check inter 200ms fall 2 rise 2\n")
        })
        .collect();
    // the balancer DEPLOY.md gives, on a test port
    std::fs::write(
        &conf,
        format!(
            r#"global
  maxconn 512
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout
frontend site
  bind 127.0.0.1:{port}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /healthz
{servers}"#
        ),
    )
    .unwrap();
    let child = Command::new(haproxy)
        .arg("-f")
        .arg(&conf)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("haproxy starts");
    let haproxy = Running(child);
    wait_ok(&format!("http://127.0.0.1:{port}/healthz"), "haproxy");
    haproxy
}

/// `iopfinder serve --index-from URL` on an empty data directory; answers
/// the process and its URL.
fn start_replica(index_url: &str, data: &Path, reports: &Path) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--index-poll", "1"])
        .arg("--data-dir")
        .arg(data)
        .arg("--index-from")
        .arg(index_url)
        .arg("--reports-dir")
        .arg(reports)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("iopfinder starts");
    let url = common::listening_url(&mut child);
    (Running(child), url)
}

fn health(url: &str) -> Value {
    client()
        .get(format!("{url}/healthz"))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// What the load loop saw.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    failures: Mutex<Vec<String>>,
    /// Generations `/healthz` answered through the balancer, in order of
    /// first sight.
    generations: Mutex<Vec<String>>,
}

/// Requests through the balancer until `stop` (or the bounds), alternating a
/// search and `/healthz`.
fn load(balancer: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) && n < LOAD_MAX_REQUESTS && started.elapsed() < LOAD_MAX_TIME
    {
        let path = if n.is_multiple_of(2) {
            "/api/v1/search?per_page=1"
        } else {
            "/healthz"
        };
        n += 1;
        let outcome = http
            .get(format!("{balancer}{path}"))
            .send()
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let status = r.status();
                let body: Value = r.json().map_err(|e| format!("{status}: {e}"))?;
                if status.is_success() {
                    Ok(body)
                } else {
                    Err(format!("{status}: {body}"))
                }
            });
        match outcome {
            Ok(body) => {
                tally.ok.fetch_add(1, Ordering::SeqCst);
                if let Some(g) = body["generation"].as_str() {
                    let mut seen = tally.generations.lock().unwrap();
                    if seen.last().map(String::as_str) != Some(g) {
                        seen.push(g.to_string());
                    }
                }
            }
            Err(e) => {
                tally.failed.fetch_add(1, Ordering::SeqCst);
                tally.failures.lock().unwrap().push(format!("{path}: {e}"));
            }
        }
    }
}

#[test]
fn replicas_behind_a_balancer_switch_generations_and_survive_a_death_without_a_failed_request() {
    let (Some(nginx), Some(haproxy)) = (find_tool("nginx"), find_tool("haproxy")) else {
        eprintln!(
            "skipping: nginx and haproxy are not both installed \
             (apt-get install nginx haproxy; .ci/run installs them)"
        );
        return;
    };
    let work = TempDir::new("scale-out");
    let origin = work.path().join("origin");
    let (ok, _, err) = common::run(&[
        "crawl",
        "--data-dir",
        origin.to_str().unwrap(),
        "--source",
        "sample=embedded",
    ]);
    assert!(ok, "{err}");
    let first = std::fs::read_to_string(origin.join("index/CURRENT")).unwrap();

    let nginx_dir = work.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let nginx_port = free_port();
    let _nginx = start_nginx(&nginx, &nginx_dir, &origin, nginx_port);
    let index_url = format!("http://127.0.0.1:{nginx_port}/index/");

    let reports = work.path().join("reports");
    let (replica_a, url_a) = start_replica(&index_url, &work.path().join("a"), &reports);
    let (_replica_b, url_b) = start_replica(&index_url, &work.path().join("b"), &reports);
    for url in [&url_a, &url_b] {
        let h = health(url);
        assert_eq!(h["generation"], first.as_str(), "{h:#}");
        assert_eq!(h["status"], "ok", "{h:#}");
        assert_eq!(h["updates"]["from"], index_url.as_str());
    }
    let listings_first = health(&url_a)["listings"].as_u64().unwrap();

    // replicas keep no state: a report sent to either lands in the shared
    // reports directory
    let search: Value = client()
        .get(format!("{url_a}/api/v1/search?per_page=1"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = search["results"][0]["id"].as_str().unwrap().to_string();
    for url in [&url_a, &url_b] {
        let r = common::no_redirects()
            .post(format!("{url}/programs/{id}/report"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("problem=closed&details=seen+by+a+replica")
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{url}");
    }
    let stored = std::fs::read_to_string(reports.join("reports.jsonl")).unwrap();
    assert_eq!(stored.lines().count(), 2, "{stored}");
    assert!(!work.path().join("a/reports").exists());
    // the operator reads and closes them there, beside the publishing data
    // directory (whose crawl state says what changed since)
    let reports_arg = reports.to_str().unwrap();
    let origin_arg = origin.to_str().unwrap();
    let inbox = |args: &[&str]| {
        let mut all = vec![
            "reports",
            "--data-dir",
            origin_arg,
            "--reports-dir",
            reports_arg,
        ];
        all.extend_from_slice(args);
        let (ok, out, err) = common::run(&all);
        assert!(ok, "{args:?}: {err}");
        out
    };
    let listed = inbox(&["list"]);
    assert!(listed.starts_with("2 reports, 2 open"), "{listed}");
    assert!(listed.contains(&id), "{listed}");
    inbox(&["resolve", "1", "--note", "checked with the program"]);
    let listed = inbox(&["list"]);
    assert!(listed.starts_with("2 reports, 1 open"), "{listed}");
    assert!(reports.join("resolved.jsonl").exists());

    let balancer_port = free_port();
    let _haproxy = start_haproxy(
        &haproxy,
        &nginx_dir,
        balancer_port,
        &[url_a.clone(), url_b.clone()],
    );
    let balancer = format!("http://127.0.0.1:{balancer_port}");

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let loader = {
        let (stop, tally, balancer) = (stop.clone(), tally.clone(), balancer.clone());
        std::thread::spawn(move || load(balancer, stop, tally))
    };
    std::thread::sleep(Duration::from_secs(1));

    // publish a new generation, one listing fewer, while requests flow
    let store_path = origin.join("listings.json");
    let mut listings: Vec<Value> =
        serde_json::from_slice(&std::fs::read(&store_path).unwrap()).unwrap();
    listings.pop();
    std::fs::write(&store_path, serde_json::to_vec(&listings).unwrap()).unwrap();
    let (ok, _, err) = common::run(&["reindex", "--data-dir", origin.to_str().unwrap()]);
    assert!(ok, "{err}");
    let second = std::fs::read_to_string(origin.join("index/CURRENT")).unwrap();
    assert_ne!(first, second);

    let deadline = Instant::now() + Duration::from_secs(30);
    for url in [&url_a, &url_b] {
        loop {
            let h = health(url);
            if h["generation"] == second.as_str() {
                assert_eq!(h["status"], "ok", "{h:#}");
                assert_eq!(h["listings"].as_u64(), Some(listings_first - 1));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{url} did not switch to {second} in 30 s: {h:#}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    let before_death = tally.ok.load(Ordering::SeqCst);

    // one replica dies mid-load: the balancer retries on the other
    drop(replica_a);
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    loader.join().unwrap();

    let ok = tally.ok.load(Ordering::SeqCst);
    let failed = tally.failed.load(Ordering::SeqCst);
    let failures = tally.failures.lock().unwrap();
    eprintln!(
        "through the balancer: {ok} answered, {failed} failed ({} after the death)",
        ok - before_death
    );
    assert_eq!(
        failed,
        0,
        "failed requests: {:?}",
        &failures[..failures.len().min(5)]
    );
    assert!(
        ok >= 50 && ok - before_death >= 10,
        "too little load to tell: {ok}"
    );
    let seen = tally.generations.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&first), "{seen:?}");
    assert_eq!(seen.last(), Some(&second), "{seen:?}");
    let h: Value = client()
        .get(format!("{balancer}/healthz"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(h["generation"], second.as_str());
}

#[test]
fn a_replica_that_cannot_get_its_first_generation_says_why_and_exits() {
    let data = TempDir::new("replica-first");
    let dir = data.path().to_str().unwrap();
    let (ok, _, err) = common::run(&["serve", "--data-dir", dir, "--index-from", "ftp://x/"]);
    assert!(!ok);
    assert!(err.contains("not an http or https URL"), "{err}");
    // nothing listens on a port just freed
    let url = format!("http://127.0.0.1:{}/index/", free_port());
    let (ok, _, err) = common::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        dir,
        "--index-from",
        &url,
    ]);
    assert!(!ok);
    assert!(
        err.contains("has no index to serve yet") && err.contains(&format!("{url}CURRENT")),
        "{err}"
    );
    assert!(
        !data.path().join("index/CURRENT").exists(),
        "no sample is seeded in a replica"
    );
}
