//! Intersection estimates: exact for exact sketches, never negative, and more accurate
//! than inclusion-exclusion over many trials.

use hll_core::{hash, Params, Sketch};

fn sketch_of(params: Params, values: std::ops::Range<i64>, seed: i64) -> Sketch {
    let mut s = Sketch::new(params);
    for v in values {
        s.add_hash(hash::hash_integer(v, seed)).unwrap();
    }
    s
}

#[test]
fn exact_when_both_are_exact() {
    let p = Params::default();
    let o = sketch_of(p, 0..100, 0)
        .overlap(&sketch_of(p, 60..150, 0))
        .unwrap()
        .unwrap();
    assert_eq!((o.intersection, o.only_a, o.only_b), (40.0, 60.0, 50.0));
    assert!((o.jaccard() - 40.0 / 150.0).abs() < 1e-12);
    let none = sketch_of(p, 0..10, 0)
        .overlap(&sketch_of(p, 10..20, 0))
        .unwrap()
        .unwrap();
    assert_eq!(none.intersection, 0.0);
    let empty = Sketch::new(p).overlap(&Sketch::new(p)).unwrap().unwrap();
    assert_eq!(empty.jaccard(), 0.0);
    assert!(Sketch::undefined_in(p, hll_core::Global)
        .overlap(&Sketch::new(p))
        .unwrap()
        .is_none());
}

/// Root mean square error of the intersection estimate, relative to the union size,
/// for the joint estimator and for inclusion-exclusion.
fn rmse_vs_inclusion_exclusion(
    p: Params,
    na: i64,
    nb: i64,
    common: i64,
    trials: i64,
) -> (f64, f64, f64) {
    let (mut mle, mut ie, mut min_estimate) = (0.0, 0.0, f64::INFINITY);
    let union = (na + nb - common) as f64;
    for t in 0..trials {
        let base = t * 10_000_000_000;
        let a = sketch_of(p, base..base + na, 1);
        let b = sketch_of(p, base + na - common..base + na - common + nb, 1);
        let o = a.overlap(&b).unwrap().unwrap();
        min_estimate = min_estimate.min(o.intersection);
        let mut u = a.clone();
        u.union(&b).unwrap();
        let incl_excl =
            a.cardinality().unwrap() + b.cardinality().unwrap() - u.cardinality().unwrap();
        mle += ((o.intersection - common as f64) / union).powi(2);
        ie += ((incl_excl - common as f64) / union).powi(2);
    }
    (
        (mle / trials as f64).sqrt(),
        (ie / trials as f64).sqrt(),
        min_estimate,
    )
}

#[test]
fn joint_estimate_beats_inclusion_exclusion() {
    let p = Params::new(11, 6, 0, 1).unwrap();
    for (na, nb, common) in [
        (20_000, 20_000, 10_000),
        (20_000, 20_000, 200),
        (100_000, 1_000, 500),
        (5_000, 5_000, 5_000),
    ] {
        let (mle, ie, min_estimate) = rmse_vs_inclusion_exclusion(p, na, nb, common, 60);
        assert!(min_estimate >= 0.0);
        assert!(
            mle < ie,
            "{na} {nb} {common}: joint {mle:.4} vs inclusion-exclusion {ie:.4}"
        );
    }
}
