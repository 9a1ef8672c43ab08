//! Phone numbers, for every source: the one parser the project uses for US
//! (NANP) numbers as sources write them.
//!
//! - Forms: "(916) 555-0142", "916.555.0142", "+1 916 555 0142",
//!   "1-800-273-TALK" (vanity letters converted on the keypad),
//!   "916-555-0142 ext. 12" / "x12" / "extension 12" (the extension kept and
//!   dialled as `tel:+19165550142;ext=12`, RFC 3966).
//! - Several numbers in one field ("916-555-0142 / 916-555-0199",
//!   "Phone: ... Fax: ...") are split ([`parse_all`]), each with its role
//!   from the words before it ("Fax", "Intake", "Toll free", "Crisis").
//! - Fax numbers and crisis lines (988, 741741, 911 and the national
//!   hotlines) are never a program's phone ([`program_phone`]).
//!
//! Parsing, validation and formatting are the `phonenumber` crate's, the
//! Rust port of Google's libphonenumber with its metadata: released since
//! 2017, kept in step with libphonenumber's metadata (0.3.10 carries 9.0.33,
//! July 2026), about three million downloads in the last 90 days, used by
//! `garde` and `validators`. It reads extensions written "ext.", "x",
//! "extension" or "#", knows which area codes and exchanges are in service
//! (a number it calls invalid is one no caller can reach), and writes the
//! national form "(916) 555-0142 ext. 12" and the RFC 3966 URI. The younger
//! port `rlibphonenumber` was looked at too; it also ports libphonenumber's
//! matcher, but that finds digits only (no vanity numbers), so the finding
//! below would stay ours either way, and `phonenumber` has the longer record.
//!
//! What no library does stays here, as the project's domain: finding the
//! numbers in a field of free text, their roles from the words around them,
//! and which numbers are crisis lines, never a program's phone. Vanity
//! letters are converted here too (the keypad, ITU-T E.161), before the
//! candidate is handed on: the port converts them, but reads a word ending
//! like an extension marker ("888-PARNEXT") as that marker, and converts
//! even a single stray letter where libphonenumber drops it.

use phonenumber::{country, Mode, PhoneNumber};
use regex::Regex;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

/// A valid US/NANP number (the United States, Canada and the other
/// countries of country code 1), as libphonenumber's metadata knows them.
///
/// Two phones are equal when their digits and extension are, however
/// they were written.
#[derive(Debug, Clone)]
pub struct Phone {
    /// Ten digits: area code, exchange, line.
    pub digits: String,
    /// The extension's digits, if any.
    pub ext: Option<String>,
    /// The library's parsed number, which formats it.
    number: PhoneNumber,
}

impl PartialEq for Phone {
    fn eq(&self, other: &Phone) -> bool {
        self.digits == other.digits && self.ext == other.ext
    }
}

impl Eq for Phone {}

impl Hash for Phone {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
        self.ext.hash(state);
    }
}

/// What a number is for, from the words written before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The program's or office's line (no label, "Phone", "Call", "Tel").
    Main,
    /// Admissions, intake, toll-free lines.
    Intake,
    /// A fax number: never called.
    Fax,
    /// A crisis line (988, 741741, 911, national hotlines): never the
    /// program's phone.
    Crisis,
}

/// A number found in text, its role and where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The number.
    pub phone: Phone,
    /// What it is for.
    pub role: Role,
    /// Byte offset of the number in the text.
    pub at: usize,
}

/// National crisis and help lines (ten digits): never a program's phone.
const CRISIS_LINES: &[&str] = &[
    "8002738255", // former National Suicide Prevention Lifeline (1-800-273-TALK)
    "8006624357", // SAMHSA National Helpline (1-800-662-HELP)
    "8007997233", // National Domestic Violence Hotline
    "8009855990", // Disaster Distress Helpline
    "8007842433", // 1-800-SUICIDE
    "8779704636", // Veterans Crisis Line (old)
];

