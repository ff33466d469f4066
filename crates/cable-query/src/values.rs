//! Field values: turning what was typed after `field:` (or inside a field group) into the typed
//! value of that field, with an error that points at the offending part.

use jiff::civil::Date;

use crate::ast::{
    normalize_caveat, squash, Between, DateRange, Declassify, Filter, Flag, Level, MarkingMatch,
    Precedence, Query, Ranked, Span, Text, LEVEL_FORMS, PRECEDENCE_FORMS,
};
use crate::error::{ErrorKind, QueryError};
use crate::fields::{nearest, Field, ValueKind};
use crate::lexer::{Op, Value};

/// The codes an E.O. line gives instead of a declassification date.
pub const DECLASSIFY_CODES: &[&str] = &[
    "OADR", "GDS", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "25X1", "25X2", "25X3", "25X4",
    "25X5", "25X6", "25X7", "25X8", "25X9", "50X1", "N/A",
];

/// The earliest and latest dates a query may name (four-digit years).
const MIN_DATE: Date = Date::constant(1000, 1, 1);
const MAX_DATE: Date = Date::constant(9999, 12, 31);

type Result<T> = std::result::Result<T, QueryError>;

/// Free text: a word, a `prefix*` or a phrase.
pub(crate) fn text_query(v: &Value, span: Span) -> Result<Query> {
    let text = match v {
        Value::Word(w) => word(w, span, None)?,
        Value::Quoted {
            text,
            content_start,
        } => phrase(text, *content_start, span, None)?,
        Value::Range { .. } => {
            return Err(QueryError::new(
                ErrorKind::RangeWithoutField,
                span,
                "a range needs a field in front of it (date:[2009-01-01 TO 2009-06-30])",
            ))
        }
    };
    Ok(Query::Text { text, span })
}

/// A field condition from its operator and value.
pub(crate) fn filter(field: Field, op: Op, op_span: Span, v: &Value, span: Span) -> Result<Filter> {
    let kind = field.kind();
    if op != Op::Eq && !field.is_ordered() {
        return Err(QueryError::new(
            ErrorKind::BadComparison,
            op_span,
            format!(
                "{field}: has no order, so '{}' means nothing here; write {field}:VALUE",
                op.as_str()
            ),
        ));
    }
    match kind {
        ValueKind::Text => {
            let text = match v {
                Value::Word(w) => word(w, span, Some(field))?,
                Value::Quoted {
                    text,
                    content_start,
                } => phrase(text, *content_start, span, Some(field))?,
                Value::Range { .. } => return Err(no_range(field, span)),
            };
            Ok(match field {
                Field::Tag => Filter::Tag(text),
                Field::From => Filter::From(text),
                Field::To => Filter::To(text),
                Field::Info => Filter::Info(text),
                Field::Caveat => Filter::Caveat(text),
                Field::Caption => Filter::Caption(text),
                Field::Subject => Filter::Subject(text),
                Field::Signer => Filter::Signer(text),
                _ => Filter::ClassifiedBy(text),
            })
        }
        ValueKind::Id => {
            let id = cable_id(field, v, span)?;
            Ok(match field {
                Field::Cites => Filter::Cites(id),
                Field::CitedBy => Filter::CitedBy(id),
                _ => Filter::Id(id),
            })
        }
        ValueKind::Level => Ok(Filter::Classification(ranked(
            field, op, op_span, v, span, &LEVELS,
        )?)),
        ValueKind::Precedence => Ok(Filter::Precedence(ranked(
            field,
            op,
            op_span,
            v,
            span,
            &PRECEDENCES,
        )?)),
        ValueKind::Date => Ok(Filter::Date(dates(field, op, op_span, v, span)?)),
        ValueKind::Declassify => {
            if value_text(v, span).is_some_and(|(s, _)| s.eq_ignore_ascii_case("due")) {
                if op != Op::Eq {
                    return Err(QueryError::new(
                        ErrorKind::BadComparison,
                        op_span,
                        format!("'due' has no order; write {field}:due"),
                    ));
                }
                return Ok(Filter::Declassify(Declassify::Due));
            }
            if let Some(code) = value_text(v, span).and_then(|(s, _)| declassify_code(&s)) {
                if op != Op::Eq {
                    return Err(QueryError::new(
                        ErrorKind::BadComparison,
                        op_span,
                        format!("a declassification code has no order; write {field}:{code}"),
                    ));
                }
                return Ok(Filter::Declassify(Declassify::Code(code)));
            }
            Ok(Filter::Declassify(Declassify::Date(dates(
                field, op, op_span, v, span,
            )?)))
        }
        ValueKind::Marking => Ok(Filter::Marking(marking(field, op, op_span, v, span)?)),
        ValueKind::Flag => {
            let (s, sspan) = value_text(v, span).ok_or_else(|| no_range(field, span))?;
            match Flag::parse(&s) {
                Some(f) => Ok(Filter::Has(f)),
                None => {
                    let names = Flag::ALL
                        .iter()
                        .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()));
                    let suggestion = nearest(&s.to_ascii_lowercase(), names)
                        .and_then(Flag::parse)
                        .map(|f| f.name().to_string());
                    let all: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
                    Err(QueryError::new(
                        ErrorKind::BadFlag,
                        sspan,
                        format!("'{s}' is not a has: flag (flags: {})", all.join(", ")),
                    )
                    .suggest(suggestion))
                }
            }
        }
    }
}

