//! The text query: words and vocabulary phrases of the search text, each
//! matched in a listing's name (boosted), body or the synonyms of its values,
//! with one typo allowed in words of
//! [`FUZZY_MIN_CHARS`](super::FUZZY_MIN_CHARS) characters or more.

use super::{SearchIndex, FUZZY_MIN_CHARS};
use crate::schema::Fields;
use crate::text::search_words;
use crate::vocabulary::{ValueId, Vocabulary};
use std::collections::HashMap;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, Term};

impl SearchIndex {
    /// The ids of the listings `text` matches, found by tantivy's own
    /// collector rather than by [`SearchIndex::search`]: tests check the
    /// search's text path against it.
    #[doc(hidden)]
    pub fn text_matches(&self, text: &str) -> tantivy::Result<Vec<String>> {
        let Some(query) = self.text_query(text) else {
            return Ok(self.all_listings()?.iter().map(|l| l.id.clone()).collect());
        };
        let docs = self
            .searcher
            .search(query.as_ref(), &tantivy::collector::DocSetCollector)?;
        docs.into_iter()
            .map(|address| Ok(self.stored(address)?.id.clone()))
            .collect()
    }

    /// The text query: every word (or vocabulary phrase) must match. Words
    /// are [`search_words`]: folded, one spelling each (see [`crate::text`]).
    /// `None` when the text has no word at all (requests refuse such text). A phrase
    /// that names a vocabulary value matches listings with that value or with
    /// all its words in their own text; other words match in the name
    /// (boosted), the body or the synonyms of the listing's values, with one
    /// typo allowed in words of five letters or more.
    pub(super) fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let vocabulary = Vocabulary::get();
        let words = search_words(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            for n in (1..=vocabulary
                .longest_search_phrase_words()
                .min(words.len() - i))
                .rev()
            {
                let values = vocabulary.values_for_search_words(&words[i..i + n]);
                if !values.is_empty() {
                    matched = Some((n, values));
                    break;
                }
            }
            match matched {
                Some((n, values)) => {
                    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    for &v in values {
                        let term = facet_term(&self.fields, vocabulary, v);
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                                2.0,
                            )),
                        ));
                    }
                    // or every word in the listing's own text (not through
                    // other values' synonyms: the phrase names its values)
                    let phrase_words: Vec<Box<dyn Query>> = words[i..i + n]
                        .iter()
                        .filter_map(|w| self.word_query(w, false, false))
                        .collect();
                    if !phrase_words.is_empty() {
                        any.push((
                            Occur::Should,
                            Box::new(BooleanQuery::intersection(phrase_words)),
                        ));
                    }
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                    i += n;
                }
                None => {
                    // a word too long to be a term matches nothing (it must
                    // not be dropped: text of only such words would match all)
                    let q = self
                        .word_query(&words[i], true, true)
                        .unwrap_or_else(|| Box::new(EmptyQuery));
                    clauses.push((Occur::Must, q));
                    i += 1;
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// One word in the name or the body, stemmed, or (when `synonyms`) in a
    /// synonym of a value the listing has; fuzzy when `fuzzy` and long.
    ///
    /// Synonyms are not indexed with each listing (that was most of the
    /// index's words and half its build time): a word found in the synonyms of
    /// values becomes a match on those values' facet terms, with the same
    /// one-typo rule as the text.
    fn word_query(&self, word: &str, fuzzy: bool, synonyms: bool) -> Option<Box<dyn Query>> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body).ok()?;
        let mut stream = analyzer.token_stream(word);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push(token.text.clone());
        }
        let fuzzy = fuzzy && word.chars().count() >= FUZZY_MIN_CHARS;
        let vocabulary = Vocabulary::get();
        let mut per_token: Vec<Box<dyn Query>> = Vec::new();
        for token in tokens {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in [(self.fields.name, 2.0), (self.fields.body, 1.0)] {
                let term = Term::from_field_text(field, &token);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                if fuzzy {
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(term, 1, true)),
                            0.5,
                        )),
                    ));
                }
            }
            // the values whose synonyms have the word (boost 1) or a word
            // one edit away (boost 0.5), each once with its best boost
            let mut values: Vec<(ValueId, f32)> = Vec::new();
            let mut add = |ids: &[ValueId], boost: f32| {
                for &id in ids {
                    match values.iter_mut().find(|(v, _)| *v == id) {
                        Some((_, b)) => *b = b.max(boost),
                        None => values.push((id, boost)),
                    }
                }
            };
            if synonyms {
                if let Some(ids) = self.synonym_words.get(&token) {
                    add(ids, 1.0);
                }
                if fuzzy {
                    for (synonym_word, ids) in &self.synonym_words {
                        if *synonym_word != token && within_one_edit(synonym_word, &token) {
                            add(ids, 0.5);
                        }
                    }
                }
            }
            values.sort_by_key(|&(id, _)| id);
            for (id, boost) in values {
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            facet_term(&self.fields, vocabulary, id),
                            IndexRecordOption::Basic,
                        )),
                        boost,
                    )),
                ));
            }
            per_token.push(Box::new(BooleanQuery::new(any)));
        }
        match per_token.len() {
            0 => None,
            1 => per_token.pop(),
            _ => Some(Box::new(BooleanQuery::intersection(per_token))),
        }
    }
}

