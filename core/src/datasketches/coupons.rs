//! LIST and SET modes: the distinct coupons of a small sketch.
//!
//! The array is kept exactly as the library lays it out, because the layout is visible:
//! updatable serializations store it as is, compact ones list the coupons in array
//! order, and a union or a promotion to HLL mode feeds them on in that order (which
//! decides the floating-point rounding of the HIP accumulator).
//! - LIST: 8 slots filled from the front; a coupon equal to one present is a duplicate.
//!   The 8th distinct coupon promotes the list: to a SET at lg_k >= 8, to HLL mode below.
//! - SET: open addressing over `2^lg_arr` slots (lg_arr from 5 up to lg_k - 3). A
//!   coupon's probe starts at `coupon & mask` and steps by `((coupon & 0x3ffffff) >>
//!   lg_arr) | 1`. When more than 3/4 of the slots are used the table doubles
//!   (re-inserting in old slot order), or at its largest size the sketch goes to HLL.

use super::coupon;
use crate::Error;

pub const LIST_LG_ARR: u8 = 3;
pub const SET_MIN_LG_ARR: u8 = 5;

/// What an insertion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The coupon was present (or is now), the mode stays.
    Kept,
    /// The sketch must now become an HLL array fed with these coupons.
    ToHll,
}

/// The coupons of a LIST- or SET-mode sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct Coupons {
    set: bool,
    lg_arr: u8,
    table: Vec<u32>,
    count: u32,
}

/// Where a coupon is, or where it would go, in an open-addressing table; `None` when
/// the table has no empty slot on its probe sequence (only possible for bad bytes).
fn find(table: &[u32], lg_arr: u8, c: u32) -> Option<Result<usize, usize>> {
    let mask = (1u32 << lg_arr) - 1;
    let stride = ((c & coupon::KEY_MASK) >> lg_arr) | 1;
    let start = c & mask;
    let mut probe = start;
    loop {
        let at = table[probe as usize];
        if at == 0 {
            return Some(Err(probe as usize));
        }
        if at == c {
            return Some(Ok(probe as usize));
        }
        probe = (probe + stride) & mask;
        if probe == start {
            return None;
        }
    }
}

/// The table size a SET of `count` coupons starts at when it is rebuilt from a compact
/// form: the next power of two, doubled if over 3/4 full, at least `2^5`.
pub fn set_lg_arr_for(count: u32) -> u8 {
    let mut pow = count.max(1).next_power_of_two();
    if 4 * u64::from(count) > 3 * u64::from(pow) {
        pow <<= 1;
    }
    (pow.trailing_zeros() as u8).max(SET_MIN_LG_ARR)
}

/// Most coupons a SET of this lg_k can hold without turning into HLL mode.
pub fn set_max_count(lg_k: u8) -> u32 {
    (3u32 << (lg_k - 3)) / 4
}

impl Coupons {
    pub fn new_list() -> Self {
        Coupons {
            set: false,
            lg_arr: LIST_LG_ARR,
            table: vec![0; 1 << LIST_LG_ARR],
            count: 0,
        }
    }

    pub fn new_set() -> Self {
        Coupons {
            set: true,
            lg_arr: SET_MIN_LG_ARR,
            table: vec![0; 1 << SET_MIN_LG_ARR],
            count: 0,
        }
    }

    pub fn is_set(&self) -> bool {
        self.set
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn lg_arr(&self) -> u8 {
        self.lg_arr
    }

    /// The array as stored (empty slots are 0).
    pub fn table(&self) -> &[u32] {
        &self.table
    }

    /// The coupons in array order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().copied().filter(|&c| c != 0)
    }

