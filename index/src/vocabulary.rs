//! The vocabulary: facet groups and their values, read from `vocabulary.toml`.
//!
//! Every stage reads this one list: the crawler maps source codes and phrases to
//! values, the index stores value slugs and labels, the site shows labels and the
//! API accepts slugs. Values are numbered in file order; that number (`ValueId`)
//! is how the index stores them.

use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The vocabulary file, compiled into every binary.
pub const VOCABULARY_TOML: &str = include_str!("../vocabulary.toml");

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::from_toml(VOCABULARY_TOML)
        .expect("index/vocabulary.toml is valid (checked by tests)")
});

/// Position of a value in the whole vocabulary, in file order.
pub type ValueId = usize;

/// Position of a group in the vocabulary, in file order.
pub type GroupId = usize;

/// The facet groups and values of the directory, with their labels (English
/// and Spanish), synonyms and source codes, read from `index/vocabulary.toml`:
/// the one vocabulary every stage (crawler, index, pages) uses.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    groups: Vec<FacetGroup>,
    values: Vec<FacetValue>,
    /// Group slug, then value slug: looked up with `&str`s, no key built.
    by_slug: FxHashMap<String, FxHashMap<String, ValueId>>,
    by_code: HashMap<String, Vec<ValueId>>,
    /// Every synonym, as normalized words joined by spaces -> the values it names.
    phrases: HashMap<String, Vec<ValueId>>,
    longest_phrase_words: usize,
    /// Every page phrase, as normalized words joined by spaces -> the values
    /// it names.
    page_phrases: HashMap<String, Vec<ValueId>>,
    /// Every synonym as a search reads it ([`crate::text::search_words`]
    /// joined by spaces) -> the values it names.
    search_phrases: HashMap<String, Vec<ValueId>>,
    longest_search_phrase_words: usize,
}

/// A facet group ("Ages served", "Insurance"): a question a person filters by.
#[derive(Debug, Clone)]
pub struct FacetGroup {
    /// Position of the group in the vocabulary.
    pub id: GroupId,
    /// The group's URL parameter and facet prefix ("age", "insurance").
    pub slug: String,
    /// The label in English.
    pub label: String,
    /// The label in Spanish (the `/es/` pages).
    pub label_es: String,
    /// A sentence explaining the group, in English.
    pub help: String,
    /// The help text in Spanish.
    pub help_es: String,
    /// The values of this group, in file order.
    pub values: Vec<ValueId>,
}

/// One value of a facet group ("Medicaid").
#[derive(Debug, Clone)]
pub struct FacetValue {
    /// Position of the value in the whole vocabulary.
    pub id: ValueId,
    /// The group it belongs to.
    pub group: GroupId,
    /// The value's slug, unique within its group ("medicaid").
    pub slug: String,
    /// The label in English.
    pub label: String,
    /// The label in Spanish (the `/es/` pages).
    pub label_es: String,
    /// Lower-case phrases meaning this value, including the label and the slug
    /// written with spaces.
    pub synonyms: Vec<String>,
    /// Lower-case wordings that state this value in a program's own pages
    /// without being search synonyms ("out-of-network providers" for
    /// self-pay, "psychiatry sessions" for medication management), in file
    /// order (`page_phrases` in `vocabulary.toml`). Only text extraction
    /// reads them ([`Vocabulary::values_for_page_words`]); search does not.
    pub page_phrases: Vec<String>,
    /// The codes that sources use for this value (e.g. SAMHSA service codes).
    pub codes: Vec<String>,
    /// Values of the same group whose searches find this value too
    /// (`found_by` in `vocabulary.toml`): narrower ones (a source that says
    /// only "children or adolescents" may serve either, so a search for
    /// adolescents finds it, and its card says what the source said), or
    /// the kind it is one of (a search for MAT finds methadone).
    pub found_by: Vec<ValueId>,
    /// The other values a search for this value finds too: the values
    /// whose [`found_by`](Self::found_by) names it.
    pub finds: Vec<ValueId>,
}

impl FacetValue {
    /// Whether a search for `asked` finds a program with this value: it is
    /// the value, or one of its [`found_by`](Self::found_by).
    pub fn answers(&self, asked: ValueId) -> bool {
        self.id == asked || self.found_by.contains(&asked)
    }
}

