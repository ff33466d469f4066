//! Archives of cables: tar, gzip (a `.tar.gz` or one gzipped file) and zip, read entry by entry
//! with bounded memory.
//!
//! - **tar** (and tar inside gzip) is read front to back: each header block is parsed with the
//!   `tar` crate's [`tar::Header`] (ustar, GNU long names, PAX `path` records), and the entry
//!   body is read from the same stream. A `cables.csv` entry is streamed through
//!   [`CsvRecords`], which hands the stream back when its records are done.
//! - **zip** is read through its central directory with the `zip` crate; each entry's body is
//!   read from its own positioned view of the file (stored, or deflate through `flate2`),
//!   checked against the stated size and CRC-32. When the central directory is damaged (a cut
//!   download), the entries before the damage are read from their local headers.
//! - **gzip** of anything else (`cables.csv.gz`, one gzipped text file) is decompressed and its
//!   content read like a file.
//!
//! An archive inside an archive is not read: it is reported, never skipped silently.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::{DeflateDecoder, MultiGzDecoder};
use zip::{CompressionMethod, ZipArchive};

use crate::read::{
    open_with_head, opened_items, read_head, wanted_in_folder, HeadThen, Item, Items, Opened,
};
use crate::SourceError;

/// The archive formats [`read_path`](crate::read_path) opens, as [`detect_archive`] sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArchiveKind {
    /// A tar archive (ustar, GNU or PAX): `ustar` at byte 257, or a valid header checksum.
    Tar,
    /// gzip data (`1f 8b`): a `.tar.gz`/`.tgz` when the content is a tar, else one file.
    Gzip,
    /// A zip archive (`PK\x03\x04`, or `PK\x05\x06` for an empty one).
    Zip,
}

impl ArchiveKind {
    /// `tar`, `gzip` or `zip`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveKind::Tar => "tar",
            ArchiveKind::Gzip => "gzip",
            ArchiveKind::Zip => "zip",
        }
    }
}

impl std::fmt::Display for ArchiveKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which archive `head` (a file's first bytes; 512 or more to see a tar) starts, by its magic
/// bytes; `None` for anything else.
pub fn detect_archive(head: &[u8]) -> Option<ArchiveKind> {
    if head.starts_with(b"\x1F\x8B") {
        Some(ArchiveKind::Gzip)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if is_tar(head) {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

fn is_tar(head: &[u8]) -> bool {
    let Some(block) = head.get(..BLOCK) else {
        return false;
    };
    block.get(257..262) == Some(&b"ustar"[..]) || (block[0] != 0 && checksum_ok(block))
}

/// A tar header block's checksum field matches its bytes (summed unsigned, or signed as some
/// old writers did).
fn checksum_ok(block: &[u8]) -> bool {
    let Ok(stated) = tar::Header::from_byte_slice(block).cksum() else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u32, 0i32);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u32::from(b);
        signed += i32::from(b as i8);
    }
    stated == unsigned || i64::from(stated) == i64::from(signed)
}

const BLOCK: usize = 512;

/// PAX records and GNU long names larger than this are taken for damage.
const MAX_META_BYTES: u64 = 1 << 20;

/// The path of an archive entry: `<archive>!<entry>` (see the crate docs).
fn entry_path(archive: &str, entry: &str) -> String {
    format!("{archive}!{entry}")
}

/// An entry name as recorded: lossy UTF-8, without a leading `./` or `/`.
fn entry_name(raw: &[u8]) -> String {
    let mut name = String::from_utf8_lossy(raw).into_owned();
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest.to_owned();
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest.to_owned();
        } else {
            return name;
        }
    }
}

/// Whether a folder walk would read this entry: no hidden component (`.x`), no `__MACOSX`
/// folder, and a wanted name.
fn wanted_entry(name: &str) -> bool {
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let Some(last) = parts.last() else {
        return false;
    };
    !parts
        .iter()
        .any(|p| (p.starts_with('.') && *p != "..") || *p == "__MACOSX")
        && wanted_in_folder(Path::new(last))
}

