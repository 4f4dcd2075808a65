//! Criterion benchmarks of the moving-window states (`hll_core::window`): a row
//! entering and the oldest leaving a frame of 40,000 live rows (a one-hour-like frame)
//! at log2m = p = 11, against adding the row to a plain sketch; the count and the
//! sketch of a frame; and the union queue over stored-size sketches.
//! Run: `cargo bench -p hll-core --bench window`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::{UllParams, UllSketch};
use hll_core::window::{SlidingHll, SlidingUll, SlidingUnion};
use hll_core::{hash, Estimator, Params, Sketch};

/// Live rows in the frame.
const FRAME: usize = 40_000;
/// Rows moved through the frame per measured iteration.
const STEPS: usize = 10_000;

/// Row hashes: 1,000,000 events over 150,000 users.
fn hashes(n: usize) -> Vec<u64> {
    (0..n as i64)
        .map(|i| hash::hash_integer(i.wrapping_mul(7919) % 150_000, 0))
        .collect()
}

fn rows(c: &mut Criterion) {
    let all = hashes(FRAME + 200 * STEPS);
    let mut group = c.benchmark_group("window_row");
    group.throughput(Throughput::Elements(STEPS as u64));

    let mut plain = Sketch::new(Params::default());
    for &h in &all[..FRAME] {
        plain.add_hash(h).unwrap();
    }
    let mut next = FRAME;
    group.bench_function("plain_add_hash", |b| {
        b.iter(|| {
            for &h in &all[next..next + STEPS] {
                plain.add_hash(black_box(h)).unwrap();
            }
            next = if next + 2 * STEPS > all.len() {
                FRAME
            } else {
                next + STEPS
            };
        })
    });

    let mut hll = SlidingHll::new(Params::default());
    let mut ull = SlidingUll::new(UllParams::default());
    for &h in &all[..FRAME] {
        hll.push(h).unwrap();
        ull.push(h).unwrap();
    }
    run(
        &mut group,
        "sliding_hll_push_pop",
        &all,
        &mut hll,
        |s, h| s.push(h).unwrap(),
        |s, h| s.pop(h).unwrap(),
    );
    run(
        &mut group,
        "sliding_ull_push_pop",
        &all,
        &mut ull,
        |s, h| s.push(h).unwrap(),
        |s, h| s.pop(h).unwrap(),
    );
    group.finish();

    let mut group = c.benchmark_group("window_final");
    group.bench_function("sliding_hll_cardinality", |b| {
        b.iter(|| black_box(&hll).cardinality(Estimator::Improved))
    });
    group.bench_function("plain_cardinality", |b| {
        b.iter(|| black_box(&plain).cardinality_with(Estimator::Improved))
    });
    group.bench_function("sliding_ull_cardinality", |b| {
        b.iter(|| black_box(&ull).cardinality(UllEstimator::Fgra))
    });
    let plain_ull = ull.sketch().unwrap();
    group.bench_function("plain_ull_cardinality", |b| {
        b.iter(|| black_box(&plain_ull).cardinality(UllEstimator::Fgra))
    });
    group.bench_function("sliding_hll_sketch_encode", |b| {
        b.iter(|| black_box(&hll).sketch().unwrap().encode().unwrap())
    });
    let frame_sketch = hll.sketch().unwrap();
    group.bench_function("plain_hll_encode", |b| {
        b.iter(|| black_box(&frame_sketch).encode().unwrap())
    });
    group.bench_function("sliding_hll_sketch", |b| {
        b.iter(|| black_box(&hll).sketch().unwrap())
    });
    group.bench_function("plain_ull_encode", |b| {
        b.iter(|| hll_core::ull::storage::encode(black_box(&plain_ull)).unwrap())
    });
    group.bench_function("sliding_ull_sketch", |b| {
        b.iter(|| black_box(&ull).sketch().unwrap())
    });
    group.finish();
    eprintln!(
        "40,000 live rows at p = 11: hll {} pairs, {} bytes; ull {} pairs, {} bytes",
        hll.kept_pairs(),
        hll.allocated_bytes(),
        ull.kept_pairs(),
        ull.allocated_bytes()
    );
}

/// One row entering and the oldest leaving, `STEPS` times per iteration; the frame
/// moves forward through `all` and starts over by draining itself.
fn run<T>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    all: &[u64],
    state: &mut T,
    push: fn(&mut T, u64),
    pop: fn(&mut T, u64),
) {
    let mut head = FRAME;
    group.bench_function(name, |b| {
        b.iter(|| {
            if head + STEPS > all.len() {
                for &h in &all[head - FRAME..head] {
                    pop(state, h);
                }
                for &h in &all[..FRAME] {
                    push(state, h);
                }
                head = FRAME;
            }
            for i in head..head + STEPS {
                push(state, black_box(all[i]));
                pop(state, black_box(all[i - FRAME]));
            }
            head += STEPS;
        })
    });
}

/// Rolling unions of daily sketches (FULL at p = 11): a frame of 30 and of 720 inputs,
/// per input entering and leaving, with the frame's result, against one plain union.
fn unions(c: &mut Criterion) {
    let days: Vec<Sketch> = (0..1_000i64)
        .map(|d| {
            let mut s = Sketch::new(Params::default());
            for i in 0..3_000 {
                s.add_hash(hash::hash_integer(d * 1_000 + i, 0)).unwrap();
            }
            s
        })
        .collect();
    let ull_days: Vec<UllSketch> = (0..1_000i64)
        .map(|d| {
            let mut s = UllSketch::new(UllParams::default());
            for i in 0..3_000 {
                s.add_hash(hash::hash_integer(d * 1_000 + i, 0)).unwrap();
            }
            s
        })
        .collect();
    let mut group = c.benchmark_group("window_union");
    group.throughput(Throughput::Elements(days.len() as u64));
    group.bench_function("plain_union", |b| {
        b.iter(|| {
            let mut u = Sketch::new(Params::default());
            for d in &days {
                u.union(black_box(d)).unwrap();
            }
            u
        })
    });
    group.bench_function("plain_ull_union", |b| {
        b.iter(|| {
            let mut u = UllSketch::new(UllParams::default());
            for d in &ull_days {
                u.union(black_box(d)).unwrap();
            }
            u
        })
    });
    for frame in [30usize, 720] {
        group.bench_function(format!("hll_rolling_{frame}"), |b| {
            b.iter(|| {
                let mut q = SlidingUnion::new_in(hll_core::Global);
                for (i, d) in days.iter().enumerate() {
                    q.push(d.try_clone().unwrap()).unwrap();
                    if i >= frame {
                        q.pop().unwrap();
                    }
                    black_box(q.result().unwrap());
                }
            })
        });
        group.bench_function(format!("ull_rolling_{frame}"), |b| {
            b.iter(|| {
                let mut q = SlidingUnion::new_in(hll_core::Global);
                for (i, d) in ull_days.iter().enumerate() {
                    q.push(d.try_clone().unwrap()).unwrap();
                    if i >= frame {
                        q.pop().unwrap();
                    }
                    black_box(q.result().unwrap());
                }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = rows, unions
}
criterion_main!(benches);
