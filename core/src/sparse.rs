//! The in-memory SPARSE form: only the non-zero registers, sorted by index.
//!
//! Each entry is one `u32` word `(index << 8) | value`; a value is never 0, so a word
//! never is either, and sorting words sorts by index. This form is used while few
//! registers are set; [`crate::Sketch`] switches to dense registers once it would not
//! save memory or once inserts would get slow.

/// Non-zero registers as sorted `(index << 8) | value` words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparseRegisters {
    words: Vec<u32>,
}

impl SparseRegisters {
    /// Raises register `index` to at least `value` (non-zero); returns whether it changed.
    #[inline]
    pub fn set_max(&mut self, index: u32, value: u8) -> bool {
        debug_assert!(value > 0);
        let word = (index << 8) | u32::from(value);
        match self.words.binary_search_by_key(&index, |w| w >> 8) {
            Ok(pos) => {
                if self.words[pos] < word {
                    self.words[pos] = word;
                    true
                } else {
                    false
                }
            }
            Err(pos) => {
                self.words.insert(pos, word);
                true
            }
        }
    }

    /// Appends a register above every index held so far (used when decoding sorted input).
    pub(crate) fn push_sorted(&mut self, index: u32, value: u8) {
        debug_assert!(self.words.last().is_none_or(|&w| w >> 8 < index));
        self.words.push((index << 8) | u32::from(value));
    }

    /// Number of non-zero registers.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether every register is zero.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `(index, value)` of every non-zero register, ascending index.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.words.iter().map(|&w| (w >> 8, w as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_max_keeps_order_and_maximum() {
        let mut s = SparseRegisters::default();
        assert!(s.set_max(900, 3));
        assert!(s.set_max(2, 7));
        assert!(!s.set_max(900, 2));
        assert!(s.set_max(900, 4));
        assert!(s.set_max(0, 1));
        assert_eq!(s.iter().collect::<Vec<_>>(), [(0, 1), (2, 7), (900, 4)]);
    }
}
