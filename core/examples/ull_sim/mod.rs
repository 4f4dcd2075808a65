//! What the UltraLogLog studies share (ull_accuracy, ull_mvp): a seeded generator and
//! the skip simulation that makes 10^9 distinct values affordable. Each example uses
//! part of it, so unused parts are not warned about.
#![allow(dead_code)]

use hll_core::ull::register;

/// splitmix64: a fast generator whose streams from distinct seeds are independent for
/// this purpose.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The smallest update value that would change register byte `r` at precision `p`
/// (`65 - p`, beyond every value, for a register nothing can change).
fn smallest_change(r: u8, p: u8) -> usize {
    if r == 0 {
        return 1;
    }
    let u = usize::from(register::max_update_value(r, p));
    let k = if u >= 3 && r & 1 == 0 {
        u - 2
    } else if u >= 2 && r & 2 == 0 {
        u - 1
    } else {
        u + 1
    };
    k.min(65 - usize::from(p))
}

/// The registers of one stream of hashes, with their byte histogram and the count of
/// registers per smallest changing value kept up to date.
pub struct Sim {
    pub p: u8,
    pub regs: Vec<u8>,
    pub hist: [u32; 256],
    by_change: [u32; 66],
    kmin: usize,
}

impl Sim {
    pub fn new(p: u8) -> Self {
        let m = 1u32 << p;
        let mut hist = [0u32; 256];
        hist[0] = m;
        let mut by_change = [0u32; 66];
        by_change[1] = m;
        Sim {
            p,
            regs: vec![0; m as usize],
            hist,
            by_change,
            kmin: 1,
        }
    }

    pub fn add(&mut self, hash: u64) {
        let Some((i, k)) = register::index_and_update_value(hash, self.p) else {
            return;
        };
        let r = self.regs[i];
        let next = register::update(r, k, self.p);
        if next != r {
            self.regs[i] = next;
            self.hist[usize::from(r)] -= 1;
            self.hist[usize::from(next)] += 1;
            self.by_change[smallest_change(r, self.p)] -= 1;
            self.by_change[smallest_change(next, self.p)] += 1;
            while self.kmin < 65 && self.by_change[self.kmin] == 0 {
                self.kmin += 1;
            }
        }
    }

    /// Adds hashes until `n` have been added in all (from `*done`). A register changes
    /// only on an update value of at least `kmin`, the smallest that changes any
    /// register; a hash below it is a no-op, each hash independently with probability
    /// `1 - 2^-(kmin - 1)`. So the number of no-ops before the next hash that may
    /// change something is geometric, and that hash is uniform among those whose
    /// `kmin - 1` lowest bits above the index are zero: the registers then have exactly
    /// the distribution of adding every hash.
    pub fn advance(&mut self, rng: &mut Rng, done: &mut u64, n: u64) {
        while *done < n {
            if self.kmin <= 1 {
                self.add(rng.next());
                *done += 1;
                continue;
            }
            if self.kmin >= 65 - usize::from(self.p) {
                *done = n; // nothing can change any more
                return;
            }
            let zeros = self.kmin as u32 - 1;
            let q = (-f64::from(zeros)).exp2();
            let skip = (rng.unit().ln() / (-q).ln_1p()).floor();
            if skip >= (n - *done) as f64 {
                *done = n;
                return;
            }
            *done += skip as u64 + 1;
            let mask = ((1u64 << zeros) - 1) << self.p;
            self.add(rng.next() & !mask);
        }
    }
}
