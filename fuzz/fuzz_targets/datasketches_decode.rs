//! DataSketches HLL decoding (`hll_core::datasketches`) on arbitrary bytes: decoding
//! accepts or refuses without panicking; what it accepts estimates to a finite
//! non-negative number with ordered bounds, re-encodes in both layouts and every target
//! type to bytes that decode again to the same registers, and unions without panicking.

#![no_main]

use hll_core::datasketches::{DsSketch, DsUnion, TargetType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(s) = DsSketch::from_bytes(bytes) else {
        return;
    };
    let est = s.estimate();
    assert!(est.is_finite() && est >= 0.0, "{est}");
    for sd in 1..=3 {
        let (lb, ub) = (s.lower_bound(sd).unwrap(), s.upper_bound(sd).unwrap());
        assert!(lb.is_finite() && ub.is_finite(), "{lb} {ub}");
    }
    for compact in [true, false] {
        let again = DsSketch::from_bytes(&s.to_bytes(compact)).expect("own bytes decode");
        assert_eq!(again.registers(), s.registers());
        assert_eq!(again.estimate().to_bits(), est.to_bits());
    }
    for t in [TargetType::Hll4, TargetType::Hll6, TargetType::Hll8] {
        let c = s.with_target(t);
        let back = DsSketch::from_bytes(&c.to_bytes(false)).expect("converted bytes decode");
        assert_eq!(back.registers(), s.registers());
    }
    let mut u = DsUnion::new(s.lg_k().max(8)).unwrap();
    u.update(&s);
    u.update(&s);
    assert!(u.estimate().is_finite());
});
