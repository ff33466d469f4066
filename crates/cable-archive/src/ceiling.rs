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

use crate::error::Result;
use crate::schema::Fields;

/// The parse step of an ingest for one raw cable, exactly as an ingest runs it on its worker
/// threads: the number of bytes of its text, and the document an ingest writes for it as a cable
/// new to the archive.
pub fn prepare(fields: &Fields, raw: RawCable) -> Result<(u64, TantivyDocument)> {
    let p = crate::ingest::prepare_raw(fields, raw)?;
    Ok((p.cable.text.len() as u64, p.doc))
}

/// An empty index in `dir` as [`crate::Archive::open`] creates it (schema, settings, analyzer).
pub fn create_index(dir: &Path) -> Result<(Index, Fields)> {
    let fields = Fields::new();
    let index = crate::open_index(dir, &fields)?;
    Ok((index, fields))
}

/// The index writer as an ingest opens it (same memory budget, default threads and merge
/// policy).
pub fn writer(index: &Index) -> Result<IndexWriter<TantivyDocument>> {
    Ok(index.writer(crate::ingest::WRITER_BUDGET)?)
}
