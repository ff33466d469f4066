//! `cables reindex`: rebuild the search index from the stored original texts, with this build's
//! parser and schema, without the source files.
//!
//! The new index is written beside the old one (`index.new/`), then swapped in with two renames
//! (`index/` → `index.old/`, `index.new/` → `index/`) and the old one removed. [`recover`], run
//! by every open, finishes or undoes a swap a crash interrupted, so the archive always opens
//! with one whole index: the old one until the second rename, the new one after it.
//!
//! Version hashes are kept as they were recorded: a version's identity does not change with the
//! parser. Records of non-current versions in the catalog are parsed again too.

use std::path::Path;

use cable_sources::parse_raw;
use rayon::prelude::*;
use serde::Serialize;
use tantivy::schema::Value as _;
use tantivy::{DocSet, IndexWriter, TantivyDocument, TERMINATED};

use crate::catalog::{ContainerMeta, Payload, StoredVersion};
use crate::error::{InternalError, Result};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::{io_err, open_index, Archive};

/// What a reindex did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReindexSummary {
    /// Current versions indexed again.
    pub cables: u64,
    /// Records of older versions parsed again.
    pub old_versions: u64,
    /// The schema and parser versions the archive had, and has now.
    pub from_schema: String,
    pub from_parser: String,
    pub schema: String,
    pub parser: String,
}

/// Bring an interrupted swap to a whole state (see the module docs).
pub(crate) fn recover(dir: &Path) -> Result<()> {
    let index = dir.join("index");
    let new = dir.join("index.new");
    let old = dir.join("index.old");
    if !index.exists() && old.exists() {
        // Died between the two renames: the old index is whole; the new one may be too, but
        // the catalog's settings still describe the old one.
        std::fs::rename(&old, &index).map_err(io_err(&old))?;
    }
    for leftover in [new, old] {
        if leftover.exists() {
            std::fs::remove_dir_all(&leftover).map_err(io_err(&leftover))?;
        }
    }
    Ok(())
}

const CHUNK: usize = 1_000;

/// One stored cable to parse again: `(id, hash, record)`.
type Stored = (String, String, StoredVersion);

fn source_of(cable_json: &str) -> cable_sources::Source {
    let v: serde_json::Value = serde_json::from_str(cable_json).unwrap_or_default();
    let s = &v["source"];
    cable_sources::Source {
        path: s["path"].as_str().unwrap_or_default().to_string(),
        row: s["row"].as_u64(),
        offset: s["offset"].as_u64(),
        container: s["container"].as_str().unwrap_or("text").to_string(),
    }
}

/// Parse a stored record again; the record keeps its original text and container metadata.
pub(crate) fn reparse(record: StoredVersion) -> Result<(cable_format::Cable, StoredVersion)> {
    let source = source_of(&record.cable);
    let raw = record
        .container
        .clone()
        .raw(record.original.clone(), source);
    let cable = parse_raw(raw);
    let json = serde_json::to_string(&cable)?;
    Ok((
        cable,
        StoredVersion {
            cable: json,
            original: record.original,
            container: record.container,
        },
    ))
}

