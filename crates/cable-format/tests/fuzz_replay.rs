//! Stable replay of the `cargo fuzz` target (`fuzz/fuzz_targets/parse.rs`): runs the same check,
//! `cable_testdata::check_parse`, over a corpus built at run time and never committed:
//! - every real input under `../shared` (corpus texts, Cablegate HTML pages, samples, CSV files),
//!   each also with cheap deterministic mutations (truncations, CRLF, Latin-1, inserted and
//!   deleted bytes);
//! - the files under `fuzz/corpus/parse/` and `fuzz/artifacts/parse/`, when a fuzzing run left any.
//!
//! Every failing input is reported by name before the test fails.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use cable_testdata::check_parse;

thread_local! {
    /// The last panic's message and location on this thread, set by the quiet hook.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Inputs worth checking even without `../shared`.
const BUILT_IN: &[&[u8]] = &[
    b"",
    b"\n",
    b"\r",
    b"\xFF",
    b"\xC3",
    b"\xE2\x80",
    b"\0\0\0",
    "¶".as_bytes(),
    b"SUBJECT:",
    b"TAGS:",
    b"REF:",
    b"O 041457Z AUG 09",
    b"O 999999Z FOO 99",
    b"DE RUEHRK #/ 9999999",
    b"E.O. 12958: DECL: 99/99/9999",
    b"1. (",
    b"[1](#)",
    b"&#x000A;&#;&#x110000;&",
];

#[test]
fn fuzz_corpus_replays_clean() {
    let mut inputs: Vec<(String, Vec<u8>)> = BUILT_IN
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("built-in #{i}"), b.to_vec()))
        .collect();

    if let Some(shared) = cable_testdata::require_shared("fuzz_replay (seeds from ../shared)") {
        for (name, bytes) in cable_testdata::fuzz_seeds(&shared) {
            for (label, mutated) in cable_testdata::mutations(&bytes) {
                inputs.push((format!("{name} ({label})"), mutated));
            }
            inputs.push((name, bytes));
        }
    }

    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut from_fuzz_dirs = 0;
    for sub in ["corpus/parse", "artifacts/parse"] {
        let dir = fuzz_dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.is_file()) {
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            inputs.push((format!("fuzz/{sub}/{file}"), bytes));
            from_fuzz_dirs += 1;
        }
    }
    // A quiet panic hook: thousands of failing inputs would otherwise print (and symbolise) a
    // backtrace each. The message and location are kept for the report instead.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = info.to_string())
    }));
    let mut failures = Vec::new();
    for (name, bytes) in &inputs {
        if catch_unwind(AssertUnwindSafe(|| check_parse(bytes))).is_err() {
            let panic = LAST_PANIC.with(|p| p.take());
            failures.push((name.clone(), panic.replace('\n', " ")));
        }
    }
    std::panic::set_hook(default_hook);

    // Group by where the panic happened, so one bug shows once with its inputs counted.
    let mut by_place: BTreeMap<String, Vec<&(String, String)>> = BTreeMap::new();
    for failure in &failures {
        let place = failure
            .1
            .split_once(": ")
            .map_or(failure.1.as_str(), |(place, _)| place)
            .to_string();
        by_place.entry(place).or_default().push(failure);
    }
    let mut report = String::new();
    for (place, group) in &by_place {
        let (name, message) = group[0];
        report.push_str(&format!(
            "{} input(s) {place}; first: {name}: {}\n",
            group.len(),
            message.chars().take(300).collect::<String>()
        ));
    }
    println!(
        "fuzz replay: {} inputs ({from_fuzz_dirs} from fuzz/), {} failed",
        inputs.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} inputs broke the parser's invariants:\n{report}",
        failures.len(),
        inputs.len(),
    );
}
