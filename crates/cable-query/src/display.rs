//! The canonical text of a query. `Display` writes the form that parses back to the same tree
//! (spans aside): `-` for NOT, implicit AND, parentheses only where OR sits under AND or a
//! negation covers a group, canonical field names, dates and levels spelled one way.
//!
//! A tree the parser cannot produce (a word with a space, `All` inside a group) is written as
//! near to it as the language allows; the round trip holds for parsed trees and for trees built
//! within the invariants in [`crate::ast`].

use std::fmt::{self, Display, Formatter, Write};

use jiff::civil::Date;

use crate::ast::{Between, DateRange, Declassify, Filter, MarkingMatch, Query, Ranked, Text};
use crate::fields::{Field, ValueKind};
use crate::lexer::{bracket_range_end, field_prefix, is_bad_control, is_quote, is_stop};
use crate::values::format_date;

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Query::All => Ok(()),
            Query::Text { text, .. } => write_text(f, text, None),
            Query::Field { filter, .. } => filter.fmt(f),
            Query::And(v) => {
                for (i, q) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    match q {
                        Query::Or(_) | Query::And(_) | Query::All => write!(f, "({q})")?,
                        _ => q.fmt(f)?,
                    }
                }
                Ok(())
            }
            Query::Or(v) => {
                for (i, q) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    match q {
                        Query::Or(_) | Query::All => write!(f, "({q})")?,
                        _ => q.fmt(f)?,
                    }
                }
                Ok(())
            }
            Query::Not(q) => match **q {
                Query::And(_) | Query::Or(_) | Query::All => write!(f, "-({q})"),
                _ => write!(f, "-{q}"),
            },
        }
    }
}

/// Whether a free-text word (with `*` after it when `prefix`) can be written bare and read back
/// as the same word. The checks that concern how the lexer reads a token apply to the whole
/// written form: `or*` is a word even though `or` alone is refused.
pub(crate) fn bare_term_ok(text: &str, prefix: bool) -> bool {
    let full = written(text, prefix);
    let operator = ["AND", "OR", "NOT"]
        .iter()
        .any(|o| o.eq_ignore_ascii_case(&full));
    let range = full.starts_with('[') && bracket_range_end(&full).is_some();
    bare_chars_ok(text)
        && !full.starts_with('-')
        && !range
        && !operator
        && field_prefix(&full).is_none()
}

/// Whether a value (with `*` after it when `prefix`) can be written bare after `field:` and read
/// back as the same value.
pub(crate) fn bare_value_ok(text: &str, prefix: bool, field: Field) -> bool {
    let full = written(text, prefix);
    let range = full.starts_with('[') && (field.is_ordered() || bracket_range_end(&full).is_some());
    bare_chars_ok(text) && !full.starts_with(['>', '<', '=', '(']) && !range
}

fn written(text: &str, prefix: bool) -> String {
    if prefix {
        format!("{text}*")
    } else {
        text.to_string()
    }
}

fn bare_chars_ok(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| is_stop(c) || c == '*' || is_bad_control(c))
        && s.chars().any(char::is_alphanumeric)
}

/// `"text"`, with any quote characters (which a parsed phrase never holds) made spaces.
fn write_quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        f.write_char(if is_quote(c) { ' ' } else { c })?;
    }
    f.write_char('"')
}

fn write_text(f: &mut Formatter<'_>, t: &Text, field: Option<Field>) -> fmt::Result {
    match t {
        Text::Word { text, prefix } => {
            let star = if *prefix { "*" } else { "" };
            // A word opening a bracket it does not close (`[21id`) would start a range with
            // whatever words follow it up to a `]` and a `TO`; in parentheses it stays a word.
            let open_bracket = text.starts_with('[') && !text.contains(']');
            match field {
                _ if open_bracket && bare_term_ok(text, *prefix) => write!(f, "({text}{star})"),
                None if bare_term_ok(text, *prefix) => write!(f, "{text}{star}"),
                Some(fl) if bare_value_ok(text, *prefix, fl) => write!(f, "{text}{star}"),
                // A word that `field:` would turn into a comparison (`>x`, from a field group
                // `tag:(a >x)`) is still a word inside a group; quoted, it would be a phrase.
                Some(_) if bare_term_ok(text, *prefix) => write!(f, "({text}{star})"),
                _ => {
                    write_quoted(f, text)?;
                    f.write_str(star)
                }
            }
        }
        Text::Phrase { text } => write_quoted(f, text),
    }
}

/// A value after an operator: bare when it can be, else quoted.
fn write_value(f: &mut Formatter<'_>, s: &str, field: Field) -> fmt::Result {
    if bare_value_ok(s, false, field) {
        f.write_str(s)
    } else {
        write_quoted(f, s)
    }
}

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let field = self.field();
        match self {
            Filter::Id(id) | Filter::Cites(id) | Filter::CitedBy(id) => {
                write!(f, "{field}:")?;
                write_value(f, id, field)
            }
            Filter::Tag(t)
            | Filter::From(t)
            | Filter::To(t)
            | Filter::Info(t)
            | Filter::Caveat(t)
            | Filter::Caption(t)
            | Filter::Subject(t)
            | Filter::Signer(t)
            | Filter::ClassifiedBy(t) => {
                write!(f, "{field}:")?;
                write_text(f, t, Some(field))
            }
            Filter::Classification(b) => write_between(f, field, b, Ranked::name, None),
            Filter::Precedence(b) => write_between(f, field, b, Ranked::name, None),
            Filter::Date(r) | Filter::Declassify(Declassify::Date(r)) => write_dates(f, field, r),
            Filter::Declassify(Declassify::Code(c)) => {
                write!(f, "{field}:")?;
                write_value(f, c, field)
            }
            Filter::Declassify(Declassify::Due) => write!(f, "{field}:due"),
            Filter::Marking(m) => write_marking(f, field, m),
            Filter::Has(flag) => write!(f, "{field}:{}", flag.name()),
        }
    }
}

