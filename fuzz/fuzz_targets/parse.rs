//! Fuzz target: `cable_format::parse` on arbitrary bytes must not panic and must keep its
//! invariants (spans inside the text, JSON serialisation, lossless UTF-8 text). The check itself is
//! the plain library function `cable_testdata::check_parse`, which a stable test also replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cable_testdata::check_parse(data);
});
