//! The checks behind the `cargo fuzz` targets (`fuzz/fuzz_targets/*.rs`), their seed inputs, and
//! the stable replay that CI runs over the same inputs ([`replay`]).
//!
//! One check per target, each a plain function of the input bytes that panics with what broke:
//!
//! | target | check | reader |
//! |---|---|---|
//! | `parse` | [`check_parse`](crate::check_parse) | `cable_format::parse` |
//! | `html` | [`check_html`] | `cable_sources::read_bytes` on a Cablegate page |
//! | `cables_csv` | [`check_cables_csv`] | `read_bytes` on `cables.csv`, in memory and streamed through gzip |
//! | `archive` | [`check_archive`] | `read_bytes` on a tar, tar.gz, zip or gz |
//! | `query` | [`check_query`] | `cable_query::parse`, `Display`, `QueryError::render` |
//!
//! Seeds come from `../shared` at run time ([`seeds`]); `fuzz/run.sh` writes them out with
//! `cargo run -p cable-testdata --example fuzz_seeds`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use cable_sources::{detect, read_bytes, ContainerKind, RawCable, SourceError};

/// The fuzz targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &["parse", "html", "cables_csv", "archive", "query"];

/// The check of fuzz target `target` (one of [`TARGETS`]).
pub fn check_for(target: &str) -> fn(&[u8]) {
    match target {
        "parse" => crate::check_parse,
        "html" => check_html,
        "cables_csv" => check_cables_csv,
        "archive" => check_archive,
        "query" => check_query,
        other => panic!("unknown fuzz target `{other}` (one of {TARGETS:?})"),
    }
}

/// Items read from one input, most kept for comparison; more than this is not expected of a
/// fuzz input (each item consumes input bytes) and the rest are only counted.
const MAX_ITEMS: usize = 100_000;

/// Reads `data` with `read_bytes(data, path)` and checks what holds for every container:
/// at least one item (never silence), every item names `path` (or `path!entry` inside an
/// archive), row-based items carry a row and an offset, rows of one file never go back (damage after
/// a record is reported with its number), and the
/// text of a cable from a Cablegate page or a `cables.csv` record ends with a newline.
/// Returns the items.
pub fn check_read_bytes(data: &[u8], path: &str) -> Vec<Result<RawCable, SourceError>> {
    let mut items = Vec::new();
    // (entry path, last row) for the rows-increase check.
    let mut last_row: Option<(String, u64)> = None;
    for item in read_bytes(data, path).take(MAX_ITEMS) {
        let (item_path, row) = match &item {
            Ok(cable) => {
                let s = &cable.source;
                if s.container == "cables-csv" {
                    assert!(
                        s.row.is_some() && s.offset.is_some(),
                        "{}: a cables.csv record without row or offset",
                        s.path
                    );
                }
                if s.container == "cables-csv" || s.container == "cablegate-html" {
                    assert!(
                        cable.text.ends_with('\n'),
                        "{}: {} text does not end with a newline",
                        s.path,
                        s.container
                    );
                }
                (s.path.clone(), s.row)
            }
            Err(e) => {
                let _ = e.to_string();
                (e.path().to_owned(), e.row())
            }
        };
        assert!(
            item_path == path || item_path.starts_with(&format!("{path}!")),
            "an item names {item_path:?}, not {path:?} or an entry of it"
        );
        if let Some(row) = row {
            if let Some((prev_path, prev)) = &last_row {
                if *prev_path == item_path {
                    // Not strictly: damage after a record is reported against it.
                    assert!(
                        row >= *prev,
                        "{item_path}: record {row} comes after record {prev}"
                    );
                }
            }
            last_row = Some((item_path, row));
        }
        items.push(item);
    }
    assert!(!items.is_empty(), "{path}: no item at all (silence)");
    items
}

/// The `html` target: any bytes read as a file named `cable.html` (a Cablegate page when the
/// content says so). Also checks that a page's cable is the same whichever name it has.
pub fn check_html(data: &[u8]) {
    let items = check_read_bytes(data, "cable.html");
    if detect(data) == ContainerKind::CablegateHtml {
        assert_eq!(items.len(), 1, "a Cablegate page gives one item");
    }
}

