//! Generation throughput: one hundred cables of a set per iteration, reported in bytes per
//! second of cable text.
//!
//! Run: `cargo bench -p cable-synth --bench generate`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn generate(c: &mut Criterion) {
    let set = cable_synth::generate(1, 100_000);
    let bytes: usize = (0..100).map(|i| set.cable(i * 1000).text.len()).sum();
    let mut group = c.benchmark_group("generate");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("100 cables of a 100,000-cable set", |b| {
        b.iter(|| {
            for i in 0..100 {
                black_box(set.cable(black_box(i * 1000)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
