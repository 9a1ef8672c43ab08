//! Hostile input stays bounded: deeply nested pages, huge data files and
//! gzip bombs against the crawler, on servers on 127.0.0.1 started here.

use axum::routing::get;
use axum::Router;
use iop_crawler::extract::budget::{Budget, PageError};
use iop_crawler::extract::{extract, extract_within};
use iop_crawler::fetch::{FetchError, Fetcher};
use iop_crawler::sources::{crawl, CrawlContext, SourceError, SourceKind};

#[allow(dead_code)]
use crate::common;

const HOME: &str = include_str!("../fixtures/website/home.html");
const ADULT: &str = include_str!("../fixtures/website/adult-iop.html");

/// `depth` open `tags` (none closed) around a sentence about an IOP: the
/// shape of the 82 KB page that overflowed the stack.
fn nested(tags: &str, depth: usize) -> String {
    format!(
        "<html><body>{}<p>Our intensive outpatient program meets evenings.</p></body></html>",
        tags.repeat(depth)
    )
}

/// Run `f` on a thread with `stack` bytes of stack: what it needs is bounded.
fn on_stack<T: Send + 'static>(stack: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

#[test]
fn deeply_nested_markup_is_an_error_of_the_page_in_bounded_stack() {
    let tables = nested("<table><tr><td>", 5_500);
    assert!(tables.len() > 80_000, "{}", tables.len());
    let budget = Budget::default();
    let answer = on_stack(256 * 1024, move || {
        (
            extract_within(&tables, None, &Budget::default()),
            extract(&tables, None),
        )
    });
    assert_eq!(
        answer.0.unwrap_err(),
        PageError::TooDeep {
            max: budget.max_depth
        }
    );
    assert_eq!(answer.1, Default::default(), "nothing extracted");
    for depth in [16_000, 64_000, 500_000] {
        let divs = nested("<div>", depth);
        let error = on_stack(256 * 1024, move || {
            extract_within(&divs, None, &Budget::default()).unwrap_err()
        });
        assert_eq!(error.kind(), "page_too_deep", "{depth}");
    }
}

#[test]
fn nesting_within_the_budget_is_read_on_a_worker_sized_stack() {
    // 500 levels: within the budget, walked on a 2 MiB stack (a tokio worker's)
    let page = nested("<div>", 500);
    let extraction = on_stack(2 * 1024 * 1024, move || {
        extract_within(&page, None, &Budget::default()).unwrap()
    });
    assert!(
        extraction
            .values
            .iter()
            .any(|f| f.evidence.contains("meets evenings")),
        "{extraction:?}"
    );
}

#[tokio::test]
async fn a_hostile_page_beside_good_ones_costs_only_itself() {
    let base = common::serve_with(|base| {
        let pages = ["deep-iop", "wide-iop", "adult-iop"];
        let sitemap = common::sitemap_xml(pages.map(|p| format!("{base}/programs/{p}")));
        let deep = nested("<table><tr><td>", 5_500);
        let wide = format!(
            "<html><body><p>Our intensive outpatient program.</p><ul>{}</ul></body></html>",
            "<li>x</li>".repeat(250_000)
        );
        common::open_site(sitemap)
            .route("/", get(|| async { html(HOME.to_string()) }))
            .route(
                "/programs/adult-iop",
                get(|| async { html(ADULT.to_string()) }),
            )
            .route("/programs/deep-iop", get(move || async move { html(deep) }))
            .route("/programs/wide-iop", get(move || async move { html(wide) }))
    })
    .await;
    let ctx = common::context(common::loopback_config());
    let out = crawl(SourceKind::Website, &format!("{base}/sitemap.xml"), &ctx)
        .await
        .unwrap();
    assert_eq!(
        out.errors.get("page_too_deep"),
        Some(&1),
        "{:?}",
        out.errors
    );
    assert_eq!(
        out.errors.get("page_too_many_nodes"),
        Some(&1),
        "{:?}",
        out.errors
    );
    assert!(
        out.listings
            .iter()
            .any(|l| l.sources[0].url.as_deref() == Some(&format!("{base}/programs/adult-iop"))),
        "the good page is still a listing: {:?}",
        out.notes
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("deep-iop") && n.contains("nested deeper than 512")),
        "{:?}",
        out.notes
    );
}

fn html(body: String) -> impl axum::response::IntoResponse {
    ([("content-type", "text/html; charset=utf-8")], body)
}