fn no_range(field: Field, span: Span) -> QueryError {
    QueryError::new(
        ErrorKind::BadRange,
        span,
        format!("{field}: takes a single value, not a range"),
    )
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A bare word, `*` only as a final prefix marker; `field` is `None` for free text.
fn word(w: &str, span: Span, field: Option<Field>) -> Result<Text> {
    if w == "*" {
        let msg = match field {
            None => {
                "'*' alone is not a search: leave the query empty to match every cable".to_string()
            }
            Some(f) => {
                format!("'*' alone is not a value: write the start of a word before it ({f}:PRE*)")
            }
        };
        return Err(QueryError::new(ErrorKind::BadWildcard, span, msg));
    }
    let (text, prefix) = match w.find('*') {
        None => (w, false),
        Some(i) if i + 1 == w.len() => (&w[..i], true),
        Some(i) => {
            let at = Span::new(span.start + i, span.start + i + 1);
            let msg = if i == 0 {
                "a word cannot start with '*': only prefixes are supported (nucl*)"
            } else {
                "'*' can only end a word (nucl* finds nuclear, nucleus...)"
            };
            return Err(QueryError::new(ErrorKind::BadWildcard, at, msg));
        }
    };
    if !text.chars().any(char::is_alphanumeric) {
        let suggestion = match text {
            "&&" | "&" => Some("AND"),
            "||" | "|" => Some("OR"),
            "!" => Some("NOT"),
            _ => None,
        };
        return Err(QueryError::new(
            ErrorKind::NothingToSearch,
            span,
            format!("'{w}' has no letters or digits to search for"),
        )
        .suggest(suggestion.map(str::to_string)));
    }
    Ok(Text::Word {
        text: text.to_string(),
        prefix,
    })
}

/// A quoted phrase: whitespace collapsed, no `*`, at least one letter or digit.
fn phrase(raw: &str, content_start: usize, span: Span, field: Option<Field>) -> Result<Text> {
    let text = collapse(raw);
    if text.is_empty() {
        let msg = match field {
            None => "empty phrase: put words between the quotes".to_string(),
            Some(f) => format!(
                "{f}: has an empty value (e.g. {})",
                crate::lexer::example(f)
            ),
        };
        return Err(QueryError::new(ErrorKind::EmptyValue, span, msg));
    }
    if let Some(i) = raw.find('*') {
        return Err(QueryError::new(
            ErrorKind::BadWildcard,
            Span::new(content_start + i, content_start + i + 1),
            "'*' is not a wildcard inside quotes: write a prefix without quotes (nucl*)",
        ));
    }
    if !text.chars().any(char::is_alphanumeric) {
        return Err(QueryError::new(
            ErrorKind::NothingToSearch,
            span,
            format!("\"{text}\" has no letters or digits to search for"),
        ));
    }
    Ok(Text::Phrase { text })
}

/// A value's text and the span of that text in the input (inside the quotes for a quoted one).
fn value_text(v: &Value, span: Span) -> Option<(String, Span)> {
    match v {
        Value::Word(w) => Some((w.clone(), span)),
        Value::Quoted {
            text,
            content_start,
        } => Some((
            collapse(text),
            Span::new(*content_start, content_start + text.len()),
        )),
        Value::Range { .. } => None,
    }
}

/// A canonical cable id: upper case, serial without leading zeros (`09state012345` →
/// `09STATE12345`).
fn cable_id(field: Field, v: &Value, span: Span) -> Result<String> {
    let (s, sspan) = value_text(v, span).ok_or_else(|| no_range(field, span))?;
    if s.contains('*') {
        return Err(QueryError::new(
            ErrorKind::BadWildcard,
            sspan,
            format!("{field}: takes a whole cable id, not a prefix"),
        ));
    }
    normalize_id(&s).ok_or_else(|| {
        QueryError::new(
            ErrorKind::BadId,
            sspan,
            format!(
                "'{s}' is not a cable id: an id is a two-digit year, the station and the serial \
                 (09STATE12345)"
            ),
        )
    })
}

fn normalize_id(s: &str) -> Option<String> {
    let up = s.to_ascii_uppercase();
    let b = up.as_bytes();
    if b.len() < 4 || !b[0].is_ascii_digit() || !b[1].is_ascii_digit() {
        return None;
    }
    let rest = &up[2..];
    let digits_at = rest.find(|c: char| !c.is_ascii_uppercase())?;
    let (station, serial) = rest.split_at(digits_at);
    if station.is_empty()
        || station.len() > 30
        || serial.is_empty()
        || !serial.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let serial = serial.trim_start_matches('0');
    if serial.is_empty() || serial.len() > 7 {
        return None;
    }
    Some(format!("{}{station}{serial}", &up[..2]))
}

/// How to read one member of a ranked type, and the error for what is not one.
struct RankedParser<T> {
    parse: fn(&str) -> Option<T>,
    error: fn(&str, Span) -> QueryError,
}

const LEVELS: RankedParser<Level> = RankedParser {
    parse: Level::parse,
    error: level_error,
};

fn level_error(s: &str, span: Span) -> QueryError {
    // `class:SECRET//NOFORN`: a level with caveats, which are a field of their own.
    if let Some((level, caveats)) = s.split_once('/') {
        if let Some(l) = Level::parse(level) {
            let caveats: Vec<String> = caveats
                .split('/')
                .filter(|c| !c.trim().is_empty())
                .map(|c| format!("caveat:{}", c.trim().to_uppercase()))
                .collect();
            return QueryError::new(
                ErrorKind::BadLevel,
                span,
                format!(
                    "'{s}' is a level with caveats: write the caveats as a field of their own \
                     (classification:{} {})",
                    l.name().replace(' ', "_"),
                    caveats.join(" ")
                ),
            );
        }
    }
    let (msg, suggestion) = name_error(
        s,
        "a classification level: U, SBU (or LOU), C, S, TS or the full names",
        LEVEL_FORMS.iter().map(|(f, l)| (*f, l.name())),
        &[
            "TOP SECRET",
            "LIMITED OFFICIAL USE",
            "SENSITIVE BUT UNCLASSIFIED",
        ],
    );
    QueryError::new(ErrorKind::BadLevel, span, msg).suggest(suggestion)
}

const PRECEDENCES: RankedParser<Precedence> = RankedParser {
    parse: Precedence::parse,
    error: precedence_error,
};

fn precedence_error(s: &str, span: Span) -> QueryError {
    let (msg, suggestion) = name_error(
        s,
        "a precedence: ROUTINE, PRIORITY, IMMEDIATE, FLASH (or R, P, O, Z), DEFERRED, \
         EMERGENCY COMMAND PRECEDENCE",
        PRECEDENCE_FORMS.iter().map(|(f, p)| (*f, p.name())),
        &["EMERGENCY COMMAND PRECEDENCE"],
    );
    let msg = if squash(s).starts_with("NIACT") {
        format!("{msg}; NIACT is marked on addressee lines, the cable's precedence is IMMEDIATE")
    } else {
        msg
    };
    let suggestion =
        suggestion.or_else(|| squash(s).starts_with("NIACT").then(|| "IMMEDIATE".into()));
    QueryError::new(ErrorKind::BadPrecedence, span, msg).suggest(suggestion)
}

/// The message and suggestion for a name that is not in a list: the nearest spelling, or the
/// multi-word name it begins (`TOP` → `TOP SECRET`, to be quoted).
fn name_error<'a>(
    s: &str,
    what: &str,
    forms: impl Iterator<Item = (&'a str, &'static str)> + Clone,
    multiword: &[&'static str],
) -> (String, Option<String>) {
    let key = squash(s);
    let first_word = s.trim().to_uppercase();
    if let Some(full) = multiword
        .iter()
        .find(|m| m.split(' ').next() == Some(first_word.as_str()))
    {
        return (
            format!("'{s}' is not {what}; a name with spaces needs quotes"),
            Some(format!("\"{full}\"")),
        );
    }
    let near = nearest(&key, forms.clone().map(|(f, _)| f))
        .and_then(|f| forms.clone().find(|(g, _)| *g == f))
        .map(|(_, name)| name.to_string());
    (format!("'{s}' is not {what}"), near)
}

/// Bounds of a `[a TO b]` range: each side's text (words joined by one space) and span.
fn range_bounds(inner: &str, inner_start: usize, span: Span) -> Result<[(String, Span); 2]> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    for part in inner.split_inclusive(char::is_whitespace) {
        let w = part.trim_end();
        if !w.is_empty() {
            words.push((i, w));
        }
        i += part.len();
    }
    let tos: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, (_, w))| w.eq_ignore_ascii_case("TO"))
        .map(|(k, _)| k)
        .collect();
    let wspan = |k: usize| {
        let (at, w) = words[k];
        Span::new(inner_start + at, inner_start + at + w.len())
    };
    let k =
        match tos[..] {
            [] => return Err(QueryError::new(
                ErrorKind::BadRange,
                span,
                "a range is written [START TO END], e.g. [2009-01-01 TO 2009-06-30]; * leaves an end open",
            )),
            [k] => k,
            [_, k, ..] => {
                return Err(QueryError::new(
                    ErrorKind::BadRange,
                    wspan(k),
                    "a range has one TO",
                ))
            }
        };
    if k == 0 || k + 1 == words.len() {
        let side = if k == 0 {
            "a start before"
        } else {
            "an end after"
        };
        return Err(QueryError::new(
            ErrorKind::BadRange,
            wspan(k),
            format!("the range needs {side} TO (* leaves it open)"),
        ));
    }
    let bound = |from: usize, to: usize| {
        let text = words[from..to]
            .iter()
            .map(|(_, w)| *w)
            .collect::<Vec<_>>()
            .join(" ");
        (text, wspan(from).cover(wspan(to - 1)))
    };
    Ok([bound(0, k), bound(k + 1, words.len())])
}

