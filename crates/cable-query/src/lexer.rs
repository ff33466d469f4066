//! The lexer: query text to tokens with byte spans, one token at a time so that the first
//! mistake from the left is the one reported.
//!
//! A token is a parenthesis, an operator (`AND`, `OR`, `NOT`, a leading `-`), a bare word, a
//! quoted phrase, a bracketed range, or a field with its operator and value (`from:ISLAMABAD`,
//! `class>=S`, `date:[2009 TO 2010]`; for a field group `tag:(…)` the `(` is left for the parser).

use crate::ast::Span;
use crate::error::{ErrorKind, QueryError};
use crate::fields::{suggest_field, Field};

/// A field operator: `:` (or `=`), `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => ":",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A value as written: a bare word, a quoted string, or a bracketed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// The word exactly as in the input (so byte offsets inside it are input offsets).
    Word(String),
    /// The text between the quotes, raw; `content_start` is its byte offset in the input.
    Quoted { text: String, content_start: usize },
    /// The text between `[` and `]`, raw; `inner_start` is its byte offset in the input.
    Range { inner: String, inner_start: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldTok {
    pub field: Field,
    pub op: Op,
    /// `name` plus operator, e.g. `class>=`.
    pub head: Span,
    pub op_span: Span,
    /// The value and its span; `None` when a `(` group follows.
    pub value: Option<(Value, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Minus,
    Value(Value),
    Field(FieldTok),
    Eof,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Characters that end a bare word.
pub(crate) fn is_stop(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\u{201C}' | '\u{201D}')
}

pub(crate) fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}')
}

/// A control character other than whitespace: refused anywhere in a query.
pub(crate) fn is_bad_control(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// If `s` starts with a field head (`name:`, `name>=`, `name:>=`...), the name's length, the
/// operator and the head's length.
pub(crate) fn field_prefix(s: &str) -> Option<(usize, Op, usize)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = b
        .iter()
        .position(|c| !(c.is_ascii_alphabetic() || *c == b'_' || *c == b'-'))
        .unwrap_or(b.len());
    let rest = &s[name_len..];
    let comparison = |r: &str| -> Option<(Op, usize)> {
        if r.starts_with(">=") {
            Some((Op::Ge, 2))
        } else if r.starts_with("<=") {
            Some((Op::Le, 2))
        } else if r.starts_with('>') {
            Some((Op::Gt, 1))
        } else if r.starts_with('<') {
            Some((Op::Lt, 1))
        } else if r.starts_with('=') {
            Some((Op::Eq, 1))
        } else {
            None
        }
    };
    if let Some(r) = rest.strip_prefix(':') {
        // GitHub style `class:>=SECRET` as well as `class>=SECRET`.
        return Some(match comparison(r) {
            Some((op, n)) => (name_len, op, name_len + 1 + n),
            None => (name_len, Op::Eq, name_len + 1),
        });
    }
    let (op, n) = comparison(rest)?;
    Some((name_len, op, name_len + n))
}

/// For `s` starting with `[`: the byte offset of the closing `]` when the brackets hold a range
/// (a standalone `TO`, no parenthesis). A bracketed word without `TO` (`[REDACTED]`) is an
/// ordinary word, and so is a `[` word closed off by a parenthesis: `([a) b TO c]` is a group
/// and three words, which lets the printer write a `[` word safely whatever follows it.
pub(crate) fn bracket_range_end(s: &str) -> Option<usize> {
    let close = s.find(']')?;
    let inner = &s[1..close];
    if inner.contains(['(', ')']) {
        return None;
    }
    inner
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("TO"))
        .then_some(close)
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    pub(crate) fn next_token(&mut self) -> Result<Token, QueryError> {
        self.skip_ws();
        let start = self.pos;
        let Some(c) = self.rest().chars().next() else {
            return Ok(Token {
                tok: Tok::Eof,
                span: Span::new(start, start),
            });
        };
        let one = |tok, lx: &mut Lexer| {
            lx.pos += c.len_utf8();
            Ok(Token {
                tok,
                span: Span::new(start, lx.pos),
            })
        };
        match c {
            _ if is_bad_control(c) => Err(control_error(start, c)),
            '(' => one(Tok::LParen, self),
            ')' => one(Tok::RParen, self),
            _ if is_quote(c) => {
                let (v, span) = self.quoted()?;
                Ok(Token {
                    tok: Tok::Value(v),
                    span,
                })
            }
            '[' if bracket_range_end(self.rest()).is_some() => {
                let (v, span) = self.range()?;
                Ok(Token {
                    tok: Tok::Value(v),
                    span,
                })
            }
            '-' => {
                let next = self.rest()[1..].chars().next();
                if next.is_none_or(|n| n.is_whitespace() || n == ')') {
                    return Err(QueryError::new(
                        ErrorKind::MissingOperand,
                        Span::new(start, start + 1),
                        "'-' must be followed directly by what to leave out (-word, -\"phrase\", \
                         -field:value or -(group))",
                    ));
                }
                one(Tok::Minus, self)
            }
            _ => {
                if let Some((name_len, op, head_len)) = field_prefix(self.rest()) {
                    return self.field(name_len, op, head_len);
                }
                let (word, span) = self.word()?;
                let tok = match word.as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    w if ["AND", "OR", "NOT"]
                        .iter()
                        .any(|o| o.eq_ignore_ascii_case(w)) =>
                    {
                        let up = w.to_ascii_uppercase();
                        return Err(QueryError::new(
                            ErrorKind::LowercaseOperator,
                            span,
                            format!(
                                "'{w}' is ambiguous: operators are written in capitals ({up}); \
                                 to search for the word, quote it (\"{w}\")"
                            ),
                        )
                        .suggest(Some(up)));
                    }
                    _ => Tok::Value(Value::Word(word)),
                };
                Ok(Token { tok, span })
            }
        }
    }

    /// A bare word up to whitespace, a parenthesis or a quote.
    fn word(&mut self) -> Result<(String, Span), QueryError> {
        let start = self.pos;
        let rest = self.rest();
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if is_bad_control(c) {
                return Err(control_error(start + i, c));
            }
            if is_stop(c) {
                end = i;
                break;
            }
        }
        self.pos += end;
        Ok((rest[..end].to_string(), Span::new(start, self.pos)))
    }

    /// A quoted string; any of `"`, `“`, `”` opens and closes one.
    fn quoted(&mut self) -> Result<(Value, Span), QueryError> {
        let start = self.pos;
        let open = self.rest().chars().next().map_or(1, char::len_utf8);
        let content_start = start + open;
        let body = &self.src[content_start..];
        for (i, c) in body.char_indices() {
            if is_bad_control(c) {
                return Err(control_error(content_start + i, c));
            }
            if is_quote(c) {
                self.pos = content_start + i + c.len_utf8();
                let v = Value::Quoted {
                    text: body[..i].to_string(),
                    content_start,
                };
                return Ok((v, Span::new(start, self.pos)));
            }
        }
        Err(QueryError::new(
            ErrorKind::UnclosedQuote,
            Span::new(start, content_start),
            "this quote is never closed: add a '\"' at the end of the phrase",
        ))
    }

    /// A bracketed range `[… TO …]`, contents raw.
    fn range(&mut self) -> Result<(Value, Span), QueryError> {
        let start = self.pos;
        let inner_start = start + 1;
        let body = &self.src[inner_start..];
        for (i, c) in body.char_indices() {
            if is_bad_control(c) {
                return Err(control_error(inner_start + i, c));
            }
            if c == ']' {
                self.pos = inner_start + i + 1;
                let v = Value::Range {
                    inner: body[..i].to_string(),
                    inner_start,
                };
                return Ok((v, Span::new(start, self.pos)));
            }
        }
        Err(QueryError::new(
            ErrorKind::UnclosedBracket,
            Span::new(start, inner_start),
            "this '[' is never closed: a range is written [START TO END]",
        ))
    }

    /// A field head and, unless a group follows, its value.
    fn field(&mut self, name_len: usize, op: Op, head_len: usize) -> Result<Token, QueryError> {
        let start = self.pos;
        let name = &self.src[start..start + name_len];
        let name_span = Span::new(start, start + name_len);
        let Some(field) = Field::from_name(name) else {
            let suggestion = suggest_field(name);
            let mut msg = format!("unknown field '{name}'");
            if suggestion.is_none() {
                msg.push_str(
                    " (fields: id, tag, from, to, info, classification, caveat, caption, \
                     precedence, date, subject, signer, classified-by, declassify, cites, \
                     cited-by, marking, has; to search for text with a colon, quote it)",
                );
            }
            return Err(QueryError::new(ErrorKind::UnknownField, name_span, msg)
                .suggest(suggestion.map(str::to_string)));
        };
        let head = Span::new(start, start + head_len);
        let op_start = head.end - op.as_str().len().min(head_len - name_len);
        let op_span = Span::new(op_start, head.end);
        self.pos = head.end;
        let rest = self.rest();
        let value = match rest.chars().next() {
            None => return Err(self.empty_value(field, head)),
            Some(c) if c.is_whitespace() || c == ')' => return Err(self.empty_value(field, head)),
            Some(c @ ('<' | '>' | '=')) => {
                let typed = &self.src[head.range()];
                return Err(QueryError::new(
                    ErrorKind::BadComparison,
                    Span::new(head.end, head.end + 1),
                    format!(
                        "'{typed}' is followed by another operator '{c}'; quote a value that \
                         starts with one"
                    ),
                ));
            }
            Some('(') => None,
            Some(c) if is_quote(c) => Some(self.quoted()?),
            Some('[') if field.is_ordered() || bracket_range_end(rest).is_some() => {
                Some(self.range()?)
            }
            Some(_) => {
                let (w, span) = self.word()?;
                Some((Value::Word(w), span))
            }
        };
        let span = value.as_ref().map_or(head, |(_, s)| head.cover(*s));
        Ok(Token {
            tok: Tok::Field(FieldTok {
                field,
                op,
                head,
                op_span,
                value,
            }),
            span,
        })
    }

    /// `from:` with nothing after it; when a word follows a space, suggest closing the gap.
    fn empty_value(&self, field: Field, head: Span) -> QueryError {
        let rest = self.rest();
        let next: &str = rest.trim_start();
        let word: String = next.chars().take_while(|c| !is_stop(*c)).collect();
        let starts_with_space = rest.starts_with(char::is_whitespace);
        let typed = &self.src[head.range()];
        let (msg, suggestion) = if starts_with_space && !word.is_empty() {
            (
                format!("'{typed}' has no value: write the value right after it, without a space"),
                Some(format!("{typed}{word}")),
            )
        } else {
            (
                format!("'{typed}' has no value (e.g. {})", example(field)),
                None,
            )
        };
        QueryError::new(ErrorKind::EmptyValue, head, msg).suggest(suggestion)
    }
}

