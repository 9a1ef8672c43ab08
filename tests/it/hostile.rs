//! Hostile input stays bounded, against the real binary: a crawl with a
//! hostile site beside a good source, the command line writing to a closed
//! pipe, stale temporaries, connections that never finish, floods of
//! reports, crafted paths, deployment headers and the stop signals.

use crate::common;

use common::html::{attr, parse, select};
use common::{client, no_redirects, run, serve_static, TempDir, TestApp, BIN};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HEADER: &str = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n";
const ALDER: &str =
    "Alder Recovery Center,,1 Main St,,Boston,MA,02108,617-555-0100,,,,,SA * OP OIT * MD MC\n";

#[test]
fn a_hostile_site_beside_a_good_source_costs_only_itself() {
    let dir = TempDir::new("hostile-crawl");
    let csv = dir.path().join("su_2022_facilities.csv");
    std::fs::write(&csv, format!("{HEADER}{ALDER}")).unwrap();
    // an 82 KB page of nested tables: it overflowed the stack (exit 134)
    let deep = format!(
        "<html><body>{}<p>Our intensive outpatient program.</p></body></html>",
        "<table><tr><td>".repeat(5_500)
    );
    let base = serve_static(vec![
        (
            "/robots.txt",
            "text/plain",
            b"User-agent: *\nAllow: /\n".to_vec(),
        ),
        ("/", "text/html; charset=utf-8", deep.into_bytes()),
    ]);
    let data = dir.path().join("data");
    let hostile = format!("website={base}/");
    let good = format!("samhsa-directory={}", csv.display());
    let (ok, stdout, stderr) = run(&[
        "crawl",
        "--data-dir",
        data.to_str().unwrap(),
        "--allow-address",
        "127.0.0.1",
        "--delay-ms",
        "10",
        "--source",
        &hostile,
        "--source",
        &good,
    ]);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{stderr}"
    );
    assert!(ok, "one source failed, not the crawl: {stdout}\n{stderr}");
    assert!(
        stdout.contains("markup nested deeper than 512 levels"),
        "the page's error is reported: {stdout}"
    );
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix("report: "))
        .expect("a report is written");
    let report: Value = serde_json::from_slice(&std::fs::read(path.trim()).unwrap()).unwrap();
    assert_eq!(report["sources"][0]["ok"], false);
    assert_eq!(report["sources"][1]["ok"], true, "the later source ran");
    assert_eq!(report["sources"][1]["new"], 1);
    assert!(report["generation"].is_string(), "published");
    assert!(!data.join("crawl.lock").exists(), "the lock is released");
}

#[test]
fn the_command_line_stops_quietly_at_a_closed_pipe() {
    let dir = TempDir::new("pipe");
    let data = dir.path().to_str().unwrap();
    let (ok, _, stderr) = run(&["crawl", "--data-dir", data, "--source", "sample=embedded"]);
    assert!(ok, "{stderr}");
    // `iopfinder export | head -c 100`
    let mut child = Command::new(BIN)
        .args(["export", "--data-dir", data])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "quietly: {stderr}");
    assert!(out.status.success(), "{:?}", out.status);
}

#[test]
fn stale_temporaries_of_killed_runs_are_removed_at_start() {
    let dir = TempDir::new("stale");
    let data = dir.path();
    let (ok, _, stderr) = run(&[
        "crawl",
        "--data-dir",
        data.to_str().unwrap(),
        "--source",
        "sample=embedded",
    ]);
    assert!(ok, "{stderr}");
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = [
        data.join(format!(".listings.json.tmp-{dead}")),
        data.join(format!(".crawl-state.json.tmp-{dead}")),
        data.join(format!("index/.CURRENT.tmp-{dead}")),
    ];
    for path in &stale {
        std::fs::write(path, b"half written").unwrap();
    }
    let (ok, _, stderr) = run(&["reindex", "--data-dir", data.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    for path in &stale {
        assert!(!path.exists(), "{} is removed", path.display());
    }
}

/// Read from `stream` until the server closes it; how long that took.
fn until_closed(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("still open after {:?}: {e}", started.elapsed()),
        }
    }
}

#[test]
fn connections_that_never_finish_a_request_are_closed() {
    let app = TestApp::start_with_env(
        TempDir::new("timeouts"),
        &[("IOPFINDER_HEADER_READ_TIMEOUT_MS", "500")],
    );
    let addr = app.url.strip_prefix("http://").unwrap().to_string();
    // half a request head, then nothing
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    // a connection that sends nothing at all
    let mut silent = TcpStream::connect(&addr).unwrap();
    // a keep-alive connection idle after one request
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    for (name, stream) in [
        ("slow", &mut slow),
        ("silent", &mut silent),
        ("idle", &mut idle),
    ] {
        let took = until_closed(stream, Duration::from_secs(10));
        assert!(
            took < Duration::from_secs(5),
            "{name}: closed after {took:?}"
        );
    }
    // and the site still answers
    assert_eq!(app.get("/healthz").status().as_u16(), 200);
}

