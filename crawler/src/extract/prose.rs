//! Facet values from prose: vocabulary phrases found in each sentence (the
//! longest synonym wins), with negation and context rules.
//!
//! - **Negation.** A clause with a negation cue ("not", "don't", "cannot",
//!   "no longer", "unable", "out-of-network with", ...) states no facts; the
//!   part of a sentence after "except"/"excluding" neither. Sentences are cut
//!   into clauses at ", and", ", but", " but " and ";" first, so "We accept
//!   Aetna, but not Medicaid" keeps Aetna. A list introduced by a negated
//!   sentence ending in ":" ("We do not accept:") or a negated heading is
//!   negated item by item.
//! - **Chrome.** Navigation, headers, footers and asides list every service of
//!   a company and blog teasers: only accreditation is read there.
//! - **Risky synonyms** (the extraction-specific stop list, [`NEVER_ALONE`] and
//!   [`NEEDS_CONTEXT`]): some vocabulary synonyms are common words in
//!   unrelated text ("free lifetime aftercare", "private and confidential",
//!   "pay your bill online", "national anthem", "Beacon Street"). They are never
//!   extracted alone, or only when the sentence (or the list's introduction)
//!   has the context named there. The vocabulary keeps them for search.
//! - **Page phrases** (the vocabulary's `page_phrases`,
//!   [`Vocabulary::values_for_page_words`]): common page wordings that name a
//!   value but are not search synonyms ("most insurances", "out-of-network
//!   providers", "PPO plans", "psychiatry sessions").
//! - **Not about this program**: background and contrast ([`is_background`]);
//!   a number before "day program" (a length); schedule words beside office,
//!   phone or visiting hours or the parents' group
//!   ([`NOT_THE_PROGRAMS_HOURS`]); a parent's own children and the client's
//!   visitors (not the age served); items of a list of insurers (payers
//!   only); lists and sentences of topics (subjects, not conditions); a
//!   therapy word inside a longer name ("a treatment called CRAFT, Community
//!   Reinforcement Approach and Family Therapy").

use super::html::Sentence;
use iop_index::vocabulary::{normalize_words, ValueId, Vocabulary};
use regex::Regex;
use std::sync::LazyLock;

/// Synonyms never extracted on their own (as a whole match): too common in
/// text that states nothing about the program. Longer synonyms that contain
/// them ("free of charge", "private insurance") still count.
pub const NEVER_ALONE: &[&str] = &["free", "private", "cash", "beacon", "mood"];

/// Synonyms and page phrases extracted only when the context (any of the
/// words, in the sentence or its list introduction) is there.
pub const NEEDS_CONTEXT: &[(&str, &[&str])] = &[
    ("anthem", INSURANCE_CONTEXT),
    ("funding", FUNDING_CONTEXT),
    ("online", PROGRAM_CONTEXT),
    ("remote", PROGRAM_CONTEXT),
    ("virtual", PROGRAM_CONTEXT),
    ("from home", PROGRAM_CONTEXT),
    ("professionals", POPULATION_CONTEXT),
    ("physicians", POPULATION_CONTEXT),
    ("nurses", POPULATION_CONTEXT),
    ("attorneys", POPULATION_CONTEXT),
    ("pilots", POPULATION_CONTEXT),
    ("executives", POPULATION_CONTEXT),
];

const INSURANCE_CONTEXT: &[&str] = &[
    "accept",
    "accepts",
    "accepted",
    "insurance",
    "insurances",
    "plan",
    "plans",
    "network",
    "in-network",
    "coverage",
    "covered",
    "cover",
    "bill",
    "payer",
    "payers",
    "carrier",
    "carriers",
    "take",
    "work",
];

/// Words that make "funding" pay for clients' care ("funding for clients
/// who do not have an insurance benefit"), not a grant for research.
const FUNDING_CONTEXT: &[&str] = &[
    "insurance",
    "insurances",
    "uninsured",
    "underinsured",
    "cost",
    "costs",
    "cover",
    "covers",
    "covered",
    "pay",
    "afford",
    "eligible",
    "qualify",
    "qualifying",
];

