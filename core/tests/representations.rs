//! Promotion thresholds and the equivalence of the in-memory forms.

use hll_core::{hash, Params, Repr, Sketch, StorageType};

fn distinct_hashes(n: u64, seed: i64) -> impl Iterator<Item = u64> {
    (0..n).map(move |i| hash::hash_integer(i as i64, seed))
}

#[test]
fn explicit_holds_exactly_the_threshold_then_promotes() {
    let params = Params::default();
    let mut s = Sketch::new(params);
    assert_eq!(s.storage_type(), StorageType::Empty);
    let hashes: Vec<u64> = distinct_hashes(161, 0).collect();
    for (i, &h) in hashes.iter().enumerate().take(160) {
        s.add_hash(h).unwrap();
        s.add_hash(h).unwrap();
        assert_eq!(s.cardinality(), Some((i + 1) as f64));
    }
    assert_eq!(s.storage_type(), StorageType::Explicit);
    assert_eq!(s.encode().unwrap().len(), 3 + 160 * 8);
    s.add_hash(hashes[160]).unwrap();
    assert_eq!(s.storage_type(), StorageType::Sparse);
    let est = s.cardinality().unwrap();
    assert!((est - 161.0).abs() < 161.0 * 0.05, "{est}");
}

#[test]
fn fixed_and_off_thresholds() {
    let mut s = Sketch::new(Params::new(11, 5, 4, 1).unwrap());
    for h in distinct_hashes(4, 1) {
        s.add_hash(h).unwrap();
    }
    assert_eq!(s.storage_type(), StorageType::Explicit);
    s.add_hash(hash::hash_integer(99, 1)).unwrap();
    assert_eq!(s.storage_type(), StorageType::Sparse);

    let mut off = Sketch::new(Params::new(11, 5, 0, 1).unwrap());
    off.add_hash(hash::hash_integer(1, 0)).unwrap();
    assert_eq!(off.storage_type(), StorageType::Sparse);
}

#[test]
fn sparse_then_dense_in_memory_then_full_on_disk() {
    let params = Params::new(11, 5, 0, 1).unwrap();
    let mut s = Sketch::new(params);
    let mut saw_sparse = false;
    let mut saw_dense = false;
    for h in distinct_hashes(20_000, 7) {
        s.add_hash(h).unwrap();
        match s.repr() {
            Repr::Sparse(_) => saw_sparse = true,
            Repr::Dense(_) => saw_dense = true,
            other => panic!("unexpected form {other:?}"),
        }
    }
    assert!(saw_sparse && saw_dense);
    assert_eq!(s.storage_type(), StorageType::Full);
    assert_eq!(s.encode().unwrap().len(), 3 + 1280);
}

#[test]
fn storage_switches_to_full_at_the_size_rule() {
    // 639 filled registers of 16-bit words fit in fewer bits than 2048 * 5; 640 do not.
    let params = Params::new(11, 5, 0, 1).unwrap();
    let mut s = Sketch::new(params);
    for i in 0..639u64 {
        s.add_hash(i | (1 << 11)).unwrap();
    }
    assert_eq!(s.storage_type(), StorageType::Sparse);
    assert_eq!(s.encode().unwrap().len(), 3 + 639 * 2);
    s.add_hash(639 | (1 << 11)).unwrap();
    assert_eq!(s.storage_type(), StorageType::Full);
}

#[test]
fn sparse_and_dense_forms_give_the_same_bytes_and_estimate() {
    for log2m in [4i64, 8, 11, 14] {
        let params = Params::new(log2m, 6, 0, 1).unwrap();
        let hashes: Vec<u64> = distinct_hashes(3000, log2m).collect();
        let mut one_by_one = Sketch::new(params);
        for &h in &hashes {
            one_by_one.add_hash(h).unwrap();
        }
        // The same registers reached by unions of single-hash sketches stay comparable
        // whatever form each side is in.
        let mut merged = Sketch::new(params);
        for chunk in hashes.chunks(97) {
            let mut part = Sketch::new(params);
            for &h in chunk {
                part.add_hash(h).unwrap();
            }
            merged.union(&part).unwrap();
        }
        assert_eq!(merged.encode().unwrap(), one_by_one.encode().unwrap());
        assert_eq!(merged.cardinality(), one_by_one.cardinality());
    }
}

