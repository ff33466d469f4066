//! Running text: sentences of words drawn by frequency, with capitals and punctuation, written
//! straight into the cable's buffer and hard-wrapped as they go.
//!
//! The wrap never starts a line with a number (a wrapped `12.` would read as a paragraph marker)
//! and a paragraph's last line always carries a few words, so it cannot pass for a signature or a
//! heading. The word table leaves out the words that would make a parser see structure where
//! there is none (`summary`, `comment`, `classified`, `ref`, ...; see `scripts/measure.py`).

use crate::data::{Vocabulary, VOCABULARY};
use crate::rng::{chance, quantile, CableRng};
use crate::stats::SENTENCE_QUANTILES;
use rand::RngExt;

/// The redaction mark of the 2010 release, standing for a protected name.
const REDACTION: &str = "XXXXXXXXXXXX";
/// Per-word chances, in 1/65,536ths, of the small things that make text look typed (one at a
/// time): a redacted name instead of the word, a number glued to the word, a comma after it.
const REDACTED: u64 = 131; // 0.2%
const NUMBER: u64 = REDACTED + 524; // 0.8%
const COMMA: u64 = NUMBER + 2949; // 4.5%
/// Per-sentence chance of a quoted phrase.
const QUOTE: f64 = 0.04;

/// Appends words to a String, wrapping at `width` columns (`usize::MAX`: no wrapping).
///
/// Words go to a byte buffer first and reach the String when the wrapper is dropped: a word is
/// copied as a fixed 16-byte block (the word table keeps 16 bytes of slack after every word)
/// and the buffer is grown ahead in large steps, which keeps the per-word cost (this is the hot
/// loop of the generator) to a few instructions.
pub struct Wrapper<'a> {
    out: &'a mut String,
    buf: Vec<u8>,
    /// Bytes of `buf` written so far.
    pos: usize,
    width: usize,
    /// Column of the end of the current line.
    col: usize,
    /// Upper-case every word (older cables).
    caps: bool,
    vocabulary: &'static Vocabulary,
}

/// Room kept in the buffer past `pos`: the longest unit written in one go, with slack.
const ROOM: usize = 256;

