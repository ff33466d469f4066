//! Parse every `.txt` cable in a folder, several rounds, and print the best round's throughput.
//!
//! `cargo run --release -p cable-format --example parse_corpus -- ../shared/corpus 15`
//!
//! With one round it is the workload behind the instruction counts in BENCHMARKS.md
//! (`valgrind --tool=callgrind target/release/examples/parse_corpus ../shared/corpus 1`), which,
//! unlike wall-clock time, do not move with the load of a shared machine.

// Measured with the allocator the `cables` binary uses (mimalloc): the parser allocates many
// small strings, so the allocator is part of the figure.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/corpus".to_string());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(15);
    let mut cables = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("cannot read {dir}: {e}");
            std::process::exit(1);
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "txt") {
            if let Ok(bytes) = std::fs::read(&path) {
                cables.push(bytes);
            }
        }
    }
    let total: usize = cables.iter().map(Vec::len).sum();
    let mut best = f64::MAX;
    let mut paragraphs = 0;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for c in &cables {
            paragraphs += cable_format::parse(c).paragraphs.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{} cables, {} bytes: best round {:.1} ms, {:.1} MB/s ({paragraphs} paragraphs parsed)",
        cables.len(),
        total,
        best * 1e3,
        total as f64 / best / 1e6
    );
}
