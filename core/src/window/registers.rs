//! The register part of a moving state: per register, the `(position, value)` pairs of
//! live rows that can still decide the register's value ([`SlidingRegisters`]), and
//! the histogram of register values, kept up to date so that an estimate reads 256
//! counts instead of `m` registers.
//!
//! # Which pairs can matter
//! A pair `(t, v)` is *shadowed* by a later pair `(t', v')` of the same register
//! (`t' > t`) when, as long as both are live, `(t, v)` changes nothing: rows leave
//! oldest first, so `(t', v')` outlives `(t, v)` and the pair can be dropped at once.
//! - HyperLogLog (the register is the largest `rho`): `v' >= v`.
//! - UltraLogLog (the register byte keeps the largest update value `u` and whether `u - 1`
//!   and `u - 2` were seen, see [`crate::ull::register`]): `v' == v` (the same history
//!   bit) or `v' >= v + 3` (the bit of `v` lies below the three bits the byte keeps).
//!
//! The kept pairs are exactly the live pairs no later live pair shadows (a pair is
//! dropped when the pair shadowing it arrives, and a pair's shadow outlives it), so the
//! state is a function of the live rows alone: the same rows give the same state
//! whatever came and went before. No two kept pairs of a register have the same value,
//! so a register's pairs are a bit set of values (`mask`, bit `v` for value `v`) and the
//! positions in the order of their values. The register's value is a function of the
//! bit set alone: its top bit (HyperLogLog), or `pack` of the history `mask << (p - 2)`
//! (UltraLogLog). When the row at position `t` leaves, its register and value come from
//! its hash; if bit `v` is set with position `t`, that pair is the row's and goes.
//! Both updates cost a few bit operations and a copy of the register's few positions.
//!
//! # Memory
//! A register holds at most one pair per possible value: `L = min(2^regwidth - 1,
//! 64 - log2m)` pairs (HyperLogLog) or `L = 64 - p` (UltraLogLog). In practice far
//! fewer: a register holding `n` live rows keeps about `0.5 log2(n) + 1` pairs
//! (HyperLogLog: each level up to the maximum is kept with probability 1/2) or
//! `0.8 log2(n) + 2` (UltraLogLog: 4/5), independently of how many rows came before.
//! Each register is a 32-byte slot: the 8-byte bit set and room for [`INLINE`] 4-byte
//! positions; a register with more pairs moves its positions to a block of `L`
//! positions from a shared pool (its slot then holds the block's number), and gives the
//! block back to the pool's free list when it shrinks. The pool grows only when more
//! registers overflow at once than ever before, so a warmed-up state does not
//! allocate. Bound: `32 m + 4 L b` bytes for `b` overflowing registers at the peak,
//! at most `(32 + 4 L) m` and in practice `32 m` plus a few blocks.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::error::Error;

/// Positions a register keeps in its own slot.
pub const INLINE: usize = 6;
/// No block.
const NIL: u32 = u32::MAX;

/// How a family's hashes reach registers and what a register's pairs make of it.
pub(crate) trait Rule: Copy {
    /// Number of registers.
    fn m(&self) -> usize;
    /// Largest number of pairs a register can keep (one per possible value).
    fn max_pairs(&self) -> usize;
    /// The register and the value (`1..=63`) of a hash; `None` when it sets nothing.
    fn locate(&self, hash: u64) -> Option<(usize, u32)>;
    /// The values a later pair of value `v` shadows (`v` itself may be included).
    fn shadowed_by(&self, v: u32) -> u64;
    /// The register value of a set of kept values.
    fn value(&self, mask: u64) -> u8;
}

/// One register: the values of its kept pairs and their positions by ascending value
/// (inline, or in pool block `pos[0]` when more than [`INLINE`]).
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    mask: u64,
    pos: [u32; INLINE],
}

