//! Criterion benchmarks of the entropy-coded UltraLogLog register form
//! (`hll_core::ull::coded`): encoding, decoding, the fused decode-and-merge that unions
//! of stored sketches use, and the histogram of a coded value, at p = 8, 11 and 14 for
//! a sketch of `100 * 2^p` distinct hashes (a union of two halves).
//! Run: `cargo bench -p hll-core --bench ull_coded` (results under target/criterion).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hll_core::hash;
use hll_core::ull::{coded, UllRegisters};

/// Registers of precision `p` built from `n` distinct hashes, as the union of two
/// sketches of `n / 2` each.
fn registers(p: u8, n: u64) -> Vec<u8> {
    let mut a = UllRegisters::new_in(p, hll_core::Global).expect("memory");
    let mut b = UllRegisters::new_in(p, hll_core::Global).expect("memory");
    for i in 0..n / 2 {
        a.add_hash(hash::hash_integer(i as i64, 1));
        b.add_hash(hash::hash_integer((n / 2 + i) as i64, 1));
    }
    a.merge_from(b.bytes(), p);
    a.bytes().to_vec()
}

fn coded_form(c: &mut Criterion) {
    for p in [8u8, 11, 14] {
        let m = 1usize << p;
        let regs = registers(p, 100 * m as u64);
        let mut stored = vec![0u8; coded::encoded_len(&regs, p)];
        coded::encode_into(&regs, p, &mut stored);
        // Another sketch of the same size to merge into.
        let other = registers(p, 100 * m as u64 + 1);

        let mut group = c.benchmark_group(format!("ull_coded_p{p}"));
        group.throughput(Throughput::Elements(m as u64));
        group.bench_function("encode", |b| {
            b.iter(|| {
                let regs = black_box(&regs);
                let mut out = vec![0u8; coded::encoded_len(regs, p)];
                coded::encode_into(regs, p, &mut out);
                out
            })
        });
        let mut out = vec![0u8; m];
        group.bench_function("decode_into", |b| {
            b.iter(|| coded::decode_into(black_box(&stored), p, &mut out).expect("valid"))
        });
        let mut dst = other.clone();
        group.bench_function("decode_merge", |b| {
            // Merging is idempotent, so merging into the same registers again and
            // again costs what the first merge costs.
            b.iter(|| coded::decode_merge(black_box(&stored), p, &mut dst).expect("valid"))
        });
        group.bench_function("histogram", |b| {
            b.iter(|| coded::histogram(black_box(&stored), p).expect("valid"))
        });
        group.finish();
    }
}

criterion_group!(benches, coded_form);
criterion_main!(benches);
