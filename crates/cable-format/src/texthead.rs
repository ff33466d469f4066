//! The text heading: classification line, captions, E.O. line, TAGS, SUBJECT, REF and
//! "Classified By".

use crate::id::{bag_distance, edit_distance, letter_histogram};
use crate::lines::{collapse_ws, despace, find_ci, starts_with_ci};
use crate::model::{ClassifiedBy, ExecutiveOrder, Section, Span};

#[derive(Debug, Default, Clone)]
pub struct ClassLine {
    pub line: usize,
    pub span: Span,
    pub level: String,
    /// The level as written was an SBU form (`SENSITIVE BUT UNCLASSIFIED`, `SBU`).
    pub sbu: bool,
    /// Caveats written on the line itself (`SECRET//NOFORN`, `SECRET NOFORN`).
    pub caveats: Vec<String>,
    pub section: Option<Section>,
    pub origin: Option<String>,
    pub serial: Option<String>,
    /// Byte offset in the line where text after the serial starts (0 when none).
    pub rest: usize,
}

const LEVEL_WORDS: [(&str, &str, bool); 9] = [
    ("SENSITIVEBUTUNCLASSIFIED", "UNCLASSIFIED", true),
    ("LIMITEDOFFICIALUSE", "LIMITED OFFICIAL USE", false),
    ("TOPSECRET", "TOP SECRET", false),
    ("UNCLASSIFIED", "UNCLASSIFIED", false),
    ("CONFIDENTIAL", "CONFIDENTIAL", false),
    ("UNCLAS", "UNCLASSIFIED", false),
    ("SECRET", "SECRET", false),
    ("SBU", "UNCLASSIFIED", true),
    ("LOU", "LIMITED OFFICIAL USE", false),
];

/// Match the classification level at the start of a line, tolerating spaced letters
/// (`C O N F I D E N T I A L`), doubled or dropped first letters (`SS E C R E T`, `E C R E T`,
/// `UUNCLAS`) and lower case. Returns (level, is SBU, bytes consumed, exact match).
fn match_level(t: &str) -> Option<(&'static str, bool, usize, bool)> {
    // Gather letters from the start: single/double-letter tokens (spaced form) or words.
    // On the stack: this runs for every line that might be a classification line.
    let b = t.as_bytes();
    let mut buf = [0u8; 26];
    let mut ends = [0usize; 26]; // byte offset in t after each letter
    let mut n = 0;
    let mut i = 0;
    while i < b.len() && n < buf.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() {
            buf[n] = c.to_ascii_uppercase();
            ends[n] = i + 1;
            n += 1;
            i += 1;
        } else if c == b' ' {
            i += 1;
        } else {
            break;
        }
    }
    // Only ASCII letters were gathered, so this cannot fail.
    let letters = std::str::from_utf8(&buf[..n]).unwrap_or("");
    for (word, level, sbu) in LEVEL_WORDS {
        if letters.starts_with(word) {
            let end = ends[word.len() - 1];
            // A whole word: what follows the match must not continue it.
            if word_boundary(t, end) || spaced(t, end) {
                return Some((level, sbu, end, true));
            }
        }
    }
    // Damaged forms: one extra or one missing letter at the start, or one typo. Only worth trying
    // on a short line that starts in capitals and carries a serial number (a token of digits).
    let starts_upper = t.as_bytes()[0].is_ascii_uppercase()
        && t.as_bytes().get(1).is_none_or(|c| !c.is_ascii_lowercase());
    let has_serial = || {
        t.split_ascii_whitespace()
            .any(|w| (2..=8).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_digit()))
    };
    if letters.len() < 5 || t.len() > 140 || !starts_upper || !has_serial() {
        return None;
    }
    for (word, level, sbu) in LEVEL_WORDS {
        if word.len() < 6 {
            continue;
        }
        for (skip, take) in [
            (1usize, word.len()),
            (0, word.len() - 1),
            (0, word.len() + 1),
            (0, word.len()),
        ] {
            if letters.len() < skip + take {
                continue;
            }
            let cand = &letters[skip..skip + take];
            let target = if take == word.len() - 1 {
                &word[1..]
            } else {
                word
            };
            // The letter-count bound rules out almost every line before the edit distance runs.
            let near = within_one(cand, target);
            let ok = near
                && if take == word.len() + 1 {
                    cand.len() == target.len() + 1 && edit_distance(cand, target) == 1
                } else {
                    edit_distance(cand, target) <= 1
                };
            if ok {
                let end = ends[skip + take - 1];
                if word_boundary(t, end) || spaced(t, end) {
                    return Some((level, sbu, end, false));
                }
            }
        }
    }
    None
}