/// Bounds of an `a..b` word, or `None` when the word has no `..`.
fn dots_bounds(w: &str, span: Span) -> Option<[(String, Span); 2]> {
    let i = w.find("..")?;
    let (a, b) = (&w[..i], &w[i + 2..]);
    Some([
        (a.to_string(), Span::new(span.start, span.start + i)),
        (b.to_string(), Span::new(span.start + i + 2, span.end)),
    ])
}

/// The two bounds when the value is a range (`[a TO b]` or `a..b`), checking the operator is `:`.
fn bounds(
    field: Field,
    op: Op,
    op_span: Span,
    v: &Value,
    span: Span,
) -> Result<Option<[(String, Span); 2]>> {
    let b = match v {
        Value::Range { inner, inner_start } => Some(range_bounds(inner, *inner_start, span)?),
        Value::Word(w) => dots_bounds(w, span),
        Value::Quoted { .. } => None,
    };
    if b.is_some() && op != Op::Eq {
        return Err(QueryError::new(
            ErrorKind::BadComparison,
            op_span,
            format!(
                "a range takes ':', not '{}' ({field}:[A TO B])",
                op.as_str()
            ),
        ));
    }
    Ok(b)
}

fn is_open(s: &str) -> bool {
    s.is_empty() || s == "*"
}

