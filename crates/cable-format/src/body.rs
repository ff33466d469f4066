//! The body: numbered paragraphs with their portion markings, unnumbered section headings, the
//! summary and comment, and the signature.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem;

use crate::lines::{collapse_ws, starts_with_ci, Line};
use crate::model::Span;
use crate::texthead::portion_mark_at;

/// A paragraph in normalised coordinates.
#[derive(Debug, Clone)]
pub struct Para {
    pub number: Option<String>,
    pub marking: Option<String>,
    pub heading: Option<String>,
    /// Span of the whole paragraph (marker included) in normalised text.
    pub span: Span,
    /// Span of the paragraph's text (after marker and marking).
    pub text_span: Span,
}

/// A paragraph marker at the start of a line: `1.`, `1.(SBU)`, `12)`, with optional leading spaces.
/// Returns (number, marking, offset of the text after the marker and marking).
#[inline]
pub fn paragraph_marker(t: &str) -> Option<(u32, Option<Cow<'static, str>>, usize)> {
    // Most lines do not start with a digit: answer those without the full parse. The first byte
    // that is not ASCII whitespace decides, unless it starts a multi-byte character (which may
    // be Unicode whitespace that `trim_start` skips).
    let first = t
        .bytes()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'));
    match first {
        Some(c) if c.is_ascii_digit() || c >= 0x80 => paragraph_marker_full(t),
        _ => None,
    }
}

fn paragraph_marker_full(t: &str) -> Option<(u32, Option<Cow<'static, str>>, usize)> {
    let lead = t.len() - t.trim_start().len();
    let s = &t[lead..];
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let n: u32 = s[..digits].parse().ok()?;
    let mut i = digits;
    match b.get(i) {
        Some(b'.') | Some(b')') => i += 1,
        Some(b' ') if b.get(i + 1) == Some(&b'(') => {}
        _ => return None,
    }
    // `1.2` is a number, not a marker; `1.(C)` and `1. (C)` are markers.
    if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut marking = None;
    if b.get(i) == Some(&b'(') {
        if let Some((m, len)) = portion_mark_at(&s[i..]) {
            marking = Some(m);
            i += len;
        }
    }
    if n == 0 {
        return None;
    }
    Some((n, marking, lead + i))
}

/// A line that only says how the text ends (`BT`, `NNNN`, `#0195`) or repeats the classification.
fn is_trailer(t: &str) -> bool {
    let t = t.trim();
    t == "BT"
        || t == "NNNN"
        || (t.starts_with('#') && t.len() <= 8 && t[1..].bytes().all(|c| c.is_ascii_digit()))
        || crate::texthead::classification_line(t, false).is_some_and(|c| c.origin.is_none())
}

