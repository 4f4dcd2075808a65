//! The hash family of postgresql-hll: MurmurHash3 x64-128, first 64-bit word.
//!
//! Sketches made by postgresql-hll can only be continued with the hashes it used, so
//! these reproduce its hashes bit for bit. Which bytes it hashes:
//!
//! | value | bytes |
//! |---|---|
//! | boolean | one byte, `0x00` or `0x01` |
//! | smallint, integer, bigint | the value at its own width, little-endian |
//! | text, bytea, any variable-length type | the data bytes, without length header |
//!
//! So, unlike [`crate::hash`], `hll_hash_integer(1)` and `hll_hash_bigint(1)` differ.
//! The seed is a 32-bit integer taken as its unsigned bits (so -1 is `0xffff_ffff`);
//! empty input with seed 0 hashes to 0.

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

#[inline(always)]
fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[inline(always)]
fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

#[inline(always)]
fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

/// Little-endian value of up to 8 bytes.
#[inline(always)]
fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// MurmurHash3 x64-128 of `data` with a 32-bit seed; both 64-bit words.
pub fn murmur3_x64_128(data: &[u8], seed: u32) -> (u64, u64) {
    let mut h1 = u64::from(seed);
    let mut h2 = u64::from(seed);
    let blocks = data.chunks_exact(16);
    let tail = blocks.remainder();
    for block in blocks {
        h1 ^= mix_k1(le(&block[..8]));
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(le(&block[8..]));
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    if tail.len() > 8 {
        h2 ^= mix_k2(le(&tail[8..]));
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(le(&tail[..tail.len().min(8)]));
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

/// postgresql-hll's hash of raw bytes: the first word, seed as unsigned 32 bits.
#[inline]
pub fn hash_bytes(bytes: &[u8], seed: i32) -> u64 {
    murmur3_x64_128(bytes, seed as u32).0
}

/// Hash of a boolean (one byte).
#[inline]
pub fn hash_boolean(value: bool, seed: i32) -> u64 {
    hash_bytes(&[u8::from(value)], seed)
}

/// Hash of a smallint (two bytes).
#[inline]
pub fn hash_smallint(value: i16, seed: i32) -> u64 {
    hash_bytes(&value.to_le_bytes(), seed)
}

/// Hash of an integer (four bytes).
#[inline]
pub fn hash_integer(value: i32, seed: i32) -> u64 {
    hash_bytes(&value.to_le_bytes(), seed)
}

/// Hash of a bigint (eight bytes).
#[inline]
pub fn hash_bigint(value: i64, seed: i32) -> u64 {
    hash_bytes(&value.to_le_bytes(), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors of postgresql-hll's own regression tests (shared/reference).
    #[test]
    fn peer_vectors() {
        assert_eq!(hash_integer(1, 0) as i64, -8604791237420463362);
        assert_eq!(hash_integer(2, 0) as i64, -2734554653617988768);
        assert_eq!(hash_integer(3, 0) as i64, 5208657608173592891);
        assert_eq!(hash_bigint(0, 0) as i64, 2945182322382062539);
        assert_eq!(hash_bigint(1, 0) as i64, 19144387141682250);
        assert_eq!(hash_bytes(b"A", 0) as i64, 243126998722523514);
        assert_eq!(hash_bytes(b"", 0), 0);
    }

    /// Read off postgresql-hll 2.17: seeds (negative ones as unsigned), empty input
    /// with a seed, and 16-byte-plus inputs that exercise the block loop.
    #[test]
    fn peer_seeds_and_lengths() {
        assert_eq!(hash_bytes(b"", 1) as i64, 5048724184180415669);
        assert_eq!(hash_bytes(b"", 5) as i64, 4464299780005672250);
        assert_eq!(hash_integer(1, -1) as i64, -346345235961563750);
        assert_eq!(hash_bytes(b"a", 0) as i64, -8839064797231613815);
        assert_eq!(hash_boolean(true, 0) as i64, 8849112093580131862);
        assert_eq!(hash_smallint(1, 0) as i64, 1967286128051477038);
    }

    #[test]
    fn tail_lengths_all_differ() {
        let data: Vec<u8> = (0u8..40).collect();
        let mut seen = std::collections::HashSet::new();
        for n in 0..=data.len() {
            assert!(seen.insert(hash_bytes(&data[..n], 0)), "length {n}");
        }
    }
}
