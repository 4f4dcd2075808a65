//! The library's estimators and bounds, with its arithmetic step for step (the results
//! are compared for equality with the library's).
//!
//! - LIST/SET: the coupon count mapped through a cubic interpolation of a fitted table
//!   (coupons collide a little), never below the count itself.
//! - HLL, in order: the HIP accumulator.
//! - HLL, out of order (after a union): the composite estimator. The raw HLL estimate
//!   `alpha k^2 / sum 2^-v` is corrected by interpolating a per-lg_k table; at small
//!   counts the bitmap (linear counting) estimate from the empty registers is used
//!   instead when it is the better of the two.
//! - Bounds: the estimate over `1 + rel_err`, with `rel_err` from tables for lg_k <= 12
//!   and `±sd * factor / sqrt(k)` above (factor sqrt(ln 2) for HIP, sqrt(3 ln 2 - 1)
//!   for the composite).

use super::registers::HllArray;
use super::tables;
use crate::Error;

const HIP_RSE_FACTOR: f64 = 0.8325546;
const NON_HIP_RSE_FACTOR: f64 = 1.03896;
/// Relative error of LIST/SET estimates (the value at the promotion point).
const COUPON_RSE: f64 = 0.409 / (1 << 13) as f64;

/// Lagrange cubic through four points.
#[allow(clippy::too_many_arguments)]
fn cubic(x0: f64, y0: f64, x1: f64, y1: f64, x2: f64, y2: f64, x3: f64, y3: f64, x: f64) -> f64 {
    let l0_numer = (x - x1) * (x - x2) * (x - x3);
    let l1_numer = (x - x0) * (x - x2) * (x - x3);
    let l2_numer = (x - x0) * (x - x1) * (x - x3);
    let l3_numer = (x - x0) * (x - x1) * (x - x2);
    let l0_denom = (x0 - x1) * (x0 - x2) * (x0 - x3);
    let l1_denom = (x1 - x0) * (x1 - x2) * (x1 - x3);
    let l2_denom = (x2 - x0) * (x2 - x1) * (x2 - x3);
    let l3_denom = (x3 - x0) * (x3 - x1) * (x3 - x2);
    let term0 = y0 * l0_numer / l0_denom;
    let term1 = y1 * l1_numer / l1_denom;
    let term2 = y2 * l2_numer / l2_denom;
    let term3 = y3 * l3_numer / l3_denom;
    term0 + term1 + term2 + term3
}