fn damaged(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn io_error(path: String, source: io::Error) -> SourceError {
    SourceError::Io { path, source }
}

/// An archive file whose `head` is read; `file` is positioned after it.
pub(crate) fn open_file(
    kind: ArchiveKind,
    head: Vec<u8>,
    mut file: File,
    name: String,
) -> Items<'static> {
    let items: Items<'static> = match kind {
        ArchiveKind::Zip => match file.rewind() {
            Ok(()) => open_zip(ZipInput::File(file), name.clone()),
            Err(source) => Box::new(std::iter::once(Err(io_error(name.clone(), source)))),
        },
        ArchiveKind::Tar | ArchiveKind::Gzip => {
            let input = Box::new(io::Cursor::new(head).chain(file));
            open_stream(kind, input, name.clone())
        }
    };
    never_silent(items, kind, name)
}

/// An archive held in memory.
pub(crate) fn open_bytes<'a>(kind: ArchiveKind, bytes: &'a [u8], name: String) -> Items<'a> {
    let items = match kind {
        ArchiveKind::Zip => open_zip(ZipInput::Bytes(io::Cursor::new(bytes)), name.clone()),
        ArchiveKind::Tar | ArchiveKind::Gzip => open_stream(kind, Box::new(bytes), name.clone()),
    };
    never_silent(items, kind, name)
}

/// A tar, or gzip data, read front to back.
fn open_stream<'a>(kind: ArchiveKind, input: Box<dyn Read + Send + 'a>, name: String) -> Items<'a> {
    if kind == ArchiveKind::Tar {
        return Box::new(Sequential::new(Stream::new(input), name, Format::Tar));
    }
    let mut gz = Stream::new(Box::new(Gunzip(MultiGzDecoder::new(input))));
    let head = match read_head(&mut gz) {
        Ok(head) => head,
        Err(source) => return Box::new(std::iter::once(Err(io_error(name, source)))),
    };
    match detect_archive(&head) {
        Some(ArchiveKind::Tar) => {
            let input = Box::new(io::Cursor::new(head).chain(gz));
            Box::new(Sequential::new(Stream::new(input), name, Format::Tar))
        }
        Some(inner) => Box::new(std::iter::once(Err(SourceError::NotACable {
            path: name,
            reason: format!("gzip data holding {inner} data (an archive inside an archive is not read; extract it first)"),
        }))),
        None => opened_items(open_with_head(head, gz, name)),
    }
}

/// Reads one archive entry: a nested archive is refused, anything else goes through the same
/// detection and readers as a file.
fn open_entry<R: Read>(mut body: R, path: String) -> Opened<R> {
    let head = match read_head(&mut body) {
        Ok(head) => head,
        Err(source) => return Opened::One(Err(io_error(path, source)), body),
    };
    if let Some(kind) = detect_archive(&head) {
        let reason =
            format!("{kind} data: an archive inside an archive is not read (extract it first)");
        return Opened::One(Err(SourceError::NotACable { path, reason }), body);
    }
    open_with_head(head, body, path)
}

/// Every archive yields at least one item: one with no entry a folder walk would read says so.
fn never_silent<'a>(items: Items<'a>, kind: ArchiveKind, name: String) -> Items<'a> {
    let mut seen = false;
    let mut items = items.fuse();
    Box::new(std::iter::from_fn(move || match items.next() {
        Some(item) => {
            seen = true;
            Some(item)
        }
        None if !seen => {
            seen = true;
            Some(Err(SourceError::NotACable {
                path: name.clone(),
                reason: format!(
                    "a {kind} archive with no entry that a folder walk would read (text, HTML \
                     or CSV files)"
                ),
            }))
        }
        None => None,
    }))
}

/// gzip decompression whose errors say that the gzip data is at fault.
struct Gunzip<R: Read>(MultiGzDecoder<R>);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("the gzip data is damaged or cut short ({err})"),
            )
        })
    }
}

/// An archive read front to back: the byte position, and whether a read has failed already
/// (that error has been reported by whoever read; nothing sensible follows it).
struct Stream<'a> {
    inner: Box<dyn Read + Send + 'a>,
    pos: u64,
    failed: bool,
}

