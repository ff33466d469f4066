//! Normalisation before field parsing, with every offset mapped back to the original text.
//!
//! Scrapers and renderers left debris in the cables: HTML entities and stray tags, `¶` paragraph
//! signs, Markdown link debris (`[1](#)1.`, `[PREL](#)`), `\$` escapes, backslash line ends, CRLF,
//! trailing spaces, and page-break header lines in the middle of fields. The field parsers work on
//! the normalised text; [`Normalized::span_to_original`] turns their spans back into spans of the
//! original text, so nothing the parser reports points into text the user never had.

use crate::model::Span;

/// A checkpoint: from `out` on, normalised bytes map to original bytes starting at `orig`.
/// `replaced` marks output produced by a substitution (an entity, a dropped marker): positions
/// inside it map to the start of the original run, ends to its end (`orig_end`).
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    out: usize,
    orig: usize,
    orig_end: usize,
    replaced: bool,
}

/// Normalised text plus the offset map back to the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    checkpoints: Vec<Checkpoint>,
    orig_len: usize,
    /// The offset of every newline in `text`, in order, noted while writing it.
    newlines: Vec<usize>,
}

impl Normalized {
    /// The offsets of the newlines of `text`, in order.
    pub fn newlines(&self) -> &[usize] {
        &self.newlines
    }

    /// Map a normalised byte offset to an offset in the original text (start of a span).
    pub fn to_original(&self, pos: usize) -> usize {
        self.map(pos, false)
    }

    /// Map a normalised span to a span of the original text.
    pub fn span_to_original(&self, span: Span) -> Span {
        let start = self.map(span.start, false);
        let end = self.map(span.end, true).max(start);
        Span::new(start, end)
    }

    fn map(&self, pos: usize, is_end: bool) -> usize {
        let cps = &self.checkpoints;
        if cps.is_empty() {
            return pos.min(self.orig_len);
        }
        // Last checkpoint with out <= pos; for ends, prefer the checkpoint that ends at pos.
        let idx = match cps.binary_search_by(|c| c.out.cmp(&pos)) {
            Ok(mut i) => {
                if is_end && i > 0 {
                    // An end exactly at a checkpoint belongs to the run before it.
                    i -= 1;
                    let c = cps[i];
                    let delta = pos - c.out;
                    return if c.replaced {
                        c.orig_end
                    } else {
                        (c.orig + delta).min(c.orig_end)
                    };
                }
                // Several checkpoints may share `out` (empty replacements): take the last.
                while i + 1 < cps.len() && cps[i + 1].out == pos {
                    i += 1;
                }
                i
            }
            Err(0) => return 0,
            Err(i) => i - 1,
        };
        let c = cps[idx];
        let delta = pos - c.out;
        if c.replaced {
            if delta == 0 {
                c.orig
            } else if is_end {
                c.orig_end
            } else {
                c.orig
            }
        } else {
            (c.orig + delta).min(c.orig_end)
        }
    }
}

struct Builder<'a> {
    src: &'a str,
    out: String,
    checkpoints: Vec<Checkpoint>,
    /// A verbatim run `pending.0..pending.1` not yet written: contiguous copies (line after
    /// line) are merged here and written with one `push_str`.
    pending: (usize, usize),
    /// Where each newline went in `out`.
    newlines: Vec<usize>,
}

impl<'a> Builder<'a> {
    fn copy(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        if self.pending.1 == start && self.pending.0 < self.pending.1 {
            self.pending.1 = end;
            return;
        }
        self.flush();
        self.pending = (start, end);
    }

    /// Write the pending verbatim run.
    #[inline]
    fn flush(&mut self) {
        let (start, end) = std::mem::take(&mut self.pending);
        if start >= end {
            return;
        }
        // Extend the previous verbatim run when it is contiguous.
        if let Some(last) = self.checkpoints.last_mut() {
            if !last.replaced
                && last.orig_end == start
                && last.out + (last.orig_end - last.orig) == self.out.len()
            {
                last.orig_end = end;
                self.out.push_str(&self.src[start..end]);
                return;
            }
        }
        self.checkpoints.push(Checkpoint {
            out: self.out.len(),
            orig: start,
            orig_end: end,
            replaced: false,
        });
        self.out.push_str(&self.src[start..end]);
    }