thread_local! {
    /// The byte buffer wrappers borrow, kept between them so it is zeroed and grown only once
    /// per thread.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<'a> Wrapper<'a> {
    pub fn new(out: &'a mut String, width: usize, caps: bool) -> Wrapper<'a> {
        let col = out.len() - out.rfind('\n').map_or(0, |p| p + 1);
        let mut buf = BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
        if buf.len() < 4096 {
            buf.resize(4096, 0);
        }
        Wrapper {
            out,
            buf,
            pos: 0,
            width,
            col,
            caps,
            vocabulary: &VOCABULARY,
        }
    }

    fn room(&mut self, n: usize) {
        if self.buf.len() < self.pos + n + ROOM {
            let grow = (self.buf.len() * 2).max(self.pos + n + ROOM);
            self.buf.resize(grow, 0);
        }
    }

    fn push_byte(&mut self, b: u8) {
        self.buf[self.pos] = b;
        self.pos += 1;
    }

    fn push_bytes(&mut self, s: &[u8]) {
        self.room(s.len());
        self.buf[self.pos..self.pos + s.len()].copy_from_slice(s);
        self.pos += s.len();
    }

    /// A space before a unit of `len` bytes, or a line break when it would not fit.
    fn place(&mut self, len: usize) {
        if self.col > 0 {
            if self.col + 1 + len > self.width {
                self.push_byte(b'\n');
                self.col = 0;
            } else {
                self.push_byte(b' ');
                self.col += 1;
            }
        }
    }

    /// Writes one unbreakable unit (it may contain spaces), with a space or a line break before.
    pub fn unit(&mut self, s: &str) {
        self.room(s.len());
        self.place(s.len());
        let start = self.pos;
        self.push_bytes(s.as_bytes());
        if self.caps {
            self.buf[start..self.pos].make_ascii_uppercase();
        }
        self.col += s.len();
    }

    /// Starts a new line.
    pub fn newline(&mut self) {
        self.room(1);
        self.push_byte(b'\n');
        self.col = 0;
    }

    /// Writes several space-separated units.
    pub fn words(&mut self, s: &str) {
        for w in s.split(' ').filter(|w| !w.is_empty()) {
            self.unit(w);
        }
    }

    /// Writes one sentence of `n` words (at least 3), capitalised, ending with `end`.
    ///
    /// One random draw per word: its top 48 bits choose the word, its low 16 the extras (a
    /// redaction, a number, a comma). The plain middle word, nine in ten, takes the fast path:
    /// a separator and a 16-byte copy.
    pub fn sentence(&mut self, rng: &mut CableRng, n: usize, end: u8) {
        let n = n.max(3);
        let quote = chance(rng, QUOTE).then(|| {
            let at = rng.random_range(1..n);
            (at, at + rng.random_range(1..4))
        });
        let vocabulary = self.vocabulary;
        let general = quote.is_some() || self.caps;
        for k in 0..n {
            let bits: u64 = rng.random();
            let extra = bits & 0xFFFF;
            let (word, len) = if extra < REDACTED {
                (REDACTION.as_bytes(), REDACTION.len())
            } else {
                vocabulary.word_bytes(bits)
            };
            if general || extra < COMMA || k == 0 || k + 1 == n || len > 16 {
                self.word(rng, &word[..len], extra, k, n, end, quote);
                continue;
            }
            // The fast path: a middle word, no extras; the line holds the previous word.
            self.room(17);
            if self.col + 1 + len > self.width {
                self.buf[self.pos] = b'\n';
                self.col = len;
            } else {
                self.buf[self.pos] = b' ';
                self.col += 1 + len;
            }
            self.pos += 1;
            self.buf[self.pos..self.pos + 16].copy_from_slice(&word[..16]);
            self.pos += len;
        }
    }

    /// Writes word `k` of `n` with whatever goes with it: capital, quotes, number, punctuation.
    #[allow(clippy::too_many_arguments)]
    fn word(
        &mut self,
        rng: &mut CableRng,
        word: &[u8],
        extra: u64,
        k: usize,
        n: usize,
        end: u8,
        quote: Option<(usize, usize)>,
    ) {
        let last = k + 1 == n;
        let mut unit = [0u8; 64];
        let mut len = 0;
        let mut put = |bytes: &[u8]| {
            let take = bytes.len().min(unit.len() - len);
            unit[len..len + take].copy_from_slice(&bytes[..take]);
            len += take;
        };
        let open_quote = quote.is_some_and(|(at, _)| at == k);
        if open_quote {
            put(b"\"");
        }
        put(word);
        if !last && (REDACTED..NUMBER).contains(&extra) {
            // A number never starts a line: it travels with the word before it.
            let num = match extra % 3 {
                0 => rng.random_range(2..100u32).to_string(),
                1 => rng.random_range(1990..2011u32).to_string(),
                _ => format!(
                    "{},{:03}",
                    rng.random_range(1..90u32),
                    rng.random_range(0..1000u32)
                ),
            };
            put(b" ");
            put(num.as_bytes());
        }
        if quote.is_some_and(|(at, until)| k >= at && (k == until || (last && until > k))) {
            put(b"\"");
        }
        if last {
            put(&[end]);
        } else if (NUMBER..COMMA).contains(&extra) {
            put(b",");
        }
        let unit = &mut unit[..len];
        if self.caps {
            unit.make_ascii_uppercase();
        } else if k == 0 {
            unit[usize::from(open_quote)].make_ascii_uppercase();
        }
        self.room(len);
        self.place(len);
        self.buf[self.pos..self.pos + len].copy_from_slice(unit);
        self.pos += len;
        self.col += len;
    }

    /// Sentences until at least `chars` bytes were written by this wrapper; always at least one.
    pub fn sentences(&mut self, rng: &mut CableRng, chars: usize) {
        loop {
            let n = sentence_length(rng);
            self.sentence(rng, n, b'.');
            if self.pos >= chars {
                break;
            }
        }
    }
}

impl Drop for Wrapper<'_> {
    fn drop(&mut self) {
        // Only ASCII and whole `&str` units were written: the text is valid UTF-8.
        let text = &self.buf[..self.pos];
        match std::str::from_utf8(text) {
            Ok(s) => self.out.push_str(s),
            Err(_) => self.out.push_str(&String::from_utf8_lossy(text)),
        }
        let buf = std::mem::take(&mut self.buf);
        BUFFER.with(|b| *b.borrow_mut() = buf);
    }
}

