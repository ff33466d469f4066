//! The container readers against the real test data in `../shared`: every Cablegate page and
//! every `cables.csv` record must give back the bytes of its corpus `.txt`, and the container
//! metadata must match the corpus's `metadata.csv`.
//!
//! Skips with a message when `../shared` is missing, except under CI (`CI` set), where that
//! is a failure.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use cable_sources::{detect, read_bytes, read_path, ContainerKind, RawCable, SourceError};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

fn shared(test: &str) -> Option<PathBuf> {
    let path = PathBuf::from(SHARED);
    if path.join("corpus").is_dir() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: the shared test data is missing at {SHARED}, and CI is set");
    }
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(
        std::io::stderr(),
        "{test}: SKIPPED, the shared test data is missing at {SHARED}"
    );
    None
}

fn corpus_text(shared: &Path, id: &str) -> Vec<u8> {
    fs::read(shared.join("corpus").join(format!("{id}.txt")))
        .unwrap_or_else(|e| panic!("corpus/{id}.txt: {e}"))
}

/// `metadata.csv` by id: (created, classification, origin).
fn metadata(shared: &Path) -> HashMap<String, (String, String, String)> {
    let mut reader = csv::Reader::from_path(shared.join("corpus/metadata.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, created, class, origin) = (
        col("id"),
        col("created"),
        col("classification"),
        col("origin"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[id].to_owned(),
                (
                    r[created].to_owned(),
                    r[class].to_owned(),
                    r[origin].to_owned(),
                ),
            )
        })
        .collect()
}

fn check_metadata(cable: &RawCable, meta: &HashMap<String, (String, String, String)>) {
    let id = cable.container_id.as_deref().expect("container id");
    let (created, class, origin) = meta
        .get(id)
        .unwrap_or_else(|| panic!("{id} not in metadata.csv"));
    assert_eq!(
        cable.container_date.as_deref(),
        Some(created.as_str()),
        "{id}"
    );
    assert_eq!(
        cable.container_classification.as_deref(),
        Some(class.as_str()),
        "{id}"
    );
    assert_eq!(
        cable.container_origin.as_deref(),
        Some(origin.as_str()),
        "{id}"
    );
}

#[test]
fn cablegate_pages_equal_corpus_text() {
    let Some(shared) = shared("cablegate_pages_equal_corpus_text") else {
        return;
    };
    let meta = metadata(&shared);
    let folder = shared.join("cablegate-html");
    let items: Vec<_> = read_path(&folder).collect();
    let pages = fs::read_dir(&folder)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "html")
        })
        .count();
    assert_eq!(pages, 40);
    assert_eq!(items.len(), pages);
    let mut previous = String::new();
    for item in items {
        let cable = item.unwrap();
        let path = Path::new(&cable.source.path);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(cable.source.path > previous, "sorted by file name");
        previous = cable.source.path.clone();
        assert_eq!(cable.source.container, "cablegate-html");
        assert_eq!((cable.source.row, cable.source.offset), (None, None));
        assert_eq!(cable.container_id.as_deref(), Some(stem.as_str()));
        assert!(
            cable.text.as_bytes() == corpus_text(&shared, &stem),
            "{stem}: page text differs from corpus/{stem}.txt"
        );
        check_metadata(&cable, &meta);

        let head = fs::read(path).unwrap();
        assert_eq!(detect(&head), ContainerKind::CablegateHtml, "{stem}");
    }
}

#[test]
fn cables_csv_records_equal_corpus_text() {
    let Some(shared) = shared("cables_csv_records_equal_corpus_text") else {
        return;
    };
    let meta = metadata(&shared);
    let path = shared.join("cables-csv/cables.csv");
    let bytes = fs::read(&path).unwrap();
    assert_eq!(detect(&bytes), ContainerKind::CablesCsv);

    let streamed: Vec<RawCable> = read_path(&path).map(Result::unwrap).collect();
    assert_eq!(streamed.len(), 120);
    let mut with_apostrophe = 0;
    for (i, cable) in streamed.iter().enumerate() {
        let id = cable.container_id.as_deref().unwrap();
        assert_eq!(cable.source.row, Some(i as u64 + 1), "{id}");
        assert_eq!(cable.source.container, "cables-csv");
        assert_eq!(cable.source.path, path.to_string_lossy());
        // The offset points at the record's opening `"<row>","`.
        let offset = cable.source.offset.unwrap() as usize;
        assert!(
            bytes[offset..].starts_with(format!("\"{}\",\"", i + 1).as_bytes()),
            "{id}: offset {offset}"
        );
        assert!(
            cable.text.as_bytes() == corpus_text(&shared, id),
            "{id}: record text differs from corpus/{id}.txt"
        );
        assert!(!cable.text.contains("\\'") && !cable.text.contains("\\\""));
        with_apostrophe += usize::from(cable.text.contains('\''));
        assert!(cable.container_references.is_empty());
        check_metadata(cable, &meta);
    }
    // The `\'` escape is common in the dump: make sure the test saw it.
    assert!(with_apostrophe > 50, "{with_apostrophe}");

    // In memory, the same records.
    let in_memory: Vec<RawCable> = read_bytes(&bytes, &path.to_string_lossy())
        .map(Result::unwrap)
        .collect();
    assert_eq!(in_memory, streamed);
}

