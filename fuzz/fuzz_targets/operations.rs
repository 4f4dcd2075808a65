//! Sequences of add, union, fold and encode/decode on arbitrary inputs, with the laws
//! checked: decode(encode(x)) == x; union commutative, associative and idempotent, and
//! equal to building from all the hashes; folding equals building at the lower
//! precision; an EXPLICIT sketch counts exactly.

#![no_main]

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use hll_core::{Params, Repr, Sketch, StoredSketch};
use hll_core_fuzz::{build, params, Hashes};
use libfuzzer_sys::fuzz_target;

fn bytes(s: &Sketch) -> Vec<u8> {
    s.encode().expect("encodes")
}

fn union(a: &Sketch, b: &Sketch) -> Sketch {
    let mut u = a.clone();
    u.union(b).expect("union");
    u
}

fn check(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let p = params(u)?;
    let [a, b, c] = [
        Hashes::arbitrary(u)?,
        Hashes::arbitrary(u)?,
        Hashes::arbitrary(u)?,
    ];
    let (sa, sb, sc) = (build(p, &a.0), build(p, &b.0), build(p, &c.0));

    for s in [&sa, &sb, &sc] {
        let encoded = bytes(s);
        let decoded = Sketch::decode(&encoded).expect("own bytes decode");
        assert_eq!(bytes(&decoded), encoded);
        assert_eq!(decoded.cardinality(), s.cardinality());
        assert_eq!(
            StoredSketch::parse(&encoded).expect("parses").cardinality(),
            s.cardinality()
        );
    }

    let distinct: BTreeSet<u64> = a.0.iter().copied().collect();
    if let Repr::Explicit(set) = sa.repr() {
        assert_eq!(set.len(), distinct.len());
        assert_eq!(sa.cardinality(), Some(distinct.len() as f64));
    }

    assert_eq!(bytes(&union(&sa, &sb)), bytes(&union(&sb, &sa)));
    assert_eq!(
        bytes(&union(&union(&sa, &sb), &sc)),
        bytes(&union(&sa, &union(&sb, &sc)))
    );
    assert_eq!(bytes(&union(&sa, &sa)), bytes(&sa));
    let all: Vec<u64> = a.0.iter().chain(&b.0).copied().collect();
    assert_eq!(bytes(&union(&sa, &sb)), bytes(&build(p, &all)));
    let stored_b = bytes(&sb);
    let mut from_stored = sa.clone();
    from_stored
        .union(&StoredSketch::parse(&stored_b).expect("parses"))
        .expect("union");
    assert_eq!(bytes(&from_stored), bytes(&build(p, &all)));

    let lower_log2m = u.int_in_range(4..=p.log2m())?;
    let lower_regwidth = u.int_in_range(1..=p.regwidth())?;
    let target = Params::new(
        lower_log2m.into(),
        lower_regwidth.into(),
        p.expthresh_value(),
        p.sparseon().into(),
    )
    .expect("lower parameters are valid");
    // A register records no hash whose bits above the index are all zero (rho 0),
    // so folding cannot rebuild those (1 in 2^47 hashes or fewer); the law is for the
    // others.
    let kept = |h: &Hashes| -> Vec<u64> {
        h.0.iter()
            .copied()
            .filter(|&h| h >> p.log2m() != 0)
            .collect()
    };
    let (ka, kb) = (build(p, &kept(&a)), build(p, &kept(&b)));
    let folded = ka.reduce(target).expect("folds");
    assert_eq!(bytes(&folded), bytes(&build(target, &kept(&a))));
    let folded_union = union(&folded, &kb.reduce(target).expect("folds"));
    assert_eq!(
        bytes(&folded_union),
        bytes(&union(&ka, &kb).reduce(target).expect("folds"))
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