const PROGRAM_CONTEXT: &[&str] = &[
    "iop",
    "program",
    "programs",
    "session",
    "sessions",
    "group",
    "groups",
    "therapy",
    "treatment",
    "telehealth",
    "video",
    "attend",
    "join",
    "care",
    "track",
    "outpatient",
    "counseling",
];

const POPULATION_CONTEXT: &[&str] = &[
    "program",
    "track",
    "serve",
    "serves",
    "serving",
    "designed",
    "specialized",
    "tailored",
];

/// Words that, somewhere in a sentence, make a schedule synonym ("evening",
/// "weekends") a statement about the program's schedule.
pub const SCHEDULE_CONTEXT: &[&str] = &[
    "meet",
    "meets",
    "meeting",
    "group",
    "groups",
    "session",
    "sessions",
    "track",
    "tracks",
    "program",
    "iop",
    "attend",
    "runs",
    "held",
    "schedule",
    "offered",
    "available",
    "option",
];

/// Plan kinds that are private insurance unless the clause names a public
/// program ("Medicare HMO", "Medicaid managed care HMO").
const MANAGED_PLANS: &[&str] = &["ppo", "hmo", "ppo plans", "hmo plans"];

/// Words of public programs that make [`MANAGED_PLANS`] theirs.
const PUBLIC_PROGRAMS: &[&str] = &["medicare", "medicaid", "medi-cal", "tricare", "chip"];

/// Words that make a clause's schedule words ("weekends", "evenings") about
/// something else than the program's sessions: office and phone hours,
/// visiting, a pharmacy, the parents' or alumni group. "The weekends are
/// more flexible with visitation" is residential life, "office hours
/// evenings by appointment" is the front desk.
pub const NOT_THE_PROGRAMS_HOURS: &[&str] = &[
    "office",
    "desk",
    "reception",
    "phone",
    "phones",
    "visiting",
    "visitation",
    "visitors",
    "pharmacy",
    "parent",
    "parents",
    "caregiver",
    "caregivers",
    "alumni",
];

/// Words of a list's introduction that make its items insurers' names
/// ("Participating provider contracts", "Insurance plans we accept"): an
/// item states insurance only ("Integrated Behavioral Health" is a payer,
/// not a mental-health service).
const PAYER_LIST: &[&str] = &[
    "insurance",
    "insurances",
    "insurer",
    "insurers",
    "payer",
    "payers",
    "carrier",
    "carriers",
    "contracts",
    "in-network",
];

/// Words that make a list or sentence a list of topics ("Sample group
/// topics: healing from trauma, stress management"): the subjects a
/// group talks about, not the conditions the program treats. Its
/// therapies still count.
const TOPICS: &[&str] = &["topic", "topics", "curriculum"];

/// Number words before "day" make it a length ("a 30 day program", "a
/// ninety day stay"), not a day program. (A hyphenated "30-day program"
/// never reads as "day program": a match does not cut a hyphenated word.)
fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit())
        || matches!(
            word,
            "one"
                | "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "ten"
                | "fourteen"
                | "twenty"
                | "twenty-one"
                | "twenty-eight"
                | "thirty"
                | "forty-five"
                | "sixty"
                | "ninety"
                | "hundred"
        )
}

/// A parent speaking of their own children ("healthy moms are good moms
/// ... present for your children"): the client's family, not the age the
/// program serves. Blanked out before matching when the sentence speaks of
/// parenthood ([`PARENTHOOD`]).
static OWN_CHILDREN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:your|their|her|his|my)\s+(?:own\s+)?(?:children|kids|child)\b").unwrap()
});

/// A sentence about the client's visitors ("children are able to visit
/// you", "visiting hours", "visits from family"): who visits is not who is
/// treated, so it states no age.
static VISITORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:visit(?:s|ing)?\s+(?:you|them|her|him|their\s+\w+|your\s+\w+)|visitation|visitors?|visits\s+from|visiting\s+(?:hours|days|day))\b")
        .unwrap()
});

