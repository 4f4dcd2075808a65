//! Moving-window states: a frame of rows (or of stored sketches) that rows enter at the
//! back and leave from the front, oldest first, as PostgreSQL's moving aggregates
//! (`MSFUNC` / `MINVFUNC`) drive them. At every moment the state gives exactly the
//! sketch, bytes and count the plain aggregate gives over the frame's live rows.
//!
//! - [`SlidingHll`] and [`SlidingUll`]: over raw rows (hashes). The caller passes the
//!   leaving row's hash, the same it pushed; NULLs never enter.
//! - [`SlidingUnion`]: over whole sketches, a two-stack queue of partial unions.
//!
//! # Raw rows: exact part and register part
//! A sketch built from the frame's hashes is EMPTY (no row), EXPLICIT (at most `T`
//! distinct hashes, `T` the parameters' explicit threshold) or registers. The state has
//! two parts, each of bounded size whatever the frame's length:
//! - the exact part keeps the `T + 1` most recently seen distinct hashes with their last
//!   positions, a least-recently-seen list: with at most `T` entries they are exactly the
//!   frame's distinct hashes (proof in `exact.rs`), with `T + 1` the frame has more than
//!   `T`. So the sketch is EXPLICIT from them, or registers;
//! - the register part keeps, per register, the pairs `(position, value)` of live rows
//!   that no later row has made irrelevant (for HyperLogLog a later value at least as
//!   large; for UltraLogLog the same value or one at least 3 larger), and the histogram
//!   of register values, updated as registers change, so a count costs a pass over 256
//!   counts rather than over `m` registers (details in `registers.rs`). It starts the
//!   first time the frame passes `T` distinct hashes, built from the exact part.
//!
//! A push or a pop costs one probe of the exact part's hash table and one register's
//! few pairs: constant, independent of the frame. Nothing is allocated per row once the
//! state has reached its working size.
//!
//! # Memory bound (raw rows)
//! For `m` registers and threshold `T`, with `L` the number of values a register can
//! hold (`min(2^regwidth - 1, 64 - log2m)` for hll, `64 - p` for ull):
//! - exact part: at most `T + 1` nodes of 24 bytes and a table of 16-byte slots, a
//!   power of two at least twice the nodes: at most `88 (T + 1)` bytes (23 KiB for the
//!   default `T = 160`); none when `T = 0`;
//! - register part (only once the frame had more than `T` distinct hashes): `32 m`
//!   bytes, plus `4 L` bytes per register that holds more than 6 pairs at once (at most
//!   `(32 + 4 L) m` in all). A register holding `n` live rows keeps about
//!   `0.5 log2(n) + 1` pairs (hll) or `0.8 log2(n) + 2` (ull), so overflow is rare:
//!   `32 m` is the practical size (64 KiB at `log2m = p = 11`);
//! - a fixed 1 KiB histogram and the struct itself.
//!
//! It does not grow with the number of rows in the frame; positions are kept modulo
//! 2^32, so a frame holds fewer than 2^32 rows ([`MAX_ROWS`]).
//!
//! # Stored sketches
//! [`SlidingUnion`] holds its live inputs and partial unions: memory grows with the
//! frame's input count (at most `2n + 1` sketches), the accepted cost for frames of
//! stored sketches, and a constant number of unions per input.

mod exact;
mod hll;
mod registers;
mod state;
mod ull;
mod union;

pub use hll::SlidingHll;
pub use registers::INLINE;
pub use state::MAX_ROWS;
pub use ull::SlidingUll;
pub use union::{SlidingUnion, WindowUnion};