#[test]
fn report_floods_are_throttled_and_cross_site_posts_refused() {
    let app = TestApp::start();
    let (status, body) = app.json("/api/v1/search?near=95814&per_page=1");
    assert_eq!(status, 200);
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    let url = format!("{}/programs/{id}/report", app.url);
    let no_redirects = no_redirects();
    let form = "application/x-www-form-urlencoded";
    let post = |headers: &[(&str, &str)]| {
        let mut request = no_redirects.post(&url).body("problem=closed");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.send().unwrap().status().as_u16()
    };
    // another site's page posting the form, by either header
    assert_eq!(
        post(&[("content-type", form), ("origin", "https://evil.example")]),
        403
    );
    assert_eq!(
        post(&[("content-type", form), ("sec-fetch-site", "cross-site")]),
        403
    );
    // not the form's content type
    assert_eq!(post(&[("content-type", "application/json")]), 415);
    assert_eq!(post(&[]), 415);
    let file = app.data.path().join("reports").join("reports.jsonl");
    assert!(!file.exists(), "nothing stored from refused posts");
    // a flood from one client: the burst, then 429; with no trusted proxy
    // named, X-Forwarded-For is the client's own words and changes nothing
    let statuses: Vec<u16> = (0..14)
        .map(|i| {
            let forwarded = format!("198.51.100.{i}");
            post(&[
                ("content-type", form),
                ("sec-fetch-site", "same-origin"),
                ("x-forwarded-for", &forwarded),
            ])
        })
        .collect();
    assert_eq!(statuses[..10], [303; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    let stored = std::fs::read_to_string(&file).unwrap();
    assert_eq!(stored.lines().count(), 10);
    assert!(!stored.contains("127.0.0.1"));
}

#[test]
fn behind_a_trusted_proxy_reports_are_limited_per_forwarded_client() {
    // the test's requests come from 127.0.0.1: the "proxy"
    let app = TestApp::start_with_env(
        TempDir::new("trusted-proxy"),
        &[("IOPFINDER_TRUSTED_PROXIES", "127.0.0.1/32,10.0.0.0/8")],
    );
    let (status, body) = app.json("/api/v1/search?near=95814&per_page=1");
    assert_eq!(status, 200);
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    let url = format!("{}/programs/{id}/report", app.url);
    let no_redirects = no_redirects();
    let post = |forwarded_for: &str| {
        no_redirects
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", forwarded_for)
            .body("problem=closed")
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    // one client through two trusted hops: its burst, then 429
    let flood: Vec<u16> = (0..12).map(|_| post("198.51.100.1, 10.0.0.2")).collect();
    assert_eq!(flood[..10], [303; 10], "{flood:?}");
    assert_eq!(flood[10..], [429; 2], "{flood:?}");
    // prepending a made-up address does not make it another client
    assert_eq!(post("203.0.113.50, 198.51.100.1"), 429);
    // another client behind the same proxy is not locked out
    assert_eq!(post("198.51.100.2"), 303);
}

#[test]
fn crafted_paths_never_make_an_off_site_link() {
    let app = TestApp::start();
    for path in [
        "/es//evil.example",
        "//evil.example",
        "/es//evil.example/search?near=95814",
        "/es/%2F%2Fevil.example",
    ] {
        let r = client().get(format!("{}{path}", app.url)).send().unwrap();
        let html = r.text().unwrap();
        for link in select(&parse(&html), "[href]") {
            let href = attr(link, "href");
            assert!(
                !href.starts_with("//") && !href.starts_with("/\\"),
                "{path}: {href}"
            );
            if href.contains("evil.example") {
                let ours = href.starts_with('/') || href.starts_with(&format!("{}/", app.url));
                assert!(ours, "a path on this site: {path}: {href}");
            }
        }
        assert!(!html.contains("href=\"//evil.example"), "{path}");
    }
}

#[test]
fn deployment_headers_are_sent() {
    let app = TestApp::start();
    let r = app.get("/");
    let policy = r.headers()["permissions-policy"].to_str().unwrap();
    assert!(policy.contains("geolocation=()"), "{policy}");
    assert!(
        r.headers().get("strict-transport-security").is_none(),
        "plain http"
    );
    let https = TestApp::start_with_env(
        TempDir::new("https"),
        &[("IOPFINDER_PUBLIC_URL", "https://iopfinder.example")],
    );
    let r = https.get("/");
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
}

/// A server started by a test from its own `Command`, killed on drop.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    /// Start `serve` on `data` (port 0 on 127.0.0.1, `RUST_LOG=warn`) from
    /// `command`, which holds the binary and whatever the test sets on the
    /// child (limits, where stderr goes); waits for "listening on" (60 s).
    fn start(command: &mut Command, data: &TempDir) -> Server {
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("iopfinder starts");
        let url = common::listening_url(&mut child);
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The soft and hard "Max open files" of process `pid`, from
/// `/proc/<pid>/limits` ("unlimited" as `u64::MAX`).
fn open_file_limits(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap_or_else(|| panic!("no open-file limit in {limits}"));
    let value = |v: &str| match v {
        "unlimited" => u64::MAX,
        v => v.parse().unwrap(),
    };
    let mut fields = line["Max open files".len()..].split_whitespace();
    (value(fields.next().unwrap()), value(fields.next().unwrap()))
}

#[test]
fn the_server_raises_its_open_file_limit_to_the_hard_maximum() {
    if !std::path::Path::new("/proc/self/limits").exists() {
        eprintln!("skipped: no /proc/<pid>/limits to read the server's limit from");
        return;
    }
    use rlimit::Resource;
    let (_, hard) = Resource::NOFILE.get().unwrap();
    let (soft, hard) = (256, hard.min(4096));
    assert!(soft < hard, "the test's own hard limit is {hard}");
    let mut command = Command::new(BIN);
    // SAFETY: between fork and exec the child only makes the setrlimit
    // system call, which is async-signal-safe, and allocates nothing.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, move || {
            Resource::NOFILE.set(soft, hard)
        });
    }
    let data = TempDir::new("nofile");
    let server = Server::start(command.stderr(Stdio::inherit()), &data);
    assert_eq!(
        open_file_limits(server.child.id()),
        (hard, hard),
        "started with {soft}:{hard}, the soft limit is raised to the hard one"
    );
    let r = client()
        .get(format!("{}/healthz", server.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[test]
fn refused_reports_are_logged_at_most_once_a_minute() {
    let data = TempDir::new("refusal-log");
    let mut command = Command::new(BIN);
    let mut server = Server::start(command.stderr(Stdio::piped()), &data);
    let stderr = server.child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::BufReader::new(stderr)
            .read_to_string(&mut text)
            .unwrap();
        text
    });
    let r = client()
        .get(format!(
            "{}/api/v1/search?near=95814&per_page=1",
            server.url
        ))
        .send()
        .unwrap();
    let body: Value = r.json().unwrap();
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    let url = format!("{}/programs/{id}/report", server.url);
    let client = no_redirects();
    // 150 posts of each kind: cross-site, wrong content type, the flood
    let mut statuses = Vec::new();
    for _ in 0..150 {
        for headers in [
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "cross-site"),
            ][..],
            &[("content-type", "text/plain")][..],
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "same-origin"),
            ][..],
        ] {
            let mut request = client.post(&url).body("problem=closed");
            for (k, v) in headers {
                request = request.header(*k, *v);
            }
            statuses.push(request.send().unwrap().status().as_u16());
        }
    }
    // all refused but the client's burst of 10 (303 to the thank-you page)
    let refused = statuses
        .iter()
        .filter(|s| [403, 415, 429].contains(s))
        .count();
    assert_eq!(refused, 450 - 10, "{statuses:?}");
    // the server's stderr, whole: it ends when the server is stopped
    drop(server);
    let log = log.join().unwrap();
    let logged = log.lines().filter(|l| l.contains("report refused")).count();
    let first: Vec<&str> = log.lines().take(5).collect();
    assert_eq!(
        logged,
        1,
        "{refused} refusals logged as (first lines):\n{}",
        first.join("\n")
    );
}

