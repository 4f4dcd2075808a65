//! The aggregate state's flat form: a state is an `hll` kept expanded in memory and
//! flattened (for a partial aggregate sent to a parallel leader or a Citus
//! coordinator, a spill to disk, the result) by `encoded_len` + `encode_into` with the
//! session's `max_sparse`, and read back by the decoder. Whatever the content and the
//! setting, the flat form is exactly `encoded_len` bytes, decodes to the same content,
//! and the reader combines it as the live state would.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use hll_core::{Sketch, StoredSketch};
use hll_core_fuzz::{build, params, Hashes};
use libfuzzer_sys::fuzz_target;

fn check(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let p = params(u)?;
    let hashes = Hashes::arbitrary(u)?;
    let other = Hashes::arbitrary(u)?;
    let max_sparse = match u.int_in_range(0..=2)? {
        0 => None,
        1 => Some(0),
        _ => Some(usize::from(u.arbitrary::<u16>()?)),
    };
    let state = build(p, &hashes.0);
    let len = state.encoded_len(max_sparse);
    let mut flat = vec![0xa5u8; len];
    state
        .encode_into(&mut flat, max_sparse)
        .expect("fits its own length");
    assert!(state
        .encode_into(&mut vec![0; len + 1], max_sparse)
        .is_err());
    assert_eq!(flat, state.encode_with(max_sparse).expect("encodes"));

    let read = StoredSketch::parse(&flat).expect("the flat form is valid");
    let back = Sketch::from_stored(&read).expect("decodes");
    assert_eq!(back.register_values(), state.register_values());
    assert_eq!(back.cardinality(), state.cardinality());

    let live = {
        let mut s = build(p, &other.0);
        s.union(&state).expect("union");
        s
    };
    let mut combined = build(p, &other.0);
    combined.union(&read).expect("union");
    assert_eq!(
        combined.encode().expect("encodes"),
        live.encode().expect("encodes")
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
