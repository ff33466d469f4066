//! `cable-sources`: container readers that stream raw cables with their provenance.
//!
//! A cable reaches the archive inside a *container*: a plain text file, an original Cablegate
//! HTML page, a record of the `cables.csv` dump, or a PlusD/Markdown rendering saved as text.
//! This crate turns bytes into [`RawCable`]s (the cable text plus where it came from and what the
//! container itself says about it). It knows nothing of parsing rules: the text is handed to
//! `cable-format` unchanged, line endings included.
//!
//! Entry points:
//! - [`read_path`]: a file, a folder or an archive, streamed lazily, one `Result` per cable.
//! - [`read_bytes`]: one in-memory file or archive (tests, archive members).
//! - [`detect`]: which container a file is, from its first bytes ([`DETECT_LEN`]).
//! - [`detect_archive`]: whether a file is a tar, gzip or zip archive ([`ArchiveKind`]).
//! - [`decode_text`]: bytes to text (UTF-8, else Windows-1252/Latin-1): `cable_format::decode`, re-exported.
//!
//! # Nothing is silent
//!
//! Every file that is read yields at least one item. A file that is no cable container (binary
//! data, an empty file, an HTML page that is not a Cablegate cable page, a CSV file in another
//! layout) yields [`SourceError::NotACable`]; a malformed `cables.csv` record yields
//! [`SourceError::Malformed`] and the stream goes on with the next record that starts cleanly
//! (8 fields, a running number), so one unescaped quote gives one error, not one per line of
//! the damaged cable, and later rows keep their numbers; an unreadable entry
//! (permission, dangling symlink, symlink loop) yields [`SourceError::Io`] or
//! [`SourceError::SymlinkLoop`] and the folder walk goes on.
//!
//! # Which files a folder walk reads
//!
//! A path given to [`read_path`] that is a file is always read, whatever its name. Inside a
//! folder, the walk is recursive, sorted by file name, follows symlinks (loops are reported, not
//! followed) and reads only:
//! - files whose extension is `.txt`, `.html`, `.htm` or `.csv` (any case), or that have no
//!   extension;
//! - archives: `.tar`, `.tgz`, `.zip`, and `.gz` when the name without it would be read
//!   (`dump.tar.gz`, `cables.csv.gz`, `09PARTO13.txt.gz`);
//! - that are not hidden (name starting with `.`; hidden folders are not entered);
//! - whose name does not start with `README` (any case): folder documentation, such as the
//!   corpus's `README.md`, is not a cable.
//!
//! Everything else (`.md`, `.json`, `.tsv`, `.7z`, ...) is skipped without a record. A
//! Markdown rendering saved as `.md` must therefore be named explicitly or renamed to `.txt`. A
//! `.csv` file that is not in the `cables.csv` layout (like the corpus's `metadata.csv`) is read
//! and reported as [`SourceError::NotACable`].
//!
//! # What each container yields
//!
//! | container | [`RawCable::text`] | `container_*` |
//! |---|---|---|
//! | `text` | the whole file, decoded | none |
//! | `plusd` | the whole file, decoded; the Markdown debris is left to the parser | none |
//! | `cablegate-html` | `header + "\n\n" + body + "\n"` from the `<code><pre>` blocks | the metadata table |
//! | `cables-csv` | `header + "\n\n" + body + "\n"` from fields 7 and 8 | fields 2–6 |
//!
//! When a page or record has no header (a one-block partial extract, an empty header field), the
//! text is `body + "\n"`.
//!
//! # Archives
//!
//! A file is taken for an archive by its magic bytes, never by its name alone: gzip (`1f 8b`),
//! zip (`PK\x03\x04`, or `PK\x05\x06` when empty), tar (`ustar` at byte 257, or a valid
//! header checksum for an old tar). A `.tar.gz`/`.tgz` is a tar inside gzip; gzip of anything
//! else (`cables.csv.gz`, one gzipped text file) is decompressed and its content read like the
//! file itself, under the `.gz` file's path.
//!
//! Inside a tar or zip, the entries a folder walk would read are read, by the same rules
//! (extension, `README`, hidden names: an entry with a component starting with `.`, or under
//! `__MACOSX`, is skipped), and with the same detection and readers. Directories are skipped
//! silently; links, devices and other special entries with a wanted name are reported as
//! [`SourceError::NotACable`], not followed.
//!
//! **Paths.** A cable from an archive entry has the path `<archive>!<entry>`: the archive's path
//! as for a file, `!`, then the entry's name as stored in the archive (lossy UTF-8, leading `./`
//! and `/` removed), e.g. `dump.tar.gz!cables/09PARTO13.txt`. A `cables.csv` entry adds `row`
//! and `offset` as for a file, the offset counted in the entry's uncompressed bytes. Errors
//! about an entry use the same path; errors about the archive itself (a corrupt header, a cut
//! download) name the archive, and the last entry read in their message.
//!
//! **Memory.** Entries are read one at a time, front to back for tar and gzip. A `cables.csv`
//! entry is streamed record by record, never read whole; any other entry is read whole up to
//! [`MAX_CABLE_BYTES`], like a file. A zip is read through its central directory (the zip
//! crate keeps its metadata, not its data, in memory); only stored and deflate entries are
//! read, and each is checked against its stated size and CRC-32.
//!
//! **Damage.** A truncated gzip, a corrupt tar header or an entry cut short yields
//! [`SourceError::Io`] after the cables before the damage; a tar cannot be read past it. A
//! damaged zip entry (CRC, inflate) yields an error and the other entries are read. A zip whose
//! central directory is damaged or missing (a cut download) yields an error saying so, then
//! the entries before the damage, read from their local headers. An archive with no entry a
//! folder walk would read yields one [`SourceError::NotACable`].
//!
//! **Nested archives are not read**: a tar, gzip or zip entry inside an archive (whatever its
//! name) yields [`SourceError::NotACable`] asking for it to be extracted first.

