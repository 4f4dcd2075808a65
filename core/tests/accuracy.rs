//! Error of the estimator over many independent trials, normalised by the theoretical
//! standard error 1.04/sqrt(m). Thresholds leave room for sampling noise so the test
//! does not flake; the full accuracy suite lives apart from the unit tests.

use hll_core::{hash, Params, Sketch};

struct Stats {
    bias: f64,
    rmse: f64,
}

fn trials(params: Params, n: u64, trials: u64) -> Stats {
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for t in 0..trials {
        let mut s = Sketch::new(params);
        // Each trial hashes its own integers, as the SQL functions do.
        for i in 0..n {
            s.add_hash(hash::hash_integer((t * 1_000_000_007 + i) as i64, 0))
                .unwrap();
        }
        let rel = s.cardinality().unwrap() / n as f64 - 1.0;
        sum += rel;
        sum_sq += rel * rel;
    }
    let k = trials as f64;
    Stats {
        bias: sum / k,
        rmse: (sum_sq / k).sqrt(),
    }
}

#[test]
fn error_stays_near_theory_across_the_range() {
    for regwidth in [5, 6] {
        let params = Params::new(11, regwidth, -1, 1).unwrap();
        let theory = 1.04 / (params.m() as f64).sqrt();
        for n in [300u64, 1_000, 3_000, 5_000, 8_000, 30_000, 100_000] {
            let k = 300;
            let s = trials(params, n, k);
            // RMSE is estimated to within about 4% (1/sqrt(2k)); bias to within
            // about rmse/sqrt(k) per standard deviation.
            assert!(
                s.rmse < 1.2 * theory,
                "regwidth {regwidth} n {n}: rmse {:.4} vs theory {theory:.4}",
                s.rmse
            );
            assert!(
                s.bias.abs() < 4.0 * s.rmse / (k as f64).sqrt() + 0.002,
                "regwidth {regwidth} n {n}: bias {:.4}",
                s.bias
            );
        }
    }
}

#[test]
fn explicit_counts_are_exact() {
    let params = Params::default();
    for n in [0u64, 1, 2, 100, 160] {
        let mut s = Sketch::new(params);
        for i in 0..n {
            s.add_hash(hash::hash_integer(i as i64, 3)).unwrap();
            s.add_hash(hash::hash_integer(i as i64, 3)).unwrap();
        }
        assert_eq!(s.cardinality(), Some(n as f64));
    }
}

#[test]
fn confidence_intervals_cover_the_truth_95_percent_of_the_time() {
    // 2000 trials per point: the coverage of a true 95% interval is then 0.95 +- 0.0049
    // (one standard deviation), so 93%..97% is a 4-sigma band.
    let params = Params::default();
    for n in [161u64, 200, 400, 1_000, 3_000, 5_000, 20_000, 100_000] {
        let trials = 2000;
        let mut covered = 0;
        for t in 0..trials {
            let mut s = Sketch::new(params);
            for i in 0..n {
                s.add_hash(hash::hash_integer((t * 1_000_000_007 + i + 77) as i64, 5))
                    .unwrap();
            }
            let b = s.bounds(0.95).unwrap().unwrap();
            if b.lower <= n as f64 && n as f64 <= b.upper {
                covered += 1;
            }
        }
        let coverage = covered as f64 / trials as f64;
        assert!(
            (0.93..=0.97).contains(&coverage),
            "n {n}: coverage {coverage:.4}"
        );
    }
}

#[test]
fn explicit_bounds_have_zero_width() {
    let mut s = Sketch::new(Params::default());
    for i in 0..50 {
        s.add_hash(hash::hash_integer(i, 0)).unwrap();
    }
    let b = s.bounds(0.99).unwrap().unwrap();
    assert_eq!((b.lower, b.estimate, b.upper), (50.0, 50.0, 50.0));
    assert_eq!(s.relative_standard_error(), Some(0.0));
}
