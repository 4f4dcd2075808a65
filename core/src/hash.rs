//! Hashing of values into the 64-bit hashes a sketch consumes: xxh3-64 with a seed.
//!
//! Exactly which bytes are hashed, so that any tool can reproduce a hash with
//! `XXH3_64bits_withSeed(bytes, len, seed as u64)`:
//!
//! | value | bytes |
//! |---|---|
//! | boolean | one byte, `0x00` or `0x01` |
//! | smallint, integer, bigint | the value widened to 64 bits, 8 bytes little-endian two's complement |
//! | text, bytea, and any variable-length type | the data bytes, without length header |
//! | other fixed-length types | their in-memory bytes (little-endian for by-value types) |
//!
//! Values whose type's equality ignores some of their bytes hash a canonical form, so
//! that values equal as `count(DISTINCT)` sees them hash alike in every session and on
//! every server ([`hash_float8`], [`hash_float4`], [`hash_blank_padded`],
//! [`hash_interval`]; values built from other values through [`Composite`]).
//!
//! Integers hash by value, not by width, so a column that changes from `integer` to
//! `bigint` keeps its sketches compatible. The seed is a signed 64-bit integer taken as
//! its two's complement bits; seed 0 is xxh3's default. xxh3 mixes the seed into every
//! round, so every seed spreads sequential integers evenly over the registers.

use xxhash_rust::xxh3::{xxh3_64_with_seed, Xxh3};

/// Hash of raw bytes.
#[inline]
pub fn hash_bytes(bytes: &[u8], seed: i64) -> u64 {
    xxh3_64_with_seed(bytes, seed as u64)
}

/// Hash of an integer of any width, by value.
#[inline]
pub fn hash_integer(value: i64, seed: i64) -> u64 {
    // The same function either way; seed 0 (every aggregate, and the default seed)
    // as a constant folds xxh3's seed mixing away, which matters once per row.
    if seed == 0 {
        hash_bytes(&value.to_le_bytes(), 0)
    } else {
        hash_bytes(&value.to_le_bytes(), seed)
    }
}

/// Hash of a boolean.
#[inline]
pub fn hash_boolean(value: bool, seed: i64) -> u64 {
    hash_bytes(&[u8::from(value)], seed)
}

/// Hash of a `float8`: its 8 bytes little-endian, with `-0.0` taken as `0.0` and every
/// NaN as the one NaN PostgreSQL's equality sees.
#[inline]
pub fn hash_float8(value: f64, seed: i64) -> u64 {
    let canonical = if value == 0.0 {
        0.0
    } else if value.is_nan() {
        f64::NAN
    } else {
        value
    };
    hash_bytes(&canonical.to_bits().to_le_bytes(), seed)
}

/// Hash of a `float4`: its 4 bytes little-endian, canonical as in [`hash_float8`].
#[inline]
pub fn hash_float4(value: f32, seed: i64) -> u64 {
    let canonical = if value == 0.0 {
        0.0
    } else if value.is_nan() {
        f32::NAN
    } else {
        value
    };
    hash_bytes(&canonical.to_bits().to_le_bytes(), seed)
}

/// Hash of a `char(n)` value: its bytes without trailing spaces, which its equality
/// ignores.
#[inline]
pub fn hash_blank_padded(bytes: &[u8], seed: i64) -> u64 {
    let len = bytes.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    hash_bytes(&bytes[..len], seed)
}

/// Hash of an `interval` by the span its equality compares: a month counts 30 days and
/// a day 24 hours, so `'1 day'` and `'24 hours'` hash alike. The span, in microseconds,
/// is hashed as 16 bytes little-endian.
#[inline]
pub fn hash_interval(microseconds: i64, days: i32, months: i32, seed: i64) -> u64 {
    const MICROSECONDS_PER_DAY: i128 = 86_400_000_000;
    let span = (i128::from(months) * 30 + i128::from(days)) * MICROSECONDS_PER_DAY
        + i128::from(microseconds);
    hash_bytes(&span.to_le_bytes(), seed)
}

/// What a [`Composite`] hash is of: the kind is its first byte, so an array, a record
/// and a range of the same parts hash apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CompositeKind {
    /// Fields of a row value, in order.
    Record = b'R',
    /// An array: its shape, then its elements in storage order.
    Array = b'A',
    /// A range: its flags, then its bounds.
    Range = b'G',
    /// A multirange: its ranges in order.
    Multirange = b'M',
    /// A value that is hashed by a hash its type defines (such as `jsonb`'s).
    TypeHash = b'T',
}

/// Hash of a value made of other values: xxh3 with the seed over the kind byte, then
/// for each part either `0x00` (a NULL part) or `0x01` and the part's own 64-bit hash
/// (little-endian), and any shape words as 8 bytes little-endian after `0x02`. Parts
/// hash by their own canonical form, so nesting is canonical all the way down.
pub struct Composite(Xxh3);

