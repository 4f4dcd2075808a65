//! Size of the intersection of two sets from their sketches, by joint maximum
//! likelihood (Ertl, arXiv:1702.01284, section 5).
//!
//! Inclusion-exclusion `|A| + |B| - |A u B|` subtracts estimates of similar size and
//! inherits the error of all three; it goes negative for small overlaps. Instead, model
//! the two sketches as built from three disjoint Poisson streams, `A \ B`, `B \ A` and
//! `A n B`, with per-register rates `alpha`, `beta`, `gamma`. A register pair `(a, b)`
//! has a known probability under such rates (below), so the rates that make the
//! observed pairs most likely estimate all three sizes at once, none negative.
//!
//! With `F_r(k) = exp(-r 2^-k)` (the chance that a stream of rate `r` leaves a register
//! at most `k`) and `pmf_r(k)` its differences:
//!
//! ```text
//! a < b:  P = pmf_beta(b) pmf_(alpha+gamma)(a)
//! a > b:  P = pmf_alpha(a) pmf_(beta+gamma)(b)
//! a = b = k, s = 2^-k:
//!         P = F_(alpha+beta+gamma)(k) [ (1 - e^-(alpha+gamma)s)(1 - e^-(beta+gamma)s)
//!                                       + e^-(alpha+beta+gamma)s (1 - e^-gamma s) ]
//! ```
//!
//! written with `expm1` so that no probability is a difference of nearly equal numbers.

use std::collections::HashMap;

use crate::content::{register_values, Content, SketchSource};
use crate::estimate::q;
use crate::params::Params;

/// Estimated sizes of the parts of two sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// `|A n B|`.
    pub intersection: f64,
    /// `|A \ B|`.
    pub only_a: f64,
    /// `|B \ A|`.
    pub only_b: f64,
}

impl Overlap {
    /// `|A n B| / |A u B|`, 0 for two empty sets.
    pub fn jaccard(&self) -> f64 {
        let union = self.intersection + self.only_a + self.only_b;
        if union > 0.0 {
            self.intersection / union
        } else {
            0.0
        }
    }
}

/// The overlap of two sketches with equal parameters: exact when both hold their
/// hashes exactly, the joint maximum-likelihood estimate otherwise.
pub fn overlap(a: &impl SketchSource, b: &impl SketchSource) -> Overlap {
    debug_assert_eq!(a.params(), b.params());
    if let (Some(sa), Some(sb)) = (exact_hashes(a), exact_hashes(b)) {
        let common = sa.iter().filter(|h| sb.binary_search(h).is_ok()).count() as f64;
        return Overlap {
            intersection: common,
            only_a: sa.len() as f64 - common,
            only_b: sb.len() as f64 - common,
        };
    }
    joint_estimate(&register_values(a), &register_values(b), a.params())
}

/// The hashes of an EMPTY or EXPLICIT sketch, sorted.
fn exact_hashes(s: &impl SketchSource) -> Option<Vec<u64>> {
    match s.content() {
        Content::Empty => Some(Vec::new()),
        Content::Explicit(hashes) => {
            let mut v: Vec<u64> = hashes.iter().collect();
            v.sort_unstable();
            Some(v)
        }
        _ => None,
    }
}

/// `pmf_r(k)` for register values `0..=q+1`.
fn pmf(rate: f64, k: u32, q: u32) -> f64 {
    if k == 0 {
        return (-rate).exp();
    }
    let x = rate * 0.5f64.powi(k.min(q) as i32);
    let at_most_below = -(-x).exp_m1();
    if k > q {
        at_most_below
    } else {
        (-x).exp() * at_most_below
    }
}

fn pair_probability(a: u32, b: u32, rates: [f64; 3], q: u32) -> f64 {
    let [alpha, beta, gamma] = rates;
    if a < b {
        return pmf(beta, b, q) * pmf(alpha + gamma, a, q);
    }
    if a > b {
        return pmf(alpha, a, q) * pmf(beta + gamma, b, q);
    }
    let all = alpha + beta + gamma;
    if a == 0 {
        return (-all).exp();
    }
    let s = 0.5f64.powi(a.min(q) as i32);
    let bracket = (-(alpha + gamma) * s).exp_m1() * (-(beta + gamma) * s).exp_m1()
        + (-all * s).exp() * -(-gamma * s).exp_m1();
    if a > q {
        bracket
    } else {
        (-all * s).exp() * bracket
    }
}

