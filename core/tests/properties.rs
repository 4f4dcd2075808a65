//! Laws that hold for any content: union is commutative, associative and idempotent,
//! decoding inverts encoding, and arbitrary bytes never crash the decoder.

use hll_core::{Params, Sketch, StoredSketch};
use proptest::prelude::*;

fn params() -> impl Strategy<Value = Params> {
    (
        4i64..=14,
        1i64..=8,
        prop_oneof![Just(-1i64), Just(0), Just(1), Just(16), Just(256)],
        0i64..=1,
    )
        .prop_map(|(l, r, e, s)| Params::new(l, r, e, s).unwrap())
}

/// Hash lists that reach every form: empty, explicit, sparse and dense.
fn hashes() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(any::<u64>(), 0..8),
        prop::collection::vec(any::<u64>(), 0..300),
        prop::collection::vec(any::<u64>(), 0..5000),
    ]
}

fn build(params: Params, hashes: &[u64]) -> Sketch {
    let mut s = Sketch::new(params);
    for &h in hashes {
        s.add_hash(h).unwrap();
    }
    s
}

fn union(a: &Sketch, b: &Sketch) -> Sketch {
    let mut u = a.clone();
    u.union(b).unwrap();
    u
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decode_inverts_encode(p in params(), h in hashes()) {
        let s = build(p, &h);
        let bytes = s.encode().unwrap();
        let back = Sketch::decode(&bytes).unwrap();
        prop_assert_eq!(back.encode().unwrap(), bytes.clone());
        prop_assert_eq!(back.cardinality(), s.cardinality());
        prop_assert_eq!(StoredSketch::parse(&bytes).unwrap().cardinality(), s.cardinality());
    }

    #[test]
    fn union_is_commutative_associative_idempotent(
        p in params(), a in hashes(), b in hashes(), c in hashes()
    ) {
        let (sa, sb, sc) = (build(p, &a), build(p, &b), build(p, &c));
        prop_assert_eq!(union(&sa, &sb).encode().unwrap(), union(&sb, &sa).encode().unwrap());
        prop_assert_eq!(
            union(&union(&sa, &sb), &sc).encode().unwrap(),
            union(&sa, &union(&sb, &sc)).encode().unwrap()
        );
        prop_assert_eq!(union(&sa, &sa).encode().unwrap(), sa.encode().unwrap());
    }

    #[test]
    fn union_equals_building_from_all_hashes(p in params(), a in hashes(), b in hashes()) {
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        let expected = build(p, &all).encode().unwrap();
        prop_assert_eq!(union(&build(p, &a), &build(p, &b)).encode().unwrap(), expected.clone());
        let b_bytes = build(p, &b).encode().unwrap();
        let mut from_bytes = build(p, &a);
        from_bytes.union(&StoredSketch::parse(&b_bytes).unwrap()).unwrap();
        prop_assert_eq!(from_bytes.encode().unwrap(), expected);
    }

    #[test]
    fn folding_equals_building_with_fewer_registers(
        p in params(), h in hashes(), dl in 0u8..=4, dr in 0u8..=3
    ) {
        let target = Params::new(
            (p.log2m() - dl.min(p.log2m() - 4)).into(),
            (p.regwidth() - dr.min(p.regwidth() - 1)).into(),
            p.expthresh_value(),
            p.sparseon().into(),
        ).unwrap();
        let folded = build(p, &h).reduce(target).unwrap();
        prop_assert_eq!(folded.encode().unwrap(), build(target, &h).encode().unwrap());
    }

    #[test]
    fn union_after_folding_equals_folding_after_union(
        p in params(), a in hashes(), b in hashes(), dl in 1u8..=3
    ) {
        let target = Params::new(
            (p.log2m() - dl.min(p.log2m() - 4)).into(),
            p.regwidth().into(),
            p.expthresh_value(),
            p.sparseon().into(),
        ).unwrap();
        let (sa, sb) = (build(p, &a), build(p, &b));
        let fold_then_union = union(&sa.reduce(target).unwrap(), &sb.reduce(target).unwrap());
        let union_then_fold = union(&sa, &sb).reduce(target).unwrap();
        prop_assert_eq!(fold_then_union.encode().unwrap(), union_then_fold.encode().unwrap());
        let mixed = union(&sa, &sb.reduce(target).unwrap());
        prop_assert_eq!(mixed.encode().unwrap(), union_then_fold.encode().unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(stored) = StoredSketch::parse(&bytes) {
            let c = stored.cardinality();
            prop_assert!(c.is_none_or(|c| c.is_finite() && c >= 0.0));
            let s = Sketch::from_stored(&stored).unwrap();
            prop_assert_eq!(s.cardinality(), c);
        }
    }

    #[test]
    fn headers_with_arbitrary_bodies_never_panic(
        kind in 0u8..=4, p in params(), body in prop::collection::vec(any::<u8>(), 0..200)
    ) {
        let mut bytes = vec![0x10 | kind, p.p_byte(), p.c_byte()];
        bytes.extend_from_slice(&body);
        if let Ok(stored) = StoredSketch::parse(&bytes) {
            let s = Sketch::from_stored(&stored).unwrap();
            prop_assert_eq!(s.encode().unwrap().len() <= bytes.len().max(3 + p.full_body_len()), true);
        }
    }
}