impl<'a> Stream<'a> {
    fn new(inner: Box<dyn Read + Send + 'a>) -> Self {
        Stream {
            inner,
            pos: 0,
            failed: false,
        }
    }

    /// Fills `buf` unless the stream ends first; returns how much was read.
    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match self.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(n)
    }

    fn skip(&mut self, n: u64) -> io::Result<()> {
        let skipped = io::copy(&mut self.take(n), &mut io::sink())?;
        if skipped < n {
            self.failed = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the archive ends at byte {}, inside an entry", self.pos),
            ));
        }
        Ok(())
    }
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.pos += n as u64;
                Ok(n)
            }
            Err(err) => {
                if err.kind() != io::ErrorKind::Interrupted {
                    self.failed = true;
                }
                Err(err)
            }
        }
    }
}

/// One entry's bytes in a [`Stream`]: `left` bytes of data, then `pad` bytes to skip.
struct Limited<'a> {
    stream: Stream<'a>,
    left: u64,
    pad: u64,
}

impl<'a> Limited<'a> {
    /// The stream after this entry, or `None` when it cannot go on: the error was reported by
    /// the reader of the entry, or is returned here.
    fn finish(mut self) -> Result<Stream<'a>, Option<io::Error>> {
        if self.stream.failed {
            return Err(None);
        }
        match self.stream.skip(self.left + self.pad) {
            Ok(()) => Ok(self.stream),
            Err(err) => Err(Some(err)),
        }
    }
}