    /// Copy the newline at `at` verbatim.
    fn copy_newline(&mut self, at: usize) {
        self.copy(at, at + 1);
        // The pending run holds `at` now and goes to the end of `out` when written.
        self.newlines.push(self.out.len() + (at - self.pending.0));
    }

    /// Copy the verbatim run `run..at`, then put `with` in place of the `len` bytes at `at`.
    /// Returns where the next run starts.
    fn substitute(&mut self, run: usize, at: usize, len: usize, with: &str) -> usize {
        self.copy(run, at);
        self.replace(at, at + len, with);
        at + len
    }

    /// [`Builder::replace`] with a newline: what ends every line that loses trailing spaces.
    #[inline]
    fn replace_newline(&mut self, start: usize, end: usize) {
        self.flush();
        let out = self.out.len();
        self.checkpoints.push(Checkpoint {
            out,
            orig: start,
            orig_end: end,
            replaced: true,
        });
        self.newlines.push(out);
        self.out.push('\n');
    }

    fn replace(&mut self, start: usize, end: usize, with: &str) {
        self.flush();
        self.checkpoints.push(Checkpoint {
            out: self.out.len(),
            orig: start,
            orig_end: end,
            replaced: true,
        });
        if with == "\n" {
            // A line end put in place of trailing spaces or a CR: the common case.
            self.newlines.push(self.out.len());
            self.out.push('\n');
            return;
        }
        for (k, c) in with.bytes().enumerate() {
            if c == b'\n' {
                self.newlines.push(self.out.len() + k);
            }
        }
        self.out.push_str(with);
    }

    fn finish(mut self) -> (String, Vec<Checkpoint>, Vec<usize>) {
        self.flush();
        (self.out, self.checkpoints, self.newlines)
    }
}

/// Whether [`normalize`] leaves `src` as it is, told cheaply for one line: no newline, no byte
/// that may start something to normalise, no line end to strip, no page-break header. False
/// does not mean the text would change.
pub(crate) fn is_normal(src: &str) -> bool {
    let b = src.as_bytes();
    !b.iter().any(|&c| {
        matches!(
            c,
            b'\n' | b'\r' | b'\t' | b'&' | b'<' | b'[' | b'\\' | 0xC2 | b'{'
        )
    }) && b.last() != Some(&b' ')
        && page_break_len(src).is_none()
}

/// Normalise a decoded cable text.
pub fn normalize(src: &str) -> Normalized {
    normalize_into(src, Scratch::default())
}

/// The buffers of a [`Normalized`], emptied, for the next normalisation to write into: the parser
/// keeps one set per thread instead of allocating three text-sized buffers for every cable.
#[derive(Default)]
pub(crate) struct Scratch {
    out: String,
    checkpoints: Vec<Checkpoint>,
    newlines: Vec<usize>,
}

impl Scratch {
    /// The bytes the buffers hold room for.
    pub(crate) fn capacity(&self) -> usize {
        self.out.capacity()
            + self.checkpoints.capacity() * std::mem::size_of::<Checkpoint>()
            + self.newlines.capacity() * std::mem::size_of::<usize>()
    }
}

impl Normalized {
    /// Give the buffers back for reuse.
    pub(crate) fn into_scratch(self) -> Scratch {
        Scratch {
            out: self.text,
            checkpoints: self.checkpoints,
            newlines: self.newlines,
        }
    }
}

