//! `samhsa-directory`: SAMHSA's National Directory of substance use treatment
//! facilities, as the published spreadsheet (.xlsx, sheets "Facilities List"
//! and "Service Code Reference") or its CSV conversion (the facilities file,
//! with the code legend in a sibling `*_service_codes.csv` when present),
//! from a path or an http(s) URL ([`download`], the CSV's legend from the
//! sibling URL). Both are read as they stream ([`read_file`]).
//!
//! Facilities whose `service_code_info` lists `OIT` (intensive outpatient
//! treatment) become listings. Every code goes through the vocabulary; the
//! evidence of a fact is its code and the legend's label ("MD: Medicaid").
//! Rows with the same name1, name2, street1 and ZIP are one program: their
//! codes are merged. Programs sit at their ZIP's centroid (the directory has
//! no coordinates).

pub mod download;

use crate::normalize::{normalize, SourceRecord};
use iop_index::listing::Source;
use iop_index::{Listing, Vocabulary};
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use time::Date;

/// The source kind of the directory's listings.
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

/// Why the directory could not be read; each variant starts with the
/// file's location (path or URL).
#[derive(Debug, thiserror::Error)]
pub enum SamhsaError {
    /// Opening, seeking or reading the file failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The facilities file or its legend is not CSV the reader can parse
    /// (or has a row over [`MAX_CSV_ROW_BYTES`]).
    #[error("{0}: not a readable CSV: {1}")]
    Csv(String, csv::Error),
    /// The .xlsx cannot be opened, has no "Facilities List" sheet, or that
    /// sheet cannot be read; the cause.
    #[error("{0}: not a readable spreadsheet: {1}")]
    Xlsx(String, String),
    /// The facilities list lacks this column, one of those listings use
    /// (name1 ... service_code_info).
    #[error("{0}: no column {1:?}; is this SAMHSA's National Directory facilities list?")]
    MissingColumn(String, &'static str),
    /// More intensive outpatient rows than [`MAX_IOP_ROWS`] (or legend
    /// codes than [`MAX_LEGEND_CODES`]): not SAMHSA's directory.
    #[error("{0}: more than {1} rows; SAMHSA's directory has about 6,000 intensive outpatient facilities and 250 codes, so this is not it")]
    TooManyRows(String, usize),
    /// The legend has no intensive outpatient code: every mental-health
    /// edition (its settings are only HI, OP, PHDT and RES).
    #[error(
        "{location}: this directory cannot list intensive outpatient programs: its code legend has no OIT (intensive outpatient) code{}; SAMHSA's mental-health directories have none, so read the substance use directory (national-directory-su-facilities-YYYY.xlsx) instead",
        settings_note(.settings)
    )]
    NoIopCode {
        /// The file's path or URL.
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
    /// How many facility rows the file has (all of them, whatever their
    /// codes).
    pub facility_rows: usize,
    /// The facility rows coded OIT (intensive outpatient), in file order,
    /// each as column name (as [`column_name`], only the columns listings
    /// use) -> value; the other rows are counted, not kept.
    pub rows: Vec<HashMap<String, String>>,
    /// code -> label, from the legend.
    pub legend: HashMap<String, String>,
}

/// What a crawl of the directory yields.
pub struct Crawl {
    /// One listing per program, in file order of its first row.
    pub listings: Vec<Listing>,
    /// Facility rows read, whatever their codes.
    pub rows: usize,
    /// Of those, rows coded OIT (intensive outpatient).
    pub iop_rows: usize,
    /// OIT rows merged into an earlier row of the same program (same name1,
    /// name2, street1 and ZIP).
    pub merged: usize,
    /// Why each program that normalization refused was left out, one line each.
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

/// The most intensive outpatient rows a directory may have: SAMHSA's
/// substance use directories list 5,500 to 5,800 (2022, 2023) among 12,000
/// to 17,000 facilities, so a file over this is not the directory, and the
/// rows kept in memory stay bounded (a few tens of MB) whatever the file.
pub const MAX_IOP_ROWS: usize = 50_000;

/// The most codes a legend may have (SAMHSA's has about 250).
pub const MAX_LEGEND_CODES: usize = 10_000;

/// The longest a CSV row may be, in bytes: the directory's rows are under
/// 1 KB, and the CSV reader buffers one row at a time.
pub const MAX_CSV_ROW_BYTES: u64 = 1024 * 1024;

/// Read the directory from a path (.xlsx or .csv), streaming: the file is
/// read from disk as it is parsed, never whole into memory.
pub fn read_path(path: &Path) -> Result<Directory, SamhsaError> {
    let location = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| SamhsaError::Io(location.clone(), e))?;
    // the CSV conversion keeps the legend beside the facilities file (an
    // .xlsx has its own legend sheet and ignores it)
    let legend = legend_sibling(path).and_then(|p| std::fs::File::open(p).ok());
    read_file(&location, file, legend)
}

