//! Criterion benchmarks of the core: adding hashes in each representation, unions of
//! FULL sketches, the estimator, and the storage format both ways.
//! Run: `cargo bench -p hll-core` (results under target/criterion).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use hll_core::{hash, Params, Sketch, StoredSketch};

fn hashes(n: usize, seed: i64) -> Vec<u64> {
    (0..n as i64).map(|i| hash::hash_integer(i, seed)).collect()
}

fn built(params: Params, n: usize, seed: i64) -> Sketch {
    let mut s = Sketch::new(params);
    for h in hashes(n, seed) {
        s.add_hash(h).unwrap();
    }
    s
}

fn add(c: &mut Criterion) {
    let mut group = c.benchmark_group("add_hash");
    let default = Params::default();
    let no_explicit = Params::new(11, 5, 0, 1).unwrap();
    // (name, parameters, hashes already in the sketch, hashes added per iteration)
    let cases = [
        ("explicit", default, 0, 150),
        ("sparse", no_explicit, 0, 400),
        ("dense", default, 100_000, 100_000),
        (
            "dense_log2m_14",
            Params::new(14, 5, -1, 1).unwrap(),
            1_000_000,
            100_000,
        ),
    ];
    for (name, params, prefill, n) in cases {
        let start = built(params, prefill, 1);
        let new = hashes(n, 2);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || start.clone(),
                |s| {
                    for &h in &new {
                        s.add_hash(h).unwrap();
                    }
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
    c.bench_function("hash_integer", |b| {
        let mut i = 0i64;
        b.iter(|| {
            i += 1;
            hash::hash_integer(black_box(i), 0)
        })
    });
}

fn union(c: &mut Criterion) {
    let mut group = c.benchmark_group("union_full");
    for log2m in [11, 14] {
        let params = Params::new(log2m, 5, -1, 1).unwrap();
        let (a, b) = (built(params, 1 << 20, 3), built(params, 1 << 20, 4));
        let b_bytes = b.encode().unwrap();
        group.throughput(Throughput::Bytes(b_bytes.len() as u64));
        group.bench_function(format!("in_memory_log2m_{log2m}"), |bench| {
            bench.iter_batched_ref(
                || a.clone(),
                |x| x.union(&b).unwrap(),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(format!("from_bytes_log2m_{log2m}"), |bench| {
            bench.iter_batched_ref(
                || a.clone(),
                |x| x.union(&StoredSketch::parse(&b_bytes).unwrap()).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn estimate_and_format(c: &mut Criterion) {
    let full = built(Params::default(), 1 << 20, 5);
    let full_bytes = full.encode().unwrap();
    let sparse = built(Params::new(11, 5, 0, 1).unwrap(), 300, 6);
    let sparse_bytes = sparse.encode().unwrap();
    c.bench_function("cardinality_full_in_memory", |b| {
        b.iter(|| black_box(&full).cardinality())
    });
    c.bench_function("cardinality_full_from_bytes", |b| {
        b.iter(|| {
            StoredSketch::parse(black_box(&full_bytes))
                .unwrap()
                .cardinality()
        })
    });
    let histogram = full.histogram();
    c.bench_function("estimate_from_histogram", |b| {
        b.iter(|| hll_core::estimate::estimate(black_box(&histogram), &Params::default()))
    });
    c.bench_function("encode_full", |b| {
        b.iter(|| black_box(&full).encode().unwrap())
    });
    c.bench_function("decode_full", |b| {
        b.iter(|| Sketch::decode(black_box(&full_bytes)).unwrap())
    });
    c.bench_function("encode_sparse_300", |b| {
        b.iter(|| black_box(&sparse).encode().unwrap())
    });
    c.bench_function("decode_sparse_300", |b| {
        b.iter(|| Sketch::decode(black_box(&sparse_bytes)).unwrap())
    });
}

criterion_group!(benches, add, union, estimate_and_format);
criterion_main!(benches);