/// Whether `a` and `b` differ by at most one letter count (a lower bound of the edit distance).
fn within_one(a: &str, b: &str) -> bool {
    bag_distance(&letter_histogram(a), b) <= 1
}

fn word_boundary(t: &str, end: usize) -> bool {
    t.as_bytes()
        .get(end)
        .is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// In spaced-letter form the match may end before a space and another word.
fn spaced(t: &str, end: usize) -> bool {
    t.as_bytes().get(end) == Some(&b' ')
}

/// Recognise a classification line: `<LEVEL> [SECTION nn OF mm] <ORIGIN> <serial>`.
/// With `need_origin` false, a line holding the level alone is accepted too.
pub fn classification_line(text: &str, need_origin: bool) -> Option<ClassLine> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // Only the start of the line matters: unwrapped headings run on after the serial.
    let t = &t[..crate::lines::floor_char_boundary(t, 140)];
    let (level, sbu, consumed, exact) = match_level(t)?;
    if !exact && !need_origin {
        return None;
    }
    let up = t[consumed..].to_ascii_uppercase();
    let mut rest = up.as_str();
    // The level must be a whole word (`SECRETARY` is not `SECRET`).
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut cl = ClassLine {
        level: level.to_string(),
        sbu,
        ..ClassLine::default()
    };
    // Caveats glued with slashes or words right after the level.
    loop {
        let r = rest.trim_start_matches([' ', '/', ',', '-']);
        let mut hit = false;
        for cav in [
            "NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "FOUO", "SIPDIS",
        ] {
            if r.starts_with(cav)
                && !r[cav.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                if cav != "SIPDIS" {
                    cl.caveats.push(cav.to_string());
                }
                rest = &r[cav.len()..];
                hit = true;
                break;
            }
        }
        if !hit {
            break;
        }
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut i = 0;
    if words.len() >= 4 && words[0] == "SECTION" && words[2] == "OF" {
        if let (Ok(n), Ok(of)) = (words[1].parse::<u32>(), words[3].parse::<u32>()) {
            cl.section = Some(Section { n, of });
        }
        i = 4;
    }
    // ORIGIN words then a serial of digits.
    let rest_words = &words[i..];
    if let Some(pos) = rest_words
        .iter()
        .position(|w| w.len() >= 2 && w.len() <= 8 && w.bytes().all(|c| c.is_ascii_digit()))
    {
        if (1..=4).contains(&pos) {
            let origin_words = &rest_words[..pos];
            if origin_words.iter().all(|w| {
                w.bytes()
                    .all(|c| c.is_ascii_uppercase() || c == b'\'' || c == b'-' || c == b'.')
            }) {
                let origin = origin_words.join(" ");
                // A redacted origin (`XXXXXXXXXXXX`) is no origin.
                if !origin.bytes().all(|c| c == b'X' || c == b' ') {
                    cl.origin = Some(origin);
                }
                cl.serial = Some(rest_words[pos].to_string());
                // Where the line runs on after the serial (unwrapped headings).
                let serial = rest_words[pos];
                let tail_from = consumed + (up.len() - rest.len());
                if let Some(p) = t[tail_from..].find(serial) {
                    cl.rest = tail_from + p + serial.len();
                    let lead = text.len() - text.trim_start().len();
                    cl.rest += lead;
                }
                // Caveats written after the serial.
                for w in &rest_words[pos + 1..] {
                    let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                    if ["NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS"].contains(&w)
                        && !cl.caveats.iter().any(|c| c == w)
                    {
                        cl.caveats.push(w.to_string());
                    }
                }
                return Some(cl);
            }
        }
        return None;
    }
    if !need_origin
        && rest_words.iter().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            w.is_empty()
                || [
                    "NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "SIPDIS", "ENTIRE", "TEXT",
                ]
                .contains(&w)
        })
    {
        return Some(cl);
    }
    None
}