/// A [`Between`] from one value and an operator, or from a range.
fn ranked<T: Ranked>(
    field: Field,
    op: Op,
    op_span: Span,
    v: &Value,
    span: Span,
    p: &RankedParser<T>,
) -> Result<Between<T>> {
    let one = |s: &str, sp: Span| (p.parse)(s).ok_or_else(|| (p.error)(s, sp));
    if let Some([(a, aspan), (b, bspan)]) = bounds(field, op, op_span, v, span)? {
        let min = if is_open(&a) {
            T::lowest()
        } else {
            one(&a, aspan)?
        };
        let max = if is_open(&b) {
            T::highest()
        } else {
            one(&b, bspan)?
        };
        if min > max {
            return Err(QueryError::new(
                ErrorKind::BadRange,
                span,
                format!(
                    "the range is backwards: {} is above {}",
                    min.name(),
                    max.name()
                ),
            ));
        }
        return Ok(Between { min, max });
    }
    let (s, sspan) = value_text(v, span).ok_or_else(|| no_range(field, span))?;
    let x = one(&s, sspan)?;
    compare(x, op, op_span)
}

fn compare<T: Ranked>(x: T, op: Op, op_span: Span) -> Result<Between<T>> {
    let nothing = |dir: &str| {
        QueryError::new(
            ErrorKind::BadRange,
            op_span,
            format!("nothing is {dir} {}: this matches no cable", x.name()),
        )
    };
    Ok(match op {
        Op::Eq => Between::exactly(x),
        Op::Ge => Between {
            min: x,
            max: T::highest(),
        },
        Op::Le => Between {
            min: T::lowest(),
            max: x,
        },
        Op::Gt => Between {
            min: x.above().ok_or_else(|| nothing("above"))?,
            max: T::highest(),
        },
        Op::Lt => Between {
            min: T::lowest(),
            max: x.below().ok_or_else(|| nothing("below"))?,
        },
    })
}

