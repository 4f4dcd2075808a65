//! HLL_4's exception table: registers too far above the array's offset `cur_min` to fit
//! in 4 bits (nibble 15 marks them) keep their value here, as `pair(slot, value)` words
//! in an open-addressing table the library also serializes.
//!
//! Probing is on the slot: start at `slot & mask`, step `(slot >> lg_arr) | 1`. The
//! table starts at a size set by lg_k and doubles when more than 3/4 full, re-inserting
//! in old table order. The layout is kept as the library builds it: updatable bytes
//! store the table, compact bytes list its entries in table order.

use super::coupon;
use crate::Error;

/// The initial lg size of the table, by lg_k (0..=21).
pub const LG_AUX_ARR_INTS: [u8; 22] = [
    0, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13,
];

#[derive(Debug, Clone, PartialEq)]
pub struct AuxMap {
    lg_k: u8,
    lg_arr: u8,
    entries: Vec<u32>,
    count: u32,
}

impl AuxMap {
    pub fn new(lg_arr: u8, lg_k: u8) -> Self {
        AuxMap {
            lg_k,
            lg_arr,
            entries: vec![0; 1 << lg_arr],
            count: 0,
        }
    }

    /// The lg size a table rebuilt from `count` compact entries starts at.
    pub fn lg_arr_for(count: u32, lg_k: u8) -> u8 {
        let mut pow = count.max(1).next_power_of_two();
        if 4 * u64::from(count) > 3 * u64::from(pow) {
            pow <<= 1;
        }
        (pow.trailing_zeros() as u8).max(LG_AUX_ARR_INTS[usize::from(lg_k)])
    }

    pub fn lg_arr(&self) -> u8 {
        self.lg_arr
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn table(&self) -> &[u32] {
        &self.entries
    }

    /// Entries in table order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().copied().filter(|&e| e != 0)
    }

    fn slot_of(&self, entry: u32) -> u32 {
        entry & ((1u32 << self.lg_k) - 1)
    }

    /// `Ok(index)` of the slot's entry or `Err(index)` of the empty slot where it goes;
    /// `None` if the probe sequence has neither (a full table from bad bytes).
    fn find(&self, slot: u32) -> Option<Result<usize, usize>> {
        let mask = (1u32 << self.lg_arr) - 1;
        let stride = (slot >> self.lg_arr) | 1;
        let start = slot & mask;
        let mut probe = start;
        loop {
            let e = self.entries[probe as usize];
            if e == 0 {
                return Some(Err(probe as usize));
            }
            if self.slot_of(e) == slot {
                return Some(Ok(probe as usize));
            }
            probe = (probe + stride) & mask;
            if probe == start {
                return None;
            }
        }
    }

    pub fn get(&self, slot: u32) -> Option<u8> {
        match self.find(slot) {
            Some(Ok(i)) => Some(coupon::value(self.entries[i])),
            _ => None,
        }
    }

    /// Adds a slot that is not in the table yet (an error if it is: bad bytes).
    pub fn add(&mut self, slot: u32, value: u8) -> Result<(), Error> {
        match self.find(slot) {
            Some(Err(i)) => {
                self.entries[i] = coupon::pair(slot, value);
                self.count += 1;
                if 4 * self.count as usize > 3 * self.entries.len() {
                    self.grow();
                }
                Ok(())
            }
            Some(Ok(_)) => Err(Error::corrupt_datasketches(format!(
                "HLL_4 exception table holds slot {slot} twice"
            ))),
            None => Err(Error::corrupt_datasketches(
                "HLL_4 exception table has no free slot".to_string(),
            )),
        }
    }

    /// Sets the value of a slot already in the table.
    pub fn replace(&mut self, slot: u32, value: u8) {
        match self.find(slot) {
            Some(Ok(i)) => self.entries[i] = coupon::pair(slot, value),
            _ => unreachable!("replace of slot {slot} missing from the exception table"),
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.entries);
        self.lg_arr += 1;
        self.entries = vec![0; 1 << self.lg_arr];
        for e in old.into_iter().filter(|&e| e != 0) {
            match self.find(self.slot_of(e)) {
                Some(Err(i)) => self.entries[i] = e,
                _ => unreachable!("distinct slots into a larger table"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_finds() {
        let lg_k = 12;
        let mut m = AuxMap::new(LG_AUX_ARR_INTS[12], lg_k);
        for s in 0..100u32 {
            m.add(s * 37 % 4096, (s % 40 + 15) as u8).unwrap();
        }
        assert_eq!(m.count(), 100);
        assert!(m.lg_arr() > LG_AUX_ARR_INTS[12]);
        for s in 0..100u32 {
            assert_eq!(m.get(s * 37 % 4096), Some((s % 40 + 15) as u8));
        }
        assert_eq!(m.get(4095 - 1), m.get(4094));
        assert!(m.add(37, 20).is_err());
        m.replace(37, 50);
        assert_eq!(m.get(37), Some(50));
        assert_eq!(AuxMap::lg_arr_for(1, 12), 5);
        assert_eq!(AuxMap::lg_arr_for(100, 21), 13);
        assert_eq!(AuxMap::lg_arr_for(100, 10), 8);
    }
}
