//! Ingest at scale, ours against the ceiling.
//!
//! - Ours: `Archive::ingest` of the generated `cables.csv` into an empty data folder, exactly as
//!   `cables ingest` runs it: reading, parsing, hashing, the catalog, the index, commits.
//! - The ceiling: tantivy alone indexing the very documents an ingest writes
//!   (`cable_archive::ceiling`: same schema, settings, writer budget, threads and merge policy,
//!   a commit every `COMMIT_DOCS` documents), prepared beforehand. Documents are prepared in
//!   batches (a whole number of commits) so that memory stays bounded. Timed: adding,
//!   committing, and every merge. At the end of each batch the clock keeps running until the
//!   merges started so far have finished, and only then stops while the next batch is prepared
//!   (the writer is opened again for it, timed too); so no merge runs off the clock. Merges
//!   cannot overlap a batch boundary, which costs the ceiling a little against an ingest whose
//!   merges overlap its indexing throughout.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use cable_archive::{ceiling, Archive, IngestSummary};
use rayon::prelude::*;
use serde::Serialize;
use tantivy::TantivyDocument;

use crate::measure::{du, peak_rss, reset_peak_rss, Progress};

/// What one ingest run measured.
#[derive(Debug, Clone, Serialize)]
pub struct IngestFigures {
    pub cables: u64,
    /// Bytes of cable text indexed.
    pub bytes: u64,
    pub seconds: f64,
    pub cables_per_s: f64,
    pub mb_per_s: f64,
    /// Peak resident memory of the process during the run (None where it cannot be reset).
    pub peak_rss_bytes: Option<u64>,
    /// Bytes on disk afterwards (for ours: index and catalog).
    pub size_bytes: u64,
}

impl IngestFigures {
    fn new(cables: u64, bytes: u64, took: Duration, peak: Option<u64>, size: u64) -> IngestFigures {
        let s = took.as_secs_f64().max(1e-9);
        IngestFigures {
            cables,
            bytes,
            seconds: s,
            cables_per_s: cables as f64 / s,
            mb_per_s: bytes as f64 / s / 1e6,
            peak_rss_bytes: peak,
            size_bytes: size,
        }
    }
}

/// Ingest `csv` into a new archive in `dir` (which must not hold one).
pub fn ours(csv: &Path, dir: &Path, total: u64) -> anyhow::Result<IngestFigures> {
    measure_ingest(dir, total, "ingest", |archive, progress| {
        archive.ingest(&[csv.to_path_buf()], progress)
    })
}

/// Ingest the generated set `(seed, total)` into a new archive in `dir`, straight from the
/// generator with no `cables.csv` in between (as `cables gen --ingest` does): for sizes whose
/// CSV would not fit beside the archive. Generating is timed with the ingest; it runs a batch
/// at a time on the ingest's reading thread ([`crate::corpus::in_batches`]).
pub fn ours_streamed(seed: u64, dir: &Path, total: u64) -> anyhow::Result<IngestFigures> {
    let set = cable_synth::generate(seed, total as usize);
    let origin = set.source_path();
    let items = crate::corpus::in_batches(&set)
        .flatten()
        .map(|c| Ok(c.into_raw(&origin)));
    measure_ingest(dir, total, "generated cables", |archive, progress| {
        archive.ingest_stream(items, progress)
    })
}

/// Open a new archive in `dir`, run `ingest` into it with a progress display, and measure it:
/// its time, the process's peak memory, the size on disk. Every one of `total` cables must be
/// stored new.
fn measure_ingest(
    dir: &Path,
    total: u64,
    what: &str,
    ingest: impl FnOnce(
        &mut Archive,
        &mut dyn FnMut(&IngestSummary),
    ) -> cable_archive::Result<IngestSummary>,
) -> anyhow::Result<IngestFigures> {
    let peak_ok = reset_peak_rss();
    let mut archive = Archive::open(dir).with_context(|| format!("opening {}", dir.display()))?;
    let mut progress = Progress::new(format!("ours: {what} into {}", dir.display()));
    let t = Instant::now();
    let summary = ingest(&mut archive, &mut |s| progress.tick(s.read, total))?;
    let took = t.elapsed();
    let peak = peak_rss().filter(|_| peak_ok);
    drop(archive);
    anyhow::ensure!(
        summary.new == total && summary.unreadable == 0,
        "ingest stored {} new cables of {total} ({} unreadable)",
        summary.new,
        summary.unreadable
    );
    Ok(IngestFigures::new(
        summary.new,
        summary.bytes,
        took,
        peak,
        du(dir),
    ))
}

/// The ceiling: index the documents of `csv` into a bare index in `dir`, `batch` prepared
/// documents at a time (rounded up to a whole number of commits).
pub fn ceiling(csv: &Path, dir: &Path, total: u64, batch: usize) -> anyhow::Result<IngestFigures> {
    let batch = batch.max(1).div_ceil(cable_archive::COMMIT_DOCS) * cable_archive::COMMIT_DOCS;
    std::fs::create_dir_all(dir)?;
    let peak_ok = reset_peak_rss();
    let (index, fields) = ceiling::create_index(dir)?;
    let mut writer = ceiling::writer(&index)?;
    let mut raws = cable_sources::read_path(csv);
    let mut progress = Progress::new(format!("ceiling: tantivy alone into {}", dir.display()));
    let mut timed = Duration::ZERO;
    let (mut cables, mut bytes, mut since_commit) = (0u64, 0u64, 0usize);
    loop {
        let chunk: Vec<_> = raws.by_ref().take(batch).collect::<Result<_, _>>()?;
        if chunk.is_empty() {
            break;
        }
        let docs: Vec<(u64, TantivyDocument)> = chunk
            .into_par_iter()
            .map(|raw| Ok(ceiling::prepare(&fields, raw)?))
            .collect::<anyhow::Result<_>>()?;
        let t = Instant::now();
        for (len, doc) in docs {
            writer.add_document(doc)?;
            cables += 1;
            bytes += len;
            since_commit += 1;
            if since_commit == cable_archive::COMMIT_DOCS {
                writer.commit()?;
                since_commit = 0;
            }
        }
        // Only the last, short batch can leave documents pending; waiting for the merges
        // would drop them.
        if since_commit > 0 {
            writer.commit()?;
            since_commit = 0;
        }
        // Wait for the merges on the clock, then open the writer again for the next batch.
        writer.wait_merging_threads()?;
        writer = ceiling::writer(&index)?;
        timed += t.elapsed();
        progress.tick(cables, total);
    }
    let t = Instant::now();
    writer.commit()?;
    writer.wait_merging_threads()?;
    timed += t.elapsed();
    let peak = peak_rss().filter(|_| peak_ok);
    Ok(IngestFigures::new(cables, bytes, timed, peak, du(dir)))
}