/// A date range from one date and an operator, or from a range.
fn dates(field: Field, op: Op, op_span: Span, v: &Value, span: Span) -> Result<DateRange> {
    if let Some([(a, aspan), (b, bspan)]) = bounds(field, op, op_span, v, span)? {
        let start = if is_open(&a) {
            None
        } else {
            Some(period(field, &a, aspan)?.0)
        };
        let end = if is_open(&b) {
            None
        } else {
            Some(period(field, &b, bspan)?.1)
        };
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(QueryError::new(
                    ErrorKind::BadRange,
                    span,
                    format!("the range is backwards: {a} comes after {b}"),
                ));
            }
        }
        return Ok(DateRange::new(start, end));
    }
    let (s, sspan) = value_text(v, span).ok_or_else(|| no_range(field, span))?;
    let (first, last) = period(field, &s, sspan)?;
    let nothing = |dir: &str, d: Date| {
        QueryError::new(
            ErrorKind::BadRange,
            op_span,
            format!("no date is {dir} {}", format_date(d)),
        )
    };
    Ok(match op {
        Op::Eq => DateRange::new(Some(first), Some(last)),
        Op::Ge => DateRange::new(Some(first), None),
        Op::Le => DateRange::new(None, Some(last)),
        Op::Gt => {
            let d = last
                .tomorrow()
                .ok()
                .filter(|d| *d <= MAX_DATE)
                .ok_or_else(|| nothing("after", last))?;
            DateRange::new(Some(d), None)
        }
        Op::Lt => {
            let d = first
                .yesterday()
                .ok()
                .filter(|d| *d >= MIN_DATE)
                .ok_or_else(|| nothing("before", first))?;
            DateRange::new(None, Some(d))
        }
    })
}