/// A name given to something ("a treatment called CRAFT, Community
/// Reinforcement Approach and Family Therapy"): the capitalized words
/// after "called", "named" or "known as".
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:called|named|known\s+as|entitled)\s+(?:the\s+)?["“']?([A-Z][\w'&-]*(?:,?\s+(?:and|of|for|the|in|&|[A-Z][\w'&-]*))*)"#)
        .unwrap()
});

/// Therapies named only inside a longer name ([`NAMED`]): "Family Therapy"
/// in "Community Reinforcement Approach and Family Therapy" is a word of
/// the method's name, not family therapy offered. A name that is nothing
/// but the therapy ("called Cognitive Behavioral Therapy") still counts,
/// and so does the therapy named again outside the name.
fn therapies_in_names_only(
    text: &str,
    modality: Option<iop_index::vocabulary::GroupId>,
) -> Vec<ValueId> {
    let v = Vocabulary::get();
    let names: Vec<&str> = NAMED
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    let mut without = text.to_string();
    for name in &names {
        without = without.replace(name, " ");
    }
    let outside: Vec<ValueId> = phrases_in(&without)
        .into_iter()
        .flat_map(|(_, ids, _)| ids)
        .collect();
    let mut out = Vec::new();
    for name in names {
        let words = normalize_words(name).len();
        for (phrase, ids, _) in phrases_in(name) {
            if normalize_words(&phrase).len() == words {
                continue;
            }
            for id in ids {
                if Some(v.value(id).group) == modality && !outside.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// Words of parenthood (see [`OWN_CHILDREN`]).
static PARENTHOOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:moms?|mothers?|motherhood|parents?|parenting|fathers?|dads?|pregnant)\b")
        .unwrap()
});

/// Negation cues, as normalized words; two-word cues joined by a space.
const NEGATIONS: &[&str] = &[
    "not",
    "don't",
    "doesn't",
    "cannot",
    "can't",
    "won't",
    "isn't",
    "aren't",
    "unable",
    "never",
    "nor",
    "excluding",
    "except",
    "no longer",
    "out-of-network with",
    "out of network with",
];

/// Names of agencies ("Department of Drug and Alcohol Programs") name what
/// they regulate or fund, not what the program offers: blanked out before
/// matching, except for accreditation and licensing.
static AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:Department|Bureau|Office|Division|Administration|Commission)\s+(?:of|for|on)\s+[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|and|&|of|the|for))*").unwrap()
});

static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i),\s+(?:and|but)\s+|;\s+|\s+but\s+|(\s+|,\s*)(?:except|excluding)\s+").unwrap()
});

/// Words that make a sentence background or contrast, not a statement
/// about the program ("unlike residential care", "PHP is a step above
/// IOP", "clients often step down from PHP", "more and more of our youth
/// are struggling with ...", "research shows").
static BACKGROUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \bunlike\b | \bcompared\s+(?:to|with)\b | \bstep\s+(?:above|below)\b
        | \bstep(?:s|ping)?\s+down\s+from\b | \bhigher\s+level\s+of\s+care\b
        | \bmore\s+and\s+more\b | \bcommonly\s+struggle | \bhave\s+worked\s+(?:in|at|with)\b
        | \brelationships?\s+with\b | \ban\s+estimated\b | \bone\s+in\s+(?:three|four|five|ten)\b
        | \bmany\s+(?:women|men|parents|families)\s+with\b
        | \bresearch\s+(?:shows|suggests|has\s+shown)\b | \bstudies\s+(?:show|suggest)\b
        | ^\s*(?:an?\s+)?(?:iop|intensive\s+outpatient\s+program)s?\s+(?:is|are)\s+(?:a|an)\b
        | \bmany\s+iops\b | \bsome\s+iops\b | \bmost\s+iops\b
        | \bwhen\s+many\s+people\s+think\b | \bmany\s+people\s+have\b
        | \byou\s+will\s+continue\s+to\s+be\s+treated\s+by\s+your\b
        | \bfrom\s+(?:their|your)\s+outside\b
        ",
    )
    .expect("background regex")
});

