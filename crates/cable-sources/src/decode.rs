//! Bytes to text for every container: UTF-8 when valid, else Windows-1252 (which is Latin-1
//! with typographic quotes in 0x80–0x9F). Line endings are left alone: the parser handles CRLF.

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bytes without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// Decode cable bytes: strip a UTF-8 BOM, then UTF-8 if the whole input is valid UTF-8, else
/// Windows-1252 for the whole input (bytes undefined there map to the Latin-1 control
/// characters, so nothing is ever replaced by U+FFFD and no byte is lost).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_with_line_endings() {
        assert_eq!(decode_text("¶1. A\r\nB\n".as_bytes()), "¶1. A\r\nB\n");
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFUNCLAS"), "UNCLAS");
        assert_eq!(decode_text(b"\xEF\xBB\xBFCAF\xC9"), "CAFÉ");
    }

    #[test]
    fn latin1_and_windows_1252() {
        assert_eq!(decode_text(b"CAF\xC9 \xB6 1"), "CAFÉ ¶ 1");
        assert_eq!(decode_text(b"AFRICA\x92S \x93X\x94"), "AFRICA’S “X”");
        // Undefined in Windows-1252: kept as the Latin-1 control character, not U+FFFD.
        assert_eq!(decode_text(b"A\x81B\xFF"), "A\u{81}Bÿ");
    }

    #[test]
    fn empty() {
        assert_eq!(decode_text(b""), "");
        assert_eq!(decode_text(UTF8_BOM), "");
    }
}
