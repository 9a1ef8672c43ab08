//! Small formatting helpers: numbers, dates, phone and web links, labels.

use crate::i18n::OneValue;
use crate::{Lang, SiteContext};
use iop_index::{Listing, Precision, SearchRequest, Vocabulary};
use maud::Render;

/// Room for this many more bytes in the buffer a `html!` writes into,
/// spliced first: maud starts the buffer at the size of the template's
/// literal text and grows it by doubling, copying what is written each time
/// (a results page's 70 KB was copied about twice over). Writes nothing.
pub(crate) struct Reserve(pub usize);

impl maud::Render for Reserve {
    fn render_to(&self, buffer: &mut String) {
        buffer.reserve(self.0);
    }
}

/// Text spliced into a page escaped exactly as maud escapes a `&str`
/// (`&`, `<`, `>` and `"`, as `&amp;` `&lt;` `&gt;` `&quot;`), but a run
/// of plain text at a time: maud pushes each byte on its own, which was a
/// fifth of a program page's rendering.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a>(pub &'a str);

impl maud::Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        // most text has none of the four: a pass without an early exit
        // (vectorised), then one copy
        let special = |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"');
        if self.0.bytes().fold(false, |any, b| any | special(b)) {
            html_escape::encode_double_quoted_attribute_to_string(self.0, buffer);
        } else {
            buffer.push_str(self.0);
        }
    }
}

/// "1,234".
pub(crate) fn thousands(n: usize) -> String {
    let mut out = String::with_capacity(8);
    push_thousands(&mut out, n);
    out
}

/// [`thousands`] written at the end of `out` (the facet sidebar writes a
/// hundred counts a page).
pub(crate) fn push_thousands(out: &mut String, n: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n);
    if digits.len() <= 3 {
        // most counts: no separator
        out.push_str(digits);
        return;
    }
    for (i, c) in digits.char_indices() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// `x` (not negative) as `format!("{x:.1}")` writes it, without the
/// formatting machinery when it is far enough from a tie between two
/// tenths that rounding `10 x` cannot differ from rounding `x` exactly
/// (the formatter rounds the exact binary value, half to even).
fn push_one_decimal(out: &mut String, x: f64) {
    let t = x * 10.0;
    let frac = t - t.floor();
    // (below 1e9 tenths, 10 x is within 1e-7 of its exact value)
    if !(0.0..1e9).contains(&t) || (frac - 0.5).abs() < 1e-6 {
        out.push_str(&format!("{x:.1}"));
        return;
    }
    let tenths = t.round() as u64;
    out.push_str(itoa::Buffer::new().format(tenths / 10));
    out.push('.');
    out.push(char::from(b'0' + (tenths % 10) as u8));
}

/// A listing's distance from the searched place, claiming no more
/// precision than its point has: "2.4 mi" for the program's own
/// coordinates; from a ZIP code's or city's centre, "in ZIP 19104" /
/// "in Philadelphia" when it is that centre (never "0.0 mi"), else
/// "about 3 mi".
pub(crate) struct Distance<'a>(pub &'a SiteContext, pub &'a Listing, pub f64);

impl maud::Render for Distance<'_> {
    fn render_to(&self, out: &mut String) {
        write_distance(out, self.0, self.1, self.2);
    }
}