    /// Adds a coupon (valid by [`coupon::is_valid`]) to a sketch of `lg_k`.
    pub fn insert(&mut self, c: u32, lg_k: u8) -> Outcome {
        if !self.set {
            for i in 0..self.table.len() {
                if self.table[i] == c {
                    return Outcome::Kept;
                }
                if self.table[i] == 0 {
                    self.table[i] = c;
                    self.count += 1;
                    if self.count as usize == self.table.len() {
                        if lg_k < 8 {
                            return Outcome::ToHll;
                        }
                        let list = std::mem::replace(self, Coupons::new_set());
                        for c in list.iter() {
                            // A fresh set of 8 coupons never reaches HLL mode.
                            self.insert(c, lg_k);
                        }
                    }
                    return Outcome::Kept;
                }
            }
            unreachable!("a list is promoted when its 8th slot fills");
        }
        let slot = match find(&self.table, self.lg_arr, c) {
            Some(Ok(_)) => return Outcome::Kept,
            Some(Err(slot)) => slot,
            None => unreachable!("a set is grown before it fills"),
        };
        self.table[slot] = c;
        self.count += 1;
        if 4 * self.count as usize > 3 * self.table.len() {
            if self.lg_arr == lg_k - 3 {
                return Outcome::ToHll;
            }
            self.grow();
        }
        Outcome::Kept
    }

    fn grow(&mut self) {
        let lg_arr = self.lg_arr + 1;
        let mut table = vec![0u32; 1 << lg_arr];
        for c in self.iter() {
            match find(&table, lg_arr, c) {
                Some(Err(slot)) => table[slot] = c,
                _ => unreachable!("distinct coupons into a larger table"),
            }
        }
        self.lg_arr = lg_arr;
        self.table = table;
    }

    /// A LIST from its serialized coupons (`count` of them for a compact form, the 8
    /// slots of an updatable one): distinct valid coupons at the front, zeros after.
    pub fn list_from(words: &[u32], count: u32) -> Result<Self, Error> {
        let mut list = Coupons::new_list();
        for (i, &c) in words.iter().enumerate() {
            if (i as u32) < count {
                if !coupon::is_valid(c) {
                    return Err(Error::corrupt_datasketches(format!(
                        "LIST coupon {i} (0x{c:08x}) has value {} (expected 1..63)",
                        coupon::value(c)
                    )));
                }
                if list.table[..i].contains(&c) {
                    return Err(Error::corrupt_datasketches(format!(
                        "LIST coupon 0x{c:08x} appears twice"
                    )));
                }
                list.table[i] = c;
            } else if c != 0 {
                return Err(Error::corrupt_datasketches(format!(
                    "LIST slot {i} beyond the count {count} is not empty"
                )));
            }
        }
        list.count = count;
        Ok(list)
    }

    /// A SET from a compact form: the coupons re-inserted in order into a table that
    /// starts at its smallest size and grows, as the library rebuilds it.
    pub fn set_from_compact(words: &[u32], lg_k: u8) -> Result<Self, Error> {
        let mut set = Coupons::new_set();
        for &c in words {
            if !coupon::is_valid(c) {
                return Err(Error::corrupt_datasketches(format!(
                    "SET coupon 0x{c:08x} has value {} (expected 1..63)",
                    coupon::value(c)
                )));
            }
            if let Some(Ok(_)) = find(&set.table, set.lg_arr, c) {
                return Err(Error::corrupt_datasketches(format!(
                    "SET coupon 0x{c:08x} appears twice"
                )));
            }
            // The count is bounded by the caller, so this never goes to HLL mode.
            let outcome = set.insert(c, lg_k);
            debug_assert_eq!(outcome, Outcome::Kept);
        }
        Ok(set)
    }

