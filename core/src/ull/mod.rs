//! UltraLogLog (Ertl, PVLDB 17(7), 2024): the second sketch family, a byte per register
//! that keeps the largest update value and whether the two next-smaller ones were seen.
//! Against the 5-bit HyperLogLog of [`crate::sketch`] it gives a quarter less error for
//! the same register count, and its low-entropy bytes code into fewer stored bytes than
//! the HyperLogLog format's (docs/ull-format.md).
//!
//! Hashes split as in the HyperLogLog storage format (low `p` bits index, trailing
//! zeros of the rest), so an UltraLogLog folds to any lower precision and converts to
//! the HyperLogLog registers of the same hashes exactly.
//!
//! Module map: [`register`] (one register byte), [`registers`] (the dense state, fold),
//! [`estimate`] (FGRA and maximum-likelihood estimators), [`coded`] (the entropy-coded
//! register form), [`params`], [`sketch`] (EMPTY, EXPLICIT, dense), [`storage`] (the
//! versioned stored form).

pub mod coded;
pub mod estimate;
pub mod params;
pub mod register;
pub mod registers;
pub mod sketch;
pub mod storage;

pub use params::UllParams;
pub use registers::UllRegisters;
pub use sketch::UllSketch;