impl Read for Limited<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.stream.read(&mut buf[..max])?;
        if n == 0 {
            self.stream.failed = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the archive ends inside this entry, {} byte(s) short",
                    self.left
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// How an entry's data is stored.
#[derive(Debug, Clone, Copy)]
enum Codec {
    Stored,
    Deflated,
}

/// An entry's content: its data decompressed, checked against the stated size and CRC-32
/// where the format gives them (zip).
struct Body<R: Read> {
    reader: Decoded<R>,
    check: Option<Check>,
    crc: flate2::Crc,
    size: u64,
}

enum Decoded<R: Read> {
    Stored(R),
    Deflated(DeflateDecoder<R>),
}

#[derive(Debug, Clone, Copy)]
struct Check {
    crc: u32,
    size: u64,
}

impl<R: Read> Body<R> {
    fn new(raw: R, codec: Codec, check: Option<Check>) -> Self {
        let reader = match codec {
            Codec::Stored => Decoded::Stored(raw),
            Codec::Deflated => Decoded::Deflated(DeflateDecoder::new(raw)),
        };
        Body {
            reader,
            check,
            crc: flate2::Crc::new(),
            size: 0,
        }
    }

    fn into_raw(self) -> R {
        match self.reader {
            Decoded::Stored(raw) => raw,
            Decoded::Deflated(decoder) => decoder.into_inner(),
        }
    }
}

impl<R: Read> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.reader {
            Decoded::Stored(raw) => raw.read(buf)?,
            Decoded::Deflated(decoder) => decoder.read(buf).map_err(|err| {
                if err.kind() == io::ErrorKind::UnexpectedEof {
                    err
                } else {
                    damaged(format!("the compressed data is damaged ({err})"))
                }
            })?,
        };
        self.size += n as u64;
        self.crc.update(&buf[..n]);
        if let Some(check) = self.check {
            if self.size > check.size {
                return Err(damaged(format!(
                    "the entry's data is damaged: it holds more than its stated {} byte(s)",
                    check.size
                )));
            }
            if n == 0 && !buf.is_empty() {
                if self.size != check.size {
                    return Err(damaged(format!(
                        "the entry's data is damaged: it holds {} of its stated {} byte(s)",
                        self.size, check.size
                    )));
                }
                if self.crc.sum() != check.crc {
                    return Err(damaged(
                        "CRC-32 mismatch: the entry's data is damaged".to_owned(),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// One entry of an archive read front to back, as its header describes it.
struct Header {
    name: String,
    what: What,
    /// Bytes of stored data, and padding after them.
    stored: u64,
    pad: u64,
    codec: Codec,
    check: Option<Check>,
}

/// What an entry is.
enum What {
    File,
    Dir,
    /// Anything a folder walk would not read as a file (a link, a device); the reason says what.
    Other(String),
    /// An entry that cannot be read (encrypted, an unknown compression method).
    Unreadable(String),
}

/// The entries of a tar stream, or of a zip read from its local headers, one at a time.
struct Sequential<'a> {
    archive: String,
    format: Format,
    state: State<'a>,
    /// An item to hand out before going on.
    held: Option<Item>,
    /// The last entry read, for errors about what follows it.
    last: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Tar,
    ZipLocal,
}

enum State<'a> {
    Next(Stream<'a>),
    Csv(Box<crate::cables_csv::CsvRecords<HeadThen<Body<Limited<'a>>>>>),
    Done,
}

impl<'a> Sequential<'a> {
    fn new(stream: Stream<'a>, archive: String, format: Format) -> Self {
        Sequential {
            archive,
            format,
            state: State::Next(stream),
            held: None,
            last: None,
        }
    }

    /// An error about the archive itself, past the last entry read.
    fn archive_error(&self, err: io::Error) -> Item {
        let after = match &self.last {
            Some(last) => format!(" (after entry {last})"),
            None => String::new(),
        };
        let message = format!("{err}{after}");
        Err(io_error(
            self.archive.clone(),
            io::Error::new(err.kind(), message),
        ))
    }

    /// Goes on after an entry; an error moving past it is held for the next call.
    fn after(&mut self, body: Limited<'a>) {
        match body.finish() {
            Ok(stream) => self.state = State::Next(stream),
            Err(err) => {
                self.state = State::Done;
                self.held = err.map(|err| self.archive_error(err));
            }
        }
    }

    fn header(&mut self, stream: &mut Stream<'a>) -> io::Result<Option<Header>> {
        match self.format {
            Format::Tar => tar_header(stream),
            Format::ZipLocal => zip_local_header(stream),
        }
    }
}

impl Iterator for Sequential<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.held.take() {
                return Some(item);
            }
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return None,
                State::Csv(mut records) => {
                    if let Some(item) = records.next() {
                        self.state = State::Csv(records);
                        return Some(item);
                    }
                    let (_, body) = records.into_inner().into_inner();
                    self.after(body.into_raw());
                }
                State::Next(mut stream) => {
                    let header = match self.header(&mut stream) {
                        Ok(Some(header)) => header,
                        Ok(None) => return None,
                        Err(err) => return Some(self.archive_error(err)),
                    };
                    let raw = Limited {
                        stream,
                        left: header.stored,
                        pad: header.pad,
                    };
                    let path = entry_path(&self.archive, &header.name);
                    let wanted = wanted_entry(&header.name);
                    self.last = Some(header.name);
                    match header.what {
                        What::Dir => self.after(raw),
                        _ if !wanted => self.after(raw),
                        What::Other(reason) => {
                            self.after(raw);
                            return Some(Err(SourceError::NotACable { path, reason }));
                        }
                        What::Unreadable(reason) => {
                            self.after(raw);
                            let source = io::Error::new(io::ErrorKind::Unsupported, reason);
                            return Some(Err(io_error(path, source)));
                        }
                        What::File => {
                            let body = Body::new(raw, header.codec, header.check);
                            match open_entry(body, path) {
                                Opened::One(item, body) => {
                                    self.after(body.into_raw());
                                    return Some(item);
                                }
                                Opened::Csv(records) => self.state = State::Csv(Box::new(records)),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The next tar entry's header (GNU long names and PAX records folded in), or `None` at the
/// end of the archive.
fn tar_header(stream: &mut Stream) -> io::Result<Option<Header>> {
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_path: Option<Vec<u8>> = None;
    loop {
        let start = stream.pos;
        let mut block = [0u8; BLOCK];
        let n = stream.read_full(&mut block)?;
        if n == 0 {
            return Ok(None);
        }
        if n < BLOCK {
            stream.failed = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the archive ends inside a tar header at byte {start}"),
            ));
        }
        if block.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        let corrupt = |what: String| {
            damaged(format!(
                "corrupt tar header at byte {start} ({what}); the rest of the archive is not read"
            ))
        };
        if !checksum_ok(&block) {
            return Err(corrupt("checksum mismatch".into()));
        }
        let header = tar::Header::from_byte_slice(&block);
        let size = header
            .entry_size()
            .map_err(|err| corrupt(format!("bad size: {err}")))?;
        let padded = size
            .checked_next_multiple_of(BLOCK as u64)
            .ok_or_else(|| corrupt(format!("size {size} out of range")))?;
        let kind = header.entry_type();
        let meta = |stream: &mut Stream| -> io::Result<Vec<u8>> {
            if size > MAX_META_BYTES {
                return Err(corrupt(format!("a {size}-byte name or PAX record")));
            }
            let mut data = vec![0; size as usize];
            if stream.read_full(&mut data)? < data.len() {
                stream.failed = true;
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the archive ends inside the tar header at byte {start}"),
                ));
            }
            stream.skip(padded - size)?;
            Ok(data)
        };
        if kind.is_gnu_longname() {
            let mut name = meta(stream)?;
            while name.last() == Some(&0) {
                name.pop();
            }
            long_name = Some(name);
            continue;
        }
        if kind.is_pax_local_extensions() {
            let data = meta(stream)?;
            for ext in tar::PaxExtensions::new(&data).flatten() {
                if ext.key() == Ok("path") {
                    pax_path = Some(ext.value_bytes().to_vec());
                }
            }
            continue;
        }
        if kind.is_gnu_longlink() || kind.is_pax_global_extensions() {
            stream.skip(padded)?;
            continue;
        }
        let raw = pax_path
            .take()
            .or(long_name.take())
            .unwrap_or_else(|| header.path_bytes().into_owned());
        let what = if kind.is_file() || kind.is_contiguous() {
            What::File
        } else if kind.is_dir() {
            What::Dir
        } else if kind.is_symlink() || kind.is_hard_link() {
            let target = header
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            What::Other(format!("a link in the archive (to {target}), not followed"))
        } else if kind.is_gnu_sparse() {
            What::Other("a sparse file in the archive, not read".into())
        } else {
            What::Other(format!(
                "not a regular file in the archive (tar entry type {:?})",
                kind.as_byte() as char
            ))
        };
        return Ok(Some(Header {
            name: entry_name(&raw),
            what,
            stored: size,
            pad: padded - size,
            codec: Codec::Stored,
            check: None,
        }));
    }
}

/// The next zip entry from its local header, for a zip whose central directory is damaged;
/// `None` at the central directory or the end of the data.
fn zip_local_header(stream: &mut Stream) -> io::Result<Option<Header>> {
    let mut start = stream.pos;
    let mut fixed = [0u8; 30];
    let mut n = stream.read_full(&mut fixed[..4])?;
    // A data descriptor with its signature (crc, sizes) after the last entry's data.
    if n == 4 && fixed.starts_with(b"PK\x07\x08") {
        stream.skip(12)?;
        start = stream.pos;
        n = stream.read_full(&mut fixed[..4])?;
    }
    if n == 4 && fixed.starts_with(b"PK\x03\x04") {
        n += stream.read_full(&mut fixed[4..])?;
    }
    if n == 0 || (n >= 4 && (fixed.starts_with(b"PK\x01\x02") || fixed.starts_with(b"PK\x05\x06")))
    {
        return Ok(None);
    }
    let cut = |stream: &mut Stream| {
        stream.failed = true;
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the archive ends inside a zip entry header at byte {start}"),
        )
    };
    if n < 4 || !fixed.starts_with(b"PK\x03\x04") {
        return Err(damaged(format!(
            "no zip entry header at byte {start}; the rest of the archive is not read"
        )));
    }
    if n < fixed.len() {
        return Err(cut(stream));
    }
    let u16_at = |i: usize| u16::from_le_bytes([fixed[i], fixed[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([fixed[i], fixed[i + 1], fixed[i + 2], fixed[i + 3]]);
    let (flags, method, crc) = (u16_at(6), u16_at(8), u32_at(14));
    let (mut stored, mut size) = (u64::from(u32_at(18)), u64::from(u32_at(22)));
    let mut name = vec![0; usize::from(u16_at(26))];
    let mut extra = vec![0; usize::from(u16_at(28))];
    if stream.read_full(&mut name)? < name.len() || stream.read_full(&mut extra)? < extra.len() {
        return Err(cut(stream));
    }
    // A zip64 extra field holds the sizes that do not fit in 32 bits.
    let mut rest = &extra[..];
    while rest.len() >= 4 {
        let id = u16::from_le_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        let data = &rest[4..(4 + len).min(rest.len())];
        if id == 1 {
            let mut fields = data
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()));
            if size == u64::from(u32::MAX) {
                size = fields.next().unwrap_or(size);
            }
            if stored == u64::from(u32::MAX) {
                stored = fields.next().unwrap_or(stored);
            }
        }
        rest = &rest[(4 + len).min(rest.len())..];
    }
    let name = entry_name(&name);
    if flags & 8 != 0 && stored == 0 && size == 0 && crc == 0 {
        return Err(damaged(format!(
            "entry {name} at byte {start} states its size only after its data and the central \
             directory is damaged: the rest of the archive cannot be read"
        )));
    }
    let (what, codec) = match method {
        _ if name.ends_with('/') => (What::Dir, Codec::Stored),
        _ if flags & 1 != 0 => (
            What::Unreadable("an encrypted zip entry, not read".into()),
            Codec::Stored,
        ),
        0 => (What::File, Codec::Stored),
        8 => (What::File, Codec::Deflated),
        other => (What::Unreadable(unsupported(other)), Codec::Stored),
    };
    Ok(Some(Header {
        name,
        what,
        stored,
        // A data descriptor may follow the data: the next header read skips it.
        pad: 0,
        codec,
        check: Some(Check { crc, size }),
    }))
}

fn unsupported(method: u16) -> String {
    format!("zip compression method {method} is not supported (only stored and deflate)")
}

/// A zip's bytes: a file or memory.
enum ZipInput<'a> {
    File(File),
    Bytes(io::Cursor<&'a [u8]>),
}

impl Read for ZipInput<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ZipInput::File(file) => file.read(buf),
            ZipInput::Bytes(bytes) => bytes.read(buf),
        }
    }
}

impl Seek for ZipInput<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            ZipInput::File(file) => file.seek(pos),
            ZipInput::Bytes(bytes) => bytes.seek(pos),
        }
    }
}

