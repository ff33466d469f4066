//! The generated corpus: `count` cables of seed `seed` as one Cablegate-layout `cables.csv`, the
//! form a user ingests, written once into the work folder and reused by later runs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use cable_synth::{Generator, SynthCable};

use crate::measure::Progress;

/// Cables generated at a time (in parallel) before they are written in order.
const BATCH: usize = 5_000;

/// The `cables.csv` of `(seed, count)` in `work`, generated when it is not there yet.
pub fn ensure_csv(work: &Path, seed: u64, count: usize) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let path = work.join(format!("cables-seed{seed}-{count}.csv"));
    let done = path.with_extension("csv.done");
    if path.exists() && done.exists() {
        return Ok(path);
    }
    let partial = path.with_extension("csv.partial");
    let set = cable_synth::generate(seed, count);
    let mut out = cable_synth::CablesCsvWriter::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let mut progress = Progress::new(format!("generating {count} cables into {}", path.display()));
    let mut written = 0;
    for cables in in_batches(&set) {
        for c in &cables {
            out.write(c)
                .with_context(|| format!("writing {}", partial.display()))?;
        }
        written += cables.len();
        progress.tick(written as u64, count as u64);
    }
    out.finish()?;
    std::fs::rename(&partial, &path)?;
    std::fs::write(&done, b"")?;
    Ok(path)
}

/// The cables of `set` in order, [`BATCH`] at a time, each batch generated in parallel.
pub fn in_batches(set: &Generator) -> impl Iterator<Item = Vec<SynthCable>> + '_ {
    let count = set.count();
    (0..count).step_by(BATCH).map(move |start| {
        (start..(start + BATCH).min(count))
            .into_par_iter()
            .map(|i| set.cable(i))
            .collect()
    })
}
