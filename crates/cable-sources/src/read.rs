//! Files and folders to a stream of raw cables: the folder walk, which files it reads, and the
//! hand-off from the detected container (or archive) to its reader.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Chain, Cursor, Read};
use std::path::Path;

use walkdir::{DirEntry, FilterEntry, WalkDir};

use crate::archive::{self, detect_archive};
use crate::cables_csv::CsvRecords;
use crate::detect::{detect, detect_whole, explain, is_html, DETECT_LEN};
use crate::{html, ContainerKind, RawCable, Source, SourceError, MAX_CABLE_BYTES};
use cable_format::decode::{decode as decode_text, strip_bom};

/// Extensions a folder walk reads (besides files without one); compared ignoring case.
const FOLDER_EXTENSIONS: &[&str] = &["txt", "html", "htm", "csv"];

/// Archive extensions a folder walk reads; `.gz` counts when the name without it would be
/// read (`cables.csv.gz`, `dump.tar.gz`).
const ARCHIVE_EXTENSIONS: &[&str] = &["tar", "tgz", "zip"];

type Walk = FilterEntry<walkdir::IntoIter, fn(&DirEntry) -> bool>;

/// One item of the stream: a cable, or why a file, entry or record gave none.
pub(crate) type Item = Result<RawCable, SourceError>;

/// A boxed stream of items (the records of a `cables.csv`, the entries of an archive).
pub(crate) type Items<'a> = Box<dyn Iterator<Item = Item> + Send + 'a>;

/// The stream returned by [`read_path`](crate::read_path) and
/// [`read_bytes`](crate::read_bytes): one item per cable, or per file, entry or record that
/// yielded none.
pub struct RawCables<'a> {
    walk: Option<Walk>,
    current: Current<'a>,
}

/// What the file being read still has to give.
// One per stream, and `One` is the common case: boxing it would cost an allocation per file.
#[allow(clippy::large_enum_variant)]
enum Current<'a> {
    Empty,
    One(Item),
    /// A streamed `cables.csv` or an archive.
    Many(Items<'a>),
}

impl RawCables<'static> {
    pub(crate) fn walk(root: &Path) -> Self {
        let walk = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(not_hidden as fn(&DirEntry) -> bool);
        RawCables {
            walk: Some(walk),
            current: Current::Empty,
        }
    }
}

impl<'a> RawCables<'a> {
    pub(crate) fn bytes(bytes: &'a [u8], path: &str) -> Self {
        let current = match detect_archive(bytes) {
            Some(kind) => Current::Many(archive::open_bytes(kind, bytes, path.to_owned())),
            None => from_bytes(Cow::Borrowed(bytes), path.to_owned()),
        };
        RawCables {
            walk: None,
            current,
        }
    }
}

impl Iterator for RawCables<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match &mut self.current {
                Current::Many(items) => match items.next() {
                    Some(item) => return Some(item),
                    None => self.current = Current::Empty,
                },
                Current::One(_) => {
                    if let Current::One(item) = std::mem::replace(&mut self.current, Current::Empty)
                    {
                        return Some(item);
                    }
                }
                Current::Empty => {}
            }
            let walk = self.walk.as_mut()?;
            match walk.next() {
                None => {
                    self.walk = None;
                    return None;
                }
                Some(Err(err)) => return Some(Err(walk_error(err))),
                Some(Ok(entry)) => self.current = open_entry(&entry),
            }
        }
    }
}

/// Hidden files and folders are skipped below the root (a hidden root is still read).
fn not_hidden(entry: &DirEntry) -> bool {
    entry.depth() == 0 || !entry.file_name().as_encoded_bytes().starts_with(b".")
}

/// Whether a folder walk reads this file (see the crate docs). Archive entries go through the
/// same rule.
pub(crate) fn wanted_in_folder(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().as_encoded_bytes();
    if name.len() >= 6 && name[..6].eq_ignore_ascii_case(b"readme") {
        return false;
    }
    match path.extension() {
        None => true,
        Some(ext) if ext.eq_ignore_ascii_case("gz") => {
            let inner = path.with_extension("");
            inner
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("tar"))
                || wanted_in_folder(&inner)
        }
        Some(ext) => {
            ext.is_empty()
                || FOLDER_EXTENSIONS
                    .iter()
                    .chain(ARCHIVE_EXTENSIONS)
                    .any(|wanted| ext.eq_ignore_ascii_case(wanted))
        }
    }
}

fn open_entry(entry: &DirEntry) -> Current<'static> {
    let file_type = entry.file_type();
    let path = entry.path();
    if file_type.is_dir() || (entry.depth() > 0 && !wanted_in_folder(path)) {
        Current::Empty
    } else if file_type.is_file() {
        open_file(path)
    } else {
        Current::One(Err(SourceError::NotACable {
            path: path_string(path),
            reason: "not a regular file (a FIFO, socket or device)".into(),
        }))
    }
}

