//! HLL mode: `k` registers and the running sums the library keeps beside them.
//!
//! Registers are held one byte each whatever the target type. Beside them, as the
//! library keeps and serializes them (estimates are computed from these stored fields,
//! so they are kept with the library's exact floating-point history):
//! - `hip`: the HIP accumulator, `+= k / (kxq0 + kxq1)` on each register change while
//!   the sketch is in order;
//! - `kxq0`, `kxq1`: `sum 2^-v` over registers, split at v = 32 for precision; each
//!   change subtracts the old term and adds the new one;
//! - `cur_min`, `num_at_cur_min`: for HLL_4 the smallest register (the nibble offset)
//!   and how many registers have it; for HLL_6/HLL_8 `cur_min` is 0 and the count is
//!   the number of zero registers (a union's rebuild may set the true minimum);
//! - `out_of_order`: set by unions; then the estimate is the composite estimator;
//! - `rebuild`: a union merged registers without maintaining the sums (never serialized).
//!
//! HLL_4 also carries its exception table, whose layout follows the update history.

use super::aux_map::{AuxMap, LG_AUX_ARR_INTS};
use super::coupon;
use super::sketch::TargetType;

/// `2^-v` (exact in f64 for every register value).
pub fn inv_pow2(v: u8) -> f64 {
    f64::from_bits((1023 - u64::from(v)) << 52)
}

#[derive(Debug, Clone, PartialEq)]
pub struct HllArray {
    pub lg_k: u8,
    pub target: TargetType,
    pub regs: Vec<u8>,
    pub hip: f64,
    pub kxq0: f64,
    pub kxq1: f64,
    pub cur_min: u8,
    pub num_at_cur_min: u32,
    pub out_of_order: bool,
    pub rebuild: bool,
    pub full_size: bool,
    /// HLL_4 only: the exception table (None when no register needs one).
    pub aux: Option<AuxMap>,
}

impl HllArray {
    pub fn new(lg_k: u8, target: TargetType) -> Self {
        let k = 1u32 << lg_k;
        HllArray {
            lg_k,
            target,
            regs: vec![0; k as usize],
            hip: 0.0,
            kxq0: f64::from(k),
            kxq1: 0.0,
            cur_min: 0,
            num_at_cur_min: k,
            out_of_order: false,
            rebuild: false,
            full_size: false,
            aux: None,
        }
    }

    pub fn k(&self) -> u32 {
        1 << self.lg_k
    }

    /// Whether every register is zero.
    pub fn all_zero(&self) -> bool {
        self.regs.iter().all(|&r| r == 0)
    }

    /// The library's emptiness test on the kept fields.
    pub fn stored_empty(&self) -> bool {
        self.cur_min == 0 && self.num_at_cur_min == self.k()
    }

    fn hip_and_kxq(&mut self, old: u8, new: u8) {
        if !self.out_of_order {
            self.hip += f64::from(self.k()) / (self.kxq0 + self.kxq1);
        }
        if old < 32 {
            self.kxq0 -= inv_pow2(old);
        } else {
            self.kxq1 -= inv_pow2(old);
        }
        if new < 32 {
            self.kxq0 += inv_pow2(new);
        } else {
            self.kxq1 += inv_pow2(new);
        }
    }

    /// Adds a coupon the way the library's array of this target type does.
    pub fn update(&mut self, c: u32) {
        let slot = (coupon::address(c) & (self.k() - 1)) as usize;
        let new = coupon::value(c);
        match self.target {
            TargetType::Hll6 | TargetType::Hll8 => {
                let old = self.regs[slot];
                if new > old {
                    self.regs[slot] = new;
                    self.hip_and_kxq(old, new);
                    if old == 0 {
                        self.num_at_cur_min -= 1;
                    }
                }
            }
            TargetType::Hll4 => self.update4(slot, new),
        }
    }

    fn update4(&mut self, slot: usize, new: u8) {
        if new <= self.cur_min {
            return;
        }
        let old = self.regs[slot];
        if new <= old {
            return;
        }
        self.hip_and_kxq(old, new);
        self.regs[slot] = new;
        let old_in_aux = old - self.cur_min >= 15;
        if new - self.cur_min >= 15 {
            let lg_k = self.lg_k;
            let aux = self
                .aux
                .get_or_insert_with(|| AuxMap::new(LG_AUX_ARR_INTS[usize::from(lg_k)], lg_k));
            if old_in_aux {
                aux.replace(slot as u32, new);
            } else {
                aux.add(slot as u32, new)
                    .expect("a slot enters the exception table once");
            }
        }
        if old == self.cur_min {
            self.num_at_cur_min -= 1;
            while self.num_at_cur_min == 0 {
                self.shift_cur_min();
            }
        }
    }

