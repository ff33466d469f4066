//! The ingest pipeline: read inputs as a stream, parse chunks in parallel, decide per cable
//! whether it is new, a new version or unchanged, write the index, then the catalog.
//!
//! Memory stays bounded by [`CHUNK`] raw cables at a time, whatever the size of the inputs.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use cable_format::{Cable, Severity};
use cable_sources::{parse_raw_with, read_path, RawCable, SourceError};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::catalog::{ContainerMeta, LedgerEntry, Payload, StoredVersion, VersionMeta};
use crate::error::{InternalError, Result};
use crate::schema::Fields;
use crate::Archive;

/// Raw cables parsed in parallel at a time.
pub const CHUNK: usize = 1_000;

/// A commit (index, then catalog) once this many documents were written since the last one...
pub const COMMIT_DOCS: usize = 10_000;

/// ...or this long after it: a commit costs the index a segment flush and later merges, so
/// commits are few, while a killed ingest loses at most this much work.
pub const COMMIT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// Memory budget of tantivy's writer.
pub(crate) const WRITER_BUDGET: usize = 200_000_000;

/// What an ingest run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IngestSummary {
    /// Cables read (one per cable found, before deciding what they are).
    pub read: u64,
    /// Bytes of cable text read (as decoded from the containers).
    pub bytes: u64,
    /// Cables (new and changed) committed so far: what a crash now would keep.
    pub committed: u64,
    /// Ids the archive did not have.
    pub new: u64,
    /// Ids the archive had, with text that differs from every version it had: a new version.
    pub changed: u64,
    /// Ids the archive had with this very text.
    pub unchanged: u64,
    /// Cables read that carry a warning or error diagnostic (stored all the same).
    pub with_diagnostics: u64,
    /// Paths, entries or records that yielded no cable.
    pub unreadable: u64,
    /// What could not be read, path by path.
    pub problems: Vec<IngestProblem>,
    /// The run was asked to stop ([`Archive::stop_on`]) and did, after committing what it had
    /// read: the inputs were not all read.
    pub interrupted: bool,
}

/// One input that yielded no cable.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IngestProblem {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// `unreadable`, `not-a-cable` or `malformed-record`.
    pub code: String,
    pub message: String,
}

/// The version hash of a cable: SHA-256 of its normalised text with every run of whitespace
/// collapsed to one space, so the same cable from a text file, a Cablegate page and a
/// `cables.csv` row (which differ in line ends, blank lines and scraper debris) hashes alike.
pub fn version_hash(cable: &Cable) -> String {
    hash_normalized(&cable_format::normalize::normalize(&cable.text).text)
}

/// [`version_hash`] from the normalised text (as the parser hands it to an ingest).
fn hash_normalized(normalized: &str) -> String {
    let mut joined = Vec::with_capacity(normalized.len());
    join_words(normalized, &mut joined);
    Sha256::digest(&joined)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a byte can be in [`join_words`]: part of a word, ASCII whitespace, or the first byte
/// of a character that may be Unicode whitespace (U+0085 and U+00A0 start with 0xC2, U+1680
/// with 0xE1, U+2000-U+205F with 0xE2, U+3000 with 0xE3). UTF-8 continuation bytes
/// (0x80-0xBF) never equal those, so a word can be scanned byte by byte.
const WORD: u8 = 0;
const ASCII_SPACE: u8 = 1;
const MAYBE_SPACE: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut t = [WORD; 256];
    t[b' ' as usize] = ASCII_SPACE;
    t[b'\t' as usize] = ASCII_SPACE;
    t[b'\n' as usize] = ASCII_SPACE;
    t[0x0B] = ASCII_SPACE;
    t[0x0C] = ASCII_SPACE;
    t[b'\r' as usize] = ASCII_SPACE;
    t[0xC2] = MAYBE_SPACE;
    t[0xE1] = MAYBE_SPACE;
    t[0xE2] = MAYBE_SPACE;
    t[0xE3] = MAYBE_SPACE;
    t
};

/// The length of the whitespace character at `i` of `s`, or 0 when it is not whitespace.
#[inline]
fn space_at(s: &str, i: usize) -> usize {
    match BYTE_CLASS[s.as_bytes()[i] as usize] {
        WORD => 0,
        ASCII_SPACE => 1,
        _ => match s[i..].chars().next() {
            Some(c) if c.is_whitespace() => c.len_utf8(),
            _ => 0,
        },
    }
}

