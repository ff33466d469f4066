//! The REF field (spec §2.6): a list of lettered references (`A. TBILISI 1605  B. 06 TBILISI
//! 2601`), each naming one or more cables (`[YY|YYYY|'YY] <ORIGIN words> <serial>`, chains such as
//! `STATE 113408 AND 113635`) or something else (e-mails, telcons, OSC ids, daily reports) that is
//! kept as text.
//!
//! Letter forms seen in cables: `A.` `A)` `(A)` `[A]` `A.)` `A:` `¶B.`, doubled (`A. A)`,
//! `A. (A)`, `A. A.`, `A. REF A`), `REF B`, and numbers `(1)`. A letter only counts when it is the
//! next one in sequence, so initials and stray letters inside a reference do not split it.

use crate::id;
use crate::lines::{find_ci, starts_with_ci};
use crate::model::Reference;

/// Parses the REF field: the text after the keyword, lines joined. `citing_year` (two or four
/// digits) gives the year of references written without one; without it they get no id. Never
/// fails; `None`, `N/A` and an empty field give no references.
pub fn parse_references(field: &str, citing_year: Option<i32>) -> Vec<Reference> {
    if field.len() > 100_000 {
        return Vec::new();
    }
    let cleaned = clean(field);
    let trimmed = cleaned.trim();
    if trimmed.is_empty()
        || ["NONE", "N/A", "NA", "NONE.", "-"].contains(&trimmed.to_ascii_uppercase().as_str())
    {
        return Vec::new();
    }
    let toks = tokenize(&cleaned);
    let toks = drop_page_headers(toks);
    let items = split_items(&toks);
    let mut out = Vec::new();
    for item in items.iter().flat_map(|item| split_semicolons(&toks, item)) {
        let item_toks = &toks[item.range.0..item.range.1];
        let text = span_text(&cleaned, item_toks);
        if text.is_empty() {
            if item.letter.is_some() {
                out.push(Reference {
                    letter: item.letter,
                    id: None,
                    text: String::new(),
                });
            }
            continue;
        }
        let found = find_cables(item_toks, citing_year);
        if found.is_empty() {
            out.push(Reference {
                letter: item.letter,
                id: None,
                text,
            });
        } else if found.len() == 1 {
            out.push(Reference {
                letter: item.letter,
                id: found[0].id.clone(),
                text,
            });
        } else {
            for f in found {
                out.push(Reference {
                    letter: item.letter.clone(),
                    id: f.id,
                    text: span_text(&cleaned, &item_toks[f.from..f.to]),
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Cleaning and tokens

/// Removes markup debris, collapses whitespace, and cuts the field where text that is not part of
/// it begins (`Classified By`, `SUBJECT:`, a `----` rule, a paragraph portion mark).
fn clean(field: &str) -> String {
    // Markup debris (`<br>`, `¶`, `[x](#)`) is the normaliser's job; the parser hands over
    // normalised text already, and this makes direct callers get the same treatment.
    let normalized;
    let field = if crate::normalize::is_normal(field) {
        field
    } else {
        normalized = crate::normalize::normalize(field).text;
        normalized.as_str()
    };
    let mut s = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // `(A)STATE`, `[B]LONDON`: a marker glued to the reference.
            ')' | ']' => {
                s.push(c);
                if chars.peek().is_some_and(|d| d.is_alphanumeric()) {
                    s.push(' ');
                }
            }
            c if c.is_whitespace() => {
                if !s.ends_with(' ') {
                    s.push(' ');
                }
            }
            c => s.push(c),
        }
    }
    // `--` glued between a serial and a date (`STATE 122706--19/NOV/2008`).
    let s = s.replace("--", " -- ");
    let cut = cut_point(&s);
    let mut s = s[..cut].to_string();
    // A leading keyword repeated (`REF: REF (A) MADRID 3785`).
    loop {
        let t = s.trim_start();
        let up = t.to_ascii_uppercase();
        let kw = ["REFTELS", "REFTEL", "REF(S)", "REFS", "REF"]
            .into_iter()
            .find(|kw| {
                up.starts_with(kw)
                    && up[kw.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c == ':' || c == ' ')
            });
        match kw {
            // Keep `REF B` style markers (`REF A HAVANA 639`): only a keyword followed by `:` or
            // by something that is not a lone letter is dropped.
            Some(kw) if !lone_letter_follows(&t[kw.len()..]) => {
                s = t[kw.len()..].trim_start_matches([':', ' ']).to_string();
            }
            _ => break,
        }
    }
    s
}

fn lone_letter_follows(rest: &str) -> bool {
    let rest = rest.trim_start_matches(':').trim_start();
    let mut it = rest.split(' ');
    let first = it.next().unwrap_or("");
    first.len() == 1 && first.chars().all(|c| c.is_ascii_alphabetic())
}

/// Where the field stops: the earliest of a `Classified By`, `SUBJECT:`, `E.O. 1`, a rule of
/// three or more dashes or underscores, or a portion mark such as `(SBU)` or `(S//NF)`.
fn cut_point(s: &str) -> usize {
    // Case-insensitive ASCII searches: the same positions as searching an upper-cased copy.
    let mut cut = s.len();
    for pat in [
        "CLASSIFIED BY",
        "SUBJECT:",
        "E.O. 1",
        "---",
        "___",
        "SUMMARY:",
        "BEGIN SUMMARY",
    ] {
        if let Some(i) = find_ci(s, pat) {
            cut = cut.min(i);
        }
    }
    // Portion marks: the first `(` that opens one.
    for i in memchr::memchr_iter(b'(', &s.as_bytes()[..cut]) {
        let rest = &s[i..];
        if [
            "(SBU)",
            "(U)",
            "(S//NF)",
            "(S/NF)",
            "(C//NF)",
            "(C/NF)",
            "(SBU/NF)",
            "(U//FOUO)",
        ]
        .iter()
        .any(|pat| starts_with_ci(rest, pat))
        {
            cut = i;
            break;
        }
    }
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

#[derive(Clone)]
struct Tok<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    /// The token without surrounding punctuation (`(NOTAL)` → `NOTAL`, `1996,` → `1996`).
    core: &'a str,
}

fn tokenize(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c == ' ' {
            if let Some(st) = start.take() {
                let raw = &s[st..i];
                let core = raw.trim_matches(|c: char| {
                    matches!(c, '(' | ')' | '[' | ']' | ',' | ';' | ':' | '.' | '"' | '*')
                });
                out.push(Tok {
                    start: st,
                    end: i,
                    raw,
                    core,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Removes page-break headers that were joined into the field: `MADRID 00002282 001.2 OF 002`
/// (with the origin words before the number) and `PAGE 02 STATE 015113 182333Z`.
fn drop_page_headers(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut keep = vec![true; toks.len()];
    let n = toks.len();
    for i in 0..n {
        let c = toks[i].core;
        // <serial of 7+ digits> <nnn[.n]> OF <nnn>
        if c.len() >= 7
            && is_digits(c)
            && i + 3 < n
            && toks[i + 2].core.eq_ignore_ascii_case("OF")
            && is_digits(toks[i + 3].core)
            && toks[i + 1]
                .core
                .split('.')
                .all(|p| is_digits(p) && p.len() <= 3)
        {
            for k in keep.iter_mut().skip(i).take(4) {
                *k = false;
            }
            // The origin words before it.
            for k in (1..=3).rev() {
                if i >= k {
                    let words: Vec<&str> = toks[i - k..i].iter().map(|t| t.core).collect();
                    if words.iter().all(|w| is_origin_word(w))
                        && id::canonical_origin(&words.join(" ")).is_some()
                    {
                        for x in keep.iter_mut().skip(i - k).take(k) {
                            *x = false;
                        }
                        break;
                    }
                }
            }
        }
        // PAGE nn ... ddhhmmZ
        if c.eq_ignore_ascii_case("PAGE")
            && i + 1 < n
            && is_digits(toks[i + 1].core)
            && toks[i + 1].core.len() <= 3
        {
            let mut end = i + 2;
            for (j, t) in toks.iter().enumerate().take(n.min(i + 8)).skip(i + 2) {
                let t = t.core.to_ascii_uppercase();
                if t.len() == 7 && t.ends_with('Z') && is_digits(&t[..6]) {
                    end = j + 1;
                    break;
                }
            }
            for k in keep.iter_mut().take(end).skip(i) {
                *k = false;
            }
        }
    }
    toks.into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

fn span_text(s: &str, toks: &[Tok<'_>]) -> String {
    match (toks.first(), toks.last()) {
        (Some(a), Some(b)) => s
            .get(a.start..b.end)
            .unwrap_or("")
            .trim()
            .trim_end_matches([',', ';'])
            .trim_end()
            .to_string(),
        _ => String::new(),
    }
}

/// Splits an item at semicolons (`BRASILIA 1124; IIR 6 809 0156 10`): each part is a reference
/// of its own, with the item's letter.
fn split_semicolons(toks: &[Tok<'_>], item: &Item) -> Vec<Item> {
    let (a, b) = item.range;
    let mut out = Vec::new();
    let mut start = a;
    for (i, t) in toks.iter().enumerate().take(b).skip(a) {
        if t.raw.ends_with(';') && i + 1 < b {
            out.push(Item {
                letter: item.letter.clone(),
                range: (start, i + 1),
            });
            start = i + 1;
        }
    }
    out.push(Item {
        letter: item.letter.clone(),
        range: (start, b),
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Letters

struct Item {
    letter: Option<String>,
    /// Token range of the item's content, markers excluded.
    range: (usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Letter(u8),
    Number(u32),
}

impl Label {
    fn render(self) -> String {
        match self {
            Label::Letter(b) => (b as char).to_string(),
            Label::Number(n) => n.to_string(),
        }
    }
    fn next(self) -> Label {
        match self {
            Label::Letter(b) => Label::Letter(b.saturating_add(1)),
            Label::Number(n) => Label::Number(n.saturating_add(1)),
        }
    }
}

/// A punctuated marker token: `A.` `A)` `(A)` `[A]` `A.)` `A:` `(A).` `(1)` `1)`.
fn marker(raw: &str) -> Option<Label> {
    let r = raw.trim_start_matches(['(', '[']);
    let opened = r.len() < raw.len();
    let body_end = r
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(r.len());
    let (body, punct) = r.split_at(body_end);
    if punct.is_empty() || punct.len() > 3 || !punct.chars().all(|c| ".):]".contains(c)) {
        return None;
    }
    if opened && !(punct.starts_with(')') || punct.starts_with(']')) {
        return None;
    }
    let b = body.as_bytes();
    match b {
        [c] if c.is_ascii_alphabetic() => Some(Label::Letter(c.to_ascii_uppercase())),
        _ if !b.is_empty()
            && b.len() <= 2
            && is_digits(body)
            && (opened || punct.starts_with(')')) =>
        {
            body.parse().ok().filter(|n| *n >= 1).map(Label::Number)
        }
        _ => None,
    }
}

fn bare_letter(core: &str) -> Option<Label> {
    match core.as_bytes() {
        [c] if c.is_ascii_alphabetic() => Some(Label::Letter(c.to_ascii_uppercase())),
        _ => None,
    }
}

/// The label at token `i` and how many tokens it spans (`REF B` spans two).
fn label_at(toks: &[Tok<'_>], i: usize) -> Option<(Label, usize)> {
    let t = toks.get(i)?;
    if let Some(l) = marker(t.raw) {
        return Some((l, 1));
    }
    if ["REF", "REFS", "REFTEL"]
        .iter()
        .any(|kw| t.core.eq_ignore_ascii_case(kw))
    {
        if let Some(next) = toks.get(i + 1) {
            if let Some(l) = marker(next.raw).or_else(|| bare_letter(next.core)) {
                if matches!(l, Label::Letter(_)) {
                    return Some((l, 2));
                }
            }
        }
    }
    None
}

fn split_items(toks: &[Tok<'_>]) -> Vec<Item> {
    // Labels accepted in sequence.
    let mut starts: Vec<(usize, usize, Label)> = Vec::new(); // (marker start, content start, label)
    let mut expected: Option<Label> = None;
    let mut i = 0;
    while i < toks.len() {
        let found = label_at(toks, i).or_else(|| {
            // A bare `A` opening the field, when a `B` marker follows somewhere.
            (i == 0
                && bare_letter(toks[0].core) == Some(Label::Letter(b'A'))
                && (1..toks.len())
                    .any(|j| label_at(toks, j).is_some_and(|(l, _)| l == Label::Letter(b'B'))))
            .then_some((Label::Letter(b'A'), 1))
        });
        let Some((label, len)) = found else {
            i += 1;
            continue;
        };
        let accept = match expected {
            None => i == 0 || matches!(label, Label::Letter(b'A') | Label::Number(1)),
            Some(e) => label == e,
        };
        if !accept {
            i += 1;
            continue;
        }
        // Doubled forms: `A. A)`, `A. (A)`, `A. REF A`, `A. A:`.
        let mut content = i + len;
        while let Some((l2, len2)) = label_at(toks, content) {
            if l2 != label {
                break;
            }
            content += len2;
        }
        starts.push((i, content, label));
        expected = Some(label.next());
        i = content;
    }
    let mut items = Vec::new();
    let first_start = starts.first().map_or(toks.len(), |s| s.0);
    if first_start > 0 {
        items.push(Item {
            letter: None,
            range: (0, first_start),
        });
    }
    for (k, &(_, content, label)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(toks.len(), |s| s.0);
        items.push(Item {
            letter: Some(label.render()),
            range: (content.min(end), end),
        });
    }
    items
}

// ---------------------------------------------------------------------------------------------
// Cables inside one item

struct Found {
    id: Option<String>,
    /// Token range of the reference inside the item.
    from: usize,
    to: usize,
}

fn is_origin_word(w: &str) -> bool {
    w.chars().any(|c| c.is_alphabetic())
        && w.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '\u{2019}'))
}

/// A serial: 1–7 digits once the zeros are dropped, not zero, at most 10 as written.
fn serial_of(core: &str) -> Option<&str> {
    if !is_digits(core) || core.len() > 10 {
        return None;
    }
    let s = core.trim_start_matches('0');
    (!s.is_empty() && s.len() <= 7).then_some(s)
}

/// A year as written before the origin: `08`, `2008`, `'08`, `O8` (letter O for zero).
fn year_of(core: &str) -> Option<i32> {
    let c = core.trim_start_matches(['\'', '\u{2019}']).as_bytes();
    // Digits, with the letter O read as zero.
    // Only two or four characters make a year: checked first, so that a long run of digits
    // cannot overflow the fold below.
    if !matches!(c.len(), 2 | 4)
        || !c
            .iter()
            .all(|&x| x.is_ascii_digit() || x == b'O' || x == b'o')
    {
        return None;
    }
    let y = c.iter().fold(0i32, |v, &x| {
        v * 10 + i32::from(if x.is_ascii_digit() { x - b'0' } else { 0 })
    });
    match c.len() {
        2 => Some(y),
        4 => (1945..=2030).contains(&y).then_some(y),
        _ => None,
    }
}

/// `09STATE12345` written as one token.
fn compact_id(core: &str) -> Option<String> {
    let up = core.to_ascii_uppercase();
    let (yy, origin, serial) = id::split_id(&up)?;
    let station = id::canonical_origin(origin)?;
    if station != origin {
        return None;
    }
    id::canonical_id(yy, &station, serial)
}

/// The origin words ending just before token `s` (at most four, none before `floor`), exact
/// stations first, then fuzzy ones, longest first. Returns (first word index, station).
fn origin_before(toks: &[Tok<'_>], s: usize, floor: usize) -> Option<(usize, String)> {
    // The longest run of origin words (at most four, none before `floor`) ending before `s`;
    // every shorter run is a suffix of it, and its text a suffix of the joined text.
    let mut m = 0;
    while m < 4 && s > m && s - m > floor && is_origin_word(toks[s - m - 1].core) {
        m += 1;
    }
    if m == 0 {
        return None;
    }
    let mut joined = String::new();
    let mut starts = [0usize; 4];
    for (j, t) in toks[s - m..s].iter().enumerate() {
        if j > 0 {
            joined.push(' ');
        }
        starts[j] = joined.len();
        joined.push_str(t.core);
    }
    // Each run of words is matched once; exact matches win over fuzzy ones, longer runs over
    // shorter ones.
    let mut fuzzy: Option<(usize, &'static str)> = None;
    for k in (1..=m).rev() {
        let w = &joined[starts[m - k]..];
        match id::origin_match(w) {
            Some((station, true)) => return Some((s - k, station.to_string())),
            Some((station, false)) if fuzzy.is_none() => fuzzy = Some((s - k, station)),
            _ => {}
        }
    }
    fuzzy.map(|(at, station)| (at, station.to_string()))
}

/// The token before `s` as a year glued to an origin (`09RIYADH`).
fn glued_year_origin(toks: &[Tok<'_>], s: usize, floor: usize) -> Option<(String, i32)> {
    if s == 0 || s - 1 < floor {
        return None;
    }
    let core = toks[s - 1].core;
    let digits = core.find(|c: char| !c.is_ascii_digit())?;
    if digits != 2 && digits != 4 {
        return None;
    }
    let (y, letters) = core.split_at(digits);
    if !letters.chars().all(|c| c.is_ascii_alphabetic()) || letters.len() < 4 {
        return None;
    }
    let year = year_of(y)?;
    let (station, _) = id::origin_match(letters)?;
    Some((station.to_string(), year))
}

fn find_cables(toks: &[Tok<'_>], citing_year: Option<i32>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    // Tokens before `floor` belong to an earlier reference.
    let mut floor = 0;
    // The last reference's station and year, and where it ended, for chains.
    let mut last: Option<(String, Option<i32>, usize)> = None;
    let mut s = 0;
    while s < toks.len() {
        let core = toks[s].core;
        if let Some(cid) = compact_id(core) {
            out.push(Found {
                id: Some(cid),
                from: s,
                to: s + 1,
            });
            floor = s + 1;
            last = None;
            s += 1;
            continue;
        }
        // `BELGRADE743`: origin and serial glued.
        if let Some(split) = core.find(|c: char| c.is_ascii_digit()) {
            let (letters, digits) = core.split_at(split);
            if letters.len() >= 4 && is_origin_word(letters) {
                if let (Some(station), Some(serial)) =
                    (id::canonical_origin(letters), serial_of(digits))
                {
                    let year = (s > floor).then(|| year_of(toks[s - 1].core)).flatten();
                    let from = if year.is_some() { s - 1 } else { s };
                    let y = year.or(citing_year);
                    out.push(Found {
                        id: y.and_then(|y| id::canonical_id(y, &station, serial)),
                        from,
                        to: s + 1,
                    });
                    last = Some((station, y, s + 1));
                    floor = s + 1;
                    s += 1;
                    continue;
                }
            }
        }
        let Some(serial) = serial_of(core) else {
            s += 1;
            continue;
        };
        // A number that opens the next reference (`AND 08 ALGIERS 75`) is a year, not a chain.
        let opens_next = year_of(core).is_some()
            && (1..=4).any(|k| {
                toks.get(s + k + 1)
                    .is_some_and(|t| serial_of(t.core).is_some())
                    && origin_before(toks, s + k + 1, s + 1).is_some_and(|(st, _)| st == s + 1)
            });
        if let Some((station, year)) = glued_year_origin(toks, s, floor) {
            // `09RIYADH 1642`: the year glued to the origin.
            let y = Some(year);
            out.push(Found {
                id: id::canonical_id(year, &station, serial),
                from: s - 1,
                to: s + 1,
            });
            last = Some((station, y, s + 1));
            floor = s + 1;
        } else if let Some((start, station)) = origin_before(toks, s, floor) {
            let year = (start > floor)
                .then(|| year_of(toks[start - 1].core))
                .flatten();
            let from = if year.is_some() { start - 1 } else { start };
            let y = year.or(citing_year);
            out.push(Found {
                id: y.and_then(|y| id::canonical_id(y, &station, serial)),
                from,
                to: s + 1,
            });
            last = Some((station, y, s + 1));
            floor = s + 1;
        } else if !opens_next {
            // A chain: `STATE 113408 AND 113635`, `BRASILIA 2799, 2764`.
            if let Some((station, y, end)) = last.clone() {
                let between: Vec<&str> = toks[end..s].iter().map(|t| t.core).collect();
                let joined_by_comma = toks[end - 1].raw.ends_with([',', ';']) && between.is_empty();
                let joined_by_and = between.len() == 1
                    && matches!(
                        between[0].to_ascii_uppercase().as_str(),
                        "AND" | "&" | "," | "+"
                    );
                if joined_by_comma || joined_by_and {
                    out.push(Found {
                        id: y.and_then(|y| id::canonical_id(y, &station, serial)),
                        from: s,
                        to: s + 1,
                    });
                    last = Some((station, y, s + 1));
                    floor = s + 1;
                }
            }
        }
        s += 1;
    }
    out
}

#[cfg(test)]
mod tests {

    /// Found by the `parse` fuzz target: a long run of digits before an origin overflowed the
    /// year (`attempt to multiply with overflow` with overflow checks on).
    #[test]
    fn fuzz_regression_year_of_long_digit_run_does_not_overflow() {
        assert_eq!(year_of("99999999999999999999"), None);
        assert_eq!(year_of("O8"), Some(8));
        assert_eq!(year_of("2008"), Some(2008));
        let _ = crate::parse(b"REF: A. 99999999999999999999STATE 1234\n");
    }

    use super::*;

    fn ids(field: &str, year: Option<i32>) -> Vec<(Option<String>, Option<String>)> {
        parse_references(field, year)
            .into_iter()
            .map(|r| (r.letter, r.id))
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn single() {
        let r = parse_references("STATE 89241", Some(2004));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].id.as_deref(), Some("04STATE89241"));
        assert_eq!(r[0].letter, None);
        assert_eq!(r[0].text, "STATE 89241");
        assert_eq!(
            ids("06 REYKJAVIK 431", Some(2008)),
            [(None, s("06REYKJAVIK431"))]
        );
        assert_eq!(
            ids("Abu Dhabi 1384", Some(2003)),
            [(None, s("03ABUDHABI1384"))]
        );
        assert_eq!(
            ids("SECSTATE 134796", Some(2005)),
            [(None, s("05STATE134796"))]
        );
        assert_eq!(ids("STATE 02743", Some(2005)), [(None, s("05STATE2743"))]);
        assert_eq!(
            ids("2007 HARARE 319", Some(2008)),
            [(None, s("07HARARE319"))]
        );
        assert_eq!(
            ids("'07 HARARE 319", Some(2008)),
            [(None, s("07HARARE319"))]
        );
        assert_eq!(
            ids("O4 STATE 305348", Some(2005)),
            [(None, s("04STATE305348"))]
        );
        assert_eq!(ids("BASRA 17", Some(2009)), [(None, s("09BASRAH17"))]);
        assert_eq!(
            ids("IRPO DUBAI 95", Some(2009)),
            [(None, s("09IRANRPODUBAI95"))]
        );
        assert_eq!(
            ids("REFTEL KABUL 02245", Some(2009)),
            [(None, s("09KABUL2245"))]
        );
        // No citing year: the reference is kept without an id.
        assert_eq!(ids("STATE 89241", None), [(None, None)]);
        assert_eq!(ids("06 STATE 89241", None), [(None, s("06STATE89241"))]);
    }

    #[test]
    fn letters() {
        let want = vec![
            (s("A"), s("07TBILISI1605")),
            (s("B"), s("07TBILISI1352")),
            (s("C"), s("06TBILISI2601")),
        ];
        for field in [
            "A. TBILISI 1605  B. TBILISI 1352  C. 06 TBILISI 2601",
            "A) TBILISI 1605 B) TBILISI 1352 C) 06 TBILISI 2601",
            "(A) TBILISI 1605 (B) TBILISI 1352 (C) 06 TBILISI 2601",
            "[A] TBILISI 1605 [B] TBILISI 1352 [C] 06 TBILISI 2601",
            "A.) TBILISI 1605 B.) TBILISI 1352 C.) 06 TBILISI 2601",
            "A. TBILISI 1605 \u{b6}B. TBILISI 1352 \u{b6}C. 06 TBILISI 2601",
            "A. A) TBILISI 1605 B. B) TBILISI 1352 C. C) 06 TBILISI 2601",
            "A. (A) TBILISI 1605 B. (B) TBILISI 1352 C. (C) 06 TBILISI 2601",
            "A. A. TBILISI 1605 B. B. TBILISI 1352 C. C. 06 TBILISI 2601",
            "A. A: TBILISI 1605 B. B: TBILISI 1352 C. C: 06 TBILISI 2601",
            "(A)TBILISI 1605, (B)TBILISI 1352, (C)06 TBILISI 2601",
            "a. Tbilisi 1605 b. Tbilisi 1352 c. 06 tbilisi 2601",
            "A) TBILISI 1605; B) TBILISI 1352; C) 06 TBILISI 2601",
            "REF: A. TBILISI 1605 B. TBILISI 1352 C. 06 TBILISI 2601",
        ] {
            assert_eq!(ids(field, Some(2007)), want, "{field}");
        }
        assert_eq!(
            ids("(1) STATE 12 (2) STATE 13", Some(2007)),
            [(s("1"), s("07STATE12")), (s("2"), s("07STATE13"))]
        );
        assert_eq!(
            ids("A. REF A HAVANA 639 B. REF B HAVANA 640", Some(2007)),
            [(s("A"), s("07HAVANA639")), (s("B"), s("07HAVANA640"))]
        );
        assert_eq!(
            ids(
                "A SECRETARY'S LETTER TO MBZ REF B SECSTATE 76108",
                Some(2009)
            ),
            [(s("A"), None), (s("B"), s("09STATE76108"))]
        );
    }

    #[test]
    fn chains() {
        assert_eq!(
            ids("STATE 113408 AND 113635", Some(2008)),
            [(None, s("08STATE113408")), (None, s("08STATE113635"))]
        );
        assert_eq!(
            ids("BRASILIA 2799, 2764", Some(2008)),
            [(None, s("08BRASILIA2799")), (None, s("08BRASILIA2764"))]
        );
        assert_eq!(
            ids(
                "A. ISLAMABAD 5266 ISLAMABAD 4817 B. ISLAMABAD 4369",
                Some(2006)
            ),
            [
                (s("A"), s("06ISLAMABAD5266")),
                (s("A"), s("06ISLAMABAD4817")),
                (s("B"), s("06ISLAMABAD4369"))
            ]
        );
        assert_eq!(
            ids("D. 07 ALGIERS 1807 AND 08 ALGIERS 0075", Some(2008)),
            [(s("D"), s("07ALGIERS1807")), (s("D"), s("08ALGIERS75"))]
        );
        assert_eq!(
            ids("LAHORE 25 07 ISLAMABAD 5138", Some(2008)),
            [(None, s("08LAHORE25")), (None, s("07ISLAMABAD5138"))]
        );
        assert_eq!(
            ids("Berlin 1337, Berlin 1340", Some(2009)),
            [(None, s("09BERLIN1337")), (None, s("09BERLIN1340"))]
        );
        let r = parse_references("STATE 113408 AND 113635", Some(2008));
        assert_eq!(r[0].text, "STATE 113408");
        assert_eq!(r[1].text, "113635");
        // `AND PREVIOUS` is no chain.
        let r = parse_references("CAIRO 5589 AND PREVIOUS", Some(2005));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].id.as_deref(), Some("05CAIRO5589"));
        assert_eq!(r[0].text, "CAIRO 5589 AND PREVIOUS");
    }

    #[test]
    fn origins_spelled_oddly() {
        for (field, want) in [
            ("RIO DE JAN 340", "08RIODEJANEIRO340"),
            ("SAO PAUO 991", "08SAOPAULO991"),
            ("USUN NE YORK 12", "08USUNNEWYORK12"),
            ("SECTSTATE 12", "08STATE12"),
            ("BA 1234", "08BUENOSAIRES1234"),
            ("HAGUE 77", "08THEHAGUE77"),
            ("THE HAGUE 77", "08THEHAGUE77"),
            ("PORT AU PR 5", "08PORTAUPRINCE5"),
            ("N'DJAMENA 301", "08NDJAMENA301"),
            ("08 LAPAZ 2606", "08LAPAZ2606"),
            ("BELGRADE743", "08BELGRADE743"),
            ("09STATE12345", "09STATE12345"),
            ("09RIYADH 1642", "09RIYADH1642"),
            ("RIO 329", "08RIODEJANEIRO329"),
            ("08 STATE 122706--19/NOV/2008", "08STATE122706"),
        ] {
            assert_eq!(ids(field, Some(2008)), [(None, s(want))], "{field}");
        }
    }

    #[test]
    fn not_cables() {
        for field in [
            "SECDEF MSG DTG 301601z SEP 08",
            "OSC EUP20080707950031",
            "LONDON DAILY 11/3/09",
            "STATE CA-3400 NOV 2, 1966",
            "SAINZ E-MAIL OF 10/6",
            "EMBASSY MADRID E-MAIL TO EUR/WE OF OCTOBER 14",
            "TSOU-NEA EMAILS/TELCONS",
            "OSD REPORT DTG 251847Z MAR 08",
            "USDAO NAIROBI IIR 6 854 0108 08 291553Z JAN 08",
            "LONDON DAILY - 30 APRIL 2009",
            "WHITE HOUSE 853",
            "PARIS POINTS OF 5/16",
            "Beijing XXXXXXXXXXXXX",
            "IIR 4 201 4569 08",
            "MAY 1 GILLARD-TREMONT LETTER",
        ] {
            let r = parse_references(field, Some(2008));
            assert_eq!(r.len(), 1, "{field}");
            assert_eq!(r[0].id, None, "{field}");
            assert_eq!(r[0].text, field, "{field}");
        }
        let r = parse_references(
            "A. BERLIN 1045 \u{b6}B. SECDEF MSG DTG 301601z SEP 08",
            Some(2008),
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].id.as_deref(), Some("08BERLIN1045"));
        assert_eq!(r[1].id, None);
        assert_eq!(r[1].letter.as_deref(), Some("B"));
        assert_eq!(r[1].text, "SECDEF MSG DTG 301601z SEP 08");
    }

    #[test]
    fn debris() {
        assert!(parse_references("None", Some(2003)).is_empty());
        assert!(parse_references("   ", Some(2003)).is_empty());
        assert!(parse_references("", None).is_empty());
        // A page-break header joined into the list.
        assert_eq!(
            ids(
                "A. MADRID 870  B. MADRID 869 MADRID 00001003 001.2 OF 002",
                Some(2009)
            ),
            [(s("A"), s("09MADRID870")), (s("B"), s("09MADRID869"))]
        );
        let r = parse_references(
            "BRASILIA 123 BRASILIA 00000244 001.2 OF 002 (U) THIS CABLE IS SBU",
            Some(2009),
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "BRASILIA 123");
        // Text that ran into the field.
        let r = parse_references(
            "STATE 183800 B. BRASILIA 1396 Classified By: Political Officer",
            Some(2005),
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].text, "BRASILIA 1396");
        let r = parse_references("A. 08 LAPAZ 2606 <br> \u{b6}B. LA PAZ 6 <br>", Some(2009));
        assert_eq!(r[1].id.as_deref(), Some("09LAPAZ6"));
        assert_eq!(r[1].text, "LA PAZ 6");
        // Semicolons separate references.
        let r = parse_references("BRASILIA 1124; IIR 6 809 0156 10", Some(2010));
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].id.as_deref(), r[0].text.as_str()),
            (Some("10BRASILIA1124"), "BRASILIA 1124")
        );
        assert_eq!(
            (r[1].id.as_deref(), r[1].text.as_str()),
            (None, "IIR 6 809 0156 10")
        );
        // Qualifiers stay in the text.
        let r = parse_references("A) PARIS 2208 (NOTAL) B) PARIS 2257 (NOTAL)", Some(2007));
        assert_eq!(r[0].text, "PARIS 2208 (NOTAL)");
        assert_eq!(r[1].id.as_deref(), Some("07PARIS2257"));
        // A letter with nothing after it.
        let r = parse_references("A. FREETOWN 336  B. FREETOWN", Some(2009));
        assert_eq!(r[1].id, None);
        assert_eq!(r[1].text, "FREETOWN");
    }

    #[test]
    fn total() {
        for field in [
            "(",
            ")",
            "A.",
            "A. B. C.",
            "((((A))))",
            "0",
            "00000000 001.2 OF",
            "PAGE 02",
            "PAGE",
            "REF",
            "REF:",
            "REF A",
            "\u{b6}",
            "<",
            "<br",
            "ÄÖÜ 12",
            "A. A. A. A.",
            "99999999999999999999",
            "STATE 0",
            "STATE 00000000",
            "1. 2. 3.",
            "(1) (2)",
            "[Z] Y",
        ] {
            let _ = parse_references(field, Some(2009));
            let _ = parse_references(field, None);
            let _ = parse_references(field, Some(-7));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(
            s in "[A-Za-z0-9 .,;:()\\[\\]'\u{b6}<>/-]{0,80}",
            y in proptest::option::of(-3000i32..3000),
        ) {
            let _ = parse_references(&s, y);
        }

        #[test]
        fn never_panics_on_any_string(s in proptest::prelude::any::<String>()) {
            let _ = parse_references(&s, Some(2009));
        }
    }
}
