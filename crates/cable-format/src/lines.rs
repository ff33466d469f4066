//! Lines of the normalised text with their byte offsets, and small text helpers shared by the
//! field parsers.

use crate::model::Span;

#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// Offset of the first byte of the line in the normalised text.
    pub start: usize,
    /// The line without its newline.
    pub text: &'a str,
}

impl<'a> Line<'a> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end())
    }
    #[inline]
    pub fn is_blank(&self) -> bool {
        match self.text.as_bytes().first() {
            Some(&c) if c > b' ' && c < 0x80 => false,
            _ => trim_start(self.text).is_empty(),
        }
    }
    /// The line without leading spaces, and the offset where that starts.
    #[inline(always)]
    pub fn trimmed(&self) -> (usize, &'a str) {
        let b = self.text.as_bytes();
        // Most lines start and end with printable ASCII: nothing to trim.
        if let (Some(&first), Some(&last)) = (b.first(), b.last()) {
            if first > b' ' && first < 0x80 && last > b' ' && last < 0x80 {
                return (self.start, self.text);
            }
        }
        self.trimmed_slow()
    }

    /// [`Line::trimmed`] for lines that may have something to trim, out of line so that the
    /// common case inlines small.
    #[inline(never)]
    fn trimmed_slow(&self) -> (usize, &'a str) {
        let t = trim_start(self.text);
        (self.start + self.text.len() - t.len(), trim_end(t))
    }
}

/// Whitespace in ASCII, as `char::is_whitespace` has it.
#[inline]
fn ascii_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `s.trim_start()`, with ASCII whitespace skipped byte by byte; only a line that goes on with a
/// multi-byte character (which may be Unicode whitespace) takes the general path.
#[inline]
pub fn trim_start(s: &str) -> &str {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| !ascii_ws(c)).unwrap_or(b.len());
    if b.get(i).is_some_and(|&c| c >= 0x80) {
        return s[i..].trim_start();
    }
    &s[i..]
}

/// `s.trim_end()`, the same way as [`trim_start`].
#[inline]
pub fn trim_end(s: &str) -> &str {
    let b = s.as_bytes();
    let j = b.iter().rposition(|&c| !ascii_ws(c)).map_or(0, |k| k + 1);
    if j > 0 && b[j - 1] >= 0x80 {
        return s[..j].trim_end();
    }
    &s[..j]
}

/// `s.trim()`, the same way as [`trim_start`].
#[inline]
pub fn trim(s: &str) -> &str {
    trim_end(trim_start(s))
}

#[cfg(test)]
pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(text.len() / 50 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push(Line {
            start,
            text: &text[start..nl],
        });
        start = nl + 1;
    }
    // The last line, unless the text ends with a newline.
    if start < text.len() {
        out.push(Line {
            start,
            text: &text[start..],
        });
    }
    out
}

/// The lines of a text whose newline offsets are known already (the normaliser notes them): the
/// same as splitting at every newline, the last line only when the text does not end with one.
pub fn lines_at<'a>(text: &'a str, newlines: &[usize]) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(newlines.len() + 1);
    let mut start = 0;
    // `extend` from a slice's iterator writes without a capacity check per line.
    out.extend(newlines.iter().map(|&nl| {
        let line = Line {
            start,
            text: &text[start..nl],
        };
        start = nl + 1;
        line
    }));
    if start < text.len() {
        out.push(Line {
            start,
            text: &text[start..],
        });
    }
    out
}

/// Remove single spaces between single letters: `C O N F I D E N T I A L` → `CONFIDENTIAL`.
pub fn despace(s: &str) -> String {
    let b = s.as_bytes();
    let letter = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphabetic);
    let mut out = String::with_capacity(s.len());
    out.extend(
        s.char_indices()
            .filter(|&(i, ch)| {
                let gap = ch == ' '
                    && i > 0
                    && letter(i - 1)
                    && letter(i + 1)
                    && (i < 2 || !letter(i - 2))
                    && !letter(i + 2);
                !gap
            })
            .map(|(_, ch)| ch),
    );
    out
}