/// Append the words of `s` (as `str::split_whitespace` finds them) joined by single spaces to
/// `out`: the same bytes as `split_whitespace().collect::<Vec<_>>().join(" ")`, copied through
/// in runs. Words in a text are mostly parted by one space, which a run keeps; a run ends only at
/// other whitespace. It was the ingest's largest own cost (4% of a profile).
fn join_words(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let n = bytes.len();
    let skip_spaces = |mut i: usize| {
        while i < n {
            match space_at(s, i) {
                0 => break,
                k => i += k,
            }
        }
        i
    };
    let mut i = skip_spaces(0);
    let mut run = i;
    while i < n {
        if i + 8 < n && plain_chunk(bytes, i) {
            i += 8;
            continue;
        }
        match BYTE_CLASS[bytes[i] as usize] {
            WORD => i += 1,
            // One space between two word bytes stays in the run.
            ASCII_SPACE
                if bytes[i] == b' ' && i + 1 < n && BYTE_CLASS[bytes[i + 1] as usize] == WORD =>
            {
                i += 2
            }
            _ => match space_at(s, i) {
                // A 0xC2/0xE1/0xE2/0xE3 character that is not whitespace.
                0 => i += s[i..].chars().next().map_or(1, char::len_utf8),
                _ => {
                    out.extend_from_slice(&bytes[run..i]);
                    i = skip_spaces(i);
                    if i < n {
                        out.push(b' ');
                    }
                    run = i;
                }
            },
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Whether the eight bytes at `i` (`i + 8 < bytes.len()`) can stay in a run as they are: ASCII
/// from `!` up or single spaces, and a space at the end followed by a word byte. Checked eight
/// at a time as one `u64` (the bytes between words alternate too often for a branch a byte).
/// It may say no to a plain chunk (the byte-wise tests borrow across lanes), never yes to
/// another; the byte-by-byte path then decides.
#[inline]
fn plain_chunk(bytes: &[u8], i: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunk = [0u8; 8];
    chunk.copy_from_slice(&bytes[i..i + 8]);
    let w = u64::from_le_bytes(chunk);
    // A byte below 0x20 (control characters, tabs, line ends) or from 0x80 (not ASCII).
    let low_or_high = (w.wrapping_sub(ONES * 0x20) | w) & HIGH;
    // The spaces: each is a zero byte of `w ^ spaces`.
    let x = w ^ (ONES * 0x20);
    let spaces = x.wrapping_sub(ONES) & !x & HIGH;
    // Two spaces in a row within the chunk.
    let double = spaces & (spaces >> 8);
    let last_space = bytes[i + 7] == b' ';
    low_or_high == 0 && double == 0 && (!last_space || BYTE_CLASS[bytes[i + 8] as usize] == WORD)
}

/// A partial extract: a text without a transmission heading (no DTG, no FL3 station), or one
/// that says it is a partial extract. It never replaces a full text as the current version.
fn is_partial(cable: &Cable) -> bool {
    // The note opens the text (Cablegate puts it first); looking further costs a whole scan.
    let mut head = cable.text.len().min(1024);
    while !cable.text.is_char_boundary(head) {
        head -= 1;
    }
    (cable.spans.dtg.is_none() && cable.transmission.station.is_none())
        || cable.text[..head].contains("partial extract of the original cable")
}

/// The id a cable is filed under: the id its text gives; else the container's id; else the
/// file name of a one-cable file (`04MADRID2164.txt`), when either is a cable id (repaired as the
/// parser repairs ids); else `UNKNOWN-` and the start of its hash. When the year of the text's id
/// is a guess (no DTG: the date came from the declassification date) and the file name is the
/// same id with another year, the file name's year wins, as a container's does (see
/// `cable_sources::apply_container`).
pub fn archive_id(cable: &Cable, hash: &str) -> String {
    use cable_format::id::repair_raw_id;
    let from_file = cable.source.as_ref().and_then(|s| {
        let one_cable = s.row.is_none() && s.container != "cables-csv";
        let name = s.path.rsplit(['/', '!']).next()?;
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        one_cable.then(|| repair_raw_id(stem)).flatten()
    });
    if let Some(id) = cable.id.as_deref() {
        let guessed = cable.date_source.as_deref() == Some(cable_sources::GUESSED_DATE);
        return match &from_file {
            Some(f) if guessed && cable_sources::same_but_year(id, f) => f.clone(),
            _ => id.to_string(),
        };
    }
    cable
        .raw_id
        .as_deref()
        .and_then(repair_raw_id)
        .or(from_file)
        .unwrap_or_else(|| format!("UNKNOWN-{}", &hash[..16]))
}

enum Item {
    Cable(Box<Prepared>),
    Problem(IngestProblem),
}

/// A cable made ready for the index on a worker thread: everything but the catalog look-up.
pub(crate) struct Prepared {
    pub(crate) cable: Cable,
    pub(crate) hash: String,
    pub(crate) id: String,
    pub(crate) record: StoredVersion,
    /// Its document as a cable new to the archive (no release) is written.
    pub(crate) doc: TantivyDocument,
}

/// Parse one raw cable and build all an ingest needs of it: version hash, archive id, stored
/// record (Cable JSON, original text, container metadata) and index document.
pub(crate) fn prepare_raw(fields: &Fields, raw: RawCable) -> Result<Prepared> {
    let container = ContainerMeta::of(&raw);
    // The parser's own normalisation of the text is hashed: the text is normalised once.
    let (cable, hash) = parse_raw_with(raw, hash_normalized);
    let id = archive_id(&cable, &hash);
    // The Cable JSON is sized for its usual length (the paragraphs' texts and a few hundred
    // bytes of fields: about the text's length and a half) so that it does not grow by
    // doubling.
    let mut json = Vec::with_capacity(cable.text.len() * 3 / 2 + 4096);
    serde_json::to_writer(&mut json, &cable)?;
    let record = StoredVersion {
        // serde_json writes UTF-8 only.
        cable: String::from_utf8(json).map_err(|e| InternalError::Inconsistent(e.to_string()))?,
        original: cable.text.clone(),
        container,
    };
    // The JSON's portion fields as a value, so the document's portions need not read the
    // text back.
    let value = crate::access::portion_fields(&cable);
    let doc = fields.document_with_json(&id, &hash, &cable, &record, None, &value);
    Ok(Prepared {
        cable,
        hash,
        id,
        record,
        doc,
    })
}

fn prepare(fields: &Fields, item: std::result::Result<RawCable, SourceError>) -> Result<Item> {
    Ok(match item {
        Ok(raw) => Item::Cable(Box::new(prepare_raw(fields, raw)?)),
        Err(err) => {
            let record = cable_sources::error_record(&err);
            let code = record
                .diagnostics
                .first()
                .map(|d| d.code.clone())
                .unwrap_or_else(|| "unreadable".into());
            Item::Problem(IngestProblem {
                path: err.path().to_string(),
                row: err.row(),
                code,
                message: err.to_string(),
            })
        }
    })
}

/// What has been written to the index writer since the last commit: the ledger entries it
/// changed, the records of the versions it superseded, and how many documents it added.
struct Batch {
    seq: u64,
    ledger: HashMap<String, LedgerEntry>,
    /// Ids whose ledger entry this batch changed (the others in `ledger` were only looked up).
    touched: HashSet<String>,
    archived: Vec<(String, String, StoredVersion)>,
    docs: usize,
    started: Instant,
}

impl Batch {
    fn new(seq: u64) -> Batch {
        Batch {
            seq,
            ledger: HashMap::new(),
            touched: HashSet::new(),
            archived: Vec::new(),
            docs: 0,
            started: Instant::now(),
        }
    }

    fn due(&self) -> bool {
        self.docs >= COMMIT_DOCS || self.started.elapsed() >= COMMIT_INTERVAL
    }
}

impl Archive {
    /// Ingest every cable under `paths` (files, folders, Cablegate pages, `cables.csv`).
    /// `progress` is called after each chunk with the running summary (whose `committed` says
    /// how many cables are safely in the archive so far).
    pub fn ingest(
        &mut self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(&IngestSummary),
    ) -> Result<IngestSummary> {
        let items = paths.iter().flat_map(|p| read_path(p));
        self.ingest_stream(items, progress)
    }

    /// Ingest a stream of raw cables (from any reader, or generated); `progress` as for
    /// [`Archive::ingest`]. Memory stays bounded by one chunk and one commit's worth of index
    /// writer buffers, whatever the stream's length.
    pub fn ingest_stream(
        &mut self,
        items: impl Iterator<Item = std::result::Result<RawCable, SourceError>> + Send,
        progress: &mut dyn FnMut(&IngestSummary),
    ) -> Result<IngestSummary> {
        let mut committed = 0;
        let result = self.ingest_inner(items, &mut |s: &IngestSummary| {
            committed = s.committed;
            progress(s)
        });
        result.map_err(|e| crate::error::explain_write_error(e, &self.dir, committed))
    }

    fn ingest_inner(
        &mut self,
        items: impl Iterator<Item = std::result::Result<RawCable, SourceError>> + Send,
        progress: &mut dyn FnMut(&IngestSummary),
    ) -> Result<IngestSummary> {
        let mut writer: IndexWriter<TantivyDocument> = self.index.writer(WRITER_BUDGET)?;
        let mut summary = IngestSummary::default();
        let mut batch = Batch::new(self.catalog.last_seq()? + 1);
        // Reading and preparing (parse, hash, document) run a chunk ahead on their own thread,
        // so that the index writer's threads are fed while this one files the previous chunk
        // and waits for commits. The rendezvous channel keeps at most two chunks in memory
        // beside the one being filed.
        let fields = self.fields.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Item>>>(0);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut items = items;
                loop {
                    let chunk: Vec<_> = items.by_ref().take(CHUNK).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    let prepared = chunk
                        .into_par_iter()
                        .map(|item| prepare(&fields, item))
                        .collect::<Result<Vec<Item>>>();
                    let failed = prepared.is_err();
                    // A closed channel: the ingest stopped (asked to, or on an error).
                    if tx.send(prepared).is_err() || failed {
                        break;
                    }
                }
            });
            // `rx` is dropped when this returns, which ends the reading thread.
            let rx = rx;
            for prepared in &rx {
                if self.stop_requested() {
                    summary.interrupted = true;
                    break;
                }
                self.ingest_chunk(prepared?, &mut writer, &mut summary, &mut batch)?;
                if batch.due() {
                    self.commit(&mut writer, &mut batch, &mut summary)?;
                }
                progress(&summary);
            }
            Ok::<(), crate::error::ArchiveError>(())
        })?;
        self.commit(&mut writer, &mut batch, &mut summary)?;
        progress(&summary);
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(summary)
    }

    /// Commit the index (the batch's ledger entries in the commit's payload), then the
    /// catalog; see "The archive" in ARCHITECTURE.md.
    fn commit(
        &mut self,
        writer: &mut IndexWriter<TantivyDocument>,
        batch: &mut Batch,
        summary: &mut IngestSummary,
    ) -> Result<()> {
        let next = Batch::new(batch.seq + 1);
        if batch.touched.is_empty() {
            *batch = Batch {
                seq: batch.seq,
                ..next
            };
            return Ok(());
        }
        let done = std::mem::replace(batch, next);
        // Records of superseded versions first: harmless if we die before the commits.
        self.catalog.put_versions(&done.archived)?;
        let payload = Payload {
            seq: done.seq,
            ledger: done
                .ledger
                .into_iter()
                .filter(|(id, _)| done.touched.contains(id))
                .collect(),
        };
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&payload)?);
        prepared.commit()?;
        if std::mem::take(&mut self.crash_after_index_commit) {
            return Err(InternalError::Inconsistent(
                "simulated crash after the index commit".into(),
            )
            .into());
        }
        self.catalog.apply(&payload)?;
        self.reader.reload()?;
        summary.committed = summary.new + summary.changed;
        Ok(())
    }

    /// Files a prepared chunk: new cables and new versions to the index writer and the batch's
    /// ledger, unchanged ones counted.
    fn ingest_chunk(
        &mut self,
        items: Vec<Item>,
        writer: &mut IndexWriter<TantivyDocument>,
        summary: &mut IngestSummary,
        batch: &mut Batch,
    ) -> Result<()> {
        for item in items {
            let Prepared {
                cable,
                hash,
                id,
                record,
                doc,
            } = match item {
                Item::Problem(p) => {
                    summary.unreadable += 1;
                    summary.problems.push(p);
                    continue;
                }
                Item::Cable(p) => *p,
            };
            summary.read += 1;
            summary.bytes += cable.text.len() as u64;
            if cable
                .diagnostics
                .iter()
                .any(|d| d.severity >= Severity::Warning)
            {
                summary.with_diagnostics += 1;
            }
            let mut entry = match batch.ledger.remove(&id) {
                Some(e) => Some(e),
                None => self.catalog.entry(&id)?,
            };
            let changed = entry
                .as_ref()
                .is_some_and(|e| !e.versions.iter().any(|v| v.hash == hash));
            if changed && batch.touched.contains(&id) {
                // A new version of a cable this batch already wrote: commit first, so that the
                // version it supersedes can be read back from the index and archived.
                if let Some(e) = entry.take() {
                    batch.ledger.insert(id.clone(), e);
                }
                self.commit(writer, batch, summary)?;
                entry = self.catalog.entry(&id)?;
            }
            let meta = VersionMeta {
                hash: hash.clone(),
                source: serde_json::to_value(&cable.source)?,
                parser_version: cable_format::PARSER_VERSION.to_string(),
                partial: is_partial(&cable),
                seq: batch.seq,
            };
            let entry = match entry {
                None => {
                    summary.new += 1;
                    // A cable new to the archive has no release: releases are recorded for
                    // cables the archive holds, and cables are never removed.
                    writer.add_document(doc)?;
                    batch.docs += 1;
                    LedgerEntry {
                        versions: vec![meta],
                        current: 0,
                    }
                }
                Some(e) if e.versions.iter().any(|v| v.hash == hash) => {
                    summary.unchanged += 1;
                    batch.ledger.insert(id, e);
                    continue;
                }
                Some(mut e) => {
                    summary.changed += 1;
                    let current = e.current().clone();
                    if meta.partial && !current.partial {
                        batch.archived.push((id.clone(), hash.clone(), record));
                    } else {
                        if let Some((_, old, _)) = self.current_record(&id)? {
                            batch.archived.push((id.clone(), current.hash.clone(), old));
                        }
                        writer.delete_term(Term::from_field_text(self.fields.id, &id));
                        let release = self.catalog.release(&id)?;
                        writer.add_document(self.fields.document(
                            &id,
                            &hash,
                            &cable,
                            &record,
                            release.as_ref(),
                        ))?;
                        batch.docs += 1;
                        e.current = e.versions.len();
                    }
                    e.versions.push(meta);
                    e
                }
            };
            batch.touched.insert(id.clone());
            batch.ledger.insert(id, entry);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of text mixing every Unicode whitespace with non-space characters that share
    /// their first byte, plain ASCII runs (the eight-byte path) and single and double spaces.
    const PIECES: [&str; 35] = [
        "a",
        "Zz",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\u{0B}",
        "\u{0C}",
        "\u{1C}",
        "\u{85}",
        "\u{A0}",
        "\u{A2}",
        "\u{C0}",
        "\u{1680}",
        "\u{1681}",
        "\u{2000}",
        "\u{200A}",
        "\u{200B}",
        "\u{2020}",
        "\u{2028}",
        "\u{2029}",
        "\u{202F}",
        "\u{205F}",
        "\u{2060}",
        "\u{3000}",
        "\u{3001}",
        "é",
        "日本",
        "\u{1F600}",
        "plain words here",
        "x y",
        "!~\u{7F}",
        "  ab cd",
        "efgh ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// `join_words` gives exactly what `split_whitespace` and `join` give.
        #[test]
        fn join_words_is_split_whitespace_joined(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..32)
        ) {
            let text = pieces.concat();
            let mut got = Vec::new();
            join_words(&text, &mut got);
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(got, want.into_bytes());
        }
    }

    /// A new cable's document is built from its portion fields alone; it must be the document
    /// its whole JSON gives, for every cable of the corpus.
    #[test]
    fn documents_from_portion_fields_are_whole() {
        let Some(shared) =
            cable_testdata::require_shared("documents_from_portion_fields_are_whole")
        else {
            return;
        };
        let corpus = shared.join("corpus");
        let fields = Fields::new();
        let schema = fields.schema.clone();
        let mut seen = 0;
        for item in cable_sources::read_path(&corpus) {
            let Ok(raw) = item else { continue };
            let prepared = prepare_raw(&fields, raw).expect("prepare");
            let whole = serde_json::to_value(&prepared.cable).expect("json");
            let from_whole = fields.document_with_json(
                &prepared.id,
                &prepared.hash,
                &prepared.cable,
                &prepared.record,
                None,
                &whole,
            );
            assert_eq!(
                tantivy::schema::Document::to_json(&prepared.doc, &schema),
                tantivy::schema::Document::to_json(&from_whole, &schema),
                "{}",
                prepared.id
            );
            seen += 1;
        }
        assert!(seen > 1000, "{seen} cables read from {}", corpus.display());
    }

    /// The version hash is stored in every archive: it must not change with the code. It is
    /// SHA-256 of the words joined by single spaces, whatever the line ends and blank lines.
    #[test]
    fn version_hash_is_sha256_of_the_words() {
        let want = "94bbd6eabe87813a0e1d1d35f87ffd3dfb31d3165f3022f1d0c91ee2b6b2e823";
        for text in [
            "SUBJECT: HARBOR VISIT\n\n1. The delegation arrived.\n",
            "SUBJECT:  HARBOR VISIT\r\n\r\n\r\n1.   The delegation\r\narrived.",
            "  SUBJECT: HARBOR\tVISIT 1. The delegation arrived.",
        ] {
            let cable = cable_format::parse(text.as_bytes());
            assert_eq!(version_hash(&cable), want, "{text:?}");
            // An ingest hashes the parser's own normalisation: the same hash.
            let raw = RawCable {
                text: text.to_string(),
                ..RawCable::default()
            };
            assert_eq!(parse_raw_with(raw, hash_normalized).1, want, "{text:?}");
        }
    }
}