/// [`normalize`], writing into the buffers of `scratch`.
pub(crate) fn normalize_into(src: &str, scratch: Scratch) -> Normalized {
    let Scratch {
        mut out,
        mut checkpoints,
        mut newlines,
    } = scratch;
    out.clear();
    out.reserve(src.len());
    checkpoints.clear();
    checkpoints.reserve(src.len() / 64 + 16);
    newlines.clear();
    newlines.reserve(src.len() / 48 + 1);
    let mut b = Builder {
        src,
        out,
        checkpoints,
        pending: (0, 0),
        newlines,
    };
    let bytes = src.as_bytes();
    let mut specials = Specials::new(bytes);
    let newline = NewlineFinder::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let nl = newline.find(&bytes[line_start..]).map(|i| line_start + i);
        let (content_end, next) = match nl {
            Some(i) => (i, i + 1),
            None => (bytes.len(), bytes.len()),
        };
        // Drop CR at the end of the line (CRLF) and trailing spaces, tabs and backslash ends.
        let mut end = content_end;
        loop {
            while end > line_start && matches!(bytes[end - 1], b'\r' | b' ' | b'\t') {
                end -= 1;
            }
            if end > line_start
                && bytes[end - 1] == b'\\'
                && !(end >= line_start + 2 && bytes[end - 2] == b'\\')
            {
                end -= 1;
                continue;
            }
            break;
        }
        // Page-break header lines go whole, newline included: they break fields mid-line. A
        // header with text run on after it loses only the header.
        let mut content_start = line_start;
        if let Some(len) = page_break_len(&src[line_start..end]) {
            if line_start + len >= end {
                line_start = next;
                continue;
            }
            content_start = line_start + len;
        }
        normalize_line(&mut b, &mut specials, content_start, end);
        if nl.is_some() {
            if end == content_end {
                // Nothing stripped: the newline extends the verbatim run.
                b.copy_newline(end);
            } else {
                b.replace_newline(end, next);
            }
        }
        line_start = next;
    }
    let (text, checkpoints, newlines) = b.finish();
    debug_assert!(memchr::memchr_iter(b'\n', text.as_bytes()).eq(newlines.iter().copied()));
    Normalized {
        text,
        checkpoints,
        orig_len: src.len(),
        newlines,
    }
}

/// Finds the newline ending each line. `memchr::memchr` picks its implementation through a function
/// pointer on every call; with a call per line, picking it once per text is cheaper.
enum NewlineFinder {
    #[cfg(target_arch = "x86_64")]
    Avx2(memchr::arch::x86_64::avx2::memchr::One),
    Any,
}

impl NewlineFinder {
    fn new() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = memchr::arch::x86_64::avx2::memchr::One::new(b'\n') {
            return NewlineFinder::Avx2(one);
        }
        NewlineFinder::Any
    }

    #[inline]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        match self {
            #[cfg(target_arch = "x86_64")]
            NewlineFinder::Avx2(one) => one.find(hay),
            NewlineFinder::Any => memchr::memchr(b'\n', hay),
        }
    }
}

/// Finds every byte that may start something to normalise (`&`, `<`, `[`, `\\`, the first byte
/// of `¶` and NBSP, `{`, tab, CR; everything else is copied as is) with three vectorised `memchr`
/// searches, each remembering its next hit. Calls come with `i` never decreasing, so each search
/// moves forward over the text once, and nothing is collected or sorted.
struct Specials<'a> {
    src: &'a [u8],
    /// The next hit of each search at or after the last `i` asked for (`usize::MAX`: none).
    next: [usize; 3],
    /// The smallest of `next`.
    first: usize,
}

impl<'a> Specials<'a> {
    fn new(src: &'a [u8]) -> Self {
        let mut s = Specials {
            src,
            next: [usize::MAX; 3],
            first: usize::MAX,
        };
        for k in 0..3 {
            s.next[k] = s.search(k, 0);
        }
        s.first = s.next.iter().copied().min().unwrap_or(usize::MAX);
        s
    }

    fn search(&self, k: usize, i: usize) -> usize {
        let hay = &self.src[i..];
        let hit = match k {
            0 => memchr::memchr3(b'&', b'<', b'[', hay),
            1 => memchr::memchr3(b'\\', 0xC2, b'{', hay),
            _ => memchr::memchr2(b'\t', b'\r', hay),
        };
        hit.map_or(usize::MAX, |p| i + p)
    }

    /// The first special position in `i..end`. Calls come with `i` never decreasing.
    #[inline]
    fn find(&mut self, i: usize, end: usize) -> Option<usize> {
        // Most lines hold no special byte: the nearest hit lies beyond them.
        if self.first >= i {
            return (self.first < end).then_some(self.first);
        }
        self.refill(i, end)
    }

    fn refill(&mut self, i: usize, end: usize) -> Option<usize> {
        let mut best = usize::MAX;
        for k in 0..3 {
            if self.next[k] < i {
                self.next[k] = if i < self.src.len() {
                    self.search(k, i)
                } else {
                    usize::MAX
                };
            }
            best = best.min(self.next[k]);
        }
        self.first = best;
        (best < end).then_some(best)
    }
}

