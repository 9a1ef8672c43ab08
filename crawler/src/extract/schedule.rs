//! Schedules in prose: weekdays ("Monday–Thursday", "Mon, Wed & Thu",
//! "M/W/F", "Tuesdays and Thursdays"), time ranges ("6:00–9:00 pm",
//! "9am-12pm", "from 9 to 12"), weekly hours ("12 hours per week", "three
//! 3-hour sessions a week", "3 hours a day, 3 days a week"), days a week and
//! program length ("8-week program", "lasts 16 weeks").

use iop_index::listing::{ClockTime, Session, Weekday};
use regex::Regex;
use std::sync::LazyLock;

/// What one sentence says about the schedule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceSchedule {
    /// Sessions with a weekday and a time range, in sentence order.
    pub sessions: Vec<Session>,
    /// Time ranges with no weekday in the sentence: start and end.
    pub bare_ranges: Vec<(ClockTime, ClockTime)>,
    /// Hours per week the sentence states.
    pub hours_per_week: Option<f32>,
    /// Days per week the sentence states.
    pub days_per_week: Option<u8>,
    /// Program length in weeks the sentence states.
    pub program_weeks: Option<u16>,
}

static DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)(s)?\b",
    )
    .unwrap()
});

static LETTER_DAYS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b((?:Th|Sa|Su|[MTWRF])(?:/(?:Th|Sa|Su|[MTWRF]))+)\b").unwrap());

static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\bfrom\s+)?\b(\d{1,2})(?::(\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|noon)?\s*(?:-|–|—|to|until|till)\s*(\d{1,2})(?::(\d{2}))?\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?|noon)?(\s*(?:weeks?|hours?|days?|years?|minutes?|months?|%|percent))?",
    )
    .unwrap()
});

const NUMBER: &str = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)";

static HOURS_PER_WEEK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\b(?:to|-|–|or|and)\s*)?\b{NUMBER}\s*(?:\+\s*)?(?:total\s+)?hours?\s+(?:of\s+\w+\s+)?(?:per|a|each|every|/)\s*week"
    ))
    .unwrap()
});

static SESSIONS_A_WEEK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b{NUMBER}\s+{NUMBER}[- ]hours?\s+(?:group\s+)?(?:sessions?|groups?|days?)\s+(?:per|a|each|every)\s+week"
    ))
    .unwrap()
});

static HOURS_PER_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\b(?:to|-|–|or)\s*)?\b{NUMBER}\s+hours?\s+(?:of\s+\w+\s+(?:\w+\s+)?)?(?:a|per|each)\s+day"
    ))
    .unwrap()
});

static DAYS_PER_WEEK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\b(?:to|-|–|or)\s*)?\b{NUMBER}\s+days?\s+(?:a|per|each|every)\s+week(\s+(?:to|-|–|or))?"
    ))
    .unwrap()
});

static PROGRAM_WEEKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\b(?:to|-|–|or|and)\s*)?\b{NUMBER}[- ]weeks?\b(\s+(?:to|-|–|or|and)\s+\d)?"
    ))
    .unwrap()
});

/// Words that make "N weeks" the program's length.
const LENGTH_CONTEXT: &[&str] = &[
    "program",
    "lasts",
    "last",
    "length",
    "stay",
    "complete",
    "for",
    "typically",
    "runs",
    "approximately",
    "course",
    "duration",
];

/// A count written as a word from "zero" to "twenty" (any case) or as a
/// number ("3", "2.5"), or `None`.
pub fn number(text: &str) -> Option<f32> {
    let words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    let lower = text.to_lowercase();
    words
        .iter()
        .position(|w| *w == lower)
        .map(|n| n as f32)
        .or_else(|| lower.parse().ok())
}

fn weekday(token: &str) -> Option<Weekday> {
    let t = token.to_lowercase();
    Some(match t.get(..2)? {
        "mo" => Weekday::Mon,
        "tu" => Weekday::Tue,
        "we" => Weekday::Wed,
        "th" => Weekday::Thu,
        "fr" => Weekday::Fri,
        "sa" => Weekday::Sat,
        "su" => Weekday::Sun,
        _ => return None,
    })
}

