//! The parser's invariants, by property tests and over the real corpus:
//! - for any bytes (random, cable-like fragments, or real cables mutated: truncated, bytes inserted
//!   or deleted, CRLF line ends, Latin-1 re-encoded) `parse` does not panic, every span lies inside
//!   `cable.text` on char boundaries, the cable serialises to JSON, and the decoded text equals the
//!   input when the input is valid UTF-8 (all checked by `cable_testdata::check_cable`);
//! - a Latin-1 re-encoding of a cable decodes back to the same text;
//! - a cable truncated after its SUBJECT line keeps the fields before the cut.
//!
//! The corpus-based tests skip (saying so) when `../shared` is absent, and fail under CI.

use std::sync::OnceLock;

use cable_format::{parse, Cable, Span};
use cable_testdata::{check_cable, to_crlf, to_latin1};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

/// The corpus cables' bytes, or empty when `../shared` is absent.
fn corpus() -> &'static [(String, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let Some(shared) = cable_testdata::require_shared("invariants (corpus-based cases)") else {
            return Vec::new();
        };
        cable_testdata::corpus_files(&shared)
            .into_iter()
            .map(|(id, path)| {
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                (id, bytes)
            })
            .collect()
    })
}

/// Pieces of real cable syntax, so that random text reaches the parser's deeper paths.
const FRAGMENTS: &[&str] = &[
    "VZCZCXRO8797\n",
    "PP RUEHFL RUEHKW\n",
    "DE RUEHRK #0195/01 2531700\n",
    "ZNY CCCCC ZZH\n",
    "O 041457Z AUG 09\n",
    "P 091700Z SEP 08",
    "FM USDEL SECRETARY\n",
    "TO RUEHBK/AMEMBASSY BANGKOK IMMEDIATE 3787\n",
    "INFO RUEHC/SECSTATE WASHDC\n",
    "XMT AMCONSUL X\n",
    "BT\n",
    "C O N F I D E N T I A L SECTION 01 OF 03 PARTO 000013\n",
    "S E C R E T STATE 127892\n",
    "UNCLAS SECTION 1 OF 2",
    "NOFORN\n",
    "SIPDIS\n",
    "SENSITIVE\n",
    "E.O. 12958: DECL: 07/24/2034\n",
    "E.O. 12958: N/A\n",
    "TAGS: OVIP PREL PK\n",
    "TAGS PREL, PGOV, SF\n",
    "[OVIP](#) [CLINTON](#) [HILLARY](#)",
    "SUBJECT: (U) ",
    "SUBJ: ",
    "REF: A. STATE 74879\n",
    "¶B. RIYADH 43\n",
    "Classified By: Paul Wohlers, 1.4(d)\n",
    "Reasons 1.4 (b) and (d).\n",
    "¶1. (C) ",
    "[1](#)1. (U) ",
    "1.(S//NF) SUMMARY: ",
    "END SUMMARY.\n",
    "COMMENT: ",
    "END COMMENT.\n",
    "GENEVA 00002654  001.2 OF 004\n",
    "PAGE 02 ROME 01196 01 OF 02 082030Z\n",
    "This record is a partial extract of the original cable.",
    "\\$2.5 billion",
    "FRUSTRATION \\\n",
    "infrastructure { it",
    "&#x000A;",
    "&#8220;",
    "&amp;",
    "<br>",
    "XXXXXXXXXXXX",
    "CLINTON\n",
    "\u{201C}quoted\u{201D}",
    "caf\u{e9}",
    "\r\n",
    "\n",
    "\n\n",
    " ",
    "(",
    ")",
    ":",
    "/",
    "\u{0}",
    "\u{10FFFF}",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..120).prop_map(|v| v.concat())
}

/// One mutation of a real cable's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Crlf,
    Latin1,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<Index>(), 1..64usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        Just(Mutation::Crlf),
        Just(Mutation::Latin1),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let pos = |at: &Index, len: usize| if len == 0 { 0 } else { at.index(len + 1) };
    match m {
        Mutation::Truncate(at) => bytes.truncate(pos(at, bytes.len())),
        Mutation::Insert(at, new) => {
            let p = pos(at, bytes.len());
            bytes.splice(p..p, new.iter().copied());
        }
        Mutation::Delete(at, n) => {
            let p = pos(at, bytes.len());
            let end = (p + n).min(bytes.len());
            bytes.drain(p..end);
        }
        Mutation::Crlf => *bytes = to_crlf(bytes),
        Mutation::Latin1 => {
            // Characters outside Latin-1 become `?`, as a lossy legacy export would write them.
            let text = String::from_utf8_lossy(bytes);
            *bytes = text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
        }
    }
}

