//! How far to trust an estimate: its relative standard error and confidence bounds.
//!
//! The standard error comes from the Fisher information of the register values under
//! the Poisson model of Ertl (arXiv:1702.01284, section 3): with `n` distinct hashes
//! spread over `m` registers, each register sees a Poisson number of hashes with mean
//! `lambda = n / m`, and takes value `k` with probability
//!
//! ```text
//! P(0) = e^-lambda
//! P(k) = e^(-lambda 2^-k) (1 - e^(-lambda 2^-k))     1 <= k <= q
//! P(q+1) = 1 - e^(-lambda 2^-q)
//! ```
//!
//! The Cramér-Rao bound `1 / (lambda sqrt(m I(lambda)))`, less the variance of the
//! Poisson count itself, is the relative standard error of an efficient estimator; it
//! tends to 1.04/sqrt(m) for large counts and is much smaller in the small range, where
//! registers are mostly empty (linear counting territory).
//!
//! Bounds use the error at the bound, not at the estimate: the lower bound `L` is the
//! count whose estimates lie `z` standard errors below the observed one
//! (`estimate = L (1 + z rse(L))`), and likewise the upper bound. This keeps the
//! interval honest where the error changes quickly with the count.

use crate::error::Error;
use crate::estimate::q;
use crate::params::Params;

/// An estimate with a two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The point estimate.
    pub estimate: f64,
    /// The lower confidence bound.
    pub lower: f64,
    /// The upper confidence bound.
    pub upper: f64,
}

/// Fisher information about `lambda` carried by one register.
fn register_information(lambda: f64, q: u32) -> f64 {
    let mut info = 0.0;
    let mut add = |p: f64, dp: f64| {
        if p > 1e-300 {
            info += dp * dp / p;
        }
    };
    let e0 = (-lambda).exp();
    add(e0, -e0);
    let mut scale = 1.0;
    for _ in 1..=q {
        scale *= 0.5;
        let a = lambda * scale;
        let ea = (-a).exp();
        add(-ea * (-a).exp_m1(), scale * ea * (2.0 * ea - 1.0));
    }
    let a = lambda * scale;
    add(-(-a).exp_m1(), scale * (-a).exp());
    info
}

/// Relative standard error of an estimate of `n` distinct values with these parameters
/// (0 for `n <= 0`).
pub fn relative_standard_error(n: f64, params: &Params) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let m = params.m() as f64;
    let lambda = n / m;
    let info = register_information(lambda, q(params));
    // The Poisson model also counts the randomness of a Poisson-distributed n, which
    // adds exactly n to the variance (1/n to the squared relative error); the count
    // behind a sketch is fixed, so take it out. It matters only for small n, where it
    // turns the bound into linear counting's sqrt(m (e^t - t - 1)) / n, t = n/m.
    let poisson = 1.0 / (lambda * lambda * m * info);
    (poisson - 1.0 / n).max(0.0).sqrt()
}

/// The standard normal quantile function (Acklam's rational approximation, relative
/// error below 1.2e-9), for `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |p: f64| {
        let t = (-2.0 * p.ln()).sqrt();
        (((((C[0] * t + C[1]) * t + C[2]) * t + C[3]) * t + C[4]) * t + C[5])
            / ((((D[0] * t + D[1]) * t + D[2]) * t + D[3]) * t + 1.0)
    };
    if p < 0.02425 {
        tail(p)
    } else if p > 1.0 - 0.02425 {
        -tail(1.0 - p)
    } else {
        let u = p - 0.5;
        let r = u * u;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * u
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Checks a confidence level and returns its two-sided normal quantile `z`.
pub fn z_for(confidence: f64) -> Result<f64, Error> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::InvalidParameter(format!(
            "confidence = {confidence} is out of range (accepted: strictly between 0 and 1)"
        )));
    }
    Ok(normal_quantile(0.5 + confidence / 2.0))
}

/// Bounds around a register-based `estimate`, no lower than `floor` (the distinct
/// values the registers prove: one per non-zero register).
pub fn register_bounds(estimate: f64, floor: f64, params: &Params, z: f64) -> Bounds {
    if estimate <= 0.0 {
        return Bounds {
            estimate,
            lower: 0.0,
            upper: 0.0,
        };
    }
    // lower: the n below the estimate with n (1 + z rse(n)) = estimate;
    // upper: the n above it with n (1 - z rse(n)) = estimate. Both sides are monotone
    // in n, so bisection on a log scale converges.
    let solve = |sign: f64, mut lo: f64, mut hi: f64| {
        for _ in 0..200 {
            let mid = (lo * hi).sqrt();
            let reach = mid * (1.0 + sign * z * relative_standard_error(mid, params));
            if reach < estimate {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi / lo < 1.0 + 1e-12 {
                break;
            }
        }
        (lo * hi).sqrt()
    };
    let lower = solve(1.0, estimate * 1e-9, estimate);
    // Far above the estimate registers saturate and the error grows again; within a
    // factor of 1000 the upper side is monotone. If even that does not reach, the
    // registers cannot bound the count from above at this confidence.
    let ceiling = estimate * 1e3;
    let upper = if ceiling * (1.0 - z * relative_standard_error(ceiling, params)) < estimate {
        f64::INFINITY
    } else {
        solve(-1.0, estimate, ceiling)
    };
    Bounds {
        estimate,
        lower: lower.max(floor).min(estimate),
        upper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_tables() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.001) + 3.090_232_306).abs() < 1e-8);
        assert!((z_for(0.95).unwrap() - 1.959_963_985).abs() < 1e-8);
        assert!(z_for(1.0).is_err() && z_for(0.0).is_err() && z_for(f64::NAN).is_err());
    }

    #[test]
    fn standard_error_tends_to_the_classic_figure() {
        let p = Params::new(14, 6, -1, 1).unwrap();
        let large = relative_standard_error(1e7, &p);
        let theory = 1.04 / (p.m() as f64).sqrt();
        assert!((large / theory - 1.0).abs() < 0.03, "{large} vs {theory}");
        // The small range tends to linear counting's 1/sqrt(2m), 0.68 of the large-range
        // figure.
        let small = relative_standard_error(100.0, &p) * (2.0 * p.m() as f64).sqrt();
        assert!((small - 1.0).abs() < 0.02, "{small}");
        assert_eq!(relative_standard_error(0.0, &p), 0.0);
    }

    #[test]
    fn bounds_bracket_the_estimate() {
        let p = Params::default();
        for est in [1.0, 10.0, 500.0, 5e4, 1e9] {
            let b = register_bounds(est, 0.0, &p, 1.96);
            assert!(b.lower <= est && est <= b.upper, "{b:?}");
            assert!(b.lower > 0.0 && b.upper.is_finite() && b.upper < 2.0 * est + 10.0);
        }
        assert_eq!(register_bounds(100.0, 99.5, &p, 1.96).lower, 99.5);
    }
}