fn letter_day(token: &str) -> Option<Weekday> {
    Some(match token {
        "M" => Weekday::Mon,
        "T" => Weekday::Tue,
        "W" => Weekday::Wed,
        "Th" | "R" => Weekday::Thu,
        "F" => Weekday::Fri,
        "Sa" => Weekday::Sat,
        "Su" => Weekday::Sun,
        _ => return None,
    })
}

/// A run of weekdays in the text: its days and where it starts and ends.
#[derive(Debug, Clone)]
struct DayGroup {
    days: Vec<Weekday>,
    start: usize,
    end: usize,
}

fn day_groups(text: &str) -> Vec<DayGroup> {
    // (start, end, day)
    let mut tokens: Vec<(usize, usize, Weekday)> = Vec::new();
    for m in DAY.find_iter(text) {
        let word = m.as_str();
        let full = word.to_lowercase().trim_end_matches('s').ends_with("day");
        // short forms ("Mon", "Sat") only capitalized: "sat down", "wed"
        if !full && !word.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        if let Some(day) = weekday(word) {
            tokens.push((m.start(), m.end(), day));
        }
    }
    for m in LETTER_DAYS.find_iter(text) {
        let mut offset = m.start();
        for part in m.as_str().split('/') {
            if let Some(day) = letter_day(part) {
                tokens.push((offset, offset + part.len(), day));
            }
            offset += part.len() + 1;
        }
    }
    tokens.sort_by_key(|t| t.0);
    let mut groups: Vec<DayGroup> = Vec::new();
    let mut previous_end = None;
    let mut range_pending = false;
    for (start, end, day) in tokens {
        let gap = previous_end.map(|e: usize| text[e..start].trim().to_lowercase());
        let joined = gap.as_deref().is_some_and(|g| {
            g.is_empty()
                || matches!(
                    g,
                    "," | "&"
                        | "/"
                        | "and"
                        | ", and"
                        | "or"
                        | ", or"
                        | "-"
                        | "–"
                        | "—"
                        | "to"
                        | "through"
                        | "thru"
                        | "until"
                        | "till"
                        | "+"
                        | "plus"
                )
        });
        let is_range = gap.as_deref().is_some_and(|g| {
            matches!(
                g,
                "-" | "–" | "—" | "to" | "through" | "thru" | "until" | "till"
            )
        });
        if joined && !groups.is_empty() {
            let group = groups.last_mut().expect("not empty");
            if is_range || range_pending {
                let from = *group.days.last().expect("a day");
                let mut d = from as usize + 1;
                while d <= day as usize {
                    group.days.push(Weekday::ALL[d]);
                    d += 1;
                }
            } else {
                group.days.push(day);
            }
            group.end = end;
        } else {
            groups.push(DayGroup {
                days: vec![day],
                start,
                end,
            });
        }
        range_pending = false;
        previous_end = Some(end);
    }
    for group in &mut groups {
        group.days.sort();
        group.days.dedup();
    }
    groups
}

#[derive(Debug, Clone, Copy)]
struct Range {
    start: ClockTime,
    end: ClockTime,
    at: usize,
}

fn meridiem(m: Option<regex::Match<'_>>) -> Option<bool> {
    // Some(true): pm
    let text = m?.as_str().to_lowercase();
    if text.starts_with('p') || text == "noon" {
        Some(true)
    } else {
        Some(false)
    }
}

fn to_24(hour: u16, pm: Option<bool>) -> u16 {
    match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        _ => hour,
    }
}

