//! The test app: the real `iopfinder` binary serving a fresh data directory on
//! 127.0.0.1, started by the test and stopped when the test ends.

#![allow(dead_code)] // each test target uses part of this module

pub mod app;
pub mod html;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_iopfinder");

/// A temporary directory removed on drop (a [`tempfile::TempDir`] named
/// after the test's `tag`).
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("iopfinder-test-{tag}-"))
            .tempdir()
            .unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// A running server.
pub struct TestApp {
    pub url: String,
    pub data: TempDir,
    child: Child,
}

impl TestApp {
    /// Serve an empty data directory: the server seeds it from the sample.
    pub fn start() -> TestApp {
        TestApp::start_in(TempDir::new("serve"))
    }

    pub fn start_in(data: TempDir) -> TestApp {
        TestApp::start_with_env(data, &[])
    }

    /// Serve `data` with environment variables set (`IOPFINDER_PUBLIC_URL`...).
    pub fn start_with_env(data: TempDir, env: &[(&str, &str)]) -> TestApp {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("iopfinder starts");
        let url = listening_url(&mut child);
        TestApp { url, data, child }
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        client()
            .get(format!("{}{}", self.url, path))
            .send()
            .expect("request succeeds")
    }

    pub fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path);
        let status = r.status().as_u16();
        (status, r.json().expect("JSON body"))
    }

    pub fn html(&self, path: &str) -> (u16, String) {
        let r = self.get(path);
        let status = r.status().as_u16();
        (status, r.text().unwrap())
    }
}

impl TestApp {
    /// Send the server `signal` (`libc::SIGTERM`...) and wait for it to
    /// exit, at most `within`: its exit status, or `None` if it still runs.
    pub fn stop_with(&mut self, signal: i32, within: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id() as i32;
        // SAFETY: kill(2) on our own child's pid, not yet waited for
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal sent");
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL a `serve` child process (its stdout piped) says it listens on
/// ("listening on URL"), waiting at most 60 s; its stdout is drained from
/// then on, so the server never blocks on a full pipe. Panics when the
/// process ends first.
pub fn listening_url(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("the server's stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let url = loop {
        assert!(Instant::now() < deadline, "server did not start in 60 s");
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("listening on ") {
                    break url.trim().to_string();
                }
            }
            _ => panic!("server exited before listening"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    url
}

/// A client that answers redirects as they are (a form's 303), without
/// following them.
pub fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Run the binary to completion; (status success, stdout, stderr).
pub fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("iopfinder runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A loopback site for crawl tests (axum, on its own thread and runtime):
/// answers each path in `routes` with (content type, body), anything else
/// 404 "not found". Runs until the test process ends; answers its base URL
/// (`http://127.0.0.1:PORT`).
pub fn serve_static(routes: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let mut app = axum::Router::new();
    for (path, content_type, body) in routes {
        app = app.route(
            path,
            axum::routing::get(
                move || async move { ([(header::CONTENT_TYPE, content_type)], body) },
            ),
        );
    }
    let app = app.fallback(|| async { (StatusCode::NOT_FOUND, "not found").into_response() });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    base
}
