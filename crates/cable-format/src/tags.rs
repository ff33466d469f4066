//! The TAGS field (spec §2.4): codes separated by spaces, commas or semicolons, with the defects
//! real cables show: glued codes (`PHUMBA`), repeats from page headers, `SIPDIS`, person names
//! (`OVIP (CLINTON, HILLARY)`, `OVIP CLINTON HILLARY`), ISO codes in place of State's, and
//! plain-English "tags" (`HUMAN RIGHTS`).
//!
//! [`parse_tags`] gives one [`Tag`] per tag, in order, without repeats. [`tag_words`] flattens them
//! into the words the Cablegate site hyperlinked, to compare with the corpus metadata.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use crate::model::{Tag, TagKind};
use crate::tables::{self, TagInfo};

/// Given names that mark a two-word run of unknown words as a person (`STEINBERG JAMES`) when no
/// `OVIP` precedes it. Short on purpose: a plain-English tag must not turn into a person.
const GIVEN_NAMES: &[&str] = &[
    "HILLARY",
    "JAMES",
    "JOSEPH",
    "JOHN",
    "ROBERT",
    "WILLIAM",
    "RICHARD",
    "MICHAEL",
    "DAVID",
    "GEORGE",
    "CONDOLEEZZA",
    "CONDOLEEZA",
    "CONDI",
    "NANCY",
    "HARRY",
    "JOE",
    "BARACK",
    "DICK",
    "COLIN",
    "DONALD",
    "MADELEINE",
    "WARREN",
    "JACK",
    "CHARLES",
    "THOMAS",
    "PAUL",
    "MARK",
    "PETER",
    "STEPHEN",
    "STEVEN",
    "SUSAN",
    "ELIZABETH",
    "MARY",
    "HENRY",
    "EDWARD",
    "FRANK",
    "JOHNNIE",
    "ROBIN",
    "ANTHONY",
    "CHRISTOPHER",
    "DANIEL",
    "KURT",
    "JEFFREY",
    "JEFF",
    "PHILIP",
    "ALEJANDRO",
    "DENNIS",
    "RAHM",
    "TIMOTHY",
    "TIM",
    "LARRY",
    "GARY",
    "NICHOLAS",
    "STROBE",
    "WENDY",
    "KAREN",
    "JUDITH",
    "PAULA",
    "ELLEN",
    "ROSE",
    "GEORGE",
    "ARTURO",
    "TODD",
    "ERIC",
    "JANET",
    "SAMANTHA",
    "MAURA",
    "ANNE",
    "ROSEMARY",
    "LISA",
    "SHERRI",
    "CARLOS",
    "BILL",
    "MIKE",
    "JIM",
    "BOB",
    "TOM",
    "DAN",
    "STEVE",
    "SANDY",
    "SAM",
];

/// Parses the TAGS field: the text after the keyword, lines joined with spaces and page-break
/// lines removed. Never fails; an empty field gives no tags.
///
/// - Known codes get their kind and meaning from [`tables::tag`]; lower-case codes are
///   upper-cased.
/// - Unknown two-letter codes are geographic; an ISO code written for State's (`RU`, `SYR`) keeps
///   its spelling, and its meaning names the country and the State code.
/// - Unknown four-letter codes shaped like TAGS (`KSPR`, `MASC`) get the kind their first letter
///   gives and no meaning.
/// - Glued codes are split against the dictionary (`PHUMBA` → `PHUM`, `BA`).
/// - Person names follow `OVIP`, in parentheses or not, or are `SURNAME, GIVEN` / `SURNAME GIVEN`
///   with a common given name; they become one tag `SURNAME, GIVEN` of kind person.
/// - Other unknown words next to each other form one plain-English tag of kind unknown, as
///   written (`HUMAN RIGHTS`).
/// - `SIPDIS` is dropped, repeats are dropped, and a `SUBJECT:` that ran into the field ends it.
pub fn parse_tags(field: &str) -> Vec<Tag> {
    parse_tags_nested(field, 0)
}

