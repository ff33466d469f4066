//! Parse throughput on the real corpus (`../shared/corpus`), on one thread and on every core:
//! the files are read into memory first, then parsed `rounds` times; the best round counts.

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ParseFigures {
    pub threads: usize,
    pub cables: usize,
    pub bytes: u64,
    /// Best round.
    pub seconds: f64,
    pub mb_per_s: f64,
    /// Per core: `mb_per_s / threads`.
    pub mb_per_s_per_core: f64,
}

/// The cable files under `corpus` (every `.txt`), read into memory.
pub fn load(corpus: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut files = Vec::new();
    let mut stack = vec![corpus.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(std::fs::read(&path)?);
            }
        }
    }
    anyhow::ensure!(
        !files.is_empty(),
        "no .txt cables under {}",
        corpus.display()
    );
    Ok(files)
}

/// Best of `rounds` parses of `files` on `threads` threads (1: the calling thread).
pub fn measure(files: &[Vec<u8>], threads: usize, rounds: usize) -> anyhow::Result<ParseFigures> {
    let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut best = Duration::MAX;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let paragraphs: usize = if threads == 1 {
            files
                .iter()
                .map(|f| cable_format::parse(f).paragraphs.len())
                .sum()
        } else {
            pool.install(|| {
                files
                    .par_iter()
                    .map(|f| cable_format::parse(f).paragraphs.len())
                    .sum()
            })
        };
        best = best.min(t.elapsed());
        std::hint::black_box(paragraphs);
    }
    let s = best.as_secs_f64().max(1e-9);
    let mb = bytes as f64 / s / 1e6;
    Ok(ParseFigures {
        threads,
        cables: files.len(),
        bytes,
        seconds: s,
        mb_per_s: mb,
        mb_per_s_per_core: mb / threads as f64,
    })
}
