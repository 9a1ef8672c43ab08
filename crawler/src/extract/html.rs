//! HTML -> sentences.
//!
//! The page is parsed with `scraper` (whose documents are not `Send`: parse
//! and walk in one plain function, never across an `.await`). Scripts,
//! styles, forms and the like are dropped. Navigation, headers, footers,
//! asides, cookie banners and other chrome are kept apart ([`Sentence::chrome`]):
//! menus list every service a company has, so the extractor reads chrome only
//! for accreditation. Headings, list items and table rows become sentences of
//! their own; paragraphs are split into sentences.

use scraper::node::Node;
use scraper::Html;

/// One sentence (or heading, list item, table row) of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The text, whitespace collapsed.
    pub text: String,
    /// In navigation, header, footer, aside or other page chrome.
    pub chrome: bool,
    /// A heading (`h1` ... `h6`).
    pub heading: bool,
    /// The heading's level (1 for `h1` ... 6), 0 for other text.
    pub level: u8,
    /// An item of a list (`li`).
    pub list_item: bool,
}

/// Elements whose content is never text of the page.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "svg", "form", "iframe", "select", "button",
    "object", "canvas", "video", "audio", "map",
];

/// Elements that are chrome by themselves.
const CHROME_TAGS: &[&str] = &["nav", "header", "footer", "aside"];

/// Class or id words that mark chrome (compared to each dash/underscore/space
/// separated part of the attribute, and to the whole attribute).
const CHROME_MARKS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "topnav",
    "footer",
    "header",
    "masthead",
    "cookie",
    "cookies",
    "consent",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "topbar",
    "related",
    "widget",
    "widgets",
    "links",
    "announcement",
    "dropdown",
    "social",
    "share",
];

/// Elements that end a block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "br",
    "hr",
    "header",
    "footer",
    "nav",
    "aside",
    "center",
];

#[derive(Default)]
struct Walker {
    out: Vec<Sentence>,
    buffer: String,
    chrome_depth: usize,
    heading_depth: usize,
    list_depth: usize,
    row_depth: usize,
    buffer_chrome: bool,
    buffer_heading: bool,
    buffer_list: bool,
    heading_level: u8,
    buffer_level: u8,
    /// Ids of collapsed sections a link or button opens ("Learn More"):
    /// hidden until clicked, but page text.
    toggled: std::collections::HashSet<String>,
}

impl Walker {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buffer);
        let (chrome, heading, list_item) =
            (self.buffer_chrome, self.buffer_heading, self.buffer_list);
        let level = if heading { self.buffer_level } else { 0 };
        self.buffer_chrome = false;
        self.buffer_heading = false;
        self.buffer_list = false;
        push_block(&mut self.out, &text, chrome, (heading, level), list_item);
    }

    fn text(&mut self, text: &str, split_lines: bool) {
        if split_lines && text.contains('\n') {
            for line in text.split('\n') {
                self.text(line, false);
                self.flush();
            }
            return;
        }
        if text.trim().is_empty() {
            if !self.buffer.is_empty() {
                self.buffer.push(' ');
            }
            return;
        }
        if self.buffer.trim().is_empty() {
            self.buffer_chrome = self.chrome_depth > 0;
            self.buffer_heading = self.heading_depth > 0;
            self.buffer_level = self.heading_level;
            self.buffer_list = self.list_depth > 0;
        }
        self.buffer.push_str(text);
    }

    fn walk(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(text) => {
                let parent_is_body = node
                    .parent()
                    .and_then(|p| p.value().as_element().map(|e| e.name() == "body"))
                    .unwrap_or(false);
                self.text(text, parent_is_body);
            }
            Node::Element(element) => {
                let name = element.name();
                if SKIPPED.contains(&name) {
                    return;
                }
                let toggled = element.id().is_some_and(|id| self.toggled.contains(id));
                if element.attr("hidden").is_some()
                    || (!toggled
                        && element
                            .attr("style")
                            .is_some_and(|s| s.replace(' ', "").contains("display:none")))
                    || element
                        .has_class("invisible", scraper::CaseSensitivity::AsciiCaseInsensitive)
                {
                    return;
                }
                let chrome = CHROME_TAGS.contains(&name)
                    || is_chrome_marked(element)
                    || (matches!(name, "ul" | "ol") && is_link_list(node));
                let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
                let list = matches!(name, "li" | "dd" | "dt");
                let row = name == "tr" && is_simple_row(node);
                let block = BLOCKS.contains(&name) && (row || self.row_depth == 0);
                if matches!(name, "td" | "th") && self.row_depth > 0 {
                    self.buffer.push(' ');
                }
                if block {
                    self.flush();
                }
                self.chrome_depth += usize::from(chrome);
                self.heading_depth += usize::from(heading);
                let outer_level = self.heading_level;
                if heading {
                    self.heading_level = name[1..].parse().unwrap_or(6);
                }
                self.list_depth += usize::from(list || row);
                self.row_depth += usize::from(row);
                for child in node.children() {
                    self.walk(child);
                }
                self.chrome_depth -= usize::from(chrome);
                self.heading_depth -= usize::from(heading);
                self.heading_level = outer_level;
                self.list_depth -= usize::from(list || row);
                self.row_depth -= usize::from(row);
                if block {
                    self.flush();
                } else if matches!(name, "td" | "th") {
                    self.buffer.push(' ');
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child);
                }
            }
        }
    }
}

