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
//! - A number is valid when it follows the North American Numbering Plan
//!   (area code and exchange start with 2-9; no N11 or 555 area code). Fax
//!   numbers and crisis lines (988, 741741, 911 and the national hotlines)
//!   are never a program's phone ([`program_phone`]).
//!
//! The `phonenumber` crate (libphonenumber's metadata) was considered: it
//! would check area codes in service, but adding it changes the features of
//! shared dependencies and rebuilds the whole workspace; the NANP rules here
//! are what the directory's US-only sources need.

use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// A valid US/NANP number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    /// Ten digits: area code, exchange, line.
    pub digits: String,
    /// The extension's digits, if any.
    pub ext: Option<String>,
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

/// The keypad digit of a letter.
fn keypad(c: char) -> Option<char> {
    let d = match c.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(d)
}

impl Phone {
    /// One number from text ("(916) 555-0142 ext. 12", "1-800-555-HOPE"):
    /// the first valid one, or `None`.
    pub fn parse(text: &str) -> Option<Phone> {
        parse_all(text).into_iter().next().map(|f| f.phone)
    }

    fn of_match(m: &regex::Captures<'_>) -> Option<Phone> {
        let main = m.name("main")?.as_str();
        let letters = main.chars().filter(char::is_ascii_alphabetic).count();
        let mut digits: String = main
            .chars()
            .filter_map(|c| {
                if c.is_ascii_digit() {
                    Some(c)
                } else if c.is_ascii_alphabetic() {
                    keypad(c)
                } else {
                    None
                }
            })
            .collect();
        if digits.len() > 10 && digits.starts_with('1') {
            digits.remove(0);
        }
        // vanity numbers may be written with extra letters ("1-800-FLOWERS"):
        // the first ten digits are dialled
        if letters > 0 && digits.len() > 10 {
            digits.truncate(10);
        }
        if digits.len() != 10 || !valid_nanp(&digits) {
            return None;
        }
        // a vanity word ("813-630HOPE", "1-800-273-TALK") is written with
        // dashes or dots; "202 BED UNIT" is not a number
        if letters > 0 && !TOLL_FREE.contains(&&digits[..3]) && !main.contains(['-', '.']) {
            return None;
        }
        Some(Phone {
            digits,
            ext: m.name("ext").map(|e| e.as_str().to_string()),
        })
    }

    /// "(916) 555-0142", with " ext. 12" when there is one.
    pub fn display(&self) -> String {
        let d = &self.digits;
        let mut out = format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]);
        if let Some(ext) = &self.ext {
            out.push_str(&format!(" ext. {ext}"));
        }
        out
    }

    /// The RFC 3966 URI a link dials: `tel:+19165550142;ext=12`.
    pub fn tel_uri(&self) -> String {
        let mut out = format!("tel:+1{}", self.digits);
        if let Some(ext) = &self.ext {
            out.push_str(&format!(";ext={ext}"));
        }
        out
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

/// NANP: area code and exchange start with 2-9; no N11 area code; no 555
/// area code.
fn valid_nanp(d: &str) -> bool {
    let b = d.as_bytes();
    (b'2'..=b'9').contains(&b[0])
        && (b'2'..=b'9').contains(&b[3])
        && !(b[1] == b'1' && b[2] == b'1')
        && &d[..3] != "555"
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
}
