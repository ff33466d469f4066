//! A hit's snippet: the best fragment of its first visible portion that holds a query word,
//! with the words highlighted, whitespace collapsed.
//!
//! The fragment is tantivy's (`SnippetGenerator`: the text cut, token by token, into fragments
//! of at most `max_chars` bytes; the fragment whose words weigh most, the first of equals). On
//! an ASCII text with ASCII words it is found without the analyzer ([`ascii_snippet`]): our
//! analyzer's tokens there are the runs of ASCII letters and digits under 64 bytes, lowercased,
//! so they are cut and compared in place, with no token text made; and when every word is itself
//! such a token, the words are searched for and the fragments walked a jump at a time
//! ([`jump_snippet`]), with no token cut but at the fragments' edges. Invariant: all three give
//! the same fragment and highlights (`ascii_snippets_are_tantivys`, a property test against
//! tantivy).

use std::collections::BTreeMap;
use std::ops::Range;

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use crate::hitrecord::HitText;
use crate::schema;

/// The longest token our analyzer keeps is one byte shorter (`RemoveLongFilter::limit(64)`).
const LONG_TOKEN: usize = 64;

/// Makes the snippets of one search's hits.
pub(crate) struct Snippets {
    prefilter: SnippetPrefilter,
    generator: SnippetGenerator,
    /// The words and their weights when every word is ASCII, in the generator's order.
    ascii: Option<Vec<(String, f32)>>,
    /// Whether every word is a token in itself (lower-case ASCII letters and digits, shorter
    /// than [`LONG_TOKEN`]): [`jump_snippet`] then finds the fragment with the pre-filter's
    /// searchers, in the order of `ascii`.
    jump: bool,
    max_chars: usize,
}

impl Snippets {
    /// Snippets of at most `max_chars` bytes highlighting `words` (index terms: lower case,
    /// folded), weighed as given, as the text of `field` is tokenised.
    pub(crate) fn new(words: BTreeMap<String, f32>, field: Field, max_chars: usize) -> Snippets {
        let prefilter = SnippetPrefilter::new(words.keys());
        let ascii = words
            .keys()
            .all(|w| w.is_ascii())
            .then(|| words.iter().map(|(w, s)| (w.clone(), *s)).collect());
        let jump = !words.is_empty() && words.keys().all(|w| is_token(w.as_bytes()));
        Snippets {
            prefilter,
            generator: SnippetGenerator::new(words, schema::analyzer(), field, max_chars),
            ascii,
            jump,
            max_chars,
        }
    }

    /// The snippet of the first of `texts` that highlights a word: the fragment with its
    /// whitespace collapsed and the highlights' byte ranges in it. `None` when none does. A
    /// text's pieces are pre-filtered apart (no word spans the blank line between a heading
    /// and its text) and joined only when they may hold a word.
    pub(crate) fn first_highlight(&self, texts: &[HitText]) -> Option<(String, Vec<[usize; 2]>)> {
        texts
            .iter()
            .filter(|t| {
                // Searching for the words finds the fragment as cheaply as the pre-filter
                // skips a text without them.
                self.jump
                    || t.heading.is_some_and(|h| self.prefilter.may_highlight(h))
                    || self.prefilter.may_highlight(t.text)
            })
            .find_map(|t| {
                let joined = t.joined();
                let (fragment, ranges) = self.snippet(&joined)?;
                let ranges: Vec<(usize, usize)> = ranges.iter().map(|r| (r.start, r.end)).collect();
                Some(collapse_marked(fragment, &ranges))
            })
    }

    /// The best fragment of `text` and its highlights (relative to it), if it has a word.
    fn snippet<'t>(&self, text: &'t str) -> Option<(&'t str, Vec<Range<usize>>)> {
        match &self.ascii {
            Some(words) if text.is_ascii() => {
                let found = match &self.prefilter {
                    SnippetPrefilter::Ascii { finders, lowered } if self.jump => {
                        let mut lowered = lowered.borrow_mut();
                        jump_snippet(text, &mut lowered, finders, words, self.max_chars)
                    }
                    _ => ascii_snippet(text, words, self.max_chars),
                };
                let (range, marks) = found?;
                let start = range.start;
                let marks = marks.into_iter().map(|r| r.start - start..r.end - start);
                Some((&text[range], marks.collect()))
            }
            _ => {
                let sn = self.generator.snippet(text);
                if sn.highlighted().is_empty() {
                    return None;
                }
                Some((text.get(sn.fragment_range())?, sn.highlighted().to_vec()))
            }
        }
    }
}