/// A table row of plain cells ("Saturday | 8:00 am - 12:30 pm"), not a
/// layout row holding the page.
fn is_simple_row(node: ego_tree::NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).all(|d| {
        d.value().as_element().is_none_or(|e| {
            !matches!(
                e.name(),
                "p" | "div"
                    | "table"
                    | "ul"
                    | "ol"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "tr"
            )
        })
    })
}

/// A list of four or more items that are each nothing but a link: a menu.
fn is_link_list(node: ego_tree::NodeRef<'_, Node>) -> bool {
    let items: Vec<_> = node
        .children()
        .filter(|c| c.value().as_element().is_some_and(|e| e.name() == "li"))
        .collect();
    items.len() >= 4
        && items.iter().all(|item| {
            let all: String = item
                .descendants()
                .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                .collect();
            let linked: String = item
                .descendants()
                .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "a"))
                .flat_map(|a| a.descendants())
                .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                .collect();
            !all.trim().is_empty() && all.trim().len() == linked.trim().len()
        })
}

fn is_chrome_marked(element: &scraper::node::Element) -> bool {
    let mut attrs = Vec::new();
    if let Some(id) = element.id() {
        attrs.push(id.to_ascii_lowercase());
    }
    attrs.extend(element.classes().map(str::to_ascii_lowercase));
    if element.attr("role").is_some_and(|r| {
        matches!(
            r,
            "navigation" | "banner" | "contentinfo" | "dialog" | "complementary"
        )
    }) {
        return true;
    }
    attrs.iter().any(|a| {
        CHROME_MARKS.contains(&a.as_str())
            || a.split(['-', '_', ' '])
                .any(|part| CHROME_MARKS.contains(&part))
    })
}

/// The sentences of a page, in document order. The page is parsed within
/// the default [`super::budget::Budget`]; a page over it has no sentences.
pub fn sentences(html: &str) -> Vec<Sentence> {
    let budget = super::budget::Budget::default();
    let deadline = super::budget::Deadline::start(&budget);
    super::budget::parse(html, &budget, &deadline)
        .map(|document| sentences_of(&document))
        .unwrap_or_default()
}

/// The sentences of a parsed page. The walk recurses once per level of
/// nesting: parse with [`super::budget::parse`], which bounds the depth.
pub fn sentences_of(document: &Html) -> Vec<Sentence> {
    let mut walker = Walker::default();
    let openers = scraper::Selector::parse("a, button").expect("selector");
    for e in document.select(&openers) {
        for attr in [
            "href",
            "rel",
            "aria-controls",
            "data-target",
            "data-bs-target",
        ] {
            if let Some(v) = e.value().attr(attr) {
                let id = v.trim().trim_start_matches('#');
                if !id.is_empty() && (attr != "href" || v.trim().starts_with('#')) {
                    walker.toggled.insert(id.to_string());
                }
            }
        }
    }
    walker.walk(document.tree.root());
    walker.flush();
    walker.out
}

/// What images say, as chrome sentences: each `<img>`'s `alt` and `title`
/// text, and its file name (`src` or `data-src`, folders, query and
/// extension dropped, `-`, `_`, `.` and `+` read as spaces:
/// `/assets/joint-commission-seal.gif` -> "joint commission seal"). An
/// accreditation seal is often shown only as a badge image; as chrome, these
/// sentences are read for accreditation only ([`super::prose::find`]), so a
/// photo's caption states no service. In page order, without repeats; empty
/// texts and texts without a letter left out.
pub fn image_sentences(document: &Html) -> Vec<Sentence> {
    let img = scraper::Selector::parse("img").expect("selector");
    let mut texts: Vec<String> = Vec::new();
    for e in document.select(&img) {
        let element = e.value();
        let file = element
            .attr("src")
            .into_iter()
            .chain(element.attr("data-src"))
            .filter(|src| !src.trim_start().starts_with("data:"))
            .map(image_file_words);
        for text in element
            .attr("alt")
            .into_iter()
            .chain(element.attr("title"))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .chain(file)
        {
            if text.chars().any(char::is_alphabetic) && !texts.contains(&text) {
                texts.push(text);
            }
        }
    }
    texts
        .into_iter()
        .map(|text| Sentence {
            text,
            chrome: true,
            heading: false,
            level: 0,
            list_item: false,
        })
        .collect()
}

