//! The recrawl's decision matrix, crawl by crawl, without a data directory.

use super::*;
use crate::normalize::{CUT_MARK, NAME_MAX};
use crate::sources::samhsa::DATASET;
use iop_index::{Address, Provenance, Source};
use time::macros::date;

const SAMHSA: SourceKind = SourceKind::SamhsaDirectory;
const WEBSITE: SourceKind = SourceKind::Website;
const SAMPLE: SourceKind = SourceKind::Sample;
const SITE_A: &str = "https://a.example.org/";
const SITE_B: &str = "https://b.example.org/";

/// A listing of `kind` whose facts say `phone`, checked on 2026-01-01.
fn listing(id: &str, kind: SourceKind, phone: &str) -> Listing {
    let address = Address {
        street: Some("1 Main St".into()),
        street2: None,
        city: "Boston".into(),
        state: "MA".into(),
        zip: "02108".into(),
    };
    Listing {
        phone: Some(phone.into()),
        sources: vec![Source {
            kind: kind.to_string(),
            title: "t".into(),
            url: None,
            record: None,
            edition: None,
        }],
        provenance: vec![Provenance {
            fact: "phone".into(),
            source: 0,
            checked: date!(2026 - 01 - 01),
            evidence: None,
        }],
        ..Listing::new(id, format!("Program {id}"), address)
    }
}

fn read(kind: SourceKind, location: &str, listings: Vec<Listing>) -> SourceOutcome {
    SourceOutcome::new(kind, location, Outcome::Read(listings))
}

fn failed(kind: SourceKind, location: &str) -> SourceOutcome {
    SourceOutcome::new(kind, location, Outcome::Failed)
}

/// Websites A and B, the listings of `ids` each.
fn site(location: &str, ids: &[&str]) -> SourceOutcome {
    read(
        WEBSITE,
        location,
        ids.iter().map(|id| listing(id, WEBSITE, "1")).collect(),
    )
}

/// A data directory in memory: written after a crawl unless every source
/// failed, as the `crawl` command does.
#[derive(Default)]
struct Directory {
    listings: Vec<Listing>,
    state: CrawlState,
    withdraw_after: u32,
}

impl Directory {
    fn withdrawing_after(withdraw_after: u32) -> Self {
        Directory {
            withdraw_after,
            ..Directory::default()
        }
    }

    fn crawl(&mut self, today: Date, sources: Vec<SourceOutcome>) -> Vec<SourceTally> {
        let done = reconcile(
            self.listings.clone(),
            self.state.clone(),
            sources,
            self.withdraw_after,
            today,
        );
        let ids: Vec<&String> = done.listings.iter().map(|l| &l.id).collect();
        let stated: Vec<&String> = done.state.listings.keys().collect();
        assert_eq!(ids, stated, "a state for exactly the listings, by id");
        if done.any_read {
            self.listings = done.listings;
            self.state = done.state;
        }
        done.sources
    }

    fn ids(&self) -> Vec<&str> {
        self.listings.iter().map(|l| l.id.as_str()).collect()
    }

    fn state(&self, id: &str) -> &ListingState {
        &self.state.listings[id]
    }

    fn phone(&self, id: &str) -> &str {
        let l = self.listings.iter().find(|l| l.id == id).unwrap();
        l.phone.as_deref().unwrap()
    }
}

/// (new, changed, unchanged, missed, withdrawn)
fn counts(t: &SourceTally) -> (usize, usize, usize, usize, usize) {
    (t.new, t.changed, t.unchanged, t.missed, t.withdrawn)
}

const DAY1: Date = date!(2026 - 11 - 01);
const DAY2: Date = date!(2026 - 11 - 02);
const DAY3: Date = date!(2026 - 11 - 03);
const DAY4: Date = date!(2026 - 11 - 04);
const DAY5: Date = date!(2026 - 11 - 05);
const DAY6: Date = date!(2026 - 11 - 06);
const DAY7: Date = date!(2026 - 11 - 07);