#[test]
fn upstream_dump_layout() {
    let Some(shared) = shared("upstream_dump_layout") else {
        return;
    };
    let path = shared.join("cables-csv/upstream-sample.csv");
    let bytes = fs::read(&path).unwrap();
    assert_eq!(detect(&bytes), ContainerKind::CablesCsv);
    let items: Vec<_> = read_path(&path).collect();
    assert_eq!(items.len(), 1);
    let cable = items[0].as_ref().unwrap();
    assert_eq!(cable.source.row, Some(1));
    assert_eq!(cable.source.offset, Some(0));
    assert_eq!(cable.container_id.as_deref(), Some("66BUENOSAIRES2481"));
    assert_eq!(cable.container_date.as_deref(), Some("1966-12-28 18:48"));
    assert_eq!(
        cable.container_origin.as_deref(),
        Some("Embassy Buenos Aires")
    );
    assert_eq!(
        cable.container_classification.as_deref(),
        Some("UNCLASSIFIED")
    );
    assert_eq!(cable.container_references, ["66STATE106206"]);
    assert!(cable
        .text
        .starts_with("P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES\n"));
    assert!(cable
        .text
        .contains("\nSTATE GRNC\n\nUNCLASSIFIED BUENOS AIRES 2481 \n"));
    assert!(cable.text.contains("OF \"PREFERENTIAL JURISDICTION\" FOR"));
    assert!(
        cable.text.contains("LEGAL ADVISORS' QUALMS"),
        "the \\' escape"
    );
    assert!(!cable.text.contains('\\'), "no escape left");
    assert!(
        cable.text.ends_with("SACCIO \n\n"),
        "body ends with a newline"
    );
}

#[test]
fn plusd_sample_and_corpus_folder() {
    let Some(shared) = shared("plusd_sample_and_corpus_folder") else {
        return;
    };
    let sample: Vec<_> = read_path(&shared.join("samples/09PARTO13.txt")).collect();
    assert_eq!(sample.len(), 1);
    let cable = sample[0].as_ref().unwrap();
    assert_eq!(cable.source.container, "plusd");
    assert!(cable.text.contains("[1](#)1."));

    let corpus = shared.join("corpus");
    let mut cables = 0;
    let mut errors = Vec::new();
    let mut previous = String::new();
    for item in read_path(&corpus) {
        match item {
            Ok(cable) => {
                cables += 1;
                assert_eq!(cable.source.container, "text", "{}", cable.source.path);
                assert!(cable.source.path > previous, "sorted by file name");
                previous = cable.source.path.clone();
                assert!(cable.container_id.is_none());
            }
            Err(err) => errors.push(err),
        }
    }
    assert_eq!(cables, 1092);
    // README.md is skipped; metadata.csv is read and reported, never silently dropped.
    assert_eq!(errors.len(), 1, "{errors:?}");
    match &errors[0] {
        SourceError::NotACable { path, reason } => {
            assert!(path.ends_with("metadata.csv"), "{path}");
            assert!(reason.contains("CSV"), "{reason}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn cables_csv_with_an_unescaped_quote_loses_one_record() {
    let Some(shared) = shared("cables_csv_with_an_unescaped_quote_loses_one_record") else {
        return;
    };
    let bytes = fs::read(shared.join("cables-csv/cables.csv")).unwrap();
    let third = find(&bytes, b"\n\"3\",\"").unwrap();
    let fourth = find(&bytes, b"\n\"4\",\"").unwrap();
    let escape = third + find(&bytes[third..fourth], b"\\\"").expect("an escaped quote");
    let mut damaged = bytes.clone();
    damaged.remove(escape);

    let items: Vec<_> = read_bytes(&damaged, "damaged.csv").collect();
    assert_eq!(items.len(), 120);
    for (i, item) in items.iter().enumerate() {
        let row = i as u64 + 1;
        match item {
            Ok(cable) => {
                assert_ne!(row, 3);
                assert_eq!(cable.source.row, Some(row));
            }
            Err(SourceError::Malformed { row: 3, path, .. }) => assert_eq!(path, "damaged.csv"),
            Err(other) => panic!("row {row}: {other}"),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