/// The `facet` term of a value: `group/slug`.
fn facet_term(fields: &Fields, vocabulary: &Vocabulary, id: ValueId) -> Term {
    let value = vocabulary.value(id);
    Term::from_field_text(
        fields.facet,
        &format!("{}/{}", vocabulary.group(value.group).slug, value.slug),
    )
}

/// Each value's synonyms, analyzed as the text is: stemmed word -> values.
pub(super) fn synonym_words(
    index: &Index,
    fields: &Fields,
    vocabulary: &Vocabulary,
) -> tantivy::Result<HashMap<String, Vec<ValueId>>> {
    let mut analyzer = index.tokenizer_for_field(fields.body)?;
    let mut words: HashMap<String, Vec<ValueId>> = HashMap::new();
    for value in vocabulary.values() {
        // the words a query would have, not every indexed form
        for word in value.synonyms.iter().flat_map(|s| search_words(s)) {
            let mut stream = analyzer.token_stream(&word);
            while let Some(token) = stream.next() {
                let ids = words.entry(token.text.clone()).or_default();
                if !ids.contains(&value.id) {
                    ids.push(value.id);
                }
            }
        }
    }
    Ok(words)
}

/// Whether `a` and `b` differ by at most one edit: an inserted, deleted or
/// changed character, or two adjacent characters swapped (the rule of
/// tantivy's `FuzzyTermQuery` with distance 1 and transpositions).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if prefix == short.len() {
        return true; // equal, or one character added at the end
    }
    if short.len() == long.len() {
        let rest = prefix + 1;
        short[rest..] == long[rest..]
            || (rest < short.len()
                && short[prefix] == long[rest]
                && short[rest] == long[prefix]
                && short[rest + 1..] == long[rest + 1..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::within_one_edit;

    #[test]
    fn one_edit_is_an_insertion_a_deletion_a_change_or_a_swap() {
        for (a, b) in [
            ("dialect", "dialect"),
            ("dialect", "dialects"),
            ("dialect", "ialect"),
            ("dialect", "dialwct"),
            ("dialect", "dilaect"),
            ("dialect", "dialetc"),
            ("trauma", "truama"),
        ] {
            assert!(within_one_edit(a, b), "{a} / {b}");
            assert!(within_one_edit(b, a), "{b} / {a}");
        }
        for (a, b) in [
            ("dialect", "dilaetc"),
            ("dialect", "dialectic"),
            ("dialect", "xialecx"),
            ("trauma", "tamura"),
            ("ab", "ba c"),
        ] {
            assert!(!within_one_edit(a, b), "{a} / {b}");
            assert!(!within_one_edit(b, a), "{b} / {a}");
        }
    }
}
