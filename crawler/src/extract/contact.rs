//! What a person sees of a provider's whereabouts: postal addresses
//! (`<address>` blocks, footers, contact cards, "Visit us at ..." lines),
//! phone numbers (`tel:` links and written numbers) and the site's name
//! (`og:site_name`, the copyright line, the title, the logo's alt text).
//!
//! An address counts only when it checks out against the US ZIP list (the
//! `zipcodes` crate, USPS data): the ZIP code is real, lies in the state
//! written, and the city written is one of the ZIP code's names. Addresses
//! that fail are kept apart with the reason ([`Contacts::rejected`]), P.O.
//! boxes are marked (mail goes there; nobody is treated there).

use super::html::Sentence;
use iop_index::geo::{state_code, STATES};
use iop_index::phone::{self, Phone, Role};
use regex::Regex;
use scraper::{Html, Selector};
use std::collections::HashMap;
use std::sync::LazyLock;

/// A postal address as the page writes it, checked against the ZIP list.
#[derive(Debug, Clone, PartialEq)]
pub struct PostalAddress {
    /// Street line(s), as written ("7447 Antelope Rd #103"); `None` when the
    /// page gives only city, state and ZIP.
    pub street: Option<String>,
    /// City, as written.
    pub city: String,
    /// Postal code ("CA").
    pub state: String,
    /// Five digits.
    pub zip: String,
    /// A P.O. box: a mailing address, not a place of treatment.
    pub po_box: bool,
    /// The phone written with the address (same section of the page),
    /// neither fax nor crisis line.
    pub phone: Option<Phone>,
    /// The headings above the address, nearest first ("PHP/IOP",
    /// "Chemical Dependency"): what the location is for.
    pub headings: Vec<String>,
    /// In page chrome (footer, header): the organization's address.
    pub chrome: bool,
    /// The line(s) the address was read from.
    pub evidence: String,
}

/// A phone number found on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePhone {
    /// The number.
    pub phone: Phone,
    /// What it is for (main line, intake, fax, crisis).
    pub role: Role,
    /// The sentence (or link text) it was read from.
    pub evidence: String,
}

/// Addresses, phones and name candidates of one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contacts {
    /// Addresses that checked out against the US ZIP list, in page order.
    pub addresses: Vec<PostalAddress>,
    /// Addresses that did not check out, with the reason, for the report.
    pub rejected: Vec<String>,
    /// Every number on the page, in page order, with its role.
    pub phones: Vec<PagePhone>,
    /// The site's name as the page shows it, best source first.
    pub names: Vec<String>,
}

struct ZipNames {
    state: String,
    /// Normalized names the post office accepts for the ZIP.
    names: Vec<String>,
}

static ZIPS: LazyLock<HashMap<&'static str, ZipNames>> = LazyLock::new(|| {
    zipcodes::database()
        .iter()
        .map(|z| {
            let mut names = vec![normalize_city(&z.city)];
            names.extend(z.acceptable_cities.iter().map(|c| normalize_city(c)));
            (
                z.zip_code.as_str(),
                ZipNames {
                    state: z.state.clone(),
                    names,
                },
            )
        })
        .collect()
});

fn normalize_city(city: &str) -> String {
    city.split(|c: char| c.is_whitespace() || c == '.' || c == '-' || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| match w.to_lowercase().as_str() {
            "saint" => "st".to_string(),
            "mount" => "mt".to_string(),
            "fort" => "ft".to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// ", CA 95610" / " California 95610-1234" at the end of an address line.
static STATE_ZIP: LazyLock<Regex> = LazyLock::new(|| {
    let mut states: Vec<String> = STATES.iter().map(|(code, _)| code.to_string()).collect();
    states.extend(STATES.iter().map(|(_, name)| regex::escape(name)));
    Regex::new(&format!(
        r"(?:,\s*|\s+)\b(?P<state>{})\b\.?,?\s+(?P<zip>\d{{5}})(?:-\d{{4}})?\b",
        states.join("|")
    ))
    .expect("state zip regex")
});

/// A street line: a house number and words, or a P.O. box.
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\d+[A-Z]?\s+[\w.'#-]+(?:\s+[\w.,'#/-]+)*|p\.?\s*o\.?\s*box\s+\d+.*|one\s+[\w.]+\s+.*)$")
        .expect("street regex")
});

static PO_BOX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bp\.?\s*o\.?\s*box\b").expect("po box regex"));

/// Labels before an address on its line ("Office Address:", "Visit us at").
static ADDRESS_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^.*?(?:address|located at|location|visit us at|find us at|visit us|our office|mailing)\s*(?:is)?\s*[:\-–]?\s*")
        .expect("label regex")
});

