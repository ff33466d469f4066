//! The ingest pipeline: read inputs as a stream, parse chunks in parallel, decide per cable
//! whether it is new, a new version or unchanged, write the index, then the catalog.
//!
//! Memory stays bounded by [`CHUNK`] raw cables at a time, whatever the size of the inputs.

use std::collections::HashMap;
use std::path::PathBuf;

use cable_format::{Cable, Severity};
use cable_sources::{parse_raw, read_path, RawCable, SourceError};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::catalog::{ContainerMeta, LedgerEntry, Payload, StoredVersion, VersionMeta};
use crate::error::{InternalError, Result};
use crate::Archive;

/// Raw cables per chunk: one index commit and one catalog transaction each.
pub const CHUNK: usize = 1_000;

/// Memory budget of tantivy's writer.
const WRITER_BUDGET: usize = 200_000_000;

/// What an ingest run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IngestSummary {
    /// Cables read (one per cable found, before deciding what they are).
    pub read: u64,
    /// Bytes of cable text read (as decoded from the containers).
    pub bytes: u64,
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
    let normalized = cable_format::normalize::normalize(&cable.text).text;
    let mut h = Sha256::new();
    for (i, word) in normalized.split_whitespace().enumerate() {
        if i > 0 {
            h.update(b" ");
        }
        h.update(word.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A partial extract: a text without a transmission heading (no DTG, no FL3 station), or one
/// that says it is a partial extract. It never replaces a full text as the current version.
fn is_partial(cable: &Cable) -> bool {
    (cable.spans.dtg.is_none() && cable.transmission.station.is_none())
        || cable.text.contains("partial extract of the original cable")
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
    Cable {
        cable: Box<Cable>,
        hash: String,
        json: String,
        container: ContainerMeta,
    },
    Problem(IngestProblem),
}

fn prepare(item: std::result::Result<RawCable, SourceError>) -> Result<Item> {
    Ok(match item {
        Ok(raw) => {
            let container = ContainerMeta::of(&raw);
            let cable = parse_raw(raw);
            let hash = version_hash(&cable);
            let json = serde_json::to_string(&cable)?;
            Item::Cable {
                cable: Box::new(cable),
                hash,
                json,
                container,
            }
        }
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

impl Archive {
    /// Ingest every cable under `paths` (files, folders, Cablegate pages, `cables.csv`).
    /// `progress` is called after each committed chunk with the running summary.
    pub fn ingest(
        &mut self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(&IngestSummary),
    ) -> Result<IngestSummary> {
        let items = paths.iter().flat_map(|p| read_path(p));
        self.ingest_stream(items, progress)
    }

    /// Ingest a stream of raw cables (from any reader, or generated); `progress` as for
    /// [`Archive::ingest`]. Memory stays bounded by one chunk whatever the stream's length.
    pub fn ingest_stream(
        &mut self,
        items: impl Iterator<Item = std::result::Result<RawCable, SourceError>>,
        progress: &mut dyn FnMut(&IngestSummary),
    ) -> Result<IngestSummary> {
        let mut writer: IndexWriter<TantivyDocument> = self.index.writer(WRITER_BUDGET)?;
        let mut summary = IngestSummary::default();
        let mut chunk = Vec::with_capacity(CHUNK);
        for item in items {
            chunk.push(item);
            if chunk.len() == CHUNK {
                self.ingest_chunk(std::mem::take(&mut chunk), &mut writer, &mut summary)?;
                progress(&summary);
            }
        }
        if !chunk.is_empty() {
            self.ingest_chunk(chunk, &mut writer, &mut summary)?;
            progress(&summary);
        }
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(summary)
    }

    fn ingest_chunk(
        &mut self,
        chunk: Vec<std::result::Result<RawCable, SourceError>>,
        writer: &mut IndexWriter<TantivyDocument>,
        summary: &mut IngestSummary,
    ) -> Result<()> {
        let items: Vec<Item> = chunk.into_par_iter().map(prepare).collect::<Result<_>>()?;
        let seq = self.catalog.last_seq()? + 1;
        // This chunk's changes to the ledger, and the records of the versions it made current.
        let mut pending: HashMap<String, LedgerEntry> = HashMap::new();
        let mut added: HashMap<String, StoredVersion> = HashMap::new();
        let mut archived: Vec<(String, String, StoredVersion)> = Vec::new();
        let mut touched: std::collections::HashSet<String> = std::collections::HashSet::new();
        for item in items {
            let (cable, hash, json, container) = match item {
                Item::Problem(p) => {
                    summary.unreadable += 1;
                    summary.problems.push(p);
                    continue;
                }
                Item::Cable {
                    cable,
                    hash,
                    json,
                    container,
                } => (cable, hash, json, container),
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
            let id = archive_id(&cable, &hash);
            let meta = VersionMeta {
                hash: hash.clone(),
                source: serde_json::to_value(&cable.source)?,
                parser_version: cable_format::PARSER_VERSION.to_string(),
                partial: is_partial(&cable),
                seq,
            };
            let record = StoredVersion {
                cable: json,
                original: cable.text.clone(),
                container,
            };
            let entry = match pending.remove(&id) {
                Some(e) => Some(e),
                None => self.catalog.entry(&id)?,
            };
            let entry = match entry {
                None => {
                    summary.new += 1;
                    writer.add_document(self.fields.document(&id, &hash, &cable, &record))?;
                    added.insert(id.clone(), record);
                    LedgerEntry {
                        versions: vec![meta],
                        current: 0,
                    }
                }
                Some(e) if e.versions.iter().any(|v| v.hash == hash) => {
                    summary.unchanged += 1;
                    pending.insert(id, e);
                    continue;
                }
                Some(mut e) => {
                    summary.changed += 1;
                    let current = e.current().clone();
                    if meta.partial && !current.partial {
                        archived.push((id.clone(), hash.clone(), record));
                    } else {
                        let old = match added.remove(&id) {
                            Some(r) => Some(r),
                            None => self.current_record(&id)?.map(|(_, r)| r),
                        };
                        if let Some(old) = old {
                            archived.push((id.clone(), current.hash.clone(), old));
                        }
                        writer.delete_term(Term::from_field_text(self.fields.id, &id));
                        writer.add_document(self.fields.document(&id, &hash, &cable, &record))?;
                        added.insert(id.clone(), record);
                        e.current = e.versions.len();
                    }
                    e.versions.push(meta);
                    e
                }
            };
            touched.insert(id.clone());
            pending.insert(id, entry);
        }
        if touched.is_empty() {
            return Ok(());
        }
        // Records of superseded versions first: harmless if we die before the commits.
        self.catalog.put_versions(&archived)?;
        let payload = Payload {
            seq,
            ledger: pending
                .into_iter()
                .filter(|(id, _)| touched.contains(id))
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
        Ok(())
    }
}
