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
//!   power of two at least twice the nodes: at most `88 (T + 1)` bytes (12 KiB for
//!   hll's default `T = 160`, 22 KiB for ull's `T = 256`); none when `T = 0`;
//! - register part (only once the frame had more than `T` distinct hashes): a 32-byte
//!   slot per register, plus a 64-byte block per register that holds 7 to 16 pairs at
//!   once and a `4 L`-byte block per register that holds more: at most
//!   `(96 + 4 L) m` bytes. A register keeps about `0.5 log2(n) + 0.6` pairs (hll) or
//!   `0.8 log2(n) + 0.5` (ull) for `n` distinct live hashes in it, so in practice:
//!   measured at `log2m = p = 11` for the whole state (hll / ull), 78 / 90 KiB with
//!   40,000 rows in the frame, 110 / 219 KiB with 1,000,000 distinct rows, 143 / 219
//!   KiB with 4,000,000 (`32 m` = 64 KiB of it is the slots);
//! - a fixed 1 KiB histogram and the struct itself.
//!
//! It does not grow with the number of rows in the frame; positions are kept modulo
//! 2^32, so a frame holds fewer than 2^32 rows ([`MAX_ROWS`]).
//!
//! # Stored sketches
//! [`SlidingUnion`] holds its live inputs and partial unions: memory grows with the
//! frame's input count (`n + 1` sketches for `n` live inputs of one key, at most
//! `2n + 1`), the accepted cost for frames of stored sketches, and a constant number of
//! unions per input (four).

mod exact;
mod hll;
mod registers;
mod state;
mod ull;
mod union;

pub use hll::SlidingHll;
pub use registers::{INLINE, MID};
pub use state::MAX_ROWS;
pub use ull::SlidingUll;
pub use union::{SlidingUnion, WindowUnion};
