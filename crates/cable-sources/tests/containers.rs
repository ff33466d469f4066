//! The same cable gives the same fields whatever it came in: a corpus text file, a Cablegate
//! HTML page, a `cables.csv` record, a CRLF or a Latin-1 (Windows-1252) re-encoding; and a cable
//! cut short keeps the fields that precede the cut.
//!
//! These run on the real data in `../shared` and skip with a message when it is absent (a
//! failure under CI, see `cable_testdata::require_shared`). Each test collects every difference
//! before failing, so that one run lists every cable and field the parser gets wrong.

use std::fs;
use std::path::Path;

use cable_format::Cable;
use cable_sources::{parse_raw, read_bytes, read_path, RawCable};
use cable_testdata::{corpus_files, files_with_ext, require_shared, to_crlf};
use serde_json::Value;

/// The one cable a single-cable file holds.
fn read_one(path: &Path) -> RawCable {
    let mut items: Vec<_> = read_path(path).collect();
    assert_eq!(items.len(), 1, "{}: one cable", path.display());
    items
        .pop()
        .unwrap()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the parser read from the text alone: the whole cable as JSON, less `source` and `raw_id`,
/// which say where the text came from, not what it says.
fn fields(cable: &Cable) -> Value {
    let mut value = serde_json::to_value(cable).expect("a cable serialises");
    let map = value.as_object_mut().expect("a cable is a JSON object");
    map.remove("source");
    map.remove("raw_id");
    value
}

/// The top-level keys whose values differ, with both values, for the failure message.
fn differences(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec![format!("{a} != {b}")];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            let show = |v: Option<&Value>| {
                let s = v.map_or("(absent)".to_owned(), Value::to_string);
                if s.chars().count() > 300 {
                    format!("{}...", s.chars().take(300).collect::<String>())
                } else {
                    s
                }
            };
            format!("{k}: {} != {}", show(a.get(k)), show(b.get(k)))
        })
        .collect()
}

fn fail_on(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// parse(corpus text) = parse(HTML page) = parse(cables.csv record), for every page and record.
#[test]
fn every_container_gives_the_same_fields() {
    let Some(shared) = require_shared("every_container_gives_the_same_fields") else {
        return;
    };
    let corpus = |id: &str| {
        let raw = read_one(&shared.join("corpus").join(format!("{id}.txt")));
        fields(&cable_format::parse_str(&raw.text))
    };
    let mut failures = Vec::new();

    let pages = files_with_ext(&shared.join("cablegate-html"), "html");
    assert_eq!(pages.len(), 40, "the Cablegate pages in ../shared");
    for (id, path) in &pages {
        let raw = read_one(path);
        assert_eq!(raw.source.container, "cablegate-html", "{id}");
        let html = fields(&cable_format::parse_str(&raw.text));
        for d in differences(&corpus(id), &html) {
            failures.push(format!("{id} text vs HTML: {d}"));
        }
    }

    let mut rows = 0;
    for item in read_path(&shared.join("cables-csv/cables.csv")) {
        let raw = item.expect("every cables.csv record reads");
        rows += 1;
        let id = raw
            .container_id
            .clone()
            .expect("a cables.csv record states its id");
        let csv = fields(&cable_format::parse_str(&raw.text));
        for d in differences(&corpus(&id), &csv) {
            failures.push(format!("{id} text vs cables.csv row {rows}: {d}"));
        }
    }
    assert_eq!(rows, 120, "the cables.csv records in ../shared");

    fail_on(&failures, "parse(text) = parse(HTML) = parse(CSV)");
}

/// What the container adds ([`parse_raw`]) is provenance and nothing else: `source`, `raw_id`,
/// `container-*` warnings and, only for a cable whose text gives no date, the container's date.
/// The mismatches found are printed (run with `--nocapture`), for the corrections file.
#[test]
fn containers_add_only_provenance() {
    let Some(shared) = require_shared("containers_add_only_provenance") else {
        return;
    };
    let mut failures = Vec::new();
    let mut flagged = Vec::new();
    let containers = files_with_ext(&shared.join("cablegate-html"), "html")
        .into_iter()
        .map(|(_, path)| read_one(&path))
        .chain(read_path(&shared.join("cables-csv/cables.csv")).map(Result::unwrap));
    for raw in containers {
        let id = raw
            .container_id
            .clone()
            .expect("the container states an id");
        let from = format!("{id} ({})", raw.source.container);
        let plain = cable_format::parse_str(&raw.text);
        let mut cable = parse_raw(raw.clone());

        if cable.source.as_ref() != Some(&raw.source) {
            failures.push(format!("{from}: source {:?}", cable.source));
        }
        if cable.raw_id.as_deref() != Some(id.as_str()) {
            failures.push(format!("{from}: raw_id {:?}", cable.raw_id));
        }
        let (added, kept): (Vec<_>, Vec<_>) = cable
            .diagnostics
            .drain(..)
            .partition(|d| d.code.starts_with("container-"));
        cable.diagnostics = kept;
        for d in added {
            flagged.push(format!("{from}: {}[{}] {}", d.code, d.line, d.message));
        }
        // The one thing a container may change: a date (and the year of the id built from it)
        // that the text could only guess, or lacked.
        let guessed = plain.date_source.as_deref() == Some(cable_sources::GUESSED_DATE);
        if (plain.date.is_none() || guessed) && cable.date_source.as_deref() == Some("container") {
            cable.date = plain.date.clone();
            cable.date_source = plain.date_source.clone();
            if guessed && cable.id != plain.id {
                if cable.id.as_deref() != Some(id.as_str())
                    || !plain
                        .id
                        .as_deref()
                        .is_some_and(|p| cable_sources::same_but_year(p, &id))
                {
                    failures.push(format!("{from}: id {:?} from {:?}", cable.id, plain.id));
                }
                cable.id = plain.id.clone();
            }
        }
        for d in differences(&fields(&plain), &fields(&cable)) {
            failures.push(format!("{from}: parse_raw changed {d}"));
        }
    }
    eprintln!(
        "container statements the text contradicts ({}):\n  {}",
        flagged.len(),
        flagged.join("\n  ")
    );
    fail_on(&failures, "parse_raw adds only provenance");
}

/// `{start, end}` objects, wherever they are in the JSON: byte spans into the text.
fn is_span(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.len() == 2
            && o.get("start").is_some_and(Value::is_u64)
            && o.get("end").is_some_and(Value::is_u64)
    })
}