/// A positioned view of a zip's bytes: reads seek first, so it shares the file with the
/// central-directory reader (and its file offset) safely.
struct At<'a> {
    input: AtInput<'a>,
    pos: u64,
}

enum AtInput<'a> {
    File(File),
    Bytes(&'a [u8]),
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.input {
            AtInput::File(file) => {
                file.seek(SeekFrom::Start(self.pos))?;
                file.read(buf)?
            }
            AtInput::Bytes(bytes) => {
                let start = usize::try_from(self.pos)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let mut rest = &bytes[start..];
                rest.read(buf)?
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

fn open_zip<'a>(input: ZipInput<'a>, name: String) -> Items<'a> {
    // A handle for entry bodies, taken before the zip crate owns the input.
    let view = match &input {
        ZipInput::File(file) => file.try_clone().map(AtInput::File),
        ZipInput::Bytes(cursor) => Ok(AtInput::Bytes(cursor.get_ref())),
    };
    let view = match view {
        Ok(view) => view,
        Err(source) => return Box::new(std::iter::once(Err(io_error(name, source)))),
    };
    match ZipArchive::new(input) {
        Ok(zip) => Box::new(ZipEntries {
            archive: name,
            zip,
            view,
            index: 0,
            current: None,
        }),
        Err(err) => {
            // No central directory to trust: read what the local headers still give.
            let first = Err(io_error(
                name.clone(),
                damaged(format!(
                    "corrupt zip ({err}); reading the entries before the damage from their \
                     local headers"
                )),
            ));
            let raw: Box<dyn Read + Send + 'a> = match view {
                AtInput::File(file) => Box::new(At {
                    input: AtInput::File(file),
                    pos: 0,
                }),
                AtInput::Bytes(bytes) => Box::new(bytes),
            };
            let rest = Sequential::new(Stream::new(raw), name, Format::ZipLocal);
            Box::new(std::iter::once(first).chain(rest))
        }
    }
}

