//! Archives: a tar, tar.gz or zip of cables gives the same cables as the files themselves, each
//! named `<archive>!<entry>`; damage gives errors naming the archive and entry, after the cables
//! before it; entries a folder walk would skip are skipped.
//!
//! The archives are built at test time from the real data in `../shared` (skipped with a
//! message when it is absent, a failure under CI).

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use cable_sources::{detect_archive, read_bytes, read_path, ArchiveKind, RawCable, SourceError};
use cable_testdata::{corpus_files, files_with_ext, require_shared};
use flate2::write::GzEncoder;

/// One archive entry: name and content (`None` for a directory).
type Entry = (String, Option<Vec<u8>>);

fn tar_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        match data {
            Some(data) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder
                    .append_data(&mut header, name, &data[..])
                    .expect("tar entry");
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                header.set_mode(0o755);
                builder
                    .append_data(&mut header, name, &[][..])
                    .expect("tar dir");
            }
        }
    }
    builder.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    for (i, (name, data)) in entries.iter().enumerate() {
        match data {
            Some(data) => {
                // Alternate stored and deflated entries.
                let options = if i % 3 == 0 { stored } else { deflated };
                zip.start_file(name.as_str(), options).unwrap();
                zip.write_all(data).unwrap();
            }
            None => zip.add_directory(name.as_str(), deflated).unwrap(),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// The wanted entries (what a folder of these files gives), and the entries that must be
/// skipped.
struct Fixture {
    /// Entry name → the file it was made from.
    files: Vec<(String, PathBuf)>,
    entries: Vec<Entry>,
}

const SKIPPED: &[&str] = &[
    ".hidden.txt",
    "cables/.DS_Store",
    "__MACOSX/cables/._01PRETORIA1173.txt",
    ".git/config",
    "README.md",
    "cables/readme.txt",
    "notes.json",
    "meta/list.tsv",
];

fn fixture(shared: &Path) -> Fixture {
    let mut files = Vec::new();
    for (id, path) in corpus_files(shared).into_iter().step_by(25) {
        files.push((format!("cables/{id}.txt"), path));
    }
    for (id, path) in files_with_ext(&shared.join("cablegate-html"), "html")
        .into_iter()
        .take(5)
    {
        files.push((format!("pages/{id}.html"), path));
    }
    files.push((
        "dump/cables.csv".to_owned(),
        shared.join("cables-csv/cables.csv"),
    ));
    let mut entries: Vec<Entry> = vec![
        ("cables/".into(), None),
        ("pages/".into(), None),
        ("dump/".into(), None),
    ];
    for (name, path) in &files {
        entries.push((name.clone(), Some(fs::read(path).unwrap())));
    }
    for name in SKIPPED {
        let from = &files[0].1;
        entries.push(((*name).to_owned(), Some(fs::read(from).unwrap())));
    }
    // A long name (GNU long-name / PAX record in tar).
    let long = format!("cables/{}/04MADRID2164.txt", "deep".repeat(40));
    let madrid = shared.join("corpus/04MADRID2164.txt");
    entries.push((long.clone(), Some(fs::read(&madrid).unwrap())));
    files.push((long, madrid));
    Fixture { files, entries }
}

/// What matters of a cable: its text and what the container says, less the path.
fn essence(cable: &RawCable) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        cable.text,
        cable.source.container,
        cable.source.row,
        cable.source.offset,
        cable.container_id,
        cable.container_date,
        cable.container_classification,
        cable.container_origin,
        cable.container_references
    )
}

/// The cables the files give read directly, by `<archive>!<entry>` path and row.
fn expected(fixture: &Fixture, archive: &str) -> BTreeMap<(String, Option<u64>), String> {
    let mut out = BTreeMap::new();
    for (name, path) in &fixture.files {
        for item in read_path(path) {
            let cable = item.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let key = (format!("{archive}!{name}"), cable.source.row);
            out.insert(key, essence(&cable));
        }
    }
    out
}

fn got(items: Vec<Result<RawCable, SourceError>>) -> BTreeMap<(String, Option<u64>), String> {
    let mut out = BTreeMap::new();
    for item in items {
        let cable = item.unwrap_or_else(|e| panic!("{e}"));
        let key = (cable.source.path.clone(), cable.source.row);
        assert!(out.insert(key, essence(&cable)).is_none(), "duplicate");
    }
    out
}

fn parsed_ids(items: &BTreeMap<(String, Option<u64>), String>) -> usize {
    items.len()
}