fn time_ranges(text: &str) -> Vec<Range> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for c in TIME_RANGE.captures_iter(text) {
        if c.get(8).is_some() {
            continue; // "10 to 12 weeks", "9 to 12 hours"
        }
        let whole = c.get(0).expect("match");
        // a phone number or a ZIP: digits right before or after
        let before = text[..whole.start()].chars().next_back();
        let after = text[whole.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '/')
            || after.is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '/')
        {
            continue;
        }
        let h1: u16 = c[2].parse().unwrap_or(99);
        let m1: u16 = c
            .get(3)
            .map_or(Some(0), |m| m.as_str().parse().ok())
            .unwrap_or(99);
        let h2: u16 = c[5].parse().unwrap_or(99);
        let m2: u16 = c
            .get(6)
            .map_or(Some(0), |m| m.as_str().parse().ok())
            .unwrap_or(99);
        let (p1, p2) = (meridiem(c.get(4)), meridiem(c.get(7)));
        let explicit = c.get(3).is_some() || c.get(6).is_some() || p1.is_some() || p2.is_some();
        if !explicit && c.get(1).is_none() {
            continue; // "ages 13-17": bare numbers only after "from"
        }
        if h1 == 0 || h1 > 12 && (p1.is_some() || h1 > 23) || h2 == 0 || h2 > 23 {
            continue;
        }
        let (start, end) = if h1 > 12 || h2 > 12 {
            (h1, h2) // 24-hour clock
        } else {
            let p1 = p1.or_else(|| match p2 {
                // "6-9 pm": the start shares the end's half of the day, unless
                // that puts it after the end ("11-2 pm")
                Some(true) if h1 <= h2 || h2 == 12 => Some(h1 != 12),
                Some(true) => Some(false),
                Some(false) => Some(false),
                None => {
                    if lower.contains("morning") {
                        Some(false)
                    } else if lower.contains("evening") || lower.contains("night") {
                        Some(true)
                    } else {
                        Some(h1 <= 6)
                    }
                }
            });
            let start = to_24(h1, p1);
            let end = match p2 {
                Some(_) => to_24(h2, p2),
                None => {
                    let mut e = to_24(h2, p1);
                    if e <= start && e + 12 < 24 {
                        e += 12;
                    }
                    e
                }
            };
            (start, end)
        };
        let (Some(start), Some(end)) = (ClockTime::new(start, m1), ClockTime::new(end, m2)) else {
            continue;
        };
        if end <= start || end.minutes - start.minutes > 10 * 60 {
            continue;
        }
        out.push(Range {
            start,
            end,
            at: whole.start(),
        });
    }
    out
}

/// The schedule facts of one sentence.
pub fn parse_sentence(text: &str) -> SentenceSchedule {
    let mut out = SentenceSchedule::default();
    let groups = day_groups(text);
    let ranges = time_ranges(text);
    if groups.is_empty() {
        out.bare_ranges = ranges.iter().map(|r| (r.start, r.end)).collect();
    } else if groups.len() == 1 {
        for range in &ranges {
            for &day in &groups[0].days {
                out.sessions.push(Session {
                    weekday: day,
                    start: range.start,
                    end: range.end,
                });
            }
        }
    } else {
        // each group takes the ranges after it (before the next group), or
        // else the nearest range before it
        for (i, group) in groups.iter().enumerate() {
            let next = groups.get(i + 1).map_or(usize::MAX, |g| g.start);
            let mut mine: Vec<&Range> = ranges
                .iter()
                .filter(|r| r.at >= group.end && r.at < next)
                .collect();
            if mine.is_empty() {
                if let Some(r) = ranges.iter().rev().find(|r| r.at < group.start) {
                    mine.push(r);
                }
            }
            for range in mine {
                for &day in &group.days {
                    out.sessions.push(Session {
                        weekday: day,
                        start: range.start,
                        end: range.end,
                    });
                }
            }
        }
    }

    if let Some(c) = SESSIONS_A_WEEK.captures(text) {
        if let (Some(n), Some(h)) = (number(&c[1]), number(&c[2])) {
            out.hours_per_week = Some(n * h);
            if c[0].to_lowercase().contains("day") {
                out.days_per_week = Some(n as u8);
            }
        }
    }
    if out.hours_per_week.is_none() {
        if let Some(c) = HOURS_PER_WEEK
            .captures_iter(text)
            .find(|c| c.get(1).is_none() && !is_range_start(text, c.get(0).expect("match").end()))
        {
            out.hours_per_week = number(&c[2]);
        }
    }
    let days = DAYS_PER_WEEK
        .captures_iter(text)
        .find(|c| {
            c.get(1).is_none()
                && c.get(3).is_none()
                && !is_range_start(text, c.get(2).expect("n").end())
        })
        .and_then(|c| number(&c[2]));
    if out.days_per_week.is_none() {
        out.days_per_week = days.map(|d| d as u8).filter(|d| (1..=7).contains(d));
    }
    if out.hours_per_week.is_none() {
        let per_day = HOURS_PER_DAY
            .captures_iter(text)
            .find(|c| c.get(1).is_none())
            .and_then(|c| number(&c[2]));
        if let (Some(h), Some(d)) = (per_day, out.days_per_week) {
            out.hours_per_week = Some(h * d as f32);
        }
    }
    let lower = text.to_lowercase();
    if LENGTH_CONTEXT
        .iter()
        .any(|w| lower.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w))
    {
        out.program_weeks = PROGRAM_WEEKS
            .captures_iter(text)
            .find(|c| {
                c.get(1).is_none()
                    && c.get(3).is_none()
                    && !is_range_start(text, c.get(2).expect("n").end())
                    && !text[c.get(0).expect("m").end()..]
                        .trim_start()
                        .to_lowercase()
                        .starts_with("notice")
            })
            .and_then(|c| number(&c[2]))
            .map(|w| w as u16)
            .filter(|w| (1..=104).contains(w));
    }
    out
}