/// How deep parenthesized groups are read as groups. Real TAGS lines nest at most once
/// (`OVIP (CLINTON, HILLARY)`); deeper parentheses are read as plain separators, so that hostile
/// input (`((((…`) costs neither stack nor quadratic time.
const MAX_GROUP_DEPTH: usize = 2;

/// [`parse_tags`] for the text of a group `depth` parentheses deep.
fn parse_tags_nested(field: &str, depth: usize) -> Vec<Tag> {
    let cleaned = clean(field);
    let flattened;
    let cleaned = if depth >= MAX_GROUP_DEPTH && cleaned.contains(['(', ')']) {
        flattened = cleaned.replace(['(', ')'], " ");
        flattened.as_str()
    } else {
        cleaned.as_str()
    };
    let toks = lex(cleaned);
    let mut out: Vec<Tag> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.group {
            push_group(&mut out, &t.text, depth);
            i += 1;
            continue;
        }
        let up = upper(&t.text);
        let up: &str = &up;
        if up == "SIPDIS" || up.is_empty() {
            i += 1;
            continue;
        }
        // Multi-word codes (`AER LINGUS`, `COLOMBO PLAN`), only across spaces.
        if let Some((info, used)) = multiword_code(&toks[i..]) {
            out.push(known(info));
            i += used;
            continue;
        }
        if let Some(info) = tables::tag(up) {
            out.push(known(info));
            i += 1;
            if info.code == "OVIP" {
                i += take_person(&toks[i..], &mut out, depth);
            }
            continue;
        }
        if let Some(pieces) = split_glued(up) {
            let ovip = pieces.last().is_some_and(|p| p.code == "OVIP");
            out.extend(pieces.into_iter().map(known));
            i += 1;
            if ovip {
                i += take_person(&toks[i..], &mut out, depth);
            }
            continue;
        }
        if let Some(tag) = shaped_code(up) {
            out.push(tag);
            i += 1;
            continue;
        }
        // A run of plain words: a person (`STEINBERG JAMES`, `CLINTON, HILLARY`) or a phrase.
        let mut run = plain_run(&toks[i..]);
        if run > 1 && toks[i..i + run].iter().all(|t| t.text.chars().count() <= 4) {
            // Unknown short codes side by side (`IRAJ GTMO`) are not a phrase.
            run = 1;
        }
        if run >= 1 {
            let words: Vec<&str> = toks[i..i + run].iter().map(|t| t.text.as_ref()).collect();
            if run == 2 && is_given_name(words[1]) {
                out.push(person(&words));
                i += 2;
                continue;
            }
            if run == 1 {
                // `CLINTON, HILLARY`: a single plain word, a comma, a given name, then a comma or
                // the end.
                if let Some(next) = toks.get(i + 1) {
                    let after_ok = toks.get(i + 2).is_none_or(|a| a.comma_before || a.group);
                    if next.comma_before
                        && !next.group
                        && is_plain(&next.text)
                        && is_given_name(&next.text)
                        && after_ok
                    {
                        out.push(person(&[words[0], next.text.as_ref()]));
                        i += 2;
                        continue;
                    }
                }
            }
            out.push(Tag {
                code: words.join(" "),
                kind: TagKind::Unknown,
                meaning: None,
            });
            i += run;
            continue;
        }
        out.push(Tag {
            code: t.text.to_string(),
            kind: TagKind::Unknown,
            meaning: None,
        });
        i += 1;
    }
    dedup(out)
}

/// `s.to_uppercase()`, borrowed when `s` is upper case already (most codes are).
fn upper(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|c| c.is_ascii() && !c.is_ascii_lowercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_uppercase())
    }
}