/// Normalise one line's content `src[start..end]` (no newline) into the builder.
fn normalize_line(b: &mut Builder, specials: &mut Specials, start: usize, end: usize) {
    let src = b.src;
    let bytes = src.as_bytes();
    let mut i = start;
    let mut run = start;
    while i < end {
        // Skip ordinary bytes.
        match specials.find(i, end) {
            Some(k) => i = k,
            None => break,
        }
        let c = bytes[i];
        match c {
            b'&' => {
                if let Some((len, rep)) = entity_at(&src[i..end]) {
                    let rep = match rep.as_str() {
                        "\r\n" | "\r" => "\n",
                        "\u{b6}" => "",
                        other => other,
                    };
                    i = b.substitute(run, i, len, rep);
                    run = i;
                    continue;
                }
            }
            b'<' => {
                if let Some((len, rep)) = html_tag_at(&src[i..end]) {
                    i = b.substitute(run, i, len, rep);
                    run = i;
                    continue;
                }
            }
            b'[' => {
                if let Some((len, keep)) = md_link_at(&src[i..end]) {
                    // `[1](#)1.`: the marker after the link is the real one; drop the link.
                    // `[PREL](#)`: keep the link text, mapped onto itself.
                    let glued = src[i + len..end].starts_with(|c: char| c.is_alphanumeric());
                    let next = b.substitute(run, i, len, "");
                    if !glued {
                        b.copy(i + 1, i + 1 + keep.len());
                    }
                    i = next;
                    run = i;
                    continue;
                }
            }
            // Markdown escapes of punctuation: `\$`, `\*`, `\_`, `\#`, `\[`, `\]`.
            b'\\'
                if i + 1 < end
                    && matches!(
                        bytes[i + 1],
                        b'$' | b'*' | b'_' | b'#' | b'[' | b']' | b'`' | b'~' | b'|'
                    ) =>
            {
                i = b.substitute(run, i, 1, "");
                run = i;
                i += 1;
                continue;
            }
            // U+00B6 PILCROW SIGN (¶) goes; U+00A0 NO-BREAK SPACE becomes a space.
            0xC2 if i + 1 < end && matches!(bytes[i + 1], 0xB6 | 0xA0) => {
                let rep = if bytes[i + 1] == 0xB6 { "" } else { " " };
                i = b.substitute(run, i, 2, rep);
                run = i;
                continue;
            }
            b'\t' => {
                i = b.substitute(run, i, 1, " ");
                run = i;
                continue;
            }
            b'\r' => {
                i = b.substitute(run, i, 1, "\n");
                run = i;
                continue;
            }
            // A stray `{` between spaces stands for a dash in the original telegram.
            b'{' if i > start && bytes[i - 1] == b' ' && i + 1 < end && bytes[i + 1] == b' ' => {
                i = b.substitute(run, i, 1, "--");
                run = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    b.copy(run, end);
}

/// An HTML character reference at the start of `s`: its length and replacement.
fn entity_at(s: &str) -> Option<(usize, String)> {
    let semi = s.as_bytes().iter().take(12).position(|&c| c == b';')?;
    let ent = &s[..=semi];
    let body = &ent[1..semi];
    if body.is_empty() {
        return None;
    }
    if let Some(num) = body.strip_prefix('#') {
        let cp = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        let ch = char::from_u32(cp).filter(|c| *c != '\0')?;
        return Some((ent.len(), ch.to_string()));
    }
    if !body.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let decoded = html_escape::decode_html_entities(ent);
    if decoded == ent {
        return None;
    }
    Some((ent.len(), decoded.into_owned()))
}

/// Formatting tags that scrapers left in the text. Anything else that looks like a tag is kept as
/// text: cables do contain `<` and the occasional literal markup.
fn html_tag_at(s: &str) -> Option<(usize, &'static str)> {
    let close = s.as_bytes().iter().take(64).position(|&c| c == b'>')?;
    let inner = s[1..close]
        .trim_start_matches('/')
        .trim_end_matches('/')
        .trim();
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let rest = &inner[name.len()..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let rep = match name.as_str() {
        "br" | "p" => "\n",
        "strong" | "em" | "b" | "i" | "u" | "td" | "tr" | "table" | "tbody" | "a" | "font"
        | "span" | "div" | "pre" | "code" => "",
        _ => return None,
    };
    Some((close + 1, rep))
}

/// Markdown link debris `[x](#)` at the start of `s`: its length and the link text.
fn md_link_at(s: &str) -> Option<(usize, &str)> {
    let close = s.find("](#)")?;
    let text = &s[1..close];
    if text.len() > 40 || text.contains('[') || text.contains(']') {
        return None;
    }
    Some((close + 4, text))
}

/// Whether `b` contains ` OF `. Its `O` and `F` sit side by side, so one of them is at an odd
/// position: only odd positions are tested, and the bytes around a hit there checked.
fn contains_of(b: &[u8]) -> bool {
    let mut j = 1;
    while j < b.len() {
        let at = match b[j] {
            b'O' => j - 1,
            b'F' => j.saturating_sub(2),
            _ => {
                j += 2;
                continue;
            }
        };
        if b.get(at..at + 4) == Some(b" OF ") {
            return true;
        }
        j += 2;
    }
    false
}

/// Page-break header lines inside the text, e.g. `GENEVA 00002654  001.2 OF 004`,
/// `PAGE 02 ROME 01196 01 OF 02 082030Z`, `UNCLASSIFIED PAGE 02 VATICA 00283 01 OF 05 241033Z`.
pub fn is_page_break(line: &str) -> bool {
    page_break_len(line) == Some(line.len())
}

/// The length of a page-break header at the start of `line`. For the `PAGE nn` forms it is the
/// whole line. For the `<ORIGIN> <serial> <n[.n]> OF <m>` form it is the header and the spaces
/// after it: unwrapped renderings run the next paragraph's text on after the header, and that text
/// must stay.
#[inline]
pub fn page_break_len(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    if b.len() < 10 {
        return None;
    }
    // Cheap filters first: every form starts in capitals (after any indent), and has `PAGE `
    // near the start or a serial of five or more digits.
    let lead = b.iter().take_while(|c| **c == b' ').count();
    let start = &b[lead..];
    if start.len() < 2 || !start[0].is_ascii_uppercase() || start[1].is_ascii_lowercase() {
        return None;
    }
    page_break_len_slow(line, lead)
}

/// Whether `s` (a line without its leading spaces) starts with the first word of a `PAGE nn`
/// line as [`page_line`] takes it: `PAGE` or a level word.
#[inline]
fn starts_page_line(s: &[u8]) -> bool {
    match s.first() {
        Some(b'P') => s.starts_with(b"PAGE"),
        Some(b'U') => s.starts_with(b"UNCLAS"),
        Some(b'C') => s.starts_with(b"CONFIDENTIAL"),
        Some(b'S') => s.starts_with(b"SECRET"),
        Some(b'L') => s.starts_with(b"LIMITED"),
        Some(b'T') => s.starts_with(b"TOP"),
        _ => false,
    }
}

/// The bytes an `<ORIGIN>` and the whitespace around its words are made of: ASCII capitals, the
/// apostrophe and ASCII whitespace.
static ORIGIN_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'A';
    while c <= b'Z' {
        t[c as usize] = true;
        c += 1;
    }
    t[b'\'' as usize] = true;
    t[b' ' as usize] = true;
    let mut c = 0x09;
    while c <= 0x0D {
        t[c as usize] = true;
        c += 1;
    }
    t
};

/// Whether the first byte of the first 64 of `b` that is not an [`ORIGIN_BYTE`] is a digit, or a
/// byte of a multi-byte character (which may be Unicode whitespace). True for every header
/// [`page_break_len_slow`] accepts through [`of_header_len`]: it needs a run of five digits in the
/// first 64 bytes, and only origin words come before the serial.
#[inline]
fn digit_after_origin(b: &[u8]) -> bool {
    let head = &b[..b.len().min(64)];
    head.iter()
        .find(|&&c| !ORIGIN_BYTE[usize::from(c)])
        .is_some_and(|&c| c.is_ascii_digit() || c >= 0x80)
}

/// [`page_break_len`] past its first filters.
fn page_break_len_slow(line: &str, lead: usize) -> Option<usize> {
    let b = line.as_bytes();
    // A `PAGE nn` line starts with `PAGE` or a level word; an `<ORIGIN> <serial> n OF m` header
    // has only capitals, apostrophes and whitespace before its serial's first digit.
    if !starts_page_line(&b[lead..]) && !digit_after_origin(b) {
        return None;
    }
    let head = &b[..b.len().min(64)];
    let (has_page, digits5) = scan_head(head);
    if !has_page && (!digits5 || !contains_of(head)) {
        return None;
    }
    if has_page && line.trim().len() <= 90 && page_line(line.trim()) {
        return Some(b.len());
    }
    of_header_len(line)
}

/// What a byte can be part of, for [`scan_head`]: bits 0–2 hold its position in `PAGE ` plus one
/// (0: not in it; the five bytes differ), bit 3 marks a digit.
static HEAD_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let needle = b"PAGE ";
    let mut k = 0;
    while k < needle.len() {
        t[needle[k] as usize] = k as u8 + 1;
        k += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 8;
        d += 1;
    }
    t
};

/// `contains_page` and `has_digit_run5` (kept to test this against) of `b` in one strided pass: only every fifth byte is
/// looked up, and what it can be part of decides what is checked around it.
fn scan_head(b: &[u8]) -> (bool, bool) {
    const NEEDLE: &[u8; 5] = b"PAGE ";
    let mut digits5 = false;
    let mut j = 4;
    while j < b.len() {
        let class = HEAD_CLASS[usize::from(b[j])];
        if class != 0 {
            if class & 8 != 0 {
                if !digits5 {
                    let left = b[..j]
                        .iter()
                        .rev()
                        .take_while(|c| c.is_ascii_digit())
                        .count();
                    let right = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
                    digits5 = left + right >= 5;
                }
            } else {
                let k = usize::from(class - 1);
                if j >= k && b.get(j - k..j - k + 5) == Some(NEEDLE) {
                    return (true, digits5);
                }
            }
        }
        j += 5;
    }
    (false, digits5)
}

/// Whether `b` holds a run of five or more ASCII digits. Any such run covers one of every five
/// consecutive positions, so only every fifth byte is tested, and the run around a digit there
/// measured.
#[cfg(test)]
fn has_digit_run5(b: &[u8]) -> bool {
    let mut j = 4;
    while j < b.len() {
        if b[j].is_ascii_digit() {
            let left = b[..j]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let right = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
            if left + right >= 5 {
                return true;
            }
        }
        j += 5;
    }
    false
}

/// Whether `b` contains `PAGE `. Its five bytes differ, so an occurrence covers exactly one of
/// every five consecutive positions with one of its bytes: only every fifth byte is tested, and a
/// byte of the needle there tells where the occurrence would start.
#[cfg(test)]
fn contains_page(b: &[u8]) -> bool {
    const NEEDLE: &[u8; 5] = b"PAGE ";
    let mut j = 4;
    while j < b.len() {
        if let Some(k) = NEEDLE.iter().position(|&c| c == b[j]) {
            if j >= k && b.get(j - k..j - k + 5) == Some(NEEDLE) {
                return true;
            }
        }
        j += 5;
    }
    false
}

/// `<LEVEL>? PAGE nn <ORIGIN> <serial> ...` as a whole line.
fn page_line(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut w = &words[..];
    if let Some(first) = w.first() {
        if matches!(
            *first,
            "UNCLASSIFIED" | "UNCLAS" | "CONFIDENTIAL" | "SECRET" | "LIMITED" | "TOP"
        ) {
            let skip = w.iter().position(|x| *x == "PAGE").unwrap_or(0);
            if skip > 0 && skip <= 3 {
                w = &w[skip..];
            }
        }
    }
    w.len() >= 4
        && w[0] == "PAGE"
        && w[1].len() <= 3
        && w[1].bytes().all(|c| c.is_ascii_digit())
        && w[2..].iter().any(|x| {
            let digits = x.bytes().rev().take_while(|c| c.is_ascii_digit()).count();
            digits >= 4
        })
}

/// `<ORIGIN words> <serial of 5+ digits> <nnn[.n]> OF <nnn>` at the start of the line: the
/// length of the header with the spaces after it.
fn of_header_len(line: &str) -> Option<usize> {
    // Tokens with their end offsets, up to the one after `OF`.
    let mut buf: [(&str, usize); 9] = [("", 0); 9];
    let mut count = 0;
    let mut rest = line;
    let mut pos = 0;
    while count < 9 {
        let lead = rest.len() - rest.trim_start().len();
        rest = &rest[lead..];
        pos += lead;
        if rest.is_empty() {
            break;
        }
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        buf[count] = (&rest[..len], pos + len);
        count += 1;
        let done = count >= 2 && buf[count - 2].0 == "OF";
        rest = &rest[len..];
        pos += len;
        if done {
            break;
        }
    }
    let tokens = &buf[..count];
    let of = tokens.iter().position(|(w, _)| *w == "OF")?;
    if of < 3 || of + 1 >= tokens.len() {
        return None;
    }
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|c| c.is_ascii_digit());
    let numbered = tokens[of - 1].0.split('.').all(digits);
    let serial = tokens[of - 2].0;
    let origin_ok = tokens[..of - 2]
        .iter()
        .all(|(x, _)| x.bytes().all(|c| c.is_ascii_uppercase() || c == b'\''));
    if !(numbered && digits(tokens[of + 1].0) && serial.len() >= 5 && digits(serial) && origin_ok) {
        return None;
    }
    let end = tokens[of + 1].1;
    let after = &line[end..];
    Some(end + (after.len() - after.trim_start().len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_roundtrip(src: &str) {
        let n = normalize(src);
        for i in 0..=n.text.len() {
            let o = n.to_original(i);
            assert!(o <= src.len(), "{i} -> {o} out of {}", src.len());
        }
    }

    #[test]
    fn replace_newline_is_replace_with_a_newline() {
        let src = "AB  \nCD\r\nEF\t\n  \nGH";
        // (copy from, copy to, replace from, replace to) for each line that loses its end.
        let steps = [
            (0, 2, 2, 5),
            (5, 7, 7, 9),
            (9, 11, 11, 13),
            (13, 13, 13, 16),
        ];
        let build = |fast: bool| {
            let mut b = Builder {
                src,
                out: String::new(),
                checkpoints: Vec::new(),
                pending: (0, 0),
                newlines: Vec::new(),
            };
            for (c0, c1, r0, r1) in steps {
                b.copy(c0, c1);
                if fast {
                    b.replace_newline(r0, r1);
                } else {
                    b.replace(r0, r1, "\n");
                }
            }
            b.copy(16, 18);
            let (text, cps, nls) = b.finish();
            let cps: Vec<_> = cps
                .iter()
                .map(|c| (c.out, c.orig, c.orig_end, c.replaced))
                .collect();
            (text, cps, nls)
        };
        assert_eq!(build(true), build(false));
        assert_eq!(build(true).0, "AB\nCD\nEF\n\nGH");
    }

    #[test]
    fn entities_and_pilcrow() {
        let n = normalize("a &amp; b\r\n\u{b6}1. (C) x&#8217;s&#x000A;y  \n");
        assert_eq!(n.text, "a & b\n1. (C) x\u{2019}s\ny\n");
        check_roundtrip("a &amp; b\r\n\u{b6}1. (C) x&#8217;s&#x000A;y  \n");
    }

    #[test]
    fn markdown_debris() {
        let src = "[1](#)1. (U) costs \\$2.5 billion { more\nTAGS: [OVIP](#) [PREL](#)\n";
        let n = normalize(src);
        assert_eq!(
            n.text,
            "1. (U) costs $2.5 billion -- more\nTAGS: OVIP PREL\n"
        );
        // The span of `costs` maps back onto `costs` in the original.
        let s = n.text.find("costs").unwrap();
        let o = n.span_to_original(Span::new(s, s + 5));
        assert_eq!(&src[o.start..o.end], "costs");
        let s = n.text.find("PREL").unwrap();
        let o = n.span_to_original(Span::new(s, s + 4));
        assert_eq!(&src[o.start..o.end], "PREL");
    }

    #[test]
    fn is_normal_means_unchanged() {
        for s in [
            "",
            "A. STATE 12345 B. LONDON 678",
            "MOSCOW 00005740 005 OF 005",
            "PAGE 02 ROME 01196 01 OF 02 082030Z",
            "X &amp; Y",
            "A  ",
            "A\\",
            "A\tB",
            "\u{b6}1. TEXT",
            "[1](#)1. A",
            "A { B",
            "A\nB",
            "A\r",
        ] {
            if is_normal(s) {
                assert_eq!(normalize(s).text, s, "{s:?}");
            }
        }
        assert!(is_normal("A. STATE 12345 B. LONDON 678"));
        assert!(!is_normal("MOSCOW 00005740 005 OF 005"));
    }

    #[test]
    fn backslash_line_ends() {
        let n = normalize("FRUSTRATION \\\n \\\nNEXT");
        assert_eq!(n.text, "FRUSTRATION\n\nNEXT");
    }

    #[test]
    fn page_breaks_removed() {
        let src = "SUBJECT: A LONG\nGENEVA 00002654  001.2 OF 004\nSUBJECT LINE\nPAGE 02 ROME 01196 01 OF 02 082030Z\nend\n";
        let n = normalize(src);
        assert_eq!(n.text, "SUBJECT: A LONG\nSUBJECT LINE\nend\n");
        let s = n.text.find("SUBJECT LINE").unwrap();
        let o = n.span_to_original(Span::new(s, s + 12));
        assert_eq!(&src[o.start..o.end], "SUBJECT LINE");
        let s = n.text.find("end").unwrap();
        let o = n.span_to_original(Span::new(s, s + 3));
        assert_eq!(&src[o.start..o.end], "end");
        check_roundtrip(src);
    }

    #[test]
    fn page_break_header_with_run_on_text_keeps_the_text() {
        let src = "half of which will go to\nRABAT 00001657  002 OF 002 French companies Alstom.\n";
        let n = normalize(src);
        assert_eq!(
            n.text,
            "half of which will go to\nFrench companies Alstom.\n"
        );
        let s = n.text.find("French").unwrap();
        let o = n.span_to_original(Span::new(s, s + 6));
        assert_eq!(&src[o.start..o.end], "French");
        assert_eq!(
            page_break_len("RABAT 00001657  002 OF 002 French"),
            Some(27)
        );
        assert_eq!(page_break_len("THE 12345 PEOPLE 2 OF 3"), None);
    }

    #[test]
    fn strided_searches_agree_with_plain_ones() {
        let samples = [
            "",
            "PAGE ",
            "xPAGE ",
            "xxPAGE ",
            "xxxPAGE ",
            "xxxxPAGE ",
            "PAGE",
            "PAGEPAGE x",
            "12345",
            "x12345",
            "1234 5678",
            "ab 123456 cd",
            "0123",
            "xxxx1234x56789",
            " OF ",
            "x OF 3",
            "OF OF",
            " OFF ",
            "O OF",
            "1 OF 2 F",
            "F OF F",
        ];
        for s in samples {
            for pad in 0..6 {
                let t = format!("{}{s}", "-".repeat(pad));
                let b = t.as_bytes();
                let page = b.windows(5).any(|w| w == b"PAGE ");
                assert_eq!(contains_page(b), page, "{t:?}");
                let mut run = 0;
                let digits = b.iter().any(|c| {
                    run = if c.is_ascii_digit() { run + 1 } else { 0 };
                    run >= 5
                });
                assert_eq!(has_digit_run5(b), digits, "{t:?}");
                assert_eq!(contains_of(b), b.windows(4).any(|w| w == b" OF "), "{t:?}");
                let (p, d) = scan_head(b);
                assert_eq!(p, page, "{t:?}");
                if !page {
                    assert_eq!(d, digits, "{t:?}");
                }
            }
        }
    }

    #[test]
    fn page_break_patterns() {
        assert!(is_page_break(
            "UNCLASSIFIED PAGE 02 VATICA 00283 01 OF 05 241033Z"
        ));
        assert!(is_page_break("PAGE 02 ROME 01196 01 OF 02 082030Z"));
        assert!(is_page_break("GENEVA 00002654  001.2 OF 004"));
        assert!(is_page_break("TEL AVIV 00002482  002 OF 004"));
        assert!(!is_page_break(
            "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 001234"
        ));
        assert!(!is_page_break("1. (C) THE PAGE 2 OF THE REPORT 12345"));
    }
}