/// A signature line: one or two surnames in capitals (`CLINTON`, `KEEGANPAAL`, `ST. JOHN`).
fn is_signature(t: &str) -> bool {
    let t = t.trim();
    if t.is_empty() || t.len() > 30 {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() > 3 {
        return false;
    }
    let letters = t.bytes().filter(|c| c.is_ascii_alphabetic()).count();
    letters >= 2
        && t.bytes()
            .all(|c| c.is_ascii_uppercase() || matches!(c, b' ' | b'\'' | b'-' | b'.' | b','))
        && !t.ends_with(':')
        && ![
            "END",
            "COMMENT",
            "SUMMARY",
            "UNQUOTE",
            "QUOTE",
            "END COMMENT",
            "END SUMMARY",
            "SIPDIS",
            "NOFORN",
        ]
        .iter()
        .any(|w| t.trim_end_matches('.') == *w)
}

/// A surname written in mixed case on the last line (`Leach`, `McCarthy`).
fn is_capitalized_name(t: &str) -> bool {
    let b = t.as_bytes();
    (3..=20).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(|c| c.is_ascii_alphabetic())
        && b[1..].iter().any(|c| c.is_ascii_lowercase())
}

/// A horizontal rule made of dashes, equals signs or underscores, used to frame headings.
fn is_rule(t: &str) -> bool {
    t.len() >= 3 && t.bytes().all(|c| matches!(c, b'-' | b'=' | b'_' | b' '))
}

/// A short line standing alone between paragraphs: an unnumbered section heading.
fn is_heading(lines: &[Line], i: usize) -> bool {
    let (_, t) = lines[i].trimmed();
    if t.is_empty() || t.len() > 80 || t.ends_with(['.', ',', ';', ':']) && !t.ends_with("--") {
        return false;
    }
    if is_rule(t) {
        return false;
    }
    let blankish = |l: &Line| l.is_blank() || is_rule(l.text.trim());
    let prev_blank = i == 0 || blankish(&lines[i - 1]);
    let next_blank = i + 1 >= lines.len() || blankish(&lines[i + 1]);
    let tb = t.as_bytes();
    let dashes = memchr::memchr_iter(b'-', tb).any(|k| tb.get(k..k + 4) == Some(b"----"));
    prev_blank && (next_blank || dashes)
}

pub struct Body {
    pub paragraphs: Vec<Para>,
    pub signature: Vec<String>,
    pub signature_span: Option<Span>,
}

/// Parse body lines `lines[from..]` of the normalised text.
pub fn parse_body(text: &str, lines: &[Line], from: usize) -> Body {
    // 1. Find the signature at the end: skip trailer lines, then up to two surname lines.
    let mut end = lines.len();
    while end > from && (lines[end - 1].is_blank() || is_trailer(lines[end - 1].text)) {
        end -= 1;
    }
    let mut signature = Vec::new();
    let mut signature_span: Option<Span> = None;
    let mut sig_from = end;
    let mut k = end;
    while k > from && signature.len() < 2 {
        let (_, t) = lines[k - 1].trimmed();
        if t.is_empty() {
            k -= 1;
            continue;
        }
        let last_line = signature.is_empty();
        let prev_ends_sentence = (from..k - 1)
            .rev()
            .map(|j| lines[j].text.trim())
            .find(|x| !x.is_empty())
            .is_some_and(|x| x.ends_with(['.', '"', ')', '\u{201d}', '?', '!']));
        let capitalized = last_line && prev_ends_sentence && is_capitalized_name(t);
        if (is_signature(t) || capitalized) && paragraph_marker(t).is_none() {
            signature.insert(0, t.trim_end_matches(['.', ',']).to_string());
            let s = lines[k - 1].span();
            signature_span = Some(match signature_span {
                Some(o) => Span::new(s.start, o.end),
                None => s,
            });
            sig_from = k - 1;
            k -= 1;
        } else {
            break;
        }
    }
    // A signature must follow some text.
    if sig_from <= from {
        signature.clear();
        signature_span = None;
        sig_from = end;
    }
    let body_end = sig_from;

    // 2. Paragraphs by markers.
    let mut paras: Vec<Para> = Vec::new();
    let mut expected = 1u32;
    let mut pending_heading: Option<String> = None;
    let mut cur: Option<Para> = None;
    let mut prev_blank = true;
    let close = |p: &mut Para, end: usize| {
        p.span.end = end.max(p.span.start);
        p.text_span.end = end.max(p.text_span.start);
    };
    let mut last_text_end = lines.get(from).map(|l| l.start).unwrap_or(text.len());
    for i in from..body_end {
        let line = &lines[i];
        let (off, t) = line.trimmed();
        if t.is_empty()
            || (is_rule(t)
                && cur
                    .as_ref()
                    .is_none_or(|p| p.number.is_some() || prev_blank))
        {
            prev_blank = true;
            continue;
        }
        if let Some((n, marking, text_off)) = paragraph_marker(line.text) {
            let plausible = marking.is_some()
                || n == expected
                || n == 1
                || (prev_blank && n > expected && n <= expected + 3);
            if plausible {
                if let Some(mut p) = cur.take() {
                    close(&mut p, last_text_end);
                    paras.push(p);
                }
                let start = line.start + text_off;
                cur = Some(Para {
                    number: Some(n.to_string()),
                    marking: marking.map(Cow::into_owned),
                    heading: pending_heading.take(),
                    span: Span::new(off, line.end()),
                    text_span: Span::new(start.min(line.end()), line.end()),
                });
                last_text_end = line.end();
                expected = n + 1;
                prev_blank = false;
                continue;
            }
        }
        if prev_blank && is_heading(lines, i) && i + 1 < body_end {
            // Only a heading when a numbered paragraph follows it directly.
            let next =
                (i + 1..body_end).find(|&j| !lines[j].is_blank() && !is_rule(lines[j].text.trim()));
            if next.is_some_and(|j| paragraph_marker(lines[j].text).is_some()) {
                if let Some(mut p) = cur.take() {
                    close(&mut p, last_text_end);
                    paras.push(p);
                }
                let h = t.trim_end_matches(['-', ' ']).trim();
                pending_heading = Some(collapse_ws(h));
                prev_blank = false;
                continue;
            }
        }
        match cur.as_mut() {
            Some(_) => {}
            None => {
                cur = Some(Para {
                    number: None,
                    marking: None,
                    heading: pending_heading.take(),
                    span: Span::new(off, line.end()),
                    text_span: Span::new(off, line.end()),
                });
            }
        }
        last_text_end = line.end();
        prev_blank = false;
    }
    if let Some(mut p) = cur.take() {
        close(&mut p, last_text_end);
        paras.push(p);
    }
    Body {
        paragraphs: paras,
        signature,
        signature_span,
    }
}

/// Where `SUMMARY` and `COMMENT` (in any case) start in the body text, from the first paragraph
/// to the end of the last, as offsets from its start, in increasing order: the keyword searches
/// of [`find_summary`] and [`find_comments`] walk these lists.
#[derive(Debug, Default, PartialEq)]
pub struct Keywords {
    summary: Vec<usize>,
    comment: Vec<usize>,
}

/// The body text (from the first paragraph to the end of the last) in ASCII capitals, byte for
/// byte the same length: [`body_keywords`] searches it with a plain substring search instead of
/// a case-insensitive scan.
pub fn upper_body(text: &str, paras: &[Para]) -> Vec<u8> {
    match (paras.first(), paras.last()) {
        // Written in one pass (`to_ascii_uppercase` copies, then changes the copy in place).
        (Some(first), Some(last)) => text.as_bytes()[first.span.start..last.span.end]
            .iter()
            .map(u8::to_ascii_uppercase)
            .collect(),
        _ => Vec::new(),
    }
}

static MM: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("MM"));