/// The first and last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn period(field: Field, s: &str, span: Span) -> Result<(Date, Date)> {
    let bad = |why: String| QueryError::new(ErrorKind::BadDate, span, why);
    let shape = || {
        let mut msg = format!(
            "'{s}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (2009, 2009-08, 2009-08-04)"
        );
        if field == Field::Declassify {
            msg.push_str(", or a code (OADR, GDS, X1–X8, 25X1–25X9, 50X1, N/A)");
        }
        msg
    };
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, lens: std::ops::RangeInclusive<usize>| -> Option<i16> {
        (lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    if parts.is_empty() || parts.len() > 3 || num(parts[0], 4..=4).is_none() {
        // An American date (cables write 08/04/2009): suggest the ISO form.
        let us: Vec<&str> = s.split('/').collect();
        let suggestion = match us[..] {
            [m, d, y] if y.len() == 4 => match (num(m, 1..=2), num(d, 1..=2), num(y, 4..=4)) {
                (Some(m), Some(d), Some(y)) if Date::new(y, m as i8, d as i8).is_ok() => {
                    Some(format!("{y:04}-{m:02}-{d:02}"))
                }
                _ => None,
            },
            _ => None,
        };
        return Err(bad(shape()).suggest(suggestion));
    }
    let year = num(parts[0], 4..=4).unwrap_or(0);
    if year < 1000 {
        return Err(bad(format!(
            "'{s}': the year must be between 1000 and 9999"
        )));
    }
    let month = match parts.get(1) {
        None => None,
        Some(m) => Some(num(m, 1..=2).ok_or_else(|| bad(shape()))?),
    };
    let day = match parts.get(2) {
        None => None,
        Some(d) => Some(num(d, 1..=2).ok_or_else(|| bad(shape()))?),
    };
    match (month, day) {
        (None, _) => Ok((Date::constant(year, 1, 1), Date::constant(year, 12, 31))),
        (Some(m), None) => {
            let first = Date::new(year, m as i8, 1)
                .map_err(|_| bad(format!("'{s}': there is no month {m}")))?;
            Ok((first, first.last_of_month()))
        }
        (Some(m), Some(d)) => {
            if !(1..=12).contains(&m) {
                return Err(bad(format!("'{s}': there is no month {m}")));
            }
            let date = Date::new(year, m as i8, d as i8).map_err(|_| {
                let days = Date::new(year, m as i8, 1).map_or(31, |f| f.last_of_month().day());
                bad(format!(
                    "'{s}' does not exist: {year:04}-{m:02} has {days} days"
                ))
            })?;
            Ok((date, date))
        }
    }
}

/// `YYYY-MM-DD`, always four digits of year.
pub(crate) fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn declassify_code(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    let up = if up == "NA" { "N/A".to_string() } else { up };
    DECLASSIFY_CODES.contains(&up.as_str()).then_some(up)
}

/// `marking:` — a level with optional caveats, compared on the level; or a range of levels.
fn marking(field: Field, op: Op, op_span: Span, v: &Value, span: Span) -> Result<MarkingMatch> {
    let bad = |s: &str, sp: Span| {
        QueryError::new(
            ErrorKind::BadMarking,
            sp,
            format!(
                "'{s}' is not a portion marking: a level (U, SBU, C, S, TS) with optional \
                 caveats (S//NF)"
            ),
        )
    };
    if let Some([(a, aspan), (b, bspan)]) = bounds(field, op, op_span, v, span)? {
        for (x, xs) in [(&a, aspan), (&b, bspan)] {
            if x.contains('/') {
                return Err(QueryError::new(
                    ErrorKind::BadMarking,
                    xs,
                    "a marking range takes levels only; add caveats with marking:S//NF",
                ));
            }
        }
        let levels = ranked(
            field,
            op,
            op_span,
            v,
            span,
            &RankedParser {
                parse: Level::parse,
                error: |s, sp| {
                    QueryError::new(
                        ErrorKind::BadMarking,
                        sp,
                        format!("'{s}' is not a portion marking level (U, SBU, C, S, TS)"),
                    )
                },
            },
        )?;
        return Ok(MarkingMatch {
            levels,
            caveats: Vec::new(),
        });
    }
    let (s, sspan) = value_text(v, span).ok_or_else(|| no_range(field, span))?;
    let mut parts = s.split('/');
    let level_text = parts.next().unwrap_or("");
    let level = Level::parse(level_text).ok_or_else(|| {
        let near = nearest(
            &squash(level_text),
            ["U", "SBU", "C", "S", "TS"].into_iter(),
        )
        .map(|l| {
            let rest = &s[level_text.len()..];
            format!("{l}{rest}")
        });
        bad(&s, sspan).suggest(near.filter(|n| *n != s))
    })?;
    let mut caveats: Vec<String> = Vec::new();
    let tail = &s[level_text.len()..];
    if !tail.is_empty() {
        let body = tail.strip_prefix("//").or_else(|| tail.strip_prefix('/'));
        let Some(body) = body else {
            return Err(bad(&s, sspan));
        };
        for p in body.split('/').filter(|p| !p.is_empty()) {
            let c = normalize_caveat(p).ok_or_else(|| bad(&s, sspan))?;
            if !caveats.contains(&c) {
                caveats.push(c);
            }
        }
        if caveats.is_empty() || body.ends_with('/') {
            return Err(bad(&s, sspan));
        }
    }
    Ok(MarkingMatch {
        levels: compare(level, op, op_span)?,
        caveats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::constant(y, m, day)
    }

    #[test]
    fn periods() {
        let f = Field::Date;
        let s = Span::default();
        assert_eq!(
            period(f, "2009", s).unwrap(),
            (d(2009, 1, 1), d(2009, 12, 31))
        );
        assert_eq!(
            period(f, "2008-02", s).unwrap(),
            (d(2008, 2, 1), d(2008, 2, 29))
        );
        assert_eq!(
            period(f, "2009-8-4", s).unwrap(),
            (d(2009, 8, 4), d(2009, 8, 4))
        );
        for bad in [
            "09",
            "2009-13",
            "2009-02-30",
            "2009-",
            "20O9",
            "2009-08-04-01",
            "0999",
            "",
            "2009-123",
        ] {
            let e = period(f, bad, s).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadDate, "{bad}");
        }
        let e = period(f, "08/04/2009", s).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("2009-08-04"));
        assert_eq!(period(f, "25/12/2009", s).unwrap_err().suggestion, None);
    }

    #[test]
    fn ids() {
        assert_eq!(
            normalize_id("09state012345").as_deref(),
            Some("09STATE12345")
        );
        assert_eq!(
            normalize_id("06EFTOBAKU1165").as_deref(),
            Some("06EFTOBAKU1165")
        );
        for bad in [
            "STATE123",
            "09STATE",
            "0912345",
            "09STATE12A",
            "09STATE0",
            "09STATE12345678",
            "09 STATE 1",
            "9STATE1",
        ] {
            assert_eq!(normalize_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn range_bound_spans() {
        let [(a, aspan), (b, bspan)] =
            range_bounds(" C TO TOP  SECRET ", 10, Span::new(9, 28)).unwrap();
        assert_eq!((a.as_str(), aspan), ("C", Span::new(11, 12)));
        assert_eq!((b.as_str(), bspan), ("TOP SECRET", Span::new(16, 27)));
        let e = range_bounds("2009 2010", 1, Span::new(0, 10)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadRange);
        let e = range_bounds("TO 2010", 1, Span::new(0, 9)).unwrap_err();
        assert_eq!(e.span, Span::new(1, 3));
        let e = range_bounds("2009 TO 2010 TO 2011", 1, Span::new(0, 22)).unwrap_err();
        assert_eq!(e.span, Span::new(14, 16));
    }

    #[test]
    fn declassify_codes() {
        assert_eq!(declassify_code("oadr").as_deref(), Some("OADR"));
        assert_eq!(declassify_code("NA").as_deref(), Some("N/A"));
        assert_eq!(declassify_code("25x1").as_deref(), Some("25X1"));
        assert_eq!(declassify_code("2019"), None);
    }
}