impl Archive {
    /// Rebuild the index of the archive in `dir` from its stored cables. `progress(done,
    /// total)` is called after every chunk.
    pub fn reindex(dir: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<ReindexSummary> {
        let old = Archive::open_checked(dir, false)?;
        if old.is_read_only() {
            return Err(crate::error::UserError::ReadOnly {
                path: dir.display().to_string(),
                reason: "read-only file system".into(),
            }
            .into());
        }
        let mut summary = ReindexSummary {
            from_schema: old.catalog.setting("schema_version")?.unwrap_or_default(),
            from_parser: old.catalog.setting("parser_version")?.unwrap_or_default(),
            schema: SCHEMA_VERSION.to_string(),
            parser: cable_format::PARSER_VERSION.to_string(),
            ..Default::default()
        };
        let new_dir = dir.join("index.new");
        std::fs::create_dir_all(&new_dir).map_err(io_err(&new_dir))?;
        let fields = Fields::new();
        let new_index = open_index(&new_dir, &fields)?;
        let mut writer: IndexWriter<TantivyDocument> = new_index.writer(200_000_000)?;

        // The old index may have another schema: read its stored fields by name.
        let old_schema = old.index.schema();
        let field = |name: &str| {
            old_schema.get_field(name).map_err(|_| {
                InternalError::Inconsistent(format!("the index has no stored field {name}"))
            })
        };
        let (f_id, f_hash, f_cable, f_original) = (
            field("id")?,
            field("hash")?,
            field("cable")?,
            field("original")?,
        );
        let f_container = old_schema.get_field("container").ok();
        let searcher = old.reader.searcher();
        let total = searcher.num_docs();
        let releases: std::collections::HashMap<String, crate::access::Release> =
            old.catalog.releases()?.into_iter().collect();
        let mut chunk: Vec<Stored> = Vec::with_capacity(CHUNK);
        let mut flush = |chunk: &mut Vec<Stored>, summary: &mut ReindexSummary| -> Result<()> {
            let parsed: Vec<_> = std::mem::take(chunk)
                .into_par_iter()
                .map(|(id, hash, rec)| reparse(rec).map(|(c, r)| (id, hash, c, r)))
                .collect::<Result<_>>()?;
            for (id, hash, cable, record) in parsed {
                writer.add_document(fields.document(
                    &id,
                    &hash,
                    &cable,
                    &record,
                    releases.get(&id),
                ))?;
                summary.cables += 1;
            }
            progress(summary.cables, total);
            Ok(())
        };
        for reader in searcher.segment_readers() {
            let store = reader
                .get_store_reader(1)
                .map_err(tantivy::TantivyError::from)?;
            let alive = reader.alive_bitset();
            let mut docs = tantivy::query::AllScorer::new(reader.max_doc());
            let mut doc = docs.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let d: TantivyDocument = store.get(doc)?;
                    let text = |f| {
                        d.get_first(f)
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let container: ContainerMeta = f_container
                        .map(|f| serde_json::from_str(&text(f)).unwrap_or_default())
                        .unwrap_or_default();
                    chunk.push((
                        text(f_id),
                        text(f_hash),
                        StoredVersion {
                            cable: text(f_cable),
                            original: text(f_original),
                            container,
                        },
                    ));
                    if chunk.len() == CHUNK {
                        flush(&mut chunk, &mut summary)?;
                    }
                }
                doc = docs.advance();
            }
        }
        flush(&mut chunk, &mut summary)?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&Payload {
            seq: old.catalog.last_seq()?,
            ledger: Vec::new(),
        })?);
        prepared.commit()?;
        writer.wait_merging_threads()?;

        // Older versions' records, in the catalog.
        let mut records = Vec::new();
        for (id, hash) in old.catalog.all_versions()? {
            if let Some(rec) = old.catalog.version(&id, &hash)? {
                let (_, rec) = reparse(rec)?;
                records.push((id, hash, rec));
                if records.len() == CHUNK {
                    summary.old_versions += records.len() as u64;
                    old.catalog.put_versions(&std::mem::take(&mut records))?;
                }
            }
        }
        summary.old_versions += records.len() as u64;
        old.catalog.put_versions(&records)?;

        // The swap.
        let catalog = old.catalog;
        drop((old.reader, old.index, new_index));
        let index_dir = dir.join("index");
        let old_dir = dir.join("index.old");
        std::fs::rename(&index_dir, &old_dir).map_err(io_err(&index_dir))?;
        std::fs::rename(&new_dir, &index_dir).map_err(io_err(&new_dir))?;
        catalog.set_settings(&[
            ("schema_version", SCHEMA_VERSION),
            ("parser_version", cable_format::PARSER_VERSION),
        ])?;
        std::fs::remove_dir_all(&old_dir).map_err(io_err(&old_dir))?;
        Ok(summary)
    }
}