/// The entries of a zip, through its central directory.
struct ZipEntries<'a> {
    archive: String,
    zip: ZipArchive<ZipInput<'a>>,
    view: AtInput<'a>,
    index: usize,
    /// The records of the `cables.csv` entry being read.
    current: Option<Items<'a>>,
}

/// What the central directory says of one entry.
struct ZipMeta {
    name: String,
    what: What,
    codec: Codec,
    data_start: u64,
    stored: u64,
    check: Check,
}

impl ZipEntries<'_> {
    fn meta(&mut self, index: usize) -> Result<ZipMeta, (String, String)> {
        let name = |zip: &ZipArchive<ZipInput>| {
            zip.name_for_index(index)
                .and_then(Result::ok)
                .map(|n| entry_name(n.as_bytes()))
                .unwrap_or_else(|| format!("#{index}"))
        };
        let fallback = name(&self.zip);
        let file = match self.zip.by_index_raw(index) {
            Ok(file) => file,
            Err(err) => return Err((fallback, format!("corrupt zip entry ({err})"))),
        };
        let entry = match file.name() {
            Ok(n) => entry_name(n.as_bytes()),
            Err(_) => entry_name(file.name_raw()),
        };
        let (what, codec) = if file.is_dir() {
            (What::Dir, Codec::Stored)
        } else if file.is_symlink() {
            (
                What::Other("a symlink in the archive, not followed".into()),
                Codec::Stored,
            )
        } else if file.encrypted() {
            (
                What::Unreadable("an encrypted zip entry, not read".into()),
                Codec::Stored,
            )
        } else {
            match file.compression() {
                CompressionMethod::Stored => (What::File, Codec::Stored),
                CompressionMethod::Deflated => (What::File, Codec::Deflated),
                #[allow(deprecated)]
                other => (
                    What::Unreadable(format!(
                        "zip compression method {other} is not supported (only stored and deflate)"
                    )),
                    Codec::Stored,
                ),
            }
        };
        let Some(data_start) = file.data_start() else {
            return Err((entry, "corrupt zip entry (no data offset)".into()));
        };
        Ok(ZipMeta {
            name: entry,
            what,
            codec,
            data_start,
            stored: file.compressed_size(),
            check: Check {
                crc: file.crc32(),
                size: file.size(),
            },
        })
    }
}