#[test]
fn archives_give_the_same_cables_as_the_files() {
    let Some(shared) = require_shared("archives_give_the_same_cables_as_the_files") else {
        return;
    };
    let fixture = fixture(&shared);
    let tar = tar_bytes(&fixture.entries);
    let dir = tempfile::tempdir().unwrap();
    let archives = [
        ("dump.tar", tar.clone(), ArchiveKind::Tar),
        ("dump.tar.gz", gzip(&tar), ArchiveKind::Gzip),
        ("dump.tgz", gzip(&tar), ArchiveKind::Gzip),
        ("dump.zip", zip_bytes(&fixture.entries), ArchiveKind::Zip),
        // The name does not decide: the magic bytes do.
        (
            "misnamed.txt",
            zip_bytes(&fixture.entries),
            ArchiveKind::Zip,
        ),
    ];
    for (name, bytes, kind) in &archives {
        assert_eq!(detect_archive(bytes), Some(*kind), "{name}");
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let archive = path.to_string_lossy().into_owned();
        let want = expected(&fixture, &archive);
        // 120 cables.csv records, the text files and pages.
        assert_eq!(parsed_ids(&want), 120 + fixture.files.len() - 1, "{name}");
        let from_file = got(read_path(&path).collect());
        assert_eq!(from_file, want, "{name} via read_path");

        let from_memory = got(read_bytes(bytes, name).collect());
        let want = expected(&fixture, name);
        assert_eq!(from_memory, want, "{name} via read_bytes");
    }

    // The parsed cables are the same too.
    let path = dir.path().join("dump.tar.gz");
    for item in read_path(&path) {
        let raw = item.unwrap();
        let entry = raw.source.path.split_once('!').unwrap().1.to_owned();
        if raw.source.container == "cables-csv" {
            continue;
        }
        let (_, file) = fixture.files.iter().find(|(n, _)| *n == entry).unwrap();
        let direct = read_path(file).next().unwrap().unwrap();
        let (a, b) = (
            cable_sources::parse_raw(direct),
            cable_sources::parse_raw(raw),
        );
        assert_eq!(a.id, b.id, "{entry}");
        assert_eq!(a.text, b.text, "{entry}");
        assert_eq!(a.paragraphs, b.paragraphs, "{entry}");
    }
}

#[test]
fn a_folder_walk_reads_archives_by_the_same_rules() {
    let Some(shared) = require_shared("a_folder_walk_reads_archives_by_the_same_rules") else {
        return;
    };
    let fixture = fixture(&shared);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let tar = tar_bytes(&fixture.entries);
    fs::write(root.join("a.tar.gz"), gzip(&tar)).unwrap();
    fs::write(root.join("b.zip"), zip_bytes(&fixture.entries)).unwrap();
    fs::write(root.join("c.tar"), &tar).unwrap();
    let csv = fs::read(shared.join("cables-csv/cables.csv")).unwrap();
    fs::write(root.join("d.csv.gz"), gzip(&csv)).unwrap();
    let madrid = fs::read(shared.join("corpus/04MADRID2164.txt")).unwrap();
    fs::write(root.join("04MADRID2164.txt.gz"), gzip(&madrid)).unwrap();
    // Skipped by name, as before.
    fs::write(root.join("notes.md.gz"), gzip(&madrid)).unwrap();
    fs::write(root.join(".hidden.zip"), zip_bytes(&fixture.entries)).unwrap();

    let items: Vec<_> = read_path(root).collect();
    let mut per_file: BTreeMap<String, usize> = BTreeMap::new();
    for item in &items {
        let cable = item.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let path = &cable.source.path;
        let rel = Path::new(path.split('!').next().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        *per_file.entry(rel).or_default() += 1;
    }
    let per_archive = 120 + fixture.files.len() - 1;
    assert_eq!(
        per_file,
        BTreeMap::from([
            ("04MADRID2164.txt.gz".to_owned(), 1),
            ("a.tar.gz".to_owned(), per_archive),
            ("b.zip".to_owned(), per_archive),
            ("c.tar".to_owned(), per_archive),
            ("d.csv.gz".to_owned(), 120),
        ])
    );

    // A gzipped single file keeps the `.gz` path and reads like the file itself.
    let gz = read_path(&root.join("04MADRID2164.txt.gz"))
        .next()
        .unwrap()
        .unwrap();
    let direct = read_path(&shared.join("corpus/04MADRID2164.txt"))
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(gz.text, direct.text);
    assert_eq!(
        gz.source.path,
        root.join("04MADRID2164.txt.gz").to_string_lossy()
    );
    let csv_gz: Vec<_> = read_path(&root.join("d.csv.gz"))
        .map(Result::unwrap)
        .collect();
    let csv_direct: Vec<_> = read_path(&shared.join("cables-csv/cables.csv"))
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        csv_gz.iter().map(essence).collect::<Vec<_>>(),
        csv_direct.iter().map(essence).collect::<Vec<_>>()
    );
}