/// Caveats: dissemination and distribution controls that restrict who may read.
pub const CAVEATS: [&str; 9] = [
    "NOFORN",
    "NODIS",
    "EXDIS",
    "LIMDIS",
    "STADIS",
    "ORCON",
    "PROPIN",
    "NOCONTRACT",
    "IMCON",
];
/// Captions: handling and channel markings that do not restrict readers by themselves.
const CAPTIONS: [&str; 12] = [
    "SIPDIS",
    "ROGER",
    "CHEROKEE",
    "EYES ONLY",
    "CODEL",
    "SENSITIVE",
    "SBU",
    "CORRECTED COPY",
    "DEPT PASS",
    "EFTO",
    "NOCONTRACT",
    "TERREP",
];

/// Split a caption line into caveats and captions. Returns None when the line is not made of
/// caption words only.
pub fn caption_line(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let d = despace(text.trim());
    let up = d.to_ascii_uppercase();
    let up = up.trim_matches(|c: char| c == '.' || c == ' ');
    if up.is_empty() || up.len() > 80 {
        return None;
    }
    let mut caveats = Vec::new();
    let mut captions = Vec::new();
    let mut rest: &str = up;
    if starts_with_ci(rest, "SENSITIVE BUT UNCLASSIFIED") {
        captions.push("SENSITIVE BUT UNCLASSIFIED".to_string());
        rest = &rest["SENSITIVE BUT UNCLASSIFIED".len()..];
    } else if starts_with_ci(rest, "FOR OFFICIAL USE ONLY") {
        captions.push("FOR OFFICIAL USE ONLY".to_string());
        rest = &rest["FOR OFFICIAL USE ONLY".len()..];
    } else if rest.starts_with("CORRECTED COPY") || rest.starts_with("CORRECTEDCOPY") {
        captions.push("CORRECTED COPY".to_string());
        return Some((caveats, captions));
    }
    loop {
        rest = rest.trim_start_matches([' ', '/', ',', '-', ';', '(', ')', '.']);
        if rest.is_empty() {
            break;
        }
        let mut hit = false;
        for c in CAVEATS {
            if rest.starts_with(c)
                && !rest[c.len()..].starts_with(|x: char| x.is_ascii_alphanumeric())
            {
                caveats.push(c.to_string());
                rest = &rest[c.len()..];
                hit = true;
                break;
            }
        }
        if !hit {
            for c in CAPTIONS {
                if rest.starts_with(c)
                    && !rest[c.len()..].starts_with(|x: char| x.is_ascii_alphanumeric())
                {
                    captions.push(c.to_string());
                    rest = &rest[c.len()..];
                    hit = true;
                    break;
                }
            }
        }
        if !hit {
            // `NOFORN, NOT FOR INTERNET DISTRIBUTION`: a caveat followed by free words.
            if !caveats.is_empty() && up.len() - rest.len() > 0 && rest.len() < 60 {
                break;
            }
            return None;
        }
    }
    if caveats.is_empty() && captions.is_empty() {
        return None;
    }
    Some((caveats, captions))
}

/// Where an E.O. line starts inside `t`, and where its content (after the order number) begins.
pub fn eo_start(t: &str) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    let up = |i: usize| b.get(i).map(u8::to_ascii_uppercase);
    // E.O., E. O., EO, E.O, followed by an order number of 4-5 digits.
    for i in memchr::memchr2_iter(b'E', b'e', b) {
        if i + 2 >= b.len() {
            break;
        }
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut j = i + 1;
        if up(j) == Some(b'.') {
            j += 1;
        }
        while up(j) == Some(b' ') {
            j += 1;
        }
        if up(j) != Some(b'O') {
            continue;
        }
        j += 1;
        if up(j) == Some(b'.') {
            j += 1;
        }
        let k = j;
        while up(j) == Some(b' ') {
            j += 1;
        }
        let digits = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        if k > i + 1 && (4..=5).contains(&digits) {
            return Some((i, j));
        }
    }
    None
}