/// Where a number may be written in free text: ten digits in the usual
/// groups, letters only where a vanity number writes them (the exchange and
/// the line), and an extension after it. Finding is ours; whether the
/// candidate is a number, and which, is the library's.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<main>
          (?:\+?1[\s.\-]*)?
          (?:\(\s*[2-9][0-9]{2}\s*\)|[2-9][0-9]{2})[\s.\-]*
          [2-9A-Z][0-9A-Z]{2}[\s.\-]*
          (?:[0-9]{4}|[0-9A-Z]{4,7})
        )
        (?:\s*,?\s*(?:ext\.?|extension|x\.?|\#)\s*(?P<ext>[0-9]{1,6}))?",
    )
    .expect("phone regex")
});

/// Toll-free area codes: the only ones written with vanity letters.
const TOLL_FREE: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];

static SHORT_CRISIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:988|911|741741)\b").expect("crisis regex"));

/// The digit of a letter on the telephone keypad (ITU-T E.161); any other
/// character as it is.
fn keypad(c: char) -> char {
    match c.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => c,
    }
}

impl Phone {
    /// One number from text ("(916) 555-0142 ext. 12", "1-800-555-HOPE"):
    /// the first valid one, or `None`.
    pub fn parse(text: &str) -> Option<Phone> {
        // the form the store keeps (`display`'s) is read without the finder,
        // whose first match would be the whole text (the finder was a sixth
        // of a results page of a 1M directory, whose cards are made per request)
        if let Some(main) = display_form(text) {
            return Phone::of_written(main, text);
        }
        parse_all(text).into_iter().next().map(|f| f.phone)
    }

    /// The candidate `m` as the library reads it, if it is a valid number.
    fn of_match(m: &regex::Captures<'_>) -> Option<Phone> {
        Phone::of_written(m.name("main")?.as_str(), m.get(0)?.as_str())
    }

    /// A candidate found in text as the library reads it, if it is a valid
    /// number: `whole` is the number as written with its extension, and
    /// `written` the number without it (a prefix of `whole`).
    fn of_written(written: &str, whole: &str) -> Option<Phone> {
        let letters = written.chars().filter(char::is_ascii_alphabetic).count();
        // vanity numbers may be written with extra letters ("1-800-FLOWERS4U"):
        // only the first ten digits are dialled, so the rest is not handed on
        let mut keep = written.len();
        if letters > 0 {
            let mut count = 0;
            let national = written.trim_start_matches(['+', '1', ' ', '.', '-']);
            let skipped = written.len() - national.len();
            for (i, c) in national.char_indices() {
                if c.is_ascii_alphanumeric() {
                    count += 1;
                    if count == 10 {
                        keep = skipped + i + 1;
                        break;
                    }
                }
            }
        }
        // the letters are converted here, not by the library: the Rust port
        // reads a vanity word ending in an extension marker ("888-PARNEXT",
        // "1-800-GOFEDEX": "EXT", "X") as that marker with an empty
        // extension (its extension digits are `{0,7}` where libphonenumber's
        // are `{1,7}`) and refuses the rest as too short
        let main: String = written[..keep].chars().map(keypad).collect();
        let candidate = format!("{main}{}", &whole[written.len()..]);
        let number = phonenumber::parse(Some(country::Id::US), &candidate).ok()?;
        if number.code().value() != 1 || !is_valid(&number) {
            return None;
        }
        let digits = number.national().to_string();
        if digits.len() != 10 {
            return None;
        }
        // a vanity word ("813-630HOPE", "1-800-273-TALK") is written with
        // dashes or dots; "202 BED UNIT" is not a number
        if letters > 0 && !TOLL_FREE.contains(&&digits[..3]) && !written.contains(['-', '.']) {
            return None;
        }
        Some(Phone {
            digits,
            ext: number.extension().map(|e| e.to_string()),
            number,
        })
    }

    /// "(916) 555-0142", with " ext. 12" when there is one: the library's
    /// national format.
    pub fn display(&self) -> String {
        self.number.format().mode(Mode::National).to_string()
    }

