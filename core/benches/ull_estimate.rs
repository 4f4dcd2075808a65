//! Criterion benchmarks of the UltraLogLog estimators from a register byte histogram
//! (issue 21's budget at p = 11: FGRA well under 3 us, ML under 10 us), and of building
//! the histogram from the 2^p register bytes, which an estimate of stored registers adds.
//! Run: `cargo bench -p hll-core --bench ull_estimate`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hll_core::hash;
use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::registers::histogram;
use hll_core::ull::UllRegisters;

fn registers(p: u8, n: i64) -> UllRegisters {
    let mut r = UllRegisters::new_in(p, allocator_api2::alloc::Global).unwrap();
    for i in 0..n {
        r.add_hash(hash::hash_integer(i, 0));
    }
    r
}

fn estimators(c: &mut Criterion) {
    let mut group = c.benchmark_group("ull_estimate");
    // Small range (most registers empty), mid range, and large range at p = 11; p = 14.
    for (p, n) in [
        (11u8, 1_000i64),
        (11, 20_000),
        (11, 1_000_000),
        (14, 1_000_000),
    ] {
        let regs = registers(p, n);
        let h = histogram(regs.bytes());
        for e in [UllEstimator::Fgra, UllEstimator::MaximumLikelihood] {
            group.bench_function(format!("{}/p{p}/n{n}", e.name()), |b| {
                b.iter(|| e.estimate(black_box(&h), p))
            });
        }
        group.bench_function(format!("histogram/p{p}/n{n}"), |b| {
            b.iter(|| histogram(black_box(regs.bytes())))
        });
        let est = UllEstimator::Fgra.estimate(&h, p);
        group.bench_function(format!("bounds/p{p}/n{n}"), |b| {
            b.iter(|| UllEstimator::Fgra.bounds(black_box(est), p, 0.95))
        });
    }
    group.finish();
}

criterion_group!(benches, estimators);
criterion_main!(benches);