/// tantivy's best fragment of an ASCII `text` for ASCII `words` (with their weights), and the
/// highlighted words' ranges in `text`; `None` when no word occurs.
fn ascii_snippet(
    text: &str,
    words: &[(String, f32)],
    max_chars: usize,
) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    struct Fragment {
        start: usize,
        stop: usize,
        score: f32,
        marks: Vec<Range<usize>>,
    }
    let b = text.as_bytes();
    let mut best: Option<Fragment> = None;
    let mut current = Fragment {
        start: 0,
        stop: 0,
        score: 0.0,
        marks: Vec::new(),
    };
    // The first of equal fragments wins, as in tantivy.
    let offer = |f: Fragment, best: &mut Option<Fragment>| {
        if f.score > 0.0 && best.as_ref().is_none_or(|b| f.score > b.score) {
            *best = Some(f);
        }
    };
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let from = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token = &b[from..i];
        if token.len() >= LONG_TOKEN {
            continue;
        }
        if i - current.start > max_chars {
            let next = Fragment {
                start: from,
                stop: from,
                score: 0.0,
                marks: Vec::new(),
            };
            offer(std::mem::replace(&mut current, next), &mut best);
        }
        current.stop = i;
        if let Some((_, score)) = words
            .iter()
            .find(|(w, _)| w.as_bytes().eq_ignore_ascii_case(token))
        {
            current.score += score;
            current.marks.push(from..i);
        }
    }
    offer(current, &mut best);
    best.map(|f| (f.start..f.stop, f.marks))
}