/// The `cables_csv` target: any bytes read as `cables.csv` held in memory, and again streamed
/// through gzip (the path a `cables.csv.gz` or a large file takes: the head read first, then the
/// rest chained behind it). When the input is in the `cables.csv` layout, both give the same
/// items: same texts, rows, offsets and errors.
pub fn check_cables_csv(data: &[u8]) {
    const PATH: &str = "cables.csv.gz";
    let direct = check_read_bytes(data, PATH);
    if detect(data) != ContainerKind::CablesCsv {
        return;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    gz.write_all(data).expect("gzip into memory");
    let gz = gz.finish().expect("gzip into memory");
    let streamed = check_read_bytes(&gz, PATH);
    let show = |items: &[Result<RawCable, SourceError>]| -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Ok(c) => format!("{c:?}"),
                Err(e) => format!("error: {e}"),
            })
            .collect()
    };
    let (direct, streamed) = (show(&direct), show(&streamed));
    if direct != streamed {
        let i = direct
            .iter()
            .zip(&streamed)
            .position(|(a, b)| a != b)
            .unwrap_or(direct.len().min(streamed.len()));
        panic!(
            "cables.csv read in memory and streamed differ at item {i} ({} vs {} items):\n\
             in memory: {:?}\nstreamed:  {:?}",
            direct.len(),
            streamed.len(),
            direct.get(i),
            streamed.get(i)
        );
    }
}

/// The `archive` target: any bytes read as `dump.tar.gz` (tar, gzip or zip by content).
pub fn check_archive(data: &[u8]) {
    check_read_bytes(data, "dump.tar.gz");
}

/// The `query` target: the bytes as text (lossy UTF-8) through `cable_query::parse`:
/// - an error's span lies inside the query on char boundaries, and the error displays and
///   renders ([`cable_query::QueryError::render`]) without panicking;
/// - a query that parses prints a canonical text that parses back to the same query, spans
///   aside, and prints the same text again; every leaf's span lies inside the query.
pub fn check_query(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let input = input.as_ref();
    match cable_query::parse(input) {
        Err(e) => {
            let (start, end) = (e.span.start, e.span.end);
            assert!(
                start <= end && end <= input.len(),
                "{input:?}: error span {start}..{end} outside the query"
            );
            assert!(
                input.is_char_boundary(start) && input.is_char_boundary(end),
                "{input:?}: error span {start}..{end} splits a character"
            );
            assert!(!e.message.is_empty(), "{input:?}: empty error message");
            let shown = e.to_string();
            assert!(
                shown.contains(&format!(" at {start}..{end}")),
                "{input:?}: error {shown:?} does not show its span"
            );
            let _ = e.render(input);
        }
        Ok(q) => {
            for (leaf, _) in q.leaves() {
                let s = leaf
                    .span()
                    .unwrap_or_else(|| panic!("{input:?}: a leaf without a span"));
                assert!(
                    s.start <= s.end
                        && s.end <= input.len()
                        && input.is_char_boundary(s.start)
                        && input.is_char_boundary(s.end),
                    "{input:?}: leaf span {s} outside the query or splitting a character"
                );
            }
            let text = q.to_string();
            // The canonical text spells fields and groups out (`class:` → `classification:`,
            // `tag:(a b)` → `tag:a tag:b`), so it may exceed the length limit that the input
            // met; only then may it be refused, and only as too long.
            if text.len() > cable_query::MAX_QUERY_LEN {
                if let Err(e) = cable_query::parse(&text) {
                    assert_eq!(e.kind, cable_query::ErrorKind::TooLong, "{input:?}: {e}");
                    return;
                }
            }
            let again = cable_query::parse(&text)
                .unwrap_or_else(|e| panic!("{input:?} prints as {text:?}, which fails: {e}"));
            assert_eq!(
                again.without_spans(),
                q.without_spans(),
                "{input:?} prints as {text:?}, which parses differently"
            );
            assert_eq!(
                again.to_string(),
                text,
                "{input:?}: the canonical text is not stable"
            );
        }
    }
}

/// Seed inputs for fuzz target `target` from `shared` (`../shared`), as `(name, bytes)`: real
/// inputs, small enough to keep a fuzzer fast.
pub fn seeds(target: &str, shared: &Path) -> Vec<(String, Vec<u8>)> {
    match target {
        "parse" => crate::fuzz_seeds(shared),
        "html" => read_dir_files(&shared.join("cablegate-html"), "html"),
        "cables_csv" => csv_seeds(shared),
        "archive" => archive_seeds(shared),
        "query" => query_seeds(shared),
        other => panic!("unknown fuzz target `{other}` (one of {TARGETS:?})"),
    }
}