#[test]
fn new_changed_and_unchanged_listings_are_told_apart_and_dated() {
    let mut dir = Directory::withdrawing_after(3);
    let t = dir.crawl(
        DAY1,
        vec![read(
            SAMHSA,
            "/d/a.csv",
            vec![listing("a", SAMHSA, "1"), listing("b", SAMHSA, "2")],
        )],
    );
    assert_eq!(counts(&t[0]), (2, 0, 0, 0, 0));
    assert_eq!(dir.ids(), ["a", "b"]);
    let a = dir.state("a");
    assert_eq!(
        (a.first_seen, a.last_seen, a.last_changed),
        (DAY1, DAY1, DAY1)
    );
    assert_eq!(
        (a.kind.as_str(), a.source.as_deref(), a.misses),
        (SAMHSA.as_str(), Some(DATASET), 0)
    );
    assert_eq!(a.content_hash, content_hash(&listing("a", SAMHSA, "1")));

    // b's phone changes; a's facts are the same (checked on another day)
    let mut a_again = listing("a", SAMHSA, "1");
    a_again.provenance[0].checked = DAY2;
    let t = dir.crawl(
        DAY2,
        vec![read(
            SAMHSA,
            "/d/a.csv",
            vec![a_again, listing("b", SAMHSA, "9")],
        )],
    );
    assert_eq!(counts(&t[0]), (0, 1, 1, 0, 0));
    assert_eq!(t[0].changed_ids, ["b"]);
    assert_eq!(t[0].returned, 0);
    let (a, b) = (dir.state("a"), dir.state("b"));
    assert_eq!(
        (a.first_seen, a.last_seen, a.last_changed),
        (DAY1, DAY2, DAY1)
    );
    assert_eq!(
        (b.first_seen, b.last_seen, b.last_changed),
        (DAY1, DAY2, DAY2)
    );
    assert_eq!(b.content_hash, content_hash(&listing("b", SAMHSA, "9")));
    // the store holds what the source says now, check dates included
    assert_eq!(dir.phone("b"), "9");
    let a = dir.listings.iter().find(|l| l.id == "a").unwrap();
    assert_eq!(a.last_checked(), Some(DAY2));
}

#[test]
fn a_listing_is_withdrawn_on_the_nth_consecutive_miss_not_before() {
    let mut dir = Directory::withdrawing_after(3);
    dir.crawl(DAY1, vec![site(SITE_A, &["a", "b"])]);
    for (day, misses) in [(DAY2, 1), (DAY3, 2)] {
        // missed N-1 times: kept as it was
        let t = dir.crawl(day, vec![site(SITE_A, &["a"])]);
        assert_eq!(counts(&t[0]), (0, 0, 1, 1, 0), "{day}");
        assert_eq!(t[0].missed_ids, ["b"]);
        assert_eq!(dir.ids(), ["a", "b"]);
        let b = dir.state("b");
        assert_eq!((b.misses, b.last_seen), (misses, DAY1));
    }
    // missed the Nth time: withdrawn from the store and the state
    let t = dir.crawl(DAY4, vec![site(SITE_A, &["a"])]);
    assert_eq!(counts(&t[0]), (0, 0, 1, 0, 1));
    assert_eq!(t[0].withdrawn_ids, ["b"]);
    assert!(t[0].missed_ids.is_empty());
    assert_eq!(dir.ids(), ["a"]);
    assert!(!dir.state.listings.contains_key("b"));
    // a withdrawn listing that comes back is new
    let t = dir.crawl(DAY5, vec![site(SITE_A, &["a", "b"])]);
    assert_eq!(counts(&t[0]), (1, 0, 1, 0, 0));
    assert_eq!(dir.state("b").first_seen, DAY5);
}

#[test]
fn withdrawing_after_one_miss_and_zero_taken_as_one() {
    for n in [1, 0] {
        let mut dir = Directory::withdrawing_after(n);
        dir.crawl(DAY1, vec![site(SITE_A, &["a", "b"])]);
        let done = reconcile(
            dir.listings.clone(),
            dir.state.clone(),
            vec![site(SITE_A, &["a"])],
            n,
            DAY2,
        );
        assert_eq!(done.withdraw_after, 1, "{n}");
        assert_eq!(counts(&done.sources[0]), (0, 0, 1, 0, 1), "{n}");
        assert_eq!(done.listings.len(), 1);
    }
}