/// The flat word list of tags, comparable with the corpus metadata `tags` column (the words the
/// Cablegate site hyperlinked): each tag's code split on spaces, commas and parentheses, in order.
/// `CLINTON, HILLARY` gives `CLINTON`, `HILLARY`; `HUMAN RIGHTS` gives `HUMAN`, `RIGHTS`.
///
/// To compare with the metadata: upper-case and de-duplicate both sides (the site repeats a word
/// when the TAGS line does), and expand each metadata word with [`split_glued`] (the site linked
/// `EINDETRD` as one word; this parser splits it into `EIND`, `ETRD`).
pub fn tag_words(tags: &[Tag]) -> Vec<String> {
    tags.iter()
        .flat_map(|t| t.code.split([' ', ',', '(', ')', '\t', '\n']))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a glued run of codes against the dictionary (`PHUMBA` → `PHUM`, `BA`;
/// `ETRDEINVECINPGOVCS` → `ETRD EINV ECIN PGOV CS`), using as few pieces as possible and preferring
/// long pieces first. `None` when the word is itself a code, cannot be covered, or the cover has
/// no subject or program code (so `GTMO` does not become `GT`, `MO`).
pub fn split_glued(word: &str) -> Option<Vec<&'static TagInfo>> {
    let w = word.trim().to_ascii_uppercase();
    if w.len() < 4 || w.len() > 120 || !w.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if tables::tag(&w).is_some() {
        return None;
    }
    let n = w.len();
    // best[i]: the fewest pieces covering w[i..], and the length of the first piece.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[n] = Some((0, 0));
    for i in (0..n).rev() {
        let mut pick: Option<(usize, usize)> = None;
        for len in (2..=(n - i).min(10)).rev() {
            let Some((rest, _)) = best[i + len] else {
                continue;
            };
            let piece = &w[i..i + len];
            let ok =
                tables::tag(piece).is_some_and(|t| t.code.bytes().all(|b| b.is_ascii_uppercase()));
            if ok && pick.is_none_or(|(c, _)| rest + 1 < c) {
                pick = Some((rest + 1, len));
            }
        }
        best[i] = pick;
    }
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < n {
        let (_, len) = best[i]?;
        pieces.push(tables::tag(&w[i..i + len])?);
        i += len;
    }
    let anchored = pieces
        .iter()
        .any(|p| matches!(p.kind, TagKind::Subject | TagKind::Program));
    (pieces.len() >= 2 && anchored).then_some(pieces)
}

// ---------------------------------------------------------------------------------------------

struct Tok<'a> {
    text: Cow<'a, str>,
    /// A parenthesized group (`(CLINTON, HILLARY)`), its inner text in `text`.
    group: bool,
    /// A comma or semicolon stands between this token and the previous one.
    comma_before: bool,
}

/// Removes markup debris and cuts the field at a `SUBJECT` keyword that ran into it.
fn clean(field: &str) -> String {
    // Markup debris (`<br>`, `¶`, `[PREL](#)`) is the normaliser's job; the parser hands over
    // normalised text already, and this makes direct callers get the same treatment.
    let field = crate::normalize::normalize(field).text;
    let mut s = String::with_capacity(field.len());
    for c in field.chars() {
        match c {
            // Stray brackets and hashes left around codes.
            '[' | ']' | '#' => s.push(' '),
            c if c.is_whitespace() => s.push(' '),
            c => s.push(c),
        }
    }
    // Cut at SUBJECT / SUBJ (a word of its own, maybe with a colon).
    if s.is_ascii() {
        // Upper-casing ASCII keeps every byte in place: search without the copy.
        let mut from = 0;
        while let Some(idx) = crate::lines::find_ci_from(&s, "SUBJ", from) {
            let b = s.as_bytes();
            let before_ok = idx == 0 || b[idx - 1] == b' ';
            let word_end = b[idx..]
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .map_or(b.len(), |k| idx + k);
            let word = &s[idx..word_end];
            if before_ok
                && (word.eq_ignore_ascii_case("SUBJ") || word.eq_ignore_ascii_case("SUBJECT"))
            {
                s.truncate(idx);
                break;
            }
            from = idx + 4;
        }
        return s;
    }
    let upper = s.to_uppercase();
    if upper.len() == s.len() {
        let mut at = None;
        for (idx, _) in upper.match_indices("SUBJ") {
            let before_ok = idx == 0 || upper.as_bytes()[idx - 1] == b' ';
            let rest = &upper[idx..];
            let word_end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let word = &rest[..word_end];
            if before_ok && (word == "SUBJ" || word == "SUBJECT") {
                at = Some(idx);
                break;
            }
        }
        if let Some(at) = at {
            s.truncate(at);
        }
    }
    s
}

