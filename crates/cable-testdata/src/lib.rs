//! Test support for the `cables` workspace, used only as a dev-dependency.
//!
//! - Finding the real test data in `../shared` ([`shared_dir`], [`require_shared`]): tests use it
//!   when it is there and say clearly when they skip for lack of it; under CI they must not skip.
//! - The corpus metadata ([`metadata`]) and the committed corrections to it ([`corrections`],
//!   [`corrected_metadata`]): about 1% of `metadata.csv` contradicts the cable text, and every test
//!   that compares against the metadata applies the same corrections file.
//! - The parser invariants ([`check_parse`], [`check_cable`]) shared by the `cargo fuzz` target,
//!   its stable replay test and the proptests, plus the seed inputs and deterministic mutations
//!   they replay ([`corpus_files`], [`fuzz_seeds`], [`mutations`]).
//! - The checks of the other fuzz targets (container readers, query language), their seeds and
//!   the stable replay ([`fuzz`]).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use cable_format::{Cable, Span};

/// The environment variable that overrides where `../shared` is.
pub const SHARED_ENV: &str = "CABLES_SHARED";

/// Finds the shared test data directory: `$CABLES_SHARED` when set, else the `shared` folder beside
/// the workspace (`<workspace>/../shared`). `None` when it does not exist.
pub mod access;
pub mod fuzz;

pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SHARED_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    // This crate lives at <workspace>/crates/cable-testdata.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap_or(dir))
    } else {
        None
    }
}

/// Whether we run under CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// [`shared_dir`] for a test that needs the real data. On a developer machine without it, prints
/// `skipping <test>: ../shared not found` and returns `None`; under CI a missing `../shared` is a
/// broken setup, so it panics instead of letting the test pass silently.
pub fn require_shared(test: &str) -> Option<PathBuf> {
    if let Some(dir) = shared_dir() {
        return Some(dir);
    }
    let msg = format!(
        "{test}: ../shared not found (looked for {SHARED_ENV} and {}/../../../shared)",
        env!("CARGO_MANIFEST_DIR")
    );
    if in_ci() {
        panic!("{msg}; CI must run with the real test data");
    }
    eprintln!("skipping {msg}");
    None
}

/// One row of `corpus/metadata.csv`, possibly corrected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetaRow {
    /// The reference id, as in the file name `corpus/<id>.txt`.
    pub id: String,
    /// The id the cable's text carries. Equal to `id` unless a correction says the page holds
    /// another cable's text under its heading.
    pub text_id: String,
    /// `YYYY-MM-DD HH:MM`; only the date and hour can be trusted (see `corpus/README.md`).
    pub created: String,
    pub released: String,
    pub classification: String,
    pub origin: String,
    /// The site's subject: usually only the first line of a wrapped SUBJECT. May be empty.
    pub subject: String,
    /// The tag words the site linked, in page order, not de-duplicated. Empty when not linked.
    pub tags: Vec<String>,
}

/// Reads `corpus/metadata.csv` as it is, uncorrected. Panics with the reason when it cannot.
pub fn metadata(shared: &Path) -> Vec<MetaRow> {
    let path = shared.join("corpus/metadata.csv");
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers = reader
        .headers()
        .unwrap_or_else(|e| panic!("cannot read the header of {}: {e}", path.display()))
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{} has no `{name}` column", path.display()))
    };
    let [id, created, released, classification, origin, subject, tags] = [
        "id",
        "created",
        "released",
        "classification",
        "origin",
        "subject",
        "tags",
    ]
    .map(col);
    reader
        .records()
        .map(|record| {
            let r = record.unwrap_or_else(|e| panic!("bad row in {}: {e}", path.display()));
            let get = |i: usize| r.get(i).unwrap_or_default().to_string();
            MetaRow {
                id: get(id),
                text_id: get(id),
                created: get(created),
                released: get(released),
                classification: get(classification),
                origin: get(origin),
                subject: get(subject),
                tags: split_tags(&get(tags)),
            }
        })
        .collect()
}

/// The words in order, each kept once (the metadata repeats a tag when the TAGS line does).
pub fn dedup(words: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// One committed correction to the metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The file name's id of the row to correct.
    pub id: String,
    /// The `MetaRow` field: `id` (meaning `text_id`), `created`, `released`, `classification`,
    /// `origin`, `subject` or `tags`.
    pub field: String,
    pub value: String,
    /// The evidence in the cable text, e.g. "metadata says CONFIDENTIAL, text line 12 says SECRET".
    pub reason: String,
}

/// The fields a correction may name.
pub const CORRECTABLE_FIELDS: &[&str] = &[
    "id",
    "created",
    "released",
    "classification",
    "origin",
    "subject",
    "tags",
];

const CORRECTIONS_TSV: &str = include_str!("../corrections.tsv");

/// The committed corrections (`crates/cable-testdata/corrections.tsv`, compiled in). Panics on a
/// malformed row, an unknown field or a missing reason, so that a bad edit fails every test.
pub fn corrections() -> Vec<Correction> {
    parse_corrections(CORRECTIONS_TSV)
}