/// Parse an E.O. line's content, starting at the order number: `12958: DECL: 07/24/2034`.
pub fn parse_eo(content: &str) -> ExecutiveOrder {
    let content = content.trim();
    let order: String = content.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = content[order.len()..].trim_start_matches([':', ',', ';', ' ', '.']);
    let mut eo = ExecutiveOrder {
        order: (!order.is_empty()).then_some(order),
        declassify_on: None,
        code: None,
        text: collapse_ws(rest),
    };
    let mut body = rest;
    if let Some(i) = find_ci(body, "DECL") {
        body = &body[i + 4..];
        body = body.trim_start_matches(|c: char| c.is_ascii_alphabetic()); // DECLASSIFY, DECL:
        body = body.trim_start_matches([':', ' ', '.', ';']);
    }
    let body = body.trim();
    if let Some(d) = parse_decl_date(body) {
        eo.declassify_on = Some(d);
    } else {
        let up = body.to_ascii_uppercase();
        let first = up
            .split([' ', ',', ';'])
            .next()
            .unwrap_or("")
            .trim_end_matches('.');
        let code = if up.starts_with("N/A") || up == "NA" || up.starts_with("NA ") {
            Some("N/A".to_string())
        } else if [
            "OADR", "GDS", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "25X1", "25X2", "25X3",
            "25X4", "25X5", "25X6", "25X7", "25X8", "25X9", "50X1",
        ]
        .contains(&first)
        {
            Some(first.to_string())
        } else {
            None
        };
        eo.code = code;
    }
    eo
}

/// Declassification dates: MM/DD/YYYY, M/D/YY (20YY), YYYY/MM/DD, MM-DD-YYYY.
pub fn parse_decl_date(s: &str) -> Option<String> {
    let tok: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '/' || *c == '-' || *c == '.')
        .collect();
    let tok = tok.trim_end_matches(['.', '-', '/']);
    let parts: Vec<&str> = tok.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let nums: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != 3 {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0], nums[1], nums[2])
    } else {
        let y = if parts[2].len() == 2 {
            2000 + nums[2]
        } else {
            nums[2]
        };
        (y, nums[0], nums[1])
    };
    jiff::civil::Date::new(y as i16, m as i8, d as i8).ok()?;
    let mut out = String::with_capacity(10);
    crate::lines::push_int(&mut out, i64::from(y), 4);
    out.push('-');
    crate::lines::push_int(&mut out, i64::from(m), 2);
    out.push('-');
    crate::lines::push_int(&mut out, i64::from(d), 2);
    Some(out)
}

/// The keyword of a TAGS line and where its content starts.
pub fn tags_start(t: &str) -> Option<usize> {
    for kw in ["TAGES", "TAGS", "TAGE", "TABS", "TAG", "TAS", "TGS", "AGS"] {
        if starts_with_ci(t, kw) {
            let after = &t[kw.len()..];
            let sep = after.chars().next();
            if matches!(
                sep,
                Some(':') | Some(',') | Some(';') | Some(' ') | Some('.')
            ) || after.is_empty()
            {
                // `TAG` must not be the start of an ordinary word (`TAGGED`), `AGS` of `AGSM`.
                let content = after.trim_start_matches([':', ',', ';', '.', ' ']);
                if kw == "AGS" && !after.starts_with(':') {
                    return None;
                }
                if (kw == "TAS" || kw == "TAG")
                    && !after.starts_with(':')
                    && !content.chars().take(4).all(|c| c.is_ascii_uppercase())
                {
                    return None;
                }
                return Some(t.len() - content.len());
            }
        }
    }
    None
}

/// The keyword of a SUBJECT line and where its content starts.
pub fn subject_start(t: &str) -> Option<usize> {
    for kw in ["SUBJECT", "SUBJ", "UBJECT"] {
        if starts_with_ci(t, kw) {
            let after = &t[kw.len()..];
            if (after.is_empty() || after.starts_with([':', ' ', '.', ';']))
                && (after.is_empty()
                    || after.starts_with(':')
                    || after.starts_with(" :")
                    || kw == "SUBJECT")
            {
                {
                    let content = after.trim_start_matches([':', ' ', '.', ';']);
                    return Some(t.len() - content.len());
                }
            }
        }
    }
    None
}

/// The keyword of a REF line and where its content starts.
pub fn ref_start(t: &str) -> Option<usize> {
    let t2 = if starts_with_ci(t, "PROGRAM ") {
        &t[8..]
    } else {
        t
    };
    let skip = t.len() - t2.len();
    for kw in ["REFTELS", "REFTEL", "REF(S)", "REFS", "REF"] {
        if starts_with_ci(t2, kw) {
            let after = &t2[kw.len()..];
            if after.is_empty() || after.starts_with([':', ' ', '.', ';', ',', '-']) {
                let content = after.trim_start_matches([':', ' ', '.', ';', ',', '-']);
                if after.is_empty()
                    || after.starts_with(':')
                    || after.starts_with(" :")
                    || looks_like_ref_content(content)
                {
                    return Some(skip + t2.len() - content.len());
                }
            }
        }
    }
    None
}

