//! The decoder refuses every malformed input with an error, never a panic.

use hll_core::{Error, Params, Sketch, StoredSketch};

fn corrupt(bytes: &[u8]) -> String {
    match StoredSketch::parse(bytes) {
        Err(Error::Corrupt(msg)) => msg,
        other => panic!("{bytes:02x?} was accepted or gave another error: {other:?}"),
    }
}

fn sketch_with(params: Params, hashes: impl IntoIterator<Item = u64>) -> Vec<u8> {
    let mut s = Sketch::new(params);
    for h in hashes {
        s.add_hash(h).unwrap();
    }
    s.encode().unwrap()
}

#[test]
fn header_errors() {
    assert!(corrupt(&[]).contains("shorter than"));
    assert!(corrupt(&[0x11, 0x8b]).contains("shorter than"));
    assert!(corrupt(&[0x21, 0x8b, 0x7f]).contains("schema version 2"));
    assert!(corrupt(&[0x15, 0x8b, 0x7f]).contains("unknown type 5"));
    assert!(corrupt(&[0x11, 0x83, 0x7f]).contains("log2m = 3"));
    assert!(corrupt(&[0x11, 0x95, 0x7f]).contains("log2m = 21"));
    assert!(corrupt(&[0x11, 0x8b, 0xff]).contains("reserved bit"));
    assert!(corrupt(&[0x11, 0x8b, 0x40 | 30]).contains("cutoff code 30"));
    assert!(corrupt(&[0x11, 0x8b, 0x7f, 0x00]).contains("no body"));
    assert!(corrupt(&[0x10, 0x8b, 0x7f, 0x00]).contains("no body"));
}

#[test]
fn explicit_errors() {
    let good = sketch_with(Params::default(), [1, 2, 3]);
    assert!(StoredSketch::parse(&good).is_ok());
    assert!(corrupt(&good[..good.len() - 1]).contains("multiple of 8"));
    let mut unsorted = good.clone();
    unsorted[3..11].copy_from_slice(&5i64.to_be_bytes());
    assert!(corrupt(&unsorted).contains("sorted"));
    let mut duplicate = good.clone();
    duplicate[11..19].copy_from_slice(&1i64.to_be_bytes());
    assert!(corrupt(&duplicate).contains("sorted and distinct"));
    let mut too_many = vec![0x12, 0x8b, 0x7f];
    for v in 0..(hll_core::storage::MAX_EXPLICIT_VALUES as i64 + 1) {
        too_many.extend_from_slice(&v.to_be_bytes());
    }
    assert!(corrupt(&too_many).contains("more than"));
}

#[test]
fn sparse_errors() {
    // Registers 11 = 6 and 1099 = 19, the specification's example.
    let good = [0x13u8, 0xab, 0x40, 0x01, 0x63, 0x44, 0xb4, 0xc0];
    assert!(StoredSketch::parse(&good).is_ok());
    // The same two words in the wrong order.
    let mut reordered = [0u8; 8];
    reordered[..3].copy_from_slice(&good[..3]);
    // 17-bit words: (1099 << 6 | 19) then (11 << 6 | 6).
    let words = [(1099u32 << 6) | 19, (11 << 6) | 6];
    let bits: u64 = (u64::from(words[0]) << 47) | (u64::from(words[1]) << 30);
    reordered[3..8].copy_from_slice(&bits.to_be_bytes()[..5]);
    assert!(corrupt(&reordered).contains("out of order"));
    // A word with value 0 in front of a real one.
    let mut zero_value = good;
    zero_value[3] = 0x00;
    zero_value[4] = 0x00;
    zero_value[5] &= 0x7f;
    assert!(corrupt(&zero_value).contains("value 0"));
    // Non-zero padding bits.
    let mut bad_padding = good;
    bad_padding[7] |= 0x01;
    assert!(corrupt(&bad_padding).contains("padding"));
    // A trailing zero byte.
    let mut trailing = good.to_vec();
    trailing.push(0);
    assert!(corrupt(&trailing).contains("trailing"));
    // A truncated body is a different, shorter word list: its padding is not zero.
    assert!(StoredSketch::parse(&good[..7]).is_err());
}

#[test]
fn sparse_with_narrow_words_ignores_whole_zero_padding_words() {
    // log2m 4, regwidth 1: 5-bit words. Three words take 15 bits, so two bytes;
    // a zero 16th bit is padding, not a fourth word.
    let params = Params::new(4, 1, 0, 1).unwrap();
    let bytes = sketch_with(params, [1 | (1 << 4), 2 | (1 << 4), 3 | (1 << 4)]);
    assert_eq!(bytes.len(), 5);
    let stored = StoredSketch::parse(&bytes).unwrap();
    assert_eq!(
        stored.sparse_registers().collect::<Vec<_>>(),
        [(1, 1), (2, 1), (3, 1)]
    );
    // One word is 5 bits in one byte: a second, all-zero byte is not padding.
    let one = sketch_with(params, [1 | (1 << 4)]);
    assert_eq!(one.len(), 4);
    let mut longer = one.clone();
    longer.push(0);
    assert!(corrupt(&longer).contains("trailing"));
}

#[test]
fn full_errors() {
    let params = Params::new(4, 5, 0, 0).unwrap();
    let good = sketch_with(params, [3 | (1 << 6)]);
    assert_eq!(good.len(), 13);
    assert!(StoredSketch::parse(&good).is_ok());
    assert!(corrupt(&good[..12]).contains("must be 10 bytes"));
    let mut long = good.clone();
    long.push(0);
    assert!(corrupt(&long).contains("must be 10 bytes"));
}

#[test]
fn every_truncation_and_bit_flip_is_handled() {
    let params = Params::new(8, 6, -1, 1).unwrap();
    let samples = [
        sketch_with(params, []),
        sketch_with(
            params,
            (1..10u64).map(|i| i.wrapping_mul(0x9e3779b97f4a7c15)),
        ),
        sketch_with(
            params,
            (1..60u64).map(|i| i.wrapping_mul(0x9e3779b97f4a7c15)),
        ),
        sketch_with(
            params,
            (1..3000u64).map(|i| i.wrapping_mul(0x9e3779b97f4a7c15)),
        ),
    ];
    for bytes in &samples {
        for len in 0..bytes.len() {
            let _ = StoredSketch::parse(&bytes[..len]).map(|s| s.cardinality());
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[i] ^= 1 << bit;
                if let Ok(stored) = StoredSketch::parse(&flipped) {
                    let card = stored.cardinality();
                    assert!(card.is_none_or(|c| c.is_finite()));
                    let decoded = Sketch::from_stored(&stored).unwrap();
                    assert_eq!(decoded.cardinality(), card);
                }
            }
        }
    }
}