/// Whether `word` is a whole token of our analyzer on ASCII text, as it yields it: lower-case
/// ASCII letters and digits, shorter than [`LONG_TOKEN`].
fn is_token(word: &[u8]) -> bool {
    !word.is_empty()
        && word.len() < LONG_TOKEN
        && word
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// [`ascii_snippet`] for words that are tokens in themselves ([`is_token`]), searched for
/// (`finders`, one for each of `words`, in their order) instead of tokenising the whole text:
/// a hit's text is a few kilobytes and its words a few places in it, and cutting every token
/// cost a two-word page a fifth of its instructions.
///
/// tantivy's fragments depend on every token before them, but only through where each one
/// starts: a fragment that starts at `s` ends before the first token (of the analyzer's, so
/// under [`LONG_TOKEN`] bytes) after its own first one whose end is more than `max_chars` past
/// `s` (for the first fragment, which starts at 0, any token). That token is found by looking
/// at the byte `max_chars` past `s`, so the fragments are walked a jump at a time, and only as
/// far as the last word. A word occurs as a token where it is found in the lower-cased text
/// with no letter or digit on either side. Invariant: the same result as [`ascii_snippet`]
/// (`ascii_snippets_are_tantivys`).
fn jump_snippet(
    text: &str,
    lowered: &mut Vec<u8>,
    finders: &[memchr::memmem::Finder<'static>],
    words: &[(String, f32)],
    max_chars: usize,
) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    debug_assert!(finders
        .iter()
        .zip(words)
        .all(|(f, (w, _))| f.needle() == w.as_bytes()));
    let b = text.as_bytes();
    lower_into(lowered, b);
    let token_byte = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    // Each occurrence of a word as a token: where, and its weight, in the text's order.
    let mut found: Vec<(Range<usize>, f32)> = Vec::new();
    for (finder, (_, score)) in finders.iter().zip(words) {
        let n = finder.needle().len();
        for at in finder.find_iter(lowered) {
            if (at == 0 || !token_byte(at - 1)) && !token_byte(at + n) {
                found.push((at..at + n, *score));
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_unstable_by_key(|(r, _)| r.start);
    // The first token starting at or after `after` whose end is past `past`.
    let boundary = |after: usize, past: usize| -> Option<Range<usize>> {
        let mut p = after.max(past);
        let mut start = if token_byte(p) {
            let mut st = p;
            while st > after && token_byte(st - 1) {
                st -= 1;
            }
            st
        } else {
            p += b[p.min(b.len())..]
                .iter()
                .position(|c| c.is_ascii_alphanumeric())?;
            p
        };
        loop {
            let end = start
                + b[start..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .unwrap_or(b.len() - start);
            if end - start < LONG_TOKEN {
                return Some(start..end);
            }
            // A token too long for the analyzer is no token: the next one.
            start = end + b[end..].iter().position(|c| c.is_ascii_alphanumeric())?;
        }
    };
    // The best fragment: its start, the start of the next (or the text's end) and its words.
    let mut best: Option<(usize, usize, f32, Range<usize>)> = None;
    let (mut start, mut after, mut next) = (0, 0, 0);
    loop {
        let cut = boundary(after, start + max_chars);
        let limit = cut.as_ref().map_or(b.len(), |c| c.start);
        let first = next;
        let mut score = 0.0;
        while next < found.len() && found[next].0.start < limit {
            score += found[next].1;
            next += 1;
        }
        // The first of equal fragments wins, as in tantivy.
        if score > 0.0 && best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((start, limit, score, first..next));
        }
        match cut {
            Some(c) if next < found.len() => (start, after) = (c.start, c.end),
            _ => break,
        }
    }
    let (start, limit, _, words) = best?;
    // The fragment ends with its last token (one under the analyzer's limit).
    let mut stop = limit;
    loop {
        while stop > start && !token_byte(stop - 1) {
            stop -= 1;
        }
        let mut from = stop;
        while from > start && token_byte(from - 1) {
            from -= 1;
        }
        if stop - from < LONG_TOKEN || from == start {
            break;
        }
        stop = from;
    }
    let marks = found[words].iter().map(|(r, _)| r.clone()).collect();
    Some((start..stop, marks))
}

/// `text` lower-cased (ASCII) into the scratch buffer `lowered`.
fn lower_into(lowered: &mut Vec<u8>, text: &[u8]) {
    lowered.clear();
    lowered.extend_from_slice(text);
    lowered.make_ascii_lowercase();
}

/// Which texts a snippet generator could highlight a word in, decided without tokenising them:
/// tokenising every portion of every hit was a quarter of a selective search page's time.
///
/// The generator highlights a token equal to one of the query's words. Our analyzer lowercases
/// and folds to ASCII; on an ASCII text both act byte by byte within a token, so a token equal
/// to an ASCII word means the word occurs in the text, ignoring ASCII case. A text that holds
/// none of the words is skipped. Non-ASCII texts, and queries with a non-ASCII word, are always
/// tokenised (folding may make `é` an `e`). A query with no words in the text (filters only, a
/// lone prefix, whose words tantivy does not list) can highlight nothing: every text is skipped.
///
/// The search is case-blind by lowering a copy of the text (a vectorised pass) and looking for
/// each word with `memchr`'s vectorised substring search: an Aho-Corasick automaton asked to
/// ignore ASCII case loses its fast prefilter and took 18 instructions a byte, a quarter of a
/// two-word page's instructions.
enum SnippetPrefilter {
    /// No words: nothing to highlight.
    Nothing,
    /// ASCII words (lower case, as the analyzer yields them): an ASCII text, lowered into the
    /// scratch buffer, is searched for them. The same searchers and buffer find a fragment in
    /// [`jump_snippet`], one searcher a word in the words' order.
    Ascii {
        finders: Vec<memchr::memmem::Finder<'static>>,
        lowered: std::cell::RefCell<Vec<u8>>,
    },
    /// A non-ASCII word: every text is tokenised.
    Everything,
}

impl SnippetPrefilter {
    fn new<'a>(words: impl Iterator<Item = &'a String>) -> SnippetPrefilter {
        let words: Vec<&String> = words.collect();
        if words.is_empty() {
            return SnippetPrefilter::Nothing;
        }
        if !words.iter().all(|w| w.is_ascii()) {
            return SnippetPrefilter::Everything;
        }
        SnippetPrefilter::Ascii {
            finders: words
                .iter()
                .map(|w| {
                    memchr::memmem::Finder::new(w.to_ascii_lowercase().as_bytes()).into_owned()
                })
                .collect(),
            lowered: Default::default(),
        }
    }

    fn may_highlight(&self, text: &str) -> bool {
        match self {
            SnippetPrefilter::Nothing => false,
            SnippetPrefilter::Ascii { finders, lowered } if text.is_ascii() => {
                let mut lowered = lowered.borrow_mut();
                lower_into(&mut lowered, text.as_bytes());
                finders.iter().any(|f| f.find(&lowered).is_some())
            }
            SnippetPrefilter::Ascii { .. } | SnippetPrefilter::Everything => true,
        }
    }
}

/// `s` with every run of whitespace made one space, none at the ends.
#[cfg(test)]
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max_chars` characters of `text`'s [`HitText::joined`], [`collapse`]d: a hit's
/// snippet when no word is highlighted, made without joining or copying the whole text.
pub(crate) fn lead(text: &HitText, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars);
    let mut left = max_chars;
    let mut pending_space = false;
    // A plain loop over each piece: a chain of the pieces' characters taken 200 at a time cost
    // 40 instructions a character.
    let pieces = [text.heading, text.heading.map(|_| "\n\n"), Some(text.text)];
    for piece in pieces.into_iter().flatten() {
        for c in piece.chars() {
            if left == 0 {
                return out;
            }
            left -= 1;
            if c.is_whitespace() {
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// [`collapse`], with byte ranges of `s` carried over to the collapsed text.
pub(crate) fn collapse_marked(s: &str, ranges: &[(usize, usize)]) -> (String, Vec<[usize; 2]>) {
    let mut out = String::with_capacity(s.len());
    // Offset in `out` of every byte offset of `s` (and of its end).
    let mut map = vec![0usize; s.len() + 1];
    let mut pending_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            for m in &mut map[i..i + c.len_utf8()] {
                *m = out.len();
            }
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for m in &mut map[i..i + c.len_utf8()] {
            *m = out.len();
        }
        out.push(c);
    }
    map[s.len()] = out.len();
    let marks = ranges
        .iter()
        .filter(|(a, b)| a < b && s.is_char_boundary(*a))
        .filter_map(|&(a, b)| {
            let last = s.get(..b)?.chars().next_back()?;
            Some([map[a], map[b - last.len_utf8()] + last.len_utf8()])
        })
        .collect();
    (out, marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The pre-filter never skips a text the generator would highlight a word in, and does
    /// skip texts without the words.
    #[test]
    fn snippet_prefilter_skips_only_texts_without_a_highlight() {
        let fields = schema::Fields::new();
        let pieces = [
            "Human",
            "RIGHTS",
            "humanitarian",
            "hu-man",
            "rights.",
            "(S)",
            "Ärger",
            "human’s",
            "café",
            "x",
            "human\nrights",
            "HUMANRIGHTS",
            "right",
            "1999",
            "--",
            "\n\n",
        ];
        for words in [&["human", "rights"][..], &["cafe"][..], &["1999"][..]] {
            let map: BTreeMap<String, f32> = words.iter().map(|w| (w.to_string(), 1.0)).collect();
            let filter = SnippetPrefilter::new(map.keys());
            let generator = SnippetGenerator::new(map, schema::analyzer(), fields.body, 200);
            let mut skipped = 0;
            // Every text of up to three pieces, joined by spaces.
            for a in 0..pieces.len() {
                for b in 0..pieces.len() {
                    for c in [0, 5, 9, 13] {
                        let text = format!("{} {} {}", pieces[a], pieces[b], pieces[c]);
                        let highlighted = !generator.snippet(&text).highlighted().is_empty();
                        let may = filter.may_highlight(&text);
                        assert!(may || !highlighted, "{words:?} skipped {text:?}");
                        skipped += usize::from(!may);
                    }
                }
            }
            assert!(skipped > 0, "{words:?}: nothing skipped");
        }
        // A non-ASCII word turns the filter off; no words at all skip every text.
        let words = ["café".to_string()];
        assert!(SnippetPrefilter::new(words.iter()).may_highlight("nothing here"));
        assert!(!SnippetPrefilter::new([].iter()).may_highlight("human rights"));
    }

    /// A hit's lead is the collapsed start of its joined text, heading or not.
    #[test]
    fn lead_is_the_collapsed_start_of_the_joined_text() {
        let texts = [
            HitText {
                heading: None,
                text: "  1. (C) The   minister\n\nsaid  ",
            },
            HitText {
                heading: Some(" SUBJECT: VISIT"),
                text: "\tThe  minister é said\r\n\u{b}\u{c}(S)\u{85}\u{a0}x\u{2003} y",
            },
            HitText {
                heading: Some("ÉTÉ"),
                text: "",
            },
        ];
        for t in &texts {
            for max in [0, 1, 3, 5, 12, 15, 16, 17, 18, 30, 200] {
                let whole: String = t.joined().chars().take(max).collect();
                assert_eq!(lead(t, max), collapse(&whole), "{t:?} {max}");
            }
        }
        assert_eq!(
            lead(&texts[1], 200),
            "SUBJECT: VISIT The minister é said (S) x y"
        );
    }

    #[test]
    fn highlights_survive_whitespace_collapsing() {
        let s = "  the\n\n  human   rights  report";
        let a = s.find("human").unwrap_or_default();
        let b = s.find("rights").unwrap_or_default();
        let (out, marks) = collapse_marked(s, &[(a, a + 5), (b, b + 6)]);
        assert_eq!(out, "the human rights report");
        let words: Vec<&str> = marks.iter().map(|[x, y]| &out[*x..*y]).collect();
        assert_eq!(words, ["human", "rights"]);
    }

    /// Pieces of text that make a tokeniser's edge cases: case, digits, punctuation, line ends,
    /// words inside words, a 63- and a 64-byte token (the second dropped by the analyzer).
    const PIECES: &[&str] = &[
        "human",
        "HUMAN",
        "Rights",
        "rights.",
        "humanitarian",
        "1999",
        "(S)",
        " ",
        "  ",
        "\n",
        "\n\n",
        "-",
        "x",
        "right",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "the minister said",
        "prime",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]
        /// On ASCII texts and words, the fragment and highlights found in place are tantivy's.
        #[test]
        fn ascii_snippets_are_tantivys(
            pieces in prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..60),
            weights in prop::collection::vec(1u8..4, 4),
            max_chars in prop::sample::select(vec![5usize, 20, 60, 200]),
        ) {
            let text = pieces.concat();
            let words: BTreeMap<String, f32> = ["human", "rights", "1999", "prime"]
                .iter()
                .zip(&weights)
                .map(|(w, s)| (w.to_string(), 1.0 / f32::from(*s)))
                .collect();
            let fields = schema::Fields::new();
            let generator =
                SnippetGenerator::new(words.clone(), schema::analyzer(), fields.body, max_chars);
            let theirs = generator.snippet(&text);
            let ascii: Vec<(String, f32)> = words.into_iter().collect();
            let ours = ascii_snippet(&text, &ascii, max_chars);
            let finders: Vec<_> = ascii
                .iter()
                .map(|(w, _)| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
                .collect();
            let jumped = jump_snippet(&text, &mut Vec::new(), &finders, &ascii, max_chars);
            prop_assert_eq!(jumped, ours.clone(), "{:?}", text);
            match ours {
                None => prop_assert!(theirs.highlighted().is_empty(), "{text:?}"),
                Some((range, marks)) => {
                    prop_assert_eq!(theirs.fragment_range(), range.clone(), "{:?}", text);
                    let marks: Vec<_> =
                        marks.iter().map(|m| m.start - range.start..m.end - range.start).collect();
                    prop_assert_eq!(theirs.highlighted(), &marks[..], "{:?}", text);
                }
            }
        }
    }
}
