//! Reduces the `zipcodes` crate's US ZIP list (GeoNames coordinates, CC BY
//! 4.0) to the fields the gazetteer reads (`src/geo.rs`), as a table the
//! library compiles in: `$OUT_DIR/zips.tsv`, one line per ZIP, tab-separated:
//! ZIP, type (`STANDARD`, `PO BOX`, `UNIQUE`, `MILITARY`), city, state,
//! latitude, longitude, county ("Orange County", "Orleans Parish"; may be
//! empty), each exactly as the crate writes it.
//!
//! At run time the crate's list decodes to some 40,000 records of fourteen
//! fields each, held for the life of the process once read (tens of MiB);
//! the table is 1.5 MB of the binary's read-only data, so the gazetteer is
//! built without it.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut table = String::with_capacity(2 << 20);
    for z in zipcodes::database() {
        let fields = [
            &z.zip_code,
            &z.zip_code_type,
            &z.city,
            &z.state,
            &z.lat,
            &z.long,
            &z.county,
        ];
        for field in fields {
            assert!(
                !field.contains(['\t', '\n']),
                "a ZIP record's field holds a tab or a line break: {field:?}"
            );
        }
        let [zip, kind, city, state, lat, lon, county] = fields;
        writeln!(
            table,
            "{zip}\t{kind}\t{city}\t{state}\t{lat}\t{lon}\t{county}"
        )
        .expect("a String");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("zips.tsv"), table).expect("OUT_DIR is writable");
}
