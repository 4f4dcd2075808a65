//! The stored memory-variance product of the UltraLogLog at p = 11 after a union
//! (issue 21, item 4), beside `hll`'s at log2m 11, regwidth 5.
//!
//! ```sh
//! cargo run -p hll-core --release --example ull_mvp                        # 2,000 trials
//! cargo run -p hll-core --release --example ull_mvp -- --trials 200 --threads 1
//! cargo run -p hll-core --release --example ull_mvp -- --csv out.csv --exact-max 1000000
//! ```
//!
//! For `n` on a log grid (four points a decade) from `10 * 2^11` to 10^9, every trial
//! builds two sketches of half the items each, unions their registers, stores the union
//! with [`hll_core::ull::storage::encode`] (the stored `ull` value: 6-byte header and
//! the CODED registers, or DENSE where coding would not be smaller) and estimates it
//! with FGRA and ML. The `hll` of the same hashes (log2m 11, regwidth 5) is the exact
//! conversion of the union ([`hll_core::ull::UllSketch::to_hll`], byte-identical to
//! `hll_add_agg` over the same hashes, tested in the core), stored with
//! [`hll_core::Sketch::encode`] and estimated with the improved estimator. Output per
//! `n`: mean stored bytes, bias and RMSE of each estimator, and the stored MVP =
//! relative variance (RMSE^2) x stored bits.
//!
//! # The items, and how 10^9 of them stay affordable
//! Trial `t` counts the integers `t * 2^32 + i`, `i = 0..n`, hashed as
//! `hll_hash_bigint` does ([`hll_core::hash::hash_integer`], seed 0); item `i` goes to
//! the first half when `i` is even, to the second when odd. bench/ull_mvp.py feeds the
//! same integers, split the same way, to DataSketches CPC. Up to `--exact-max` items
//! (default 10^6) every item is hashed and added. Past it each half goes on with the
//! skip simulation of core/examples/ull_accuracy.rs (its module comment has the
//! argument): a hash can change a register only if its update value is at least the
//! smallest value `kmin` that would change any register, so the number of hashes that
//! cannot is geometric with parameter `2^-(kmin - 1)` and the next one that may is a
//! uniform hash with its `kmin - 1` lowest non-index bits cleared. Under the model every
//! estimator assumes (hashes of distinct items are independent and uniform) the
//! registers then have exactly the law of adding every hash; the items past
//! `--exact-max` are not hashed one by one.

use std::io::Write as _;
use std::time::Instant;

use hll_core::hash::hash_integer;
use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::{storage, UllParams, UllRegisters, UllSketch};
use hll_core::Global;
use hll_core::{Estimator, Params};

mod ull_sim;
use ull_sim::{Rng, Sim};

const P: u8 = 11;

/// One half: the registers of its hashes and how many items it has had.
struct Half {
    sim: Sim,
    done: u64,
}

impl Half {
    fn new() -> Self {
        Half {
            sim: Sim::new(P),
            done: 0,
        }
    }

    /// Adds the (simulated) hashes of items until `target` have been added.
    fn skip_to(&mut self, rng: &mut Rng, target: u64) {
        self.sim.advance(rng, &mut self.done, target);
    }
}

/// Sums over trials at one `n`.
#[derive(Clone, Copy, Default)]
struct Acc {
    trials: u64,
    ull_bytes: f64,
    ull_coded: u64,
    hll_bytes: f64,
    /// Sum and sum of squares of (estimate / n - 1): FGRA, ML, hll improved.
    err: [f64; 3],
    err2: [f64; 3],
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.trials += o.trials;
        self.ull_bytes += o.ull_bytes;
        self.ull_coded += o.ull_coded;
        self.hll_bytes += o.hll_bytes;
        for i in 0..3 {
            self.err[i] += o.err[i];
            self.err2[i] += o.err2[i];
        }
    }
}

/// The stored `ull` of the union of the two halves, and the `hll` of the same hashes.
fn measure(a: &Half, b: &Half, n: u64, hll_params: Params, acc: &mut Acc) {
    // The union's registers as a sketch, so that its stored form and estimates come
    // from the library's own code.
    let mut registers = UllRegisters::new_in(P, Global).expect("memory");
    registers.bytes_mut().copy_from_slice(&a.sim.regs);
    registers.merge_from(&b.sim.regs, P);
    let params = UllParams::new(i64::from(P), -1).expect("valid parameters");
    let ull = UllSketch::from_registers(params, registers, Global);
    let stored = storage::encode(&ull).expect("encode");
    let hll = ull.to_hll(hll_params).expect("to_hll");
    let hll_stored = hll.encode().expect("encode hll");
    let estimates = [
        ull.cardinality(UllEstimator::Fgra),
        ull.cardinality(UllEstimator::MaximumLikelihood),
        hll.cardinality_with(Estimator::Improved)
            .expect("dense hll"),
    ];
    acc.trials += 1;
    acc.ull_bytes += stored.len() as f64;
    acc.ull_coded += u64::from(stored[1] == 3);
    acc.hll_bytes += hll_stored.len() as f64;
    for (i, e) in estimates.iter().enumerate() {
        let err = e / n as f64 - 1.0;
        acc.err[i] += err;
        acc.err2[i] += err * err;
    }
}