/// Applies `f` to every byte offset of every span in the JSON.
fn map_spans(value: &mut Value, f: &dyn Fn(u64) -> u64) {
    if is_span(value) {
        for key in ["start", "end"] {
            let offset = value[key].as_u64().unwrap();
            value[key] = Value::from(f(offset));
        }
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| map_spans(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| map_spans(v, f)),
        _ => {}
    }
}

/// CRLF line ends give the same fields, and spans that point at the same text.
///
/// Spans are byte offsets into the text as decoded from its container, so they legitimately
/// move: each `\n` of the LF text before an offset becomes `\r\n`, one byte more. Rather than
/// dropping spans from the comparison (which would let a span that points at the wrong place
/// pass), the LF parse's spans are mapped to the CRLF text (offset + number of LF before it) and
/// must then be equal: a span that ends at a line end ends before the `\r`, as it ended before
/// the `\n`. Every other field, diagnostics' `line` and `column` included, must be equal as it
/// is: `\r` only ever comes last on a line, so no character before a position on its line moves
/// and line numbers do not change.
#[test]
fn crlf_gives_the_same_fields() {
    let Some(shared) = require_shared("crlf_gives_the_same_fields") else {
        return;
    };
    let mut failures = Vec::new();
    let mut cables = 0;
    for (id, path) in corpus_files(&shared) {
        let text = read_one(&path).text;
        if text.contains('\r') {
            // Already CRLF somewhere: the mapping below assumes LF only.
            continue;
        }
        cables += 1;
        let newlines: Vec<u64> = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i as u64)
            .collect();
        let mut lf = fields(&cable_format::parse_str(&text));
        map_spans(&mut lf, &|offset| {
            offset + newlines.partition_point(|&nl| nl < offset) as u64
        });

        let crlf_bytes = to_crlf(text.as_bytes());
        let items: Vec<_> = read_bytes(&crlf_bytes, "crlf.txt").collect();
        let raw = match items.as_slice() {
            [Ok(raw)] => raw,
            other => {
                failures.push(format!("{id}: CRLF copy read as {other:?}"));
                continue;
            }
        };
        let crlf = fields(&cable_format::parse_str(&raw.text));
        for d in differences(&lf, &crlf) {
            failures.push(format!("{id} LF vs CRLF: {d}"));
        }
    }
    assert!(cables > 1000, "only {cables} corpus cables compared");
    fail_on(&failures, "CRLF re-encoding");
}