/// Maximum-likelihood rates for the observed register pairs.
fn joint_estimate(a: &[u8], b: &[u8], params: Params) -> Overlap {
    let q = q(&params);
    let saturated = q + 1;
    let mut pairs: HashMap<(u32, u32), f64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        let key = (u32::from(x).min(saturated), u32::from(y).min(saturated));
        *pairs.entry(key).or_insert(0.0) += 1.0;
    }
    let pairs: Vec<((u32, u32), f64)> = pairs.into_iter().collect();
    let m = params.m() as f64;

    // Start from the single-sketch estimates and inclusion-exclusion, in log space
    // so that rates stay positive; a rate far below one value per sketch is zero.
    let estimate_of =
        |regs: &[u8]| crate::estimate::estimate(&crate::estimate::histogram_of(regs), &params);
    let union: Vec<u8> = a.iter().zip(b).map(|(&x, &y)| x.max(y)).collect();
    let (na, nb, nu) = (estimate_of(a), estimate_of(b), estimate_of(&union));
    let floor = 1e-3 / m;
    let start = [
        ((nu - nb) / m).max(floor).ln(),
        ((nu - na) / m).max(floor).ln(),
        ((na + nb - nu) / m).max(floor).ln(),
    ];
    let negative_log_likelihood = |theta: &[f64; 3]| -> f64 {
        let rates = theta.map(f64::exp);
        -pairs
            .iter()
            .map(|&((x, y), count)| count * pair_probability(x, y, rates, q).max(1e-300).ln())
            .sum::<f64>()
    };
    let best = nelder_mead(negative_log_likelihood, start, floor.ln() - 5.0);
    let size = |theta: f64| {
        let rate = theta.exp();
        if rate < floor {
            0.0
        } else {
            rate * m
        }
    };
    Overlap {
        only_a: size(best[0]),
        only_b: size(best[1]),
        intersection: size(best[2]),
    }
}

/// Minimises `f` over three log-rates, none below `lowest`, by the Nelder-Mead simplex
/// method (the likelihood is smooth and unimodal; no gradient is needed).
fn nelder_mead(f: impl Fn(&[f64; 3]) -> f64, start: [f64; 3], lowest: f64) -> [f64; 3] {
    let clamp = |p: [f64; 3]| p.map(|v| v.max(lowest));
    let mut simplex: Vec<([f64; 3], f64)> = (0..4)
        .map(|i| {
            let mut p = start;
            if i > 0 {
                p[i - 1] += 1.0;
            }
            (p, f(&p))
        })
        .collect();
    let point = |from: &[f64; 3], to: &[f64; 3], t: f64| {
        clamp([0, 1, 2].map(|d| from[d] + t * (to[d] - from[d])))
    };
    for _ in 0..2000 {
        simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
        let (best, worst) = (simplex[0].1, simplex[3].1);
        if (worst - best).abs() <= 1e-10 * (1.0 + best.abs()) {
            break;
        }
        let centroid = [0, 1, 2].map(|d| simplex[..3].iter().map(|(p, _)| p[d]).sum::<f64>() / 3.0);
        let reflected = point(&centroid, &simplex[3].0, -1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = point(&centroid, &simplex[3].0, -2.0);
            let fe = f(&expanded);
            simplex[3] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[2].1 {
            simplex[3] = (reflected, fr);
        } else {
            let contracted = point(&centroid, &simplex[3].0, 0.5);
            let fc = f(&contracted);
            if fc < simplex[3].1 {
                simplex[3] = (contracted, fc);
            } else {
                let anchor = simplex[0].0;
                for vertex in simplex.iter_mut().skip(1) {
                    let shrunk = point(&anchor, &vertex.0, 0.5);
                    *vertex = (shrunk, f(&shrunk));
                }
            }
        }
    }
    simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
    simplex[0].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_probabilities_sum_to_one() {
        for (q, rates) in [
            (30, [0.3, 2.0, 0.7]),
            (53, [50.0, 0.01, 3.0]),
            (0, [1.0, 1.0, 1.0]),
        ] {
            let total: f64 = (0..=q + 1)
                .flat_map(|a| (0..=q + 1).map(move |b| (a, b)))
                .map(|(a, b)| pair_probability(a, b, rates, q))
                .sum();
            assert!((total - 1.0).abs() < 1e-9, "q {q}: {total}");
        }
    }

    #[test]
    fn pmf_sums_to_one() {
        let total: f64 = (0..=31).map(|k| pmf(3.7, k, 30)).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
