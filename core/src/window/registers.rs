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
//! fewer, and independently of how many rows came before: a register whose live rows
//! hold `n` distinct hashes keeps about `0.5 log2(n) + 0.6` pairs (HyperLogLog: each
//! level below the maximum is kept with probability 1/2) or `0.8 log2(n) + 0.5`
//! (UltraLogLog: 4/5). Measured at `log2m = p = 11` (pairs per register, HyperLogLog /
//! UltraLogLog): 2.8 / 3.9 for 40,000 rows of 150,000 users, 5.1 / 7.7 for 1,000,000
//! distinct rows, 6.1 / 9.2 for 4,000,000.
//!
//! Each register is a 32-byte slot: the 8-byte bit set and room for [`INLINE`] 4-byte
//! positions. A register with more pairs moves its positions to a block of [`MID`]
//! positions, and beyond that to a block of `L`, taken from a pool per size (its slot
//! then holds the block's number) and given back to the pool's free list when it
//! shrinks. A pool grows only when more registers need its blocks at once than ever
//! before, so a warmed-up state does not allocate. Bound: `32 m + 64 b + 4 L c` bytes
//! for `b` and `c` registers in blocks at the peaks, at most `(96 + 4 L) m`; measured
//! at `log2m = p = 11`, all parts of the state together: 78 / 90 KiB for 40,000 rows,
//! 110 / 219 KiB for 1,000,000 distinct rows, 143 / 219 KiB for 4,000,000.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::error::Error;

/// Positions a register keeps in its own slot.
pub const INLINE: usize = 6;
/// Positions of the first overflow blocks.
pub const MID: usize = 16;
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
    /// Blocks for registers of `INLINE + 1 ..= MID` pairs.
    mid: Pool<A>,
    /// Blocks for registers of more than [`MID`] pairs (`L` positions each).
    long: Pool<A>,
    histogram: [u32; 256],
}

/// Blocks of a fixed number of positions, with a free list.
#[derive(Debug)]
struct Pool<A: Allocator> {
    words: Vec<u32, A>,
    /// First free block (a free block's first word is the next one).
    free: u32,
    block: usize,
}

impl<A: Allocator> Pool<A> {
    fn new_in(block: usize, alloc: A) -> Self {
        Pool {
            words: Vec::new_in(alloc),
            free: NIL,
            block,
        }
    }

    /// Makes sure a block can be taken without an allocation.
    #[inline(always)]
    fn ensure_spare(&mut self) -> Result<(), Error> {
        if self.free != NIL {
            return Ok(());
        }
        self.add_block()
    }

    #[cold]
    #[inline(never)]
    fn add_block(&mut self) -> Result<(), Error> {
        let start = self.words.len();
        self.words
            .try_reserve(self.block)
            .map_err(|_| Error::out_of_memory((start + self.block) * 4))?;
        self.words.resize(start + self.block, 0);
        self.words[start] = NIL;
        self.free = (start / self.block) as u32;
        Ok(())
    }

    fn take(&mut self) -> u32 {
        let b = self.free;
        debug_assert!(b != NIL, "ensure_spare first");
        self.free = self.words[b as usize * self.block];
        b
    }

    fn give(&mut self, b: u32) {
        self.words[b as usize * self.block] = self.free;
        self.free = b;
    }

    fn get(&self, b: u32, n: usize) -> &[u32] {
        let start = b as usize * self.block;
        &self.words[start..start + n]
    }

    fn get_mut(&mut self, b: u32, n: usize) -> &mut [u32] {
        let start = b as usize * self.block;
        &mut self.words[start..start + n]
    }
}

/// Where a register of `n` pairs keeps its positions: 0 inline, 1 a [`MID`] block,
/// 2 a long block.
#[inline(always)]
fn class(n: usize) -> u8 {
    u8::from(n > INLINE) + u8::from(n > MID)
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
            mid: Pool::new_in(MID.min(rule.max_pairs()), alloc.clone()),
            long: Pool::new_in(rule.max_pairs(), alloc),
            histogram,
        })
    }

    /// Makes sure one register can grow by a pair without an allocation. Changes
    /// nothing else.
    #[inline(always)]
    pub(crate) fn ensure_spare(&mut self) -> Result<(), Error> {
        let most = self.rule.max_pairs();
        if most > INLINE {
            self.mid.ensure_spare()?;
        }
        if most > MID {
            self.long.ensure_spare()?;
        }
        Ok(())
    }

    /// The positions of register `index`'s kept pairs, by ascending value.
    #[inline(always)]
    fn positions(&self, index: usize) -> &[u32] {
        let slot = &self.slots[index];
        let n = slot.mask.count_ones() as usize;
        match class(n) {
            0 => &slot.pos[..n],
            1 => self.mid.get(slot.pos[0], n),
            _ => self.long.get(slot.pos[0], n),
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
        let n = pos.len();
        let (was, goes) = (class(old.count_ones() as usize), class(n));
        let held = self.slots[index].pos[0];
        if was != goes {
            match was {
                0 => {}
                1 => self.mid.give(held),
                _ => self.long.give(held),
            }
        }
        match goes {
            0 => self.slots[index].pos[..n].copy_from_slice(pos),
            1 => {
                let b = if was == goes { held } else { self.mid.take() };
                self.mid.get_mut(b, n).copy_from_slice(pos);
                self.slots[index].pos[0] = b;
            }
            _ => {
                let b = if was == goes { held } else { self.long.take() };
                self.long.get_mut(b, n).copy_from_slice(pos);
                self.slots[index].pos[0] = b;
            }
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
        self.slots.capacity() * core::mem::size_of::<Slot>()
            + (self.mid.words.capacity() + self.long.words.capacity()) * 4
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
                b.mid.words.capacity() <= 2 * b.mid.block,
                "one register, one block"
            );
            assert!(
                b.long.words.capacity() <= 2 * b.long.block,
                "one register needs one block"
            );
        }
    }

    /// Descending values are never shadowed: a register climbs through every class
    /// (inline, a middle block, a long block) and back, one pair at a time.
    #[test]
    fn every_class_both_ways() {
        let p = 8u8;
        let hll = HllRule { log2m: p, cap: 255 };
        let ull = UllRule { p };
        let mut a = SlidingRegisters::new_in(hll, Global).unwrap();
        let mut b = SlidingRegisters::new_in(ull, Global).unwrap();
        let mut frame = std::collections::VecDeque::new();
        let mut at = 0u32;
        for round in 0..3u32 {
            // Up to 56 pairs, then down to none, from the oldest.
            for k in (1..=(56 - round * 20)).rev() {
                let hash = ((1u64 << (k - 1)) << p) | 5;
                a.ensure_spare().unwrap();
                b.ensure_spare().unwrap();
                a.push(hash, at);
                b.push(hash, at);
                frame.push_back((hash, at, k));
                at += 1;
                assert_eq!(a.pairs(), frame.len());
                assert_eq!(b.pairs(), frame.len());
            }
            while let Some((hash, t, _)) = frame.pop_front() {
                a.pop(hash, t);
                b.pop(hash, t);
                let live: std::vec::Vec<u32> = frame.iter().map(|&(_, _, k)| k).collect();
                assert_eq!(a.values().nth(5).unwrap(), hll_value(&live));
                assert_eq!(b.values().nth(5).unwrap(), ull_value(&live, p));
                assert_eq!(a.pairs(), frame.len());
            }
        }
        assert!(a.long.words.capacity() >= a.long.block && a.mid.free != NIL);
        assert_eq!(a.histogram()[0], 1 << p);
    }
}