fn read_dir_files(dir: &Path, ext: &str) -> Vec<(String, Vec<u8>)> {
    crate::files_with_ext(dir, ext)
        .into_iter()
        .map(|(stem, path)| {
            let bytes =
                fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (format!("{stem}.{ext}"), bytes)
        })
        .collect()
}

/// The records of a `cables.csv` file, split at the lines that start a record (`"<number>",`).
fn csv_records(bytes: &[u8]) -> Vec<&[u8]> {
    let mut starts = vec![0];
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == b'\n' && w[1] == b'"' {
            let rest = &bytes[i + 2..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && rest[digits..].starts_with(b"\",") {
                starts.push(i + 1);
            }
        }
    }
    starts.push(bytes.len());
    starts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// The small CSV files whole, and `cables.csv` in chunks of three records (the whole file is
/// too large for a fast fuzzer; the replay reads it whole as well).
fn csv_seeds(shared: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, bytes) in read_dir_files(&shared.join("cables-csv"), "csv") {
        if bytes.len() <= 64 * 1024 {
            out.push((name, bytes));
            continue;
        }
        for (i, chunk) in csv_records(&bytes).chunks(3).enumerate() {
            out.push((format!("{name}#{i}"), chunk.concat()));
        }
    }
    out
}

/// A few small corpus cables, one Cablegate page and a few `cables.csv` records, packed as tar,
/// tar.gz, zip (stored and deflated), gzip of one text and gzip of a CSV, each also cut short.
fn archive_seeds(shared: &Path) -> Vec<(String, Vec<u8>)> {
    let mut corpus: Vec<(String, Vec<u8>)> = crate::corpus_files(shared)
        .into_iter()
        .filter_map(|(id, path)| Some((format!("cables/{id}.txt"), fs::read(path).ok()?)))
        .filter(|(_, b)| b.len() < 4096)
        .collect();
    corpus.truncate(4);
    let mut members = corpus;
    if let Some((name, page)) = read_dir_files(&shared.join("cablegate-html"), "html")
        .into_iter()
        .min_by_key(|(_, b)| b.len())
    {
        members.push((format!("html/{name}"), page));
    }
    let csv = csv_seeds(shared)
        .into_iter()
        .find(|(n, _)| n.starts_with("cables.csv#"))
        .map(|(_, b)| b);
    if let Some(csv) = &csv {
        members.push(("cables.csv".into(), csv.clone()));
    }
    members.push(("README.md".into(), b"not a cable\n".to_vec()));

    let tar = tar_of(&members);
    let mut out = vec![
        ("all.tar".to_string(), tar.clone()),
        ("all.tar.gz".to_string(), gzip(&tar)),
        ("all-deflate.zip".to_string(), zip_of(&members, true)),
        ("all-stored.zip".to_string(), zip_of(&members, false)),
    ];
    if let Some((name, text)) = members.first() {
        out.push((format!("{}.gz", name.replace('/', "_")), gzip(text)));
    }
    if let Some(csv) = &csv {
        out.push(("cables.csv.gz".into(), gzip(csv)));
    }
    for (name, bytes) in out.clone() {
        out.push((
            format!("{name} (cut)"),
            bytes[..bytes.len() * 2 / 3].to_vec(),
        ));
    }
    out
}

fn tar_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_291_766_400);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .expect("tar into memory");
    }
    builder.into_inner().expect("tar into memory")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip into memory");
    gz.finish().expect("gzip into memory")
}

fn zip_of(members: &[(String, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), options)
            .expect("zip into memory");
        zip.write_all(bytes).expect("zip into memory");
    }
    zip.finish().expect("zip into memory").into_inner()
}