#[test]
fn a_listing_coming_back_starts_its_count_afresh() {
    let mut dir = Directory::withdrawing_after(3);
    dir.crawl(DAY1, vec![site(SITE_A, &["a", "b"])]);
    dir.crawl(DAY2, vec![site(SITE_A, &["a"])]);
    dir.crawl(DAY3, vec![site(SITE_A, &["a"])]);
    assert_eq!(dir.state("b").misses, 2);
    let t = dir.crawl(DAY4, vec![site(SITE_A, &["a", "b"])]);
    assert_eq!(counts(&t[0]), (0, 0, 2, 0, 0));
    assert_eq!(t[0].returned, 1);
    assert_eq!((dir.state("b").misses, dir.state("b").last_seen), (0, DAY4));
    // two more misses keep it: the earlier two no longer count
    for day in [DAY5, DAY6] {
        let t = dir.crawl(day, vec![site(SITE_A, &["a"])]);
        assert_eq!((t[0].missed, t[0].withdrawn), (1, 0), "{day}");
    }
    let t = dir.crawl(DAY7, vec![site(SITE_A, &["a"])]);
    assert_eq!((t[0].missed, t[0].withdrawn), (0, 1));
}

#[test]
fn misses_are_counted_per_source_and_an_unread_source_is_kept_and_noted() {
    let mut dir = Directory::withdrawing_after(1);
    let t = dir.crawl(DAY1, vec![site(SITE_A, &["a"]), site(SITE_B, &["b", "c"])]);
    assert_eq!(
        (counts(&t[0]), counts(&t[1])),
        ((1, 0, 0, 0, 0), (2, 0, 0, 0, 0))
    );
    assert_eq!(
        dir.state("b").source.as_deref(),
        Some("website=https://b.example.org/")
    );
    // only A is read: B's listings are neither missed nor withdrawn, and
    // the note says so (on the first source of the kind)
    let t = dir.crawl(DAY2, vec![site(SITE_A, &["a"])]);
    assert_eq!(counts(&t[0]), (0, 0, 1, 0, 0));
    assert_eq!(
        t[0].notes,
        ["2 website listings come from sources not read in this crawl: kept as they are until their source is read again"]
    );
    assert_eq!(dir.ids(), ["a", "b", "c"]);
    assert_eq!((dir.state("b").misses, dir.state("b").last_seen), (0, DAY1));
    // B read without c: its miss is B's, tallied on B
    let t = dir.crawl(DAY3, vec![site(SITE_A, &["a"]), site(SITE_B, &["b"])]);
    assert_eq!(
        (counts(&t[0]), counts(&t[1])),
        ((0, 0, 1, 0, 0), (0, 0, 1, 0, 1))
    );
    assert_eq!(t[1].withdrawn_ids, ["c"]);
    assert!(t[0].notes.is_empty() && t[1].notes.is_empty());
    // a listing that moves from A to B is B's from then on
    let t = dir.crawl(DAY4, vec![site(SITE_B, &["a", "b"])]);
    assert_eq!(counts(&t[0]), (0, 0, 2, 0, 0));
    assert_eq!(
        dir.state("a").source.as_deref(),
        Some("website=https://b.example.org/")
    );
    let t = dir.crawl(DAY5, vec![site(SITE_A, &[]), site(SITE_B, &["a", "b"])]);
    assert_eq!(
        (counts(&t[0]), counts(&t[1])),
        ((0, 0, 0, 0, 0), (0, 0, 2, 0, 0))
    );
}

#[test]
fn a_failed_source_keeps_its_listings_neither_missed_nor_withdrawn() {
    let mut dir = Directory::withdrawing_after(1);
    dir.crawl(DAY1, vec![site(SITE_A, &["a", "b"]), site(SITE_B, &["c"])]);
    for day in [DAY2, DAY3] {
        let t = dir.crawl(day, vec![failed(WEBSITE, SITE_A), site(SITE_B, &["c"])]);
        assert_eq!(counts(&t[0]), (0, 0, 0, 0, 0), "{day}");
        assert_eq!(t[0].kept_from_last_crawl, 2);
        assert_eq!(counts(&t[1]), (0, 0, 1, 0, 0));
        assert_eq!(dir.ids(), ["a", "b", "c"]);
        let a = dir.state("a");
        assert_eq!((a.misses, a.last_seen), (0, DAY1));
        assert!(t[0].notes.is_empty(), "{:?}", t[0].notes);
    }
    // read again, A misses b at once (withdraw after 1)
    let t = dir.crawl(DAY4, vec![site(SITE_A, &["a"]), site(SITE_B, &["c"])]);
    assert_eq!((t[0].withdrawn, t[0].kept_from_last_crawl), (1, 0));
}

