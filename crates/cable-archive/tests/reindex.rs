//! `reindex`: the index rebuilt from the stored cables, with nothing lost and no source file;
//! an archive of an older schema is refused until reindexed; an interrupted swap is repaired.

use cable_archive::View;
use std::fs;
use std::path::Path;

use cable_archive::{Archive, ArchiveError, SearchOptions, UserError};

fn query(s: &str) -> cable_query::Query {
    cable_query::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Every cable's id, version and parse, in id order, plus a few searches.
fn snapshot(a: &Archive) -> (Vec<(String, String, String)>, Vec<u64>) {
    let mut all: Vec<(String, String, String)> = a
        .matches(&query(""), &View::owner())
        .expect("matches")
        .map(|r| {
            let r = r.expect("record");
            (r.id, r.hash, r.cable.to_string())
        })
        .collect();
    all.sort();
    let opts = SearchOptions {
        limit: 0,
        ..SearchOptions::default()
    };
    let totals = [
        "class:SECRET",
        "tag:PREL",
        "\"human rights\"",
        "has:refs",
        "date:2009",
    ]
    .iter()
    .map(|q| {
        a.search(&query(q), &opts, &View::owner())
            .expect("search")
            .total
    })
    .collect();
    (all, totals)
}

fn set_schema_version(dir: &Path, version: &str) {
    let db = redb::Database::create(dir.join("catalog.redb")).expect("catalog");
    let txn = db.begin_write().expect("txn");
    {
        let def: redb::TableDefinition<&str, &str> = redb::TableDefinition::new("settings");
        let mut t = txn.open_table(def).expect("settings");
        t.insert("schema_version", version).expect("insert");
    }
    txn.commit().expect("commit");
}

#[test]
fn reindex_rebuilds_the_same_archive_from_the_stored_cables() {
    let Some(shared) = cable_testdata::require_shared("reindex") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    // Cablegate pages and cables.csv rows carry container metadata that reindex must keep.
    let inputs = [
        shared.join("cablegate-html"),
        shared.join("cables-csv/cables.csv"),
    ];
    let mut a = Archive::open(&data).expect("open");
    let s = a.ingest(&inputs, &mut |_| {}).expect("ingest");
    assert!(s.new > 100, "{s:?}");
    let before = snapshot(&a);
    drop(a);

    let mut calls = 0;
    let summary = Archive::reindex(&data, &mut |done, total| {
        calls += 1;
        assert!(done <= total);
    })
    .expect("reindex");
    assert_eq!(summary.cables, s.new);
    assert!(calls >= 1);
    let a = Archive::open(&data).expect("reopen");
    assert_eq!(
        snapshot(&a),
        before,
        "same cables, versions, parses and searches"
    );
    assert!(!data.join("index.new").exists() && !data.join("index.old").exists());

    // An archive of an older schema is refused, with the way out in the message.
    drop(a);
    set_schema_version(&data, "1");
    match Archive::open(&data) {
        Err(ArchiveError::User(UserError::NeedsReindex { found, .. })) => assert_eq!(found, "1"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("an old-schema archive opened"),
    }
    let summary = Archive::reindex(&data, &mut |_, _| {}).expect("reindex");
    assert_eq!(summary.from_schema, "1");
    let a = Archive::open(&data).expect("open after reindex");
    assert_eq!(snapshot(&a), before);
    assert_eq!(
        a.stats(&View::owner()).expect("stats").schema_version,
        cable_archive::schema::SCHEMA_VERSION
    );
}

#[test]
fn an_interrupted_reindex_leaves_a_whole_archive() {
    let Some(shared) = cable_testdata::require_shared("reindex_interrupted") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut a = Archive::open(&data).expect("open");
    a.ingest(&[shared.join("cablegate-html")], &mut |_| {})
        .expect("ingest");
    let before = snapshot(&a);
    drop(a);

    // Died while writing the new index: the half-written one is dropped.
    fs::create_dir_all(data.join("index.new")).expect("mkdir");
    fs::write(data.join("index.new/meta.json"), "{half").expect("write");
    let a = Archive::open(&data).expect("open");
    assert_eq!(snapshot(&a), before);
    assert!(!data.join("index.new").exists());
    drop(a);

    // Died between the two renames: the old index is put back.
    fs::rename(data.join("index"), data.join("index.old")).expect("rename");
    fs::create_dir_all(data.join("index.new")).expect("mkdir");
    let a = Archive::open(&data).expect("open");
    assert_eq!(snapshot(&a), before);
    assert!(!data.join("index.old").exists());
}

#[test]
fn a_second_process_on_the_same_archive_gets_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let _first = Archive::open(tmp.path()).expect("open");
    match Archive::open(tmp.path()) {
        Err(ArchiveError::User(UserError::Busy { path })) => {
            assert!(path.ends_with("catalog.redb"), "{path}")
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("two handles on one archive"),
    }
}