fn lex(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut comma = false;
    // Where the current word started: words are the runs between separators, borrowed.
    let mut seg = 0;
    let mut chars = s.char_indices();
    fn flush<'a>(word: &'a str, out: &mut Vec<Tok<'a>>, comma: &mut bool) {
        let w = word
            .trim_matches(|c: char| matches!(c, ':' | '"' | '\'' | '*' | '-' | '=' | '_' | '/'));
        let w = if w.chars().filter(|c| c.is_alphanumeric()).count() > 1 {
            w.trim_end_matches('.')
        } else {
            w
        };
        if w.chars().any(|c| c.is_alphanumeric()) {
            out.push(Tok {
                text: Cow::Borrowed(w),
                group: false,
                comma_before: *comma,
            });
            *comma = false;
        }
    }
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | ')' => {
                flush(&s[seg..i], &mut out, &mut comma);
                seg = chars.offset();
            }
            ',' | ';' => {
                flush(&s[seg..i], &mut out, &mut comma);
                comma = true;
                seg = chars.offset();
            }
            '(' => {
                flush(&s[seg..i], &mut out, &mut comma);
                let mut inner = String::new();
                let mut depth = 1;
                for (_, d) in chars.by_ref() {
                    match d {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(d);
                }
                seg = chars.offset();
                let inner = inner.split_whitespace().collect::<Vec<_>>().join(" ");
                if !inner.is_empty() {
                    out.push(Tok {
                        text: Cow::Owned(inner),
                        group: true,
                        comma_before: comma,
                    });
                    comma = false;
                }
            }
            _ => {}
        }
    }
    flush(&s[seg..], &mut out, &mut comma);
    out
}

fn known(info: &'static TagInfo) -> Tag {
    Tag {
        code: info.code.to_string(),
        kind: info.kind,
        meaning: (!info.meaning.is_empty()).then(|| info.meaning.to_string()),
    }
}

/// The first words of the dictionary's codes of several words (`AER` of `AER LINGUS`).
static MULTIWORD_FIRST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    tables::all_tags()
        .iter()
        .filter(|t| t.code.contains(' '))
        .filter_map(|t| t.code.split(' ').next())
        .collect()
});