fn looks_like_ref_content(s: &str) -> bool {
    // `REF A. STATE 1234`, `REFS: ...`, `REF STATE 1234`: an upper-case word or a letter marker.
    let first = s.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && first
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "().,'[]".contains(c))
}

/// "Classified By" at the start of `t` (case-insensitive), with where the content starts.
pub fn classified_by_start(t: &str) -> Option<usize> {
    let up = t.trim_start();
    for kw in [
        "CLASSIFIED BY",
        "CLASSIFIED  BY",
        "CLASSIFIED:",
        "DERIVED FROM",
    ] {
        if starts_with_ci(up, kw) {
            let lead = t.len() - up.len();
            let content = up[kw.len()..].trim_start_matches([':', ' ', '.']);
            return Some(lead + up.len() - content.len());
        }
    }
    None
}

/// Parse a Classified By text: reasons normalised to `1.4(b)`.
pub fn parse_classified_by(text: &str) -> ClassifiedBy {
    let text = collapse_ws(text);
    let mut reasons = Vec::new();
    let up = text.to_ascii_uppercase();
    let b = up.as_bytes();
    // Find `1.4`/`1.5` followed by letters in any of the written forms.
    let mut i = 0;
    while i + 3 <= b.len() {
        if b[i] == b'1'
            && (b[i + 1] == b'.' || b[i + 1] == b',')
            && (b[i + 2] == b'4' || b[i + 2] == b'5')
            && (i == 0 || !b[i - 1].is_ascii_digit())
        {
            let section = b[i + 2] as char;
            let mut j = i + 3;
            // Collect letters a-h from the following text until a clear stop.
            let mut letters = Vec::new();
            let mut last_was_letter_token = true;
            while j < b.len() {
                let c = b[j];
                if c.is_ascii_alphabetic() {
                    let k = b[j..]
                        .iter()
                        .take_while(|x| x.is_ascii_alphabetic())
                        .count();
                    let word = &up[j..j + k];
                    if k == 1 && (b'A'..=b'H').contains(&c) {
                        letters.push((c as char).to_ascii_lowercase());
                        last_was_letter_token = true;
                    } else if word == "AND" || word == "OR" {
                        // connector
                    } else if (2..=3).contains(&k)
                        && word.bytes().all(|x| (b'A'..=b'H').contains(&x))
                        && last_was_letter_token
                        && (j > 0 && (b[j - 1] == b'(' || b[j - 1] == b' '))
                        && word.len() <= 3
                        && (j + k >= b.len() || !b[j + k].is_ascii_alphabetic())
                        && (j + k < b.len() && b[j + k] == b')')
                    {
                        // `(bd)` glued letters inside parentheses.
                        for x in word.bytes() {
                            letters.push((x as char).to_ascii_lowercase());
                        }
                    } else {
                        break;
                    }
                    j += k;
                    continue;
                }
                if matches!(
                    c,
                    b' ' | b'(' | b')' | b',' | b'/' | b'&' | b'.' | b'+' | b'-'
                ) {
                    if c == b'.' && j + 1 < b.len() && b[j + 1] == b' ' && !letters.is_empty() {
                        // sentence end after the letters
                        let next_letter = b.get(j + 2).copied().unwrap_or(b' ');
                        if !(next_letter == b'('
                            || (b'A'..=b'H').contains(&next_letter)
                                && b.get(j + 3).is_none_or(|x| !x.is_ascii_alphabetic()))
                        {
                            break;
                        }
                    }
                    j += 1;
                    continue;
                }
                break;
            }
            for l in letters {
                let r = format!("1.{section}({l})");
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    ClassifiedBy { text, reasons }
}

/// A portion mark at the start of `s`: `(U)`, `(SBU)`, `(C/NF)`, `(S//NF)`. Returns the short form
/// and the length consumed (including trailing spaces).
pub fn portion_mark_at(s: &str) -> Option<(String, usize)> {
    let t = s.strip_prefix('(')?;
    let close = t.find(')')?;
    if close == 0 || close > 40 {
        return None;
    }
    let inner = &t[..close];
    let mark = normalize_marking(inner)?;
    let mut len = close + 2;
    while s.as_bytes().get(len) == Some(&b' ') {
        len += 1;
    }
    Some((mark, len))
}

/// Normalise what sits inside a portion mark's parentheses to the short form.
pub fn normalize_marking(inner: &str) -> Option<String> {
    crate::tables::normalize_portion_marking(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_lines() {
        let c = classification_line(
            "C O N F I D E N T I A L SECTION 01 OF 02 REYKJAVIK 000195",
            true,
        )
        .unwrap();
        assert_eq!(c.level, "CONFIDENTIAL");
        assert_eq!(c.section, Some(Section { n: 1, of: 2 }));
        assert_eq!(c.origin.as_deref(), Some("REYKJAVIK"));
        assert_eq!(c.serial.as_deref(), Some("000195"));
        let c = classification_line("S e c r e t nairobi 001938", true).unwrap();
        assert_eq!(c.level, "SECRET");
        assert_eq!(c.origin.as_deref(), Some("NAIROBI"));
        let c = classification_line("UNCLAS SECTION 01 OF 02 STATE 100153", true).unwrap();
        assert_eq!(c.level, "UNCLASSIFIED");
        let c = classification_line("SECRET//NOFORN TEL AVIV 002482", true).unwrap();
        assert_eq!(c.caveats, vec!["NOFORN"]);
        assert_eq!(c.origin.as_deref(), Some("TEL AVIV"));
        assert!(classification_line("SECRETARY CLINTON MET 12", true).is_none());
    }

    #[test]
    fn eo_lines() {
        let (s, c) = eo_start("E.O. 12958: DECL: 07/24/2034").unwrap();
        assert_eq!(s, 0);
        let eo = parse_eo(&"E.O. 12958: DECL: 07/24/2034"[c..]);
        assert_eq!(eo.order.as_deref(), Some("12958"));
        assert_eq!(eo.declassify_on.as_deref(), Some("2034-07-24"));
        let eo = parse_eo("12958: N/A");
        assert_eq!(eo.code.as_deref(), Some("N/A"));
        let eo = parse_eo("12958 DECL: 2020/02/23");
        assert_eq!(eo.declassify_on.as_deref(), Some("2020-02-23"));
        let eo = parse_eo("12958: decl: 6/3/08");
        assert_eq!(eo.declassify_on.as_deref(), Some("2008-06-03"));
        let eo = parse_eo("12356: DECL:OADR");
        assert_eq!(eo.code.as_deref(), Some("OADR"));
        assert!(eo_start("DEPT FOR WHA/BSC E.O. 12958: DECL: 11/22/2012").is_some());
        assert!(eo_start("EO 12958 DECL: 12/31/2034").is_some());
        assert!(eo_start("THE ECONOMY GREW 12345").is_none());
    }

    #[test]
    fn reasons() {
        for (s, want) in [
            (
                "Ambassador X for reasons 1.4 (b) and (d).",
                vec!["1.4(b)", "1.4(d)"],
            ),
            ("Paul Wohlers. Reason 1.4.(d)", vec!["1.4(d)"]),
            ("X, reasons 1.4 (b,d)", vec!["1.4(b)", "1.4(d)"]),
            ("X 1.4(b)(d)", vec!["1.4(b)", "1.4(d)"]),
            ("X 1.4 b and d", vec!["1.4(b)", "1.4(d)"]),
            ("X 1.4 (B/D)", vec!["1.4(b)", "1.4(d)"]),
            ("X 1.5 (b&d)", vec!["1.5(b)", "1.5(d)"]),
        ] {
            assert_eq!(parse_classified_by(s).reasons, want, "{s}");
        }
    }

    #[test]
    fn keywords() {
        assert_eq!(tags_start("TAGS: PREL PK"), Some(6));
        assert_eq!(tags_start("TAGS PREL, PGOV"), Some(5));
        assert!(tags_start("TAGGED ALONG").is_none());
        assert_eq!(subject_start("SUBJECT: X"), Some(9));
        assert_eq!(subject_start("SUBJ: X"), Some(6));
        assert!(subject_start("SUBJECTIVE").is_none());
        assert_eq!(ref_start("REF: A. STATE 1"), Some(5));
        assert!(ref_start("REFUGEES ARE").is_none());
        assert!(ref_start("Referring to").is_none());
    }
}