/// One trial over every `n` of the grid.
fn trial(t: u64, grid: &[u64], exact_max: u64, hll_params: Params, acc: &mut [Acc]) {
    let mut halves = [Half::new(), Half::new()];
    let mut rngs = [
        Rng(t.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ 0x5151),
        Rng(t.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ 0xa2a2),
    ];
    let base = (t as i64) << 32;
    let mut items = 0u64;
    for (j, &n) in grid.iter().enumerate() {
        let exact_to = n.min(exact_max);
        while items < exact_to {
            halves[(items & 1) as usize]
                .sim
                .add(hash_integer(base + items as i64, 0));
            halves[(items & 1) as usize].done += 1;
            items += 1;
        }
        if n > exact_max {
            items = n;
            let [first, second] = &mut halves;
            first.skip_to(&mut rngs[0], n.div_ceil(2));
            second.skip_to(&mut rngs[1], n / 2);
        }
        measure(&halves[0], &halves[1], n, hll_params, &mut acc[j]);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1].clone())
    };
    let trials: u64 = arg("--trials").map_or(2000, |v| v.parse().expect("--trials"));
    let exact_max: u64 = arg("--exact-max").map_or(1_000_000, |v| v.parse().expect("--exact-max"));
    let threads: u64 = arg("--threads").map_or(2, |v| v.parse().expect("--threads"));
    let csv = arg("--csv");
    let m = 1u64 << P;
    let start = (10.0 * m as f64).log10();
    let points = ((9.0 - start) * 4.0).ceil() as i32;
    let grid: Vec<u64> = (0..=points)
        .map(|i| {
            10f64
                .powf(start + (9.0 - start) * f64::from(i) / f64::from(points))
                .round() as u64
        })
        .collect();
    let hll_params = Params::new(i64::from(P), 5, -1, 1).expect("hll params");
    let clock = Instant::now();
    let next = std::sync::atomic::AtomicU64::new(0);
    let totals: Vec<Vec<Acc>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut acc = vec![Acc::default(); grid.len()];
                    loop {
                        let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if t >= trials {
                            return acc;
                        }
                        trial(t, &grid, exact_max, hll_params, &mut acc);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut acc = vec![Acc::default(); grid.len()];
    for part in &totals {
        for (a, b) in acc.iter_mut().zip(part) {
            a.add(b);
        }
    }
    let mut out = String::from(
        "n,trials,exact,ull_bytes,ull_coded_share,hll_bytes,fgra_bias,fgra_rmse,ml_bias,ml_rmse,\
         hll_bias,hll_rmse,fgra_mvp,ml_mvp,hll_mvp\n",
    );
    println!(
        "p = {P}: {trials} trials per n, each the union of two halves; items hashed one by one up to {exact_max}, skip simulation past it\n"
    );
    println!("| n | ull stored B | FGRA RMSE | ML RMSE | FGRA MVP | ML MVP | hll stored B | hll RMSE | hll MVP |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (&n, a) in grid.iter().zip(&acc) {
        let t = a.trials as f64;
        let ull_bytes = a.ull_bytes / t;
        let hll_bytes = a.hll_bytes / t;
        let bias: Vec<f64> = a.err.iter().map(|s| s / t).collect();
        let rmse: Vec<f64> = a.err2.iter().map(|s| (s / t).sqrt()).collect();
        let mvp = |r: f64, bytes: f64| r * r * 8.0 * bytes;
        let mvps = [
            mvp(rmse[0], ull_bytes),
            mvp(rmse[1], ull_bytes),
            mvp(rmse[2], hll_bytes),
        ];
        println!(
            "| {n} | {ull_bytes:.1} | {:.3}% | {:.3}% | {:.3} | {:.3} | {hll_bytes:.0} | {:.3}% | {:.3} |",
            100.0 * rmse[0],
            100.0 * rmse[1],
            mvps[0],
            mvps[1],
            100.0 * rmse[2],
            mvps[2]
        );
        out.push_str(&format!(
            "{n},{},{},{ull_bytes:.3},{:.4},{hll_bytes:.3},{:.6e},{:.6e},{:.6e},{:.6e},{:.6e},{:.6e},{:.4},{:.4},{:.4}\n",
            a.trials,
            u8::from(n <= exact_max),
            a.ull_coded as f64 / t,
            bias[0],
            rmse[0],
            bias[1],
            rmse[1],
            bias[2],
            rmse[2],
            mvps[0],
            mvps[1],
            mvps[2]
        ));
    }
    println!("\nelapsed {:.1} s", clock.elapsed().as_secs_f64());
    if let Some(path) = csv {
        let mut f = std::fs::File::create(&path).expect("create csv");
        f.write_all(out.as_bytes()).expect("write csv");
    }
}
