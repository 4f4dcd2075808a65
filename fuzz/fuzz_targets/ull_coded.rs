//! The entropy-coded `ull` register form (`hll_core::ull::coded`) on arbitrary bytes,
//! at every precision of the type (4 to 18): decoding accepts or rejects without
//! panicking; what it accepts is valid registers whose encoding is exactly the input
//! (the form is canonical: SQL equality compares these bytes), and the fused
//! decode-merge and the histogram accept the same inputs and agree with the decoder.
//! Then the same bytes read as register values (any valid state, so histograms no
//! sketch would have) go through the encoder and back, and through a one-bit change.

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
            assert_eq!(
                decoded.is_ok(),
                merge.is_ok(),
                "p {p}: {decoded:?} {merge:?}"
            );
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
            assert_eq!(
                again, bytes,
                "p {p}: accepted bytes are not the canonical encoding"
            );
        }
    });
    registers_round_trip(bytes);
});

/// The input as registers of precision 4 to 8 (its first byte picks `p` and a bit to
/// flip, the next `2^p` bytes pick valid states, repeating when short): encoding then
/// decoding gives them back, and the coded form with one bit flipped is refused or is
/// the canonical form of what it decodes to.
fn registers_round_trip(bytes: &[u8]) {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    let p = 4 + first % 5;
    let valid: Vec<u8> = (0..=255u8).filter(|&b| register::is_valid(b, p)).collect();
    let registers: Vec<u8> = (0..1usize << p)
        .map(|i| valid[usize::from(rest[i % rest.len()]) % valid.len()])
        .collect();
    let mut encoded = vec![0u8; coded::encoded_len(&registers, p)];
    coded::encode_into(&registers, p, &mut encoded);
    let mut out = vec![0u8; registers.len()];
    coded::decode_into(&encoded, p, &mut out).expect("the encoder's output decodes");
    assert_eq!(out, registers);
    let bit = (usize::from(first / 5) * 131 + rest.len()) % (8 * encoded.len());
    encoded[bit / 8] ^= 0x80 >> (bit % 8);
    if coded::decode_into(&encoded, p, &mut out).is_ok() {
        let mut again = vec![0u8; coded::encoded_len(&out, p)];
        coded::encode_into(&out, p, &mut again);
        assert_eq!(
            again, encoded,
            "p {p}: a changed body accepted but not canonical"
        );
    }
}
