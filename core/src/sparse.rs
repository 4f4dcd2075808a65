//! The in-memory SPARSE form: only the non-zero registers, sorted by index.
//!
//! Each entry is one `u32` word `(index << 8) | value`; a value is never 0, so a word
//! never is either, and sorting words sorts by index. This form is used while few
//! registers are set; [`crate::Sketch`] switches to dense registers once it would not
//! save memory or once inserts would get slow.

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::Vec;

use crate::content::SparseRegisterList;
use crate::error::Error;

/// Non-zero registers as sorted `(index << 8) | value` words.
#[derive(Debug, Clone)]
pub struct SparseRegisters<A: Allocator = Global> {
    words: Vec<u32, A>,
}

impl<A: Allocator> SparseRegisters<A> {
    /// No register set, allocating in `alloc` (nothing until the first entry).
    pub fn new_in(alloc: A) -> Self {
        SparseRegisters {
            words: Vec::new_in(alloc),
        }
    }

    /// Raises register `index` to at least `value` (non-zero); returns whether it changed.
    #[inline]
    pub fn set_max(&mut self, index: u32, value: u8) -> Result<bool, Error> {
        debug_assert!(value > 0);
        let word = (index << 8) | u32::from(value);
        match self.words.binary_search_by_key(&index, |w| w >> 8) {
            Ok(pos) => {
                let changed = self.words[pos] < word;
                if changed {
                    self.words[pos] = word;
                }
                Ok(changed)
            }
            Err(pos) => {
                self.reserve(1)?;
                self.words.insert(pos, word);
                Ok(true)
            }
        }
    }

    /// Makes room for `additional` more entries.
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), Error> {
        self.words
            .try_reserve(additional)
            .map_err(|_| Error::out_of_memory((self.words.len() + additional) * 4))
    }

    /// Appends a register above every present one (room reserved by the caller).
    pub(crate) fn push_sorted(&mut self, index: u32, value: u8) {
        debug_assert!(self.words.last().is_none_or(|&w| w >> 8 < index));
        debug_assert!(self.words.len() < self.words.capacity());
        self.words.push((index << 8) | u32::from(value));
    }

    /// Number of non-zero registers.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no register is set.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `(index, value)` of the non-zero registers, by ascending index.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.words.iter().map(|&w| (w >> 8, w as u8))
    }

    /// The registers as [`SparseRegisterList`], for readers of any sketch.
    pub fn as_list(&self) -> SparseRegisterList<'_> {
        SparseRegisterList::Words(&self.words)
    }

    /// Bytes held, for memory accounting.
    pub fn allocated_bytes(&self) -> usize {
        self.words.capacity() * 4
    }
}

impl<A: Allocator, B: Allocator> PartialEq<SparseRegisters<B>> for SparseRegisters<A> {
    fn eq(&self, other: &SparseRegisters<B>) -> bool {
        self.words == other.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl SparseRegisters {
        fn set_max_ok(&mut self, index: u32, value: u8) -> bool {
            self.set_max(index, value).unwrap()
        }
    }

    #[test]
    fn set_max_keeps_order_and_maximum() {
        let mut s = SparseRegisters::new_in(Global);
        assert!(s.set_max_ok(900, 3));
        assert!(s.set_max_ok(2, 7));
        assert!(!s.set_max_ok(900, 2));
        assert!(s.set_max_ok(900, 4));
        assert!(s.set_max_ok(0, 1));
        assert_eq!(s.iter().collect::<Vec<_>>(), [(0, 1), (2, 7), (900, 4)]);
    }
}
