//! Query errors: what is wrong, where (a byte range into the query), and a suggestion when one
//! is obvious. These are the caller's mistakes (HTTP 4xx, exit 1), never ours.

use serde::Serialize;
use thiserror::Error;

use crate::ast::Span;

/// What kind of mistake a query holds. The kebab-case [`code`](ErrorKind::code) is stable: API
/// clients and tests may match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The query is longer than [`MAX_QUERY_LEN`](crate::MAX_QUERY_LEN) bytes.
    TooLong,
    /// Groups and negations nest deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) levels.
    TooDeep,
    /// A control character (other than tab and newline) in the query.
    UnexpectedCharacter,
    /// A `"` without its closing `"`.
    UnclosedQuote,
    /// A `[` without its closing `]`.
    UnclosedBracket,
    /// A `(` without its closing `)`.
    UnclosedParen,
    /// A `)` without an opening `(`.
    UnmatchedParen,
    /// `()` with nothing inside.
    EmptyGroup,
    /// `AND`, `OR`, `NOT` or `-` without a term where one is needed.
    MissingOperand,
    /// `and`, `or`, `not` written in lower case, where the capital operator was probably meant.
    LowercaseOperator,
    /// A `name:` that is not a field.
    UnknownField,
    /// A field with nothing after its `:`, or an empty `""`.
    EmptyValue,
    /// A field inside a field group: `tag:(from:X)`.
    NestedField,
    /// A `[a TO b]` range with no field before it.
    RangeWithoutField,
    /// `*` alone, inside a word, at its start, in quotes, or on a field that takes no prefixes.
    BadWildcard,
    /// A term with no letter or digit in it (`&&`, `...`): the index holds nothing to match it.
    NothingToSearch,
    /// A date that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or that does not exist.
    BadDate,
    /// A classification level that is not one of the known levels.
    BadLevel,
    /// A precedence that is not one of the known precedences.
    BadPrecedence,
    /// A malformed range (`[a b]`, no `TO`), a backwards one, or one that can match nothing.
    BadRange,
    /// A comparison (`>=`, `<`...) on a field that has no order, or on a group or range.
    BadComparison,
    /// A cable id that is not of the form `09STATE12345`.
    BadId,
    /// A portion marking that is not a level with optional caveats (`S//NF`).
    BadMarking,
    /// A `has:` flag that does not exist.
    BadFlag,
}

impl ErrorKind {
    /// The stable kebab-case code, e.g. `unknown-field`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::TooLong => "too-long",
            ErrorKind::TooDeep => "too-deep",
            ErrorKind::UnexpectedCharacter => "unexpected-character",
            ErrorKind::UnclosedQuote => "unclosed-quote",
            ErrorKind::UnclosedBracket => "unclosed-bracket",
            ErrorKind::UnclosedParen => "unclosed-paren",
            ErrorKind::UnmatchedParen => "unmatched-paren",
            ErrorKind::EmptyGroup => "empty-group",
            ErrorKind::MissingOperand => "missing-operand",
            ErrorKind::LowercaseOperator => "lowercase-operator",
            ErrorKind::UnknownField => "unknown-field",
            ErrorKind::EmptyValue => "empty-value",
            ErrorKind::NestedField => "nested-field",
            ErrorKind::RangeWithoutField => "range-without-field",
            ErrorKind::BadWildcard => "bad-wildcard",
            ErrorKind::NothingToSearch => "nothing-to-search",
            ErrorKind::BadDate => "bad-date",
            ErrorKind::BadLevel => "bad-level",
            ErrorKind::BadPrecedence => "bad-precedence",
            ErrorKind::BadRange => "bad-range",
            ErrorKind::BadComparison => "bad-comparison",
            ErrorKind::BadId => "bad-id",
            ErrorKind::BadMarking => "bad-marking",
            ErrorKind::BadFlag => "bad-flag",
        }
    }
}

/// A malformed query: what is wrong ([`message`](Self::message)), where ([`span`](Self::span),
/// a byte range into the query text, always inside it and on character boundaries), and what was
/// probably meant ([`suggestion`](Self::suggestion)).
///
/// Displays as `unknown field 'frm' at 0..3 (did you mean 'from'?)`; [`QueryError::render`]
/// draws the query with the span underlined, for terminals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Error)]
#[error("{message} at {span}{}", DidYouMean(.suggestion))]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

struct DidYouMean<'a>(&'a Option<String>);

impl std::fmt::Display for DidYouMean<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            // A suggestion that carries its own quotes is not quoted again.
            Some(s) if s.contains('"') => write!(f, " (did you mean {s}?)"),
            Some(s) => write!(f, " (did you mean '{s}'?)"),
            None => Ok(()),
        }
    }
}

impl QueryError {
    pub(crate) fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Self {
        QueryError {
            kind,
            message: message.into(),
            span,
            suggestion: None,
        }
    }

    pub(crate) fn suggest(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// The query on one line and a caret line under the span, then the error:
    ///
    /// ```text
    /// frm:ISLAMABAD
    /// ^^^ unknown field 'frm' (did you mean 'from'?)
    /// ```
    ///
    /// Columns count characters, so accented letters line up. Line breaks in the query are shown
    /// as spaces. `input` must be the text that was parsed.
    pub fn render(&self, input: &str) -> String {
        let line: String = input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let start = input
            .get(..self.span.start)
            .map_or(0, |s| s.chars().count());
        let width = input
            .get(self.span.start..self.span.end)
            .map_or(1, |s| s.chars().count())
            .max(1);
        format!(
            "{line}\n{}{} {}{}",
            " ".repeat(start),
            "^".repeat(width),
            self.message,
            DidYouMean(&self.suggestion)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_message_span_and_suggestion() {
        let e = QueryError::new(
            ErrorKind::UnknownField,
            Span::new(0, 3),
            "unknown field 'frm'",
        )
        .suggest(Some("from".into()));
        assert_eq!(
            e.to_string(),
            "unknown field 'frm' at 0..3 (did you mean 'from'?)"
        );
        let e = QueryError::new(ErrorKind::UnclosedQuote, Span::new(4, 5), "unclosed quote");
        assert_eq!(e.to_string(), "unclosed quote at 4..5");
        let e = QueryError::new(ErrorKind::BadLevel, Span::new(6, 9), "bad level")
            .suggest(Some("\"TOP SECRET\"".into()));
        assert_eq!(
            e.to_string(),
            "bad level at 6..9 (did you mean \"TOP SECRET\"?)"
        );
    }

    #[test]
    fn render_underlines_by_characters() {
        let e = QueryError::new(
            ErrorKind::UnknownField,
            Span::new(7, 10),
            "unknown field 'frm'",
        );
        assert_eq!(
            e.render("café  frm:X"),
            "café  frm:X\n      ^^^ unknown field 'frm'"
        );
        // An empty span at the end still gets one caret.
        let e = QueryError::new(ErrorKind::UnclosedParen, Span::new(1, 1), "x");
        assert_eq!(e.render("("), "(\n ^ x");
    }

    #[test]
    fn serializes_with_kebab_case_kind() {
        let e = QueryError::new(ErrorKind::BadDate, Span::new(5, 12), "bad date");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "bad-date");
        assert_eq!(v["span"]["start"], 5);
        assert!(v.get("suggestion").is_none());
        for k in [
            ErrorKind::TooLong,
            ErrorKind::BadFlag,
            ErrorKind::UnmatchedParen,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
    }
}