/// Is the sentence background or contrast rather than a statement about
/// the program?
pub fn is_background(text: &str) -> bool {
    BACKGROUND.is_match(text)
}

trait Hedges {
    fn replace_hedges(&self) -> String;
}

impl Hedges for str {
    /// "include, but are not limited to, CBT" -> "include CBT": a hedge is
    /// not a negation.
    fn replace_hedges(&self) -> String {
        static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i),?\s*(?:but\s+)?(?:are\s+|is\s+)?not\s+(?:limited|restricted)\s+to,?")
                .unwrap()
        });
        HEDGE.replace_all(self, " ").to_string()
    }
}

/// "individual and group therapy" -> "individual therapy and group
/// therapy": a head noun shared by a coordinated list names each kind.
pub fn expand_shared_heads(text: &str) -> String {
    static SHARED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b((?:(?:individual|group|family|couples)(?:\s*,\s*|\s*,?\s+(?:and|or|&)\s+|\s*/\s*))+)(individual|group|family|couples)\s+(therapy|counseling|sessions|psychotherapy)\b").unwrap()
    });
    static KIND: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)individual|group|family|couples").unwrap());
    SHARED
        .replace_all(text, |c: &regex::Captures<'_>| {
            let head = &c[3];
            let mut kinds: Vec<String> = KIND
                .find_iter(&c[1])
                .map(|m| format!("{} {head}", m.as_str()))
                .collect();
            kinds.push(format!("{} {head}", &c[2]));
            kinds.join(" and ")
        })
        .to_string()
}

/// A value found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The value.
    pub value: ValueId,
    /// The index of the sentence it came from.
    pub sentence: usize,
}

/// Is this clause (its normalized words) negated?
pub fn negated(words: &[String]) -> bool {
    first_negation(words).is_some()
}

/// The word position of the first negation cue of a clause.
fn first_negation(words: &[String]) -> Option<usize> {
    NEGATIONS
        .iter()
        .filter_map(|cue| {
            let cue: Vec<&str> = cue.split(' ').collect();
            words
                .windows(cue.len())
                .position(|w| w.iter().zip(&cue).all(|(a, b)| a == b))
        })
        .min()
}

/// Words after "not" that make the negation reach back to the subject
/// ("Medicaid is not accepted").
const PASSIVE: &[&str] = &[
    "accepted",
    "covered",
    "offered",
    "available",
    "provided",
    "included",
    "in-network",
    "billed",
    "taken",
    "contracted",
    "treated",
    "served",
];

/// How far a clause's negation reaches: from this word position on (0: the
/// whole clause), or `None` when the clause is not negated. "We accept
/// Aetna; we do not accept Medicaid" keeps Aetna; "Medicaid is not
/// accepted" loses Medicaid.
pub fn negation_from(words: &[String]) -> Option<usize> {
    let at = first_negation(words)?;
    let passive = words.iter().enumerate().any(|(i, w)| {
        (w == "not" || w.ends_with("n't"))
            && words[i + 1..]
                .iter()
                .take(3)
                .any(|x| PASSIVE.contains(&x.as_str()))
    });
    Some(if passive { 0 } else { at })
}

/// The clauses of a sentence and whether each is negated.
pub fn clauses(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut after_except = false;
    for m in CLAUSE.captures_iter(text) {
        let whole = m.get(0).expect("match");
        let clause = &text[start..whole.start()];
        let words = normalize_words(clause);
        out.push((clause.to_string(), after_except || negated(&words)));
        let separator = whole.as_str().to_lowercase();
        after_except = separator.contains("except") || separator.contains("excluding");
        start = whole.end();
    }
    let clause = &text[start..];
    let words = normalize_words(clause);
    out.push((clause.to_string(), after_except || negated(&words)));
    out
}