/// [`Distance`] written at the end of `out` (every card of a search near
/// a place has one).
pub(crate) fn write_distance(out: &mut String, ctx: &SiteContext, listing: &Listing, miles: f64) {
    let precision = listing.point.map(|p| p.precision);
    match precision {
        Some(Precision::Exact) => {
            if miles < 0.1 {
                ctx.t("under 0.1 mi").render_to(out);
            } else {
                static MI: OneValue = OneValue::new("{n} mi", "n");
                let mut tenths = String::new();
                push_one_decimal(&mut tenths, miles);
                MI.write(ctx, out, &tenths);
            }
        }
        _ if miles < 0.5 => match precision {
            Some(Precision::City) => {
                static IN_CITY: OneValue = OneValue::new("in {city}", "city");
                IN_CITY.write(ctx, out, &listing.address.city);
            }
            _ => {
                static IN_ZIP: OneValue = OneValue::new("in ZIP {zip}", "zip");
                IN_ZIP.write(ctx, out, &listing.address.zip);
            }
        },
        _ => {
            // a whole number of miles, as `{}` writes a whole f64
            static ABOUT: OneValue = OneValue::new("about {n} mi", "n");
            let about = miles.round().max(1.0);
            if about < 1e15 {
                ABOUT.write(ctx, out, itoa::Buffer::new().format(about as u64));
            } else {
                ABOUT.write(ctx, out, &format!("{about}"));
            }
        }
    }
}

/// The date part ("2026-11-24") of an RFC 3339 time, when it has one.
pub(crate) fn date_part(rfc3339: &str) -> Option<&str> {
    let date = rfc3339.get(..10)?;
    let b = date.as_bytes();
    let shaped = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    shaped.then_some(date)
}

/// A date ("2026-11-03", or anything that displays so) as the page's
/// language writes it: as is in English, "3 de noviembre de 2026" in Spanish.
pub(crate) fn date_text(ctx: &SiteContext, date: impl std::fmt::Display) -> String {
    const MONTHS: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let iso = date.to_string();
    if ctx.lang == Lang::En {
        return iso;
    }
    let parts: Vec<&str> = iso.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} de {} de {y}", MONTHS[m - 1]),
            _ => iso,
        },
        _ => iso,
    }
}

/// A `tel:` link for a phone number as written ("(916) 555-0100 ext. 2"):
/// a US number through the project's phone parser ([`iop_index::phone`]),
/// `+1` and its extension dialled (`tel:+19165550100;ext=2`, RFC 3966);
/// short lines (988, 211, 741741) as their digits. `None` when there are
/// too few digits to dial or the number is not a valid one.
pub(crate) fn tel_href(phone: &str) -> Option<String> {
    if let Some(tel) = iop_index::phone::tel_uri_of(phone) {
        return Some(tel);
    }
    let mut digits = String::new();
    for c in phone.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c.is_alphabetic() && !digits.is_empty() {
            break;
        }
    }
    // short lines (988, 211, 741741) as their digits; a longer number the
    // parser refuses is shown, never dialled
    match digits.len() {
        3..=6 => Some(format!("tel:{digits}")),
        _ => None,
    }
}

/// The URL when it is a web address (`http:` or `https:`); anything else
/// (`javascript:`, `data:`, relative paths) must not become a link.
pub(crate) fn web_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > lower.find("//").unwrap_or(0) + 2
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(url)
}

/// A link target that is safe to put in `href`: a path on this site
/// (`/search?near=...`) or a web address.
pub(crate) fn safe_href(href: &str) -> Option<&str> {
    let local = href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/\\");
    if local && !href.chars().any(char::is_control) {
        Some(href)
    } else {
        web_url(href)
    }
}

/// A web address without its scheme and trailing slash, as people read it.
pub(crate) fn short_url(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    rest.strip_suffix('/').unwrap_or(rest)
}

/// "9", "9.5": a number with at most one decimal.
pub(crate) fn one_decimal(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The label of a facet value; the slug itself when the vocabulary does not
/// know it (a listing older than the vocabulary).
pub(crate) fn value_label<'a>(ctx: &SiteContext, group: &str, slug: &'a str) -> &'a str {
    Vocabulary::get()
        .lookup(group, slug)
        .map_or(slug, |v| ctx.label(v))
}

/// The labels of a listing's values in `group`, in listing order.
pub(crate) fn labels_of<'a>(
    ctx: &SiteContext,
    listing: &'a iop_index::Listing,
    group: &str,
) -> Vec<&'a str> {
    listing
        .values(group)
        .iter()
        .map(|slug| value_label(ctx, group, slug))
        .collect()
}

