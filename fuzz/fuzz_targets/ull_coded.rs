//! The entropy-coded `ull` register form (`hll_core::ull::coded`) on arbitrary bytes,
//! at every precision of the type (4 to 18): decoding accepts or rejects without
//! panicking; what it accepts is valid registers whose encoding is exactly the input
//! (the form is canonical: SQL equality compares these bytes), and the fused
//! decode-merge and the histogram accept the same inputs and agree with the decoder.

#![no_main]

use std::cell::RefCell;

use hll_core::ull::{coded, register};
use libfuzzer_sys::fuzz_target;

thread_local! {
    // Register buffers reused across executions: zeroing 2^18 fresh bytes for each
    // precision would be most of an execution's time.
    static BUFFERS: RefCell<(Vec<u8>, Vec<u8>)> =
        RefCell::new((vec![0; 1 << 18], vec![0; 1 << 18]));
}

fuzz_target!(|bytes: &[u8]| {
    BUFFERS.with_borrow_mut(|(out, merged)| {
        for p in 4..=18u8 {
            let m = 1usize << p;
            let (out, merged) = (&mut out[..m], &mut merged[..m]);
            let decoded = coded::decode_into(bytes, p, out);
            let hist = coded::histogram(bytes, p);
            assert_eq!(decoded.is_ok(), hist.is_ok(), "p {p}: {decoded:?} {hist:?}");
            if decoded.is_ok() {
                merged.fill(0);
            }
            // (Into whatever the buffer holds when the input is refused: merging
            // never looks at the destination's validity, and it must fail anyway.)
            let merge = coded::decode_merge(bytes, p, merged);
            assert_eq!(decoded.is_ok(), merge.is_ok(), "p {p}: {decoded:?} {merge:?}");
            if decoded.is_err() {
                continue;
            }
            assert!(out.iter().all(|&r| register::is_valid(r, p)), "p {p}");
            // Merging into empty registers is a copy.
            assert_eq!(merged, out, "p {p}");
            let mut counts = [0u32; 256];
            for &r in out.iter() {
                counts[usize::from(r)] += 1;
            }
            assert_eq!(hist.expect("checked"), counts, "p {p}");
            let len = coded::encoded_len(out, p);
            assert_eq!(len, bytes.len(), "p {p}");
            let mut again = vec![0u8; len];
            coded::encode_into(out, p, &mut again);
            assert_eq!(again, bytes, "p {p}: accepted bytes are not the canonical encoding");
        }
    });
});