static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:©|Ⓒ|\(c\)|copyright)\s*(?:copyright\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?)?\s*,?\s*(?P<name>[A-Z][\w&'’.\- ]*?[\w.])\s*(?:[-|,•–]|\ball rights\b|\.\s|$)")
        .expect("copyright regex")
});

/// Read the page's addresses, phones and names.
pub fn contacts(document: &Html, sentences: &[Sentence]) -> Contacts {
    let mut out = Contacts::default();
    // phones, section by section
    let mut section_of = Vec::with_capacity(sentences.len());
    let mut section = 0usize;
    for (i, s) in sentences.iter().enumerate() {
        if s.heading {
            section = i + 1;
        }
        section_of.push(section);
    }
    for s in sentences {
        for found in phone::parse_all(&s.text) {
            if !out.phones.iter().any(|p| p.phone == found.phone) {
                out.phones.push(PagePhone {
                    phone: found.phone,
                    role: found.role,
                    evidence: s.text.clone(),
                });
            }
        }
    }
    // tel: links whose number the page does not write out ("Call now")
    let tel = Selector::parse(r#"a[href^="tel:"], a[href^="TEL:"]"#).expect("selector");
    for a in document.select(&tel) {
        let href = a.value().attr("href").unwrap_or("");
        let text: String = a.text().collect::<Vec<_>>().join(" ");
        let Some(found) = phone::parse_all(&href[4..]).into_iter().next() else {
            continue;
        };
        if !out.phones.iter().any(|p| p.phone == found.phone) {
            let role = if found.role == Role::Main {
                phone::parse_all(&format!("{text} 2025550100"))
                    .first()
                    .map_or(Role::Main, |f| f.role)
            } else {
                found.role
            };
            out.phones.push(PagePhone {
                phone: found.phone,
                role,
                evidence: text.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
    }

    // addresses
    for (i, s) in sentences.iter().enumerate() {
        for m in STATE_ZIP.captures_iter(&s.text) {
            let whole = m.get(0).expect("match");
            let prefix = s.text[..whole.start()].trim();
            let state = state_code(&m["state"]).unwrap_or("").to_string();
            let zip = m["zip"].to_string();
            let evidence_line = s.text[..whole.end()].trim().to_string();
            let Some(known) = ZIPS.get(zip.as_str()) else {
                out.rejected
                    .push(format!("{evidence_line:?}: {zip} is not a US ZIP code"));
                continue;
            };
            if known.state != state {
                out.rejected.push(format!(
                    "{evidence_line:?}: ZIP {zip} is in {}, not {state}",
                    known.state
                ));
                continue;
            }
            // the city: the ZIP's name that ends the text before the state
            let words: Vec<&str> = prefix.split_whitespace().collect();
            let mut city = None;
            for take in (1..=words.len().min(5)).rev() {
                let candidate = words[words.len() - take..].join(" ");
                let candidate = candidate.trim_start_matches([',', ' ']).to_string();
                if known.names.contains(&normalize_city(&candidate)) {
                    city = Some((candidate, words.len() - take));
                    break;
                }
            }
            let Some((city, at)) = city else {
                let written = prefix.rsplit(',').next().unwrap_or(prefix).trim();
                out.rejected.push(format!(
                    "{evidence_line:?}: {written:?} is not a name of ZIP {zip} ({})",
                    known.names.first().map(String::as_str).unwrap_or("")
                ));
                continue;
            };
            let city = city.trim_end_matches(',').trim().to_string();
            // the street: before the city on the same line, else the line above
            let before = words[..at]
                .join(" ")
                .trim_end_matches([',', ' '])
                .to_string();
            let before = ADDRESS_LABEL.replace(&before, "").trim().to_string();
            let mut evidence = evidence_line.clone();
            let street = if !before.is_empty() && STREET.is_match(&before) {
                Some(before)
            } else if before.is_empty() && i > 0 && !sentences[i - 1].heading {
                let above = ADDRESS_LABEL
                    .replace(sentences[i - 1].text.trim(), "")
                    .trim()
                    .trim_end_matches(',')
                    .to_string();
                if STREET.is_match(&above) {
                    evidence = format!("{} {evidence}", sentences[i - 1].text);
                    Some(above)
                } else {
                    None
                }
            } else {
                None
            };
            let po_box = street.as_deref().is_some_and(|s| PO_BOX.is_match(s));
            // headings above, nearest first, each of a higher level
            let mut headings = Vec::new();
            let mut level = u8::MAX;
            for h in sentences[..i].iter().rev().filter(|h| h.heading) {
                if h.level < level {
                    headings.push(h.text.clone());
                    level = h.level;
                }
                if level <= 1 {
                    break;
                }
            }
            // the phone of the address's section, else of the line after it
            let sec = section_of[i];
            let phone = sentences
                .iter()
                .enumerate()
                .filter(|(j, _)| section_of[*j] == sec)
                .flat_map(|(_, t)| phone::parse_all(&t.text))
                .find(|f| !matches!(f.role, Role::Fax | Role::Crisis))
                .map(|f| f.phone);
            let address = PostalAddress {
                street,
                city,
                state: state.clone(),
                zip,
                po_box,
                phone,
                headings,
                chrome: s.chrome,
                evidence,
            };
            if !out.addresses.iter().any(|a| {
                a.zip == address.zip && a.street == address.street && a.city == address.city
            }) {
                out.addresses.push(address);
            }
        }
    }

    // names
    let meta = |selector: &str| {
        let selector = Selector::parse(selector).expect("selector");
        document
            .select(&selector)
            .filter_map(|e| e.value().attr("content"))
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|c| !c.is_empty())
    };
    out.names.extend(meta(r#"meta[property="og:site_name"]"#));
    for s in sentences.iter().rev() {
        if let Some(m) = COPYRIGHT.captures(&s.text) {
            let name = m["name"].trim().trim_end_matches('.').trim().to_string();
            if name.split_whitespace().count() <= 8 && !name.eq_ignore_ascii_case("all rights") {
                out.names.push(name);
                break;
            }
        }
    }
    let img = Selector::parse("img[alt]").expect("selector");
    for e in document.select(&img) {
        let alt = e.value().attr("alt").unwrap_or("");
        let lower = alt.to_lowercase();
        if let Some(at) = lower.find(" logo") {
            let name = alt[..at].trim();
            if !name.is_empty() {
                out.names.push(name.to_string());
                break;
            }
        }
    }
    out.names.dedup();
    out
}

/// The parts of a page title ("Intensive Outpatient Program - Beautiful
/// Minds Medical", "Locations | New Dawn").
pub fn title_parts(title: &str) -> Vec<String> {
    title
        .split([' ', '\u{a0}'])
        .collect::<Vec<_>>()
        .join(" ")
        .split(" | ")
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" – "))
        .flat_map(|p| p.split(" » "))
        .flat_map(|p| p.split(" :: "))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::html::sentences;

    fn read(html: &str) -> Contacts {
        let document = Html::parse_document(html);
        contacts(&document, &sentences(html))
    }

    #[test]
    fn addresses_check_out_against_the_zip_list() {
        let c = read(
            "<h2>Chemical Dependency</h2><h3>PHP/IOP</h3><p>7447 Antelope Rd #103<br>Citrus Heights, CA 95610</p>\
             <p>Office Address: 13300 New Airport Rd. Suite 100, Auburn, CA 95603</p>\
             <footer>P.O. Box 270416, Louisville, CO 80027</footer>\
             <p>12 Main St, Springfield, CA 95610</p><p>1 Elm St, Boston, CA 02108</p>",
        );
        let a = &c.addresses;
        assert_eq!(a.len(), 3, "{a:#?} {:?}", c.rejected);
        assert_eq!(a[0].street.as_deref(), Some("7447 Antelope Rd #103"));
        assert_eq!(
            (a[0].city.as_str(), a[0].zip.as_str()),
            ("Citrus Heights", "95610")
        );
        assert_eq!(a[0].headings, ["PHP/IOP", "Chemical Dependency"]);
        assert_eq!(
            a[1].street.as_deref(),
            Some("13300 New Airport Rd. Suite 100")
        );
        assert_eq!(a[1].city, "Auburn");
        assert!(a[2].po_box && a[2].chrome);
        assert_eq!(c.rejected.len(), 2, "{:?}", c.rejected);
        assert!(c.rejected[0].contains("not a name of ZIP 95610"));
        assert!(c.rejected[1].contains("ZIP 02108 is in MA, not CA"));
    }

    #[test]
    fn names_from_what_a_person_sees() {
        let c = read(
            "<html><head><title>Intensive Outpatient Program - Beautiful Minds Medical</title></head>\
             <body><img src=l.png alt='Rose House Logo'><footer>© Copyright 2004-2010 New Dawn Recovery Centers - All Rights Reserved Worldwide.</footer></body></html>",
        );
        assert_eq!(c.names, ["New Dawn Recovery Centers", "Rose House"]);
        assert_eq!(
            title_parts("Intensive Outpatient Program - Beautiful Minds Medical"),
            ["Intensive Outpatient Program", "Beautiful Minds Medical"]
        );
    }
}