proptest! {
    // Shrunk failures are kept in `tests/invariants.proptest-regressions` (commit it): the default
    // location needs a `lib.rs` in the test file's folder or above it.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_cable(&bytes, &parse(&bytes));
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,2000}") {
        check_cable(text.as_bytes(), &parse(text.as_bytes()));
    }

    #[test]
    fn cable_like_fragments(text in fragments()) {
        check_cable(text.as_bytes(), &parse(text.as_bytes()));
    }

    #[test]
    fn cable_like_fragments_as_bytes(text in fragments(), m in mutation()) {
        let mut bytes = text.into_bytes();
        apply(&mut bytes, &m);
        check_cable(&bytes, &parse(&bytes));
    }

    #[test]
    fn mutated_corpus_cables(which in any::<Index>(), ms in prop::collection::vec(mutation(), 1..4)) {
        let corpus = corpus();
        if !corpus.is_empty() {
            let (_, original) = &corpus[which.index(corpus.len())];
            let mut bytes = original.clone();
            for m in &ms {
                apply(&mut bytes, m);
            }
            check_cable(&bytes, &parse(&bytes));
        }
    }
}

/// Latin-1 and CRLF re-encodings of every corpus cable: the invariants hold, a Latin-1 file decodes
/// back to the original text, and a CRLF file keeps its `\r`s (the text is never altered).
#[test]
fn reencoded_corpus_cables() {
    let corpus = corpus();
    let mut latin1_checked = 0;
    for (id, bytes) in corpus {
        let text =
            std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{id}: corpus file is not UTF-8"));

        let crlf = to_crlf(bytes);
        let cable = parse(&crlf);
        check_cable(&crlf, &cable);

        // Latin-1 text with C1 controls would be ambiguous with Windows-1252; the corpus has none.
        let plain_latin1 = text.chars().all(|c| !('\u{80}'..='\u{9F}').contains(&c));
        if let Some(latin1) = to_latin1(text).filter(|_| plain_latin1 && !text.is_ascii()) {
            let cable = parse(&latin1);
            check_cable(&latin1, &cable);
            assert!(
                cable.text == text,
                "{id}: the Latin-1 re-encoding decodes to another text"
            );
            latin1_checked += 1;
        }
    }
    println!(
        "re-encoded {} cables as CRLF, {latin1_checked} as Latin-1",
        corpus.len()
    );
}

/// The fields that a cut at `cut` must not change: id and subject always, and date,
/// classification and tags when the full parse found them before the cut (their span ends there).
fn head_field_names(full: &Cable, cut: usize) -> Vec<&'static str> {
    let before = |s: Option<Span>| s.is_some_and(|s| s.end <= cut);
    let mut names = vec!["id", "subject"];
    if before(full.spans.dtg) {
        names.push("date");
    }
    if before(full.spans.classification) {
        names.push("classification");
    }
    if before(full.spans.tags) {
        names.push("tags");
    }
    names
}

fn head_field(c: &Cable, name: &str) -> String {
    match name {
        "id" => format!("{:?}", c.id),
        "subject" => format!("{:?} {:?}", c.subject, c.subject_marking),
        "date" => format!("{:?} ({:?})", c.date, c.date_source),
        "classification" => format!("{:?}", c.classification),
        "tags" => format!("{:?}", c.tags),
        _ => unreachable!("unknown head field {name}"),
    }
}

/// The share of corpus cables, in percent, that must have a subject span and so be checked, so that
/// this test cannot pass by checking nothing. 1,083 of 1,092 (99.2%) have one; the 9 without are
/// the cables whose text has no SUBJECT line.
const MIN_TRUNCATED_PERCENT: f64 = 99.0;

/// A cable cut right after its SUBJECT (the end of the line where the full parse's subject span
/// ends) keeps id, subject, and the date (DTG), classification and tags found before the cut.
#[test]
fn truncated_after_subject_keeps_head_fields() {
    let corpus = corpus();
    if corpus.is_empty() {
        return;
    }
    let mut checked = 0;
    let mut differences = Vec::new();
    for (id, bytes) in corpus {
        let full = parse(bytes);
        let Some(subject) = full.spans.subject else {
            continue;
        };
        let text = &full.text;
        let cut = text[subject.end..]
            .find('\n')
            .map_or(text.len(), |nl| subject.end + nl + 1);
        let truncated = parse(&text.as_bytes()[..cut]);
        check_cable(&text.as_bytes()[..cut], &truncated);
        checked += 1;
        for field in head_field_names(&full, cut) {
            let (w, g) = (head_field(&full, field), head_field(&truncated, field));
            if w != g {
                differences.push(format!("{id} {field}: full {w} | truncated at {cut}: {g}"));
            }
        }
    }
    println!(
        "truncated {checked} of {} cables after their SUBJECT line",
        corpus.len()
    );
    assert!(
        differences.is_empty(),
        "{} fields changed when the cable was cut after its SUBJECT line:\n{}",
        differences.len(),
        differences
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let percent = 100.0 * checked as f64 / corpus.len() as f64;
    assert!(
        percent >= MIN_TRUNCATED_PERCENT,
        "only {checked} cables ({percent:.1}%) had a subject span; expected {MIN_TRUNCATED_PERCENT}%"
    );
}
