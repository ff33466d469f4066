//! The text heading: classification line, captions, E.O. line, TAGS, SUBJECT, REF and
//! "Classified By".

use std::borrow::Cow;

use crate::id::{edit_distance_bytes, letter_histogram_from};
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

/// The letter counts of each level word, whole and without its first letter, counted at compile
/// time for the damaged-form test of [`match_level`].
const LEVEL_HISTS: [([u8; 26], [u8; 26]); 9] = {
    let mut out = [([0u8; 26], [0u8; 26]); 9];
    let mut i = 0;
    while i < LEVEL_WORDS.len() {
        let w = LEVEL_WORDS[i].0.as_bytes();
        out[i] = (letter_histogram_from(w, 0), letter_histogram_from(w, 1));
        i += 1;
    }
    out
};

/// Whether the letter counts of `cand` (capitals) and of a word of `target_len` capitals with
/// counts `target` differ by at most one, the lower bound of the edit distance
/// ([`crate::id::bag_distance_hists`]) that rules out a candidate. Matches the letters of `cand`
/// against the word's one by one and stops at the second that finds no partner.
fn bag_within_one(cand: &[u8], target: &[u8; 26], target_len: usize) -> bool {
    let mut left = *target;
    let mut unmatched = 0;
    for &c in cand {
        let k = usize::from(c.wrapping_sub(b'A'));
        match left.get_mut(k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                unmatched += 1;
                if unmatched > 1 {
                    return false;
                }
            }
        }
    }
    // The word's letters without a partner in `cand`.
    let missing = target_len.saturating_sub(cand.len() - unmatched);
    missing <= 1
}