fn parse_corrections(tsv: &str) -> Vec<Correction> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .comment(Some(b'#'))
        .from_reader(tsv.as_bytes());
    let headers = reader
        .headers()
        .expect("corrections.tsv: no header line")
        .clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["id", "field", "value", "reason"],
        "corrections.tsv: the header must be `id<TAB>field<TAB>value<TAB>reason`"
    );
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record.unwrap_or_else(|e| panic!("corrections.tsv: {e}"));
        let line = r.position().map_or(0, |p| p.line());
        let c = Correction {
            id: r[0].trim().to_string(),
            field: r[1].trim().to_string(),
            value: r[2].trim().to_string(),
            reason: r[3].trim().to_string(),
        };
        assert!(!c.id.is_empty(), "corrections.tsv line {line}: empty id");
        assert!(
            CORRECTABLE_FIELDS.contains(&c.field.as_str()),
            "corrections.tsv line {line}: unknown field `{}` (one of {CORRECTABLE_FIELDS:?})",
            c.field
        );
        assert!(
            !c.reason.is_empty(),
            "corrections.tsv line {line}: a correction needs the reason seen in the text"
        );
        out.push(c);
    }
    out
}

/// [`metadata`] with [`corrections`] applied. Panics when a correction names an id that is not in
/// the metadata.
pub fn corrected_metadata(shared: &Path) -> Vec<MetaRow> {
    let mut rows = metadata(shared);
    apply_corrections(&mut rows, &corrections());
    rows
}

fn apply_corrections(rows: &mut [MetaRow], corrections: &[Correction]) {
    let index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for c in corrections {
        let i = *index
            .get(&c.id)
            .unwrap_or_else(|| panic!("corrections.tsv: no metadata row for id {}", c.id));
        let row = &mut rows[i];
        let v = c.value.clone();
        match c.field.as_str() {
            "id" => row.text_id = v,
            "created" => row.created = v,
            "released" => row.released = v,
            "classification" => row.classification = v,
            "origin" => row.origin = v,
            "subject" => row.subject = v,
            "tags" => row.tags = split_tags(&v),
            other => unreachable!("field {other} was validated"),
        }
    }
}

/// The corpus cables as `(id, path)`, sorted by id.
pub fn corpus_files(shared: &Path) -> Vec<(String, PathBuf)> {
    files_with_ext(&shared.join("corpus"), "txt")
}

/// The files of `dir` (not recursive) ending in `.ext`, as `(stem, path)` sorted by stem. Empty when
/// `dir` does not exist.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    out.sort();
    out
}

/// Every real input under `shared` worth feeding the parser whole: the corpus texts, the Cablegate
/// HTML pages, the samples and the CSV files, as `(name, bytes)`.
pub fn fuzz_seeds(shared: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (dir, ext) in [
        ("corpus", "txt"),
        ("cablegate-html", "html"),
        ("samples", "txt"),
        ("cables-csv", "csv"),
    ] {
        for (stem, path) in files_with_ext(&shared.join(dir), ext) {
            let bytes =
                fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push((format!("{dir}/{stem}.{ext}"), bytes));
        }
    }
    out
}

/// Cheap deterministic mutations of one input, each labelled: a truncation at a third, a cut
/// inside the first multi-byte character, CRLF line ends, a Latin-1 re-encoding, and bytes that
/// are not UTF-8 inserted in the middle. Few on purpose: the replay runs them over every real
/// input, and the proptests mutate at random.
pub fn mutations(bytes: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let n = bytes.len();
    let mut out = vec![("truncate-1/3", bytes[..n / 3].to_vec())];
    // Cut just after the first byte of the first multi-byte character, leaving it broken.
    if let Some(i) = bytes.iter().position(|&b| b >= 0xC0) {
        out.push(("truncate-mid-char", bytes[..=i].to_vec()));
    }
    out.push(("crlf", to_crlf(bytes)));
    if let Some(latin1) = std::str::from_utf8(bytes).ok().and_then(to_latin1) {
        out.push(("latin1", latin1));
    }
    let mid = n / 2;
    let mut inserted = bytes.to_vec();
    inserted.splice(mid..mid, [0xFF, 0x00, b'\r', 0xC3]);
    out.push(("insert-bytes", inserted));
    out
}

/// LF line ends to CRLF (existing CRLF pairs are left alone).
pub fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 40);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// The text re-encoded as Latin-1, or `None` when a character is outside U+0000..=U+00FF.
pub fn to_latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// Parses `data` and asserts the parser's invariants ([`check_cable`]); the body of the fuzz target.
pub fn check_parse(data: &[u8]) {
    let cable = cable_format::parse(data);
    check_cable(data, &cable);
}