/// A code of the dictionary written as two or three space-separated words.
fn multiword_code(toks: &[Tok<'_>]) -> Option<(&'static TagInfo, usize)> {
    // The joined words can only name a code whose first word is the first token's.
    let first = toks.first()?;
    if first.group || !MULTIWORD_FIRST.contains(upper(&first.text).as_ref()) {
        return None;
    }
    for n in [3, 2] {
        if toks.len() < n
            || toks[..n].iter().any(|t| t.group)
            || toks[1..n].iter().any(|t| t.comma_before)
        {
            continue;
        }
        let joined = toks[..n]
            .iter()
            .map(|t| t.text.to_uppercase())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(info) = tables::tag(&joined) {
            return Some((info, n));
        }
    }
    None
}

/// Unknown codes whose shape says what they are: two letters (geographic), four letters starting
/// with `K` (program) or a subject category letter (subject), ISO country codes.
fn shaped_code(up: &str) -> Option<Tag> {
    if !up.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if let Some((state, name)) = tables::iso_geo_code(up) {
        return Some(Tag {
            code: up.to_string(),
            kind: TagKind::Geographic,
            meaning: Some(format!("{name} (ISO code; State TAGS use {state})")),
        });
    }
    match up.len() {
        2 => Some(Tag {
            code: up.to_string(),
            kind: TagKind::Geographic,
            meaning: None,
        }),
        4 if up.starts_with('K') => Some(Tag {
            code: up.to_string(),
            kind: TagKind::Program,
            meaning: None,
        }),
        4 if up.starts_with(['A', 'B', 'C', 'E', 'L', 'M', 'O', 'P', 'S', 'T']) => Some(Tag {
            code: up.to_string(),
            kind: TagKind::Subject,
            meaning: None,
        }),
        _ => None,
    }
}

/// A word that may be part of a name or a plain-English tag: letters (and `'`, `-`, `.`), not a
/// code, not a glued run of codes, not shaped like a code.
fn is_plain(word: &str) -> bool {
    let up = word.to_uppercase();
    up.chars().any(|c| c.is_alphabetic())
        && up
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '\u{2019}' | '&'))
        && up != "SIPDIS"
        && tables::tag(&up).is_none()
        && split_glued(&up).is_none()
        && shaped_code(&up).is_none()
}

fn is_given_name(word: &str) -> bool {
    let up = word.trim_end_matches('.').to_uppercase();
    GIVEN_NAMES.contains(&up.as_str())
}

/// How many tokens from the start are plain words joined by spaces only.
fn plain_run(toks: &[Tok<'_>]) -> usize {
    let mut n = 0;
    for (k, t) in toks.iter().enumerate() {
        if t.group || (k > 0 && t.comma_before) || !is_plain(&t.text) {
            break;
        }
        n += 1;
    }
    n
}

/// After `OVIP`: a parenthesized name, or up to four plain words (one comma allowed after the
/// first: `CLINTON, HILLARY`). Pushes the person and returns how many tokens it used.
fn take_person(toks: &[Tok<'_>], out: &mut Vec<Tag>, depth: usize) -> usize {
    let Some(first) = toks.first() else {
        return 0;
    };
    if first.group {
        if looks_like_name(&first.text) || looks_like_ovip_person(&first.text) {
            out.push(person_from_text(&first.text));
        } else {
            push_group(out, &first.text, depth);
        }
        return 1;
    }
    let mut words: Vec<&str> = Vec::new();
    let mut had_comma = false;
    for (k, t) in toks.iter().enumerate().take(4) {
        if t.group || !(is_plain(&t.text) || is_initial(&t.text)) {
            break;
        }
        if k > 0 && t.comma_before {
            // One comma, right after the surname, and only when a plain word follows.
            if k != 1 || had_comma {
                break;
            }
            had_comma = true;
        }
        words.push(t.text.as_ref());
    }
    // An initial cannot lead a name.
    if words.is_empty() || is_initial(words[0]) {
        return 0;
    }
    out.push(person(&words));
    words.len()
}

fn is_initial(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() == 1 && word.chars().all(|c| c.is_alphabetic() || c == '.')
}

/// `SURNAME, GIVEN [MIDDLE]` from words, upper-cased.
fn person(words: &[&str]) -> Tag {
    let up: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
    let code = match up.split_first() {
        Some((surname, rest)) if !rest.is_empty() => format!("{surname}, {}", rest.join(" ")),
        Some((surname, _)) => surname.clone(),
        None => String::new(),
    };
    Tag {
        code,
        kind: TagKind::Person,
        meaning: None,
    }
}

/// A parenthesized name as written (`STEINBERG, JAMES B.`), upper-cased, spacing normalised.
fn person_from_text(text: &str) -> Tag {
    let parts: Vec<String> = text
        .split(',')
        .map(|p| {
            p.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase()
        })
        .filter(|p| !p.is_empty())
        .collect();
    let code = if parts.len() == 1 {
        let words: Vec<&str> = parts[0].split(' ').collect();
        return person(&words);
    } else {
        parts.join(", ")
    };
    Tag {
        code,
        kind: TagKind::Person,
        meaning: None,
    }
}

fn looks_like_name(text: &str) -> bool {
    let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    !words.is_empty()
        && words.len() <= 5
        && words.iter().all(|w| is_plain(w) || is_initial(w))
        && words.iter().any(|w| !is_initial(w))
}

/// `(SURNAME, GIVEN)` right after `OVIP`: a person even when the given name is shaped like a
/// code (`PAUL`, `MARK`, `ERIC` look like subject codes), as long as the surname is not a code.
fn looks_like_ovip_person(text: &str) -> bool {
    let Some((surname, given)) = text.split_once(',') else {
        return false;
    };
    let name_word = |w: &&str| {
        w.chars().any(char::is_alphabetic)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '\u{2019}'))
    };
    let surname: Vec<&str> = surname.split_whitespace().collect();
    let given: Vec<&str> = given.split_whitespace().collect();
    !surname.is_empty()
        && surname.len() <= 3
        && surname.iter().all(|w| is_plain(w))
        && (1..=3).contains(&given.len())
        && given.iter().all(name_word)
}