fn open_file(path: &Path) -> Current<'static> {
    let name = path_string(path);
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(source) => return Current::One(Err(SourceError::Io { path: name, source })),
    };
    let head = match read_head(&mut file) {
        Ok(head) => head,
        Err(source) => return Current::One(Err(SourceError::Io { path: name, source })),
    };
    if let Some(kind) = detect_archive(&head) {
        return Current::Many(archive::open_file(kind, head, file, name));
    }
    opened(open_with_head(head, file, name))
}

/// A stream's first [`DETECT_LEN`] bytes (fewer when it is shorter).
pub(crate) fn read_head<R: Read>(input: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(DETECT_LEN);
    input.take(DETECT_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// A stream's head (already read) followed by the rest of it.
pub(crate) type HeadThen<R> = Chain<Cursor<Vec<u8>>, R>;

/// What one file or archive entry gives: one item (and the stream back, for what follows it),
/// or the records of a `cables.csv`, streamed.
pub(crate) enum Opened<R> {
    One(Item, R),
    Csv(CsvRecords<HeadThen<R>>),
}

/// The boxed stream a top-level file or a gzipped file gives.
fn opened<'a, R: Read + Send + 'a>(opened: Opened<R>) -> Current<'a> {
    match opened {
        Opened::One(item, _) => Current::One(item),
        Opened::Csv(records) => Current::Many(Box::new(records)),
    }
}

/// The same, as a boxed stream of items.
pub(crate) fn opened_items<'a, R: Read + Send + 'a>(opened: Opened<R>) -> Items<'a> {
    match opened {
        Opened::One(item, _) => Box::new(std::iter::once(item)),
        Opened::Csv(records) => Box::new(records),
    }
}

/// Read one file or archive entry whose `head` ([`read_head`]) is read and `rest` follows:
/// a `cables.csv` is streamed, anything else read whole up to [`MAX_CABLE_BYTES`] and
/// dispatched to its container's reader.
pub(crate) fn open_with_head<R: Read>(mut head: Vec<u8>, mut rest: R, name: String) -> Opened<R> {
    match detect(&head) {
        // Streamed: the head already read, then the rest of the file.
        ContainerKind::CablesCsv => {
            let bom = head.len() - strip_bom(&head).len();
            head.drain(..bom);
            Opened::Csv(CsvRecords::new(
                Cursor::new(head).chain(rest),
                bom as u64,
                name,
            ))
        }
        // Only an HTML page may still turn out to be a cable once read whole.
        ContainerKind::Unknown if !is_html(strip_bom(&head)) => {
            let reason = explain(&head);
            Opened::One(Err(SourceError::NotACable { path: name, reason }), rest)
        }
        _ => {
            let mut bytes = head;
            let room = (MAX_CABLE_BYTES + 1).saturating_sub(bytes.len() as u64);
            if let Err(source) = (&mut rest).take(room).read_to_end(&mut bytes) {
                return Opened::One(Err(SourceError::Io { path: name, source }), rest);
            }
            if bytes.len() as u64 > MAX_CABLE_BYTES {
                let reason = format!(
                    "larger than {} MiB, too large for one cable",
                    MAX_CABLE_BYTES >> 20
                );
                return Opened::One(Err(SourceError::NotACable { path: name, reason }), rest);
            }
            let kind = detect_whole(&bytes);
            Opened::One(one_cable(&bytes, kind, name), rest)
        }
    }
}

/// Dispatch one whole file held in memory to its container's reader.
fn from_bytes<'a>(bytes: Cow<'a, [u8]>, path: String) -> Current<'a> {
    let kind = detect_whole(&bytes);
    if kind != ContainerKind::CablesCsv {
        return Current::One(one_cable(&bytes, kind, path));
    }
    let bom = (bytes.len() - strip_bom(&bytes).len()) as u64;
    let input: Box<dyn Read + Send + 'a> = match bytes {
        Cow::Borrowed(bytes) => Box::new(strip_bom(bytes)),
        Cow::Owned(bytes) => {
            let mut cursor = Cursor::new(bytes);
            cursor.set_position(bom);
            Box::new(cursor)
        }
    };
    Current::Many(Box::new(CsvRecords::new(input, bom, path)))
}

