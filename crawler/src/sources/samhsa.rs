//! `samhsa-directory`: SAMHSA's National Directory of substance use treatment
//! facilities, as the published spreadsheet (.xlsx, sheets "Facilities List"
//! and "Service Code Reference") or its CSV conversion (the facilities file,
//! with the code legend in a sibling `*_service_codes.csv` when present),
//! from a path or an http(s) URL (downloaded in [`super::crawl`], the CSV's
//! legend from the sibling URL).
//!
//! Facilities whose `service_code_info` lists `OIT` (intensive outpatient
//! treatment) become listings. Every code goes through the vocabulary; the
//! evidence of a fact is its code and the legend's label ("MD: Medicaid").
//! Rows with the same name1, name2, street1 and ZIP are one program: their
//! codes are merged. Programs sit at their ZIP's centroid (the directory has
//! no coordinates).

use crate::normalize::{normalize, SourceRecord};
use iop_index::listing::Source;
use iop_index::{Listing, Vocabulary};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use time::Date;

pub const KIND: &str = "samhsa-directory";

/// What the source is, whatever file or URL it was read from: every
/// edition of SAMHSA's substance use directory is this one dataset, so a
/// newer edition replaces the older one (its programs missing from the new
/// edition are missed, then withdrawn). The mental-health editions list no
/// IOP and are refused ([`SamhsaError::NoIopCode`]).
pub const DATASET: &str = "samhsa-directory#national-directory-substance-use";

/// The public page of SAMHSA's National Directories (published with the
/// N-SUMHSS survey): the source link shown on listings, since the file
/// itself may have been read from a private copy.
pub const PUBLIC_PAGE: &str =
    "https://www.samhsa.gov/data/data-we-collect/n-sumhss-national-substance-use-and-mental-health-services-survey";

/// The code of intensive outpatient treatment in the directory's legend.
pub const IOP_CODE: &str = "OIT";

#[derive(Debug, thiserror::Error)]
pub enum SamhsaError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a readable CSV: {1}")]
    Csv(String, csv::Error),
    #[error("{0}: not a readable spreadsheet: {1}")]
    Xlsx(String, String),
    #[error("{0}: no column {1:?}; is this SAMHSA's National Directory facilities list?")]
    MissingColumn(String, &'static str),
    /// The legend has no intensive outpatient code: every mental-health
    /// edition (its settings are only HI, OP, PHDT and RES).
    #[error(
        "{location}: this directory cannot list intensive outpatient programs: its code legend has no OIT (intensive outpatient) code{}; SAMHSA's mental-health directories have none, so read the substance use directory (national-directory-su-facilities-YYYY.xlsx) instead",
        settings_note(.settings)
    )]
    NoIopCode {
        location: String,
        /// The setting codes the legend has (category SET), for the message.
        settings: Vec<String>,
    },
}

fn settings_note(settings: &[String]) -> String {
    if settings.is_empty() {
        String::new()
    } else {
        format!(" (its settings are {})", settings.join(", "))
    }
}

/// A read directory: facility rows and the code legend.
pub struct Directory {
    /// What the file was called (a path or URL), for the source record.
    pub location: String,
    /// The edition's year, from the file name ("..._2022...").
    pub year: Option<u16>,
    pub rows: Vec<HashMap<String, String>>,
    /// code -> label, from the legend.
    pub legend: HashMap<String, String>,
}

/// What a crawl of the directory yields.
pub struct Crawl {
    pub listings: Vec<Listing>,
    /// Facility rows read, rows with OIT, and rows merged into another.
    pub rows: usize,
    pub iop_rows: usize,
    pub merged: usize,
    pub rejected: Vec<String>,
}

const COLUMNS: [&str; 13] = [
    "name1",
    "name2",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "phone",
    "intake1",
    "intake2",
    "intake1a",
    "intake2a",
    "service_code_info",
];

