//! The EXPLICIT form: the exact set of distinct hashes, sorted as signed 64-bit integers.
//!
//! Sorted order is what the storage format writes, so encoding is a plain copy and a
//! union is a merge. The set is small by construction (at most the explicit threshold).
//!
//! Grouped aggregates keep thousands of small sets alive at once and touch them in
//! random order, so the first few hashes live inline in the set itself (no second
//! cache line to fetch), and a small set is searched by a branch-free linear count
//! rather than a mispredicting binary search.

use smallvec::SmallVec;

/// Hashes kept inline before the set moves to the heap.
const INLINE: usize = 16;
/// Up to this size a linear scan beats a binary search.
const LINEAR_SEARCH_MAX: usize = 32;

/// A sorted, duplicate-free set of hashes (ordered as `i64`, as the format requires).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplicitSet {
    values: SmallVec<[i64; INLINE]>,
}

impl ExplicitSet {
    /// Builds a set from values already sorted as `i64` and free of duplicates.
    pub(crate) fn from_sorted(values: Vec<i64>) -> Self {
        debug_assert!(values.windows(2).all(|w| w[0] < w[1]));
        ExplicitSet {
            values: SmallVec::from_vec(values),
        }
    }

    /// Adds a hash; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, hash: u64) -> bool {
        let v = hash as i64;
        let pos = if self.values.len() <= LINEAR_SEARCH_MAX {
            self.values.iter().filter(|&&x| x < v).count()
        } else {
            match self.values.binary_search(&v) {
                Ok(_) => return false,
                Err(pos) => pos,
            }
        };
        if self.values.get(pos) == Some(&v) {
            return false;
        }
        self.values.insert(pos, v);
        true
    }

    /// Number of distinct hashes held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no hash is held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The hashes in storage order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.values.iter().map(|&v| v as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_signed_order_without_duplicates() {
        let mut s = ExplicitSet::default();
        for h in [5u64, u64::MAX, 1 << 63, 5, 0, u64::MAX] {
            s.insert(h);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), [1 << 63, u64::MAX, 0, 5]);
        assert!(!s.insert(0));
        assert_eq!(s.len(), 4);
    }
}
