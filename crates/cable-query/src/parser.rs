//! The parser: tokens to a [`Query`], by recursive descent over this grammar (OR binds looser
//! than AND, which is implicit between terms; NOT and `-` bind tightest):
//!
//! ```text
//! query   := ε | or EOF
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" or ")" | word | "phrase" | field:value | field:"(" or ")"
//! ```
//!
//! Inside a field group `tag:(PREL OR PGOV)` every word, phrase and range is a value of that
//! field; the group becomes `tag:PREL OR tag:PGOV`. Nesting (groups and negations) is limited to
//! [`MAX_DEPTH`], so no query can exhaust the stack.

use crate::ast::{Query, Span};
use crate::error::{ErrorKind, QueryError};
use crate::fields::Field;
use crate::lexer::{Lexer, Op, Tok, Token};
use crate::values;
use crate::{MAX_DEPTH, MAX_QUERY_LEN};

type Result<T> = std::result::Result<T, QueryError>;

pub(crate) fn parse(input: &str) -> Result<Query> {
    if input.len() > MAX_QUERY_LEN {
        return Err(QueryError::new(
            ErrorKind::TooLong,
            Span::new(0, input.len()),
            format!(
                "the query is {} bytes long; the limit is {MAX_QUERY_LEN}",
                input.len()
            ),
        ));
    }
    let mut p = Parser {
        lex: Lexer::new(input),
        peeked: None,
        depth: 0,
    };
    if p.peek()?.tok == Tok::Eof {
        return Ok(Query::All);
    }
    let q = p.or(None)?;
    let t = p.bump()?;
    match t.tok {
        Tok::Eof => Ok(q),
        Tok::RParen => Err(unmatched(t.span)),
        _ => Err(unexpected(t.span)),
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    peeked: Option<Token>,
    depth: usize,
}

fn unmatched(span: Span) -> QueryError {
    QueryError::new(
        ErrorKind::UnmatchedParen,
        span,
        "this ')' closes nothing: remove it or add a '(' before it",
    )
}

/// Not reachable by the grammar; an error rather than a panic all the same.
fn unexpected(span: Span) -> QueryError {
    QueryError::new(ErrorKind::MissingOperand, span, "unexpected token here")
}

/// Whether a token can begin a term (and so stand after AND, OR, NOT, `-`).
fn starts_term(t: &Tok) -> bool {
    !matches!(t, Tok::Eof | Tok::RParen | Tok::And | Tok::Or)
}

fn op_name(t: &Tok) -> &'static str {
    match t {
        Tok::And => "AND",
        Tok::Or => "OR",
        Tok::Not => "NOT",
        _ => "'-'",
    }
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token> {
        let t = match self.peeked.take() {
            Some(t) => t,
            None => self.lex.next_token()?,
        };
        Ok(self.peeked.insert(t))
    }

    fn bump(&mut self) -> Result<Token> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex.next_token(),
        }
    }

    fn enter(&mut self, span: Span) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::new(
                ErrorKind::TooDeep,
                span,
                format!("groups and negations nest more than {MAX_DEPTH} levels deep here"),
            ));
        }
        Ok(())
    }

    /// An operator must have a term after it.
    fn operand_after(&mut self, op: &Token) -> Result<()> {
        if starts_term(&self.peek()?.tok) {
            return Ok(());
        }
        let what = if self.peek()?.tok == Tok::Eof {
            ", but the query ends there"
        } else {
            ""
        };
        Err(QueryError::new(
            ErrorKind::MissingOperand,
            op.span,
            format!("{} needs a term after it{what}", op_name(&op.tok)),
        ))
    }

    fn or(&mut self, ctx: Option<Field>) -> Result<Query> {
        let mut items = vec![self.and(ctx)?];
        while self.peek()?.tok == Tok::Or {
            let op = self.bump()?;
            self.operand_after(&op)?;
            items.push(self.and(ctx)?);
        }
        Ok(Query::or(items))
    }

    fn and(&mut self, ctx: Option<Field>) -> Result<Query> {
        let mut items = vec![self.unary(ctx)?];
        loop {
            match self.peek()?.tok {
                Tok::Eof | Tok::RParen | Tok::Or => break,
                Tok::And => {
                    let op = self.bump()?;
                    self.operand_after(&op)?;
                }
                _ => {}
            }
            items.push(self.unary(ctx)?);
        }
        Ok(Query::and(items))
    }

    fn unary(&mut self, ctx: Option<Field>) -> Result<Query> {
        let t = self.peek()?;
        match t.tok {
            Tok::Not | Tok::Minus => {
                let op = self.bump()?;
                self.operand_after(&op)?;
                self.enter(op.span)?;
                let inner = self.unary(ctx)?;
                self.depth -= 1;
                Ok(Query::not(inner))
            }
            Tok::And | Tok::Or => Err(QueryError::new(
                ErrorKind::MissingOperand,
                t.span,
                format!("{} needs a term before it", op_name(&t.tok)),
            )),
            Tok::RParen => Err(unmatched(t.span)),
            Tok::Eof => Err(QueryError::new(
                ErrorKind::MissingOperand,
                t.span,
                "a term is missing at the end of the query",
            )),
            _ => self.primary(ctx),
        }
    }

    fn primary(&mut self, ctx: Option<Field>) -> Result<Query> {
        let t = self.bump()?;
        match t.tok {
            Tok::LParen => self.group(t.span, ctx),
            Tok::Value(v) => match ctx {
                None => values::text_query(&v, t.span),
                Some(field) => Ok(Query::Field {
                    filter: values::filter(field, Op::Eq, t.span, &v, t.span)?,
                    span: t.span,
                }),
            },
            Tok::Field(f) => {
                if let Some(outer) = ctx {
                    return Err(QueryError::new(
                        ErrorKind::NestedField,
                        f.head,
                        format!(
                            "a field inside {outer}:( ) — the group's values are all {outer}; \
                             close the group first"
                        ),
                    ));
                }
                match f.value {
                    Some((v, vspan)) => Ok(Query::Field {
                        filter: values::filter(f.field, f.op, f.op_span, &v, vspan)?,
                        span: t.span,
                    }),
                    None => {
                        if f.op != Op::Eq {
                            return Err(QueryError::new(
                                ErrorKind::BadComparison,
                                f.op_span,
                                format!(
                                    "a comparison takes one value, not a group ({})",
                                    crate::lexer::example(f.field)
                                ),
                            ));
                        }
                        let lp = self.bump()?;
                        if lp.tok != Tok::LParen {
                            return Err(unexpected(lp.span));
                        }
                        self.group(lp.span, Some(f.field))
                    }
                }
            }
            _ => Err(unexpected(t.span)),
        }
    }

    /// After `(`: the group's query and its `)`.
    fn group(&mut self, open: Span, ctx: Option<Field>) -> Result<Query> {
        self.enter(open)?;
        let next = self.peek()?;
        match next.tok {
            Tok::RParen => {
                return Err(QueryError::new(
                    ErrorKind::EmptyGroup,
                    open.cover(next.span),
                    "empty group: put terms between the parentheses or remove them",
                ))
            }
            Tok::Eof => return Err(unclosed(open)),
            _ => {}
        }
        let q = self.or(ctx)?;
        let close = self.bump()?;
        match close.tok {
            Tok::RParen => {}
            Tok::Eof => return Err(unclosed(open)),
            _ => return Err(unexpected(close.span)),
        }
        self.depth -= 1;
        Ok(q)
    }
}

fn unclosed(open: Span) -> QueryError {
    QueryError::new(
        ErrorKind::UnclosedParen,
        open,
        "this '(' is never closed: add a ')'",
    )
}
