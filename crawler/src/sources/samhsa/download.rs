//! The National Directory read from an http(s) URL: the file is downloaded
//! into an anonymous temporary file as it arrives (never whole in memory),
//! at most [`MAX_DATA_FILE_BYTES`] after gzip decoding (counted as the
//! decoded bytes stream, so a gzip bomb stops at the cap), then parsed from
//! that file as [`super::read_file`] streams it. For a CSV, the code legend
//! is downloaded the same way from the sibling `*_service_codes.csv` URL.

use super::Directory;
use crate::fetch::{FetchError, Fetcher};
use crate::sources::{data_fetcher, CrawlContext, Progress, SourceCrawl, SourceError};
use std::io::{Seek, SeekFrom, Write};

/// The most a data file download may be, in bytes, after gzip decoding.
pub const MAX_DATA_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Download the directory at `location` (an http(s) URL) and read it.
/// Requests and failures that did not stop the source (a missing legend)
/// are counted in `out`. Errors: the download failed (status, network, over
/// [`MAX_DATA_FILE_BYTES`]) or the file is not the directory.
pub(crate) async fn directory(
    location: &str,
    ctx: &CrawlContext,
    out: &mut SourceCrawl,
) -> Result<Directory, SourceError> {
    let failed = |message: String| SourceError::Failed {
        location: location.to_string(),
        message,
    };
    let fetcher = data_fetcher(ctx, MAX_DATA_FILE_BYTES as usize)?;
    (ctx.progress)(Progress {
        done: 0,
        total: None,
    });
    let (mut file, final_url) = to_temporary_file(&fetcher, location)
        .await
        .map_err(|e| failed(format!("download failed: {e}")))?;
    out.pages_fetched += 1;
    let mut signature = [0u8; 4];
    let is_xlsx =
        std::io::Read::read_exact(&mut file, &mut signature).is_ok() && signature == *b"PK\x03\x04";
    let mut legend = None;
    let path = final_url.path().to_string();
    let name = path.rsplit('/').next().unwrap_or("");
    if !is_xlsx && name.contains("_facilities") {
        let mut legend_url = final_url.clone();
        let prefix = &path[..path.len() - name.len()];
        legend_url.set_path(&format!(
            "{prefix}{}",
            name.replace("_facilities", "_service_codes")
        ));
        legend_url.set_query(None);
        match to_temporary_file(&fetcher, legend_url.as_str()).await {
            Ok((file, _)) => {
                out.pages_fetched += 1;
                legend = Some(file);
            }
            Err(e) => {
                if matches!(e, FetchError::Status(_)) {
                    out.pages_fetched += 1;
                }
                out.error(e.kind());
                out.notes.push(format!(
                    "{legend_url}: no code legend ({e}); codes shown without labels"
                ));
            }
        }
    }
    (ctx.progress)(Progress {
        done: 1,
        total: Some(1),
    });
    super::read_file(location, file, legend).map_err(|e| failed(e.to_string()))
}

/// Download `url` into an anonymous temporary file (unlinked from the
/// start, so nothing is left behind even by a kill -9), at most
/// [`MAX_DATA_FILE_BYTES`]; answers the file, positioned at its start, and
/// the URL it came from after redirects.
async fn to_temporary_file(
    fetcher: &Fetcher,
    url: &str,
) -> Result<(std::fs::File, reqwest::Url), FetchError> {
    let io = |e: std::io::Error| FetchError::Network(format!("temporary file: {e}"));
    let mut out = std::io::BufWriter::new(tempfile::tempfile().map_err(io)?);
    let (final_url, _) = fetcher.download(url, &mut out, MAX_DATA_FILE_BYTES).await?;
    out.flush().map_err(io)?;
    let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok((file, final_url))
}