    /// A SET from its updatable hash table: every entry valid and where the probe
    /// sequence finds it (so each is there once), `count` of them, at most 3/4 full.
    pub fn set_from_table(table: Vec<u32>, count: u32) -> Result<Self, Error> {
        let lg_arr = table.len().trailing_zeros() as u8;
        let mut seen = 0u32;
        for (i, &c) in table.iter().enumerate() {
            if c == 0 {
                continue;
            }
            if !coupon::is_valid(c) {
                return Err(Error::corrupt_datasketches(format!(
                    "SET slot {i} (0x{c:08x}) has value {} (expected 1..63)",
                    coupon::value(c)
                )));
            }
            if find(&table, lg_arr, c) != Some(Ok(i)) {
                return Err(Error::corrupt_datasketches(format!(
                    "SET slot {i} (0x{c:08x}) is not where its hash probe finds it"
                )));
            }
            seen += 1;
        }
        if seen != count {
            return Err(Error::corrupt_datasketches(format!(
                "SET count {count} but {seen} coupons in its table"
            )));
        }
        if 4 * count as usize > 3 * table.len() {
            return Err(Error::corrupt_datasketches(format!(
                "SET of {count} coupons in {} slots is fuller than 3/4",
                table.len()
            )));
        }
        Ok(Coupons {
            set: true,
            lg_arr,
            table,
            count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(i: u32) -> u32 {
        coupon::pair(i.wrapping_mul(2_654_435_761), (i % 63 + 1) as u8)
    }

    #[test]
    fn list_promotes_by_lg_k() {
        let mut small = Coupons::new_list();
        let mut big = Coupons::new_list();
        for i in 0..7 {
            assert_eq!(small.insert(c(i), 7), Outcome::Kept);
            assert_eq!(big.insert(c(i), 12), Outcome::Kept);
            assert_eq!(small.insert(c(i), 7), Outcome::Kept);
        }
        assert_eq!(small.count(), 7);
        assert_eq!(small.insert(c(7), 7), Outcome::ToHll);
        assert_eq!(big.insert(c(7), 12), Outcome::Kept);
        assert!(big.is_set());
        assert_eq!(big.count(), 8);
    }

    #[test]
    fn set_goes_to_hll_at_its_largest_size() {
        let lg_k = 10;
        let mut s = Coupons::new_list();
        let mut n = 0;
        while s.insert(c(n), lg_k) == Outcome::Kept {
            n += 1;
        }
        assert_eq!(s.count(), set_max_count(lg_k) + 1);
        assert_eq!(s.lg_arr(), lg_k - 3);
    }

    proptest! {
        #[test]
        fn tables_rebuild_from_their_bytes(seeds in proptest::collection::vec(any::<u32>(), 8..150)) {
            let mut s = Coupons::new_list();
            for &x in &seeds {
                let cp = coupon::pair(x, (x % 63 + 1) as u8);
                if s.insert(cp, 12) == Outcome::ToHll { break; }
            }
            if s.is_set() {
                let back = Coupons::set_from_table(s.table().to_vec(), s.count()).unwrap();
                prop_assert_eq!(&back, &s);
                let words: Vec<u32> = s.iter().collect();
                let compact = Coupons::set_from_compact(&words, 12).unwrap();
                prop_assert_eq!(compact.count(), s.count());
                let mut a: Vec<u32> = compact.iter().collect();
                let mut b = words.clone();
                a.sort_unstable();
                b.sort_unstable();
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn bad_tables_are_refused() {
        let mut s = Coupons::new_list();
        for i in 0..20 {
            s.insert(c(i), 12);
        }
        let mut t = s.table().to_vec();
        // A duplicate in an empty slot: the probe finds the first copy.
        let first = *t.iter().find(|&&x| x != 0).unwrap();
        let empty = t.iter().position(|&x| x == 0).unwrap();
        t[empty] = first;
        assert!(Coupons::set_from_table(t, 21).is_err());
        assert!(Coupons::set_from_table(s.table().to_vec(), 19).is_err());
        assert!(Coupons::list_from(&[c(1), c(1)], 2).is_err());
        assert!(Coupons::list_from(&[c(1), 0, c(2)], 1).is_err());
        assert!(Coupons::list_from(&[5], 1).is_err());
        assert!(Coupons::set_from_compact(&[c(1), c(2), c(1)], 12).is_err());
    }
}
