//! The library's union operator (`hll_union` / `Union`).
//!
//! The union keeps a *gadget*, an HLL_8 sketch of at most `lg_max_k`, and folds each
//! input into it by the library's rules:
//! - an empty input changes nothing;
//! - LIST/SET input: into an empty gadget of the same lg_k its coupons are copied;
//!   otherwise they are added one by one (in order, with HIP updates while in order);
//! - HLL input into an empty gadget: a copy as HLL_8, folded down to `lg_max_k` if
//!   larger (a copy keeps the input's HIP accumulator and order flag);
//! - HLL input into a LIST/SET gadget: the copy as above, then the gadget's coupons
//!   added to it;
//! - HLL input into an HLL gadget: register-wise maximum, folding whichever has the
//!   larger lg_k down to the smaller; the result is out of order (HIP dropped).
//!
//! Register sums after maxima are stale until an estimate or a result rebuilds them.
//! One deliberate difference from the C++ library (5.x): there, a gadget whose sums are
//! stale after folding a larger input can look empty and be replaced by the next HLL
//! input, losing the first; here emptiness is read from the registers, as Java does
//! after its rebuild, so every input counts.

use super::registers::HllArray;
use super::sketch::{Body, DsSketch, Mode, TargetType};
use super::{MAX_LG_K, MIN_LG_K};
use crate::Error;

#[derive(Debug, Clone, PartialEq)]
pub struct DsUnion {
    lg_max_k: u8,
    gadget: DsSketch,
}

/// The library's `copy_or_downsample`: an HLL array as HLL_8 of at most `lg_k`.
fn hll8_at_most(src: &HllArray, lg_k: u8) -> HllArray {
    if src.lg_k <= lg_k {
        if src.target == TargetType::Hll8 && !src.rebuild {
            src.clone()
        } else {
            src.convert(TargetType::Hll8)
        }
    } else {
        src.downsample(lg_k)
    }
}

impl DsUnion {
    pub fn new(lg_max_k: u8) -> Result<Self, Error> {
        if !(MIN_LG_K..=MAX_LG_K).contains(&lg_max_k) {
            return Err(Error::parameter(format!(
                "lg_max_k must be between {MIN_LG_K} and {MAX_LG_K}, not {lg_max_k}"
            )));
        }
        Ok(DsUnion {
            lg_max_k,
            gadget: DsSketch::new(lg_max_k, TargetType::Hll8)?,
        })
    }

    pub fn lg_max_k(&self) -> u8 {
        self.lg_max_k
    }

    /// The lg_k of the union's current state (it only goes down).
    pub fn lg_k(&self) -> u8 {
        self.gadget.lg_k
    }

    pub fn is_empty(&self) -> bool {
        self.gadget.is_empty()
    }

    /// Adds a sketch.
    pub fn update(&mut self, src: &DsSketch) {
        if src.is_empty() {
            return;
        }
        let g = &mut self.gadget;
        match &src.body {
            Body::Coupons(c) => {
                if g.is_empty() && src.lg_k == g.lg_k {
                    *g = src.with_target(TargetType::Hll8);
                } else {
                    for coupon in c.iter() {
                        g.update_coupon(coupon);
                    }
                }
            }
            Body::Hll(s) => {
                if g.is_empty() {
                    let a = hll8_at_most(s, self.lg_max_k);
                    g.lg_k = a.lg_k;
                    g.body = Body::Hll(a);
                    return;
                }
                match &mut g.body {
                    Body::Coupons(list) => {
                        let mut a = hll8_at_most(s, self.lg_max_k);
                        for coupon in list.iter() {
                            a.update(coupon);
                        }
                        g.lg_k = a.lg_k;
                        g.body = Body::Hll(a);
                    }
                    Body::Hll(a) => {
                        if s.lg_k < a.lg_k {
                            *a = a.downsample(s.lg_k);
                            g.lg_k = s.lg_k;
                        }
                        a.merge(s);
                        a.out_of_order = true;
                        a.hip = 0.0;
                    }
                }
            }
        }
    }

    fn rebuild(&mut self) {
        if let Body::Hll(a) = &mut self.gadget.body {
            a.rebuild_sums();
        }
    }

    /// The union's estimate (rebuilding stale sums first, as the library does).
    pub fn estimate(&mut self) -> f64 {
        self.rebuild();
        self.gadget.estimate()
    }

    pub fn lower_bound(&mut self, std_devs: u8) -> Result<f64, Error> {
        self.rebuild();
        self.gadget.lower_bound(std_devs)
    }

    pub fn upper_bound(&mut self, std_devs: u8) -> Result<f64, Error> {
        self.rebuild();
        self.gadget.upper_bound(std_devs)
    }

    /// The union as a sketch of `target` (the library's `get_result`).
    pub fn result(&self, target: TargetType) -> DsSketch {
        self.gadget.with_target(target)
    }

    /// The current mode of the union's state.
    pub fn mode(&self) -> Mode {
        self.gadget.mode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch(lg_k: u8, target: TargetType, from: i64, n: i64) -> DsSketch {
        let mut s = DsSketch::new(lg_k, target).unwrap();
        for v in from..from + n {
            s.update_i64(v);
        }
        s
    }

    #[test]
    fn union_of_disjoint_sets_counts_both() {
        for (a_k, b_k, max) in [
            (12, 12, 12),
            (12, 10, 12),
            (10, 12, 12),
            (12, 12, 10),
            (14, 11, 21),
        ] {
            let a = sketch(a_k, TargetType::Hll4, 0, 50_000);
            let b = sketch(b_k, TargetType::Hll6, 50_000, 50_000);
            let c = sketch(a_k, TargetType::Hll8, 100_000, 50_000);
            let mut u = DsUnion::new(max).unwrap();
            u.update(&a);
            u.update(&b);
            u.update(&c);
            let est = u.estimate();
            assert!(
                (est / 150_000.0 - 1.0).abs() < 0.1,
                "{a_k} {b_k} {max}: {est}"
            );
            for t in [TargetType::Hll4, TargetType::Hll6, TargetType::Hll8] {
                let r = u.result(t);
                let back = DsSketch::from_bytes(&r.to_bytes(false)).unwrap();
                assert_eq!(back.registers(), r.registers());
                assert_eq!(back.estimate(), est);
                assert_eq!(
                    DsSketch::from_bytes(&r.to_bytes(true)).unwrap().estimate(),
                    est
                );
            }
        }
    }

    #[test]
    fn small_unions_stay_exact() {
        let mut u = DsUnion::new(12).unwrap();
        u.update(&sketch(12, TargetType::Hll4, 0, 5));
        u.update(&sketch(12, TargetType::Hll4, 3, 5));
        assert_eq!(u.mode(), Mode::Set);
        assert_eq!(u.result(TargetType::Hll4).coupons().unwrap().len(), 8);
        assert!(DsUnion::new(3).is_err());
    }
}