/// The words of an image's file name: "../img/JCAHO_gold-seal.png?v=2" ->
/// "JCAHO gold seal".
fn image_file_words(src: &str) -> String {
    let path = src.split(['?', '#']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = match file.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && ext.len() <= 5 => stem,
        _ => file,
    };
    stem.replace("%20", " ")
        .split(['-', '_', '.', '+', ' '])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn push_block(
    out: &mut Vec<Sentence>,
    text: &str,
    chrome: bool,
    (heading, level): (bool, u8),
    list_item: bool,
) {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() || !collapsed.chars().any(char::is_alphanumeric) {
        return;
    }
    for sentence in split_sentences(&collapsed) {
        out.push(Sentence {
            text: sentence,
            chrome,
            heading,
            level,
            list_item,
        });
    }
}

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "st", "mr", "mrs", "ms", "inc", "vs", "e.g", "i.e", "no", "ste", "jr", "sr", "ave",
    "blvd", "approx", "etc", "mt", "ft", "rd", "pkwy", "hwy", "ln", "ext", "tel", "ph",
];

/// Split a block of text into sentences at `.`, `!` or `?` followed by a
/// space and a capital letter, digit or quote; abbreviations and initials
/// ("L.A.", "Dr.") do not end a sentence, but "p.m."/"a.m." do.
pub fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?')
            && i + 2 < chars.len()
            && chars[i + 1] == ' '
            && (chars[i + 2].is_uppercase()
                || chars[i + 2].is_ascii_digit()
                || matches!(chars[i + 2], '"' | '“' | '\''))
        {
            let word: String = chars[start..i]
                .iter()
                .rev()
                .take_while(|c| !c.is_whitespace() && **c != '(')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
                .to_lowercase();
            let meridiem = matches!(word.as_str(), "a.m" | "p.m");
            let abbreviation = c == '.'
                && !meridiem
                && (ABBREVIATIONS.contains(&word.as_str())
                    || (word.chars().count() <= 3 && word.contains('.'))
                    || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic)));
            if !abbreviation {
                let sentence: String = chars[start..=i].iter().collect();
                let sentence = sentence.trim().to_string();
                if !sentence.is_empty() {
                    out.push(sentence);
                }
                start = i + 2;
            }
        }
        i += 1;
    }
    let rest: String = chars[start.min(chars.len())..].iter().collect();
    let rest = rest.trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_extension_or_label_does_not_end_a_sentence() {
        assert_eq!(
            split_sentences("Call 916-555-0142 ext. 12 or Tel. 916-555-0143. Ph. 916-555-0144."),
            [
                "Call 916-555-0142 ext. 12 or Tel. 916-555-0143.",
                "Ph. 916-555-0144."
            ]
        );
    }

    #[test]
    fn chrome_is_marked_and_scripts_dropped() {
        let html = "<html><head><title>T</title><script>var a = 'Medicaid';</script></head><body>\
            <nav><a href='/'>Detox</a></nav><p>We accept Medicaid. Groups meet at 6 p.m. Daily.</p>\
            <ul><li>Aetna</li></ul><table><tr><td>Saturday</td><td>9 am - 1 pm</td></tr></table>\
            <footer>Accredited by CARF</footer></body></html>";
        let s = sentences(html);
        let texts: Vec<_> = s
            .iter()
            .map(|s| (s.text.as_str(), s.chrome, s.list_item))
            .collect();
        assert_eq!(
            texts,
            [
                ("Detox", true, false),
                ("We accept Medicaid.", false, false),
                ("Groups meet at 6 p.m.", false, false),
                ("Daily.", false, false),
                ("Aetna", false, true),
                ("Saturday 9 am - 1 pm", false, true),
                ("Accredited by CARF", true, false),
            ]
        );
    }

    #[test]
    fn images_say_what_their_alt_title_and_file_name_say() {
        let html = "<html><body><p>Welcome.</p><footer>\
            <img src='/assets/joint-commission.gif' alt='badge'>\
            <img src='../img/JCAHO_gold-seal.png?v=2' title='Accredited'>\
            <img src='data:image/png;base64,AAAA' alt=''>\
            <img src='/a/b/12345.jpg'></footer></body></html>";
        let document = Html::parse_document(html);
        let texts: Vec<(String, bool)> = image_sentences(&document)
            .into_iter()
            .map(|s| (s.text, s.chrome))
            .collect();
        assert_eq!(
            texts,
            [
                ("badge".to_string(), true),
                ("joint commission".to_string(), true),
                ("Accredited".to_string(), true),
                ("JCAHO gold seal".to_string(), true),
            ]
        );
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            split_sentences("We accept Medi-Cal, L.A. Care, and Health Net. Call Dr. Smith."),
            [
                "We accept Medi-Cal, L.A. Care, and Health Net.",
                "Call Dr. Smith."
            ]
        );
    }
}
