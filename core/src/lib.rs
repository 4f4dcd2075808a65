//! HyperLogLog sketches that read and write the HLL storage format v1 (the format of
//! postgresql-hll, java-hll and js-hll), with no database dependency.
//!
//! # The algorithm
//! A sketch has `m = 2^log2m` registers of `regwidth` bits. A 64-bit hash `v` is split
//! into a register index, its low `log2m` bits, and the rest `w = v >> log2m`:
//!
//! ```text
//!  63                                   log2m        0
//! | w: trailing zeros give rho          | index       |
//! ```
//!
//! `rho = trailing_zeros(w) + 1` (0 when `w == 0`), capped at `2^regwidth - 1`, and the
//! register keeps the maximum `rho` it has seen. The union of two sketches is the
//! register-wise maximum. The count is estimated from the histogram of register values
//! by Ertl's improved estimator ([`estimate`]).
//!
//! # Representations
//! A sketch grows with its content, in memory and on disk:
//! - EMPTY: nothing added;
//! - EXPLICIT: the exact set of hashes, up to [`Params::explicit_threshold`] of them
//!   (exact counts); the next distinct hash turns them all into registers;
//! - registers, held in memory as [`SparseRegisters`] while few are set, then as
//!   [`DenseRegisters`] (one byte each), and written as SPARSE or FULL by the format's
//!   size rule ([`Params::writes_sparse`]);
//! - UNDEFINED: read from stored data and kept through unions; its count is unknown.
//!
//! Module map: [`params`] (validated parameters), [`hash`] (value hashing),
//! [`sketch`] (a sketch and what is done to it), [`content`] (what a sketch holds, one
//! reader for memory and storage), [`explicit`], [`sparse`], [`dense`] (the in-memory forms), [`estimate`], [`storage`] (the byte format), [`fold`],
//! [`intersection`], [`error`]; the second family, UltraLogLog, in [`ull`]; the
//! moving-window states of both families in [`window`]; the Apache DataSketches HLL
//! format in [`datasketches`].
//!
//! Content is allocated from an [`Allocator`] chosen by the caller, and every
//! allocation is fallible: a database keeps sketches in its own memory and gets
//! [`Error::OutOfMemory`] instead of an abort.

#![forbid(unsafe_code)]

pub mod classic;
pub mod confidence;
pub mod content;
pub mod datasketches;
pub mod dense;
pub mod error;
pub mod error_rate;
pub mod estimate;
pub mod explicit;
pub mod fold;
pub mod hash;
pub mod hex;
pub mod intersection;
pub mod murmur3;
mod packing;
pub mod params;
pub mod peer_params;
pub mod peer_print;
pub mod sketch;
pub mod sparse;
pub mod storage;
pub mod ull;
pub mod window;

pub use allocator_api2::alloc::{AllocError, Allocator, Global};
pub use classic::Estimator;
pub use content::{Content, SketchSource};
pub use dense::DenseRegisters;
pub use error::Error;
pub use explicit::ExplicitSet;
pub use params::{ExplicitThreshold, Params};
pub use sketch::{Repr, Sketch};
pub use sparse::SparseRegisters;
pub use storage::{StorageType, StoredSketch};