/// "6 to 8 weeks": the number at `end` starts a range.
fn is_range_start(text: &str, end: usize) -> bool {
    let rest = text[end..].trim_start().to_lowercase();
    rest.starts_with("to ")
        || rest.starts_with("- ")
        || rest.starts_with('-') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
        || rest.starts_with("– ")
        || rest.starts_with("or ")
        || rest.starts_with("and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(text: &str) -> Vec<String> {
        parse_sentence(text)
            .sessions
            .iter()
            .map(|s| format!("{:?} {}-{}", s.weekday, s.start, s.end).to_lowercase())
            .collect()
    }

    #[test]
    fn weekdays_and_times() {
        assert_eq!(
            sessions("Groups meet Monday, Wednesday and Thursday from 6:00 to 9:00 pm."),
            ["mon 18:00-21:00", "wed 18:00-21:00", "thu 18:00-21:00"]
        );
        assert_eq!(
            sessions("Mon–Thu 5:30pm–8:30pm"),
            [
                "mon 17:30-20:30",
                "tue 17:30-20:30",
                "wed 17:30-20:30",
                "thu 17:30-20:30"
            ]
        );
        assert_eq!(
            sessions("When: M/W/F, 9:30am–12:30pm."),
            ["mon 09:30-12:30", "wed 09:30-12:30", "fri 09:30-12:30"]
        );
        assert_eq!(
            sessions("Program hours: Monday, Wednesday, Friday 10:00-1:00."),
            ["mon 10:00-13:00", "wed 10:00-13:00", "fri 10:00-13:00"]
        );
        assert_eq!(
            sessions(
                "Tuesdays and Thursdays, 5:30 to 8:30 pm, plus Saturday mornings from 9 to 12."
            ),
            ["tue 17:30-20:30", "thu 17:30-20:30", "sat 09:00-12:00"]
        );
        assert!(sessions("For ages 13-17, call 555-0143.").is_empty());
    }

    #[test]
    fn weekly_hours_days_and_length() {
        let s = parse_sentence("Our IOP meets in three 3-hour sessions a week.");
        assert_eq!(s.hours_per_week, Some(9.0));
        let s = parse_sentence("Participants attend 3 hours a day, 3 days a week.");
        assert_eq!((s.hours_per_week, s.days_per_week), (Some(9.0), Some(3)));
        let s = parse_sentence("Both tracks provide 9 to 12 hours per week of treatment.");
        assert_eq!(s.hours_per_week, None);
        let s = parse_sentence("An 8-week program.");
        assert_eq!(s.program_weeks, Some(8));
        let s = parse_sentence("It lasts between 6 and 8 weeks.");
        assert_eq!(s.program_weeks, None);
    }
}