/// Both keywords have `MM` at their third and fourth letters: one pass over the `MM`s of the
/// upper-cased body `up` ([`upper_body`]) finds every occurrence of both. An occurrence is
/// identified by its first `M`, so none is found twice, and the lists come out sorted. None is
/// missed either, though `find_iter` skips a match's second byte: the letter before a keyword's
/// `MM` is `U` or `O`, never an `M` that could start a match covering the keyword's first `M`.
pub fn body_keywords(up: &[u8]) -> Keywords {
    let mut k = Keywords::default();
    for j in MM.find_iter(up) {
        if j < 2 || j + 5 > up.len() {
            continue;
        }
        let word = &up[j - 2..j + 5];
        if word == b"SUMMARY" {
            k.summary.push(j - 2);
        } else if word == b"COMMENT" {
            k.comment.push(j - 2);
        }
    }
    k
}

/// Find the summary in the body text (normalised): `Summary:` … `End Summary`.
/// Returns the span of the summary's text. `kw` is [`body_keywords`].
pub fn find_summary(text: &str, paras: &[Para], kw: &Keywords) -> Option<Span> {
    let body_start = paras.first()?.span.start;
    let end = paras.last()?.span.end;
    let end_rel = find_end_marker(&text.as_bytes()[body_start..end], 0, &kw.summary);
    // Start: a paragraph whose text starts with a summary keyword.
    for p in paras {
        let pt = &text[p.text_span.start..p.text_span.end];
        let mut lead = pt.len() - pt.trim_start().len();
        let mut pt2 = pt.trim_start();
        // An unnumbered paragraph may still carry a portion mark: `(S/NF) Summary: ...`.
        if let Some((_, len)) = portion_mark_at(pt2) {
            lead += len;
            pt2 = &pt2[len..];
        }
        for kw in [
            "BEGIN SUMMARY",
            "SUMMARY AND COMMENT",
            "SUMMARY AND ACTION REQUEST",
            "SUMMARY",
            "SUMMAY",
            "INTRODUCTION AND SUMMARY",
        ] {
            if starts_with_ci(pt2, kw) {
                let after = &pt2[kw.len()..];
                if !(after.is_empty() || after.starts_with([':', '.', ' ', '-', '\n', ','])) {
                    continue;
                }
                let content = after.trim_start_matches([':', '.', ' ', '-', '\n', ',']);
                let start = p.text_span.start + lead + (pt2.len() - content.len());
                let end = match end_rel {
                    Some((e, _)) if body_start + e > start => body_start + e,
                    _ => p.text_span.end,
                };
                return Some(trim_span(text, Span::new(start, end)));
            }
        }
    }
    // A `Summary` section heading: its paragraphs up to the end marker or the next heading.
    if let Some(i) = paras.iter().position(|p| {
        p.heading
            .as_deref()
            .is_some_and(|h| starts_with_ci(h, "SUMMARY"))
    }) {
        let start = paras[i].text_span.start;
        let next_heading = paras[i + 1..]
            .iter()
            .position(|p| p.heading.is_some())
            .map(|j| i + j);
        let section_end = paras[next_heading.unwrap_or(i)].text_span.end;
        let end = match end_rel {
            Some((e, _)) if body_start + e > start => body_start + e,
            _ => section_end,
        };
        return Some(trim_span(text, Span::new(start, end)));
    }
    // `End Summary` with no start: the text from the first paragraph to the end marker.
    if let Some((e, _)) = end_rel {
        let first = paras
            .iter()
            .find(|p| p.number.is_some())
            .unwrap_or(&paras[0]);
        let start = first.text_span.start;
        if body_start + e > start {
            return Some(trim_span(text, Span::new(start, body_start + e)));
        }
    }
    None
}

