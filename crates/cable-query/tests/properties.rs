//! Properties of the parser, checked by proptest: no input panics; every error's span lies inside
//! the input on character boundaries; every query that parses prints a canonical text that parses
//! back to it; every well-formed AST prints a text that parses back to it.

use cable_query::{
    parse, Between, Date, DateRange, Declassify, Filter, Flag, Level, MarkingMatch, Precedence,
    Query, Ranked, Span, Text, DECLASSIFY_CODES, MAX_QUERY_LEN,
};
use proptest::prelude::*;

/// Checks what must hold for any input, and returns the parse.
fn check(input: &str) -> Result<Query, cable_query::QueryError> {
    let r = parse(input);
    match &r {
        Err(e) => {
            let Span { start, end } = e.span;
            assert!(
                start <= end && end <= input.len(),
                "{input:?}: span {start}..{end}"
            );
            assert!(
                input.is_char_boundary(start) && input.is_char_boundary(end),
                "{input:?}: span {start}..{end} splits a character"
            );
            assert!(!e.message.is_empty());
            assert!(e.to_string().contains(&format!(" at {start}..{end}")));
            let _ = e.render(input);
        }
        Ok(q) => {
            for (leaf, _) in q.leaves() {
                let s = leaf.span().expect("a leaf has a span");
                assert!(
                    s.start < s.end && s.end <= input.len(),
                    "{input:?}: leaf {s}"
                );
                assert!(input.is_char_boundary(s.start) && input.is_char_boundary(s.end));
            }
            let text = q.to_string();
            let again =
                parse(&text).unwrap_or_else(|e| panic!("{input:?} → {text:?} does not parse: {e}"));
            assert_eq!(
                again.without_spans(),
                q.without_spans(),
                "{input:?} → {text:?} parses differently"
            );
            assert_eq!(again.to_string(), text, "canonical text is not stable");
        }
    }
    r
}

/// Pieces of query syntax, so random strings reach deep into the grammar.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\"".to_string()),
        Just("\u{201C}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(" ".to_string()),
        Just(" AND ".to_string()),
        Just(" OR ".to_string()),
        Just("NOT ".to_string()),
        Just("-".to_string()),
        Just("*".to_string()),
        Just(" TO ".to_string()),
        Just("..".to_string()),
        Just("//".to_string()),
        Just(":".to_string()),
        Just(">=".to_string()),
        Just("<".to_string()),
        Just("=".to_string()),
        Just("or".to_string()),
        prop::sample::select(vec![
            "tag:",
            "from:",
            "to:",
            "info:",
            "class:",
            "classification",
            "caveat:",
            "caption:",
            "precedence:",
            "date:",
            "subject:",
            "signer:",
            "classified-by:",
            "declassify:",
            "cites:",
            "cited-by:",
            "marking:",
            "has:",
            "id:",
            "frm:",
            "Date>",
            "class>=",
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec![
            "2009",
            "2009-08",
            "2009-08-04",
            "2009-13",
            "1999-02-29",
            "S",
            "TS",
            "SECRET",
            "TOP SECRET",
            "U",
            "SBU",
            "NF",
            "S//NF",
            "refs",
            "summary",
            "OADR",
            "N/A",
            "09STATE12345",
            "IMMEDIATE",
            "o",
            "PREL",
            "ISLAMABAD",
            "nuclear",
            "café",
            "*",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9é.&'-]{1,6}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn syntaxy(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), pieces).prop_map(|v| v.concat())
}

// ---- Well-formed ASTs.

const SPAN: Span = Span { start: 0, end: 0 };

fn free_word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9éß][a-zA-Z0-9éß.&'-]{0,8}".prop_filter("operator word", |w| {
        !["and", "or", "not"].contains(&w.to_ascii_lowercase().as_str())
    })
}

fn phrase_text() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-zA-Z0-9é][a-zA-Z0-9é.:()\\[\\]&'-]{0,6}", 1..4)
        .prop_map(|w| w.join(" "))
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        ("[a-zA-Z0-9é][a-zA-Z0-9é./:&'-]{0,8}", any::<bool>())
            .prop_map(|(text, prefix)| Text::Word { text, prefix }),
        phrase_text().prop_map(|text| Text::Phrase { text }),
    ]
}

fn id() -> impl Strategy<Value = String> {
    "[0-9]{2}[A-Z]{1,12}[1-9][0-9]{0,6}"
}

fn between<T: Ranked>() -> impl Strategy<Value = Between<T>> {
    let n = T::ALL.len();
    (0..n, 0..n).prop_map(|(a, b)| Between {
        min: T::ALL[a.min(b)],
        max: T::ALL[a.max(b)],
    })
}

