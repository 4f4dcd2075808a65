//! Laws that hold for any content: union is commutative, associative and idempotent,
//! decoding inverts encoding, and arbitrary bytes never crash the decoder. The same
//! invariants as the fuzz targets (fuzz/), run with every `cargo test`.

use hll_core::{hex, Error, Params, Sketch, StoredSketch};
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

    #[test]
    fn hex_text_round_trips_or_is_a_syntax_error(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        text in prop::collection::vec(prop_oneof![
            Just(b'\\'), Just(b'x'), Just(b'X'), Just(b'0'), Just(b'f'), Just(b'F'), any::<u8>()
        ], 0..40),
    ) {
        let encoded = hex::encode(&bytes);
        prop_assert_eq!(encoded.len(), hex::encoded_len(bytes.len()));
        prop_assert_eq!(hex::decode(&encoded).unwrap(), bytes);
        match hex::decode(&text) {
            Ok(decoded) => {
                prop_assert_eq!(hex::decoded_len(&text).unwrap(), decoded.len());
                prop_assert_eq!(hex::encode(&decoded), text.to_ascii_lowercase());
            }
            Err(e) => {
                prop_assert!(matches!(e, Error::Syntax(_)), "{}", e);
                prop_assert!(hex::decoded_len(&text).is_err());
            }
        }
    }

    #[test]
    fn parameters_round_trip_through_typmod_and_header(
        log2m in -2i64..=40, regwidth in -2i64..=12, expthresh in -3i64..=9000,
        sparseon in -1i64..=2, typmod in any::<i32>(), p in any::<u8>(), c in any::<u8>(),
    ) {
        if let Ok(params) = Params::new(log2m, regwidth, expthresh, sparseon) {
            prop_assert_eq!(i64::from(params.log2m()), log2m);
            prop_assert_eq!(i64::from(params.regwidth()), regwidth);
            prop_assert!(params.typmod() >= 0);
            prop_assert_eq!(Params::from_typmod(params.typmod()).unwrap(), params);
            prop_assert_eq!(Params::from_header(params.p_byte(), params.c_byte()).unwrap(), params);
        }
        if let Ok(params) = Params::from_typmod(typmod) {
            prop_assert_eq!(params.typmod(), typmod);
        }
        if let Ok(params) = Params::from_header(p, c) {
            prop_assert_eq!((params.p_byte(), params.c_byte()), (p, c));
            let again = Params::new(
                params.log2m().into(),
                params.regwidth().into(),
                params.expthresh_value(),
                params.sparseon().into(),
            );
            prop_assert_eq!(again.unwrap(), params);
        }
    }

    #[test]
    fn the_flat_state_is_its_length_and_combines_as_the_live_one(
        p in params(), h in hashes(), other in hashes(),
        max_sparse in prop_oneof![Just(None), Just(Some(0usize)), (0usize..3000).prop_map(Some)],
    ) {
        let state = build(p, &h);
        let len = state.encoded_len(max_sparse);
        let mut flat = vec![0xa5u8; len];
        state.encode_into(&mut flat, max_sparse).unwrap();
        prop_assert!(state.encode_into(&mut vec![0; len + 1], max_sparse).is_err());
        prop_assert_eq!(&flat, &state.encode_with(max_sparse).unwrap());
        let read = StoredSketch::parse(&flat).unwrap();
        let back = Sketch::from_stored(&read).unwrap();
        prop_assert_eq!(back.cardinality(), state.cardinality());
        let mut live = build(p, &other);
        live.union(&state).unwrap();
        let mut combined = build(p, &other);
        combined.union(&read).unwrap();
        prop_assert_eq!(combined.encode().unwrap(), live.encode().unwrap());
    }
}
