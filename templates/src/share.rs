//! What a listing page tells machines about itself: the canonical URL, the
//! language alternates, Open Graph and Twitter card tags (so a shared link
//! previews well) and schema.org JSON-LD.

use crate::format::{web_url, Text};
use crate::layout::SITE_NAME;
use crate::{Lang, SiteContext};
use iop_index::{Listing, Precision};
use maud::{html, Markup, PreEscaped};
use std::borrow::Cow;
use std::fmt::Write;

/// The public base URL assumed when the web layer gives none.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3000";

/// The absolute URL of a listing page in the page's language.
pub(crate) fn listing_url(ctx: &SiteContext, listing: &Listing, public_url: &str) -> String {
    listing_url_in(ctx.lang, listing, public_url)
}

/// [`listing_url`] in `lang`.
fn listing_url_in(lang: Lang, listing: &Listing, public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    format!("{base}{}/programs/{}", lang.prefix(), listing.id)
}

/// Canonical and language links, Open Graph and Twitter card tags, and the
/// schema.org JSON-LD of a listing, for the page head.
pub(crate) fn listing_head(
    ctx: &SiteContext,
    listing: &Listing,
    public_url: &str,
    title: &str,
    description: &str,
) -> Markup {
    let canonical = listing_url(ctx, listing, public_url);
    let locale = match ctx.lang {
        Lang::En => "en_US",
        Lang::Es => "es_US",
    };
    // each written twice: escaped once
    let title = PreEscaped(html! { (Text(title)) }.into_string());
    let description = PreEscaped(html! { (Text(description)) }.into_string());
    html! {
        link rel="canonical" href=(Text(&canonical));
        @for lang in Lang::ALL {
            link rel="alternate" hreflang=(lang.code())
                href=(Text(&listing_url_in(lang, listing, public_url)));
        }
        meta property="og:type" content="website";
        meta property="og:site_name" content=(SITE_NAME);
        meta property="og:title" content=(title);
        meta property="og:description" content=(description);
        meta property="og:url" content=(Text(&canonical));
        meta property="og:locale" content=(locale);
        meta name="twitter:card" content="summary";
        meta name="twitter:title" content=(title);
        meta name="twitter:description" content=(description);
        script type="application/ld+json" { (json_ld(listing, &canonical)) }
    }
}

/// schema.org `MedicalClinic` JSON-LD. Spliced unescaped into a `<script>`
/// element (HTML escaping would corrupt JSON there, and the content of a
/// script element is never entity-decoded). Safe because [`script_safe`]
/// writes every `<`, `>` and `&` as a `\u` escape, so neither `</script>`
/// nor any markup can appear in it.
pub(crate) fn json_ld(listing: &Listing, canonical: &str) -> PreEscaped<String> {
    let a = &listing.address;
    let street = a.street.as_ref().map(|street| match &a.street2 {
        Some(s2) => Cow::Owned(format!("{street}, {s2}")),
        None => Cow::Borrowed(street.as_str()),
    });
    // a ZIP code or city centre is not the clinic's place: only exact points
    let geo = listing
        .point
        .filter(|p| p.precision == Precision::Exact && p.lat.is_finite() && p.lon.is_finite())
        .map(|p| {
            let round = |x: f64| (x * 1e5).round() / 1e5;
            GeoCoordinates {
                kind: "GeoCoordinates",
                latitude: round(p.lat),
                longitude: round(p.lon),
            }
        });
    let name = listing.display_name();
    let clinic = MedicalClinic {
        context: "https://schema.org",
        id: canonical,
        kind: "MedicalClinic",
        address: PostalAddress {
            kind: "PostalAddress",
            country: "US",
            locality: &a.city,
            region: &a.state,
            postal_code: &a.zip,
            street,
        },
        description: listing.description.as_deref(),
        geo,
        main_entity_of_page: canonical,
        name: &name,
        telephone: listing.phone.as_deref(),
        // the program's own site when it has one; else its page here
        url: listing
            .website
            .as_deref()
            .and_then(web_url)
            .unwrap_or(canonical),
    };
    // (a listing's JSON-LD is about 1 KB: written into room for it)
    let mut json = Vec::with_capacity(1536);
    serde_json::to_writer(&mut json, &clinic).expect("JSON-LD of strings and finite numbers");
    let json = String::from_utf8(json).expect("serde_json writes UTF-8");
    PreEscaped(script_safe(json))
}

/// schema.org `MedicalClinic`, as [`json_ld`] writes it: the keys in the
/// order they always had (sorted, as a `serde_json::Value` wrote them).
#[derive(serde::Serialize)]
struct MedicalClinic<'a> {
    #[serde(rename = "@context")]
    context: &'a str,
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'a str,
    address: PostalAddress<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    geo: Option<GeoCoordinates>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone: Option<&'a str>,
    url: &'a str,
}

/// schema.org `PostalAddress`, keys sorted.
#[derive(serde::Serialize)]
struct PostalAddress<'a> {
    #[serde(rename = "@type")]
    kind: &'a str,
    #[serde(rename = "addressCountry")]
    country: &'a str,
    #[serde(rename = "addressLocality")]
    locality: &'a str,
    #[serde(rename = "addressRegion")]
    region: &'a str,
    #[serde(rename = "postalCode")]
    postal_code: &'a str,
    #[serde(rename = "streetAddress", skip_serializing_if = "Option::is_none")]
    street: Option<Cow<'a, str>>,
}

