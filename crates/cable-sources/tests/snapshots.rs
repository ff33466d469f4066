//! insta snapshots of the whole parsed JSON of a dozen varied real cables, read through their
//! containers the way `cables parse` reads them (`read_path` then `parse_raw`).
//!
//! Regenerate after a parser change, then review the diff before committing:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p cable-sources --test snapshots
//! ```
//!
//! No cable text may land in the repository: every string longer than 40 characters is replaced
//! by `<len N, fnv64 HHHHHHHHHHHHHHHH>` (N characters; FNV-1a 64 of its UTF-8 bytes), so a
//! snapshot still shows which long fields exist, their length, and whether they changed.
//! Subjects of 40 characters or less, codes, names, dates and short paragraphs stay readable.
//! `source.path` is written relative to `../shared`, so snapshots do not depend on where it is.
//!
//! Skips with a message when `../shared` is absent (a failure under CI).

use std::path::Path;

use cable_sources::{parse_raw, read_path, RawCable};
use cable_testdata::require_shared;
use serde_json::Value;

/// Strings longer than this many characters are redacted.
const MAX_KEPT: usize = 40;

/// Where a snapshot's cable comes from, under `../shared`.
enum Via {
    /// A single-cable file: a corpus text, a Cablegate page, the PlusD sample.
    File(&'static str),
    /// The `cables.csv` record with this reference id.
    CsvRow,
}

/// The cables, chosen for variety; the comment says what each one exercises.
const CABLES: &[(&str, Via)] = &[
    // 1966, no VZCZC heading, DTG in the first line, REF list.
    (
        "66BUENOSAIRES2481",
        Via::File("corpus/66BUENOSAIRES2481.txt"),
    ),
    // 1972, through its original Cablegate HTML page.
    (
        "72TEHRAN5055",
        Via::File("cablegate-html/72TEHRAN5055.html"),
    ),
    // 1979, section 1 of 2.
    ("79TEHRAN8980", Via::File("corpus/79TEHRAN8980.txt")),
    // 1989, section 1 of 5, many paragraphs.
    ("89PANAMA8545", Via::File("corpus/89PANAMA8545.txt")),
    // The PlusD/Markdown rendering: `[1](#)1.`, `[PREL](#)`, `\$`.
    ("09PARTO13", Via::File("samples/09PARTO13.txt")),
    // VZCZC heading, section 1 of 3, REF list, NOFORN.
    ("09PARIS848", Via::File("corpus/09PARIS848.txt")),
    // VZCZC heading, a long REF list.
    ("09STATE124636", Via::File("corpus/09STATE124636.txt")),
    // No VZCZC heading, NOFORN, REF list.
    ("09KHARTOUM249", Via::File("corpus/09KHARTOUM249.txt")),
    // Partial extract: no DTG, date from a dateline, REF list.
    ("04RANGOON88", Via::File("corpus/04RANGOON88.txt")),
    // Partial extract: no DTG, date estimated from the declassification date.
    ("05BRASILIA1396", Via::File("corpus/05BRASILIA1396.txt")),
    // Partial extract without an id in the text, through its Cablegate HTML page.
    ("05PARIS8606", Via::File("cablegate-html/05PARIS8606.html")),
    // A short cable, through a cables.csv record.
    ("08VLADIVOSTOK68", Via::CsvRow),
    // A database printout around the telegram; the container's id disagrees with the text's.
    ("03ABUDHABI2641", Via::CsvRow),
    // No id or date in the text: raw_id and date come from the cables.csv record.
    ("04MADRID2164", Via::CsvRow),
];

/// FNV-1a, 64 bits.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Replaces every string longer than [`MAX_KEPT`] characters, at any depth.
fn redact(value: &mut Value) {
    match value {
        Value::String(s) => {
            let len = s.chars().count();
            if len > MAX_KEPT {
                *s = format!("<len {len}, fnv64 {:016x}>", fnv1a64(s.as_bytes()));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => map.values_mut().for_each(redact),
        _ => {}
    }
}

fn load(shared: &Path, id: &str, via: &Via) -> RawCable {
    let mut items: Vec<RawCable> = match via {
        Via::File(rel) => read_path(&shared.join(rel))
            .map(|item| item.unwrap_or_else(|e| panic!("{rel}: {e}")))
            .collect(),
        Via::CsvRow => read_path(&shared.join("cables-csv/cables.csv"))
            .map(|item| item.unwrap_or_else(|e| panic!("cables.csv: {e}")))
            .filter(|raw| raw.container_id.as_deref() == Some(id))
            .collect(),
    };
    assert_eq!(items.len(), 1, "{id}: exactly one cable");
    items.pop().unwrap()
}

#[test]
fn parsed_cables() {
    let Some(shared) = require_shared("parsed_cables") else {
        return;
    };
    let prefix = format!("{}/", shared.display());
    for (id, via) in CABLES {
        let cable = parse_raw(load(&shared, id, via));
        let mut value = serde_json::to_value(&cable).unwrap();
        if let Some(Value::String(path)) = value.pointer_mut("/source/path") {
            *path = path.strip_prefix(&prefix).unwrap_or(path).to_owned();
        }
        redact(&mut value);
        insta::assert_json_snapshot!(*id, value);
    }
}

#[test]
fn redaction() {
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    let mut v = serde_json::json!({
        "subject": "SHORT SUBJECT",
        "paragraphs": [{"text": "x".repeat(41), "number": "1"}],
        "n": 3,
    });
    redact(&mut v);
    assert_eq!(v["subject"], "SHORT SUBJECT");
    assert_eq!(
        v["paragraphs"][0]["text"],
        format!(
            "<len 41, fnv64 {:016x}>",
            fnv1a64("x".repeat(41).as_bytes())
        )
    );
    assert_eq!(v["paragraphs"][0]["number"], "1");
}