/// The kept pairs of every register and the histogram of register values.
#[derive(Debug)]
pub(crate) struct SlidingRegisters<A: Allocator, R: Rule> {
    rule: R,
    slots: Vec<Slot, A>,
    /// Blocks of `block_len` positions for registers with more than [`INLINE`] pairs.
    pool: Vec<u32, A>,
    /// First free block (a free block's first word is the next one).
    free_block: u32,
    block_len: usize,
    histogram: [u32; 256],
}

impl<A: Allocator, R: Rule> SlidingRegisters<A, R> {
    /// Empty registers.
    pub(crate) fn new_in(rule: R, alloc: A) -> Result<Self, Error>
    where
        A: Clone,
    {
        let m = rule.m();
        let mut slots = Vec::new_in(alloc.clone());
        slots
            .try_reserve_exact(m)
            .map_err(|_| Error::out_of_memory(m * core::mem::size_of::<Slot>()))?;
        slots.resize(m, Slot::default());
        let mut histogram = [0u32; 256];
        histogram[0] = m as u32;
        Ok(SlidingRegisters {
            rule,
            slots,
            pool: Vec::new_in(alloc),
            free_block: NIL,
            block_len: rule.max_pairs(),
            histogram,
        })
    }

    /// Makes sure one register can overflow without an allocation. Changes nothing else.
    #[inline(always)]
    pub(crate) fn ensure_spare(&mut self) -> Result<(), Error> {
        if self.free_block != NIL {
            return Ok(());
        }
        self.add_spare()
    }

    #[cold]
    #[inline(never)]
    fn add_spare(&mut self) -> Result<(), Error> {
        let start = self.pool.len();
        self.pool
            .try_reserve(self.block_len)
            .map_err(|_| Error::out_of_memory((start + self.block_len) * 4))?;
        self.pool.resize(start + self.block_len, 0);
        self.pool[start] = NIL;
        self.free_block = (start / self.block_len) as u32;
        Ok(())
    }

    /// The positions of register `index`'s kept pairs, by ascending value.
    #[inline(always)]
    fn positions(&self, index: usize) -> &[u32] {
        let slot = &self.slots[index];
        let n = slot.mask.count_ones() as usize;
        if n <= INLINE {
            &slot.pos[..n]
        } else {
            let start = slot.pos[0] as usize * self.block_len;
            &self.pool[start..start + n]
        }
    }

    /// A row of hash `hash` enters at position `at`. Needs
    /// [`SlidingRegisters::ensure_spare`] first.
    #[inline]
    pub(crate) fn push(&mut self, hash: u64, at: u32) {
        let Some((index, v)) = self.rule.locate(hash) else {
            return;
        };
        let old = self.slots[index].mask;
        let bit = 1u64 << v;
        // The shadowed values below `v` are the lowest of the register: they go as a
        // prefix. Value `v` itself is replaced if kept, else inserted at rank `r`.
        let low = self.rule.shadowed_by(v) & (bit - 1);
        let new = (old & !low) | bit;
        let n_old = old.count_ones() as usize;
        let n_low = (old & low).count_ones() as usize;
        let r = (old & !low & (bit - 1)).count_ones() as usize;
        let present = old & bit != 0;
        let n_new = n_old - n_low + usize::from(!present);
        if n_old <= INLINE && n_new <= INLINE {
            // Fixed-size selects rather than copies of a variable length (no calls).
            let slot = &mut self.slots[index];
            let old_pos = slot.pos;
            let shift = n_low + usize::from(present);
            for (j, p) in slot.pos.iter_mut().enumerate() {
                let src = if j < r {
                    n_low + j
                } else {
                    (shift + j).wrapping_sub(1)
                };
                *p = if j == r {
                    at
                } else {
                    old_pos[src.min(INLINE - 1)]
                };
            }
            slot.mask = new;
            self.count_change(old, new);
            return;
        }
        let mut buf = [0u32; 64];
        let tail = &self.positions(index)[n_low..];
        buf[..r].copy_from_slice(&tail[..r]);
        buf[r] = at;
        let skip = r + usize::from(present);
        buf[r + 1..n_new].copy_from_slice(&tail[skip..]);
        self.store(index, old, new, &buf[..n_new]);
    }

