//! Invariants on arbitrary input: no panic, and every input yields at least one item (a cable
//! or an error naming the path), never silence.

use cable_sources::{decode_text, detect, read_bytes};
use proptest::prelude::*;

/// Prefixes that steer random bytes into each reader's code paths.
const PREFIXES: &[&[u8]] = &[
    b"",
    b"\xEF\xBB\xBF",
    b"\"1\",\"12/28/1966 18:06\",\"",
    b"\"1\",\"1/2/2010 9:05\",\"10X1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\"2\",\"1/2/2010 9:05\",",
    b"<html><head><title>Cable Viewer</title>",
    b"<html><table class='cable'><tr><th>Reference ID</th><th>Created</th></tr><tr><td>",
    b"<html><body><code><pre>A&#x000A;<a href='x'>",
    b"<html><code ",
    b"TAGS: [PREL](#) ",
    b"VZCZCXYZ0000\nOO RUEHWEB\n",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    let text = "[ -~\\n\\r\"\\\\<>&#;,/:\\[\\]()$¶]{0,300}".prop_map(String::into_bytes);
    let noise = prop::collection::vec(any::<u8>(), 0..300);
    (
        prop::sample::select(PREFIXES.to_vec()),
        prop_oneof![text, noise],
    )
        .prop_map(|(prefix, rest)| [prefix, &rest[..]].concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn read_bytes_never_panics_or_falls_silent(
        bytes in input(),
        path in prop::sample::select(vec!["x", "x.csv", "x.html", "x.txt"]),
    ) {
        let _ = detect(&bytes);
        let _ = decode_text(&bytes);
        let items: Vec<_> = read_bytes(&bytes, path).take(10_000).collect();
        prop_assert!(!items.is_empty());
        for item in items {
            match item {
                Ok(cable) => {
                    prop_assert_eq!(cable.source.path.as_str(), path);
                    prop_assert!(["text", "plusd", "cablegate-html", "cables-csv"]
                        .contains(&cable.source.container.as_str()));
                }
                Err(err) => prop_assert_eq!(err.path(), path),
            }
        }
    }
}