impl Composite {
    /// Starts the hash of a value of `kind`.
    pub fn new(kind: CompositeKind, seed: i64) -> Self {
        let mut hasher = Xxh3::with_seed(seed as u64);
        hasher.update(&[kind as u8]);
        Composite(hasher)
    }

    /// A non-null part, by its hash.
    #[inline]
    pub fn part(&mut self, hash: u64) {
        self.0.update(&[1]);
        self.0.update(&hash.to_le_bytes());
    }

    /// A NULL part.
    #[inline]
    pub fn null(&mut self) {
        self.0.update(&[0]);
    }

    /// A word of the value's shape (an array's dimensions, a range's flags).
    #[inline]
    pub fn shape(&mut self, word: i64) {
        self.0.update(&[2]);
        self.0.update(&word.to_le_bytes());
    }

    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_floats_hash_alike() {
        assert_eq!(hash_float8(-0.0, 3), hash_float8(0.0, 3));
        assert_eq!(hash_float8(f64::NAN, 3), hash_float8(-f64::NAN, 3));
        assert_eq!(
            hash_float8(f64::from_bits(0x7ff8_0000_0000_0001), 0),
            hash_float8(f64::NAN, 0)
        );
        assert_ne!(hash_float8(1.0, 0), hash_float8(-1.0, 0));
        assert_eq!(hash_float8(1.5, 0), hash_bytes(&1.5f64.to_le_bytes(), 0));
        assert_eq!(hash_float4(-0.0, 0), hash_float4(0.0, 0));
        assert_eq!(hash_float4(f32::NAN, 0), hash_float4(-f32::NAN, 0));
        assert_eq!(hash_float4(2.5, 0), hash_bytes(&2.5f32.to_le_bytes(), 0));
    }

    #[test]
    fn padded_chars_and_interval_spans_hash_alike() {
        assert_eq!(hash_blank_padded(b"ab  ", 0), hash_bytes(b"ab", 0));
        assert_eq!(hash_blank_padded(b"   ", 0), hash_bytes(b"", 0));
        assert_ne!(hash_blank_padded(b" ab", 0), hash_bytes(b"ab", 0));
        let day = 86_400_000_000;
        assert_eq!(hash_interval(0, 1, 0, 0), hash_interval(day, 0, 0, 0));
        assert_eq!(hash_interval(0, 30, 0, 0), hash_interval(0, 0, 1, 0));
        assert_ne!(hash_interval(0, 31, 0, 0), hash_interval(0, 0, 1, 0));
        assert_eq!(
            hash_interval(i64::MAX, i32::MAX, i32::MAX, 0),
            hash_interval(i64::MAX, i32::MAX, i32::MAX, 0)
        );
    }

    #[test]
    fn composites_hash_by_kind_parts_and_nulls() {
        let of = |kind, parts: &[Option<u64>]| {
            let mut c = Composite::new(kind, 7);
            for p in parts {
                match p {
                    Some(h) => c.part(*h),
                    None => c.null(),
                }
            }
            c.finish()
        };
        let a = of(CompositeKind::Record, &[Some(1), None, Some(2)]);
        assert_eq!(a, of(CompositeKind::Record, &[Some(1), None, Some(2)]));
        assert_ne!(a, of(CompositeKind::Array, &[Some(1), None, Some(2)]));
        assert_ne!(a, of(CompositeKind::Record, &[Some(1), Some(2)]));
        assert_ne!(a, of(CompositeKind::Record, &[Some(2), None, Some(1)]));
        let mut shaped = Composite::new(CompositeKind::Array, 7);
        shaped.shape(1);
        assert_ne!(shaped.finish(), of(CompositeKind::Array, &[Some(1)]));
    }

    #[test]
    fn integers_hash_by_value() {
        assert_eq!(hash_integer(1, 0), hash_bytes(&1i64.to_le_bytes(), 0));
        assert_ne!(hash_integer(1, 0), hash_integer(1, 1));
        assert_ne!(hash_integer(1, 0), hash_integer(2, 0));
        assert_eq!(hash_bytes(b"", 0), xxhash_rust::xxh3::xxh3_64(b""));
    }

    #[test]
    fn every_seed_spreads_sequential_integers() {
        // 10000 sequential integers over 2048 index values: each index expects about
        // 4.9 hits; a broken seed (postgresql-hll's seed 8 reaches only half) would
        // leave about 1024 empty. Poisson(4.88) leaves about 16 empty.
        for seed in [-1i64, 0, 1, 2, 8, 42, 1 << 32, i64::MIN, i64::MAX] {
            let mut seen = vec![false; 2048];
            for x in 1..=10_000i64 {
                seen[(hash_integer(x, seed) & 2047) as usize] = true;
            }
            let empty = seen.iter().filter(|&&s| !s).count();
            assert!(empty < 40, "seed {seed}: {empty} empty index values");
        }
    }
}