/// Match the classification level at the start of a line, tolerating spaced letters
/// (`C O N F I D E N T I A L`), doubled or dropped first letters (`SS E C R E T`, `E C R E T`,
/// `UUNCLAS`) and lower case. Returns (level, is SBU, bytes consumed, exact match). With `fuzzy`
/// false only exact matches are looked for.
fn match_level(t: &str, fuzzy: bool) -> Option<(&'static str, bool, usize, bool)> {
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
    let letters = &buf[..n];
    for &(word, level, sbu) in &LEVEL_WORDS {
        if letters.starts_with(word.as_bytes()) {
            let end = ends[word.len() - 1];
            // A whole word: what follows the match must not continue it.
            if word_boundary(t, end) || spaced(t, end) {
                return Some((level, sbu, end, true));
            }
        }
    }
    // Damaged forms: one extra or one missing letter at the start, or one typo. Only worth trying
    // on a short line that starts in capitals and carries a serial number (a token of digits).
    if !fuzzy {
        return None;
    }
    let starts_upper =
        b[0].is_ascii_uppercase() && b.get(1).is_none_or(|c| !c.is_ascii_lowercase());
    if letters.len() < 5 || t.len() > 140 || !starts_upper || !has_serial_token(b) {
        return None;
    }
    for (&(word, level, sbu), (whole, tail)) in LEVEL_WORDS.iter().zip(LEVEL_HISTS.iter()) {
        // Every variant below takes at least `word.len() - 1` letters.
        if word.len() < 6 || letters.len() + 1 < word.len() {
            continue;
        }
        let word = word.as_bytes();
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
            let (target, target_hist) = if take == word.len() - 1 {
                (&word[1..], tail)
            } else {
                (word, whole)
            };
            // One edit leaves one of the first two letters in place, or swaps them: a test of
            // four bytes rules out most candidates. Then the letter-count bound rules out
            // almost every other line before the edit distance runs.
            let (c, w) = (cand, target);
            if !(c[0] == w[0] || c[1] == w[1] || c[1] == w[0] || c[0] == w[1]) {
                continue;
            }
            let near = bag_within_one(c, target_hist, target.len());
            let ok = near
                && if take == word.len() + 1 {
                    cand.len() == target.len() + 1 && edit_distance_bytes(cand, target) == 1
                } else {
                    edit_distance_bytes(cand, target) <= 1
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

/// Whether `b` has a token (between ASCII whitespace, as `split_ascii_whitespace` cuts) of two to
/// eight digits: a serial number.
fn has_serial_token(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            let j = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if (2..=8).contains(&(j - i)) && b.get(j).is_none_or(u8::is_ascii_whitespace) {
                return true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
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
    let t = crate::lines::trim(text);
    if t.is_empty() {
        return None;
    }
    // Only the start of the line matters: unwrapped headings run on after the serial.
    let t = &t[..crate::lines::floor_char_boundary(t, 140)];
    // Without `need_origin` only an exact level is accepted: damaged forms are not looked for.
    let (level, sbu, consumed, exact) = match_level(t, need_origin)?;
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
    // Every caption and caveat word starts with one of these letters; despacing and upper-casing
    // keep the first letter, and the separators skipped before it are not letters.
    let first = text
        .trim()
        .bytes()
        .find(|c| !matches!(c, b'.' | b' ' | b'/' | b',' | b'-' | b';' | b'(' | b')'));
    if !first.is_some_and(|c| {
        matches!(
            c.to_ascii_uppercase(),
            b'S' | b'F' | b'C' | b'N' | b'E' | b'L' | b'O' | b'P' | b'I' | b'R' | b'D' | b'T'
        )
    }) {
        return None;
    }
    let mut up = despace(text.trim());
    up.make_ascii_uppercase();
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
    // E.O., E. O., EO, E.O, followed by an order number of 4-5 digits.
    for i in memchr::memchr2_iter(b'E', b'e', b) {
        if i + 2 >= b.len() {
            break;
        }
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Some(j) = eo_at(b, i) {
            return Some((i, j));
        }
    }
    None
}

/// Whether an E.O. line starts at the start of `t`: `eo_start(t)` giving 0.
pub fn eo_at_start(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() > 2 && matches!(b[0], b'E' | b'e') && eo_at(b, 0).is_some()
}

/// The E.O. keyword whose `E` is at `i`: where the order number begins.
fn eo_at(b: &[u8], i: usize) -> Option<usize> {
    let up = |i: usize| b.get(i).map(u8::to_ascii_uppercase);
    let mut j = i + 1;
    if up(j) == Some(b'.') {
        j += 1;
    }
    while up(j) == Some(b' ') {
        j += 1;
    }
    if up(j) != Some(b'O') {
        return None;
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
    (k > i + 1 && (4..=5).contains(&digits)).then_some(j)
}

/// Parse an E.O. line's content, starting at the order number: `12958: DECL: 07/24/2034`.
pub fn parse_eo(content: &str) -> ExecutiveOrder {
    let content = content.trim();
    let order = &content[..content.bytes().take_while(u8::is_ascii_digit).count()];
    let rest = content[order.len()..].trim_start_matches([':', ',', ';', ' ', '.']);
    let mut eo = ExecutiveOrder {
        order: (!order.is_empty()).then(|| order.to_string()),
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
    let s = s.trim();
    // ASCII only, so a byte count is a character count.
    let len = s
        .bytes()
        .take_while(|c| c.is_ascii_digit() || matches!(c, b'/' | b'-' | b'.'))
        .count();
    let tok = s[..len].trim_end_matches(['.', '-', '/']);
    // Exactly three parts of one to four digits each.
    let mut parts = [""; 3];
    let mut count = 0;
    for p in tok.split(['/', '-', '.']) {
        if count == 3 || p.is_empty() || p.len() > 4 {
            return None;
        }
        parts[count] = p;
        count += 1;
    }
    if count != 3 {
        return None;
    }
    let mut nums = [0i32; 3];
    for (n, p) in nums.iter_mut().zip(parts) {
        *n = p.parse().ok()?;
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
    // Every keyword starts with `T` or `A`.
    if !matches!(t.as_bytes().first(), Some(b'T' | b't' | b'A' | b'a')) {
        return None;
    }
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
                let r: String = ['1', '.', section, '(', l, ')'].into_iter().collect();
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
pub fn portion_mark_at(s: &str) -> Option<(Cow<'static, str>, usize)> {
    let t = s.strip_prefix('(')?;
    // The first `)` in the next 41 bytes: a mark closes within 40 (a byte loop, where a search
    // through the rest of the line would cost more).
    let close = t.bytes().take(41).position(|c| c == b')')?;
    if close == 0 {
        return None;
    }
    let inner = &t[..close];
    let mark = crate::tables::portion_marking(inner)?;
    let mut len = close + 2;
    while s.as_bytes().get(len) == Some(&b' ') {
        len += 1;
    }
    Some((mark, len))
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
    fn serial_tokens() {
        for t in [
            "SECRET STATE 001234",
            "SECRET 1",
            "12 X",
            "X 123456789",
            "X 12345678",
            "A12 34",
            "A 12B",
            "x\t12\n",
            "",
            "1",
            "\u{e9} 12",
            "12\u{a0}x",
        ] {
            let want = t
                .split_ascii_whitespace()
                .any(|w| (2..=8).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_digit()));
            assert_eq!(has_serial_token(t.as_bytes()), want, "{t:?}");
        }
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
        for t in [
            "E.O. 12958: DECL",
            "EO 12958",
            "e. o. 13526",
            "E.O.12958",
            "EO1295",
            "X E.O. 12958",
            "EO",
            "E",
            "",
            "EXEC 12958",
        ] {
            assert_eq!(
                eo_at_start(t),
                eo_start(t).is_some_and(|(s, _)| s == 0),
                "{t}"
            );
        }
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