fn date() -> impl Strategy<Value = Date> {
    (1000i16..=9999, 1i8..=12, 1i8..=31).prop_map(|(y, m, d)| {
        let first = Date::constant(y, m, 1);
        Date::constant(y, m, d.min(first.last_of_month().day()))
    })
}

fn date_range() -> impl Strategy<Value = DateRange> {
    prop_oneof![
        (prop::option::of(date()), prop::option::of(date())).prop_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if a > b => DateRange::new(Some(b), Some(a)),
            (a, b) => DateRange::new(a, b),
        }),
        (1000i16..=9999).prop_map(|y| DateRange::new(
            Some(Date::constant(y, 1, 1)),
            Some(Date::constant(y, 12, 31))
        )),
        date().prop_map(|d| DateRange::new(Some(d.first_of_month()), Some(d.last_of_month()))),
        date().prop_map(DateRange::day),
    ]
}

fn marking() -> impl Strategy<Value = MarkingMatch> {
    (
        between::<Level>(),
        prop::sample::subsequence(vec!["NF", "OC", "FOUO", "REL TO USA, GBR"], 0..3),
    )
        .prop_map(|(levels, caveats)| {
            // Caveats go with a single level or a comparison, not with [A TO B].
            let inner = levels.min != Level::lowest()
                && levels.max != Level::highest()
                && levels.min != levels.max;
            MarkingMatch {
                levels,
                caveats: if inner {
                    Vec::new()
                } else {
                    caveats.into_iter().map(str::to_string).collect()
                },
            }
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    prop_oneof![
        id().prop_map(Filter::Id),
        text().prop_map(Filter::Tag),
        text().prop_map(Filter::From),
        text().prop_map(Filter::To),
        text().prop_map(Filter::Info),
        between::<Level>().prop_map(Filter::Classification),
        text().prop_map(Filter::Caveat),
        text().prop_map(Filter::Caption),
        between::<Precedence>().prop_map(Filter::Precedence),
        date_range().prop_map(Filter::Date),
        text().prop_map(Filter::Subject),
        text().prop_map(Filter::Signer),
        text().prop_map(Filter::ClassifiedBy),
        date_range().prop_map(|r| Filter::Declassify(Declassify::Date(r))),
        prop::sample::select(DECLASSIFY_CODES)
            .prop_map(|c| Filter::Declassify(Declassify::Code(c.to_string()))),
        id().prop_map(Filter::Cites),
        id().prop_map(Filter::CitedBy),
        marking().prop_map(Filter::Marking),
        prop::sample::select(Flag::ALL).prop_map(Filter::Has),
    ]
}

fn leaf() -> impl Strategy<Value = Query> {
    prop_oneof![
        (free_word(), any::<bool>()).prop_map(|(text, prefix)| Query::Text {
            text: Text::Word { text, prefix },
            span: SPAN
        }),
        phrase_text().prop_map(|text| Query::Text {
            text: Text::Phrase { text },
            span: SPAN
        }),
        filter().prop_map(|filter| Query::Field { filter, span: SPAN }),
        filter().prop_map(|filter| Query::Field { filter, span: SPAN }),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Query::and),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Query::or),
            inner.prop_map(Query::not),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_string_panics(s in any::<String>()) {
        let _ = check(&s);
    }

    #[test]
    fn no_syntax_soup_panics(s in syntaxy(0..24)) {
        let _ = check(&s);
    }

    /// Short soups parse more often, so they test the round trip of odd but valid queries.
    #[test]
    fn short_syntax_soup_round_trips(s in syntaxy(0..6)) {
        let _ = check(&s);
    }

    #[test]
    fn generated_asts_round_trip(q in query()) {
        let text = q.to_string();
        prop_assert!(text.len() <= MAX_QUERY_LEN);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(back.without_spans(), q.without_spans(), "{}", text);
        prop_assert_eq!(back.to_string(), text);
    }
}

#[test]
fn some_soup_parses() {
    // The soup strategy is only useful if a fair share of it is valid; check a fixed sample.
    for s in [
        "tag:PREL OR (from:ISLAMABAD -class>=S)",
        "date:[2009 TO 2010-06] \u{201C}nuclear program\u{201D}",
        "marking:S//NF has:refs cites:09STATE12345",
    ] {
        assert!(check(s).is_ok(), "{s}");
    }
}

#[test]
fn long_and_deep_inputs_are_errors_not_crashes() {
    for s in [
        "(".repeat(100_000),
        "-".repeat(100_000) + "a",
        "NOT ".repeat(1000) + "a",
        "\"".repeat(MAX_QUERY_LEN + 1),
        "a ".repeat(MAX_QUERY_LEN / 2 - 1) + "a",
    ] {
        let _ = check(&s);
    }
    // Depth within the limit, length near the limit: parses, prints, parses back.
    let s = format!("{}a{}", "(b ".repeat(60), ")".repeat(60));
    assert!(check(&s).is_ok());
}
