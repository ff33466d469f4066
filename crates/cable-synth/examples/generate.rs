//! Generation throughput, for BENCHMARKS.md: generates a set in memory (nothing written) and
//! prints cables and bytes per second, best of several rounds.
//!
//! Run: `cargo run --release -p cable-synth --example generate -- [COUNT] [ROUNDS]`
//! (defaults: 100,000 cables, 3 rounds). Under callgrind, use a small count.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(100_000, |s| s.parse().expect("COUNT"));
    let rounds: usize = args.next().map_or(3, |s| s.parse().expect("ROUNDS"));
    let mut best = f64::MAX;
    let mut bytes = 0usize;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        bytes = cable_synth::generate(1, count).map(|c| c.text.len()).sum();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{count} cables, {bytes} bytes: best of {rounds} rounds {best:.2} s ({:.0} cables/s, {:.1} MB/s, one thread)",
        count as f64 / best,
        bytes as f64 / best / 1e6
    );
}
