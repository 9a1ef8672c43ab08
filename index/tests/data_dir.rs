//! The data directory: publishing generations atomically and reopening them.

use iop_index::listing::{Address, LevelOfCare, Schedule};
use iop_index::{DataDir, Listing, SearchRequest};

fn listing(id: &str, name: &str) -> Listing {
    Listing {
        id: id.into(),
        name: name.into(),
        program_name: None,
        description: None,
        address: Address {
            street: None,
            street2: None,
            city: "Denver".into(),
            state: "CO".into(),
            zip: "80202".into(),
        },
        point: None,
        phone: None,
        intake_phone: None,
        website: None,
        facets: Default::default(),
        schedule: Schedule::default(),
        level_of_care: LevelOfCare::default(),
        accepting_new_clients: None,
        sources: Vec::new(),
        provenance: Vec::new(),
        sample: false,
    }
}

fn temp(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("iop-data-dir-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn publish_then_open_gives_the_same_listings_in_name_order() {
    let root = temp("publish");
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
    let root = temp("generations");
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
    let root = temp("interrupted");
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