    /// The RFC 3966 URI a link dials: `tel:+19165550142;ext=12` (the
    /// library's RFC 3966 form without its optional visual separators, so
    /// links stay as the store has always written them).
    pub fn tel_uri(&self) -> String {
        // `+1` and the ten digits: what the library writes for a number of
        // country code 1, written directly (its formatter was 3% of a 1M
        // results page; a test holds the two equal)
        nanp_tel_uri(&self.digits, self.ext.as_deref())
    }

    /// [`Phone::tel_uri`] as the library writes it.
    #[cfg(test)]
    fn library_tel_uri(&self) -> String {
        self.number
            .format()
            .mode(Mode::Rfc3966)
            .to_string()
            .replace('-', "")
    }

    /// A national crisis or help line.
    pub fn is_crisis(&self) -> bool {
        CRISIS_LINES.contains(&self.digits.as_str())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// The most numbers [`is_valid`] remembers: about 10 MB.
const VALIDITY_MEMO: usize = 1 << 18;

/// Each number's validity as the library last said, by its country code,
/// the leading zeros and value of its national number: all the library's
/// check reads (`phonenumber::validator::is_valid_with`).
static VALIDITY: LazyLock<quick_cache::sync::Cache<(u16, u8, u64), bool>> =
    LazyLock::new(|| quick_cache::sync::Cache::new(VALIDITY_MEMO));

/// Whether `number` is valid, as `phonenumber::is_valid` says, remembered
/// per number ([`VALIDITY`]): the library matches a NANP number against
/// each region's patterns, behind one lock, and a results page checks every
/// card's phone (at 1,000,000 listings, 19% of the page); the same numbers
/// are checked again page after page.
fn is_valid(number: &PhoneNumber) -> bool {
    let national = number.national();
    let key = (number.code().value(), national.zeros(), national.value());
    if let Some(valid) = VALIDITY.get(&key) {
        return valid;
    }
    let valid = phonenumber::is_valid(number);
    VALIDITY.insert(key, valid);
    valid
}

/// [`Phone::parse`]`(text)`'s [`Phone::tel_uri`]. A number in the stored
/// form ([`Phone::display`]'s) that was checked before is written without
/// the library, from its digits and its validity remembered ([`is_valid`]):
/// every page of results dials its cards' phones.
pub fn tel_uri_of(text: &str) -> Option<String> {
    if let Some(main) = display_form(text) {
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        // as the library reads it: country code 1, no leading zero (the
        // area code starts 2-9), the ten digits
        if let Some(valid) = digits
            .parse::<u64>()
            .ok()
            .and_then(|value| VALIDITY.get(&(1, 0, value)))
        {
            let ext = text[main.len()..].strip_prefix(" ext. ");
            return valid.then(|| nanp_tel_uri(&digits, ext));
        }
    }
    Phone::parse(text).map(|p| p.tel_uri())
}

/// `tel:+1` and a NANP number's ten digits, with `;ext=` and its extension.
fn nanp_tel_uri(digits: &str, ext: Option<&str>) -> String {
    match ext {
        Some(ext) => format!("tel:+1{digits};ext={ext}"),
        None => format!("tel:+1{digits}"),
    }
}

/// The number of `text` when `text` is exactly in [`Phone::display`]'s form,
/// "(916) 555-0142" with " ext. " and 1-6 digits or nothing after it, as
/// [`NUMBER`] would find it: the area code and the exchange starting 2-9.
fn display_form(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let first = |i: usize| b.get(i).is_some_and(|c| (b'2'..=b'9').contains(c));
    let shaped = b.len() >= 14
        && b[0] == b'('
        && first(1)
        && digit(2)
        && digit(3)
        && &b[4..6] == b") "
        && first(6)
        && digit(7)
        && digit(8)
        && b[9] == b'-'
        && (10..14).all(digit);
    if !shaped {
        return None;
    }
    let ext = &b[14..];
    let ext_ok = ext.is_empty()
        || ext
            .strip_prefix(b" ext. ")
            .is_some_and(|d| (1..=6).contains(&d.len()) && d.iter().all(u8::is_ascii_digit));
    ext_ok.then(|| &text[..14])
}

/// The role the words just before a number give it.
fn role_before(before: &str) -> Role {
    let lower = before.to_lowercase();
    // the last label before the number wins ("Phone: ... Fax: ...")
    let tail: String = lower
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let cut = tail
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(tail.as_str(), |i| &tail[i + 1..]);
    let has = |w: &str| cut.contains(w);
    if has("fax") || has("facsimile") {
        Role::Fax
    } else if has("crisis") || has("suicide") || has("lifeline") || has("hotline") {
        Role::Crisis
    } else if has("intake") || has("admission") || has("toll") || has("free") {
        Role::Intake
    } else {
        Role::Main
    }
}

/// Every valid number in a text, in order, each with its role.
pub fn parse_all(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for m in NUMBER.captures_iter(text) {
        let whole = m.get(0).expect("match");
        // not inside a longer run of digits (an ID, a date)
        let before = &text[..whole.start()];
        if before.ends_with(|c: char| c.is_ascii_alphanumeric())
            || text[whole.end()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let Some(phone) = Phone::of_match(&m) else {
            continue;
        };
        let mut role = role_before(before);
        if phone.is_crisis() {
            role = Role::Crisis;
        }
        if !out.iter().any(|f: &Found| f.phone == phone) {
            out.push(Found {
                phone,
                role,
                at: whole.start(),
            });
        }
    }
    out
}

/// Does the text name a short crisis number (988, 911, 741741)?
pub fn mentions_crisis_line(text: &str) -> bool {
    SHORT_CRISIS.is_match(text)
}

/// The program's phone in a field that may hold several numbers: the first
/// that is neither a fax nor a crisis line, as "(916) 555-0142 ext. 12".
pub fn program_phone(text: &str) -> Option<String> {
    parse_all(text)
        .into_iter()
        .find(|f| !matches!(f.role, Role::Fax | Role::Crisis))
        .map(|f| f.phone.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_extensions_and_vanity_numbers() {
        let p = Phone::parse("1 (916) 555-0142 ext. 12").unwrap();
        assert_eq!(p.display(), "(916) 555-0142 ext. 12");
        assert_eq!(p.tel_uri(), "tel:+19165550142;ext=12");
        assert_eq!(
            Phone::parse("916.555.0142x7").unwrap().tel_uri(),
            "tel:+19165550142;ext=7"
        );
        assert_eq!(
            Phone::parse("Call 1-888-555-HOPE").unwrap().display(),
            "(888) 555-4673"
        );
        assert_eq!(
            Phone::parse("+1 866 969 4300").unwrap().display(),
            "(866) 969-4300"
        );
        assert!(Phone::parse("123-456-7890").is_none(), "area code 1xx");
        assert!(Phone::parse("Suite 1200, 95603").is_none());
    }

    #[test]
    fn two_numbers_fax_and_crisis_lines() {
        let all = parse_all("Phone: 888-398-4111 Fax: 303-494-1783");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].role, Role::Main);
        assert_eq!(all[1].role, Role::Fax);
        assert_eq!(
            program_phone("Fax: 303-494-1783 / Call 24/7: 888-398-4111").as_deref(),
            Some("(888) 398-4111")
        );
        assert_eq!(
            program_phone("916-555-0142 / 916-555-0199").as_deref(),
            Some("(916) 555-0142")
        );
        assert_eq!(program_phone("1-800-273-TALK"), None);
        assert_eq!(
            parse_all("Intake: 415-331-1383")[0].role,
            Role::Intake,
            "intake line"
        );
        assert!(mentions_crisis_line("call or text 988"));
    }

    #[test]
    fn extensions_written_ext_or_x_are_dialled() {
        for (written, display, tel) in [
            (
                "(916) 555-0142 ext. 12",
                "(916) 555-0142 ext. 12",
                "tel:+19165550142;ext=12",
            ),
            (
                "916-555-0142 x12",
                "(916) 555-0142 ext. 12",
                "tel:+19165550142;ext=12",
            ),
            (
                "916-555-0142x12",
                "(916) 555-0142 ext. 12",
                "tel:+19165550142;ext=12",
            ),
            (
                "916-555-0142, extension 345",
                "(916) 555-0142 ext. 345",
                "tel:+19165550142;ext=345",
            ),
            (
                "Call (530) 583-6985 #2303",
                "(530) 583-6985 ext. 2303",
                "tel:+15305836985;ext=2303",
            ),
        ] {
            let p = Phone::parse(written).unwrap_or_else(|| panic!("{written}"));
            assert_eq!(p.ext.as_deref(), tel.rsplit('=').next(), "{written}");
            assert_eq!(p.display(), display, "{written}");
            assert_eq!(p.tel_uri(), tel, "{written}");
            assert_eq!(program_phone(written).as_deref(), Some(display));
        }
        // the same number with and without an extension are two phones
        let all = parse_all("916-555-0142 ext. 12 or 916-555-0142");
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].phone.tel_uri(), "tel:+19165550142");
    }