impl<'a> Iterator for ZipEntries<'a> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(records) = &mut self.current {
                match records.next() {
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
            }
            if self.index >= self.zip.len() {
                return None;
            }
            let index = self.index;
            self.index += 1;
            let meta = match self.meta(index) {
                Ok(meta) => meta,
                Err((entry, reason)) => {
                    if !wanted_entry(&entry) {
                        continue;
                    }
                    let path = entry_path(&self.archive, &entry);
                    return Some(Err(io_error(path, damaged(reason))));
                }
            };
            if !wanted_entry(&meta.name) {
                continue;
            }
            let path = entry_path(&self.archive, &meta.name);
            match meta.what {
                What::Dir => continue,
                What::Other(reason) => return Some(Err(SourceError::NotACable { path, reason })),
                What::Unreadable(reason) => {
                    let source = io::Error::new(io::ErrorKind::Unsupported, reason);
                    return Some(Err(io_error(path, source)));
                }
                What::File => {}
            }
            let input = match &self.view {
                AtInput::File(file) => match file.try_clone() {
                    Ok(file) => AtInput::File(file),
                    Err(source) => return Some(Err(io_error(path, source))),
                },
                AtInput::Bytes(bytes) => AtInput::Bytes(bytes),
            };
            let raw = At {
                input,
                pos: meta.data_start,
            }
            .take(meta.stored);
            let body = Body::new(raw, meta.codec, Some(meta.check));
            match open_entry(body, path) {
                Opened::One(item, _) => return Some(item),
                Opened::Csv(records) => self.current = Some(Box::new(records)),
            }
        }
    }
}
