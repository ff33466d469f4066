//! Fuzz target `query`: the check is the plain library function
//! `cable_testdata::fuzz::check_query` (see its docs for what it asserts), which the stable
//! test `crates/cable-testdata/tests/fuzz_replay.rs` also replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cable_testdata::fuzz::check_query(data);
});
