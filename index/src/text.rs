//! Text analysis: how the words of listings and the words people type become
//! the same terms, however they are written.
//!
//! One spelling for each word:
//! - case and accents are folded ("Mayagüez" = "mayaguez", "Español" =
//!   "espanol"), by tantivy's ASCII folding (curly quotes become straight ones
//!   and dashes become hyphens there too);
//! - apostrophes inside a word join it ("O'Fallon" and "O’Fallon" =
//!   "ofallon"), and a possessive "'s" is dropped ("St. Mary's" = "St Marys"
//!   once stemmed);
//! - hyphens separate words ("co-occurring" = "co occurring");
//! - the common abbreviations of names are one word: "saint", "sainte" and
//!   "ste" are "st", "mount" is "mt", "fort" is "ft" (the forms "St.", "Mt.",
//!   "Ft." lose their period like any punctuation);
//! - everything else that is not a letter or a digit separates words.
//!
//! A listing's text is indexed with more terms than a query asks for: a word
//! written with apostrophes or hyphens is also indexed in its parts and all
//! joined ("O'Fallon": "ofallon", "o", "fallon"; "co-occurring": "co",
//! "occurring", "cooccurring"), so "O Fallon" and "cooccurring" find it too.
//! A query's words are [`search_words`]: the hyphen-separated pieces, each
//! with its apostrophes joined.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the index's text fields register their analyzer under.
pub const ANALYZER: &str = "iop_words";

/// Terms longer than this many bytes are not indexed (tantivy's own limit
/// for its default analyzers).
pub const MAX_TERM_BYTES: usize = 40;

/// The analyzer of the `name` and `body` fields: [`Words`], long terms
/// dropped, English stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Words)
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Register [`analyzer`] with an index (on creating and on opening it).
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

thread_local! {
    static FOLDER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// `text` lower-cased with its accents and typographic marks folded to ASCII
/// where ASCII has them ("Mayagüez" -> "mayaguez", "O’Fallon" -> "o'fallon",
/// "–" -> "-"), by tantivy's `AsciiFoldingFilter`.
pub fn fold(text: &str) -> String {
    FOLDER.with(|folder| {
        let mut folder = folder.borrow_mut();
        let mut stream = folder.token_stream(text);
        let mut out = String::with_capacity(text.len());
        while let Some(token) = stream.next() {
            out.push_str(&token.text);
        }
        out
    })
}

/// The one spelling of an abbreviated word of names.
pub fn canonical(word: &str) -> &str {
    match word {
        "saint" | "sainte" | "ste" => "st",
        "mount" => "mt",
        "fort" => "ft",
        other => other,
    }
}

/// One word as written, with its inner apostrophes and hyphens.
struct Compound {
    /// Runs of letters and digits, with the connector before each (none
    /// before the first).
    runs: Vec<(Option<char>, String)>,
}

impl Compound {
    /// The pieces between hyphens, each with its apostrophes joined.
    fn segments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (connector, run) in &self.runs {
            match (connector, out.last_mut()) {
                (Some('\''), Some(last)) => last.push_str(run),
                _ => out.push(run.clone()),
            }
        }
        out
    }
}

/// The words of folded text ([`fold`]): runs of letters and digits joined by
/// single inner apostrophes or hyphens, a final "'s" dropped.
fn compounds(folded: &str) -> Vec<Compound> {
    let mut out = Vec::new();
    let mut runs: Vec<(Option<char>, String)> = Vec::new();
    let mut run = String::new();
    // the connector before the current run, and one seen after the last run
    let mut run_connector: Option<char> = None;
    let mut pending: Option<char> = None;
    let finish = |runs: &mut Vec<(Option<char>, String)>, out: &mut Vec<Compound>| {
        if runs.len() > 1
            && runs
                .last()
                .is_some_and(|(c, r)| *c == Some('\'') && r == "s")
        {
            runs.pop();
        }
        if !runs.is_empty() {
            out.push(Compound {
                runs: std::mem::take(runs),
            });
        }
    };
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if run.is_empty() {
                run_connector = pending.take();
            }
            run.push(c);
        } else if (c == '\'' || c == '-') && !run.is_empty() {
            runs.push((run_connector.take(), std::mem::take(&mut run)));
            pending = Some(c);
        } else {
            if !run.is_empty() {
                runs.push((run_connector.take(), std::mem::take(&mut run)));
            }
            pending = None;
            finish(&mut runs, &mut out);
        }
    }
    if !run.is_empty() {
        runs.push((run_connector.take(), run));
    }
    finish(&mut runs, &mut out);
    out
}

