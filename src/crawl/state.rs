//! `DATA_DIR/crawl-state.json`, read and written: the file of
//! [`iop_crawler::recrawl::CrawlState`] (whose format that type owns),
//! replaced atomically like the listing store.

use iop_crawler::recrawl::CrawlState;
use iop_index::store::write_atomically_with;
use iop_index::{DataDir, StoreError};
use std::fs;
use std::io;

/// The crawl state in `data`; empty when there is none yet.
pub fn read_state(data: &DataDir) -> Result<CrawlState, StoreError> {
    let path = data.crawl_state_path();
    match fs::File::open(&path) {
        Ok(file) => {
            CrawlState::from_reader(file).map_err(|source| StoreError::Json { path, source })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(CrawlState::default()),
        Err(e) => Err(StoreError::Io { path, source: e }),
    }
}

/// Replace the crawl state in `data` atomically.
pub fn write_state(data: &DataDir, state: &CrawlState) -> Result<(), StoreError> {
    let root = data.root();
    fs::create_dir_all(root).map_err(|source| StoreError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    // written as it is serialized: a million listings' state is never
    // held twice
    write_atomically_with(&data.crawl_state_path(), |out| state.write_json(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iop_crawler::recrawl::ListingState;
    use time::macros::date;

    #[test]
    fn the_state_round_trips_through_the_data_directory() {
        let dir = std::env::temp_dir().join(format!("iop-crawl-state-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let data = DataDir::new(&dir);
        assert!(read_state(&data).unwrap().listings.is_empty());
        let mut state = CrawlState::default();
        state.listings.insert(
            "0123456789ab".into(),
            ListingState {
                kind: "samhsa-directory".into(),
                source: Some("samhsa-directory=/data/su_2022_facilities.csv".into()),
                first_seen: date!(2026 - 01 - 01),
                last_seen: date!(2026 - 11 - 20),
                last_changed: date!(2026 - 11 - 01),
                content_hash: "00ff".into(),
                misses: 2,
            },
        );
        write_state(&data, &state).unwrap();
        let read = read_state(&data).unwrap();
        assert_eq!(read.listings, state.listings);
        assert_eq!(read.version, CrawlState::VERSION);
        let text = fs::read_to_string(data.crawl_state_path()).unwrap();
        assert!(text.contains("\"last_changed\": \"2026-11-01\""), "{text}");
        fs::write(data.crawl_state_path(), "not json").unwrap();
        assert!(read_state(&data).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
