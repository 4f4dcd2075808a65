//! The EXPLICIT form: the exact set of distinct hashes.
//!
//! An aggregate adds hashes one at a time, up to thresholds of thousands per group,
//! so the set is an open-addressing hash table (linear probing, at most 3/4 full):
//! an insert costs one probe sequence, where a sorted array would move half of the
//! set each time. The storage format wants the values sorted as signed 64-bit
//! integers; [`ExplicitSet::sorted`] produces that order when bytes are written.
//!
//! Slots hold the hashes themselves, 0 marking a free slot (the hash 0 is kept in a
//! flag). Slot positions come from a multiplicative mix of the hash, so that values
//! given directly (`hll_hashval` from integers) do not cluster.
//!
//! Grouped aggregates keep many small sets alive at once and touch them in random
//! order, so the first [`INLINE`] hashes live in the set itself, searched linearly:
//! a small group costs no second allocation and no second cache miss per row.

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::Vec;

use crate::content::Hashes;
use crate::error::Error;

/// Hashes kept in the set itself before the table is allocated.
pub const INLINE: usize = 16;
/// The table's size when the inline hashes move into it.
const FIRST_TABLE_SLOTS: usize = 4 * INLINE;

/// A set of 64-bit hashes.
#[derive(Debug, Clone)]
pub struct ExplicitSet<A: Allocator = Global> {
    /// The first non-zero hashes, while `slots` is unallocated.
    inline: [u64; INLINE],
    slots: Vec<u64, A>,
    len: usize,
    has_zero: bool,
}

impl<A: Allocator + Clone> ExplicitSet<A> {
    /// An empty set allocating in `alloc` (nothing until the first insert).
    pub fn new_in(alloc: A) -> Self {
        ExplicitSet {
            inline: [0; INLINE],
            slots: Vec::new_in(alloc),
            len: 0,
            has_zero: false,
        }
    }

    #[inline(always)]
    fn slot_of(hash: u64, mask: usize) -> usize {
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
    }

    /// Adds a hash; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, hash: u64) -> Result<bool, Error> {
        if hash == 0 {
            let new = !self.has_zero;
            self.has_zero = true;
            self.len += usize::from(new);
            return Ok(new);
        }
        if self.slots.is_empty() {
            let used = self.len - usize::from(self.has_zero);
            if self.inline[..used].contains(&hash) {
                return Ok(false);
            }
            if used < INLINE {
                self.inline[used] = hash;
                self.len += 1;
                return Ok(true);
            }
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow()?;
        }
        let new = Self::place(&mut self.slots, hash);
        self.len += usize::from(new);
        Ok(new)
    }

    /// The non-zero hashes held inline (none once the table exists).
    fn inline_hashes(&self) -> &[u64] {
        if self.slots.is_empty() {
            &self.inline[..self.len - usize::from(self.has_zero)]
        } else {
            &[]
        }
    }

    /// Puts a non-zero hash into a table with a free slot; returns whether it was new.
    #[inline(always)]
    fn place(slots: &mut [u64], hash: u64) -> bool {
        let mask = slots.len() - 1;
        let mut i = Self::slot_of(hash, mask);
        loop {
            match slots[i] {
                0 => {
                    slots[i] = hash;
                    return true;
                }
                h if h == hash => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    #[cold]
    fn grow(&mut self) -> Result<(), Error> {
        let size = (self.slots.len() * 2).max(FIRST_TABLE_SLOTS);
        let mut slots = Vec::new_in(self.slots.allocator().clone());
        slots
            .try_reserve_exact(size)
            .map_err(|_| Error::out_of_memory(size * 8))?;
        slots.resize(size, 0);
        for &h in self
            .slots
            .iter()
            .chain(self.inline_hashes())
            .filter(|&&h| h != 0)
        {
            Self::place(&mut slots, h);
        }
        self.slots = slots;
        Ok(())
    }

    /// Whether the set holds `hash`.
    pub fn contains(&self, hash: u64) -> bool {
        if hash == 0 {
            return self.has_zero;
        }
        if self.slots.is_empty() {
            return self.inline_hashes().contains(&hash);
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::slot_of(hash, mask);
        loop {
            match self.slots[i] {
                0 => return false,
                h if h == hash => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Number of distinct hashes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no hash was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hashes, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.has_zero.then_some(0).into_iter().chain(
            self.slots
                .iter()
                .chain(self.inline_hashes())
                .copied()
                .filter(|&h| h != 0),
        )
    }

    /// The hashes sorted as signed 64-bit integers (the storage format's order), in
    /// memory from `alloc`.
    pub fn sorted<B: Allocator>(&self, alloc: B) -> Result<Vec<i64, B>, Error> {
        let mut values = Vec::new_in(alloc);
        values
            .try_reserve_exact(self.len)
            .map_err(|_| Error::out_of_memory(self.len * 8))?;
        values.extend(self.iter().map(|h| h as i64));
        values.sort_unstable();
        Ok(values)
    }

    /// The set as [`Hashes`], for readers of any sketch.
    pub fn as_hashes(&self) -> Hashes<'_> {
        Hashes::Table {
            slots: if self.slots.is_empty() {
                self.inline_hashes()
            } else {
                &self.slots
            },
            has_zero: self.has_zero,
            len: self.len,
        }
    }

    /// Bytes held, for memory accounting.
    pub fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * 8
    }
}

impl<A: Allocator + Clone, B: Allocator + Clone> PartialEq<ExplicitSet<B>> for ExplicitSet<A> {
    fn eq(&self, other: &ExplicitSet<B>) -> bool {
        self.len == other.len && self.iter().all(|h| other.contains(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_in_signed_order_without_duplicates() {
        let mut s = ExplicitSet::new_in(Global);
        for h in [5u64, u64::MAX, 1 << 63, 5, 0, u64::MAX] {
            s.insert(h).unwrap();
        }
        assert_eq!(&s.sorted(Global).unwrap()[..], [i64::MIN, -1, 0, 5]);
        assert!(!s.insert(0).unwrap());
        assert!(s.contains(1 << 63) && !s.contains(6));
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn grows_past_many_colliding_values() {
        let mut s = ExplicitSet::new_in(Global);
        // Values that differ only in their high bits.
        for i in 1..=5000u64 {
            assert!(s.insert(i << 40).unwrap());
        }
        for i in 1..=5000u64 {
            assert!(!s.insert(i << 40).unwrap());
        }
        assert_eq!(s.len(), 5000);
        assert!(s.allocated_bytes() <= 8192 * 8);
    }
}