/// A parenthesized group not after `OVIP`: a name, or tags written in parentheses. `depth` is
/// the depth of the text the group was found in.
fn push_group(out: &mut Vec<Tag>, text: &str, depth: usize) {
    if text.contains(',') && looks_like_name(text) && text.split(',').count() == 2 {
        out.push(person_from_text(text));
        return;
    }
    let inner = parse_tags_nested(text, depth + 1);
    if inner.is_empty() {
        return;
    }
    out.extend(inner);
}

/// Drops repeated tags (page headers repeat the line: `VT, VTPREL, VTPREL`), keeping the first.
fn dedup(tags: Vec<Tag>) -> Vec<Tag> {
    let mut out: Vec<Tag> = Vec::with_capacity(tags.len());
    for t in tags {
        if !out.iter().any(|o| o.code.eq_ignore_ascii_case(&t.code)) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(field: &str) -> Vec<String> {
        parse_tags(field).into_iter().map(|t| t.code).collect()
    }

    fn kinds(field: &str) -> Vec<TagKind> {
        parse_tags(field).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn separators() {
        assert_eq!(codes("PGOV PREL ECON BR"), ["PGOV", "PREL", "ECON", "BR"]);
        assert_eq!(codes("PREL, PGOV, SF"), ["PREL", "PGOV", "SF"]);
        assert_eq!(codes("PREL;PGOV ; SF,"), ["PREL", "PGOV", "SF"]);
        assert_eq!(
            codes("  prel, pgov, mops, knnp, mg "),
            ["PREL", "PGOV", "MOPS", "KNNP", "MG"]
        );
        assert_eq!(codes("PREL PGOV."), ["PREL", "PGOV"]);
        assert!(codes("").is_empty());
        assert!(codes(" , ; ").is_empty());
    }

    #[test]
    fn kinds_and_meanings() {
        let t = parse_tags("PREL KPAO PK NATO");
        assert_eq!(
            t.iter().map(|t| t.kind).collect::<Vec<_>>(),
            [
                TagKind::Subject,
                TagKind::Program,
                TagKind::Geographic,
                TagKind::Organization
            ]
        );
        assert!(t[2].meaning.as_deref().unwrap().contains("Pakistan"));
        assert_eq!(
            kinds("XA KSPR MASC"),
            [TagKind::Geographic, TagKind::Program, TagKind::Subject]
        );
        let ru = &parse_tags("RU")[0];
        assert_eq!(ru.code, "RU");
        assert_eq!(ru.kind, TagKind::Geographic);
        assert!(ru.meaning.as_deref().unwrap().contains("RS"));
        assert_eq!(parse_tags("SYR")[0].kind, TagKind::Geographic);
        assert_eq!(parse_tags("UAE")[0].kind, TagKind::Geographic);
    }

    #[test]
    fn persons() {
        let t = parse_tags("OVIP CLINTON HILLARY PREL PK");
        assert_eq!(
            t.iter()
                .map(|t| (t.code.as_str(), t.kind))
                .collect::<Vec<_>>(),
            [
                ("OVIP", TagKind::Subject),
                ("CLINTON, HILLARY", TagKind::Person),
                ("PREL", TagKind::Subject),
                ("PK", TagKind::Geographic)
            ]
        );
        assert_eq!(
            codes("OVIP (CLINTON, HILLARY), PGOV, PREL"),
            ["OVIP", "CLINTON, HILLARY", "PGOV", "PREL"]
        );
        assert_eq!(
            codes("ovip (steinberg, james b.), prel, parm"),
            ["OVIP", "STEINBERG, JAMES B.", "PREL", "PARM"]
        );
        assert_eq!(
            codes("OVIP STEINBERG JAMES PREL MNUC SN CH KN")[..3],
            ["OVIP", "STEINBERG, JAMES", "PREL"]
        );
        assert_eq!(codes("STEINBERG JAMES PREL"), ["STEINBERG, JAMES", "PREL"]);
        assert_eq!(
            codes("PREL, CLINTON, HILLARY, UK"),
            ["PREL", "CLINTON, HILLARY", "UK"]
        );
        assert_eq!(codes("CLINTON, HILLARY"), ["CLINTON, HILLARY"]);
        assert_eq!(
            codes("OVIP BIDEN JOSEPH PREL ECON"),
            ["OVIP", "BIDEN, JOSEPH", "PREL", "ECON"]
        );
        // A given name shaped like a subject code is still a name after OVIP.
        assert_eq!(
            codes("OVIP (CARTER, PAUL) PTER"),
            vec!["OVIP", "CARTER, PAUL", "PTER"]
        );
        assert_eq!(
            codes("OVIP (CLINTON, HILLARY), UAE"),
            ["OVIP", "CLINTON, HILLARY", "UAE"]
        );
        assert_eq!(codes("OVIP, PREL"), ["OVIP", "PREL"]);
        assert_eq!(codes("OVIP"), ["OVIP"]);
        assert_eq!(kinds("OVIP (CLINTON, HILLARY)")[1], TagKind::Person);
    }

    #[test]
    fn glued() {
        assert_eq!(codes("PHUMBA"), ["PHUM", "BA"]);
        assert_eq!(
            codes("ETRDEINVECINPGOVCS"),
            ["ETRD", "EINV", "ECIN", "PGOV", "CS"]
        );
        assert_eq!(
            codes("KFRDKIRFCVISCMGTKOCIASECPHUMSMIGEG"),
            ["KFRD", "KIRF", "CVIS", "CMGT", "KOCI", "ASEC", "PHUM", "SMIG", "EG"]
        );
        assert_eq!(
            codes("ECON EINDETRD KIPR"),
            ["ECON", "EIND", "ETRD", "KIPR"]
        );
        assert_eq!(codes("KDEM, KDEMAF, AF"), ["KDEM", "AF"]);
        // No subject or program code inside: kept as written.
        assert_eq!(codes("GTMO"), ["GTMO"]);
        assert_eq!(codes("IRAJ"), ["IRAJ"]);
        assert!(split_glued("PREL").is_none());
        assert!(split_glued("").is_none());
        assert!(split_glued("PREL1").is_none());
    }

    #[test]
    fn repeats_and_sipdis() {
        assert_eq!(codes("VT, VTPREL, VTPREL, VTPREL"), ["VT", "PREL"]);
        assert_eq!(codes("PREL SIPDIS PGOV"), ["PREL", "PGOV"]);
        assert_eq!(codes("KJUS FR KJUS PREL"), ["KJUS", "FR", "PREL"]);
    }

    #[test]
    fn plain_english() {
        assert_eq!(codes("PREL HUMAN RIGHTS"), ["PREL", "HUMAN RIGHTS"]);
        assert_eq!(kinds("HUMAN RIGHTS"), [TagKind::Unknown]);
        assert_eq!(
            codes("PGOV, PREL, KWBG, IR, IS, COUNTERTERRORISM, GOI EXTERNAL"),
            [
                "PGOV",
                "PREL",
                "KWBG",
                "IR",
                "IS",
                "COUNTERTERRORISM",
                "GOI EXTERNAL"
            ]
        );
        assert_eq!(
            codes("PINR, BU, Organized Crime"),
            ["PINR", "BU", "Organized Crime"]
        );
        assert_eq!(
            codes("MASS MOPS PTER YM COUNTER TERRORISM"),
            ["MASS", "MOPS", "PTER", "YM", "COUNTER TERRORISM"]
        );
        assert_eq!(
            codes("COUNTRY CLEARANCE, MEDIA REACTION REPORT"),
            ["COUNTRY CLEARANCE", "MEDIA REACTION REPORT"]
        );
    }

    #[test]
    fn debris() {
        assert_eq!(
            codes("PREL PGOV Subject: turkish p.m. goes"),
            ["PREL", "PGOV"]
        );
        assert_eq!(codes("PREL PGOV SUBJECT: X"), ["PREL", "PGOV"]);
        assert_eq!(codes("[PREL](#) [PGOV](#)"), ["PREL", "PGOV"]);
        assert_eq!(codes("<strong>PREL</strong>, PGOV"), ["PREL", "PGOV"]);
        assert_eq!(codes("AER LINGUS, PREL"), ["AER LINGUS", "PREL"]);
        assert_eq!(codes("UNGA/C-1 PREL"), ["UNGA/C-1", "PREL"]);
        // Unbalanced parentheses and odd characters do not panic.
        for s in [
            "(",
            ")",
            "OVIP (",
            "OVIP (CLINTON",
            "((((",
            "a\u{0}b",
            "¶",
            "ÄÖÜ ß",
            "<",
            "<<>>",
            "(#",
        ] {
            let _ = parse_tags(s);
        }
    }

    #[test]
    fn deep_parentheses_cost_no_stack() {
        // Found by the fuzzer: each nested group was parsed by a recursive call, so 20,000
        // opening parentheses overflowed a test thread's stack. Run on a small stack to show
        // the depth is bounded, and check that the words inside are still read.
        let field = format!("{}PREL KPAO{}", "(".repeat(50_000), ")".repeat(50_000));
        let tags = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse_tags(&field))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(tag_words(&tags), ["PREL", "KPAO"]);
        let t = parse_tags("OVIP (CLINTON, HILLARY) (PREL (KPAO (PK)))");
        let codes: Vec<&str> = t.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["OVIP", "CLINTON, HILLARY", "PREL", "KPAO", "PK"]);
        assert_eq!(t[1].kind, TagKind::Person);
    }

    #[test]
    fn words() {
        let t = parse_tags("OVIP CLINTON HILLARY PREL KPAL");
        assert_eq!(
            tag_words(&t),
            ["OVIP", "CLINTON", "HILLARY", "PREL", "KPAL"]
        );
        let t = parse_tags("MASS YM COUNTER TERRORISM");
        assert_eq!(tag_words(&t), ["MASS", "YM", "COUNTER", "TERRORISM"]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[A-Za-z ,;()\\[\\]#<>.'\u{b6}\u{e9}0-9-]{0,60}") {
            let tags = parse_tags(&s);
            let _ = tag_words(&tags);
            let _ = split_glued(&s);
        }

        #[test]
        fn never_panics_on_any_string(s in proptest::prelude::any::<String>()) {
            let _ = parse_tags(&s);
        }
    }
}