/// Cables as `(entry, ok)` in order, errors as `(path, message)`.
fn summary(items: &[Result<RawCable, SourceError>]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            Ok(c) => format!("ok {}", c.source.path),
            Err(e) => format!("err {e}"),
        })
        .collect()
}

fn text_entries(shared: &Path, n: usize) -> Vec<Entry> {
    corpus_files(shared)
        .into_iter()
        .take(n)
        .map(|(id, path)| (format!("cables/{id}.txt"), Some(fs::read(path).unwrap())))
        .collect()
}

#[test]
fn a_truncated_tar_gz_yields_the_cables_before_the_cut_then_an_error() {
    let Some(shared) = require_shared("a_truncated_tar_gz") else {
        return;
    };
    let entries = text_entries(&shared, 40);
    let gz = gzip(&tar_bytes(&entries));
    let cut = &gz[..gz.len() * 6 / 10];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.tar.gz");
    fs::write(&path, cut).unwrap();
    let name = path.to_string_lossy().into_owned();

    let items: Vec<_> = read_path(&path).collect();
    let oks = items.iter().take_while(|i| i.is_ok()).count();
    assert!(oks >= 10, "{:#?}", summary(&items));
    assert_eq!(items.len(), oks + 1, "{:#?}", summary(&items));
    for (item, (entry, data)) in items.iter().zip(&entries).take(oks) {
        let cable = item.as_ref().unwrap();
        assert_eq!(cable.source.path, format!("{name}!{entry}"));
        assert_eq!(
            cable.text,
            cable_sources::decode_text(data.as_ref().unwrap())
        );
    }
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(err, SourceError::Io { .. }), "{err}");
    assert!(err.path().starts_with(&name), "{err}");
    let message = err.to_string();
    assert!(message.contains("gzip"), "{message}");
    // The error names the entry being read (or the last one read).
    assert!(message.contains("cables/"), "{message}");
}

#[test]
fn a_truncated_tar_names_the_entry_cut_short() {
    let Some(shared) = require_shared("a_truncated_tar") else {
        return;
    };
    let entries = text_entries(&shared, 10);
    let tar = tar_bytes(&entries);
    // Cut inside the fourth entry's data.
    let starts: Vec<usize> = (0..tar.len())
        .step_by(512)
        .filter(|&i| tar[i..].starts_with(b"cables/"))
        .collect();
    let cut = &tar[..starts[3] + 512 + 100];
    let items: Vec<_> = read_bytes(cut, "t.tar").collect();
    assert_eq!(items.len(), 4, "{:#?}", summary(&items));
    assert!(items[..3].iter().all(Result::is_ok));
    let err = items[3].as_ref().unwrap_err();
    assert_eq!(err.path(), format!("t.tar!{}", entries[3].0));
    assert!(err.to_string().contains("ends inside this entry"), "{err}");

    // A corrupt header ends the archive with an error after the entries before it.
    let mut bad = tar.clone();
    bad[starts[5] + 100] ^= 0x55;
    let items: Vec<_> = read_bytes(&bad, "t.tar").collect();
    assert_eq!(items.len(), 6, "{:#?}", summary(&items));
    let err = items[5].as_ref().unwrap_err();
    assert_eq!(err.path(), "t.tar");
    assert!(err.to_string().contains("checksum"), "{err}");
    assert!(err.to_string().contains(&entries[4].0), "{err}");
}

