//! Parse throughput on the real corpus: every `../shared/corpus/*.txt` parsed once per iteration,
//! reported in bytes per second (the target is at least 300 MB/s on one core).
//!
//! Run: `cargo bench -p cable-format --bench parse`. Without `../shared` it prints why and
//! measures nothing.

// Measured with the allocator the `cables` binary uses (mimalloc): the parser allocates many
// small strings, so the allocator is part of the figure.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn corpus_throughput(c: &mut Criterion) {
    let Some(shared) = cable_testdata::require_shared("benchmark parse/corpus") else {
        return;
    };
    let cables: Vec<Vec<u8>> = cable_testdata::corpus_files(&shared)
        .into_iter()
        .map(|(_, path)| {
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        })
        .collect();
    let bytes: usize = cables.iter().map(Vec::len).sum();

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("corpus ({} cables)", cables.len()), |b| {
        b.iter(|| {
            for cable in &cables {
                black_box(cable_format::parse(black_box(cable)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, corpus_throughput);
criterion_main!(benches);
