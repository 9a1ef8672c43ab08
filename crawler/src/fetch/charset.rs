//! Decoding fetched bytes to text: byte-order mark, then the Content-Type
//! charset, then `<meta charset>` / `<meta http-equiv>` within the first
//! 1024 bytes, then detection with `chardetng` (windows-1252 is common).

use encoding_rs::Encoding;

/// Decode `bytes` to text, returning the text and the encoding used.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    let encoding = pick(bytes, content_type);
    // `decode` removes a BOM (and honours it, which `pick` already did).
    let (text, used, _) = encoding.decode(bytes);
    (text.into_owned(), used)
}

/// The encoding to use for `bytes`.
pub fn pick(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = content_type.and_then(header_charset) {
        return enc;
    }
    if let Some(enc) = meta_charset(&bytes[..bytes.len().min(1024)]) {
        return enc;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The `charset` parameter of a Content-Type header value.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// A charset declared by a `<meta>` tag in `head` (the first 1024 bytes).
pub fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>'))
                    .unwrap_or(rest.len());
                if let Some(enc) = Encoding::for_label(&rest[..len]) {
                    // A page that is being decoded as bytes cannot be UTF-16 (HTML spec).
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_precedence() {
        let bom = b"\xEF\xBB\xBFcaf\xC3\xA9";
        assert_eq!(
            decode(bom, Some("text/html; charset=windows-1252")).0,
            "café"
        );
        assert_eq!(
            decode(b"caf\xE9", Some("text/html; charset=\"ISO-8859-1\"")).0,
            "café"
        );
        let meta = b"<html><head><meta charset='windows-1252'></head>caf\xE9</html>";
        assert!(decode(meta, Some("text/html")).0.contains("café"));
        let equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">\xE9";
        assert!(decode(equiv, None).0.ends_with('é'));
        assert_eq!(decode("plain ünïcode".as_bytes(), None).0, "plain ünïcode");
    }
}
