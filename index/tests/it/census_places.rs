//! `index/places/us-places.tsv`, the map's place names, is what
//! `index/places/make.mjs` makes from Debian's weather-util-data (the U.S.
//! Census Bureau's 2022 Gazetteer places): made again from the installed
//! package, byte for byte. Needs node and `apt-get install
//! weather-util-data`; says so and passes when either is absent.

use std::path::Path;
use std::process::Command;

const PACKAGE_PLACES: &str = "/usr/share/weather-util/places.gz";

#[test]
fn the_embedded_places_are_what_the_script_makes_from_the_census_package() {
    let places = Path::new(env!("CARGO_MANIFEST_DIR")).join("places");
    if !Path::new(PACKAGE_PLACES).exists() {
        eprintln!("{PACKAGE_PLACES} is absent (apt-get install weather-util-data): not checked");
        return;
    }
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node is absent: not checked");
        return;
    }
    // the script writes beside itself: run a copy in a temporary directory
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(places.join("make.mjs"), dir.path().join("make.mjs")).unwrap();
    let run = Command::new("node")
        .arg(dir.path().join("make.mjs"))
        .arg(PACKAGE_PLACES)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let made = std::fs::read_to_string(dir.path().join("us-places.tsv")).unwrap();
    let embedded = std::fs::read_to_string(places.join("us-places.tsv")).unwrap();
    assert!(made.lines().count() > 30_000);
    assert!(
        made == embedded,
        "index/places/us-places.tsv differs from what make.mjs makes: run node index/places/make.mjs"
    );
    // Philadelphia city, PA: its name without "city", its internal point
    assert!(made.contains("4260000\tPhiladelphia\tPA\t40.00937\t-75.13335\tcity\n"));
}