/// A Latin-1 (Windows-1252) re-encoding gives the same cable: the container reader decodes it
/// back to the very same text, so everything must be equal, spans included. Cables with a
/// character Windows-1252 cannot encode are skipped and counted; ASCII-only cables re-encode to
/// the same bytes and are counted apart. Where the text is pure Latin-1 (U+0000..=U+00FF, no C1
/// controls), the parser's own byte decoding (`cable_format::parse`) must agree too.
#[test]
fn latin1_gives_the_same_fields() {
    let Some(shared) = require_shared("latin1_gives_the_same_fields") else {
        return;
    };
    let mut failures = Vec::new();
    let (mut compared, mut ascii, mut unrepresentable, mut ambiguous) = (0, 0, 0, 0);
    for (id, path) in corpus_files(&shared) {
        let text = read_one(&path).text;
        if text.is_ascii() {
            ascii += 1;
            continue;
        }
        let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(&text);
        if had_errors {
            unrepresentable += 1;
            continue;
        }
        if std::str::from_utf8(&bytes).is_ok() {
            // The re-encoding happens to be valid UTF-8 and would rightly be read as such.
            ambiguous += 1;
            continue;
        }
        compared += 1;
        let utf8 = fields(&cable_format::parse_str(&text));

        let items: Vec<_> = read_bytes(&bytes, "latin1.txt").collect();
        match items.as_slice() {
            [Ok(raw)] => {
                if raw.text != text {
                    failures.push(format!("{id}: the Latin-1 copy decodes to another text"));
                }
                let latin1 = fields(&cable_format::parse_str(&raw.text));
                for d in differences(&utf8, &latin1) {
                    failures.push(format!("{id} UTF-8 vs Windows-1252: {d}"));
                }
            }
            other => failures.push(format!("{id}: Latin-1 copy read as {other:?}")),
        }

        // The parser decodes bytes with the same decoder, so the Windows-1252 bytes parsed
        // directly must give the same fields too.
        let direct = fields(&cable_format::parse(&bytes));
        for d in differences(&utf8, &direct) {
            failures.push(format!(
                "{id} UTF-8 vs cable_format::parse(Windows-1252): {d}"
            ));
        }
    }
    eprintln!(
        "latin1_gives_the_same_fields: {compared} compared (through the reader and \
         cable_format::parse), {ascii} ASCII-only, {unrepresentable} skipped with characters \
         outside Windows-1252, {ambiguous} skipped as valid UTF-8 once re-encoded"
    );
    assert!(compared > 0, "no cable exercised the Latin-1 path");
    fail_on(&failures, "Latin-1 re-encoding");
}

/// A cable cut right after its SUBJECT keeps id, date, classification, banner, tags and subject.
#[test]
fn a_truncated_cable_keeps_the_fields_before_the_cut() {
    let Some(shared) = require_shared("a_truncated_cable_keeps_the_fields_before_the_cut") else {
        return;
    };
    // 50 cables spread evenly over the corpus in id order (old to new): from each of 50 evenly
    // spaced starting points, the first cable that has a SUBJECT.
    let files = corpus_files(&shared);
    let n = files.len();
    assert!(n >= 100, "{n} corpus cables");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut next = 0;
    for i in 0..50 {
        let Some((id, text, full)) = (next.max(i * n / 50)..n).find_map(|j| {
            next = j + 1;
            let (id, path) = &files[j];
            let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{id}: {e}"));
            let full = cable_format::parse_str(&text);
            full.spans.subject.is_some().then_some((id, text, full))
        }) else {
            break;
        };
        checked += 1;
        let end = full.spans.subject.unwrap().end;
        let cut = text[end..].find('\n').map_or(text.len(), |nl| end + nl + 1);
        let short = cable_format::parse_str(&text[..cut]);
        let pairs: [(&str, Value, Value); 6] = [
            ("id", full.id.clone().into(), short.id.clone().into()),
            ("date", full.date.clone().into(), short.date.clone().into()),
            (
                "classification",
                full.classification.clone().into(),
                short.classification.clone().into(),
            ),
            (
                "banner",
                full.banner.clone().into(),
                short.banner.clone().into(),
            ),
            (
                "tags",
                serde_json::to_value(&full.tags).unwrap(),
                serde_json::to_value(&short.tags).unwrap(),
            ),
            (
                "subject",
                full.subject.clone().into(),
                short.subject.clone().into(),
            ),
        ];
        for (field, whole, cut_short) in pairs {
            if whole != cut_short {
                failures.push(format!(
                    "{id} cut at byte {cut} of {}: {field}: {whole} != {cut_short}",
                    text.len()
                ));
            }
        }
    }
    assert_eq!(checked, 50, "corpus cables with a SUBJECT");
    fail_on(&failures, "truncated after SUBJECT");
}