#[test]
fn a_corrupt_zip_gives_errors_and_keeps_the_other_cables() {
    let Some(shared) = require_shared("a_corrupt_zip") else {
        return;
    };
    let entries = text_entries(&shared, 12);
    let zip = zip_bytes(&entries);

    // A damaged byte inside one entry's data: that entry fails its CRC (or inflate), the
    // others read.
    let at = zip
        .windows(entries[4].0.len())
        .position(|w| w == entries[4].0.as_bytes())
        .unwrap()
        + entries[4].0.len()
        + 200;
    let mut flipped = zip.clone();
    flipped[at] ^= 0xFF;
    let items: Vec<_> = read_bytes(&flipped, "z.zip").collect();
    assert_eq!(items.len(), 12, "{:#?}", summary(&items));
    for (i, item) in items.iter().enumerate() {
        if i == 4 {
            let err = item.as_ref().unwrap_err();
            assert_eq!(err.path(), format!("z.zip!{}", entries[4].0));
            assert!(err.to_string().contains("damaged"), "{err}");
        } else {
            let cable = item.as_ref().unwrap();
            assert_eq!(cable.source.path, format!("z.zip!{}", entries[i].0));
        }
    }

    // A cut download: no central directory. The error says so, then the entries before the
    // cut are read from their local headers, then the entry cut short is reported.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.zip");
    fs::write(&path, &zip[..zip.len() / 2]).unwrap();
    let name = path.to_string_lossy().into_owned();
    let items: Vec<_> = read_path(&path).collect();
    let first = items[0].as_ref().unwrap_err();
    assert_eq!(first.path(), name);
    assert!(first.to_string().contains("corrupt zip"), "{first}");
    let oks: Vec<_> = items[1..].iter().take_while(|i| i.is_ok()).collect();
    assert!(oks.len() >= 3, "{:#?}", summary(&items));
    for (item, (entry, data)) in oks.iter().zip(&entries) {
        let cable = item.as_ref().unwrap();
        assert_eq!(cable.source.path, format!("{name}!{entry}"));
        assert_eq!(
            cable.text,
            cable_sources::decode_text(data.as_ref().unwrap())
        );
    }
    assert_eq!(items.len(), oks.len() + 2, "{:#?}", summary(&items));
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.path(), format!("{name}!{}", entries[oks.len()].0));

    // Garbage after the zip magic: one error naming the archive, never a panic.
    let items: Vec<_> = read_bytes(b"PK\x03\x04 not really a zip", "junk.zip").collect();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|i| i.as_ref().is_err_and(|e| e.path().starts_with("junk.zip"))));
}

#[test]
fn nested_empty_and_odd_archives_are_reported() {
    let cable = b"UNCLAS SECTION 01 OF 01 XYZ 000001\n\nSUBJECT: TEST\n\n1. Text.\n".to_vec();
    let inner = tar_bytes(&[("a.txt".into(), Some(cable.clone()))]);
    let outer = zip_bytes(&[
        ("x/inner.tar".into(), Some(inner.clone())),
        ("x/inner.tar.gz".into(), Some(gzip(&inner))),
        ("x/disguised.txt".into(), Some(gzip(&cable))),
        ("x/ok.txt".into(), Some(cable.clone())),
    ]);
    let items: Vec<_> = read_bytes(&outer, "o.zip").collect();
    assert_eq!(
        summary(&items),
        [
            "err o.zip!x/inner.tar: not a cable: tar data: an archive inside an archive is not \
             read (extract it first)",
            "err o.zip!x/inner.tar.gz: not a cable: gzip data: an archive inside an archive is \
             not read (extract it first)",
            "err o.zip!x/disguised.txt: not a cable: gzip data: an archive inside an archive is \
             not read (extract it first)",
            "ok o.zip!x/ok.txt",
        ]
    );

    // An archive with nothing a folder walk reads still says something.
    let empty = tar_bytes(&[("notes.md".into(), Some(cable.clone()))]);
    let items: Vec<_> = read_bytes(&empty, "e.tar").collect();
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().unwrap_err();
    assert!(
        matches!(err, SourceError::NotACable { path, .. } if path == "e.tar"),
        "{err}"
    );
    let items: Vec<_> = read_bytes(&zip_bytes(&[]), "e.zip").collect();
    assert!(
        matches!(&items[..], [Err(SourceError::NotACable { .. })]),
        "{items:?}"
    );

    // Symlinks in a tar are reported, not followed; directories are silent.
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "link.txt", "/etc/passwd")
        .unwrap();
    let mut header = tar::Header::new_ustar();
    header.set_size(cable.len() as u64);
    builder
        .append_data(&mut header, "./real.txt", &cable[..])
        .unwrap();
    let items: Vec<_> = read_bytes(&builder.into_inner().unwrap(), "l.tar").collect();
    assert_eq!(
        summary(&items),
        [
            "err l.tar!link.txt: not a cable: a link in the archive (to /etc/passwd), not followed",
            "ok l.tar!real.txt",
        ]
    );

    // A gzipped file that is not a cable, and gzip that is cut short.
    let items: Vec<_> = read_bytes(&gzip(b"\x00\x01\x02"), "x.gz").collect();
    assert!(matches!(&items[..], [Err(SourceError::NotACable { path, .. })] if path == "x.gz"));
    let gz = gzip(&cable);
    let items: Vec<_> = read_bytes(&gz[..gz.len() - 10], "y.txt.gz").collect();
    assert!(
        matches!(&items[..], [Err(SourceError::Io { path, .. })] if path == "y.txt.gz"),
        "{items:?}"
    );
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    const CABLE: &[u8] = b"VZCZCXYZ0000\nOO RUEHWEB\n\nDE RUEHXX #0001 0010101\nZNY CCCCC ZZH\n\
O 010101Z JAN 09\nFM AMEMBASSY X\nTO SECSTATE WASHDC\n\nC O N F I D E N T I A L X 000001\n\n\
SUBJECT: TEST\n\n1. (C) Text.\n";
    const CSV: &[u8] = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\
