//! Bytes to text: UTF-8 when the bytes are valid UTF-8, else Windows-1252/Latin-1.

/// Decode cable bytes. Returns the text and whether a fallback decoding was used.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (bytes.iter().map(|&b| b as char).collect(), true),
    }
}