/// The cable in one whole file of a single-cable container `kind` (not `cables.csv`).
fn one_cable(bytes: &[u8], kind: ContainerKind, path: String) -> Item {
    match kind {
        ContainerKind::CablegateHtml => html::read(&decode_text(bytes), &path),
        ContainerKind::Text | ContainerKind::Plusd if has_csv_extension(&path) => {
            Err(SourceError::NotACable {
                path,
                reason: "a .csv file not in the cables.csv layout (8 quoted fields, no \
                         header row)"
                    .into(),
            })
        }
        ContainerKind::Text | ContainerKind::Plusd => Ok(RawCable {
            text: decode_text(bytes),
            source: Source {
                path,
                row: None,
                offset: None,
                container: kind.as_str().into(),
            },
            ..RawCable::default()
        }),
        ContainerKind::CablesCsv | ContainerKind::Unknown => Err(SourceError::NotACable {
            path,
            reason: explain(bytes),
        }),
    }
}

/// A `.csv` name (or `.csv.gz`, a gzipped one).
fn has_csv_extension(path: &str) -> bool {
    let mut path = Path::new(path);
    let stripped;
    if path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("gz"))
    {
        stripped = path.with_extension("");
        path = &stripped;
    }
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"))
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn walk_error(err: walkdir::Error) -> SourceError {
    let path = err.path().map(path_string).unwrap_or_default();
    if let Some(ancestor) = err.loop_ancestor() {
        return SourceError::SymlinkLoop {
            path,
            ancestor: path_string(ancestor),
        };
    }
    let message = err.to_string();
    let source = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other(message));
    SourceError::Io { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const CABLE: &str = "UNCLAS SECTION 01 OF 01 XYZ 000001\n\nSUBJECT: TEST\n\n1. Text.\n";
    const CSV: &[u8] = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\
\"2\",\"1/1/2009 1:01\",\"09A2\",\"O\",\"C\",\"\",\"H2\",\"B2\"\n";

    fn names(items: &[Result<RawCable, SourceError>], root: &Path) -> Vec<String> {
        items
            .iter()
            .map(|item| {
                let (path, what) = match item {
                    Ok(c) => (c.source.path.clone(), c.source.container.clone()),
                    Err(e) => (e.path().to_owned(), format!("{e}")),
                };
                let rel = Path::new(&path)
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or(path);
                let what = what.split(": ").last().unwrap_or_default().to_owned();
                format!("{rel} {what}")
            })
            .collect()
    }

    #[test]
    fn read_bytes_dispatches_by_content() {
        let text: Vec<_> = crate::read_bytes(CABLE.as_bytes(), "x.html").collect();
        assert_eq!(text.len(), 1);
        let cable = text[0].as_ref().unwrap();
        assert_eq!(cable.text, CABLE);
        assert_eq!(cable.source.container, "text");
        assert_eq!(cable.source.path, "x.html");
        assert_eq!(cable.container_id, None);

        let csv: Vec<_> = crate::read_bytes(CSV, "dump").collect();
        assert_eq!(csv.len(), 2);
        assert_eq!(csv[1].as_ref().unwrap().text, "H2\n\nB2\n");

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CSV);
        let csv: Vec<_> = crate::read_bytes(&bom, "dump").collect();
        assert_eq!(csv.len(), 2);
        assert_eq!(csv[0].as_ref().unwrap().source.offset, Some(3));
        assert_eq!(
            csv[0].as_ref().unwrap().container_id.as_deref(),
            Some("09A1")
        );

        let plusd: Vec<_> = crate::read_bytes(b"TAGS: [PREL](#)\n", "p").collect();
        assert_eq!(plusd[0].as_ref().unwrap().source.container, "plusd");

        let latin1: Vec<_> = crate::read_bytes(b"SUBJECT: CAF\xC9\r\n", "l").collect();
        assert_eq!(latin1[0].as_ref().unwrap().text, "SUBJECT: CAFÉ\r\n");
    }

    #[test]
    fn non_cables_are_errors_not_silence() {
        for (bytes, path) in [
            (&b""[..], "empty.txt"),
            (b"\x00\x01\x02", "junk"),
            (b"<html><body>hello</body></html>", "page.html"),
            (b"id,created,released,origin\n", "metadata.csv"),
            (CABLE.as_bytes(), "other.csv"),
        ] {
            let out: Vec<_> = crate::read_bytes(bytes, path).collect();
            assert_eq!(out.len(), 1, "{path}");
            assert!(
                matches!(&out[0], Err(SourceError::NotACable { path: p, .. }) if p == path),
                "{path}: {:?}",
                out[0]
            );
        }
    }

    #[test]
    fn folder_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b-sub/deeper")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        fs::write(root.join("c.txt"), CABLE).unwrap();
        fs::write(root.join("a.TXT"), b"SUBJECT: CAF\xC9\n").unwrap();
        fs::write(root.join("b-sub/deeper/dump.csv"), CSV).unwrap();
        fs::write(root.join("b-sub/noext"), CABLE).unwrap();
        fs::write(root.join("d.html"), b"<html><body>no cable</body></html>").unwrap();
        fs::write(root.join("e.txt"), b"").unwrap();
        fs::write(root.join("metadata.csv"), b"id,created,released,origin\n").unwrap();
        // Skipped: hidden, README, other extensions.
        fs::write(root.join(".hidden/x.txt"), CABLE).unwrap();
        fs::write(root.join(".dot.txt"), CABLE).unwrap();
        fs::write(root.join("README.md"), CABLE).unwrap();
        fs::write(root.join("readme.txt"), CABLE).unwrap();
        fs::write(root.join("notes.md"), CABLE).unwrap();
        fs::write(root.join("table.tsv"), CABLE).unwrap();

        let items: Vec<_> = crate::read_path(root).collect();
        assert_eq!(
            names(&items, root),
            [
                "a.TXT text",
                "b-sub/deeper/dump.csv cables-csv",
                "b-sub/deeper/dump.csv cables-csv",
                "b-sub/noext text",
                "c.txt text",
                "d.html an HTML page that is not a Cablegate cable page (no <code><pre> blocks)",
                "e.txt empty file",
                "metadata.csv a CSV file not in the cables.csv layout (8 quoted fields, no header row)",
            ]
        );
        assert_eq!(items[0].as_ref().unwrap().text, "SUBJECT: CAFÉ\n");
        let row2 = items[2].as_ref().unwrap();
        assert_eq!(row2.source.row, Some(2));
        assert_eq!(row2.container_id.as_deref(), Some("09A2"));

        // A file named explicitly is always read, whatever its name.
        let readme: Vec<_> = crate::read_path(&root.join("README.md")).collect();
        assert_eq!(readme[0].as_ref().unwrap().text, CABLE);
        let hidden: Vec<_> = crate::read_path(&root.join(".dot.txt")).collect();
        assert!(hidden[0].is_ok());
    }

    #[test]
    fn missing_path_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let items: Vec<_> = crate::read_path(&missing).collect();
        assert_eq!(items.len(), 1);
        match &items[0] {
            Err(SourceError::Io { path, source }) => {
                assert_eq!(Path::new(path), missing);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn bad_entries_are_reported_and_the_walk_goes_on() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("b")).unwrap();
        fs::write(root.join("a.txt"), CABLE).unwrap();
        symlink(root.join("nowhere.txt"), root.join("b/dangling.txt")).unwrap();
        symlink(root, root.join("b/loop")).unwrap();
        symlink(root.join("a.txt"), root.join("b/link.txt")).unwrap();
        fs::write(root.join("c.txt"), CABLE).unwrap();

        let items: Vec<_> = crate::read_path(root).collect();
        let summary: Vec<String> = items
            .iter()
            .map(|item| match item {
                Ok(c) => format!("ok {}", c.source.path),
                Err(SourceError::Io { path, .. }) => format!("io {path}"),
                Err(SourceError::SymlinkLoop { path, .. }) => format!("loop {path}"),
                Err(e) => format!("other {e}"),
            })
            .collect();
        let p = |rel: &str| root.join(rel).to_string_lossy().into_owned();
        assert_eq!(
            summary,
            [
                format!("ok {}", p("a.txt")),
                format!("io {}", p("b/dangling.txt")),
                format!("ok {}", p("b/link.txt")),
                format!("loop {}", p("b/loop")),
                format!("ok {}", p("c.txt")),
            ]
        );
    }

    #[test]
    fn folder_extension_filter() {
        assert!(wanted_in_folder(Path::new("x/01A1.txt")));
        assert!(wanted_in_folder(Path::new("x/page.HTM")));
        assert!(wanted_in_folder(Path::new("x/cables.csv")));
        assert!(wanted_in_folder(Path::new("x/09PARTO13")));
        assert!(!wanted_in_folder(Path::new("x/README")));
        assert!(!wanted_in_folder(Path::new("x/ReadMe.txt")));
        assert!(!wanted_in_folder(Path::new("x/notes.md")));
        assert!(wanted_in_folder(Path::new("x/a.tar.gz")));
        assert!(wanted_in_folder(Path::new("x/a.TGZ")));
        assert!(wanted_in_folder(Path::new("x/a.tar")));
        assert!(wanted_in_folder(Path::new("x/a.zip")));
        assert!(wanted_in_folder(Path::new("x/cables.csv.gz")));
        assert!(wanted_in_folder(Path::new("x/09PARTO13.gz")));
        assert!(!wanted_in_folder(Path::new("x/notes.md.gz")));
        assert!(!wanted_in_folder(Path::new("x/a.7z")));
    }
}
