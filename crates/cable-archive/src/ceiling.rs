//! The archive's index on its own, for the benchmark's ceiling (issue 6): how fast tantivy
//! indexes the very documents an ingest writes, with the same schema, settings, writer budget
//! and threads, when the cables are already parsed and nothing else runs. An ingest is measured
//! as a ratio of this.
//!
//! Nothing here is used by the archive itself; it exposes the pieces the ingest is built from,
//! so that the ceiling cannot drift from what an ingest really does.

use std::path::Path;

use cable_sources::RawCable;
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::catalog::{ContainerMeta, StoredVersion};
use crate::error::Result;
use crate::schema::Fields;

/// A cable as the ingest prepares it before it reaches the index writer.
pub struct Prepared {
    pub id: String,
    pub hash: String,
    pub cable: cable_format::Cable,
    pub record: StoredVersion,
}

/// The parse step of an ingest for one raw cable: the `Cable`, its version hash, its archive id
/// and the stored record (Cable JSON, original text, container metadata).
pub fn prepare(raw: RawCable) -> Result<Prepared> {
    let container = ContainerMeta::of(&raw);
    let cable = cable_sources::parse_raw(raw);
    let hash = crate::ingest::version_hash(&cable);
    let id = crate::ingest::archive_id(&cable, &hash);
    let record = StoredVersion {
        cable: serde_json::to_string(&cable)?,
        original: cable.text.clone(),
        container,
    };
    Ok(Prepared {
        id,
        hash,
        cable,
        record,
    })
}

/// An empty index in `dir` as [`crate::Archive::open`] creates it (schema, settings, analyzer).
pub fn create_index(dir: &Path) -> Result<(Index, Fields)> {
    let fields = Fields::new();
    let index = crate::open_index(dir, &fields)?;
    Ok((index, fields))
}

/// The tantivy document an ingest writes for a new cable.
pub fn document(fields: &Fields, p: &Prepared) -> TantivyDocument {
    fields.document(&p.id, &p.hash, &p.cable, &p.record, None)
}

/// The index writer as an ingest opens it (same memory budget, default threads and merge
/// policy).
pub fn writer(index: &Index) -> Result<IndexWriter<TantivyDocument>> {
    Ok(index.writer(crate::ingest::WRITER_BUDGET)?)
}
