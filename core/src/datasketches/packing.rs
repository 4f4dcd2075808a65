//! Register bytes of the three target types, `k = 2^lg_k` registers:
//! - HLL_8: one byte per register;
//! - HLL_6: register `i` in bits `6i..6i+6` of a little-endian bit stream, `3k/4 + 1`
//!   bytes (the last byte is padding so a register can be read as two bytes);
//! - HLL_4: two registers per byte, the even one in the low nibble; a nibble holds the
//!   value minus `cur_min`, 15 meaning "see the exception table".

use super::sketch::TargetType;

/// Bytes of the register array of `target` at `lg_k`.
pub fn array_bytes(target: TargetType, lg_k: u8) -> usize {
    let k = 1usize << lg_k;
    match target {
        TargetType::Hll4 => k / 2,
        TargetType::Hll6 => k * 3 / 4 + 1,
        TargetType::Hll8 => k,
    }
}

/// Reads HLL_6 register `i`.
pub fn get6(bytes: &[u8], i: usize) -> u8 {
    let bit = i * 6;
    let w = u16::from(bytes[bit / 8]) | (u16::from(bytes[bit / 8 + 1]) << 8);
    ((w >> (bit % 8)) & 0x3f) as u8
}

/// Writes HLL_6 register `i` (value below 64).
pub fn put6(bytes: &mut [u8], i: usize, v: u8) {
    let bit = i * 6;
    let mut w = u16::from(bytes[bit / 8]) | (u16::from(bytes[bit / 8 + 1]) << 8);
    w &= !(0x3f << (bit % 8));
    w |= u16::from(v & 0x3f) << (bit % 8);
    bytes[bit / 8] = w as u8;
    bytes[bit / 8 + 1] = (w >> 8) as u8;
}

/// Reads HLL_4 nibble `i`.
pub fn get4(bytes: &[u8], i: usize) -> u8 {
    let b = bytes[i / 2];
    if i.is_multiple_of(2) {
        b & 0x0f
    } else {
        b >> 4
    }
}

/// Writes HLL_4 nibble `i` (below 16).
pub fn put4(bytes: &mut [u8], i: usize, v: u8) {
    let b = &mut bytes[i / 2];
    if i.is_multiple_of(2) {
        *b = (*b & 0xf0) | (v & 0x0f);
    } else {
        *b = (*b & 0x0f) | (v << 4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn six_bit_registers_are_independent(vals in proptest::collection::vec(0u8..64, 16)) {
            let mut b = vec![0u8; array_bytes(TargetType::Hll6, 4)];
            for (i, &v) in vals.iter().enumerate() { put6(&mut b, i, v); }
            for (i, &v) in vals.iter().enumerate() { prop_assert_eq!(get6(&b, i), v); }
            prop_assert_eq!(*b.last().unwrap(), 0);
            let mut n = vec![0u8; 8];
            for (i, &v) in vals.iter().enumerate() { put4(&mut n, i, v % 16); }
            for (i, &v) in vals.iter().enumerate() { prop_assert_eq!(get4(&n, i), v % 16); }
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(array_bytes(TargetType::Hll4, 4), 8);
        assert_eq!(array_bytes(TargetType::Hll6, 4), 13);
        assert_eq!(array_bytes(TargetType::Hll8, 21), 1 << 21);
    }
}