    /// HLL_4: every register is above `cur_min`, so the offset goes up by one; entries
    /// of the exception table that now fit in a nibble (exactly 14 above the new
    /// offset) leave it, the rest move to a new table in old table order.
    fn shift_cur_min(&mut self) {
        let new_min = self.cur_min + 1;
        self.num_at_cur_min = self.regs.iter().filter(|&&r| r == new_min).count() as u32;
        if let Some(old) = self.aux.take() {
            let mut fresh: Option<AuxMap> = None;
            for e in old.iter() {
                let v = coupon::value(e);
                if v - new_min >= 15 {
                    fresh
                        .get_or_insert_with(|| {
                            AuxMap::new(LG_AUX_ARR_INTS[usize::from(self.lg_k)], self.lg_k)
                        })
                        .add(coupon::address(e), v)
                        .expect("distinct slots");
                }
            }
            self.aux = fresh;
        }
        self.cur_min = new_min;
    }

    /// The array in another target type (or a fresh copy when the sums must be
    /// rebuilt): the library replays the non-zero registers in slot order into an empty
    /// array, which rebuilds `kxq`, `cur_min` and the exception table, then keeps the
    /// source's HIP accumulator and flags.
    pub fn convert(&self, target: TargetType) -> HllArray {
        let mut out = HllArray::new(self.lg_k, target);
        out.out_of_order = self.out_of_order;
        out.full_size = self.full_size;
        for (slot, &v) in self.regs.iter().enumerate() {
            if v != 0 {
                out.update(coupon::pair(slot as u32, v));
            }
        }
        out.hip = self.hip;
        out
    }

    /// Register-wise maximum of `src` into this HLL_8 union array, folding a larger
    /// source onto this lg_k (slot `i` goes to `i mod k`); the sums go stale.
    pub fn merge(&mut self, src: &HllArray) {
        let mask = self.k() as usize - 1;
        for (i, &v) in src.regs.iter().enumerate() {
            let r = &mut self.regs[i & mask];
            *r = (*r).max(v);
        }
        self.rebuild = true;
    }

    /// Recomputes the stale sums after merges, with the library's arithmetic (terms of
    /// registers from 32 up go to `kxq1` as `2^-v - 1`; only the total matters).
    pub fn rebuild_sums(&mut self) {
        if !self.rebuild {
            return;
        }
        let mut kxq0 = f64::from(self.k());
        let mut kxq1 = 0.0;
        let mut cur_min = 64u8;
        let mut num = 0u32;
        for &v in &self.regs {
            if v > 0 {
                if v < 32 {
                    kxq0 += inv_pow2(v) - 1.0;
                } else {
                    kxq1 += inv_pow2(v) - 1.0;
                }
            }
            if v < cur_min {
                cur_min = v;
                num = 1;
            } else if v == cur_min {
                num += 1;
            }
        }
        self.kxq0 = kxq0;
        self.kxq1 = kxq1;
        self.cur_min = cur_min;
        self.num_at_cur_min = num;
        self.rebuild = false;
    }

    /// A new HLL_8 array of `lg_k` (below this one's) holding this one folded, with
    /// this one's HIP accumulator and order flag; its sums are stale.
    pub fn downsample(&self, lg_k: u8) -> HllArray {
        let mut out = HllArray::new(lg_k, TargetType::Hll8);
        out.merge(self);
        out.hip = self.hip;
        out.out_of_order = self.out_of_order;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_powers_are_exact() {
        for v in 0..=63u8 {
            assert_eq!(inv_pow2(v), 2f64.powi(-i32::from(v)));
        }
    }

    #[test]
    fn hll4_offset_tracks_the_minimum() {
        let mut a = HllArray::new(4, TargetType::Hll4);
        for slot in 0..16u32 {
            a.update(coupon::pair(slot, 3 + (slot % 2) as u8));
        }
        assert_eq!(a.cur_min, 3);
        assert_eq!(a.num_at_cur_min, 8);
        a.update(coupon::pair(0, 30));
        assert_eq!(a.aux.as_ref().map(AuxMap::count), Some(1));
        let mut b = HllArray::new(4, TargetType::Hll8);
        for slot in 0..16u32 {
            b.update(coupon::pair(slot, 3 + (slot % 2) as u8));
        }
        b.update(coupon::pair(0, 30));
        assert_eq!(a.regs, b.regs);
        assert_eq!((a.kxq0, a.kxq1, a.hip), (b.kxq0, b.kxq1, b.hip));
        // Converting either way gives the same registers and sums.
        let c = b.convert(TargetType::Hll4);
        assert_eq!(
            (c.regs.clone(), c.cur_min, c.num_at_cur_min),
            (a.regs.clone(), 3, 7)
        );
    }

    #[test]
    fn rebuild_gives_true_sums() {
        let mut a = HllArray::new(5, TargetType::Hll8);
        let mut src = HllArray::new(6, TargetType::Hll8);
        for s in 0..64u32 {
            src.update(coupon::pair(s, (s % 40 + 1) as u8));
        }
        a.merge(&src);
        assert!(a.rebuild);
        a.rebuild_sums();
        let exact: f64 = a.regs.iter().map(|&v| inv_pow2(v)).sum();
        assert!(((a.kxq0 + a.kxq1) - exact).abs() < 1e-12);
        assert_eq!(a.cur_min, *a.regs.iter().min().unwrap());
    }
}