/// Find `COMMENT:` … `END COMMENT` blocks. Returns the spans of their texts. `kw` is
/// [`body_keywords`].
pub fn find_comments(text: &str, paras: &[Para], kw: &Keywords) -> Vec<Span> {
    let mut out = Vec::new();
    let (Some(first), Some(last)) = (paras.first(), paras.last()) else {
        return out;
    };
    let body_start = first.span.start;
    let body = &text[body_start..last.span.end];
    let mut pos = 0;
    // The next occurrence at or after `pos`, as a search from `pos` would find it.
    let mut next = 0;
    loop {
        while next < kw.comment.len() && kw.comment[next] < pos {
            next += 1;
        }
        let Some(&at) = kw.comment.get(next) else {
            break;
        };
        let before = &body[..at];
        let prev_char = before.chars().next_back();
        let after = &body[at + 7..];
        let is_start = after.starts_with([':', '.']) || after.starts_with(" :");
        let word_start = prev_char.is_none_or(|c| !c.is_ascii_alphanumeric());
        let tail = before.trim_end().as_bytes();
        let tail = &tail[tail.len().saturating_sub(3)..];
        let is_end_word = tail.eq_ignore_ascii_case(b"END") || tail.eq_ignore_ascii_case(b"AND");
        if is_start && word_start && !is_end_word {
            let content = after.trim_start_matches([':', '.', ' ']);
            let cstart = at + 7 + (after.len() - content.len());
            let end = find_end_marker(&body.as_bytes()[cstart..], cstart, &kw.comment)
                .map(|(e, _)| cstart + e);
            let cend = end.unwrap_or_else(|| {
                // Without an end marker the comment runs to the end of its paragraph.
                paras
                    .iter()
                    .find(|p| {
                        p.span.start <= body_start + cstart && body_start + cstart <= p.span.end
                    })
                    .map(|p| p.text_span.end - body_start)
                    .unwrap_or(body.len())
            });
            if cend > cstart {
                out.push(trim_span(
                    text,
                    Span::new(body_start + cstart, body_start + cend),
                ));
            }
            pos = cend.max(at + 7);
        } else {
            pos = at + 7;
        }
    }
    out
}