/// The phrases of `words` that name values, longest match first: (matched
/// words, values).
fn match_words(words: &[String], whole: &[bool]) -> Vec<(String, Vec<ValueId>, usize)> {
    let v = Vocabulary::get();
    let longest = v.longest_phrase_words();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut taken = 0;
        for len in (1..=longest.min(words.len() - i)).rev() {
            // a match may not cut a hyphenated word: starts at its first part,
            // ends at its last
            if !whole[i * 2] || !whole[(i + len - 1) * 2 + 1] {
                continue;
            }
            let phrase = &words[i..i + len];
            let mut ids: Vec<ValueId> = v.values_for_words(phrase).to_vec();
            if ids.is_empty() && len > 1 && matches!(phrase[len - 1].as_str(), "session" | "group")
            {
                // "individual session" for "individual sessions"
                let mut plural = phrase.to_vec();
                plural[len - 1].push('s');
                ids = v.values_for_words(&plural).to_vec();
            }
            if ids.is_empty() {
                // simple plural: "process groups", "psychiatrists"
                let last = &phrase[len - 1];
                if last.len() > 4 && last.ends_with('s') && !last.ends_with("ss") {
                    let mut singular = phrase.to_vec();
                    singular[len - 1] = last[..last.len() - 1].to_string();
                    ids = v.values_for_words(&singular).to_vec();
                }
            }
            for id in v.values_for_page_words(phrase) {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
            if !ids.is_empty() {
                out.push((phrase.join(" ").replace(" - ", "-"), ids, i));
                taken = len;
                break;
            }
        }
        i += taken.max(1);
    }
    out
}

/// Values named in a clause (before negation and context rules): the
/// matched phrase, its values and the position of its first word in
/// `normalize_words(clause)`. Words are matched as written and with
/// hyphenated words split ("self-pay" -> "self pay"), never cutting one.
/// Hybrid phrases ("in person or online") also name both formats.
pub fn phrases_in(clause: &str) -> Vec<(String, Vec<ValueId>, usize)> {
    let words = normalize_words(clause);
    let whole = vec![true; words.len() * 2];
    let mut out = match_words(&words, &whole);
    if words.iter().any(|w| w.contains('-')) {
        let mut parts = Vec::new();
        let mut flags = Vec::new();
        let mut word_of = Vec::new();
        for (at, w) in words.iter().enumerate() {
            let pieces: Vec<&str> = w.split('-').filter(|p| !p.is_empty()).collect();
            let n = pieces.len();
            for (k, p) in pieces.into_iter().enumerate() {
                parts.push(p.to_string());
                flags.push(k == 0);
                flags.push(k + 1 == n);
                word_of.push(at);
            }
        }
        for (phrase, ids, at) in match_words(&parts, &flags) {
            if !out.iter().any(|(p, _, _)| *p == phrase) {
                out.push((phrase, ids, word_of[at]));
            }
        }
    }
    let v = Vocabulary::get();
    if let Some(hybrid) = v.lookup("format", "hybrid") {
        let format = hybrid.group;
        let mut inner = Vec::new();
        for (phrase, ids, at) in &out {
            if ids.contains(&hybrid.id) && phrase.contains(' ') {
                let sub = normalize_words(phrase);
                for (p, sub_ids, k) in match_words(&sub[1..], &vec![true; (sub.len() - 1) * 2]) {
                    inner.push((p, sub_ids.clone(), at + 1 + k));
                }
                for (p, sub_ids, k) in
                    match_words(&sub[..sub.len() - 1], &vec![true; (sub.len() - 1) * 2])
                {
                    inner.push((p, sub_ids, at + k));
                }
            }
        }
        for (p, ids, at) in inner {
            let ids: Vec<ValueId> = ids
                .into_iter()
                .filter(|&id| v.value(id).group == format && id != hybrid.id)
                .collect();
            if !ids.is_empty() {
                out.push((p, ids, at));
            }
        }
    }
    out
}