/// `field:X`, `field>=X`, `field<=X` or `field:[X TO Y]`, whichever says the range; `suffix`
/// follows a single value (a marking's caveats).
fn write_between<T: Ranked>(
    f: &mut Formatter<'_>,
    field: Field,
    b: &Between<T>,
    name: fn(T) -> &'static str,
    suffix: Option<&str>,
) -> fmt::Result {
    let one = |f: &mut Formatter<'_>, op: &str, v: T| {
        write!(f, "{field}{op}")?;
        let s = format!("{}{}", name(v), suffix.unwrap_or(""));
        write_value(f, &s, field)
    };
    if b.min == b.max {
        one(f, ":", b.min)
    } else if b.max == T::highest() {
        one(f, ">=", b.min)
    } else if b.min == T::lowest() {
        one(f, "<=", b.max)
    } else {
        write!(f, "{field}:[{} TO {}]", name(b.min), name(b.max))
    }
}

fn write_marking(f: &mut Formatter<'_>, field: Field, m: &MarkingMatch) -> fmt::Result {
    let caveats: String = m.caveats.iter().map(|c| format!("//{c}")).collect();
    write_between(f, field, &m.levels, |l| l.short(), Some(&caveats))
}

fn write_dates(f: &mut Formatter<'_>, field: Field, r: &DateRange) -> fmt::Result {
    debug_assert!(matches!(
        field.kind(),
        ValueKind::Date | ValueKind::Declassify
    ));
    match (r.start, r.end) {
        (Some(a), Some(b)) => {
            if a == b {
                write!(f, "{field}:{}", format_date(a))
            } else if is_year(a, b) {
                write!(f, "{field}:{:04}", a.year())
            } else if a.day() == 1 && b == a.last_of_month() {
                write!(f, "{field}:{:04}-{:02}", a.year(), a.month())
            } else {
                write!(f, "{field}:[{} TO {}]", format_date(a), format_date(b))
            }
        }
        (Some(a), None) => write!(f, "{field}>={}", format_date(a)),
        (None, Some(b)) => write!(f, "{field}<={}", format_date(b)),
        (None, None) => write!(f, "{field}:[* TO *]"),
    }
}

fn is_year(a: Date, b: Date) -> bool {
    a.year() == b.year() && (a.month(), a.day()) == (1, 1) && (b.month(), b.day()) == (12, 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words() {
        assert!(bare_term_ok("nuclear", false));
        assert!(bare_term_ok("U.S.", false));
        assert!(bare_term_ok("12:30", false));
        assert!(bare_term_ok("[REDACTED]", false));
        assert!(bare_term_ok("or", true));
        for s in [
            "-x", "a b", "or", "AND", "from:x", "a\"b", "x*", "...", "", "[a TO b]",
        ] {
            assert!(!bare_term_ok(s, false), "{s}");
        }
        assert!(bare_value_ok("-x", false, Field::Tag));
        assert!(bare_value_ok("AND", false, Field::Tag));
        assert!(bare_value_ok("[x]", false, Field::Tag));
        assert!(!bare_value_ok("[x]", false, Field::Date));
        assert!(!bare_value_ok(">x", false, Field::Tag));
        assert!(!bare_value_ok("TOP SECRET", false, Field::Classification));
    }

    fn round_trips(input: &str) {
        let q = crate::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let text = q.to_string();
        let again = crate::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(again.without_spans(), q.without_spans(), "{input} → {text}");
        assert_eq!(again.to_string(), text);
    }

    /// Found by the `query` fuzz target: a word opening a bracket (`[21id`) in a group, with
    /// `TO` and a word ending in `]` after the group, printed bare became a range.
    #[test]
    fn fuzz_regression_open_bracket_word_round_trips() {
        for input in [
            "dat\u{fffd}e:([21id:099UO VO S/1d:001 TO) S] ",
            "([a) b TO c]",
            "tag:([a) b TO c]",
            "[a b TO c",
            "[a* b TO c",
        ] {
            round_trips(input);
        }
        assert_eq!(
            crate::parse("[a b TO c").unwrap().to_string(),
            "([a) b TO c"
        );
    }

    /// Found by the `query` fuzz target: a word starting with `>` inside a field group was
    /// printed quoted (`tag:">>OR"`), which reads back as a phrase, not the word.
    #[test]
    fn fuzz_regression_comparison_like_word_in_a_group_round_trips() {
        for input in [
            "tag:(PREL >>>>>>>>>>>>>>>>>>>>>>>>>OR PGOV)",
            "tag:(>x)",
            "from:(<a* OR =b)",
            "-subject:(>=2009)",
            "from:(\"S\"-------------------------=-----------OG)",
            "from:(-=x)",
        ] {
            round_trips(input);
        }
        let q = crate::parse("tag:(PREL >>OR PGOV)").unwrap();
        assert_eq!(q.to_string(), "tag:PREL tag:(>>OR) tag:PGOV");
    }
}