/// `END SUMMARY`, `End Summary.`, `END OF SUMMARY`: where the marker starts (after any opening
/// parenthesis or dashes) and ends. Found from the keyword back to its `END`, since the keyword's
/// letters are rarer in running text than those of `END`. `b` is text from offset `base` of the
/// body on; `found` lists where the keyword (seven letters) starts in the body, in increasing
/// order ([`Keywords`]). Letters are compared without case.
fn find_end_marker(b: &[u8], base: usize, found: &[usize]) -> Option<(usize, usize)> {
    const LEN: usize = 7;
    let ends_with =
        |end: usize, w: &[u8]| end >= w.len() && b[end - w.len()..end].eq_ignore_ascii_case(w);
    let from = found.partition_point(|&p| p < base);
    for &p in &found[from..] {
        let m = p - base;
        if m + LEN > b.len() {
            break;
        }
        let mut q = m;
        if ends_with(q, b"OF ") {
            q -= 3;
        }
        while q > 0 && matches!(b[q - 1], b' ' | b'\n') {
            q -= 1;
        }
        if !ends_with(q, b"END") {
            continue;
        }
        let at = q - 3;
        if at > 0 && b[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut start = at;
        while start > 0 && matches!(b[start - 1], b'(' | b'-' | b' ' | b'\n') {
            start -= 1;
        }
        return Some((start, m + LEN));
    }
    None
}

fn trim_span(text: &str, s: Span) -> Span {
    let slice = &text[s.start..s.end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    Span::new(s.start + lead, (s.end - trail).max(s.start + lead))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let (n, m, off) = paragraph_marker("1. (C) Text").unwrap();
        assert_eq!((n, m.as_deref(), off), (1, Some("C"), 7));
        let (n, m, _) = paragraph_marker("12.(SBU) Text").unwrap();
        assert_eq!((n, m.as_deref()), (12, Some("SBU")));
        assert!(
            paragraph_marker("2009. He said").is_some_and(|_| false)
                || paragraph_marker("2009. He said").is_none()
        );
        assert!(paragraph_marker("1.4 (b) and (d)").is_none());
        let (n, m, _) = paragraph_marker("  3) text").unwrap();
        assert_eq!((n, m), (3, None));
    }

    #[test]
    fn keywords_are_every_occurrence() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let pieces = [
            "SUMMARY", "summary", "SuMmArY", "COMMENT", "Comment", "M", "m", "MM", "MMM", "SU",
            "CO", "END ", "RY", "ENT", " ", "\n", "x", "\u{e9}",
        ];
        for _ in 0..20_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..(state % 16) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let paras = [Para {
                number: None,
                marking: None,
                heading: None,
                span: Span::new(0, s.len()),
                text_span: Span::new(0, s.len()),
            }];
            let up = upper_body(&s, &paras);
            let all = |w: &[u8]| -> Vec<usize> {
                (0..up.len().saturating_sub(w.len() - 1))
                    .filter(|&i| &up[i..i + w.len()] == w)
                    .collect()
            };
            let k = body_keywords(&up);
            assert_eq!(k.summary, all(b"SUMMARY"), "{s:?}");
            assert_eq!(k.comment, all(b"COMMENT"), "{s:?}");
        }
    }

    #[test]
    fn signatures() {
        assert!(is_signature("CLINTON"));
        assert!(is_signature("KEEGANPAAL"));
        assert!(!is_signature("END SUMMARY."));
        assert!(!is_signature("The Secretary"));
    }
}