/// SIGTERM (systemd, `podman stop`, Kubernetes) and SIGINT (Ctrl-C) both
/// stop `serve` cleanly, exit status 0, within seconds: as a container's
/// first process it once ignored SIGTERM until its grace period ran out.
#[test]
fn serve_stops_cleanly_on_sigterm_and_sigint() {
    for (name, signal) in [("SIGTERM", libc::SIGTERM), ("SIGINT", libc::SIGINT)] {
        let mut app = TestApp::start();
        assert_eq!(app.get("/healthz").status(), 200);
        let status = app
            .stop_with(signal, Duration::from_secs(15))
            .unwrap_or_else(|| panic!("serve still runs 15 s after {name}"));
        assert!(status.success(), "{name}: exit {status}");
    }
}

/// A second `serve` on an address in use stops at once with a message that
/// says what to do (another `--addr`), not a bare OS error.
#[test]
fn serve_on_an_address_in_use_says_to_choose_another() {
    let app = TestApp::start();
    let addr = app.url.trim_start_matches("http://").to_string();
    let data = TempDir::new("second");
    let data = data.path().to_str().unwrap().to_string();
    let (ok, _, stderr) = run(&["serve", "--addr", &addr, "--data-dir", &data]);
    assert!(!ok, "a second server on {addr} exited 0");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}"))
            && stderr.contains("--addr")
            && stderr.contains("Address already in use"),
        "{stderr}"
    );
    // the first still answers
    assert_eq!(app.get("/healthz").status(), 200);
}