#[test]
fn a_dataset_read_twice_with_one_failure_keeps_its_listings() {
    // two editions of the SAMHSA directory are one source: one of them
    // failing means nobody can tell which listings it would have dropped
    let mut dir = Directory::withdrawing_after(1);
    let samhsa = |location: &str, ids: &[&str]| {
        read(
            SAMHSA,
            location,
            ids.iter().map(|id| listing(id, SAMHSA, "1")).collect(),
        )
    };
    dir.crawl(DAY1, vec![samhsa("/d/su_2022.csv", &["a", "b"])]);
    let t = dir.crawl(
        DAY2,
        vec![
            samhsa("/d/su_2023.csv", &["a"]),
            failed(SAMHSA, "https://x.example/su_2024.csv"),
        ],
    );
    assert_eq!(counts(&t[0]), (0, 0, 1, 0, 0));
    assert_eq!(
        (t[0].kept_from_last_crawl, t[1].kept_from_last_crawl),
        (1, 1)
    );
    assert_eq!(dir.ids(), ["a", "b"]);
    // another path, the same dataset: b is missed by it
    let t = dir.crawl(DAY3, vec![samhsa("https://x.example/su_2024.csv", &["a"])]);
    assert_eq!(t[0].withdrawn_ids, ["b"]);
}

#[test]
fn every_source_failing_changes_nothing() {
    let mut dir = Directory::withdrawing_after(1);
    dir.crawl(DAY1, vec![site(SITE_A, &["a", "b"]), site(SITE_B, &["c"])]);
    let before = dir.state.clone();
    let done = reconcile(
        dir.listings.clone(),
        dir.state.clone(),
        vec![failed(WEBSITE, SITE_A), failed(WEBSITE, SITE_B)],
        1,
        DAY2,
    );
    assert!(!done.any_read);
    let ids: Vec<&str> = done.listings.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(done.state, before);
    let kept: Vec<usize> = done
        .sources
        .iter()
        .map(|t| t.kept_from_last_crawl)
        .collect();
    assert_eq!(kept, [2, 1]);
    assert!(done.sources.iter().all(|t| counts(t) == (0, 0, 0, 0, 0)));
    // no source at all reads nothing either
    let done = reconcile(dir.listings.clone(), dir.state.clone(), vec![], 1, DAY2);
    assert!(!done.any_read && done.sources.is_empty());
    assert_eq!(done.listings.len(), 3);
}

#[test]
fn listings_of_kinds_not_read_are_kept_as_they_are() {
    let mut dir = Directory::withdrawing_after(1);
    dir.crawl(
        DAY1,
        vec![
            read(SAMPLE, "embedded", vec![listing("s", SAMPLE, "1")]),
            site(SITE_A, &["a"]),
        ],
    );
    assert_eq!(dir.state("s").source.as_deref(), Some("sample=embedded"));
    let t = dir.crawl(DAY2, vec![site(SITE_A, &[])]);
    assert_eq!(counts(&t[0]), (0, 0, 0, 0, 1));
    assert_eq!(dir.ids(), ["s"]);
    let s = dir.state("s");
    assert_eq!((s.misses, s.last_seen), (0, DAY1));
    // the note is about the kinds read, not the sample
    assert!(t[0].notes.is_empty(), "{:?}", t[0].notes);
}