/// Read the directory from a path (.xlsx or .csv).
pub fn read_path(path: &Path) -> Result<Directory, SamhsaError> {
    let location = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SamhsaError::Io(location.clone(), e))?;
    let mut legend_bytes = None;
    if !is_xlsx(&bytes) {
        // the CSV conversion keeps the legend beside the facilities file
        if let Some(sibling) = legend_sibling(path) {
            legend_bytes = std::fs::read(sibling).ok();
        }
    }
    read_bytes(&location, &bytes, legend_bytes.as_deref())
}

/// Read the directory from bytes (a download or a file); `legend_csv` is the
/// code legend for the CSV form.
pub fn read_bytes(
    location: &str,
    bytes: &[u8],
    legend_csv: Option<&[u8]>,
) -> Result<Directory, SamhsaError> {
    let year = edition_year(location);
    let (rows, legend_rows) = if is_xlsx(bytes) {
        read_xlsx(location, bytes)?
    } else {
        let legend = match legend_csv {
            Some(b) => read_csv(location, b)?,
            None => Vec::new(),
        };
        (read_csv(location, bytes)?, legend)
    };
    if let Some(first) = rows.first() {
        for column in COLUMNS {
            if !first.contains_key(column) {
                return Err(SamhsaError::MissingColumn(location.to_string(), column));
            }
        }
    }
    let mut settings = Vec::new();
    let legend: HashMap<String, String> = legend_rows
        .into_iter()
        .filter_map(|r| {
            let code = r.get("service_code")?.trim().to_string();
            if r.get("category_code").is_some_and(|c| c.trim() == "SET") {
                settings.push(code.clone());
            }
            Some((code, r.get("service_name")?.trim().to_string()))
        })
        .collect();
    // a legend without OIT and no row coded OIT: the mental-health editions
    let any_iop = || {
        rows.iter().any(|r| {
            r.get("service_code_info")
                .is_some_and(|c| c.split_whitespace().any(|c| c == IOP_CODE))
        })
    };
    if !legend.is_empty() && !legend.contains_key(IOP_CODE) && !any_iop() {
        return Err(SamhsaError::NoIopCode {
            location: location.to_string(),
            settings,
        });
    }
    Ok(Directory {
        location: location.to_string(),
        year,
        rows,
        legend,
    })
}

fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn legend_sibling(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    let sibling = name.replace("_facilities", "_service_codes");
    (sibling != name)
        .then(|| path.with_file_name(sibling))
        .filter(|p| p.exists())
}

fn edition_year(location: &str) -> Option<u16> {
    let bytes = location.as_bytes();
    (0..bytes.len().saturating_sub(3)).rev().find_map(|i| {
        let window = &location[i..i + 4];
        let year: u16 = window.parse().ok()?;
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        ((2000..2100).contains(&year) && bounded).then_some(year)
    })
}

type Rows = Vec<HashMap<String, String>>;

/// A header cell as the column's name: case, spacing, underscores, hyphens
/// and a byte-order mark ignored ("Name1", " name 1", "SERVICE_CODE_INFO",
/// "Service Code Info" -> "name1", "service_code_info"). Editions spell their
/// headers differently (2023 substance use: `Name1`, its legend lowercase;
/// 2023 mental health: both capitalized; 2024: lowercase).
pub fn column_name(header: &str) -> String {
    let words: Vec<String> = header
        .trim_start_matches('\u{feff}')
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    // "name 1" -> "name1", "intake 1 a" -> "intake1a": digits and a lone
    // letter after them join the word before
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        let joins = i > 0
            && (word.chars().all(|c| c.is_ascii_digit())
                || (word.len() == 1 && words[i - 1].chars().all(|c| c.is_ascii_digit())));
        if i > 0 && !joins {
            out.push('_');
        }
        out.push_str(word);
    }
    out
}

