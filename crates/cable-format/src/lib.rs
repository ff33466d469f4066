//! `cable-format`: the [`Cable`] model and a total, lossless parser for US diplomatic cables.
//!
//! [`parse`] takes the bytes of one cable and always returns a [`Cable`] with diagnostics: it never
//! fails and never panics. The decoded text is kept unchanged in [`Cable::text`] and every parsed
//! field keeps its byte span into it. No I/O happens here; container formats live in
//! `cable-sources`.

mod body;
pub mod decode;
mod heading;
pub mod id;
mod lines;
pub mod model;
pub mod normalize;
mod parse;
pub mod refs;
pub mod tables;
pub mod tags;
mod texthead;

pub use model::*;

/// The parser's version, recorded by archives built with it.
pub const PARSER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Parse the bytes of one cable (UTF-8, else Windows-1252/Latin-1; LF or CRLF).
pub fn parse(bytes: &[u8]) -> Cable {
    parse::parse_text(decode::decode(bytes))
}

/// [`parse`] of an owned buffer (a file read whole): valid UTF-8 becomes [`Cable::text`] without
/// a copy. The result is the same as `parse(&bytes)`.
pub fn parse_owned(bytes: Vec<u8>) -> Cable {
    parse::parse_text(decode::decode_owned(bytes))
}

/// Parse an already decoded cable text.
pub fn parse_str(text: &str) -> Cable {
    parse::parse_text(text.to_owned())
}

/// Parse an owned decoded cable text without copying it.
pub fn parse_string(text: String) -> Cable {
    parse::parse_text(text)
}

/// [`parse_string`], also handing the normalised text ([`normalize::normalize`]) to
/// `on_normalized`, so that a caller needing it does not normalise the text again.
pub fn parse_string_with<R>(text: String, on_normalized: impl FnOnce(&str) -> R) -> (Cable, R) {
    parse::parse_text_with(text, on_normalized)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_owned_is_parse() {
        let cables: [&[u8]; 3] = [
            b"UNCLAS STATE 000123\n\nE.O. 12958: N/A\nTAGS: PREL\nSUBJECT: TALKS\n\n1. Text.\n",
            b"\xEF\xBB\xBFCONFIDENTIAL PARIS 001234\r\n\r\nSUBJECT: CAF\xC9 \xB6\r\n\r\n1. (C) X.\r\n",
            b"",
        ];
        for bytes in cables {
            assert_eq!(super::parse_owned(bytes.to_vec()), super::parse(bytes));
        }
    }
}
