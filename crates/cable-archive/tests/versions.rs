//! Versions, partial extracts, unreadable inputs and the crash between the two commits, on a few
//! corpus cables copied into temporary folders.

use cable_archive::View;
use std::fs;
use std::path::{Path, PathBuf};

use cable_archive::{Archive, SearchOptions};

const ID: &str = "06LAPAZ886";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    fs::create_dir_all(dir).expect("mkdir");
    let p = dir.join(name);
    fs::write(&p, text).expect("write");
    dir.to_path_buf()
}

fn total(a: &Archive, q: &str) -> u64 {
    let q = cable_query::parse(q).expect("query");
    a.search(&q, &SearchOptions::default(), &View::owner())
        .expect("search")
        .total
}

#[test]
fn a_changed_text_is_a_new_version_and_a_partial_extract_never_supersedes() {
    let Some(shared) = cable_testdata::require_shared("versions") else {
        return;
    };
    let original = fs::read_to_string(shared.join(format!("corpus/{ID}.txt"))).expect("corpus");
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut a = Archive::open(&data).expect("open");

    let first = write(&tmp.path().join("a"), &format!("{ID}.txt"), &original);
    let s = a
        .ingest(std::slice::from_ref(&first), &mut |_| {})
        .expect("ingest");
    assert_eq!((s.new, s.changed, s.unchanged), (1, 0, 0));
    let old_hash = a
        .get(ID, &View::owner())
        .expect("get")
        .expect("present")
        .hash;

    // Whitespace and line ends alone do not make a version.
    let crlf = original.replace('\n', "  \r\n");
    let same = write(&tmp.path().join("crlf"), &format!("{ID}.txt"), &crlf);
    let s = a.ingest(&[same], &mut |_| {}).expect("ingest");
    assert_eq!((s.new, s.changed, s.unchanged), (0, 0, 1), "{s:?}");

    let edited = original.replacen(" the ", " the zyzzyva ", 1);
    assert_ne!(edited, original);
    let second = write(&tmp.path().join("b"), &format!("{ID}.txt"), &edited);
    let s = a.ingest(&[second], &mut |_| {}).expect("ingest");
    assert_eq!((s.new, s.changed, s.unchanged), (0, 1, 0));
    let current = a.get(ID, &View::owner()).expect("get").expect("present");
    assert_ne!(current.hash, old_hash);
    assert_eq!(total(&a, "zyzzyva"), 1, "search sees the current version");
    let old = a
        .version(ID, &old_hash[..12], &View::owner())
        .expect("old version");
    assert!(!old.current);
    assert_eq!(old.original, original);

    // A partial extract of it (no heading) is kept as a version but does not become current.
    let body_start = edited.find("1. (C)").expect("a numbered paragraph");
    let partial = format!("{}\nzyzzyva partial\n", &edited[body_start..]);
    let third = write(&tmp.path().join("c"), &format!("{ID}.txt"), &partial);
    let s = a.ingest(&[third], &mut |_| {}).expect("ingest");
    assert_eq!((s.new, s.changed), (0, 1), "{s:?}");
    assert_eq!(
        a.get(ID, &View::owner())
            .expect("get")
            .expect("present")
            .hash,
        current.hash
    );
    let stats = a.stats(&View::owner()).expect("stats");
    assert_eq!((stats.cables, stats.versions), (1, Some(3)));
    assert_eq!(
        a.ledger(ID, &View::owner())
            .expect("ledger")
            .expect("entry")
            .versions
            .len(),
        3
    );

    // Re-ingesting every copy changes nothing.
    let s = a.ingest(&[first], &mut |_| {}).expect("ingest");
    assert_eq!((s.new, s.changed, s.unchanged), (0, 0, 1));
}

#[test]
fn unreadable_inputs_are_reported_by_path_and_the_rest_is_ingested() {
    let Some(shared) = cable_testdata::require_shared("unreadable_inputs") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    let text = fs::read_to_string(shared.join(format!("corpus/{ID}.txt"))).expect("corpus");
    write(&input, &format!("{ID}.txt"), &text);
    write(
        &input,
        "junk.txt",
        "\u{0}\u{1}\u{2} not a cable at all \u{0}",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), input.join("dangling.txt"))
        .expect("symlink");
    let missing = tmp.path().join("missing.txt");
    let mut a = Archive::open(&tmp.path().join("data")).expect("open");
    let s = a
        .ingest(&[input, missing.clone()], &mut |_| {})
        .expect("ingest");
    assert_eq!(s.new, 1, "{s:?}");
    let paths: Vec<&str> = s.problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.iter().any(|p| p.ends_with("junk.txt")), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("missing.txt")),
        "{paths:?}"
    );
    #[cfg(unix)]
    assert!(
        paths.iter().any(|p| p.ends_with("dangling.txt")),
        "{paths:?}"
    );
    assert_eq!(s.unreadable as usize, s.problems.len());
}

#[test]
fn a_crash_between_the_index_and_catalog_commits_is_repaired_on_open() {
    let Some(shared) = cable_testdata::require_shared("crash_between_commits") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    for id in [ID, "06LAPAZ906", "06LAPAZ908"] {
        let text = fs::read_to_string(shared.join(format!("corpus/{id}.txt"))).expect("corpus");
        write(&input, &format!("{id}.txt"), &text);
    }
    let data = tmp.path().join("data");
    {
        let mut a = Archive::open(&data).expect("open");
        a.simulate_crash_after_index_commit();
        assert!(a.ingest(std::slice::from_ref(&input), &mut |_| {}).is_err());
    }
    let mut a = Archive::open(&data).expect("reopen");
    let stats = a.stats(&View::owner()).expect("stats");
    assert_eq!(
        (stats.cables, stats.versions),
        (3, Some(3)),
        "the ledger was replayed"
    );
    assert_eq!(total(&a, ""), 3);
    let s = a.ingest(&[input], &mut |_| {}).expect("re-run");
    assert_eq!((s.new, s.changed, s.unchanged), (0, 0, 3));
}

#[test]
fn two_versions_in_one_run_keep_both_and_the_later_is_current() {
    let Some(shared) = cable_testdata::require_shared("two_versions_in_one_run") else {
        return;
    };
    let original = fs::read_to_string(shared.join(format!("corpus/{ID}.txt"))).expect("corpus");
    let edited = original.replacen(" the ", " the zyzzyva ", 1);
    let tmp = tempfile::tempdir().expect("tmp");
    let first = write(&tmp.path().join("a"), &format!("{ID}.txt"), &original);
    let second = write(&tmp.path().join("b"), &format!("{ID}.txt"), &edited);
    let mut a = Archive::open(&tmp.path().join("data")).expect("open");
    // Both in one batch: the second supersedes a version not yet committed.
    let s = a.ingest(&[first, second], &mut |_| {}).expect("ingest");
    assert_eq!((s.new, s.changed, s.unchanged), (1, 1, 0), "{s:?}");
    assert_eq!(s.committed, 2);
    let current = a.get(ID, &View::owner()).expect("get").expect("present");
    assert_eq!(current.original, edited);
    let ledger = a
        .ledger(ID, &View::owner())
        .expect("ledger")
        .expect("entry");
    assert_eq!(ledger.versions.len(), 2);
    let old = a
        .version(ID, &ledger.versions[0].hash, &View::owner())
        .expect("old version");
    assert!(!old.current);
    assert_eq!(old.original, original);
    assert_eq!(total(&a, "zyzzyva"), 1);
    let stats = a.stats(&View::owner()).expect("stats");
    assert_eq!((stats.cables, stats.versions), (1, Some(2)));
}