mod archive;
mod cables_csv;
mod detect;
mod html;
mod provenance;
mod read;

use std::path::Path;

pub use archive::{detect_archive, ArchiveKind};
pub use cable_format::decode::decode as decode_text;
pub use cable_format::Source;
pub use detect::{detect, DETECT_LEN};
pub use provenance::{
    apply_container, error_record, parse_raw, parse_raw_with, same_but_year, GUESSED_DATE,
};
pub use read::RawCables;

/// Files larger than this are not read as one cable (only `cables.csv` streams): no real cable
/// comes near it, and it keeps a stray disk image from being loaded into memory.
pub const MAX_CABLE_BYTES: u64 = 64 * 1024 * 1024;

/// One cable as decoded from its container, before any parsing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawCable {
    /// The cable text as decoded from its container (see the table in the crate docs).
    pub text: String,
    /// Where it came from; `container` is `text`, `cablegate-html`, `cables-csv` or `plusd`.
    pub source: Source,
    /// The reference id the container states (HTML "Reference ID", CSV field 3); `None` for text.
    pub container_id: Option<String>,
    /// The container's created date as `YYYY-MM-DD HH:MM`. A value in neither known layout
    /// (`YYYY-MM-DD HH:MM`, `M/D/YYYY H:MM`) is kept as written rather than dropped.
    pub container_date: Option<String>,
    /// The container's classification, as written (`SECRET//NOFORN`).
    pub container_classification: Option<String>,
    /// The container's origin, as written (`Embassy Buenos Aires`).
    pub container_origin: Option<String>,
    /// The container's reference list (`cables.csv` field 6, `|`-separated in the full dump);
    /// empty when the container has none.
    pub container_references: Vec<String>,
}

/// Why a file, entry or record yielded no cable. Every variant names the path, and the record
/// and line where there is one.
#[derive(thiserror::Error, Debug)]
pub enum SourceError {
    /// The file or folder entry could not be read (missing, permission, dangling symlink, I/O).
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A symlink inside a folder points back to one of its own ancestors; it is not followed.
    #[error("{path}: symlink loop back to {ancestor}, not followed")]
    SymlinkLoop { path: String, ancestor: String },
    /// The file is no cable container at all.
    #[error("{path}: not a cable: {reason}")]
    NotACable { path: String, reason: String },
    /// One `cables.csv` record is malformed; the stream continues with the next record.
    #[error("{path}: record {row} (line {line}): {reason}")]
    Malformed {
        path: String,
        /// 1-based record number.
        row: u64,
        /// 1-based line where the record starts.
        line: u64,
        reason: String,
    },
}

impl SourceError {
    /// The path of the file or entry the error is about.
    pub fn path(&self) -> &str {
        match self {
            SourceError::Io { path, .. }
            | SourceError::SymlinkLoop { path, .. }
            | SourceError::NotACable { path, .. }
            | SourceError::Malformed { path, .. } => path,
        }
    }

    /// The 1-based record number, for errors about one record of a row-based container.
    pub fn row(&self) -> Option<u64> {
        match self {
            SourceError::Malformed { row, .. } => Some(*row),
            _ => None,
        }
    }
}

/// The kind of container a file is, as [`detect`] sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    /// One cable as plain text.
    Text,
    /// An original cablegate.wikileaks.org cable page.
    CablegateHtml,
    /// The `cables.csv` dump layout: 8 quoted fields, no header row.
    CablesCsv,
    /// One cable as text in the PlusD/Markdown rendering (`[1](#)1.`, `[PREL](#)`, `\$`).
    Plusd,
    /// None of these: binary data, empty, another HTML page or CSV layout.
    Unknown,
}

impl ContainerKind {
    /// The name used in [`Source::container`] (`unknown` for [`ContainerKind::Unknown`]).
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerKind::Text => "text",
            ContainerKind::CablegateHtml => "cablegate-html",
            ContainerKind::CablesCsv => "cables-csv",
            ContainerKind::Plusd => "plusd",
            ContainerKind::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ContainerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Stream the cables of a file, folder or archive (see the crate docs for which files a folder
/// walk reads, and for archives). Lazy: files and archive entries are opened one at a time and
/// `cables.csv` is read record by record.
pub fn read_path(path: &Path) -> RawCables<'static> {
    RawCables::walk(path)
}

/// Stream the cables of one in-memory file or archive; `path` is recorded as its provenance
/// (`<path>!<entry>` for archive entries). The content decides the container, as for
/// [`read_path`] on a single file.
pub fn read_bytes<'a>(bytes: &'a [u8], path: &str) -> RawCables<'a> {
    RawCables::bytes(bytes, path)
}
