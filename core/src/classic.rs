//! The classic estimator exactly as postgresql-hll computes it, for teams that must
//! reproduce reports made with it. It is not the default: [`crate::estimate`] has no
//! error bump at the switch to linear counting and no large-range artefacts.
//!
//! postgresql-hll: `E = alpha_m m^2 / sum(2^-reg)`; linear counting `m ln(m / zeros)`
//! when some register is zero and `E < 5m/2`; `E` itself up to `2^L / 30`; above that
//! the large-range correction `-2^L ln(1 - E / 2^L)`, with `L = 2^regwidth - 2 +
//! log2m`. For `regwidth >= 6`, `L` exceeds 63 and its 64-bit shift wraps on x86-64
//! (the shift count is taken modulo 64), which makes the peer's correction return
//! finite nonsense or NaN. That shift is reproduced so the finite results match; where
//! the peer's result is not finite, `E` is returned instead.

use crate::estimate::Histogram;
use crate::params::Params;

/// Which formula turns registers into a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Estimator {
    /// Ertl's improved estimator ([`crate::estimate`]), the default.
    #[default]
    Improved,
    /// postgresql-hll's estimator (this module), for reconciling old numbers.
    Classic,
}

impl Estimator {
    /// The estimate from a register histogram.
    pub fn estimate(self, histogram: &Histogram, params: &Params) -> f64 {
        match self {
            Estimator::Improved => crate::estimate::estimate(histogram, params),
            Estimator::Classic => classic_estimate(histogram, params),
        }
    }
}

/// `alpha_m * m^2` as postgresql-hll tabulates it.
fn alpha_m_squared(m: f64) -> f64 {
    let alpha = match m as u64 {
        16 => 0.673,
        32 => 0.697,
        64 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / m),
    };
    alpha * m * m
}

/// The classic estimate from a register histogram.
pub fn classic_estimate(histogram: &Histogram, params: &Params) -> f64 {
    let m = params.m() as f64;
    let zeros = histogram[0];
    let sum: f64 = f64::from(zeros)
        + histogram
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, &c)| c != 0)
            .map(|(k, &c)| f64::from(c) * 2f64.powi(-(k as i32)))
            .sum::<f64>();
    let raw = alpha_m_squared(m) / sum;
    if zeros != 0 && raw < 5.0 * m / 2.0 {
        return m * (m / f64::from(zeros)).ln();
    }
    let max_register = (1u64 << params.regwidth()) - 1;
    let total_bits = (max_register - 1) + u64::from(params.log2m());
    let two_to_l = (1u64 << (total_bits % 64)) as f64;
    if raw <= two_to_l / 30.0 {
        return raw;
    }
    let corrected = -two_to_l * (1.0 - raw / two_to_l).ln();
    if corrected.is_finite() {
        corrected
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(m: usize, filled: &[(u8, u32)]) -> Histogram {
        let mut h = [0u32; 256];
        let mut used = 0;
        for &(v, c) in filled {
            h[usize::from(v)] = c;
            used += c;
        }
        h[0] = m as u32 - used;
        h
    }

    #[test]
    fn linear_counting_below_the_switch() {
        let p = Params::new(11, 5, -1, 1).unwrap();
        let h = histogram(2048, &[(1, 100)]);
        let expected = 2048.0 * (2048.0f64 / 1948.0).ln();
        assert!((classic_estimate(&h, &p) - expected).abs() < 1e-9);
    }

    #[test]
    fn raw_estimate_above_the_switch() {
        let p = Params::new(4, 5, -1, 1).unwrap();
        let h = histogram(16, &[(3, 16)]);
        let raw = 0.673 * 256.0 / (16.0 / 8.0);
        assert!((classic_estimate(&h, &p) - raw).abs() < 1e-12);
    }

    #[test]
    fn never_nan() {
        for regwidth in 1..=8 {
            let p = Params::new(11, regwidth, -1, 1).unwrap();
            let cap = p.register_cap();
            for v in 1..=cap {
                let h = histogram(2048, &[(v, 2048)]);
                assert!(
                    classic_estimate(&h, &p).is_finite(),
                    "regwidth {regwidth} v {v}"
                );
            }
        }
    }
}