/// An example of a field with a value, for error messages.
pub(crate) fn example(field: Field) -> &'static str {
    match field {
        Field::Id => "id:09STATE12345",
        Field::Tag => "tag:PREL",
        Field::From => "from:ISLAMABAD",
        Field::To => "to:\"SECSTATE WASHDC\"",
        Field::Info => "info:LONDON",
        Field::Classification => "classification>=SECRET",
        Field::Caveat => "caveat:NOFORN",
        Field::Caption => "caption:NODIS",
        Field::Precedence => "precedence:IMMEDIATE",
        Field::Date => "date:2009-08",
        Field::Subject => "subject:\"nuclear program\"",
        Field::Signer => "signer:CLINTON",
        Field::ClassifiedBy => "classified-by:\"1.4(d)\"",
        Field::Declassify => "declassify:[* TO 2019]",
        Field::Cites => "cites:09STATE12345",
        Field::CitedBy => "cited-by:09STATE12345",
        Field::Marking => "marking:S//NF",
        Field::Has => "has:refs",
    }
}

fn control_error(at: usize, c: char) -> QueryError {
    QueryError::new(
        ErrorKind::UnexpectedCharacter,
        Span::new(at, at + c.len_utf8()),
        format!("unexpected control character U+{:04X}", c as u32),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(s);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            assert_eq!(&s[t.span.range()].is_empty(), &false);
            out.push(t.tok);
        }
    }

    fn err(s: &str) -> QueryError {
        let mut lx = Lexer::new(s);
        loop {
            match lx.next_token() {
                Err(e) => return e,
                Ok(t) if t.tok == Tok::Eof => panic!("no error in {s:?}"),
                Ok(_) => {}
            }
        }
    }

    fn w(s: &str) -> Tok {
        Tok::Value(Value::Word(s.into()))
    }

    #[test]
    fn words_operators_parens() {
        assert_eq!(
            toks("a AND (b OR NOT c) -d"),
            vec![
                w("a"),
                Tok::And,
                Tok::LParen,
                w("b"),
                Tok::Or,
                Tok::Not,
                w("c"),
                Tok::RParen,
                Tok::Minus,
                w("d")
            ]
        );
        // Hyphens inside words and words with punctuation stay words.
        assert_eq!(
            toks("al-Qaeda U.S. 12:30"),
            vec![w("al-Qaeda"), w("U.S."), w("12:30")]
        );
        assert_eq!(toks("[REDACTED]"), vec![w("[REDACTED]")]);
    }

    #[test]
    fn quotes_of_every_kind() {
        assert_eq!(
            toks("\u{201C}nuclear program\u{201D}"),
            vec![Tok::Value(Value::Quoted {
                text: "nuclear program".into(),
                content_start: 3
            })]
        );
        assert_eq!(
            toks("\"a\"b"),
            vec![
                Tok::Value(Value::Quoted {
                    text: "a".into(),
                    content_start: 1
                }),
                w("b")
            ]
        );
    }

    #[test]
    fn field_heads() {
        assert_eq!(field_prefix("from:X"), Some((4, Op::Eq, 5)));
        assert_eq!(field_prefix("class>=S"), Some((5, Op::Ge, 7)));
        assert_eq!(field_prefix("class:>=S"), Some((5, Op::Ge, 8)));
        assert_eq!(field_prefix("date<2009"), Some((4, Op::Lt, 5)));
        assert_eq!(field_prefix("class=S"), Some((5, Op::Eq, 6)));
        assert_eq!(field_prefix("cited-by:X"), Some((8, Op::Eq, 9)));
        assert_eq!(field_prefix("12:30"), None);
        assert_eq!(field_prefix("word"), None);
        let [Tok::Field(f)] = &toks("class:>=S")[..] else {
            panic!()
        };
        assert_eq!(
            (f.field, f.op, f.head, f.op_span),
            (
                Field::Classification,
                Op::Ge,
                Span::new(0, 8),
                Span::new(6, 8)
            )
        );
        let [Tok::Field(f)] = &toks("class>=S")[..] else {
            panic!()
        };
        assert_eq!(f.op_span, Span::new(5, 7));
        let [Tok::Field(f), Tok::LParen, ..] = &toks("tag:(A OR B)")[..] else {
            panic!()
        };
        assert_eq!(f.value, None);
    }

    #[test]
    fn errors() {
        let e = err("a \"open");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::UnclosedQuote, Span::new(2, 3))
        );
        let e = err("date:[2009 TO");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::UnclosedBracket, Span::new(5, 6))
        );
        let e = err("a - b");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::MissingOperand, Span::new(2, 3))
        );
        let e = err("frm:X");
        assert_eq!((e.kind, e.span), (ErrorKind::UnknownField, Span::new(0, 3)));
        assert_eq!(e.suggestion.as_deref(), Some("from"));
        let e = err("from: ISLAMABAD");
        assert_eq!((e.kind, e.span), (ErrorKind::EmptyValue, Span::new(0, 5)));
        assert_eq!(e.suggestion.as_deref(), Some("from:ISLAMABAD"));
        let e = err("(tag:)");
        assert_eq!((e.kind, e.span), (ErrorKind::EmptyValue, Span::new(1, 5)));
        let e = err("iran or iraq");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::LowercaseOperator, Span::new(5, 7))
        );
        let e = err("class>==S");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::BadComparison, Span::new(7, 8))
        );
        let e = err("subject:=<b>");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::BadComparison, Span::new(9, 10))
        );
        let e = err("a\u{0}b");
        assert_eq!(
            (e.kind, e.span),
            (ErrorKind::UnexpectedCharacter, Span::new(1, 2))
        );
        let e = err("\"a\u{7}\"");
        assert_eq!(e.kind, ErrorKind::UnexpectedCharacter);
    }
}