/// The words of what a person typed, as a search matches them: folded, one
/// per hyphen-separated piece, apostrophes joined, abbreviations of names
/// made one ("St. Mary’s co-occurring" -> `["st", "mary", "co", "occurring"]`).
/// Empty when the text has no letter or digit (`"@"`, `"🙂"`, `"--"`).
pub fn search_words(text: &str) -> Vec<String> {
    compounds(&fold(text))
        .iter()
        .flat_map(Compound::segments)
        .map(|w| canonical(&w).to_string())
        .collect()
}

/// The terms a listing's text is indexed under, before stemming: each word's
/// [`search_words`] pieces, its parts between apostrophes and hyphens, and
/// all of it joined.
fn index_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for compound in compounds(&fold(text)) {
        let mut words = compound.segments();
        if compound.runs.len() > 1 {
            words.extend(compound.runs.iter().map(|(_, r)| r.clone()));
            words.push(compound.runs.iter().map(|(_, r)| r.as_str()).collect());
        }
        let mut seen: Vec<String> = Vec::new();
        for w in words {
            let w = canonical(&w).to_string();
            if !seen.contains(&w) {
                seen.push(w);
            }
        }
        out.extend(seen);
    }
    out
}

/// The tokenizer of [`analyzer`]: the terms a listing's text is indexed
/// under (`index_words`: each word's [`search_words`] pieces, its parts
/// between apostrophes and hyphens, and all of it joined) as tokens.
#[derive(Clone, Default)]
pub struct Words;

/// The tokens of one text, made in advance.
pub struct WordsStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordsStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsStream {
        let tokens = index_words(text)
            .into_iter()
            .enumerate()
            .map(|(position, text)| Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text,
                position_length: 1,
            })
            .collect();
        WordsStream { tokens, next: 0 }
    }
}

impl TokenStream for WordsStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn the_same_word_written_differently_is_one_word() {
        for (a, b) in [
            ("O'Fallon", "O\u{2019}Fallon"),
            ("OFallon", "o\u{2018}fallon"),
            ("co-occurring", "co occurring"),
            ("co\u{2013}occurring", "co occurring"),
            ("Mayagüez", "MAYAGUEZ"),
            ("Español", "espanol"),
            ("St. Mary's", "Saint Marys"),
            ("Ste. Genevieve", "sainte genevieve"),
            ("Mt. Sinai", "Mount Sinai"),
            ("Ft. Worth", "Fort Worth"),
            ("women’s", "women's"),
        ] {
            let (wa, wb) = (search_words(a), search_words(b));
            let stem =
                |words: &[String]| -> Vec<String> { words.iter().flat_map(|w| terms(w)).collect() };
            assert_eq!(stem(&wa), stem(&wb), "{a:?} / {b:?}: {wa:?} / {wb:?}");
        }
    }

    #[test]
    fn words_with_apostrophes_and_hyphens_are_indexed_whole_and_in_parts() {
        assert_eq!(search_words("O'Fallon"), ["ofallon"]);
        assert_eq!(search_words("co-occurring"), ["co", "occurring"]);
        let t = terms("O’Fallon co-occurring");
        for want in ["ofallon", "o", "fallon", "co", "occur", "cooccur"] {
            assert!(t.iter().any(|x| x == want), "{want} not in {t:?}");
        }
        assert_eq!(search_words("St. Mary's"), ["st", "mary"]);
        assert_eq!(search_words("'quoted' words-"), ["quoted", "words"]);
    }

    #[test]
    fn text_without_letters_or_digits_has_no_words() {
        for text in ["@", "🙂", "--", "''", "!?", " ", "\u{2014}", "+"] {
            assert!(search_words(text).is_empty(), "{text:?}");
        }
        assert_eq!(search_words("DBT @ 5pm"), ["dbt", "5pm"]);
    }
}