/// Read the directory from bytes (a file in memory); `legend_csv` is the
/// code legend for the CSV form. As [`read_file`].
pub fn read_bytes(
    location: &str,
    bytes: &[u8],
    legend_csv: Option<&[u8]>,
) -> Result<Directory, SamhsaError> {
    read_file(location, Cursor::new(bytes), legend_csv)
}

/// Read the directory from `file`, from its start (an .xlsx, told by its
/// zip signature, or a CSV), named `location` in errors and in the listings' source; `legend_csv`
/// is the code legend of the CSV form (ignored for an .xlsx, whose legend is
/// its "Service Code Reference" sheet).
///
/// Streaming, so memory is bounded whatever the file's size: CSV rows are
/// parsed one at a time from the reader (each at most [`MAX_CSV_ROW_BYTES`]),
/// a spreadsheet's cells one at a time from its sheet, and only the rows
/// coded OIT are kept, with only the columns listings use (at most
/// [`MAX_IOP_ROWS`]). Errors: [`SamhsaError`] (unreadable file, missing
/// column, too many rows, no OIT code in the legend).
pub fn read_file<R: Read + Seek>(
    location: &str,
    mut file: R,
    legend_csv: Option<impl Read>,
) -> Result<Directory, SamhsaError> {
    let io = |e| SamhsaError::Io(location.to_string(), e);
    let mut signature = [0u8; 4];
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let is_xlsx = file.read_exact(&mut signature).is_ok() && signature == *b"PK\x03\x04";
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut facilities = Facilities::default();
    let mut legend = Legend::default();
    if is_xlsx {
        read_xlsx(location, BufReader::new(file), &mut facilities, &mut legend)?;
    } else {
        read_csv(location, file, &mut facilities)?;
        if let Some(legend_csv) = legend_csv {
            read_csv(location, legend_csv, &mut legend)?;
        }
    }
    // a legend without OIT and no row coded OIT: the mental-health editions
    if !legend.codes.is_empty() && !legend.codes.contains_key(IOP_CODE) && facilities.iop.is_empty()
    {
        return Err(SamhsaError::NoIopCode {
            location: location.to_string(),
            settings: legend.settings,
        });
    }
    Ok(Directory {
        location: location.to_string(),
        year: edition_year(location),
        facility_rows: facilities.read,
        rows: facilities.iop,
        legend: legend.codes,
    })
}

/// Where the rows of a sheet or CSV go, one at a time: `header` once with
/// the column names (as [`column_name`]), then `row` with each row's values
/// in the header's order (missing cells empty).
trait RowSink {
    fn header(&mut self, location: &str, names: &[String]) -> Result<(), SamhsaError>;
    fn row(&mut self, location: &str, values: &[String]) -> Result<(), SamhsaError>;
}

/// The facilities list: every row counted, rows coded OIT kept (their
/// [`COLUMNS`] only).
#[derive(Default)]
struct Facilities {
    /// The position of each of [`COLUMNS`] in the header.
    columns: Vec<usize>,
    service_codes: usize,
    read: usize,
    iop: Vec<HashMap<String, String>>,
}

impl RowSink for Facilities {
    fn header(&mut self, location: &str, names: &[String]) -> Result<(), SamhsaError> {
        self.columns = COLUMNS
            .iter()
            .map(|&column| {
                names
                    .iter()
                    .position(|n| n == column)
                    .ok_or_else(|| SamhsaError::MissingColumn(location.to_string(), column))
            })
            .collect::<Result<_, _>>()?;
        self.service_codes = self.columns[COLUMNS.len() - 1];
        Ok(())
    }

    fn row(&mut self, location: &str, values: &[String]) -> Result<(), SamhsaError> {
        self.read += 1;
        let value = |i: usize| values.get(i).map_or("", |v| v.trim());
        if !value(self.service_codes)
            .split_whitespace()
            .any(|c| c == IOP_CODE)
        {
            return Ok(());
        }
        if self.iop.len() >= MAX_IOP_ROWS {
            return Err(SamhsaError::TooManyRows(location.to_string(), MAX_IOP_ROWS));
        }
        self.iop.push(
            COLUMNS
                .iter()
                .zip(&self.columns)
                .map(|(column, &i)| (column.to_string(), value(i).to_string()))
                .collect(),
        );
        Ok(())
    }
}