    /// The row at position `at`, the oldest, of hash `hash` leaves.
    #[inline]
    pub(crate) fn pop(&mut self, hash: u64, at: u32) {
        let Some((index, v)) = self.rule.locate(hash) else {
            return;
        };
        let old = self.slots[index].mask;
        if old >> v & 1 == 0 {
            return;
        }
        let rank = (old & ((1u64 << v) - 1)).count_ones() as usize;
        let old_pos = self.positions(index);
        if old_pos[rank] != at {
            return;
        }
        let new = old & !(1u64 << v);
        if old_pos.len() <= INLINE {
            let slot = &mut self.slots[index];
            let old_pos = slot.pos;
            for (j, p) in slot.pos.iter_mut().enumerate() {
                *p = old_pos[if j < rank { j } else { (j + 1).min(INLINE - 1) }];
            }
            slot.mask = new;
            self.count_change(old, new);
            return;
        }
        let mut buf = [0u32; 64];
        let n = old_pos.len() - 1;
        buf[..rank].copy_from_slice(&old_pos[..rank]);
        buf[rank..n].copy_from_slice(&old_pos[rank + 1..]);
        self.store(index, old, new, &buf[..n]);
    }

    /// Register `index` takes bit set `new` with positions `pos` (it had `old`).
    #[inline(always)]
    fn store(&mut self, index: usize, old: u64, new: u64, pos: &[u32]) {
        debug_assert_eq!(new.count_ones() as usize, pos.len());
        let was_out = old.count_ones() as usize > INLINE;
        let goes_out = pos.len() > INLINE;
        let n = pos.len();
        if goes_out {
            let block = if was_out {
                self.slots[index].pos[0]
            } else {
                let b = self.free_block;
                debug_assert!(b != NIL, "ensure_spare first");
                self.free_block = self.pool[b as usize * self.block_len];
                self.slots[index].pos[0] = b;
                b
            };
            let start = block as usize * self.block_len;
            self.pool[start..start + n].copy_from_slice(pos);
        } else {
            if was_out {
                let b = self.slots[index].pos[0];
                self.pool[b as usize * self.block_len] = self.free_block;
                self.free_block = b;
            }
            self.slots[index].pos[..n].copy_from_slice(pos);
        }
        self.slots[index].mask = new;
        self.count_change(old, new);
    }

    /// Moves a register from value set `old` to `new` in the histogram.
    #[inline(always)]
    fn count_change(&mut self, old: u64, new: u64) {
        let (before, after) = (self.rule.value(old), self.rule.value(new));
        if before != after {
            self.histogram[usize::from(before)] -= 1;
            self.histogram[usize::from(after)] += 1;
        }
    }

    /// Number of registers holding each value.
    pub(crate) fn histogram(&self) -> &[u32; 256] {
        &self.histogram
    }

    /// Number of non-zero registers.
    pub(crate) fn filled(&self) -> usize {
        self.slots.len() - self.histogram[0] as usize
    }

    /// The register values, by index.
    pub(crate) fn values(&self) -> impl Iterator<Item = u8> + '_ {
        self.slots.iter().map(|s| self.rule.value(s.mask))
    }

    /// Kept pairs over all registers.
    pub(crate) fn pairs(&self) -> usize {
        self.slots
            .iter()
            .map(|s| s.mask.count_ones() as usize)
            .sum()
    }

    /// Bytes held, for memory accounting.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * core::mem::size_of::<Slot>() + self.pool.capacity() * 4
    }
}

/// HyperLogLog: the register is the largest `rho` (capped), so a later pair of a value
/// at least as large shadows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HllRule {
    pub(crate) log2m: u8,
    pub(crate) cap: u8,
}

impl Rule for HllRule {
    fn m(&self) -> usize {
        1 << self.log2m
    }

    fn max_pairs(&self) -> usize {
        usize::from(self.cap).min(64 - usize::from(self.log2m))
    }