    #[test]
    fn vanity_letters_are_converted_on_the_keypad() {
        // 1-800-273-TALK is the former Lifeline: converted, and a crisis line
        let talk = parse_all("1-800-273-TALK");
        assert_eq!(talk.len(), 1);
        assert_eq!(talk[0].phone.digits, "8002738255");
        assert_eq!(talk[0].role, Role::Crisis);
        // 1-800-XXX-HOPE forms, as providers write them
        for (written, display) in [
            ("1-877-505-HOPE", "(877) 505-4673"),
            ("877-505HOPE", "(877) 505-4673"),
            ("Call 1-888-555-HOPE today", "(888) 555-4673"),
            ("844-NFI-HOPE", "(844) 634-4673"),
            ("813-630HOPE", "(813) 630-4673"),
            ("800-PINELAN", "(800) 746-3526"),
            // words ending as an extension marker does ("EXT", "X")
            ("888-PARNEXT", "(888) 727-6398"),
            ("1-800-GOFEDEX", "(800) 463-3339"),
            // letters past the tenth digit are not dialled
            ("1-800-FLOWERS4U", "(800) 356-9377"),
        ] {
            assert_eq!(
                program_phone(written).as_deref(),
                Some(display),
                "{written}"
            );
        }
        // words that are not a vanity number
        assert_eq!(program_phone("Room 202 BED UNIT"), None);
    }

