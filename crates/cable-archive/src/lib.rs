//! `cable-archive`: the data directory of a cables archive.
//!
//! One directory holds two engines, each doing what it is good at:
//! - `index/`: a tantivy index of the *current* version of every cable, with its Cable JSON and
//!   original text stored (zstd doc store); search, facets and snippets come from here.
//! - `catalog.redb`: a redb database with the ingest ledger (every version of every cable: the
//!   hash of its normalised text, its source, the parser version), the records of versions that
//!   are no longer current, and the settings (schema and parser versions).
//!
//! Entry points: [`Archive::open`], [`Archive::ingest`], [`Archive::search`], [`Archive::get`],
//! [`Archive::stats`]. See "The archive" in ARCHITECTURE.md for how the two commits stay
//! consistent.

pub mod access;
mod audit;
mod bits;
mod catalog;
pub mod ceiling;
mod error;
mod export;
mod facets;
mod graph;
pub mod hitrecord;
mod ingest;
mod keyset;
mod policy;
mod ranges;
mod rank;
pub mod readers;
mod reindex;
mod rodir;
pub mod schema;
mod search;
mod snippet;
mod within;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument, Term};

pub use access::{Clearance, Release, View, Who, Withheld};
pub use audit::{read_audit, AuditEntry};
pub use catalog::{ContainerMeta, LedgerEntry, StoredVersion, VersionMeta};
pub use error::{ArchiveError, InternalError, Result, UserError};
pub use export::{csv_row, jsonl_line, ExportFormat, ExportSummary, Matches, CSV_COLUMNS};
pub use graph::{Citation, Graph, Neighbour};
pub use ingest::{version_hash, IngestProblem, IngestSummary, COMMIT_DOCS};
pub use policy::{AccessMode, Policy};
pub use reindex::ReindexSummary;
pub use search::{Hit, Interval, SearchOptions, SearchResults, Sort, Stats};

use catalog::{Catalog, Payload};
use schema::{Fields, SCHEMA_VERSION};

/// An open data directory.
pub struct Archive {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    catalog: Catalog,
    /// Test hook: stop an ingest between the index commit and the catalog commit.
    crash_after_index_commit: bool,
    /// When set, a running ingest commits what it has done and returns (see [`Archive::stop_on`]).
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    audit: audit::AuditLog,
    /// Per-segment facet maps shared by every search (see `facets.rs`).
    facet_cache: std::sync::Arc<facets::FacetCache>,
    /// The access filters' doc sets per segment ([`keyset`]).
    keyset_cache: std::sync::Arc<keyset::KeySetCache>,
    /// Each segment's documents sorted by a numeric field's value, for ranges ([`ranges`]).
    range_cache: std::sync::Arc<ranges::RangeIndexCache>,
    /// Each segment's document store, for hit records read in place ([`hitrecord::HitStore`]).
    hit_store: hitrecord::HitStore,
    /// The class keys in the index (the `access` field's terms) and the segments they were read
    /// from: the same segments hold the same terms (a delete removes none).
    index_keys: std::sync::Mutex<Option<(Vec<tantivy::index::SegmentId>, Vec<String>)>>,
}

/// One stored version of a cable: its id and hash, the Cable JSON and the original text.
#[derive(Debug, Clone)]
pub struct CableRecord {
    pub id: String,
    pub hash: String,
    pub current: bool,
    /// The Cable JSON (the parse contract).
    pub cable: serde_json::Value,
    /// The cable text as decoded from its container.
    pub original: String,
}

/// Open the tantivy index in `index_dir`, creating an empty one with the current schema when
/// there is none, and register the analyzer.
fn open_index(index_dir: &Path, fields: &Fields) -> Result<Index> {
    let index = if index_dir.join("meta.json").exists() {
        Index::open_in_dir(index_dir)?
    } else {
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor::default()),
            ..IndexSettings::default()
        };
        Index::builder()
            .schema(fields.schema.clone())
            .settings(settings)
            .create_in_dir(index_dir)?
    };
    schema::register_analyzers(&index);
    Ok(index)
}