    #[inline(always)]
    fn locate(&self, hash: u64) -> Option<(usize, u32)> {
        let (index, rho) = crate::sketch::index_and_rho(hash, self.log2m, self.cap);
        (rho > 0).then_some((index, u32::from(rho)))
    }

    #[inline(always)]
    fn shadowed_by(&self, v: u32) -> u64 {
        (2u64 << v) - 1
    }

    #[inline(always)]
    fn value(&self, mask: u64) -> u8 {
        if mask == 0 {
            0
        } else {
            (63 - mask.leading_zeros()) as u8
        }
    }
}

/// UltraLogLog: the register byte packs the top three bits of the history, so a later
/// pair of the same value, or of one at least 3 above, shadows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UllRule {
    pub(crate) p: u8,
}

impl Rule for UllRule {
    fn m(&self) -> usize {
        1 << self.p
    }

    fn max_pairs(&self) -> usize {
        64 - usize::from(self.p)
    }

    #[inline(always)]
    fn locate(&self, hash: u64) -> Option<(usize, u32)> {
        crate::ull::register::index_and_update_value(hash, self.p)
    }

    #[inline(always)]
    fn shadowed_by(&self, k: u32) -> u64 {
        if k >= 3 {
            (1u64 << (k - 2)) - 1
        } else {
            0
        }
    }

    #[inline(always)]
    fn value(&self, mask: u64) -> u8 {
        crate::ull::register::pack(mask << (self.p - 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use allocator_api2::alloc::Global;

    /// The register value of the live values by brute force.
    fn hll_value(live: &[u32]) -> u8 {
        live.iter().copied().max().unwrap_or(0) as u8
    }

    fn ull_value(live: &[u32], p: u8) -> u8 {
        let history = live
            .iter()
            .fold(0u64, |h, &k| h | 1u64 << (k + u32::from(p) - 2));
        crate::ull::register::pack(history)
    }

    /// One register fed values directly: every step matches the brute force, and the
    /// overflow blocks are reused.
    #[test]
    fn one_register_against_brute_force() {
        let mut seed = 99u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for p in [4u8, 11] {
            let hll = HllRule { log2m: p, cap: 31 };
            let ull = UllRule { p };
            let mut a = SlidingRegisters::new_in(hll, Global).unwrap();
            let mut b = SlidingRegisters::new_in(ull, Global).unwrap();
            let mut frame = std::collections::VecDeque::new();
            let mut at = 0u32;
            let mut most = 0;
            for step in 0..30_000u32 {
                // Hashes of register 3 only; values skewed high so lists get long.
                let grow = (step / 2000) % 2 == 0;
                if frame.is_empty() || next() % 100 < if grow { 55 } else { 45 } {
                    let k = (next() % (60 - u64::from(p))) as u32 + 1;
                    let k = if next() % 4 == 0 {
                        k
                    } else {
                        k.min(1 + (next() % 12) as u32)
                    };
                    let hash = ((1u64 << (k - 1)) << p) | 3;
                    a.ensure_spare().unwrap();
                    b.ensure_spare().unwrap();
                    a.push(hash, at);
                    b.push(hash, at);
                    frame.push_back((hash, at, k));
                    at += 1;
                } else {
                    let (hash, t, _) = frame.pop_front().unwrap();
                    a.pop(hash, t);
                    b.pop(hash, t);
                }
                let live: std::vec::Vec<u32> = frame.iter().map(|&(_, _, k)| k).collect();
                let v = a.values().nth(3).unwrap();
                assert_eq!(v, hll_value(&live).min(31));
                assert_eq!(b.values().nth(3).unwrap(), ull_value(&live, p));
                assert_eq!(
                    a.histogram()[usize::from(v)],
                    if v == 0 { 1 << p } else { 1 }
                );
                most = most.max(b.pairs());
            }
            assert!(most > INLINE, "overflow was exercised");
            assert!(
                b.pool.capacity() <= 2 * b.block_len,
                "one register needs one block"
            );
        }
    }
}