    #[test]
    fn two_numbers_in_one_field_are_split() {
        for (field, first, second) in [
            ("916-555-0142 / 916-555-0199", "9165550142", "9165550199"),
            (
                "(916) 555-0142 or (530) 583-6985",
                "9165550142",
                "5305836985",
            ),
            ("916.555.0142; 1-800-555-HOPE", "9165550142", "8005554673"),
            (
                "916-555-0142 ext. 3, 916-555-0199",
                "9165550142",
                "9165550199",
            ),
        ] {
            let all = parse_all(field);
            let digits: Vec<&str> = all.iter().map(|f| f.phone.digits.as_str()).collect();
            assert_eq!(digits, [first, second], "{field}");
            assert!(all[1].at > all[0].at, "{field}");
        }
    }

    #[test]
    fn fax_numbers_and_crisis_lines_are_never_the_program_phone() {
        // a fax before or after the program's line
        assert_eq!(
            program_phone("Fax: (916) 555-0199 Phone: (916) 555-0142").as_deref(),
            Some("(916) 555-0142")
        );
        assert_eq!(
            program_phone("(916) 555-0142, fax (916) 555-0199").as_deref(),
            Some("(916) 555-0142")
        );
        assert_eq!(program_phone("Fax 916-555-0199"), None, "only a fax");
        // the short crisis lines are named, never made the program's phone
        for text in [
            "In a crisis, call or text 988",
            "If this is an emergency, call 911",
            "Text HOME to 741741",
        ] {
            assert!(mentions_crisis_line(text), "{text}");
            assert_eq!(program_phone(text), None, "{text}");
        }
        assert_eq!(
            program_phone("Emergency? Call 911. Office: 916-555-0142").as_deref(),
            Some("(916) 555-0142")
        );
        // national hotlines, whatever the label
        for text in [
            "Call 1-800-662-HELP (4357)",
            "National Suicide Prevention Lifeline 800-273-8255",
            "Questions? 1-800-799-7233",
        ] {
            assert_eq!(program_phone(text), None, "{text}");
        }
        // a labelled crisis line of the provider's own
        let all = parse_all("24/7 crisis line: 916-555-0199. Intake: 916-555-0142");
        assert_eq!(all[0].role, Role::Crisis);
        assert_eq!(all[1].role, Role::Intake);
        assert_eq!(
            program_phone("24/7 crisis line: 916-555-0199. Intake: 916-555-0142").as_deref(),
            Some("(916) 555-0142")
        );
    }