/// Why `vocabulary.toml` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VocabularyError {
    /// The file is not valid TOML or does not have the expected shape.
    #[error("vocabulary.toml does not parse: {0}")]
    Toml(#[from] toml::de::Error),
    /// The file parses but breaks a rule (a duplicate slug, a value without a
    /// group, ...); the message names it.
    #[error("vocabulary.toml: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct FileRepr {
    group: Vec<GroupRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRepr {
    slug: String,
    label: String,
    label_es: String,
    help: String,
    help_es: String,
    value: Vec<ValueRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueRepr {
    slug: String,
    label: String,
    label_es: String,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    page_phrases: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    found_by: Vec<String>,
}

impl Vocabulary {
    /// The vocabulary compiled from `index/vocabulary.toml`.
    pub fn get() -> &'static Vocabulary {
        &VOCABULARY
    }

    /// Compile a vocabulary from the text of a `vocabulary.toml`.
    ///
    /// # Errors
    /// [`VocabularyError`] when the text does not parse or breaks a rule.
    pub fn from_toml(text: &str) -> Result<Vocabulary, VocabularyError> {
        let file: FileRepr = toml::from_str(text)?;
        let mut vocabulary = Vocabulary {
            groups: Vec::new(),
            values: Vec::new(),
            by_slug: FxHashMap::default(),
            by_code: HashMap::new(),
            phrases: HashMap::new(),
            longest_phrase_words: 1,
            page_phrases: HashMap::new(),
            search_phrases: HashMap::new(),
            longest_search_phrase_words: 1,
        };
        for (group_id, group) in file.group.into_iter().enumerate() {
            check_slug(&group.slug)?;
            if vocabulary.groups.iter().any(|g| g.slug == group.slug) {
                return Err(VocabularyError::Invalid(format!(
                    "group {} twice",
                    group.slug
                )));
            }
            let mut ids = Vec::new();
            let mut found_by = Vec::new();
            for value in group.value {
                check_slug(&value.slug)?;
                let id = vocabulary.values.len();
                if vocabulary
                    .by_slug
                    .entry(group.slug.clone())
                    .or_default()
                    .insert(value.slug.clone(), id)
                    .is_some()
                {
                    return Err(VocabularyError::Invalid(format!(
                        "value {}/{} twice",
                        group.slug, value.slug
                    )));
                }
                for code in &value.codes {
                    vocabulary.by_code.entry(code.clone()).or_default().push(id);
                }
                let mut synonyms = vec![value.label.to_lowercase(), value.slug.replace('-', " ")];
                for synonym in value.synonyms {
                    if synonym != synonym.to_lowercase() {
                        return Err(VocabularyError::Invalid(format!(
                            "synonym {synonym:?} of {}/{} is not lower-case",
                            group.slug, value.slug
                        )));
                    }
                    synonyms.push(synonym);
                }
                synonyms.dedup();
                for phrase in &value.page_phrases {
                    let name = format!("page phrase {phrase:?} of {}/{}", group.slug, value.slug);
                    if *phrase != phrase.to_lowercase() {
                        return Err(VocabularyError::Invalid(format!(
                            "{name} is not lower-case"
                        )));
                    }
                    let words = normalize_words(phrase);
                    if words.is_empty() {
                        return Err(VocabularyError::Invalid(format!("{name} has no words")));
                    }
                    if synonyms.iter().any(|s| normalize_words(s) == words) {
                        return Err(VocabularyError::Invalid(format!(
                            "{name} is a synonym of it already"
                        )));
                    }
                }
                found_by.push((id, value.found_by));
                vocabulary.values.push(FacetValue {
                    id,
                    group: group_id,
                    slug: value.slug,
                    label: value.label,
                    label_es: value.label_es,
                    synonyms,
                    page_phrases: value.page_phrases,
                    codes: value.codes,
                    found_by: Vec::new(),
                    finds: Vec::new(),
                });
                ids.push(id);
            }
            // `found_by` names values of the same group, not itself; it is
            // one step, not followed further (a search's values are the
            // asked ones and the values they find: "children or
            // adolescents" and "adolescents" find each other, and that
            // does not make a search for children find adolescents)
            for (id, slugs) in found_by {
                let mut finders = Vec::new();
                for slug in slugs {
                    let name = format!(
                        "found_by {slug:?} of {}/{}",
                        group.slug, vocabulary.values[id].slug
                    );
                    let other = vocabulary.by_slug[&group.slug]
                        .get(&slug)
                        .copied()
                        .ok_or_else(|| {
                            VocabularyError::Invalid(format!("{name}: no such value in the group"))
                        })?;
                    if other == id || finders.contains(&other) {
                        return Err(VocabularyError::Invalid(format!("{name}: itself or twice")));
                    }
                    finders.push(other);
                }
                for &n in &finders {
                    vocabulary.values[n].finds.push(id);
                }
                vocabulary.values[id].found_by = finders;
            }
            vocabulary.groups.push(FacetGroup {
                id: group_id,
                slug: group.slug,
                label: group.label,
                label_es: group.label_es,
                help: group.help,
                help_es: group.help_es,
                values: ids,
            });
        }
        for value in &vocabulary.values {
            for phrase in &value.page_phrases {
                let words = normalize_words(phrase);
                vocabulary.longest_phrase_words = vocabulary.longest_phrase_words.max(words.len());
                let ids = vocabulary.page_phrases.entry(words.join(" ")).or_default();
                if !ids.contains(&value.id) {
                    ids.push(value.id);
                }
            }
            for synonym in &value.synonyms {
                let words = normalize_words(synonym);
                vocabulary.longest_phrase_words = vocabulary.longest_phrase_words.max(words.len());
                let ids = vocabulary.phrases.entry(words.join(" ")).or_default();
                if !ids.contains(&value.id) {
                    ids.push(value.id);
                }
                let words = crate::text::search_words(synonym);
                if words.is_empty() {
                    continue;
                }
                vocabulary.longest_search_phrase_words =
                    vocabulary.longest_search_phrase_words.max(words.len());
                let ids = vocabulary
                    .search_phrases
                    .entry(words.join(" "))
                    .or_default();
                if !ids.contains(&value.id) {
                    ids.push(value.id);
                }
            }
        }
        Ok(vocabulary)
    }

    /// The values a phrase names exactly ("Medi-Cal" -> medicaid, "teens" ->
    /// adolescents), compared as normalized words.
    pub fn values_for_phrase(&self, phrase: &str) -> &[ValueId] {
        self.values_for_words(&normalize_words(phrase))
    }

    /// As [`Vocabulary::values_for_phrase`], for words already normalized.
    pub fn values_for_words(&self, words: &[String]) -> &[ValueId] {
        self.phrases
            .get(&words.join(" "))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The values a page phrase ([`FacetValue::page_phrases`]) names, for
    /// words already normalized ([`normalize_words`]): "out-of-network
    /// providers" -> self-pay. Empty for a phrase that is only a synonym
    /// (see [`Vocabulary::values_for_words`]) or not in the vocabulary.
    pub fn values_for_page_words(&self, words: &[String]) -> &[ValueId] {
        self.page_phrases
            .get(&words.join(" "))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The values a phrase of search words ([`crate::text::search_words`])
    /// names: "co-occurring", "co occurring" and "Co‑Occurring" alike.
    pub fn values_for_search_words(&self, words: &[String]) -> &[ValueId] {
        self.search_phrases
            .get(&words.join(" "))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The number of search words of the longest synonym.
    pub fn longest_search_phrase_words(&self) -> usize {
        self.longest_search_phrase_words
    }

    /// The number of words ([`normalize_words`]) of the longest synonym or
    /// page phrase: the longest window text extraction needs to look at.
    pub fn longest_phrase_words(&self) -> usize {
        self.longest_phrase_words
    }

    /// Every group, in file order.
    pub fn groups(&self) -> &[FacetGroup] {
        &self.groups
    }

    /// Every value, in file order (a [`ValueId`] indexes this slice).
    pub fn values(&self) -> &[FacetValue] {
        &self.values
    }

    /// The group at `id` (panics when `id` is out of range).
    pub fn group(&self, id: GroupId) -> &FacetGroup {
        &self.groups[id]
    }

    /// The value at `id` (panics when `id` is out of range).
    pub fn value(&self, id: ValueId) -> &FacetValue {
        &self.values[id]
    }

    /// The group with this slug, if any.
    pub fn group_by_slug(&self, slug: &str) -> Option<&FacetGroup> {
        self.groups.iter().find(|g| g.slug == slug)
    }

    /// The value `slug` of group `group`, if both exist.
    pub fn lookup(&self, group: &str, slug: &str) -> Option<&FacetValue> {
        self.by_slug
            .get(group)?
            .get(slug)
            .map(|&id| &self.values[id])
    }

    /// A value of `group` as a person may write it in a link or a form: its
    /// slug in any case, with spaces or underscores for hyphens
    /// ("Medicaid", "private_insurance"), or its label in English or
    /// Spanish ("Sliding scale fees"). The slug alone is what links write.
    pub fn lookup_written(&self, group: &str, written: &str) -> Option<&FacetValue> {
        if let Some(value) = self.lookup(group, written) {
            return Some(value);
        }
        let key: String = written
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '_' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        if let Some(value) = self.lookup(group, &key) {
            return Some(value);
        }
        let written = written.trim().to_lowercase();
        let group = self.group_by_slug(group)?;
        self.values_of(group.id)
            .find(|v| v.label.to_lowercase() == written || v.label_es.to_lowercase() == written)
    }

    /// The values a SAMHSA service code stands for (usually one, often none).
    pub fn values_for_code(&self, code: &str) -> impl Iterator<Item = &FacetValue> {
        self.by_code
            .get(code)
            .into_iter()
            .flatten()
            .map(|&id| &self.values[id])
    }

    /// The values of `group`, in file order.
    pub fn values_of(&self, group: GroupId) -> impl Iterator<Item = &FacetValue> {
        self.groups[group].values.iter().map(|&id| &self.values[id])
    }
}

/// Lower-case words: letters, digits, and inner dashes, apostrophes and plus
/// signs kept ("co-occurring", "women's", "lgbtq+"); everything else separates.
pub fn normalize_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '+'))
        .map(|w| w.trim_matches(|c| c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_slug(slug: &str) -> Result<(), VocabularyError> {
    let ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(VocabularyError::Invalid(format!(
            "slug {slug:?} is not lower-case ASCII with dashes"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_vocabulary_parses_and_has_the_nine_groups() {
        let v = Vocabulary::get();
        let slugs: Vec<&str> = v.groups().iter().map(|g| g.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "focus",
                "modality",
                "insurance",
                "accreditation",
                "age",
                "population",
                "language",
                "format",
                "schedule"
            ]
        );
    }

    /// The slugs and SAMHSA codes the foundation issue requires, exactly.
    #[test]
    fn required_slugs_carry_exactly_their_samhsa_codes() {
        let required: &[(&str, &str, &[&str])] = &[
            ("insurance", "medicaid", &["MD"]),
            ("insurance", "medicare", &["MC"]),
            ("insurance", "private", &["PI"]),
            ("insurance", "tricare", &["MI"]),
            ("insurance", "self-pay", &["SF"]),
            ("insurance", "sliding-scale", &["SS"]),
            ("insurance", "payment-assistance", &["PA"]),
            ("insurance", "state-plan", &["SI"]),
            ("insurance", "ihs-tribal", &["ITU"]),
            ("insurance", "free", &["NP"]),
            ("accreditation", "joint-commission", &["JC"]),
            ("accreditation", "carf", &["CARF"]),
            ("accreditation", "coa", &["COA"]),
            ("accreditation", "ncqa", &["NCQA"]),
            ("accreditation", "hfap", &["HFAP"]),
            ("accreditation", "state-licensed", &["STAG", "STMH", "STDH"]),
            ("modality", "cbt", &["CBT"]),
            ("modality", "dbt", &["DBT"]),
            ("modality", "motivational-interviewing", &["MOTI"]),
            ("modality", "contingency-management", &["CMI"]),
            ("modality", "matrix-model", &["MXM"]),
            ("modality", "relapse-prevention", &["RELP"]),
            ("modality", "trauma-focused", &["TRC"]),
            ("modality", "twelve-step", &["TWFA"]),
            ("modality", "family-therapy", &["FCO"]),
            ("modality", "group-therapy", &["GCO"]),
            ("modality", "individual-therapy", &["ICO"]),
            (
                "modality",
                "mat",
                &["OTP", "MU", "BU", "NU", "UB", "UN", "PMAT"],
            ),
            ("modality", "methadone", &["MU", "MM"]),
            ("modality", "buprenorphine", &["BU", "UB", "BUM"]),
            ("modality", "naltrexone", &["NU", "UN"]),
            ("focus", "substance-use", &["SA"]),
            ("focus", "co-occurring", &["SUMH", "CO"]),
            ("focus", "trauma", &["TRMA"]),
            ("focus", "gambling", &["TGD"]),
            ("age", "children-adolescents", &["CHLD"]),
            ("age", "adolescents", &["AD"]),
            ("age", "young-adults", &["YAD", "TAY"]),
            ("age", "adults", &["ADLT", "WN", "MN"]),
            ("age", "seniors", &["SNR", "SE"]),
            ("population", "veterans", &["VET"]),
            ("population", "lgbtq", &["GL"]),
            ("population", "women", &["WN"]),
            ("population", "men", &["MN"]),
            ("population", "pregnant-postpartum", &["PW"]),
            ("population", "active-military", &["ADM"]),
            ("population", "criminal-justice", &["CJ"]),
            ("language", "spanish", &["SP"]),
            ("language", "asl", &["AH"]),
            ("format", "telehealth", &["TELE"]),
        ];
        let v = Vocabulary::get();
        for (group, slug, codes) in required {
            let value = v
                .lookup(group, slug)
                .unwrap_or_else(|| panic!("{group}/{slug} missing"));
            assert_eq!(value.codes, *codes, "{group}/{slug}");
        }
    }

    #[test]
    fn every_code_maps_to_one_value_of_a_group() {
        let v = Vocabulary::get();
        for value in v.values() {
            for code in &value.codes {
                // in each group, one value, or a value and the kind of it a
                // search for it finds (MU: MAT and methadone); groups may
                // share a code (WN: women, and adults)
                let owners: Vec<_> = v
                    .values_for_code(code)
                    .filter(|o| o.group == value.group)
                    .collect();
                let tied = owners.iter().all(|o| {
                    owners
                        .iter()
                        .all(|p| o.id == p.id || o.answers(p.id) || p.answers(o.id))
                });
                assert!(
                    owners.len() == 1 || (owners.len() == 2 && tied),
                    "code {code} belongs to {:?}",
                    owners.iter().map(|o| &o.slug).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn phrases_name_values_whatever_their_case_and_punctuation() {
        let v = Vocabulary::get();
        let slug = |ids: &[ValueId]| {
            ids.iter()
                .map(|&i| v.value(i).slug.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(slug(v.values_for_phrase("Medi-Cal")), ["medicaid"]);
        assert_eq!(
            slug(v.values_for_phrase("Dual Diagnosis")),
            ["co-occurring"]
        );
        assert_eq!(
            slug(v.values_for_phrase("Dialectical behavior therapy (DBT)")),
            ["dbt"]
        );
        assert!(v.values_for_phrase("we do not accept").is_empty());
    }

    #[test]
    fn every_group_and_value_has_a_spanish_label() {
        let v = Vocabulary::get();
        for g in v.groups() {
            assert!(
                !g.label_es.trim().is_empty(),
                "group {} has no label_es",
                g.slug
            );
            assert!(
                !g.help_es.trim().is_empty(),
                "group {} has no help_es",
                g.slug
            );
        }
        for value in v.values() {
            assert!(
                !value.label_es.trim().is_empty(),
                "{}/{} has no label_es",
                v.group(value.group).slug,
                value.slug
            );
        }
        assert_eq!(v.lookup("language", "spanish").unwrap().label_es, "Español");
        // a file without Spanish labels is refused
        let no_es =
            "[[group]]\nslug='a'\nlabel='A'\nhelp=''\n[[group.value]]\nslug='x'\nlabel='X'\n";
        assert!(Vocabulary::from_toml(no_es)
            .unwrap_err()
            .to_string()
            .contains("label_es"));
    }

    #[test]
    fn page_phrases_name_values_for_extraction_only() {
        let v = Vocabulary::get();
        let words = normalize_words("Out-of-Network Providers");
        let ids = v.values_for_page_words(&words);
        assert_eq!(ids.len(), 1);
        assert_eq!(v.value(ids[0]).slug, "self-pay");
        // not a synonym: search and the synonym table do not know it
        assert!(v.values_for_words(&words).is_empty());
        assert!(v
            .values_for_search_words(&crate::text::search_words("superbill"))
            .is_empty());
        assert!(v
            .values_for_page_words(&normalize_words("Medicaid"))
            .is_empty());
        let base = "[[group]]\nslug='a'\nlabel='A'\nlabel_es='A'\nhelp=''\nhelp_es=''\n[[group.value]]\nslug='x'\nlabel='X'\nlabel_es='X'\nsynonyms=['ex']\n";
        let with = |phrases: &str| format!("{base}page_phrases={phrases}\n");
        assert!(Vocabulary::from_toml(&with("['an ex']")).is_ok());
        for (phrases, reason) in [
            ("['An Ex']", "lower-case"),
            ("['--']", "no words"),
            ("['Ex']", "lower-case"),
            ("['ex']", "synonym"),
            ("['x']", "synonym"),
        ] {
            let err = Vocabulary::from_toml(&with(phrases))
                .unwrap_err()
                .to_string();
            assert!(err.contains(reason), "{phrases}: {err}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let dup = "[[group]]\nslug='a'\nlabel='A'\nlabel_es='A'\nhelp=''\nhelp_es=''\n[[group.value]]\nslug='x'\nlabel='X'\nlabel_es='X'\n[[group.value]]\nslug='x'\nlabel='Y'\nlabel_es='Y'\n";
        assert!(Vocabulary::from_toml(dup)
            .unwrap_err()
            .to_string()
            .contains("twice"));
        let upper =
            "[[group]]\nslug='a'\nlabel='A'\nlabel_es='A'\nhelp=''\nhelp_es=''\n[[group.value]]\nslug='X'\nlabel='X'\nlabel_es='X'\n";
        assert!(Vocabulary::from_toml(upper)
            .unwrap_err()
            .to_string()
            .contains("slug"));
        // found_by: a value of the same group, not itself
        let group = "[[group]]\nslug='a'\nlabel='A'\nlabel_es='A'\nhelp=''\nhelp_es=''\n";
        let value = |slug: &str, found_by: &str| {
            format!("[[group.value]]\nslug='{slug}'\nlabel='{slug}'\nlabel_es='{slug}'\nfound_by=[{found_by}]\n")
        };
        for (values, why) in [
            (value("x", "'nope'"), "no such value"),
            (value("x", "'x'"), "itself"),
        ] {
            let err = Vocabulary::from_toml(&format!("{group}{values}")).unwrap_err();
            assert!(err.to_string().contains(why), "{why}: {err}");
        }
        let v = Vocabulary::from_toml(&format!(
            "{group}{}{}",
            value("x", ""),
            value("both", "'x'")
        ))
        .unwrap();
        let (x, both) = (v.lookup("a", "x").unwrap(), v.lookup("a", "both").unwrap());
        assert_eq!(both.found_by, [x.id]);
        assert_eq!(x.finds, [both.id]);
        assert!(both.answers(x.id) && both.answers(both.id) && !x.answers(both.id));
    }

    #[test]
    fn searches_find_broader_ages_and_the_medications_of_mat() {
        let v = Vocabulary::get();
        let under_18 = v.lookup("age", "children-adolescents").unwrap();
        for narrower in ["children", "adolescents"] {
            assert!(
                under_18.answers(v.lookup("age", narrower).unwrap().id),
                "{narrower}"
            );
        }
        assert!(!under_18.answers(v.lookup("age", "adults").unwrap().id));
        // and no other value is found by another's search, unless said here
        let found_by: Vec<&str> = v
            .values()
            .iter()
            .filter(|value| !value.found_by.is_empty())
            .map(|value| value.slug.as_str())
            .collect();
        assert_eq!(
            found_by,
            [
                "methadone",
                "buprenorphine",
                "naltrexone",
                "children",
                "adolescents",
                "children-adolescents"
            ]
        );
        // and a search for "under 18" finds the programs for children or
        // for adolescents
        for narrower in ["children", "adolescents"] {
            assert!(
                v.lookup("age", narrower).unwrap().answers(under_18.id),
                "{narrower}"
            );
        }
        // a search for MAT finds each medication by name; a search for one
        // medication finds no other
        let mat = v.lookup("modality", "mat").unwrap();
        for drug in ["methadone", "buprenorphine", "naltrexone"] {
            let drug = v.lookup("modality", drug).unwrap();
            assert!(
                drug.answers(mat.id) && !mat.answers(drug.id),
                "{}",
                drug.slug
            );
        }
        let methadone = v.lookup("modality", "methadone").unwrap();
        assert!(!v
            .lookup("modality", "naltrexone")
            .unwrap()
            .answers(methadone.id));
    }
}
