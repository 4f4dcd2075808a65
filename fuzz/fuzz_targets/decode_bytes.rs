//! The storage decoder on arbitrary bytes: it accepts or rejects without panicking;
//! what it accepts decodes within the memory its parameters allow, re-encodes to
//! bytes that decode to the same content, and estimates a finite, non-negative count.

#![no_main]

use hll_core::{Sketch, StoredSketch};
use hll_core_fuzz::Counting;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(stored) = StoredSketch::parse(bytes) else {
        assert!(Sketch::decode(bytes).is_err());
        return;
    };
    let estimate = stored.cardinality();
    assert!(estimate.is_none_or(|c| c.is_finite() && c >= 0.0));

    let counting = Counting::default();
    let sketch = Sketch::from_stored_in(&stored, counting.clone()).expect("accepted bytes decode");
    // An explicit set takes at most a table of twice its hashes (rounded up to a power
    // of two, so four times), registers at most one byte each, plus sparse bookkeeping.
    let allowed = 4 * bytes.len() + 2 * stored.params().m() + 1024;
    assert!(
        counting.peak() <= allowed,
        "decoding {} bytes took {} (allowed {allowed})",
        bytes.len(),
        counting.peak()
    );
    assert_eq!(sketch.cardinality(), estimate);
    assert_eq!(sketch.histogram(), stored.histogram());

    let encoded = sketch.encode().expect("encodes");
    let again = Sketch::decode(&encoded).expect("re-encoded bytes decode");
    assert_eq!(again.encode().expect("encodes"), encoded);
    assert_eq!(again.register_values(), sketch.register_values());
    assert_eq!(again.cardinality(), estimate);

    let mut with_itself = sketch.clone();
    with_itself.union(&stored).expect("union");
    assert_eq!(with_itself.encode().expect("encodes"), encoded);
});