/// Join wrapped lines of a field into one line of single spaces.
///
/// The same as joining `s.split_whitespace()` with single spaces, but faster: words already
/// separated by one space are copied as one run, eight bytes are tested at a time while they are
/// printable ASCII with no two spaces in a row, and only a byte that starts a multi-byte character
/// is decoded to test it against Unicode's whitespace (NBSP, EM SPACE, …).
pub fn collapse_ws(s: &str) -> String {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let b = s.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(n);
    // The length of the whitespace character at `i` (a character boundary or a continuation
    // byte), 0 when there is none.
    let ws_at = |i: usize| -> usize {
        let c = b[i];
        if c < 0x80 {
            usize::from(matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        } else if c >= 0xC0 {
            let ch = s[i..].chars().next().unwrap_or('\0');
            if ch.is_whitespace() {
                ch.len_utf8()
            } else {
                0
            }
        } else {
            0
        }
    };
    let mut i = 0;
    loop {
        while i < n {
            let w = ws_at(i);
            if w == 0 {
                break;
            }
            i += w;
        }
        if i >= n {
            break;
        }
        // A run of words separated by single spaces.
        let start = i;
        loop {
            // Eight bytes at a time while they are printable ASCII or single spaces. The lowest
            // flagged byte is exact (a borrow only runs upwards from a flagged byte); higher
            // flags may be false alarms, which the byte step below clears.
            while let Some(chunk) = b.get(i..i + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let x = u64::from_le_bytes(word);
                // Control bytes (below a space) and bytes of multi-byte characters.
                let bad = (x.wrapping_sub(SPACES) | x) & HIGH;
                // Spaces followed by a space, and a space in the last byte (its successor is
                // unknown here).
                let eq = x ^ SPACES;
                let spaces = eq.wrapping_sub(ONES) & !eq & HIGH;
                let doubled = (spaces & (spaces >> 8)) | (spaces & (1 << 63));
                let flags = bad | doubled;
                if flags != 0 {
                    let k = flags.trailing_zeros() as usize / 8;
                    i += k;
                    // A space before a control byte or a multi-byte character: let the byte
                    // step decide whether what follows it is whitespace.
                    if k > 0 && b[i - 1] == b' ' {
                        i -= 1;
                    }
                    break;
                }
                i += 8;
            }
            if i >= n {
                break;
            }
            let c = b[i];
            if c > b' ' && c < 0x80 {
                i += 1;
                continue;
            }
            if c == b' ' {
                if i + 1 < n && ws_at(i + 1) == 0 {
                    i += 1;
                    continue;
                }
                break;
            }
            if ws_at(i) == 0 {
                i += 1;
                continue;
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
    }
    out
}

/// Append `n` in decimal, zero-padded to `width` characters as `format!("{n:0width$}")` does
/// (a minus sign counts toward the width), without the formatting machinery.
pub fn push_int(out: &mut String, n: i64, width: usize) {
    let mut v = n.unsigned_abs();
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = buf.len() - i;
    let sign = usize::from(n < 0);
    if n < 0 {
        out.push('-');
    }
    for _ in digits + sign..width {
        out.push('0');
    }
    for &d in &buf[i..] {
        out.push(char::from(d));
    }
}

/// `YYYY-MM-DDTHH:MM:00Z`, as `format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00Z")`.
pub fn rfc3339_minutes(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> String {
    let two = |v: i64| (0..100).contains(&v);
    if (0..10_000).contains(&y) && two(mo) && two(d) && two(h) && two(mi) {
        // Every field fits its width: the digits go straight into place.
        let mut b = *b"0000-00-00T00:00:00Z";
        let digit = |v: i64| b'0' + (v % 10) as u8;
        b[0] = digit(y / 1000);
        b[1] = digit(y / 100);
        b[2] = digit(y / 10);
        b[3] = digit(y);
        for (at, v) in [(5, mo), (8, d), (11, h), (14, mi)] {
            b[at] = digit(v / 10);
            b[at + 1] = digit(v);
        }
        return String::from(std::str::from_utf8(&b).unwrap_or_default());
    }
    let mut s = String::with_capacity(20);
    push_int(&mut s, y, 4);
    s.push('-');
    push_int(&mut s, mo, 2);
    s.push('-');
    push_int(&mut s, d, 2);
    s.push('T');
    push_int(&mut s, h, 2);
    s.push(':');
    push_int(&mut s, mi, 2);
    s.push_str(":00Z");
    s
}

/// Case-insensitive ASCII prefix test.
pub fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Find `needle` (ASCII, matched case-insensitively) in `hay`.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    find_ci_from(hay, needle, 0)
}

/// Find `needle` (ASCII, case-insensitive) in `hay` at or after byte `from`, which need not be a
/// character boundary. A match of an ASCII needle always starts on one.
pub fn find_ci_from(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() || from > h.len() - n.len() {
        return None;
    }
    // Look for the needle's rarest letter (in English text) and verify around it: scanning for
    // the `e` of `END` would stop every few bytes, scanning for its `d` much less often.
    let k = (0..n.len()).min_by_key(|&k| letter_rank(n[k])).unwrap_or(0);
    let (lo, up) = (n[k].to_ascii_lowercase(), n[k].to_ascii_uppercase());
    let last = h.len() - n.len();
    let mut i = from + k;
    while i <= last + k {
        let j = i + memchr::memchr2(lo, up, &h[i..=last + k])?;
        let start = j - k;
        if h[start..start + n.len()].eq_ignore_ascii_case(n) {
            return Some(start);
        }
        i = j + 1;
    }
    None
}

/// How common a byte is in English prose: higher is more common. A space is the most common of
/// all; other bytes that are not letters count as rare.
fn letter_rank(c: u8) -> usize {
    const BY_FREQUENCY: &[u8] = b"ETAOINSHRDLCUMWFGYPBVKJXQZ";
    if c == b' ' {
        return BY_FREQUENCY.len() + 1;
    }
    let up = c.to_ascii_uppercase();
    BY_FREQUENCY
        .iter()
        .position(|&x| x == up)
        .map_or(0, |p| BY_FREQUENCY.len() - p)
}

/// 1-based line and column (in characters) of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = floor_char_boundary(text, pos.min(text.len()));
    let before = &text[..pos];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..pos].chars().count() + 1;
    (line, col)
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn despace_levels() {
        assert_eq!(
            despace("C O N F I D E N T I A L SECTION 01 OF 02"),
            "CONFIDENTIAL SECTION 01 OF 02"
        );
        assert_eq!(despace("S E C R E T STATE 001234"), "SECRET STATE 001234");
        assert_eq!(despace("UNCLAS SECTION 01"), "UNCLAS SECTION 01");
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ci("end of the End Summary", "END SUMMARY"), Some(11));
        assert_eq!(find_ci("Comment: x", "COMMENT"), Some(0));
        assert_eq!(find_ci_from("comment comment", "COMMENT", 1), Some(8));
        assert_eq!(find_ci("classified  by", "CLASSIFIED BY"), None);
        assert_eq!(find_ci("xCLASSIFIED BY", "CLASSIFIED BY"), Some(1));
        assert_eq!(find_ci("ab", "abc"), None);
        assert_eq!(find_ci_from("abc", "c", 3), None);
    }

    #[test]
    fn collapse_matches_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            "  a  b\n\tc  ",
            "x\u{a0}y\u{2003}z\u{3000}w\u{85}v",
            "caf\u{e9} na\u{ef}ve \u{2019}q\u{2019}",
            "\u{1680}\u{2028}a\u{2029}\u{202f}b\u{205f}",
            "a\x0bb\x0cc\rd\x1ce",
        ] {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(s), want, "{s:?}");
        }
    }

    #[test]
    fn collapse_matches_split_whitespace_on_generated_text() {
        // Deterministic pseudo-random strings over letters, spaces, control whitespace and
        // multi-byte characters (whitespace or not), at every alignment.
        let pieces = [
            "a", "B", "xyz", " ", " ", "  ", "\n", "\t", "\r\n", "\u{a0}", "\u{2003}", "\u{e9}",
            "\u{85}", "\u{3000}", ".", "1234567", "\x0b", "~", "\u{7f}",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(&s), want, "{s:?}");
        }
    }

    #[test]
    fn padded_integers_match_format() {
        for n in [
            0i64,
            5,
            -5,
            42,
            -42,
            123,
            2009,
            -2009,
            12345,
            i64::MIN,
            i64::MAX,
        ] {
            for w in 0..6 {
                let mut s = String::new();
                push_int(&mut s, n, w);
                assert_eq!(s, format!("{n:0w$}"), "{n} {w}");
            }
        }
        assert_eq!(rfc3339_minutes(2009, 8, 4, 14, 7), "2009-08-04T14:07:00Z");
        for (y, mo, d, h, mi) in [
            (0, 0, 0, 0, 0),
            (9999, 99, 99, 99, 99),
            (10000, 1, 1, 0, 0),
            (-1, 1, 1, 0, 0),
            (1966, 12, 28, 18, 48),
            (2010, 100, 1, 0, 0),
        ] {
            assert_eq!(
                rfc3339_minutes(y, mo, d, h, mi),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00Z")
            );
        }
    }

    #[test]
    fn lines_split_at_every_newline() {
        for s in [
            "",
            "\n",
            "a",
            "a\n",
            "\n\x0b\n\x0b",
            "one\ntwo\n\nthree",
            "0123456\n89abcdef\n",
        ] {
            let want: Vec<&str> = s.split_terminator('\n').collect();
            let got: Vec<&str> = lines(s).iter().map(|l| l.text).collect();
            assert_eq!(got, want, "{s:?}");
            let newlines: Vec<usize> = memchr::memchr_iter(b'\n', s.as_bytes()).collect();
            let got: Vec<(usize, &str)> = lines_at(s, &newlines)
                .iter()
                .map(|l| (l.start, l.text))
                .collect();
            let want: Vec<(usize, &str)> = lines(s).iter().map(|l| (l.start, l.text)).collect();
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn fast_trims_match_std() {
        for s in [
            "",
            " ",
            "a",
            "  a b  ",
            "\t\r\n x \x0b\x0c",
            "\u{a0}x\u{a0}",
            " \u{2003} x \u{3000} ",
            "\u{e9} ",
            " caf\u{e9}",
            "\u{85}\u{85}",
            "x\u{1680}",
        ] {
            assert_eq!(trim_start(s), s.trim_start(), "{s:?}");
            assert_eq!(trim_end(s), s.trim_end(), "{s:?}");
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
    }
}
