//! The site in a real browser: headless Chromium loads each page type from the
//! real server at phone and desktop widths, and saves screenshots under
//! `target/test-artifacts/` for a person to look at.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Elsewhere, without it,
//! the test says so and passes; under CI (`CI=true`) a missing browser fails.

use crate::common;

use common::TestApp;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run headless Chromium with a fresh profile; returns stdout.
fn chromium_run(browser: &Path, args: &[String]) -> String {
    let profile = common::TempDir::new("chromium-profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_page_type_renders_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have chromium (.ci/run installs it)"
        );
        eprintln!(
            "skipped: chromium is not installed (apt-get install chromium); .ci/run installs it"
        );
        return;
    };
    let app = TestApp::start();
    let (_, body) = app.json("/api/v1/search?near=95814&radius=100&per_page=1");
    let id = body["results"][0]["id"].as_str().unwrap().to_string();
    let pages = [
        ("home", "/".to_string(), "Find programs"),
        (
            "results",
            "/search?near=95814&radius=100&insurance=medicaid".to_string(),
            "/programs/",
        ),
        ("program", format!("/programs/{id}"), "Last checked"),
        ("about", "/about".to_string(), "GeoNames"),
        ("not-found", "/programs/000000000000".to_string(), "988"),
        (
            "bad-request",
            "/search?near=Springfield".to_string(),
            "Springfield, IL",
        ),
    ];
    let dir = artifacts();
    for (name, path, expect) in &pages {
        let url = format!("{}{}", app.url, path);
        // the DOM as the browser built it
        let dom = chromium_run(&browser, &["--dump-dom".into(), url.clone()]);
        assert!(dom.contains("tel:988"), "{name}: 988 in the rendered page");
        assert!(
            dom.contains(expect),
            "{name}: {expect:?} in the rendered page"
        );
        for (width, height, tag) in [(390, 1400, "phone"), (1280, 1000, "desktop")] {
            let file = dir.join(format!("{name}-{tag}.png"));
            let _ = std::fs::remove_file(&file);
            chromium_run(
                &browser,
                &[
                    format!("--window-size={width},{height}"),
                    format!("--screenshot={}", file.display()),
                    url.clone(),
                ],
            );
            let png = std::fs::read(&file).unwrap_or_default();
            assert!(
                png.starts_with(b"\x89PNG") && png.len() > 5_000,
                "{name}-{tag}: a real screenshot"
            );
        }
    }
    eprintln!("screenshots in {}", dir.display());
}