#[test]
fn legacy_per_path_keys_are_rekeyed_to_the_dataset() {
    // a state written when SAMHSA files were sources by path
    let stored = vec![listing("a", SAMHSA, "1"), listing("b", SAMHSA, "2")];
    let mut state = CrawlState::default();
    for l in &stored {
        state.listings.insert(
            l.id.clone(),
            ListingState {
                kind: SAMHSA.to_string(),
                source: Some(format!("{SAMHSA}=/old/su_2022_facilities.csv")),
                first_seen: DAY1,
                last_seen: DAY1,
                last_changed: DAY1,
                content_hash: content_hash(l),
                misses: 0,
            },
        );
    }
    let mut dir = Directory {
        listings: stored,
        state,
        withdraw_after: 1,
    };
    // the 2023 edition, read from elsewhere, no longer lists b
    let t = dir.crawl(
        DAY2,
        vec![read(
            SAMHSA,
            "/new/su_2023_facilities.csv",
            vec![listing("a", SAMHSA, "1")],
        )],
    );
    assert_eq!(counts(&t[0]), (0, 0, 1, 0, 1));
    assert_eq!(t[0].withdrawn_ids, ["b"]);
    assert_eq!(dir.state("a").source.as_deref(), Some(DATASET));
    // keys of other kinds stay by location
    assert_eq!(
        source_key(WEBSITE, SITE_A),
        "website=https://a.example.org/"
    );
    assert_eq!(source_key(SAMHSA, "https://x.example/f.xlsx"), DATASET);
}

#[test]
fn listings_older_than_the_state_are_given_to_the_one_source_of_their_kind() {
    let stored = || {
        let mut b = listing("b", WEBSITE, "2");
        b.provenance[0].checked = date!(2026 - 06 - 30);
        vec![listing("a", WEBSITE, "1"), b, listing("s", SAMPLE, "3")]
    };
    let state = CrawlState::default;
    // the kind read from one source, read well: that source is theirs, so
    // what it no longer gives is missed
    let done = reconcile(stored(), state(), vec![site(SITE_A, &["a"])], 2, DAY2);
    assert_eq!(counts(&done.sources[0]), (0, 0, 1, 1, 0));
    let b = &done.state.listings["b"];
    assert_eq!(b.source.as_deref(), Some("website=https://a.example.org/"));
    assert_eq!(
        (b.first_seen, b.last_seen, b.misses),
        (date!(2026 - 06 - 30), date!(2026 - 06 - 30), 1)
    );
    // a kind not read gets a state from what the listing says, no source
    let s = &done.state.listings["s"];
    assert_eq!(
        (s.kind.as_str(), s.source.as_deref(), s.first_seen),
        (SAMPLE.as_str(), None, date!(2026 - 01 - 01))
    );
    // two sources of the kind: nobody can tell whose b is; kept and noted
    let done = reconcile(
        stored(),
        state(),
        vec![site(SITE_A, &["a"]), site(SITE_B, &[])],
        1,
        DAY2,
    );
    assert_eq!((done.sources[0].missed, done.sources[0].withdrawn), (0, 0));
    assert_eq!(done.state.listings["b"].source, None);
    assert!(done.sources[0].notes[0].starts_with("1 website listings come from sources not read"));
    // the one source failed: not given to it, not missed
    let done = reconcile(stored(), state(), vec![failed(WEBSITE, SITE_A)], 1, DAY2);
    assert_eq!(done.state.listings["b"].source, None);
    assert_eq!(done.sources[0].kept_from_last_crawl, 0);
}

#[test]
fn listings_given_twice_keep_the_first() {
    let mut dir = Directory::withdrawing_after(1);
    let t = dir.crawl(
        DAY1,
        vec![
            read(
                WEBSITE,
                SITE_A,
                vec![listing("a", WEBSITE, "1"), listing("a", WEBSITE, "2")],
            ),
            read(
                WEBSITE,
                SITE_B,
                vec![listing("a", WEBSITE, "3"), listing("b", WEBSITE, "4")],
            ),
        ],
    );
    assert_eq!(
        (t[0].new, t[0].duplicates, t[1].new, t[1].duplicates),
        (1, 1, 1, 1)
    );
    assert_eq!(
        t[1].notes,
        ["1 listings given twice (here or by an earlier source): the first of each was kept"]
    );
    assert_eq!(dir.phone("a"), "1");
    assert_eq!(
        dir.state("a").source.as_deref(),
        Some("website=https://a.example.org/")
    );
}