#[test]
fn undefined_absorbs_and_empty_is_neutral() {
    let params = Params::default();
    let mut a = Sketch::new(params);
    a.add_hash(5).unwrap();
    let mut u = a.clone();
    u.union(&Sketch::undefined_in(params, hll_core::Global))
        .unwrap();
    assert_eq!(u.storage_type(), StorageType::Undefined);
    assert_eq!(u.cardinality(), None);
    u.add_hash(6).unwrap();
    assert_eq!(u.storage_type(), StorageType::Undefined);
    let mut e = Sketch::new(params);
    e.union(&a).unwrap();
    assert_eq!(e, a);
    a.union(&Sketch::new(params)).unwrap();
    assert_eq!(e, a);
}

#[test]
fn union_of_different_parameters_folds_to_the_common_ones() {
    let hashes: Vec<u64> = distinct_hashes(5000, 11).collect();
    let build = |p: Params, hs: &[u64]| {
        let mut s = Sketch::new(p);
        for &h in hs {
            s.add_hash(h).unwrap();
        }
        s
    };
    let big = Params::new(14, 6, -1, 1).unwrap();
    let small = Params::new(11, 5, 0, 0).unwrap();
    let mut u = build(big, &hashes[..3000]);
    u.union(&build(small, &hashes[2000..])).unwrap();
    let expected = build(Params::new(11, 5, 0, 0).unwrap(), &hashes);
    assert_eq!(u.params(), expected.params());
    assert_eq!(u.encode().unwrap(), expected.encode().unwrap());
    let err = build(small, &hashes).reduce(big).unwrap_err().to_string();
    assert_eq!(
        err,
        "cannot reduce hll(11,5,0,0) to hll(14,6,-1,1): log2m and regwidth can only decrease"
    );
}

#[test]
fn hash_zero_and_high_ranks() {
    // A hash whose bits above the index are all zero changes no register.
    let params = Params::new(11, 5, 0, 1).unwrap();
    let mut s = Sketch::new(params);
    s.add_hash(5).unwrap();
    assert_eq!(s.cardinality(), Some(0.0));
    // A rank above the cap is stored as the cap.
    s.add_hash(7 | (1 << 60)).unwrap();
    let bytes = s.encode().unwrap();
    let stored = hll_core::StoredSketch::parse(&bytes).unwrap();
    assert_eq!(stored.sparse_registers().collect::<Vec<_>>(), [(7, 31)]);
}

#[test]
fn estimates_are_finite_for_every_width_when_saturated() {
    for regwidth in 1..=8 {
        let params = Params::new(4, regwidth, 0, 1).unwrap();
        let mut s = Sketch::new(params);
        for i in 0..16u64 {
            s.add_hash(i | (1 << 63)).unwrap();
        }
        let e = s.cardinality().unwrap();
        assert!(e.is_finite() && e > 0.0, "regwidth {regwidth}: {e}");
    }
}

#[test]
fn registers_with_none_set_stay_registers_in_a_union() {
    // With no explicit form, a hash whose bits above the index are all zero (rho 0)
    // turns an EMPTY sketch into registers with none set. A union with EMPTY gives the
    // same bytes from either side, as adding the hash would (found by fuzzing).
    let params = Params::new(4, 1, 0, 0).unwrap();
    let mut zero = Sketch::new(params);
    zero.add_hash(0x5).unwrap();
    assert_eq!(zero.storage_type(), StorageType::Full);
    let empty = Sketch::new(params);
    let mut left = empty.clone();
    left.union(&zero).unwrap();
    let mut right = zero.clone();
    right.union(&empty).unwrap();
    assert_eq!(left.encode().unwrap(), right.encode().unwrap());
    assert_eq!(left.encode().unwrap(), [0x14, 0x04, 0x00, 0x00, 0x00]);
    let stored = zero.encode().unwrap();
    let mut from_bytes = Sketch::new(params);
    from_bytes
        .union(&hll_core::StoredSketch::parse(&stored).unwrap())
        .unwrap();
    assert_eq!(from_bytes.encode().unwrap(), stored);
}
