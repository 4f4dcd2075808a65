//! Sizes of the entropy-coded UltraLogLog register form (`hll_core::ull::coded`) over
//! the cardinality range, against the registers' entropy.
//!
//! ```sh
//! cargo run -p hll-core --release --example ull_sizes             # ~20 s of CPU
//! cargo run -p hll-core --release --example ull_sizes -- --quick  # ~5 s
//! ```
//!
//! For p = 8, 11 and 14 and `n` on a log grid (four points a decade) from `10 * 2^p` to
//! 10^9, each trial is the union of two sketches of `n / 2` distinct hashes, coded;
//! the table gives the mean coded body (the stored value adds its 6-byte header), its
//! bits per register, and two bounds: the plug-in entropy of each sketch's own
//! histogram (what a code fitted to the sketch could reach if its table were free)
//! and the model entropy `m * H(register)` of the register law at `lambda = n / m`.
//!
//! Registers are drawn rather than built from 10^9 hashes: the hashes that reach one
//! register with update value `k` are Binomial(n, 2^-p 2^-k), which for these `n` is
//! Poisson(lambda 2^-k) to within O(1/n), and Poisson counts are independent across `k`
//! and registers. So a register's largest value `u` has P(u <= j) = exp(-lambda (2^-j -
//! 2^-K)) with K = 64 - p (drawn by inversion), and `u - 1`, `u - 2` are seen
//! independently with probability 1 - exp(-lambda 2^-k). The law of a union of two
//! sketches of `n / 2` is the law of one sketch of `n`; the example still merges two,
//! so that the merged bytes are what is coded. A check at the smallest `n` builds real
//! sketches from hashes and prints their mean size beside the simulated one.

use hll_core::hash;
use hll_core::ull::{coded, register, UllRegisters};

/// splitmix64: a small deterministic generator, enough for drawing registers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
}

/// Registers of precision `p` after `lambda * 2^p` distinct hashes (Poisson model).
fn simulate(p: u8, lambda: f64, rng: &mut Rng) -> Vec<u8> {
    let top = u32::from(64 - p);
    let tail = (-f64::from(top)).exp2();
    (0..1usize << p)
        .map(|_| {
            let x = -rng.unit().ln() / lambda + tail;
            let u = (-x.log2()).ceil().clamp(0.0, f64::from(top)) as u32;
            let mut r = 0;
            if u > 0 {
                r = register::update(r, u, p);
                for k in [u - 1, u.saturating_sub(2)] {
                    if k >= 1 && k < u && rng.unit() < -(-lambda * (-f64::from(k)).exp2()).exp_m1()
                    {
                        r = register::update(r, k, p);
                    }
                }
            }
            r
        })
        .collect()
}

/// Entropy in bits of one register under the Poisson model at `lambda`.
fn model_entropy(p: u8, lambda: f64) -> f64 {
    let top = i32::from(64 - p);
    let tail = (-f64::from(top)).exp2();
    // P(u <= j) for j = -1..=top.
    let at_most = |j: i32| -> f64 {
        if j < 0 {
            0.0
        } else {
            (-lambda * ((-f64::from(j)).exp2() - tail)).exp()
        }
    };
    let seen = |k: i32| -> f64 { -(-lambda * (-f64::from(k)).exp2()).exp_m1() };
    let h = |q: f64| if q > 0.0 { -q * q.log2() } else { 0.0 };
    let mut bits = h(at_most(0));
    for u in 1..=top {
        let pu = at_most(u) - at_most(u - 1);
        let a = if u >= 2 { seen(u - 1) } else { 0.0 };
        let b = if u >= 3 { seen(u - 2) } else { 0.0 };
        for (fa, fb) in [(a, b), (a, 1.0 - b), (1.0 - a, b), (1.0 - a, 1.0 - b)] {
            bits += h(pu * fa * fb);
        }
    }
    bits
}

fn coded_len(registers: &[u8], p: u8) -> usize {
    let len = coded::encoded_len(registers, p);
    let mut out = vec![0u8; len];
    coded::encode_into(registers, p, &mut out);
    debug_assert!(coded::decode_into(&out, p, &mut vec![0u8; registers.len()]).is_ok());
    len
}

fn plug_in_entropy_bytes(registers: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &r in registers {
        counts[usize::from(r)] += 1;
    }
    let m = registers.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| -f64::from(c) * (f64::from(c) / m).log2())
        .sum::<f64>()
        / 8.0
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut rng = Rng(2024);
    for (p, trials) in [(8u8, 2000), (11, 400), (14, 40)] {
        let trials = if quick { trials / 10 } else { trials };
        let m = 1usize << p;
        println!("\np = {p} ({m} registers, {trials} trials per n, after a union of two halves)\n");
        println!(
            "| n | coded body B | bits/register | plug-in entropy B | model entropy B | body / model |"
        );
        println!("|---:|---:|---:|---:|---:|---:|");
        let mut worst: f64 = 0.0;
        let start = (10.0 * m as f64).log10();
        let points = ((9.0 - start) * 4.0).ceil() as i32;
        for i in 0..=points {
            let n = 10f64.powf(start + (9.0 - start) * f64::from(i) / f64::from(points));
            let lambda = n / m as f64;
            let (mut bytes, mut plug_in) = (0usize, 0.0);
            for _ in 0..trials {
                let mut r = simulate(p, lambda / 2.0, &mut rng);
                let other = simulate(p, lambda / 2.0, &mut rng);
                for (x, &y) in r.iter_mut().zip(&other) {
                    *x = register::merge(*x, y);
                }
                bytes += coded_len(&r, p);
                plug_in += plug_in_entropy_bytes(&r);
            }
            let mean = bytes as f64 / f64::from(trials);
            let model = model_entropy(p, lambda) * m as f64 / 8.0;
            worst = worst.max(mean);
            println!(
                "| {n:.3e} | {mean:.1} | {:.3} | {:.1} | {model:.1} | {:.3} |",
                8.0 * mean / m as f64,
                plug_in / f64::from(trials),
                mean / model
            );
        }
        // The simulation against real sketches at the smallest n.
        let n = 10 * m as u64;
        let real_trials = if quick { 4 } else { 20 };
        let mut real = 0usize;
        for t in 0..real_trials {
            let mut a = UllRegisters::new_in(p, hll_core::Global).expect("memory");
            let mut b = UllRegisters::new_in(p, hll_core::Global).expect("memory");
            for i in 0..n / 2 {
                a.add_hash(hash::hash_integer(i as i64, t));
                b.add_hash(hash::hash_integer((n / 2 + i) as i64, t));
            }
            a.merge_from(b.bytes(), p);
            real += coded_len(a.bytes(), p);
        }
        println!(
            "\nlargest mean body {worst:.1} B; built from hashes at n = {n}: {:.1} B over {real_trials} trials",
            real as f64 / f64::from(real_trials as u32)
        );
    }
    // Small cardinalities: mostly empty registers.
    println!("\nsmall n, p = 11, built from hashes (one sketch each)\n");
    println!("| n | coded body B |");
    println!("|---:|---:|");
    for n in [0u64, 1, 10, 100, 1_000, 5_000, 20_480] {
        let mut r = UllRegisters::new_in(11, hll_core::Global).expect("memory");
        for i in 0..n {
            r.add_hash(hash::hash_integer(i as i64, 0));
        }
        println!("| {n} | {} |", coded_len(r.bytes(), 11));
    }
}