/// The results page URL of a request.
pub(crate) fn search_href(request: &SearchRequest) -> String {
    search_href_on_page(request, request.page)
}

/// [`search_href`] of `request` on page `page`.
pub(crate) fn search_href_on_page(request: &SearchRequest, page: usize) -> String {
    let mut href = String::with_capacity(72);
    href.push_str("/search?");
    request.write_query_on_page(page, &mut href);
    if href.len() == "/search?".len() {
        href.pop();
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal_is_what_the_formatter_writes() {
        let mut rng = fastrand::Rng::with_seed(3);
        let edges = [
            0.0, 0.04, 0.05, 0.05000001, 0.15, 0.25, 0.35, 1.95, 2.45, 9.95, 99.95, 12.5, 1e14,
            2e15,
        ];
        let random = (0..20_000).map(|i| match i % 3 {
            0 => rng.f64() * 200.0,
            1 => (rng.u32(0..20_000) as f64) / 100.0 + 0.05,
            _ => (rng.u32(0..20_000) as f64) / 20.0,
        });
        for x in edges.into_iter().chain(random) {
            let mut ours = String::new();
            push_one_decimal(&mut ours, x);
            assert_eq!(ours, format!("{x:.1}"), "{x:?}");
        }
    }

    #[test]
    fn text_is_escaped_as_maud_escapes_a_str() {
        // the four characters maud escapes, what it leaves (`'`, `/`, `=`),
        // non-ASCII and runs of every length between them
        let alphabet: Vec<char> = "&<>\"'/= aZ9\u{e9}\u{201c}\u{1f600}".chars().collect();
        let mut rng = fastrand::Rng::with_seed(17);
        for _ in 0..2000 {
            let text: String = (0..rng.usize(0..40))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let ours = maud::html! { (Text(&text)) }.into_string();
            let mauds = maud::html! { (text) }.into_string();
            assert_eq!(ours, mauds, "{text:?}");
        }
        let phrase = SiteContext::in_language(Lang::En).t("Suicide & Crisis Lifeline");
        assert_eq!(
            maud::html! { (phrase) }.into_string(),
            "Suicide &amp; Crisis Lifeline"
        );
    }

    #[test]
    fn numbers_and_dates_read_naturally() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(date_part("2026-11-24T19:30:00Z"), Some("2026-11-24"));
        assert_eq!(date_part("yesterday"), None);
        assert_eq!(date_part(""), None);
        assert_eq!(one_decimal(9.0), "9");
        assert_eq!(one_decimal(f64::from(9.3f32)), "9.3");
        assert_eq!(one_decimal(3.25), "3.3");
    }

    #[test]
    fn phone_links_carry_digits_only() {
        assert_eq!(
            tel_href("(916) 555-0100").as_deref(),
            Some("tel:+19165550100")
        );
        assert_eq!(
            tel_href("1-800-662-4357").as_deref(),
            Some("tel:+18006624357")
        );
        assert_eq!(
            tel_href("916.555.0100 ext. 12").as_deref(),
            Some("tel:+19165550100;ext=12")
        );
        assert_eq!(tel_href("988").as_deref(), Some("tel:988"));
        assert_eq!(tel_href("call us"), None);
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_url("https://example.org/iop"),
            Some("https://example.org/iop")
        );
        assert_eq!(web_url("HTTP://EXAMPLE.ORG"), Some("HTTP://EXAMPLE.ORG"));
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(web_url("data:text/html,hi"), None);
        assert_eq!(web_url("https://"), None);
        assert_eq!(web_url("//evil.example"), None);
        assert_eq!(
            safe_href("/search?near=Springfield%2C+IL"),
            Some("/search?near=Springfield%2C+IL")
        );
        assert_eq!(safe_href("//evil.example/"), None);
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(short_url("https://www.example.org/"), "example.org");
    }
}
