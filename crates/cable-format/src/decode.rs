//! Bytes to text, the one decoder every container and the parser share: strip a UTF-8 byte order
//! mark, then UTF-8 when the whole input is valid UTF-8, else Windows-1252 (Latin-1 with
//! typographic quotes in 0x80–0x9F). Line endings are left alone: the parser handles CRLF.

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bytes without a leading UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// Decode cable bytes. Bytes undefined in Windows-1252 map to the Latin-1 control characters, so
/// nothing is ever replaced by U+FFFD and no byte is lost.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = strip_bom(bytes);
    match utf8(bytes) {
        Some(s) => s.to_owned(),
        None => windows_1252(bytes),
    }
}

/// [`decode`] of an owned buffer: valid UTF-8 becomes the `String` without a copy.
pub fn decode_owned(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    // One validating pass, no copy; invalid UTF-8 comes back whole for the fallback.
    String::from_utf8(bytes).unwrap_or_else(|e| windows_1252(e.as_bytes()))
}

/// `bytes` as text when they are valid UTF-8. The SIMD check (simdutf8) tells valid from invalid
/// exactly as `std::str::from_utf8` does, several times faster on long texts.
#[inline]
fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

fn windows_1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_with_line_endings() {
        assert_eq!(decode("¶1. A\r\nB\n".as_bytes()), "¶1. A\r\nB\n");
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBFUNCLAS"), "UNCLAS");
        assert_eq!(decode(b"\xEF\xBB\xBFCAF\xC9"), "CAFÉ");
    }

    #[test]
    fn latin1_and_windows_1252() {
        assert_eq!(decode(b"CAF\xC9 \xB6 1"), "CAFÉ ¶ 1");
        assert_eq!(decode(b"AFRICA\x92S \x93X\x94"), "AFRICA’S “X”");
        // Undefined in Windows-1252: kept as the Latin-1 control character, not U+FFFD.
        assert_eq!(decode(b"A\x81B\xFF"), "A\u{81}Bÿ");
    }

    #[test]
    fn owned_decodes_as_borrowed() {
        for b in [
            &b""[..],
            UTF8_BOM,
            b"\xEF\xBB\xBFCAF\xC9",
            b"\xEF\xBB\xBFUNCLAS\r\n",
            "\u{b6}1. A".as_bytes(),
            b"AFRICA\x92S \x93X\x94",
            b"A\x81B\xFF",
            b"\xEF\xBB",
        ] {
            assert_eq!(decode_owned(b.to_vec()), decode(b), "{b:?}");
        }
    }

    #[test]
    fn empty() {
        assert_eq!(decode(b""), "");
        assert_eq!(decode(UTF8_BOM), "");
    }
}
