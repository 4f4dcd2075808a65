//! Apache DataSketches HLL sketches: the bytes Spark's `hll_sketch_agg`, Druid, Pinot,
//! Hive, Snowflake's `DATASKETCHES_HLL` and the DataSketches libraries write, read and
//! written back exactly, estimated and unioned as the library does.
//!
//! # The sketch
//! A value is hashed (MurmurHash3 x64-128, seed 9001) into a 32-bit *coupon*: the low
//! 26 bits of the first hash word (the slot address, usable at any lg_k up to 26) and,
//! above them, a 6-bit value `min(leading_zeros(second word), 62) + 1` ([`coupon`]). A
//! sketch of `k = 2^lg_k` registers (lg_k 4..=21) goes through three modes as it grows:
//! - LIST: up to 7 distinct coupons, in insertion order;
//! - SET: an open-addressing hash table of coupons (lg_k >= 8 only), until it is 3/4
//!   full at `2^(lg_k-3)` entries;
//! - HLL: `k` registers, each the maximum coupon value of its slot, stored in 4, 6 or 8
//!   bits (the *target type* HLL_4, HLL_6, HLL_8); HLL_4 keeps values offset by a
//!   running minimum and puts those that do not fit in 4 bits in an exception table.
//!
//! The estimate of an HLL-mode sketch is its HIP accumulator while the sketch has only
//! been updated in order; after a union (the *out-of-order* flag) it is the composite
//! estimator, read from the register sums kept in the sketch ([`estimate`]).
//!
//! # Layout
//! [`preamble`] (the header), [`coupon`] (coupons and the library's value hashing),
//! [`coupons`] (LIST and SET modes), [`aux_map`] (HLL_4's exception table),
//! [`registers`] (the HLL-mode array and its updates), [`packing`] (4/6/8-bit register
//! bytes), [`estimate`] and [`tables`] (the estimators), [`sketch`] (decoding, encoding,
//! the API), [`union`] (the library's union operator).
//!
//! Decoding validates every byte string completely: what is accepted re-encodes to the
//! same bytes and never makes a later step fail; what is refused gets
//! [`crate::Error::CorruptDataSketches`] naming the problem.

pub mod aux_map;
pub mod coupon;
pub mod coupons;
pub mod estimate;
pub mod packing;
pub mod preamble;
pub mod registers;
pub mod sketch;
pub mod tables;
pub mod union;

pub use sketch::{DsSketch, Mode, TargetType};
pub use union::DsUnion;

/// Smallest lg_k the library accepts.
pub const MIN_LG_K: u8 = 4;
/// Largest lg_k the library accepts.
pub const MAX_LG_K: u8 = 21;
