//! Every phone of the real 2022 national directory (SAMHSA's substance-use
//! facilities, `../shared/data/samhsa-national-directory-2022/`; skipped when
//! absent) normalizes to a number whose `tel:` link dials a valid US number,
//! with its extension kept (`;ext=`).

use iop_crawler::normalize::clean_phone;
use iop_index::phone::Phone;
use std::path::PathBuf;

#[test]
fn every_tel_link_of_the_2022_directory_is_a_valid_number_with_its_extension() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/samhsa-national-directory-2022/su_2022_facilities.csv");
    if !path.exists() {
        println!("skipped: {} absent", path.display());
        return;
    }
    let mut reader = csv::Reader::from_path(&path).expect("csv");
    let headers = reader.headers().expect("headers").clone();
    let columns: Vec<usize> = ["phone", "intake1", "intake2", "intake1a", "intake2a"]
        .iter()
        .filter_map(|c| headers.iter().position(|h| h == *c))
        .collect();
    let (mut numbers, mut with_ext, mut bad) = (0usize, 0usize, Vec::new());
    // numbers not in service by libphonenumber's metadata (an area code
    // never assigned, an exchange starting with 1): shown as written, never
    // made a tel: link
    let mut not_dialled = Vec::new();
    for row in reader.records() {
        let row = row.expect("row");
        for &c in &columns {
            let raw = row.get(c).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            numbers += 1;
            let lower = raw.to_lowercase();
            let has_ext = lower.match_indices('x').any(|(i, _)| {
                lower[i + 1..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit())
            });
            let stored = clean_phone(raw);
            let tel = stored
                .as_deref()
                .and_then(Phone::parse)
                .map(|p| p.tel_uri());
            match tel {
                Some(tel) if has_ext == tel.contains(";ext=") => {
                    with_ext += usize::from(has_ext);
                    assert!(tel.starts_with("tel:+1"), "{tel}");
                }
                None if stored.as_deref() == Some(raw) => not_dialled.push(raw.to_string()),
                other => bad.push(format!("{raw:?} -> {stored:?} -> {other:?}")),
            }
        }
    }
    println!(
        "{numbers} numbers, {with_ext} with an extension, {} not in service, {} bad",
        not_dialled.len(),
        bad.len()
    );
    for n in not_dialled.iter().take(20) {
        println!("  not in service: {n}");
    }
    for b in bad.iter().take(20) {
        println!("  {b}");
    }
    assert!(numbers > 15_000, "{numbers}");
    assert!(with_ext > 1_000, "{with_ext}");
    // the 2022 file has 13 such numbers (12 in area codes never assigned,
    // one with a 1xx exchange); many more would mean good numbers refused
    assert!(not_dialled.len() < 50, "{not_dialled:?}");
    assert!(
        bad.is_empty(),
        "{} numbers without a valid tel: link",
        bad.len()
    );
}