/// Index `i` with `xs[i] <= x < xs[i+1]` (`x` strictly inside the table's range).
fn straddle(xs: &[f64], x: f64) -> usize {
    let (mut lo, mut hi) = (0, xs.len() - 1);
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if xs[mid] <= x {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The first of the four table points used around `x`: centred, except at the ends.
fn window_start(offset: usize, len: usize) -> usize {
    if offset == 0 {
        0
    } else if offset == len - 2 {
        offset - 2
    } else {
        offset - 1
    }
}

/// Interpolates the (x, y) tables at `x` in their range.
fn interpolate_xy(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let last = xs.len() - 1;
    if x == xs[last] {
        return ys[last];
    }
    let o = window_start(straddle(xs, x), xs.len());
    cubic(
        xs[o],
        ys[o],
        xs[o + 1],
        ys[o + 1],
        xs[o + 2],
        ys[o + 2],
        xs[o + 3],
        ys[o + 3],
        x,
    )
}

/// Interpolates x values against y values `stride * i`.
fn interpolate_stride(xs: &[f64], stride: f64, x: f64) -> f64 {
    let last = xs.len() - 1;
    if x == xs[last] {
        return stride * last as f64;
    }
    let o = window_start(straddle(xs, x), xs.len());
    let y = |i: usize| stride * i as f64;
    cubic(
        xs[o],
        y(o),
        xs[o + 1],
        y(o + 1),
        xs[o + 2],
        y(o + 2),
        xs[o + 3],
        y(o + 3),
        x,
    )
}

/// Estimate of a LIST/SET holding `count` coupons.
pub fn coupon_estimate(count: u32) -> f64 {
    let n = f64::from(count);
    interpolate_xy(&tables::COUPON_X, &tables::COUPON_Y, n).max(n)
}

pub fn coupon_lower_bound(count: u32, std_devs: u8) -> f64 {
    let n = f64::from(count);
    let est = interpolate_xy(&tables::COUPON_X, &tables::COUPON_Y, n);
    (est / (1.0 + f64::from(std_devs) * COUPON_RSE)).max(n)
}

pub fn coupon_upper_bound(count: u32, std_devs: u8) -> f64 {
    let n = f64::from(count);
    let est = interpolate_xy(&tables::COUPON_X, &tables::COUPON_Y, n);
    (est / (1.0 - f64::from(std_devs) * COUPON_RSE)).max(n)
}

/// Harmonic number `H(n)`: exact fractions below 25, the asymptotic series above.
fn harmonic(n: u64) -> f64 {
    const EXACT: [f64; 25] = [
        0.0,
        1.0,
        1.5,
        11.0 / 6.0,
        25.0 / 12.0,
        137.0 / 60.0,
        49.0 / 20.0,
        363.0 / 140.0,
        761.0 / 280.0,
        7129.0 / 2520.0,
        7381.0 / 2520.0,
        83711.0 / 27720.0,
        86021.0 / 27720.0,
        1145993.0 / 360360.0,
        1171733.0 / 360360.0,
        1195757.0 / 360360.0,
        2436559.0 / 720720.0,
        42142223.0 / 12252240.0,
        14274301.0 / 4084080.0,
        275295799.0 / 77597520.0,
        55835135.0 / 15519504.0,
        18858053.0 / 5173168.0,
        19093197.0 / 5173168.0,
        444316699.0 / 118982864.0,
        1347822955.0 / 356948592.0,
    ];
    const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;
    if n < 25 {
        return EXACT[n as usize];
    }
    let x = n as f64;
    let inv_sq = 1.0 / (x * x);
    let mut sum = x.ln() + EULER_MASCHERONI + (1.0 / (2.0 * x));
    let mut pow = inv_sq;
    sum -= pow * (1.0 / 12.0);
    pow *= inv_sq;
    sum += pow * (1.0 / 120.0);
    pow *= inv_sq;
    sum -= pow * (1.0 / 252.0);
    pow *= inv_sq;
    sum += pow * (1.0 / 240.0);
    sum
}

/// Linear-counting estimate from the registers still zero (as the kept fields say).
fn bitmap_estimate(a: &HllArray) -> f64 {
    let k = a.k();
    let unhit = if a.cur_min == 0 { a.num_at_cur_min } else { 0 };
    if unhit == 0 {
        return f64::from(k) * (f64::from(k) / 0.5).ln();
    }
    let hit = k - unhit;
    f64::from(k) * (harmonic(u64::from(k)) - harmonic(u64::from(k - hit)))
}

fn raw_estimate(a: &HllArray) -> f64 {
    let k = f64::from(a.k());
    let correction = match a.lg_k {
        4 => 0.673,
        5 => 0.697,
        6 => 0.709,
        _ => 0.7213 / (1.0 + (1.079 / k)),
    };
    (correction * k * k) / (a.kxq0 + a.kxq1)
}

/// The composite estimator of an HLL-mode array.
pub fn composite(a: &HllArray) -> f64 {
    let raw = raw_estimate(a);
    let idx = usize::from(a.lg_k - super::MIN_LG_K);
    let xs = &tables::COMPOSITE_X[idx][..];
    let stride = f64::from(tables::COMPOSITE_Y_STRIDE[idx]);
    let last = xs.len() - 1;
    if raw < xs[0] {
        return 0.0;
    }
    if raw > xs[last] {
        let final_y = stride * last as f64;
        let factor = final_y / xs[last];
        return raw * factor;
    }
    let adjusted = interpolate_stride(xs, stride, raw);
    if adjusted > f64::from(3u32 << a.lg_k) {
        return adjusted;
    }
    let linear = bitmap_estimate(a);
    let average = (adjusted + linear) / 2.0;
    let crossover = match a.lg_k {
        4 => 0.718,
        5 => 0.672,
        _ => 0.64,
    };
    if average > crossover * f64::from(a.k()) {
        adjusted
    } else {
        linear
    }
}

/// The estimate of an HLL-mode array: HIP in order, composite after a union.
pub fn hll_estimate(a: &HllArray) -> f64 {
    if a.out_of_order {
        composite(a)
    } else {
        a.hip
    }
}

fn check_std_devs(std_devs: u8) -> Result<(), Error> {
    if (1..=3).contains(&std_devs) {
        Ok(())
    } else {
        Err(Error::parameter(format!(
            "the number of standard deviations must be 1, 2 or 3, not {std_devs}"
        )))
    }
}

/// The library's relative error for a bound (negative for upper bounds).
pub fn rel_err(upper: bool, out_of_order: bool, lg_k: u8, std_devs: u8) -> f64 {
    if lg_k > 12 {
        let factor = if out_of_order {
            NON_HIP_RSE_FACTOR
        } else {
            HIP_RSE_FACTOR
        };
        let sign = if upper { -1.0 } else { 1.0 };
        return sign * (f64::from(std_devs) * factor) / f64::from(1u32 << lg_k).sqrt();
    }
    let idx = usize::from(lg_k - 4) * 3 + usize::from(std_devs - 1);
    match (out_of_order, upper) {
        (false, false) => tables::HIP_LB[idx],
        (false, true) => tables::HIP_UB[idx],
        (true, false) => tables::NON_HIP_LB[idx],
        (true, true) => tables::NON_HIP_UB[idx],
    }
}

pub fn hll_lower_bound(a: &HllArray, std_devs: u8) -> Result<f64, Error> {
    check_std_devs(std_devs)?;
    let k = a.k();
    let non_zeros = if a.cur_min == 0 {
        k - a.num_at_cur_min
    } else {
        k
    };
    let re = rel_err(false, a.out_of_order, a.lg_k, std_devs);
    Ok((hll_estimate(a) / (1.0 + re)).max(f64::from(non_zeros)))
}

pub fn hll_upper_bound(a: &HllArray, std_devs: u8) -> Result<f64, Error> {
    check_std_devs(std_devs)?;
    let re = rel_err(true, a.out_of_order, a.lg_k, std_devs);
    Ok(hll_estimate(a) / (1.0 + re))
}

pub fn coupon_bounds_check(std_devs: u8) -> Result<(), Error> {
    check_std_devs(std_devs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasketches::coupon;
    use crate::datasketches::sketch::TargetType;

    #[test]
    fn coupon_estimates_pass_through_the_table() {
        assert_eq!(coupon_estimate(0), 0.0);
        assert_eq!(coupon_estimate(1), 1.0);
        for n in 2..2000 {
            let e = coupon_estimate(n);
            assert!(e >= f64::from(n) && e < f64::from(n) * 1.001, "{n} {e}");
            assert!(coupon_lower_bound(n, 1) <= e && e <= coupon_upper_bound(n, 3));
        }
    }

    #[test]
    fn harmonic_series_joins_the_exact_table() {
        let exact: f64 = (1..=30).map(|i| 1.0 / f64::from(i)).sum();
        assert!((harmonic(30) - exact).abs() < 1e-14);
        assert!((harmonic(25) - harmonic(24) - 1.0 / 25.0).abs() < 1e-14);
    }

    #[test]
    fn composite_tracks_the_count() {
        for lg_k in [4u8, 8, 12, 16] {
            let mut a = HllArray::new(lg_k, TargetType::Hll8);
            a.out_of_order = true;
            let n = 20u32 << lg_k;
            for i in 0..n {
                a.update(coupon::of_i64(i64::from(i)));
            }
            let est = composite(&a);
            let err = (est / f64::from(n) - 1.0).abs();
            assert!(
                err < 6.0 / f64::from(1u32 << lg_k).sqrt(),
                "lg_k {lg_k}: {est} for {n}"
            );
            assert!(hll_lower_bound(&a, 2).unwrap() <= est);
            assert!(hll_upper_bound(&a, 2).unwrap() >= est);
        }
        assert!(hll_upper_bound(&HllArray::new(4, TargetType::Hll8), 4).is_err());
    }
}