fn read_csv(location: &str, bytes: &[u8]) -> Result<Rows, SamhsaError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| SamhsaError::Csv(location.into(), e))?
        .iter()
        .map(column_name)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SamhsaError::Csv(location.into(), e))?;
        rows.push(
            headers
                .iter()
                .cloned()
                .zip(record.iter().map(|v| v.trim().to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn read_xlsx(location: &str, bytes: &[u8]) -> Result<(Rows, Rows), SamhsaError> {
    use calamine::{Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| SamhsaError::Xlsx(location.into(), e.to_string());
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    // sheets by name, case and spacing ignored
    let names = workbook.sheet_names();
    let find = |wanted: &str| {
        names
            .iter()
            .find(|n| column_name(n) == column_name(wanted))
            .cloned()
    };
    let (facilities_sheet, legend_sheet) =
        (find("Facilities List"), find("Service Code Reference"));
    let sheet =
        |workbook: &mut Xlsx<_>, name: Option<String>, wanted: &str| -> Result<Rows, SamhsaError> {
            let name =
                name.ok_or_else(|| bad(&format!("no sheet {wanted:?} (sheets: {names:?})")))?;
            let range = workbook
                .worksheet_range(&name)
                .map_err(|e| bad(&format!("sheet {name:?}: {e}")))?;
            let mut rows = range.rows();
            let headers: Vec<String> = rows
                .next()
                .unwrap_or(&[])
                .iter()
                .map(|c| column_name(&c.to_string()))
                .collect();
            Ok(rows
                .map(|row| {
                    headers
                        .iter()
                        .cloned()
                        .zip(row.iter().map(|c| c.to_string().trim().to_string()))
                        .collect()
                })
                .collect())
        };
    let facilities = sheet(&mut workbook, facilities_sheet, "Facilities List")?;
    let legend = sheet(&mut workbook, legend_sheet, "Service Code Reference").unwrap_or_default();
    Ok((facilities, legend))
}

/// The format values (`format` group) that SAMHSA's codes state for an
/// intensive outpatient facility: a street address with the OIT setting is
/// seen in person; `TELE` adds telehealth; both are hybrid. Each with its
/// evidence. Used by every source of SAMHSA codes.
pub fn format_values(
    codes: &[&str],
    street: Option<&str>,
    legend: &dyn Fn(&str) -> Option<String>,
) -> Vec<(iop_index::vocabulary::ValueId, Option<String>)> {
    let vocabulary = Vocabulary::get();
    let value = |slug: &str| vocabulary.lookup("format", slug).map(|v| v.id);
    let label = |code: &str| match legend(code) {
        Some(name) => format!("{code}: {name}"),
        None => code.to_string(),
    };
    let street = street.map(str::trim).filter(|s| !s.is_empty());
    let in_person = codes.contains(&IOP_CODE) && street.is_some();
    let telehealth = codes.contains(&"TELE");
    let mut out = Vec::new();
    if in_person {
        if let (Some(id), Some(street)) = (value("in-person"), street) {
            out.push((id, Some(format!("{} at {street}", label(IOP_CODE)))));
        }
    }
    if telehealth {
        if let Some(id) = value("telehealth") {
            out.push((id, Some(label("TELE"))));
        }
    }
    if in_person && telehealth {
        if let Some(id) = value("hybrid") {
            out.push((
                id,
                Some(format!("{} and {}", label(IOP_CODE), label("TELE"))),
            ));
        }
    }
    out
}

/// The directory's IOP facilities as listings, checked on `checked` (the day
/// the file was read).
pub fn listings(directory: &Directory, checked: Date) -> Crawl {
    let vocabulary = Vocabulary::get();
    let title = match directory.year {
        Some(year) => {
            format!("SAMHSA National Directory of Substance Use Treatment Facilities, {year}")
        }
        None => "SAMHSA National Directory of Substance Use Treatment Facilities".to_string(),
    };
    let get = |row: &HashMap<String, String>, key: &str| row.get(key).cloned().unwrap_or_default();
    // merge rows of the same program, keeping the first row's fields
    let mut order: Vec<String> = Vec::new();
    let mut programs: HashMap<String, (HashMap<String, String>, Vec<String>)> = HashMap::new();
    let mut iop_rows = 0;
    for row in &directory.rows {
        let codes: Vec<String> = get(row, "service_code_info")
            .split_whitespace()
            .filter(|c| *c != "*")
            .map(str::to_string)
            .collect();
        if !codes.iter().any(|c| c == IOP_CODE) {
            continue;
        }
        iop_rows += 1;
        let key = [
            get(row, "name1"),
            get(row, "name2"),
            get(row, "street1"),
            get(row, "zip"),
        ]
        .map(|p| {
            p.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .join("|");
        match programs.get_mut(&key) {
            Some((_, merged)) => {
                for code in codes {
                    if !merged.contains(&code) {
                        merged.push(code);
                    }
                }
            }
            None => {
                order.push(key.clone());
                programs.insert(key, (row.clone(), codes));
            }
        }
    }
    let mut crawl = Crawl {
        listings: Vec::with_capacity(order.len()),
        rows: directory.rows.len(),
        iop_rows,
        merged: iop_rows - order.len(),
        rejected: Vec::new(),
    };
    for key in order {
        let (row, codes) = &programs[&key];
        let source = Source {
            kind: KIND.into(),
            title: title.clone(),
            // the file's own address only when it is public; else the
            // directory's public page
            url: Some(if iop_index::listing::is_public_url(&directory.location) {
                directory.location.clone()
            } else {
                PUBLIC_PAGE.to_string()
            }),
            record: Some(format!(
                "{} | {} | {} | {}",
                get(row, "name1"),
                get(row, "name2"),
                get(row, "street1"),
                get(row, "zip")
            )),
            edition: directory.year.map(|y| y.to_string()),
        };
        let mut record = SourceRecord::new(
            source,
            key.clone(),
            checked,
            get(row, "name1"),
            get(row, "city"),
            get(row, "state"),
            get(row, "zip"),
        );
        record.program_name = Some(get(row, "name2")).filter(|n| !n.is_empty());
        record.street = Some(get(row, "street1"));
        record.street2 = Some(get(row, "street2"));
        record.phone = Some(get(row, "phone"));
        record.intake_phone = Some(get(row, "intake1")).filter(|p| !p.is_empty());
        for code in codes {
            let label = directory.legend.get(code);
            for value in vocabulary.values_for_code(code) {
                let evidence = match label {
                    Some(label) => format!("{code}: {label}"),
                    None => code.clone(),
                };
                record.values.push((value.id, Some(evidence)));
            }
        }
        let code_list: Vec<&str> = codes.iter().map(String::as_str).collect();
        let street = get(row, "street1");
        record
            .values
            .extend(format_values(&code_list, Some(street.as_str()), &|c| {
                directory.legend.get(c).cloned()
            }));
        // the directory lists every service of a facility: a missing setting
        // code means the setting is not offered
        record.php = Some(codes.iter().any(|c| c == "ODT"));
        record.outpatient = Some(codes.iter().any(|c| c == "OP" || c == "ORT"));
        match normalize(record) {
            Ok(listing) => crawl.listings.push(listing),
            Err(e) => crawl.rejected.push(e.to_string()),
        }
    }
    crawl
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
        Alpine County,Behavioral Health,40 Diamond Valley Road,,Markleeville,CA,96120,530-694-1816 x239,530-694-1816,,,,SA SUMH * OP OIT ORT * MC PI * ADLT\n\
        Alpine County,Behavioral Health,40 Diamond Valley Road,,Markleeville,CA,96120,530-694-1816,,,,,SA * OIT * MD\n\
        Harbor House,,1 Main St,,Boston,MA,2108,617-555-0100,,,,,SA * OP ORT * MD\n";

    const LEGEND: &str =
        "category_code,category_name,service_code,service_name,service_description\n\
        PAY,Payment,MD,Medicaid,\nPAY,Payment,MC,Medicare,\n";

    fn date() -> Date {
        Date::from_calendar_date(2026, time::Month::November, 24).unwrap()
    }

    #[test]
    fn keeps_iop_rows_merges_duplicates_and_maps_codes() {
        let dir = read_bytes(
            "su_2022_facilities.csv",
            CSV.as_bytes(),
            Some(LEGEND.as_bytes()),
        )
        .unwrap();
        assert_eq!(dir.year, Some(2022));
        let crawl = listings(&dir, date());
        assert_eq!((crawl.rows, crawl.iop_rows, crawl.merged), (3, 2, 1));
        let l = &crawl.listings[0];
        assert_eq!(l.program_name.as_deref(), Some("Behavioral Health"));
        assert_eq!(
            l.values("insurance"),
            ["medicaid", "medicare", "private"],
            "codes of both rows"
        );
        assert_eq!(l.values("focus"), ["substance-use", "co-occurring"]);
        assert_eq!(l.level_of_care.php, Some(false));
        assert_eq!(l.level_of_care.outpatient, Some(true));
        let (p, s) = l.provenance_of("insurance/medicaid").unwrap();
        assert_eq!(p.evidence.as_deref(), Some("MD: Medicaid"));
        assert_eq!(
            s.title,
            "SAMHSA National Directory of Substance Use Treatment Facilities, 2022"
        );
        assert_eq!(l.phone.as_deref(), Some("(530) 694-1816 ext. 239"));
        assert_eq!(l.intake_phone.as_deref(), Some("(530) 694-1816"));
    }

    #[test]
    fn a_street_address_is_in_person_and_tele_adds_telehealth() {
        let csv = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
            Clinic A,,1 Main St,,Boston,MA,02108,,,,,,SA * OIT * TELE\n\
            Clinic B,,2 Main St,,Boston,MA,02108,,,,,,SA * OIT\n\
            Clinic C,,,,Boston,MA,02108,,,,,,SA * OIT * TELE\n";
        let dir = read_bytes("x.csv", csv.as_bytes(), None).unwrap();
        let crawl = listings(&dir, date());
        let formats: Vec<&[String]> = crawl.listings.iter().map(|l| l.values("format")).collect();
        assert_eq!(formats[0], ["in-person", "telehealth", "hybrid"]);
        assert_eq!(formats[1], ["in-person"]);
        assert_eq!(
            formats[2],
            ["telehealth"],
            "no street: not claimed in person"
        );
        let (p, _) = crawl.listings[1].provenance_of("format/in-person").unwrap();
        assert_eq!(p.evidence.as_deref(), Some("OIT at 2 Main St"));
    }

    #[test]
    fn chld_means_children_or_adolescents_not_a_narrower_age() {
        let csv = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
            Clinic A,,1 Main St,,Boston,MA,02108,,,,,,SA * OIT * CHLD ADLT\n";
        let dir = read_bytes("x.csv", csv.as_bytes(), None).unwrap();
        let l = &listings(&dir, date()).listings[0];
        assert_eq!(l.values("age"), ["children-adolescents", "adults"]);
        assert!(!l.has_value("age", "children") && !l.has_value("age", "adolescents"));
    }

    #[test]
    fn ids_do_not_depend_on_row_order() {
        let dir = read_bytes("x.csv", CSV.as_bytes(), None).unwrap();
        let a = listings(&dir, date()).listings[0].id.clone();
        let mut lines: Vec<&str> = CSV.lines().collect();
        lines[1..].reverse();
        let reversed = lines.join("\n");
        let dir = read_bytes("x.csv", reversed.as_bytes(), None).unwrap();
        assert_eq!(listings(&dir, date()).listings[0].id, a);
    }

    #[test]
    fn a_file_of_another_shape_is_refused_by_name() {
        let err = read_bytes("other.csv", b"a,b\n1,2\n", None).err().unwrap();
        assert!(err.to_string().contains("no column"), "{err}");
    }
}