/// The code legend: code -> label, and the setting codes (category SET).
#[derive(Default)]
struct Legend {
    /// The positions of service_code, service_name and category_code.
    columns: [Option<usize>; 3],
    codes: HashMap<String, String>,
    settings: Vec<String>,
}

impl RowSink for Legend {
    fn header(&mut self, _location: &str, names: &[String]) -> Result<(), SamhsaError> {
        self.columns = ["service_code", "service_name", "category_code"]
            .map(|column| names.iter().position(|n| n == column));
        Ok(())
    }

    fn row(&mut self, location: &str, values: &[String]) -> Result<(), SamhsaError> {
        let value = |i: Option<usize>| Some(values.get(i?).map_or("", |v| v.trim()));
        let [code, name, category] = self.columns.map(value);
        let Some(code) = code else {
            return Ok(());
        };
        if category == Some("SET") {
            self.settings.push(code.to_string());
        }
        if let Some(name) = name {
            if self.codes.len() >= MAX_LEGEND_CODES {
                return Err(SamhsaError::TooManyRows(
                    location.to_string(),
                    MAX_LEGEND_CODES,
                ));
            }
            self.codes.insert(code.to_string(), name.to_string());
        }
        Ok(())
    }
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

/// A reader that refuses to give the CSV parser more than
/// [`MAX_CSV_ROW_BYTES`] past the end of the last row read (`row_end`, set
/// by the caller after each row), so that one endless row (a file with no
/// newline) is an error, not a buffer the size of the file.
struct RowLimit<R> {
    inner: R,
    read: u64,
    row_end: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read - self.row_end.get() > MAX_CSV_ROW_BYTES {
            return Err(std::io::Error::other(format!(
                "a row longer than {MAX_CSV_ROW_BYTES} bytes"
            )));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

fn read_csv(location: &str, file: impl Read, sink: &mut impl RowSink) -> Result<(), SamhsaError> {
    let bad = |e| SamhsaError::Csv(location.into(), e);
    let row_end = std::rc::Rc::new(std::cell::Cell::new(0));
    let limited = RowLimit {
        inner: file,
        read: 0,
        row_end: row_end.clone(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(limited);
    let headers: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(column_name)
        .collect();
    sink.header(location, &headers)?;
    let mut record = csv::StringRecord::new();
    let mut values = Vec::new();
    while reader.read_record(&mut record).map_err(bad)? {
        row_end.set(reader.position().byte());
        values.clear();
        values.extend(record.iter().map(str::to_string));
        sink.row(location, &values)?;
    }
    Ok(())
}

fn read_xlsx<R: Read + Seek>(
    location: &str,
    file: R,
    facilities: &mut Facilities,
    legend: &mut Legend,
) -> Result<(), SamhsaError> {
    use calamine::{Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| SamhsaError::Xlsx(location.into(), e.to_string());
    let mut workbook: Xlsx<R> = Xlsx::new(file).map_err(|e| bad(&e))?;
    // sheets by name, case and spacing ignored
    let names = workbook.sheet_names();
    let find = |wanted: &str| {
        names
            .iter()
            .find(|n| column_name(n) == column_name(wanted))
            .cloned()
            .ok_or_else(|| bad(&format!("no sheet {wanted:?} (sheets: {names:?})")))
    };
    let facilities_sheet = find("Facilities List")?;
    read_sheet(location, &mut workbook, &facilities_sheet, facilities)?;
    // a workbook without a legend is read with codes shown unlabelled
    if let Ok(legend_sheet) = find("Service Code Reference") {
        let mut read = Legend::default();
        if read_sheet(location, &mut workbook, &legend_sheet, &mut read).is_ok() {
            *legend = read;
        }
    }
    Ok(())
}

/// Stream one sheet's cells into `sink`, a row at a time: the first row
/// with a value is the header; empty cells are empty values.
fn read_sheet<R: Read + Seek>(
    location: &str,
    workbook: &mut calamine::Xlsx<R>,
    name: &str,
    sink: &mut impl RowSink,
) -> Result<(), SamhsaError> {
    let bad = |e: &dyn std::fmt::Display| {
        SamhsaError::Xlsx(location.into(), format!("sheet {name:?}: {e}"))
    };
    let mut cells = workbook.worksheet_cells_reader(name).map_err(|e| bad(&e))?;
    // (row, column -> value) of the row being read; the header's columns
    let mut row: Option<(u32, Vec<(u32, String)>)> = None;
    let mut header: Option<Vec<u32>> = None;
    let mut values = Vec::new();
    let mut flush =
        |cells: Vec<(u32, String)>, header: &mut Option<Vec<u32>>| -> Result<(), SamhsaError> {
            match header {
                None => {
                    let names: Vec<String> = cells.iter().map(|(_, v)| column_name(v)).collect();
                    sink.header(location, &names)?;
                    *header = Some(cells.iter().map(|(c, _)| *c).collect());
                }
                Some(columns) => {
                    values.clear();
                    values.extend(columns.iter().map(|column| {
                        cells
                            .iter()
                            .find(|(c, _)| c == column)
                            .map_or(String::new(), |(_, v)| v.clone())
                    }));
                    sink.row(location, &values)?;
                }
            }
            Ok(())
        };
    while let Some(cell) = cells.next_cell().map_err(|e| bad(&e))? {
        if calamine::DataType::is_empty(cell.get_value()) {
            continue;
        }
        let (r, c) = cell.get_position();
        let value = calamine::Data::from(cell.get_value().clone()).to_string();
        match &mut row {
            Some((current, cells)) if *current == r => cells.push((c, value)),
            _ => {
                if let Some((_, done)) = row.replace((r, vec![(c, value)])) {
                    flush(done, &mut header)?;
                }
            }
        }
    }
    if let Some((_, done)) = row {
        flush(done, &mut header)?;
    }
    Ok(())
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
        rows: directory.facility_rows,
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
            // the row's name, program name, street and ZIP, as the file
            // gives them; a blank one (most rows have no name2) left out
            record: Some(
                ["name1", "name2", "street1", "zip"]
                    .map(|column| get(row, column))
                    .iter()
                    .map(|part| part.trim())
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
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
        // the other intake columns: a second line and the alternates
        record.more_intake_phones = ["intake2", "intake1a", "intake2a"]
            .into_iter()
            .map(|c| get(row, c))
            .filter(|p| !p.is_empty())
            .collect();
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
    fn every_intake_number_is_kept() {
        let csv = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
            New Dawn Treatment Center,Outpatient,9960 Business Park Drive,Suite 160,Sacramento,CA,95827,916-363-2732,916-723-1319,916-969-4300,888-PARNEXT,916-363-2732,SA * OIT\n\
            Rose House,,601 Snowpeak Lane,,Lafayette,CO,80026,888-398-4111 x1,,720-471-0780,,,SA * OIT\n";
        let dir = read_bytes("su_2023.csv", csv.as_bytes(), Some(LEGEND.as_bytes())).unwrap();
        let crawl = listings(&dir, date());
        let by_name = |n: &str| crawl.listings.iter().find(|l| l.name == n).unwrap();
        let new_dawn = by_name("New Dawn Treatment Center");
        assert_eq!(new_dawn.intake_phone.as_deref(), Some("(916) 723-1319"));
        assert_eq!(
            new_dawn.more_intake_phones,
            ["(916) 969-4300", "(888) 727-6398"],
            "intake2 and the vanity alternate; the main number is not repeated"
        );
        // intake2 alone is the intake number
        let rose = by_name("Rose House");
        assert_eq!(rose.intake_phone.as_deref(), Some("(720) 471-0780"));
        assert!(rose.more_intake_phones.is_empty());
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
    fn a_program_for_an_age_group_says_the_facility_treats_that_age() {
        // AD, TAY, SE: "a program or group specifically tailored for"
        // adolescents, young adults, seniors; here with no AGE code at all
        let csv = "name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n\
            Clinic B,,1 Main St,,Boston,MA,02108,,,,,,SA * OIT * AD TAY SE WN\n";
        let dir = read_bytes("x.csv", csv.as_bytes(), None).unwrap();
        let l = &listings(&dir, date()).listings[0];
        assert_eq!(
            l.values("age"),
            ["adolescents", "young-adults", "adults", "seniors"]
        );
        assert_eq!(l.values("population"), ["women"]);
        let (p, _) = l.provenance_of("age/adolescents").unwrap();
        assert!(p.evidence.as_deref().unwrap_or("").contains("AD"), "{p:?}");
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
