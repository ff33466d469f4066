//! `cable-query`: the cables query language, from text to a typed AST with byte positions, and
//! clear errors for every malformed query. No index, no I/O: the archive turns a [`Query`] into
//! index queries; this crate only says what the user asked.
//!
//! ```
//! use cable_query::{parse, Filter, Level, Query};
//!
//! let q = parse("class>=SECRET from:ISLAMABAD tag:PREL date:2009").unwrap();
//! let Query::And(parts) = &q else { panic!() };
//! assert_eq!(parts.len(), 4);
//! let Query::Field { filter: Filter::Classification(levels), .. } = &parts[0] else { panic!() };
//! assert_eq!((levels.min, levels.max), (Level::Secret, Level::TopSecret));
//! // The canonical text parses back to the same query.
//! assert_eq!(q.to_string(), "classification>=SECRET from:ISLAMABAD tag:PREL date:2009");
//!
//! let e = parse("frm:ISLAMABAD").unwrap_err();
//! assert_eq!(e.to_string(), "unknown field 'frm' at 0..3 (did you mean 'from'?)");
//! ```
//!
//! The language is described for users in QUERY.md at the workspace root. In short: words,
//! `"phrases"` and `prefix*`; `AND` (implicit), `OR` (binds looser), `NOT`/`-`; parentheses;
//! `field:value`, comparisons `field>=value` and ranges `field:[a TO b]` on ordered fields;
//! field groups `tag:(PREL OR PGOV)`. The empty query is [`Query::All`].
//!
//! Guarantees: [`parse`] never panics, whatever the input; an error's span lies inside the input
//! on character boundaries; for every `q` it returns, `parse(&q.to_string())` returns `q` again,
//! spans aside ([`Query::without_spans`]).

mod ast;
mod display;
mod error;
mod fields;
mod lexer;
mod parser;
mod values;

pub use ast::{
    Between, DateRange, Declassify, Filter, Flag, Level, Marking, MarkingMatch, Precedence, Query,
    Ranked, Span, Text,
};
pub use error::{ErrorKind, QueryError};
pub use fields::Field;
pub use jiff::civil::Date;
pub use values::DECLASSIFY_CODES;

/// The longest query accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 4096;

/// How deep groups and negations may nest.
pub const MAX_DEPTH: usize = 64;

/// Parse a query. The empty (or all-blank) query is [`Query::All`].
pub fn parse(input: &str) -> Result<Query, QueryError> {
    parser::parse(input)
}

#[cfg(test)]
mod tests;