\"2\",\"1/1/2009 1:01\",\"09A2\",\"O\",\"C\",\"\",\"H2\",\"B2\"\n";

    /// Small valid archives of every kind, to mutate.
    fn seeds() -> &'static [(&'static str, Vec<u8>)] {
        static SEEDS: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
        SEEDS.get_or_init(|| {
            let entries: Vec<Entry> = vec![
                ("d/".into(), None),
                ("d/a.txt".into(), Some(CABLE.to_vec())),
                ("d/cables.csv".into(), Some(CSV.to_vec())),
                (".hidden".into(), Some(CABLE.to_vec())),
                (
                    format!("d/{}/b.html", "x".repeat(120)),
                    Some(b"<html><body><code><pre>X</pre></code></body></html>".to_vec()),
                ),
                ("d/c".into(), Some(CABLE.to_vec())),
            ];
            let tar = tar_bytes(&entries);
            vec![
                ("s.tar.gz", gzip(&tar)),
                ("s.zip", zip_bytes(&entries)),
                ("s.tar", tar),
                ("s.csv.gz", gzip(CSV)),
            ]
        })
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Truncate(usize),
        Flip(Vec<(usize, u8)>),
        Overwrite(usize, Vec<u8>),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            any::<usize>().prop_map(Mutation::Truncate),
            prop::collection::vec((any::<usize>(), 1..=255u8), 1..8).prop_map(Mutation::Flip),
            (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
                .prop_map(|(at, bytes)| Mutation::Overwrite(at, bytes)),
        ]
    }

    fn apply(bytes: &[u8], mutation: &Mutation) -> Vec<u8> {
        let mut out = bytes.to_vec();
        let n = out.len().max(1);
        match mutation {
            Mutation::Truncate(at) => out.truncate(at % n),
            Mutation::Flip(flips) => {
                for (at, mask) in flips {
                    out[at % n] ^= mask;
                }
            }
            Mutation::Overwrite(at, bytes) => {
                for (i, b) in bytes.iter().enumerate() {
                    if let Some(slot) = out.get_mut(at % n + i) {
                        *slot = *b;
                    }
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Damaged archives never panic, never fall silent, and every item names the archive.
        #[test]
        fn mutated_archives_never_panic_or_fall_silent(
            seed in 0..4usize,
            mutation in mutation(),
        ) {
            let (name, bytes) = &seeds()[seed];
            let bytes = apply(bytes, &mutation);
            let items: Vec<_> = read_bytes(&bytes, name).take(10_000).collect();
            prop_assert!(!items.is_empty());
            for item in items {
                let path = match &item {
                    Ok(cable) => cable.source.path.clone(),
                    Err(err) => err.path().to_owned(),
                };
                prop_assert!(path.starts_with(name), "{}", path);
            }
        }

        /// Random bytes behind each magic number.
        #[test]
        fn random_bytes_behind_archive_magic_never_panic(
            magic in prop::sample::select(vec![
                &b"\x1F\x8B"[..], b"\x1F\x8B\x08\x00", b"PK\x03\x04", b"PK\x05\x06",
            ]),
            rest in prop::collection::vec(any::<u8>(), 0..2000),
        ) {
            let bytes = [magic, &rest[..]].concat();
            let items: Vec<_> = read_bytes(&bytes, "r").take(10_000).collect();
            prop_assert!(!items.is_empty());
        }
    }

    #[test]
    fn every_truncation_of_each_seed() {
        for (name, bytes) in seeds() {
            for cut in 0..bytes.len() {
                let items: Vec<_> = read_bytes(&bytes[..cut], name).take(10_000).collect();
                assert!(!items.is_empty(), "{name} cut at {cut}");
            }
        }
    }
}
