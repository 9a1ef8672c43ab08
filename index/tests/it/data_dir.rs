//! The data directory: publishing generations atomically and reopening them.

use iop_index::listing::Address;
use iop_index::{DataDir, Listing, SearchRequest};

fn listing(id: &str, name: &str) -> Listing {
    Listing::new(
        id,
        name,
        Address {
            street: None,
            street2: None,
            city: "Denver".into(),
            state: "CO".into(),
            zip: "80202".into(),
        },
    )
}

/// A data directory path not yet created, inside a fresh temporary
/// directory (removed when the returned guard drops).
fn temp(tag: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("iop-data-dir-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().join(tag);
    (tmp, dir)
}

#[test]
fn publish_then_open_gives_the_same_listings_in_name_order() {
    let (_tmp, root) = temp("publish");
    let data = DataDir::new(&root);
    assert!(data.current_generation().unwrap().is_none());
    assert!(
        data.open_current().is_err(),
        "no index yet is an error, not a panic"
    );
    let meta = data
        .publish(vec![
            listing("000000000002", "Zeta"),
            listing("000000000001", "alpha"),
        ])
        .unwrap();
    assert_eq!(meta.listings, 2);
    let generation = data.open_current().unwrap();
    assert_eq!(generation.meta, meta);
    let all = generation.index.all_listings().unwrap();
    let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["alpha", "Zeta"]);
    assert_eq!(
        generation.index.listing("000000000002").unwrap().name,
        "Zeta"
    );
    assert!(generation.index.listing("000000000009").is_none());
    let results = generation.index.search(&SearchRequest::default()).unwrap();
    assert_eq!(results.total, 2);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_new_generation_replaces_the_old_and_old_ones_are_cleaned_up() {
    let (_tmp, root) = temp("generations");
    let data = DataDir::new(&root);
    let first = data.publish(vec![listing("000000000001", "One")]).unwrap();
    let held = data.open_current().unwrap(); // a server still answering from it
    let second = data
        .publish(vec![
            listing("000000000001", "One"),
            listing("000000000002", "Two"),
        ])
        .unwrap();
    let third = data
        .publish(vec![listing("000000000003", "Three")])
        .unwrap();
    assert_eq!(
        data.current_generation().unwrap().as_deref(),
        Some(third.generation.as_str())
    );
    // the held reader keeps working while newer generations are published
    assert_eq!(
        held.index.search(&SearchRequest::default()).unwrap().total,
        1
    );
    let dirs: Vec<String> = std::fs::read_dir(root.join("index"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("g-"))
        .collect();
    assert!(
        dirs.contains(&third.generation) && dirs.contains(&second.generation),
        "{dirs:?}"
    );
    assert!(
        !dirs.contains(&first.generation),
        "the oldest is removed: {dirs:?}"
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn an_interrupted_build_leaves_the_served_generation_alone() {
    let (_tmp, root) = temp("interrupted");
    let data = DataDir::new(&root);
    let served = data.publish(vec![listing("000000000001", "One")]).unwrap();
    // a crawl killed mid-build leaves a building- directory behind
    std::fs::create_dir_all(root.join("index/building-g-99999999T000000-000000000")).unwrap();
    std::fs::write(
        root.join("index/building-g-99999999T000000-000000000/junk"),
        b"half",
    )
    .unwrap();
    assert_eq!(
        data.open_current().unwrap().meta.generation,
        served.generation
    );
    // the next publish clears it
    data.publish(vec![listing("000000000002", "Two")]).unwrap();
    assert!(!root
        .join("index/building-g-99999999T000000-000000000")
        .exists());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn publishing_from_the_store_equals_publishing_the_listings() {
    let (_tmp, root) = temp("store");
    let data = DataDir::new(&root);
    assert!(
        data.publish_store().unwrap().is_none(),
        "no store: nothing to publish"
    );
    // store order is not name order, names repeat with different case, and
    // several listings share a name (the id breaks the tie)
    let mut listings: Vec<Listing> = (0..300)
        .map(|i| {
            let name = match i % 4 {
                0 => format!("Program {}", (i * 7919) % 101),
                1 => format!("program {}", (i * 7919) % 101),
                2 => "Same Name".to_string(),
                _ => format!("Zeta {i}"),
            };
            let mut l = listing(&format!("{:012}", (i * 104_729) % 1_000_003), &name);
            l.sample = i == 17;
            l
        })
        .collect();
    assert_eq!(data.write_listings_from(listings.iter()).unwrap(), 300);
    assert_eq!(data.read_listings().unwrap(), listings);
    let from_store = data.publish_store().unwrap().expect("published");
    let stored_order = data.open_current().unwrap().index.all_listings().unwrap();
    let from_memory = data.publish(listings.clone()).unwrap();
    let memory_order = data.open_current().unwrap().index.all_listings().unwrap();
    assert_eq!(from_store.listings, 300);
    assert!(from_store.sample);
    assert_eq!(from_store.sources, from_memory.sources);
    assert_eq!(stored_order, memory_order);
    listings.sort_by_key(|l| (l.name.to_lowercase(), l.id.clone()));
    let expected: Vec<&str> = listings.iter().map(|l| l.id.as_str()).collect();
    let got: Vec<&str> = stored_order.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(got, expected, "name order, then id");
    // stores written otherwise (one line, pretty-printed) are read as a stream
    for bytes in [
        serde_json::to_vec(&listings).unwrap(),
        serde_json::to_vec_pretty(&listings).unwrap(),
    ] {
        std::fs::write(data.listings_path(), bytes).unwrap();
        assert_eq!(data.publish_store().unwrap().unwrap().listings, 300);
        let got = data.open_current().unwrap().index.all_listings().unwrap();
        assert_eq!(got, stored_order);
    }
    std::fs::write(data.listings_path(), b"[\n]\n").unwrap();
    assert!(data.publish_store().unwrap().is_none(), "an empty store");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_damaged_store_is_an_error_and_the_served_generation_stays() {
    let (_tmp, root) = temp("damaged-store");
    let data = DataDir::new(&root);
    let served = data.publish(vec![listing("000000000001", "One")]).unwrap();
    data.write_listings(&[
        listing("000000000002", "Two"),
        listing("000000000003", "Three"),
    ])
    .unwrap();
    let path = data.listings_path();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 40]).unwrap();
    let err = data.publish_store().unwrap_err().to_string();
    assert!(err.contains("listings.json"), "{err}");
    assert_eq!(
        data.open_current().unwrap().meta.generation,
        served.generation
    );
    let leftovers: Vec<_> = std::fs::read_dir(root.join("index"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("building-"))
        .collect();
    assert!(leftovers.is_empty(), "the half-built generation is removed");
    std::fs::remove_dir_all(root).unwrap();
}

/// Copy a generation's directory as a download would (plain files).
fn copy_generation(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_published_generation_lists_every_file_with_its_checksum() {
    use iop_index::store::{checksum_file, verify_generation_dir, GENERATION_FILE};
    let (_tmp, root) = temp("checksums");
    let data = DataDir::new(&root);
    let meta = data
        .publish(vec![listing("000000000001", "Alpha")])
        .unwrap();
    let dir = root.join("index").join(&meta.generation);
    let manifest = verify_generation_dir(&dir).unwrap();
    assert_eq!(manifest.meta, meta);
    let on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != GENERATION_FILE)
        .collect();
    assert!(on_disk.iter().any(|n| n == "meta.json"), "{on_disk:?}");
    assert_eq!(manifest.files.len(), on_disk.len());
    for name in &on_disk {
        let listed = &manifest.files[name];
        assert_eq!(listed, &checksum_file(&dir.join(name)).unwrap(), "{name}");
        assert_eq!(listed.sha256.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o044, 0o044, "{name} is readable by a file server");
        }
    }
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn an_installed_copy_becomes_current_and_a_corrupt_one_is_refused() {
    let (_origin_tmp, origin_root) = temp("install-origin");
    let origin = DataDir::new(&origin_root);
    let first = origin
        .publish(vec![listing("000000000001", "Alpha")])
        .unwrap();
    let (_replica_tmp, replica_root) = temp("install-replica");
    let replica = DataDir::new(&replica_root);

    let staged = replica.staging_dir(&first.generation).unwrap();
    copy_generation(&origin_root.join("index").join(&first.generation), &staged);
    assert_eq!(replica.install_generation(&staged).unwrap(), first);
    assert_eq!(
        replica.current_generation().unwrap(),
        Some(first.generation.clone())
    );
    assert!(!staged.exists());
    assert_eq!(
        replica
            .open_current()
            .unwrap()
            .index
            .all_listings()
            .unwrap()
            .len(),
        1
    );

    // a second generation, one of whose files is damaged in the copy
    let second = origin
        .publish(vec![
            listing("000000000001", "Alpha"),
            listing("000000000002", "Beta"),
        ])
        .unwrap();
    let staged = replica.staging_dir(&second.generation).unwrap();
    copy_generation(&origin_root.join("index").join(&second.generation), &staged);
    let store = std::fs::read_dir(&staged)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    let mut bytes = std::fs::read(&store).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&store, &bytes).unwrap();
    let err = replica.install_generation(&staged).unwrap_err().to_string();
    assert!(err.contains("SHA-256"), "{err}");
    assert!(err.contains(&second.generation), "{err}");
    assert_eq!(
        replica.current_generation().unwrap(),
        Some(first.generation.clone())
    );
    assert!(!staged.exists(), "the refused copy is removed");

    // a missing file is refused too; the whole copy then installs
    let staged = replica.staging_dir(&second.generation).unwrap();
    copy_generation(&origin_root.join("index").join(&second.generation), &staged);
    std::fs::remove_file(staged.join("meta.json")).unwrap();
    let err = replica.install_generation(&staged).unwrap_err().to_string();
    assert!(err.contains("meta.json"), "{err}");
    let staged = replica.staging_dir(&second.generation).unwrap();
    copy_generation(&origin_root.join("index").join(&second.generation), &staged);
    replica.install_generation(&staged).unwrap();
    assert_eq!(replica.open_current().unwrap().meta, second);

    std::fs::remove_dir_all(origin_root).unwrap();
    std::fs::remove_dir_all(replica_root).unwrap();
}

#[test]
fn names_from_elsewhere_never_leave_the_index_directory() {
    use iop_index::store::{is_generation_file_path, is_generation_name};
    assert!(is_generation_name("g-20261130T054213-564568756"));
    for bad in [
        "", "g-", "../g-1", "g-1/..", "g-..", "x-1", "g-1/2", "g-a b",
    ] {
        assert!(!is_generation_name(bad), "{bad:?}");
    }
    assert!(is_generation_file_path(".managed.json"));
    assert!(is_generation_file_path("a/b.idx"));
    for bad in [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a//b",
        "generation.json",
        "a\\b",
    ] {
        assert!(!is_generation_file_path(bad), "{bad:?}");
    }
    let (_tmp, root) = temp("names");
    let data = DataDir::new(root);
    assert!(data.staging_dir("../../tmp").is_err());
}
/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_kill_between_rename_and_switch_never_costs_the_served_generation() {
    let (_tmp, root) = temp("orphan");
    let data = DataDir::new(&root);
    let served = data.publish(vec![listing("000000000001", "One")]).unwrap();
    // a publish killed after renaming its generation into place, before
    // switching CURRENT: an orphan newer than the served generation
    let orphan = root
        .join("index")
        .join(format!("{}-orphan", served.generation));
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("generation.json"), b"{}").unwrap();
    // and the temporaries of killed writers, and of a live one (this process)
    let dead = dead_pid();
    let stale = [
        root.join(format!(".listings.json.tmp-{dead}")),
        root.join(format!(".crawl-state.json.tmp-{dead}")),
        root.join(format!("index/.CURRENT.tmp-{dead}")),
    ];
    for path in &stale {
        std::fs::write(path, b"half").unwrap();
    }
    let live = root.join(format!(".listings.json.tmp-{}", std::process::id()));
    std::fs::write(&live, b"being written").unwrap();
    let mut removed = data.remove_stale_temporaries();
    removed.sort();
    let mut expected = stale.to_vec();
    expected.sort();
    assert_eq!(removed, expected);
    assert!(live.exists(), "a running writer's file stays");

    // the next publish keeps the served generation (a server answers from
    // it until it sees CURRENT change) and removes the orphan
    let next = data.publish(vec![listing("000000000002", "Two")]).unwrap();
    assert!(root.join("index").join(&served.generation).exists());
    assert!(!orphan.exists(), "the orphan is removed");
    // ... and the one after it keeps the newest two only
    let last = data
        .publish(vec![listing("000000000003", "Three")])
        .unwrap();
    assert!(!root.join("index").join(&served.generation).exists());
    assert!(root.join("index").join(&next.generation).exists());
    assert!(root.join("index").join(&last.generation).exists());
    std::fs::remove_dir_all(root).unwrap();
}