#[tokio::test]
async fn a_data_file_download_stops_at_its_limit_without_holding_the_body() {
    // 64 MiB sent, 8 MiB allowed: refused at the limit
    let base = common::serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { axum::http::StatusCode::NOT_FOUND }),
            )
            .route("/big.csv", get(|| async { vec![b'a'; 64 * 1024 * 1024] })),
    )
    .await;
    let fetcher = Fetcher::new(common::loopback_config()).unwrap();
    let mut sink = Counting(0);
    let err = fetcher
        .download(&format!("{base}/big.csv"), &mut sink, 8 * 1024 * 1024)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooLarge(8 * 1024 * 1024));
    assert!(sink.0 <= 8 * 1024 * 1024, "{}", sink.0);

    // a gzip bomb: under 1 MiB on the wire, 300 MiB decoded; stopped at the limit
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..300 {
        std::io::Write::write_all(&mut encoder, &zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let base = common::serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { axum::http::StatusCode::NOT_FOUND }),
            )
            .route(
                "/bomb.csv",
                get(move || async move { ([("content-encoding", "gzip")], bomb) }),
            ),
    )
    .await;
    let mut sink = Counting(0);
    let err = fetcher
        .download(&format!("{base}/bomb.csv"), &mut sink, 8 * 1024 * 1024)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooLarge(8 * 1024 * 1024));

    // and the source fails with the reason; the crawl goes on elsewhere
    let ctx: CrawlContext = common::context(common::loopback_config());
    match crawl(
        SourceKind::SamhsaDirectory,
        &format!("{base}/bomb.csv"),
        &ctx,
    )
    .await
    {
        Err(SourceError::Failed { message, .. }) => {
            assert!(message.contains("body larger than"), "{message}")
        }
        other => panic!("{:?}", other.map(|o| o.listings.len())),
    }
}

/// A writer that only counts.
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A National Directory CSV of `rows` facilities, those whose number is a
/// multiple of `every` coded OIT.
fn directory_csv(rows: usize, every: usize) -> Vec<u8> {
    let mut csv = b"name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n".to_vec();
    for i in 0..rows {
        let codes = if i % every == 0 {
            "SA * OP OIT * MD"
        } else {
            "SA * OP * MD"
        };
        csv.extend_from_slice(
            format!("Clinic {i},,{i} Main St,,Denver,CO,80202,303-555-0100,,,,,{codes}\n")
                .as_bytes(),
        );
    }
    csv
}

#[test]
fn a_directory_is_read_row_by_row_within_a_ceiling() {
    use iop_crawler::sources::samhsa::{self, SamhsaError, MAX_CSV_ROW_BYTES, MAX_IOP_ROWS};
    use std::io::Cursor;
    let no_legend: Option<&[u8]> = None;
    // 200,000 rows, 40 of them intensive outpatient: only those are kept
    let padded = directory_csv(200_000, 5_000);
    let directory = samhsa::read_file("padded.csv", Cursor::new(padded), no_legend).unwrap();
    assert_eq!(directory.facility_rows, 200_000);
    assert_eq!(directory.rows.len(), 40);
    assert!(
        directory.rows.iter().all(|r| r.len() == 13),
        "only the columns listings use"
    );
    // one endless row (no line end): refused once past the row ceiling,
    // not buffered whole
    let mut endless = directory_csv(1, 1);
    endless.extend(std::iter::repeat_n(b'a', 8 * 1024 * 1024));
    let err = samhsa::read_file("endless.csv", Cursor::new(endless), no_legend)
        .err()
        .unwrap();
    assert!(matches!(err, SamhsaError::Csv(..)), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("longer than {MAX_CSV_ROW_BYTES} bytes")),
        "{err}"
    );
    // more intensive outpatient rows than any edition has: not the directory
    let flood = directory_csv(MAX_IOP_ROWS + 1, 1);
    let err = samhsa::read_file("flood.csv", Cursor::new(flood), no_legend)
        .err()
        .unwrap();
    assert!(
        matches!(err, SamhsaError::TooManyRows(_, MAX_IOP_ROWS)),
        "{err}"
    );
}

#[tokio::test]
async fn a_large_directory_within_the_cap_is_downloaded_to_disk_and_read() {
    // 38 MB over http: downloaded into a temporary file, parsed from it
    let padded = directory_csv(500_000, 10_000);
    assert!(padded.len() > 30_000_000, "{}", padded.len());
    let base = common::serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { axum::http::StatusCode::NOT_FOUND }),
            )
            .route("/padded.csv", get(move || async move { padded })),
    )
    .await;
    let ctx: CrawlContext = common::context(common::loopback_config());
    let out = crawl(
        SourceKind::SamhsaDirectory,
        &format!("{base}/padded.csv"),
        &ctx,
    )
    .await
    .unwrap();
    assert_eq!(out.listings.len(), 50);
    assert!(
        out.notes[0].contains("500000 facility rows, 50 intensive outpatient"),
        "{:?}",
        out.notes
    );
}

#[tokio::test]
async fn a_sitemap_of_thousands_of_copies_yields_the_one_program() {
    // 2,000 URLs in the sitemap, each serving the same program page: one
    // listing, however many of them the page budget lets the crawl read
    let base = common::serve_with(|base| {
        let sitemap = common::sitemap_xml((0..2_000).map(|i| format!("{base}/programs/copy-{i}")));
        common::open_site(sitemap)
            .route("/", get(|| async { html(HOME.to_string()) }))
            .route(
                "/programs/{copy}",
                get(|| async { html(ADULT.to_string()) }),
            )
    })
    .await;
    let ctx = common::context(common::loopback_config());
    let out = crawl(SourceKind::Website, &format!("{base}/sitemap.xml"), &ctx)
        .await
        .unwrap();
    assert!(out.pages_fetched > 10, "{}", out.pages_fetched);
    assert_eq!(out.listings.len(), 1, "{:?}", out.notes);
}
