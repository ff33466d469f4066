//! Stable replay of the `cargo fuzz` target (`fuzz/fuzz_targets/parse.rs`): runs the same check,
//! `cable_testdata::check_parse`, over a corpus built at run time and never committed:
//! - every real input under `../shared` (corpus texts, Cablegate HTML pages, samples, CSV files),
//!   each also with cheap deterministic mutations (truncations, CRLF, Latin-1, inserted and
//!   deleted bytes);
//! - the files under `fuzz/corpus/parse/` and `fuzz/artifacts/parse/`, when a fuzzing run left any.
//!
//! Every failing input is reported by name before the test fails.

/// Inputs worth checking even without `../shared`.
const BUILT_IN: &[&[u8]] = &[
    b"",
    b"\n",
    b"\r",
    b"\xFF",
    b"\xC3",
    b"\xE2\x80",
    b"\0\0\0",
    "¶".as_bytes(),
    b"SUBJECT:",
    b"TAGS:",
    b"REF:",
    b"O 041457Z AUG 09",
    b"O 999999Z FOO 99",
    b"DE RUEHRK #/ 9999999",
    b"E.O. 12958: DECL: 99/99/9999",
    b"1. (",
    b"[1](#)",
    b"&#x000A;&#;&#x110000;&",
];

#[test]
fn fuzz_corpus_replays_clean() {
    // The same replay as every other fuzz target's (seeds from `../shared` with their
    // mutations, `fuzz/corpus/parse/`, `fuzz/artifacts/parse/`), with the parser's check.
    let checked = cable_testdata::fuzz::replay("parse", BUILT_IN);
    assert!(checked >= BUILT_IN.len());
}

/// Found by the fuzzer (as a stack overflow of this replay in a debug build): every nested
/// parenthesis of a TAGS line was parsed by a recursive call. 20,000 of them, on the 2 MB
/// stack of a test thread.
#[test]
fn deep_parentheses_in_tags_parse() {
    let input = format!(
        "TAGS: {}PREL PGOV{}\nSUBJECT: DEEP\n\n1. (U) Text.\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    cable_testdata::check_parse(input.as_bytes());
    let cable = cable_format::parse(input.as_bytes());
    let codes: Vec<&str> = cable.tags.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["PREL", "PGOV"]);
}