    #[test]
    fn numbers_not_in_service_are_refused() {
        // the form of a NANP number, in area codes never assigned (N9X are
        // kept for expansion; 555 is not an area code; 1xx exchanges do not
        // exist): libphonenumber's metadata refuses them
        for text in ["(295) 555-0142", "555-667-8999", "207-175-2222"] {
            assert!(Phone::parse(text).is_none(), "{text}");
        }
        // Canada and Puerto Rico share country code 1
        assert_eq!(
            Phone::parse("+1 416 555 0142")
                .map(|p| p.tel_uri())
                .as_deref(),
            Some("tel:+14165550142")
        );
        assert_eq!(
            Phone::parse("787-555-0142").map(|p| p.display()).as_deref(),
            Some("(787) 555-0142")
        );
    }

    #[test]
    fn the_stored_form_is_read_as_the_finder_reads_it() {
        // numbers in the store's form, valid or not, with extensions of 1-7
        // digits, and near misses of the form: the shortcut and the finder
        // agree, and the tel: URI written directly is the library's
        let mut rng = fastrand::Rng::with_seed(17);
        let mut read = 0;
        for _ in 0..3_000 {
            let mut text = format!(
                "({}{:02}) {}{:02}-{:04}",
                rng.u32(0..10),
                rng.u32(0..100),
                rng.u32(0..10),
                rng.u32(0..100),
                rng.u32(0..10_000)
            );
            match rng.u32(0..6) {
                0 | 1 => text.push_str(&format!(" ext. {}", rng.u32(0..10_000_000))),
                2 => text.push_str(&format!(" ext. {:03}", rng.u32(0..100))),
                3 => {
                    let at = rng.usize(0..text.len());
                    text.replace_range(at..=at, [" ", "x", "1", ""][rng.usize(0..4)]);
                }
                _ => {}
            }
            let by_finder = parse_all(&text).into_iter().next().map(|f| f.phone);
            let shortcut = Phone::parse(&text);
            assert_eq!(shortcut, by_finder, "{text}");
            // (its validity now remembered)
            let tel = by_finder.as_ref().map(Phone::library_tel_uri);
            assert_eq!(tel_uri_of(&text), tel, "{text}");
            if let Some(p) = shortcut {
                read += 1;
                assert_eq!(p.tel_uri(), p.library_tel_uri(), "{text}");
                assert_eq!(Phone::parse(&p.display()), Some(p.clone()), "{text}");
            }
        }
        assert!(
            read > 500,
            "only {read} valid numbers: the cases are not testing much"
        );
    }

    #[test]
    fn remembered_validity_is_the_librarys() {
        // random NANP and foreign numbers, each asked twice (the second time
        // from the memo), against the library's own check
        let mut rng = fastrand::Rng::with_seed(18);
        let (mut valid, mut invalid) = (0, 0);
        for _ in 0..2_000 {
            let text = match rng.u32(0..4) {
                0 => format!("+44 20 {:04} {:04}", rng.u32(0..10_000), rng.u32(0..10_000)),
                1 => format!("0{:09}", rng.u64(0..1_000_000_000)),
                _ => format!("{:010}", rng.u64(2_000_000_000..10_000_000_000)),
            };
            let Ok(number) = phonenumber::parse(Some(country::Id::US), &text) else {
                continue;
            };
            let library = phonenumber::is_valid(&number);
            assert_eq!(is_valid(&number), library, "{text}");
            assert_eq!(is_valid(&number), library, "{text}, remembered");
            if library {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(
            valid > 300 && invalid > 300,
            "{valid} valid, {invalid} invalid"
        );
    }
}