fn has_any(words: &[String], wanted: &[&str]) -> bool {
    words.iter().any(|w| wanted.contains(&w.as_str()))
}

/// Does `original` contain `word` in capitals ("ACT", "MAT")?
fn capitalized(original: &str, word: &str) -> bool {
    original
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == word.to_uppercase())
}

/// The facet values the sentences state, each with the index of its
/// sentence. `org_name` is blanked out of sentences first ("Willow Creek
/// Behavioral Health" states no focus).
pub fn find(sentences: &[Sentence], org_names: &[String]) -> Vec<Found> {
    let v = Vocabulary::get();
    let accreditation = v.group_by_slug("accreditation").map(|g| g.id);
    let schedule = v.group_by_slug("schedule").map(|g| g.id);
    let insurance = v.group_by_slug("insurance").map(|g| g.id);
    let focus = v.group_by_slug("focus").map(|g| g.id);
    let age = v.group_by_slug("age").map(|g| g.id);
    let modality = v.group_by_slug("modality").map(|g| g.id);
    let mut out: Vec<Found> = Vec::new();
    let mut intro = String::new();
    let mut intro_negated = false;
    for (index, sentence) in sentences.iter().enumerate() {
        let mut text = sentence.text.clone();
        for name in org_names.iter().filter(|n| n.len() > 3) {
            while let Some(at) = text.to_lowercase().find(&name.to_lowercase()) {
                if text.is_char_boundary(at) && text.is_char_boundary(at + name.len()) {
                    text.replace_range(at..at + name.len(), " ");
                } else {
                    break;
                }
            }
        }
        // a parent's own children are not the age served
        if PARENTHOOD.is_match(&text) {
            text = OWN_CHILDREN.replace_all(&text, " ").to_string();
        }
        // background and contrast: what IOPs or other levels of care are in
        // general, what people commonly struggle with, states nothing about
        // this program
        if is_background(&text) {
            if !sentence.list_item {
                intro = text.clone();
                intro_negated = text.trim_end().ends_with(':');
            }
            continue;
        }
        let text = expand_shared_heads(&text.replace_hedges());
        let clauses = clauses(&text);
        let sentence_negated = clauses.iter().any(|(_, n)| *n);
        let in_negated_list = sentence.list_item && intro_negated;
        let context_words = {
            let mut w = normalize_words(&text);
            if sentence.list_item {
                w.extend(normalize_words(&intro));
            }
            w
        };
        let intro_words = if sentence.list_item {
            normalize_words(&intro)
        } else {
            Vec::new()
        };
        // items of a list of insurers name payers only
        let payer_list = has_any(&intro_words, PAYER_LIST);
        // a list (or sentence) of topics names subjects, not conditions
        let topics = has_any(&intro_words, TOPICS) || has_any(&normalize_words(&text), TOPICS);
        let visitors = VISITORS.is_match(&text);
        let named_only = therapies_in_names_only(&text, modality);
        for (clause, clause_negated) in &clauses {
            if in_negated_list {
                continue;
            }
            // the part of a clause from its negation on states nothing
            let negated_from = if *clause_negated {
                negation_from(&normalize_words(clause)).unwrap_or(0)
            } else {
                usize::MAX
            };
            let blanked = AGENCY.replace_all(clause, |c: &regex::Captures<'_>| {
                // keep the word count, so positions stay comparable
                vec!["x"; normalize_words(&c[0]).len()].join(" ")
            });
            let clause_words = normalize_words(&blanked);
            let not_the_programs_hours = has_any(&clause_words, NOT_THE_PROGRAMS_HOURS);
            let mut found = phrases_in(&blanked);
            for (phrase, ids, at) in phrases_in(clause) {
                let ids: Vec<ValueId> = ids
                    .into_iter()
                    .filter(|&id| Some(v.value(id).group) == accreditation)
                    .collect();
                if !ids.is_empty() && !found.iter().any(|(p, _, _)| *p == phrase) {
                    found.push((phrase, ids, at));
                }
            }
            for (phrase, ids, at) in found {
                if at >= negated_from {
                    continue;
                }
                if NEVER_ALONE.contains(&phrase.as_str()) {
                    continue;
                }
                if (phrase == "act" || phrase == "mat") && !capitalized(clause, &phrase) {
                    continue;
                }
                if MANAGED_PLANS.contains(&phrase.as_str())
                    && has_any(&clause_words, PUBLIC_PROGRAMS)
                {
                    continue;
                }
                // "a 30 day program" is a length
                if phrase.starts_with("day")
                    && at > 0
                    && clause_words.get(at - 1).is_some_and(|w| is_number(w))
                {
                    continue;
                }
                if let Some((_, ctx)) = NEEDS_CONTEXT.iter().find(|(p, _)| *p == phrase) {
                    if !has_any(&context_words, ctx) {
                        continue;
                    }
                    // "designed by doctors and nurses": who made it, not whom
                    // it serves
                    if ctx == &POPULATION_CONTEXT {
                        let words = normalize_words(clause);
                        let from = at.saturating_sub(4);
                        if words[from..at.min(words.len())]
                            .iter()
                            .any(|w| matches!(w.as_str(), "by" | "led" | "staffed" | "run"))
                        {
                            continue;
                        }
                    }
                }
                for id in ids {
                    let group = Some(v.value(id).group);
                    if sentence.chrome && group != accreditation {
                        continue;
                    }
                    if group == schedule
                        && (!has_any(&context_words, SCHEDULE_CONTEXT) || not_the_programs_hours)
                    {
                        continue;
                    }
                    if payer_list && group != insurance && group != accreditation {
                        continue;
                    }
                    if (topics && group == focus)
                        || (visitors && group == age)
                        || named_only.contains(&id)
                    {
                        continue;
                    }
                    if !out.iter().any(|f| f.value == id) {
                        out.push(Found {
                            value: id,
                            sentence: index,
                        });
                    }
                }
            }
        }
        if !sentence.list_item {
            intro = text.clone();
            intro_negated =
                sentence_negated && (sentence.heading || text.trim_end().ends_with(':'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(text: &str) -> Vec<String> {
        let sentence = Sentence {
            text: text.to_string(),
            chrome: false,
            heading: false,
            level: 0,
            list_item: false,
        };
        find(&[sentence], &[])
            .iter()
            .map(|f| Vocabulary::get().value(f.value).slug.clone())
            .collect()
    }

    /// The slugs a page of (text, heading, list item) sentences states.
    fn page_slugs(page: &[(&str, bool, bool)]) -> Vec<String> {
        let sentences: Vec<Sentence> = page
            .iter()
            .map(|&(text, heading, list_item)| Sentence {
                text: text.to_string(),
                chrome: false,
                heading,
                level: u8::from(heading) * 2,
                list_item,
            })
            .collect();
        find(&sentences, &[])
            .iter()
            .map(|f| Vocabulary::get().value(f.value).slug.clone())
            .collect()
    }

    #[test]
    fn a_length_in_days_is_not_a_day_program() {
        assert!(slugs("Why is our stay longer than a standard 30 day program?").is_empty());
        assert!(slugs("Most clients finish a ninety day program first.").is_empty());
        assert_eq!(slugs("Our day program meets on weekdays."), ["daytime"]);
    }

    #[test]
    fn office_visiting_and_parents_hours_are_not_the_programs_schedule() {
        assert!(
            slugs("Office hours for the program: weekdays, evenings by appointment.").is_empty()
        );
        assert!(slugs(
            "Weekdays are full with groups and the weekends are more flexible with visitation."
        )
        .iter()
        .all(|s| s != "weekend"));
        assert!(slugs("The parents' group meets on Saturdays.").is_empty());
        // the clause about the parents is cut from the teens' one
        assert_eq!(
            slugs("We meet in the evenings, and parents meet on Saturdays."),
            ["evening"]
        );
        assert_eq!(slugs("Our evening group meets twice a week."), ["evening"]);
    }

    #[test]
    fn a_parents_own_children_are_not_the_age_served() {
        assert_eq!(
            slugs("Healthy moms can be fully present for their children."),
            Vec::<String>::new()
        );
        assert!(slugs("We help each mother rebuild trust with her kids.").is_empty());
        assert_eq!(
            slugs("Our program serves kids and their parents."),
            ["children"]
        );
        // who visits is not who is treated
        assert!(slugs("Your kids are welcome to visit you on Sundays.").is_empty());
        assert!(slugs("Visitation with teens and children is arranged weekly.").is_empty());
        assert_eq!(slugs("Visit our program for teens."), ["adolescents"]);
    }

    #[test]
    fn names_in_a_list_of_insurers_are_payers() {
        let page = [
            ("Participating Insurance Contracts", true, false),
            ("Lakeshore Behavioral Health", false, true),
            ("Aetna", false, true),
            ("Our services", true, false),
            ("Behavioral health care for adults", false, true),
        ];
        assert_eq!(page_slugs(&page), ["aetna", "mental-health", "adults"]);
    }

    #[test]
    fn topics_are_subjects_not_conditions() {
        let page = [
            ("Weekly Group Topics", true, false),
            ("Coping with PTSD triggers", false, true),
            ("Dialectical behavior therapy skills", false, true),
            ("We treat depression.", false, false),
        ];
        assert_eq!(page_slugs(&page), ["dbt", "mood"]);
        assert!(slugs("Topics include anxiety, shame and anger.").is_empty());
    }

    #[test]
    fn more_words_people_use() {
        assert_eq!(
            slugs("State funding can cover treatment for teens without insurance."),
            ["payment-assistance", "adolescents"]
        );
        assert!(slugs("Our research is supported by federal funding.").is_empty());
        assert_eq!(slugs("Psychiatry Sessions"), ["medication-management"]);
        assert!(slugs("Weekly Individual and Family Psychotherapy")
            .contains(&"family-therapy".to_string()));
        assert_eq!(
            slugs("Teen IOP Schedule - PM Option"),
            ["adolescents", "evening"]
        );
    }

    #[test]
    fn a_therapy_word_inside_a_name_is_not_that_therapy() {
        assert!(slugs(
            "Loved ones learn a method called RISE, Relatives Involved in Support and Family Therapy, which is taught weekly."
        )
        .is_empty());
        assert_eq!(
            slugs("Our approach is called Cognitive Behavioral Therapy."),
            ["cbt"]
        );
        assert_eq!(
            slugs("A method called the Harbor Family Therapy Model guides our family therapy."),
            ["family-therapy"]
        );
    }

    #[test]
    fn words_people_use_for_self_pay_and_private_plans() {
        assert_eq!(
            slugs("Our therapists are out-of-network providers, and we give you a superbill."),
            ["self-pay"]
        );
        assert_eq!(slugs("We accept most PPO plans."), ["private"]);
        assert_eq!(slugs("We accept Medicare HMO plans."), ["medicare"]);
    }

    #[test]
    fn negated_clauses_state_nothing() {
        assert_eq!(slugs("We accept Aetna, but not Medicaid."), ["aetna"]);
        assert!(slugs("We are not able to accept Medicare or TRICARE at this time.").is_empty());
        assert!(slugs("Medicaid is not accepted.").is_empty());
        assert_eq!(
            slugs("We accept all plans except Medicaid and Medicare."),
            Vec::<String>::new()
        );
    }

    #[test]
    fn risky_words_need_context() {
        assert!(slugs("You can pay your bill online.").is_empty());
        assert_eq!(slugs("Join our groups online."), ["telehealth"]);
        assert!(slugs("Free lifetime aftercare.").is_empty());
        assert_eq!(slugs("Treatment is free of charge."), ["free"]);
        assert_eq!(slugs("We accept self-pay clients."), ["self-pay"]);
        assert!(slugs("Our clinicians use trauma-informed care.") == ["trauma-focused"]);
    }
}
