//! Coupons, and how the DataSketches library (and so Spark's `hll_sketch_agg`) turns a
//! value into one.
//!
//! The library hashes the value's bytes with MurmurHash3 x64-128 and seed 9001. Which
//! bytes, for the update methods Spark calls (`HllSketchAgg.update`, Spark 3.5 and 4):
//!
//! | Spark type | library call | bytes hashed |
//! |---|---|---|
//! | IntegerType | `update(long)` (Java widens the int) | the value as 8 bytes, little-endian |
//! | LongType | `update(long)` | the value as 8 bytes, little-endian |
//! | StringType (UTF8_BINARY) | `update(String)` / `update(byte[])` of the UTF-8 bytes | UTF-8, no length; empty strings are skipped |
//! | BinaryType | `update(byte[])` | the bytes; empty arrays are skipped |
//!
//! Spark rejects other input types; a date or timestamp reaches it cast to one of these
//! (for example `unix_date(d)` as an integer, `unix_micros(ts)` as a long).

use crate::murmur3::murmur3_x64_128;

/// The library's default hash seed; sketches only merge when built with the same one.
pub const DEFAULT_SEED: u32 = 9001;

/// Bits of a coupon that hold the slot address.
pub const KEY_BITS: u32 = 26;
/// Mask of the slot address in a coupon.
pub const KEY_MASK: u32 = (1 << KEY_BITS) - 1;
/// Largest register value a coupon can carry (62 leading zeros + 1, and 6 bits).
pub const MAX_VALUE: u8 = 63;

/// The coupon of a 128-bit hash: the slot address from the first word, the value from
/// the leading zeros of the second.
pub fn from_hash(h1: u64, h2: u64) -> u32 {
    let value = h2.leading_zeros().min(62) + 1;
    (value << KEY_BITS) | (h1 as u32 & KEY_MASK)
}

/// A coupon from a slot and a value (how registers are iterated as coupons).
pub fn pair(slot: u32, value: u8) -> u32 {
    (u32::from(value) << KEY_BITS) | (slot & KEY_MASK)
}

/// The 26-bit slot address of a coupon.
pub fn address(coupon: u32) -> u32 {
    coupon & KEY_MASK
}

/// The register value of a coupon.
pub fn value(coupon: u32) -> u8 {
    (coupon >> KEY_BITS) as u8
}

/// Whether a 32-bit word read from bytes is a coupon the library could have made:
/// non-zero value (0 is the empty slot marker) in its 6 bits.
pub fn is_valid(coupon: u32) -> bool {
    (1..=MAX_VALUE).contains(&value(coupon))
}

/// The coupon of arbitrary bytes (`update(byte[])`); `None` for empty input, which the
/// library ignores.
pub fn of_bytes(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    let (h1, h2) = murmur3_x64_128(bytes, DEFAULT_SEED);
    Some(from_hash(h1, h2))
}

/// The coupon of a string (`update(String)`: its UTF-8 bytes); `None` for "".
pub fn of_str(s: &str) -> Option<u32> {
    of_bytes(s.as_bytes())
}

/// The coupon of a 64-bit integer (`update(long)`, and `update(int)` after widening).
pub fn of_i64(v: i64) -> u32 {
    let (h1, h2) = murmur3_x64_128(&v.to_le_bytes(), DEFAULT_SEED);
    from_hash(h1, h2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        for slot in [0, 1, 12345, KEY_MASK] {
            for v in 1..=MAX_VALUE {
                let c = pair(slot, v);
                assert_eq!((address(c), value(c)), (slot, v));
                assert!(is_valid(c));
            }
        }
        assert!(!is_valid(0));
        assert!(!is_valid(17));
    }

    #[test]
    fn value_is_capped() {
        // A second word of 0 has 64 leading zeros; the library caps the value at 63.
        assert_eq!(value(from_hash(5, 0)), 63);
        assert_eq!(value(from_hash(5, 1)), 63);
        assert_eq!(value(from_hash(5, 3)), 63);
        assert_eq!(value(from_hash(5, u64::MAX)), 1);
        assert_eq!(address(from_hash(u64::MAX, 1)), KEY_MASK);
    }

    #[test]
    fn library_vectors() {
        // The single coupon of a sketch updated once, as the Apache library (Python
        // binding of datasketches-cpp 5.2) serializes it.
        assert_eq!(of_i64(0), 0x04c2_d7cb);
        assert_eq!(of_i64(1), 0x06fb_f22b);
        assert_eq!(of_i64(-1), 0x0be7_64d9);
        assert_eq!(of_str("abc"), Some(0x0487_8d21));
        assert_eq!(of_str("Straße"), Some(0x0aa8_545e));
        assert_eq!(of_str("日本語"), Some(0x0b31_93c8));
    }

    #[test]
    fn empty_input_is_skipped_and_widening_is_exact() {
        assert_eq!(of_bytes(b""), None);
        assert_eq!(of_str(""), None);
        assert_eq!(of_str("abc"), of_bytes(b"abc"));
        // An int passed as a long hashes the sign-extended 8 bytes.
        assert_eq!(of_i64(i64::from(-7i32)), of_i64(-7));
        assert_ne!(of_i64(1), of_bytes(&1i32.to_le_bytes()).unwrap());
    }
}
