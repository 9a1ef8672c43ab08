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
    let legend = legend_rows
        .into_iter()
        .filter_map(|r| {
            Some((
                r.get("service_code")?.clone(),
                r.get("service_name")?.clone(),
            ))
        })
        .collect();
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

fn read_csv(location: &str, bytes: &[u8]) -> Result<Rows, SamhsaError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| SamhsaError::Csv(location.into(), e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
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
    let sheet = |workbook: &mut Xlsx<_>, name: &str| -> Result<Rows, SamhsaError> {
        let range = workbook
            .worksheet_range(name)
            .map_err(|e| bad(&format!("sheet {name:?}: {e}")))?;
        let mut rows = range.rows();
        let headers: Vec<String> = rows
            .next()
            .unwrap_or(&[])
            .iter()
            .map(|c| c.to_string().trim().to_string())
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
    let facilities = sheet(&mut workbook, "Facilities List")?;
    let legend = sheet(&mut workbook, "Service Code Reference").unwrap_or_default();
    Ok((facilities, legend))
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
            url: directory
                .location
                .starts_with("http")
                .then(|| directory.location.clone()),
            record: Some(format!(
                "{} | {} | {} | {}",
                get(row, "name1"),
                get(row, "name2"),
                get(row, "street1"),
                get(row, "zip")
            )),
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