/// Words in a sentence, from the measured distribution.
pub fn sentence_length(rng: &mut CableRng) -> usize {
    quantile(SENTENCE_QUANTILES, rng.random::<f64>()) as usize
}

/// Makes sure the text from `from` on ends with a line of at least `min_words` words, by moving
/// the last line break earlier; breaks are only moved to spaces after `protect` (so a paragraph
/// marker stays with its portion mark).
pub fn balance_last_line(out: &mut String, from: usize, protect: usize, min_words: usize) {
    let Some(last_nl) = out[from..].rfind('\n').map(|p| from + p) else {
        return;
    };
    let tail_words = out[last_nl + 1..]
        .split(' ')
        .filter(|w| !w.is_empty())
        .count();
    if tail_words >= min_words {
        return;
    }
    let prev_start = out[from..last_nl]
        .rfind('\n')
        .map_or(from, |p| from + p + 1);
    // The two last lines as one, then a break before the `min_words`-th word from the end (a
    // space after `protect`), or no break when there are not enough words.
    let bytes = out.as_bytes();
    let mut words_after = 0;
    let mut cut = None;
    for i in (prev_start.max(protect + 1)..out.len()).rev() {
        if matches!(bytes[i], b' ' | b'\n') {
            words_after += 1;
            if words_after == min_words {
                cut = Some(i);
                break;
            }
        }
    }
    // Join the two lines, then break again at the cut (both are one-byte ASCII separators).
    out.replace_range(last_nl..last_nl + 1, " ");
    if let Some(c) = cut {
        out.replace_range(c..c + 1, "\n");
    }
}

/// Greedy wrap of unbreakable `units` at `width`, continuation lines indented by `indent`
/// spaces, appended to `out` (for heading fields: subjects, REF lists, Classified By).
pub fn wrap_units<'s>(
    out: &mut String,
    units: impl IntoIterator<Item = &'s str>,
    width: usize,
    indent: usize,
) {
    let mut col = out.len() - out.rfind('\n').map_or(0, |p| p + 1);
    // Whether this line holds a unit of ours: the first unit stays beside the keyword.
    let mut placed = false;
    for w in units.into_iter().filter(|w| !w.is_empty()) {
        if placed && col + 1 + w.len() > width {
            out.push('\n');
            for _ in 0..indent {
                out.push(' ');
            }
            col = indent;
        } else if col > 0 && !out.ends_with(' ') {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
        placed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::cable_rng;

    #[test]
    fn wraps_within_width_and_never_starts_a_line_with_a_digit() {
        let mut rng = cable_rng(1, 2, 3);
        let mut out = String::new();
        {
            let mut w = Wrapper::new(&mut out, 60, false);
            for _ in 0..300 {
                w.sentence(&mut rng, 25, b'.');
            }
        }
        assert!(out.len() > 300 * 25 * 3);
        for line in out.lines() {
            assert!(line.len() <= 60 || !line.contains(' '), "{line}");
            assert!(!line.starts_with(|c: char| c.is_ascii_digit()), "{line}");
        }
    }

    #[test]
    fn last_line_gets_enough_words() {
        let mut out = String::from("1. (C) one two three four five six seven\neight.");
        balance_last_line(&mut out, 0, 6, 4);
        assert_eq!(out, "1. (C) one two three four\nfive six seven eight.");
        let mut out = String::from("1. (C) one\ntwo.");
        balance_last_line(&mut out, 0, 6, 4);
        assert_eq!(out, "1. (C) one two.");
    }

    #[test]
    fn heading_wrap_indents() {
        let mut out = String::from("REF:");
        wrap_units(&mut out, ["A. MADRID 1234", "B. PARIS 567"], 20, 5);
        assert_eq!(out, "REF: A. MADRID 1234\n     B. PARIS 567");
    }
}
