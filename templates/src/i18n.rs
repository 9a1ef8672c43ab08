//! Languages of the site: English (the source strings) and Spanish.
//!
//! Pages write every visible string in English through [`SiteContext::t`]
//! (`site.t("Search")`); the Spanish catalog, `templates/i18n/es.toml`, maps
//! those English strings to Spanish (gettext style: the English text is the
//! key). A string missing from the catalog renders in English and is recorded,
//! so a test can render every page in Spanish and list what is untranslated
//! ([`missing_translations`]).
//!
//! [`SiteContext::t`]: crate::SiteContext::t

use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex, OnceLock};

/// A language the site is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, at the site's plain paths.
    #[default]
    En,
    /// Spanish, under `/es`.
    Es,
}

impl Lang {
    /// Every language of the site, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// BCP 47 tag, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The path prefix of the language's pages: "" or "/es".
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Es => "/es",
        }
    }

    /// The language the switch on a page in this language leads to.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }

    /// The language's own name, for the language switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// Its place in [`Lang::ALL`].
    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Es => 1,
        }
    }
}

/// Something a page writes the same in every page of a language (a crisis
/// line, a form, labels escaped ahead), made by `make` on its first use in
/// each language and kept: a `static` of it is read with [`PerLanguage::get`].
pub(crate) struct PerLanguage<T> {
    make: fn(Lang) -> T,
    made: [OnceLock<T>; 2],
}

impl<T> PerLanguage<T> {
    pub(crate) const fn new(make: fn(Lang) -> T) -> PerLanguage<T> {
        PerLanguage {
            make,
            made: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// The thing in `lang`, made now if this is its first use.
    pub(crate) fn get(&self, lang: Lang) -> &T {
        self.made[lang.index()].get_or_init(|| (self.make)(lang))
    }
}

/// A pattern with one placeholder (`"{n} mi"`) as [`crate::SiteContext::write_tf`]
/// writes it, translated, escaped and cut around each `{name}` once per
/// language: a card's distance and "+N more" are then written from ready
/// pieces instead of filling the pattern each time. A `static` of it is
/// written with [`OneValue::write`].
pub(crate) struct OneValue {
    english: &'static str,
    name: &'static str,
    /// Per language: the escaped text between the placeholders (one more
    /// piece than there are placeholders).
    made: [OnceLock<Vec<Box<str>>>; 2],
}

impl OneValue {
    pub(crate) const fn new(english: &'static str, name: &'static str) -> OneValue {
        OneValue {
            english,
            name,
            made: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// [`Self::write`] as a value maud renders where it is spliced.
    pub(crate) fn filled<'a>(&'a self, ctx: &'a crate::SiteContext, value: &'a str) -> Filled<'a> {
        Filled {
            pattern: self,
            ctx,
            value,
        }
    }

    /// The pattern in `ctx`'s language with `value` (escaped) in its
    /// placeholder, at the end of `out`: the same text as `ctx.write_tf(out,
    /// english, &[(name, value)])`.
    pub(crate) fn write(&self, ctx: &crate::SiteContext, out: &mut String, value: &str) {
        use maud::Render;
        let pieces = self.made[ctx.lang.index()].get_or_init(|| {
            // a NUL in the placeholder's place: no pattern or escape makes one
            let mut cut = String::new();
            ctx.write_tf(&mut cut, self.english, &[(self.name, "\0")]);
            cut.split('\0').map(Box::from).collect()
        });
        let (first, rest) = pieces.split_first().expect("split gives a piece");
        out.push_str(first);
        for piece in rest {
            crate::format::Text(value).render_to(out);
            out.push_str(piece);
        }
    }
}

/// [`OneValue::filled`]: a pattern with its value, rendered where spliced.
pub(crate) struct Filled<'a> {
    pattern: &'a OneValue,
    ctx: &'a crate::SiteContext,
    value: &'a str,
}

impl maud::Render for Filled<'_> {
    fn render_to(&self, out: &mut String) {
        self.pattern.write(self.ctx, out, self.value);
    }
}

const ES_TOML: &str = include_str!("../i18n/es.toml");

static ES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    toml::from_str(ES_TOML).unwrap_or_else(|e| panic!("templates/i18n/es.toml: {e}"))
});

static MISSING: LazyLock<Mutex<BTreeSet<&'static str>>> =
    LazyLock::new(|| Mutex::new(BTreeSet::new()));

/// `english` in `lang`; English itself when the catalog lacks it (recorded).
pub fn translate(lang: Lang, english: &'static str) -> &'static str {
    match lang {
        Lang::En => english,
        Lang::Es => match ES.get(english) {
            Some(spanish) => spanish.as_str(),
            None => {
                if let Ok(mut missing) = MISSING.lock() {
                    missing.insert(english);
                }
                english
            }
        },
    }
}

/// `text` (a string built at run time, such as an error message handed in
/// by the web layer) in `lang` when the catalog has it. Nothing is recorded.
pub fn lookup(lang: Lang, text: &str) -> Option<&'static str> {
    match lang {
        Lang::En => None,
        Lang::Es => ES.get(text).map(String::as_str),
    }
}

/// English strings rendered in Spanish since the process started that the
/// catalog does not translate.
pub fn missing_translations() -> Vec<&'static str> {
    MISSING
        .lock()
        .map(|m| m.iter().copied().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_cut_once_writes_what_filling_it_writes() {
        // the patterns written from pieces, and one with its placeholder
        // twice (as a translation may put it)
        static PATTERNS: [OneValue; 8] = [
            OneValue::new("Show {n} more", "n"),
            OneValue::new("Within {n} miles", "n"),
            OneValue::new("{n} mi", "n"),
            OneValue::new("about {n} mi", "n"),
            OneValue::new("in {city}", "city"),
            OneValue::new("in ZIP {zip}", "zip"),
            OneValue::new("+{n} more", "n"),
            OneValue::new("{n} and {n} & <{m}>", "n"),
        ];
        let values = [
            "",
            "3",
            "12.5",
            "A & B <\"c\">",
            "Pe\u{f1}a",
            "{n}",
            "{m}",
            "\u{1f600}",
        ];
        for lang in Lang::ALL {
            let ctx = crate::SiteContext::in_language(lang);
            for pattern in &PATTERNS {
                for value in values {
                    let mut filled = String::from("before ");
                    ctx.write_tf(&mut filled, pattern.english, &[(pattern.name, value)]);
                    let mut cut = String::from("before ");
                    pattern.write(&ctx, &mut cut, value);
                    assert_eq!(cut, filled, "{:?} {value:?} in {lang:?}", pattern.english);
                }
            }
        }
    }

    #[test]
    fn the_catalog_parses_and_has_no_empty_translations() {
        for (en, es) in ES.iter() {
            assert!(!es.trim().is_empty(), "{en:?} has an empty translation");
        }
    }

    #[test]
    fn english_is_the_identity() {
        assert_eq!(translate(Lang::En, "Search"), "Search");
    }
}

/// A UI string in a page's language, as [`crate::SiteContext::t`] gives
/// it: a `&'static str` (it derefs to one) that a page splices escaped as
/// [`crate::Text`] escapes, a run at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Phrase(pub &'static str);

impl Phrase {
    /// The string.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Phrase {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Phrase {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Display for Phrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl maud::Render for Phrase {
    fn render_to(&self, buffer: &mut String) {
        crate::Text(self.0).render_to(buffer);
    }
}