/// Asserts the invariants of a `cable` parsed from `input`, panicking with what broke:
/// - every span (`spans.*`, `paragraphs[].span`, `diagnostics[].span`, and any other `{start, end}`
///   in the JSON) lies inside `cable.text`, with `start <= end`, on char boundaries;
/// - diagnostics have 1-based line and column inside the text;
/// - the cable serialises to JSON;
/// - the decoded text equals the input when the input is valid UTF-8, and is empty only when the
///   input is.
pub fn check_cable(input: &[u8], cable: &Cable) {
    let text = &cable.text;
    match std::str::from_utf8(input) {
        Ok(s) => assert!(
            *text == s,
            "decoded text differs from the valid UTF-8 input ({} vs {} bytes)",
            text.len(),
            s.len()
        ),
        Err(_) => assert!(!text.is_empty(), "non-empty input decoded to empty text"),
    }

    for (i, p) in cable.paragraphs.iter().enumerate() {
        check_span(text, p.span, &format!("paragraphs[{i}].span"));
    }
    let lines = text.split('\n').count();
    for (i, d) in cable.diagnostics.iter().enumerate() {
        check_span(text, d.span, &format!("diagnostics[{i}].span ({})", d.code));
        assert!(
            d.line >= 1 && d.column >= 1 && d.line <= lines,
            "diagnostics[{i}] ({}) at line {} column {}: outside a text of {lines} lines",
            d.code,
            d.line,
            d.column
        );
    }

    let spans = serde_json::to_value(&cable.spans).expect("cable.spans serialises to JSON");
    let spans = spans
        .as_object()
        .expect("cable.spans serialises to an object");
    for (name, value) in spans {
        let span = as_span(value)
            .unwrap_or_else(|| panic!("spans.{name} is not a {{start, end}} span: {value}"));
        check_span(text, span, &format!("spans.{name}"));
    }

    let json = serde_json::to_value(cable).expect("the cable serialises to JSON");
    serde_json::to_string(&json).expect("the cable's JSON value serialises to a string");
    walk_spans(&json, "$", &mut |path, span| check_span(text, span, path));
}

fn as_span(value: &serde_json::Value) -> Option<Span> {
    let obj = value.as_object()?;
    if obj.len() != 2 {
        return None;
    }
    let start = usize::try_from(obj.get("start")?.as_u64()?).ok()?;
    let end = usize::try_from(obj.get("end")?.as_u64()?).ok()?;
    Some(Span { start, end })
}

/// Calls `f` on every `{start, end}` object in the JSON tree, with its path.
fn walk_spans(value: &serde_json::Value, path: &str, f: &mut dyn FnMut(&str, Span)) {
    if let Some(span) = as_span(value) {
        f(path, span);
        return;
    }
    match value {
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_spans(v, &format!("{path}[{i}]"), f);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                walk_spans(v, &format!("{path}.{k}"), f);
            }
        }
        _ => {}
    }
}

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} = {}..{} is outside a text of {} bytes",
        span.start,
        span.end,
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} = {}..{} does not fall on char boundaries",
        span.start,
        span.end
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_corrections_parse() {
        corrections();
    }

    #[test]
    fn corrections_format() {
        let tsv = "# comment\nid\tfield\tvalue\treason\n09X1\tclassification\tSECRET\ttext line 3 says SECRET\n09X1\ttags\tPREL;PGOV\tTAGS line\n";
        let cs = parse_corrections(tsv);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].field, "classification");
        let mut rows = vec![MetaRow {
            id: "09X1".into(),
            text_id: "09X1".into(),
            ..MetaRow::default()
        }];
        apply_corrections(&mut rows, &cs);
        assert_eq!(rows[0].classification, "SECRET");
        assert_eq!(rows[0].tags, ["PREL", "PGOV"]);
    }

    #[test]
    #[should_panic(expected = "unknown field")]
    fn corrections_reject_unknown_field() {
        parse_corrections("id\tfield\tvalue\treason\n09X1\tdate\tx\ty\n");
    }

    #[test]
    #[should_panic(expected = "needs the reason")]
    fn corrections_need_a_reason() {
        parse_corrections("id\tfield\tvalue\treason\n09X1\tsubject\tx\t \n");
    }

    #[test]
    fn every_correction_names_a_corpus_row() {
        let Some(shared) = require_shared("every_correction_names_a_corpus_row") else {
            return;
        };
        let rows = corrected_metadata(&shared);
        assert_eq!(rows.len(), corpus_files(&shared).len());
    }

    #[test]
    fn encodings() {
        assert_eq!(to_crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
        assert_eq!(to_latin1("¶1. caf\u{e9}"), Some(b"\xB61. caf\xE9".to_vec()));
        assert_eq!(to_latin1("\u{201C}"), None);
    }

    #[test]
    fn mutations_are_deterministic() {
        let input = "SUBJECT: \u{201C}X\u{201D}\n¶1. text\n".as_bytes();
        assert_eq!(mutations(input), mutations(input));
        assert!(mutations(b"").iter().all(|(_, m)| m.len() <= 4));
    }
}