/// Whether files can be created in `dir` (false on a read-only mount).
fn writable(dir: &Path) -> bool {
    let probe = dir.join(".write-probe");
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| {
        ArchiveError::Internal(InternalError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

impl Archive {
    /// Open the data directory `dir`, creating it (and an empty archive) when missing. Brings the
    /// catalog up to date with the index's last commit (see ARCHITECTURE.md).
    pub fn open(dir: &Path) -> Result<Archive> {
        Archive::open_checked(dir, true)
    }

    /// Open without checking the schema version: for `reindex`, which rebuilds the index.
    fn open_checked(dir: &Path, check_schema: bool) -> Result<Archive> {
        let index_dir = dir.join("index");
        // An existing archive on a read-only mount opens for reading: writes then fail with
        // a clear error instead of the open failing.
        let read_only = index_dir.join("meta.json").exists() && !writable(dir);
        let catalog = if read_only {
            Catalog::open_read_only(&dir.join("catalog.redb"))?
        } else {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
            let catalog = Catalog::open(&dir.join("catalog.redb"))?;
            reindex::recover(dir)?;
            std::fs::create_dir_all(&index_dir).map_err(io_err(&index_dir))?;
            catalog
        };
        match catalog.setting("schema_version")? {
            Some(found) if found != SCHEMA_VERSION && check_schema => {
                let older = found.parse::<u64>().ok() < SCHEMA_VERSION.parse::<u64>().ok();
                let path = dir.display().to_string();
                let expected = SCHEMA_VERSION.to_string();
                return Err(if older {
                    UserError::NeedsReindex {
                        path,
                        found,
                        expected,
                    }
                    .into()
                } else {
                    InternalError::SchemaVersion {
                        path,
                        found,
                        expected,
                    }
                    .into()
                });
            }
            Some(_) => {}
            None if read_only => {}
            None => catalog.set_settings(&[
                ("schema_version", SCHEMA_VERSION),
                ("parser_version", cable_format::PARSER_VERSION),
            ])?,
        }
        let fields = Fields::new();
        let index = if read_only {
            let index = Index::open(rodir::ReadOnlyDirectory::open(&index_dir)?)?;
            schema::register_analyzers(&index);
            // Searches run on the calling thread, as on a writable archive: searching the
            // segments in parallel made broad pages 20-30% faster on an idle machine but
            // selective ones slower (BENCHMARKS.md, session 6), and a server's cores are
            // busy with other requests anyway.
            index
        } else {
            open_index(&index_dir, &fields)?
        };
        // A crash between the index commit and the catalog commit: the index's last commit
        // carries the chunk's ledger entries; replay them.
        if let Some(payload) = index.load_metas()?.payload {
            let payload: Payload = serde_json::from_str(&payload)?;
            if payload.seq > catalog.last_seq()? && !read_only {
                catalog.apply(&payload)?;
            }
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Archive {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            catalog,
            crash_after_index_commit: false,
            stop: None,
            facet_cache: Default::default(),
            keyset_cache: Default::default(),
            range_cache: Default::default(),
            hit_store: Default::default(),
            index_keys: Default::default(),
            audit: if read_only {
                audit::AuditLog::disabled()
            } else {
                audit::AuditLog::start(dir)
            },
        })
    }

    /// The settings the archive records: `schema_version`, `parser_version` (of the last build
    /// or reindex), `last_seq`.
    pub fn settings(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for name in ["schema_version", "parser_version", "last_seq"] {
            if let Some(v) = self.catalog.setting(name)? {
                out.insert(name.to_string(), v);
            }
        }
        Ok(out)
    }

    /// For crash tests only: make the next ingest stop with an error right after its first index
    /// commit, before the catalog commit, as if the process had been killed there.
    #[doc(hidden)]
    pub fn simulate_crash_after_index_commit(&mut self) {
        self.crash_after_index_commit = true;
    }

    /// Let `flag` stop ingests: once it is set (by a signal handler, say), the running ingest
    /// finishes the chunk in hand, commits, and returns with `interrupted` set in its summary.
    pub fn stop_on(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.stop = Some(flag);
    }

    fn stop_requested(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Record a read in the audit log: `what` (`search`, `cable`, ...), `detail` (the query or
    /// id), `from` (`cli` or the client's address). Costs a channel send.
    pub fn audit(&self, view: &View, what: &str, detail: &str, from: &str) {
        self.audit.record(view, what, detail, from);
    }

    /// Whether the archive was opened read-only (its directory is on a read-only mount).
    pub fn is_read_only(&self) -> bool {
        self.catalog.is_read_only()
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the archive holds no cable (cheap: the index's document count).
    pub fn is_empty(&self) -> bool {
        self.reader.searcher().num_docs() == 0
    }

    /// The ledger entry of a cable as `view` may see it: every version and which is current;
    /// `None` when the archive does not hold it or the view may not see it. Source paths are
    /// the owner's only.
    pub fn ledger(&self, id: &str, view: &View) -> Result<Option<LedgerEntry>> {
        if self.get(id, view)?.is_none() {
            return Ok(None);
        }
        let Some(mut entry) = self.catalog.entry(id)? else {
            return Ok(None);
        };
        if !view.sees_sources() {
            for v in &mut entry.versions {
                if let Some(src) = v.source.as_object_mut() {
                    src.remove("path");
                }
            }
        }
        Ok(Some(entry))
    }

    /// The current version of a cable as `view` may see it (hidden portions withheld, in the
    /// JSON and in the original text); `None` when the archive does not hold it or the view
    /// sees none of it.
    pub fn get(&self, id: &str, view: &View) -> Result<Option<CableRecord>> {
        let Some((hash, rec, release)) = self.current_record(id)? else {
            return Ok(None);
        };
        redacted(id, hash, true, &rec, release.as_ref(), view)
    }

    /// A version of a cable by hash (a unique prefix is enough), as `view` may see it. A cable
    /// the view may not see is unknown.
    pub fn version(&self, id: &str, hash: &str, view: &View) -> Result<CableRecord> {
        let unknown_id = || UserError::UnknownId { id: id.to_string() };
        let entry = self.ledger(id, view)?.ok_or_else(unknown_id)?;
        let unknown = || UserError::UnknownVersion {
            id: id.to_string(),
            version: hash.to_string(),
        };
        let matching: Vec<&VersionMeta> = entry
            .versions
            .iter()
            .filter(|v| v.hash.starts_with(hash))
            .collect();
        let [meta] = matching.as_slice() else {
            return Err(unknown().into());
        };
        if meta.hash == entry.current().hash {
            return self.get(id, view)?.ok_or_else(|| unknown().into());
        }
        let rec = self.catalog.version(id, &meta.hash)?.ok_or_else(|| {
            InternalError::Inconsistent(format!(
                "the record of {id} version {} is missing",
                meta.hash
            ))
        })?;
        let release = self.catalog.release(id)?;
        redacted(id, meta.hash.clone(), false, &rec, release.as_ref(), view)?
            .ok_or_else(|| unknown().into())
    }

    /// The stored record of the current version of `id` in the index, with its hash and the
    /// release recorded for it. Unredacted: for the archive's own use.
    fn current_record(
        &self,
        id: &str,
    ) -> Result<Option<(String, StoredVersion, Option<access::Release>)>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = |f| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        Ok(Some((
            text(self.fields.hash),
            StoredVersion {
                cable: text(self.fields.cable),
                original: text(self.fields.original),
                container: serde_json::from_str(&text(self.fields.container)).unwrap_or_default(),
            },
            serde_json::from_str(&text(self.fields.release)).ok(),
        )))
    }
}

/// A stored version as `view` may see it, or `None` when it sees no portion of it.
fn redacted(
    id: &str,
    hash: String,
    current: bool,
    rec: &StoredVersion,
    release: Option<&access::Release>,
    view: &View,
) -> Result<Option<CableRecord>> {
    let cable: serde_json::Value = serde_json::from_str(&rec.cable)?;
    let Some(original) = access::redact_text(&rec.original, &cable, release, view) else {
        return Ok(None);
    };
    let Some(cable) = access::redact_cable(cable, release, view) else {
        return Ok(None);
    };
    Ok(Some(CableRecord {
        id: id.to_string(),
        hash,
        current,
        cable,
        original,
    }))
}