/// Queries over the syntax (every field, operator, range and group form), and queries built
/// from the corpus metadata: its origins, tags, classifications, dates, ids and subject words.
fn query_seeds(shared: &Path) -> Vec<(String, Vec<u8>)> {
    let mut queries: Vec<String> = [
        "",
        "iran",
        "\"nuclear program\" iran*",
        "class:SECRET from:ISLAMABAD tag:PREL date:2009",
        "class>=SECRET from:ISLAMABAD tag:PREL date:2009",
        "classification>=SECRET -(tag:a OR tag:b) date<=2008-12-31",
        "class>c NOT tag:(a OR b) date<2009",
        "tag:(PREL OR PGOV)",
        "from:(\"BUENOS AIRES\" -SANTIAGO)",
        "date:([2001 TO 2002] OR 2009)",
        "date:[2009-01 TO 2009-03-15]",
        "date:2009-02..2009-04",
        "iran or iraq",
        "id:09PARTO13 cites:09STATE1234 cited-by:08KABUL12",
        "precedence:IMMEDIATE precedence>=PRIORITY",
        "caveat:NOFORN caption:SIPDIS",
        "subject:\"human rights\" signer:CLINTON classified-by:\"Ambassador X\"",
        "declassify:OADR declassify:25X1 declassify:due declassify<2015",
        "marking:S//NF marking:TS marking:(C OR U)",
        "has:refs -has:summary has:(comment OR signature)",
        "to:SECSTATE info:(USUN OR NATO)",
        "\u{201C}smart quotes\u{201D} café",
        "frm:ISLAMABAD",
        "((((a))))",
        "a AND (b OR -c) NOT d",
        "date:[* TO 2009]",
        "class:\"TOP SECRET\"",
    ]
    .map(String::from)
    .to_vec();
    let rows = crate::metadata(shared);
    for row in rows.iter().step_by(25) {
        let date = row.created.split(' ').next().unwrap_or_default();
        let word = row
            .subject
            .split_whitespace()
            .find(|w| w.len() > 3 && w.chars().all(char::is_alphanumeric))
            .unwrap_or("cable");
        let tag = row.tags.first().map_or("PREL", String::as_str);
        queries.push(format!(
            "from:\"{}\" class:\"{}\" date:{date} {word}",
            row.origin, row.classification
        ));
        queries.push(format!("id:{} OR (tag:{tag} date>={date})", row.id));
    }
    queries
        .into_iter()
        .enumerate()
        .map(|(i, q)| (format!("query-{i:03}"), q.into_bytes()))
        .collect()
}

thread_local! {
    /// Whether this thread's panics are caught by [`quietly`] rather than printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// The last quiet panic's message and location on this thread.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f`, returning the panic's message and location instead of printing it. The panic hook
/// is process-wide and tests run on several threads, so it is installed once and keeps the
/// previous hook for every thread not inside `quietly`.
pub fn quietly(f: impl FnOnce()) -> Result<(), String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                LAST_PANIC.with(|p| *p.borrow_mut() = info.to_string());
            } else {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|_| LAST_PANIC.with(|p| p.take()))
}

/// The folder of `cargo fuzz` (`<workspace>/fuzz`).
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The stable replay of fuzz target `target`, for a `cargo test`: its check over the `built_in`
/// inputs, the [`seeds`] from `../shared` each with [`mutations`](crate::mutations) (skipped,
/// with a message, when `../shared` is missing outside CI), and whatever a fuzzing run left in
/// `fuzz/corpus/<target>/` and `fuzz/artifacts/<target>/`. Panics with every failing input,
/// grouped by where it failed. Returns how many inputs were checked.
pub fn replay(target: &str, built_in: &[&[u8]]) -> usize {
    let check = check_for(target);
    let mut inputs: Vec<(String, Vec<u8>)> = built_in
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("built-in #{i}"), b.to_vec()))
        .collect();
    if let Some(shared) = crate::require_shared(&format!("fuzz replay {target} (seeds)")) {
        let mut seeds = seeds(target, &shared);
        if target == "cables_csv" {
            // The whole file too, not only the chunks the fuzzer starts from.
            seeds.extend(read_dir_files(&shared.join("cables-csv"), "csv"));
        }
        for (name, bytes) in seeds {
            for (label, mutated) in crate::mutations(&bytes) {
                inputs.push((format!("{name} ({label})"), mutated));
            }
            inputs.push((name, bytes));
        }
    }
    let mut from_fuzz_dirs = 0;
    for sub in ["corpus", "artifacts"] {
        let dir = fuzz_dir().join(sub).join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.is_file()) {
            let bytes =
                fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            inputs.push((format!("fuzz/{sub}/{target}/{file}"), bytes));
            from_fuzz_dirs += 1;
        }
    }

    let mut failures = Vec::new();
    for (name, bytes) in &inputs {
        if let Err(panic) = quietly(|| check(bytes)) {
            failures.push((name.clone(), panic.replace('\n', " ")));
        }
    }

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
            message.chars().take(400).collect::<String>()
        ));
    }
    println!(
        "fuzz replay {target}: {} inputs ({from_fuzz_dirs} from fuzz/), {} failed",
        inputs.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs failed the check:\n{report}",
        failures.len(),
        inputs.len(),
    );
    inputs.len()
}