#[test]
fn cut_text_is_counted_and_the_first_listings_noted_by_id() {
    let cut_name: String = "x".repeat(NAME_MAX - 1) + &CUT_MARK.to_string();
    let listings: Vec<Listing> = (0..CUT_NOTES + 2)
        .map(|i| {
            let mut l = listing(&format!("l{i:02}"), WEBSITE, "1");
            l.name.clone_from(&cut_name);
            l
        })
        .chain([listing("whole", WEBSITE, "1")])
        .collect();
    let mut dir = Directory::withdrawing_after(1);
    let t = dir.crawl(DAY1, vec![read(WEBSITE, SITE_A, listings)]);
    assert_eq!((t[0].new, t[0].text_cut), (CUT_NOTES + 3, CUT_NOTES + 2));
    assert_eq!(t[0].notes.len(), CUT_NOTES);
    assert_eq!(t[0].notes[0], "listing l00: name cut to the length limit");
    assert!(!t[0].notes.iter().any(|n| n.contains("whole")));
}

/// The merge over spills on disk (many runs, a store written out of order
/// with a repeated id, sources out of order with duplicates and cut text)
/// decides exactly as the in-memory reconcile.
#[test]
fn the_merge_over_sorted_spills_decides_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cut_name: String = "x".repeat(NAME_MAX - 1) + &CUT_MARK.to_string();
    let mut stored: Vec<Listing> = ["q", "c", "z", "a", "m", "c"]
        .iter()
        .enumerate()
        .map(|(i, id)| listing(id, WEBSITE, &format!("{i}")))
        .collect();
    stored.push(listing("s", SAMHSA, "9"));
    let first = reconcile(stored.clone(), CrawlState::default(), vec![], 1, DAY1);
    let state = first.state;
    let sources = || {
        let mut a: Vec<Listing> = ["z", "b", "q", "b", "y"]
            .iter()
            .map(|id| listing(id, WEBSITE, "2"))
            .collect();
        a[4].name.clone_from(&cut_name);
        a[0].name.clone_from(&cut_name);
        let b: Vec<Listing> = ["y", "c", "n"]
            .iter()
            .map(|id| listing(id, WEBSITE, "3"))
            .collect();
        vec![(SITE_A, a), (SITE_B, b)]
    };
    let expected = reconcile(
        stored.clone(),
        state.clone(),
        sources()
            .into_iter()
            .map(|(site, listings)| read(WEBSITE, site, listings))
            .chain([failed(SAMHSA, "x.csv")])
            .collect(),
        2,
        DAY2,
    );

    let spill = |listings: &[Listing]| {
        let mut spill = ListingSpill::new_in(dir.path()).unwrap().with_run_bytes(1);
        for l in listings {
            spill.push(l).unwrap();
        }
        spill.sorted().unwrap()
    };
    let mut sorted: Vec<SortedSource> = sources()
        .into_iter()
        .map(|(site, listings)| SortedSource {
            kind: WEBSITE,
            key: source_key(WEBSITE, site),
            listings: Some(Box::new(spill(&listings)) as SortedIter),
        })
        .collect();
    sorted.push(SortedSource {
        kind: SAMHSA,
        key: source_key(SAMHSA, "x.csv"),
        listings: None,
    });
    let mut written = Vec::new();
    let merged = reconcile_sorted(
        spill(&stored).map(|r| r.map(|(_, l)| l)),
        state.clone(),
        sorted,
        2,
        DAY2,
        |l| {
            written.push(l);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(written, expected.listings);
    assert_eq!(merged.listings, expected.listings.len());
    assert_eq!(merged.state, expected.state);
    assert_eq!(merged.sources, expected.sources);
    assert_eq!(expected.sources[0].duplicates, 1);
    assert_eq!(expected.sources[1].duplicates, 1);
    // in the source's order, not the ids'
    assert!(expected.sources[0].notes[0].starts_with("listing z:"));

    // the store must come in id order
    let unsorted = stored.into_iter().map(Ok::<_, RecrawlError>);
    let e = reconcile_sorted(unsorted, state, vec![], 2, DAY2, |_| Ok(())).unwrap_err();
    assert!(e.to_string().contains("not sorted by id"), "{e}");
}