/// schema.org `GeoCoordinates`, WGS 84 degrees to 5 decimals (about a metre).
#[derive(serde::Serialize)]
struct GeoCoordinates {
    #[serde(rename = "@type")]
    kind: &'static str,
    latitude: f64,
    longitude: f64,
}

/// A JSON string literal that is also safe inside an HTML `<script>` element.
#[cfg(test)]
fn json_string(text: &str) -> String {
    script_safe(serde_json::Value::from(text).to_string())
}

/// JSON with `<`, `>`, `&` and the two line separators JavaScript treats
/// as line ends written as `\u` escapes (they can only occur inside strings).
fn script_safe(json: String) -> String {
    // a pass over the bytes without an early exit (vectorised) for the
    // three ASCII characters and the first byte of U+2028 and U+2029 (and
    // of other characters, which the loop below leaves as they are)
    let special = |b: u8| matches!(b, b'<' | b'>' | b'&' | 0xE2);
    if !json.bytes().fold(false, |any, b| any | special(b)) {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_escapes_what_could_end_a_script_and_only_that() {
        assert_eq!(script_safe("{\"a\":\"b\"}".into()), "{\"a\":\"b\"}");
        assert_eq!(
            script_safe("\"</script><b>&\u{2028}\u{2029}\u{2014}\u{e9}\"".into()),
            "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u2028\\u2029\u{2014}\u{e9}\""
        );
        // a dash and an accent alone (a first byte of 0xE2, then not): as they are
        assert_eq!(
            script_safe("\"\u{2014}\u{e9}\"".into()),
            "\"\u{2014}\u{e9}\""
        );
    }

    use iop_index::{Listing, Precision};
    use serde_json::json;

    /// What [`json_ld`] wrote before: a `serde_json::Value` built and
    /// serialized (its keys sorted).
    fn json_ld_from_value(listing: &Listing, canonical: &str) -> PreEscaped<String> {
        let a = &listing.address;
        let mut address = json!({
            "@type": "PostalAddress",
            "addressLocality": a.city,
            "addressRegion": a.state,
            "postalCode": a.zip,
            "addressCountry": "US",
        });
        if let Some(street) = &a.street {
            let street = match &a.street2 {
                Some(s2) => format!("{street}, {s2}"),
                None => street.clone(),
            };
            address["streetAddress"] = json!(street);
        }
        let mut clinic = json!({
            "@context": "https://schema.org",
            "@type": "MedicalClinic",
            "@id": canonical,
            "name": listing.display_name(),
            "address": address,
            "mainEntityOfPage": canonical,
        });
        if let Some(text) = &listing.description {
            clinic["description"] = json!(text);
        }
        // a ZIP code or city centre is not the clinic's place: only exact points
        if let Some(p) = listing
            .point
            .filter(|p| p.precision == Precision::Exact && p.lat.is_finite() && p.lon.is_finite())
        {
            let round = |x: f64| (x * 1e5).round() / 1e5;
            clinic["geo"] = json!({
                "@type": "GeoCoordinates",
                "latitude": round(p.lat),
                "longitude": round(p.lon),
            });
        }
        if let Some(phone) = &listing.phone {
            clinic["telephone"] = json!(phone);
        }
        // the program's own site when it has one; else its page here
        let url = listing
            .website
            .as_deref()
            .and_then(web_url)
            .unwrap_or(canonical);
        clinic["url"] = json!(url);
        // serialized straight into a buffer (`to_string` goes through the
        // `Display` adapter, a third slower)
        PreEscaped(script_safe(
            serde_json::to_string(&clinic).unwrap_or_else(|_| clinic.to_string()),
        ))
    }

    /// The JSON-LD of every sample listing, with and without a street, a
    /// second street line, a description, an exact point, a phone and a
    /// website, is byte for byte what the `Value` wrote.
    #[test]
    fn json_ld_is_what_the_value_wrote() {
        let listings = iop_crawler::sources::sample::listings().unwrap();
        let mut variants = 0;
        for (i, listing) in listings.iter().enumerate() {
            let mut l: Listing = listing.clone();
            match i % 5 {
                0 => l.address.street2 = Some("Suite 2 <b> & \u{2028}".into()),
                1 => l.address.street = None,
                2 => l.description = None,
                3 => {
                    if let Some(p) = &mut l.point {
                        p.precision = Precision::Exact;
                        p.lat = 40.123_456_789;
                    }
                    l.website = Some("example.org/iop?a=1&b=2".into());
                }
                _ => {
                    l.phone = None;
                    l.website = None;
                }
            }
            let canonical = format!("https://iop.example/programs/{}", l.id);
            assert_eq!(
                json_ld(&l, &canonical).0,
                json_ld_from_value(&l, &canonical).0,
                "{}",
                l.id
            );
            variants += 1;
        }
        assert!(variants > 100, "{variants} listings");
    }

    #[test]
    fn json_strings_cannot_close_the_script_element() {
        let s = json_string("a</script><b>\"q\"\\ & \u{1}\n");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(
            s,
            "\"a\\u003c/script\\u003e\\u003cb\\u003e\\\"q\\\"\\\\ \\u0026 \\u0001\\n\""
        );
    }
}
