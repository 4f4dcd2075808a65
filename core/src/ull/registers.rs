//! The dense UltraLogLog state: `2^p` register bytes in index order.
//!
//! The index is the storage format's (the low `p` bits of the hash), so folding to a
//! lower precision keeps the low index bits and an UltraLogLog converts exactly into
//! the HyperLogLog registers of the same hashes (`to_hll_registers`).

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::Vec;

use super::register;
use crate::error::Error;

/// All `2^p` registers of an UltraLogLog, one byte each.
#[derive(Debug, Clone)]
pub struct UllRegisters<A: Allocator = Global> {
    p: u8,
    bytes: Vec<u8, A>,
}

impl<A: Allocator> UllRegisters<A> {
    /// Empty registers for precision `p` in memory from `alloc`.
    pub fn new_in(p: u8, alloc: A) -> Result<Self, Error> {
        let m = 1usize << p;
        let mut bytes = Vec::new_in(alloc);
        bytes
            .try_reserve_exact(m)
            .map_err(|_| Error::out_of_memory(m))?;
        bytes.resize(m, 0);
        Ok(UllRegisters { p, bytes })
    }

    /// The precision.
    pub fn p(&self) -> u8 {
        self.p
    }

    /// The register bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The register bytes, to overwrite (a decoder fills them).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// Adds a 64-bit hash.
    #[inline(always)]
    pub fn add_hash(&mut self, hash: u64) {
        if let Some((index, k)) = register::index_and_update_value(hash, self.p) {
            let r = &mut self.bytes[index];
            *r = register::update(*r, k, self.p);
        }
    }

    /// Merges registers of precision `p` into these (of precision `self.p() <= p`),
    /// folding them first when `p` is larger.
    pub fn merge_from(&mut self, other: &[u8], p: u8) {
        debug_assert_eq!(other.len(), 1usize << p);
        if p == self.p {
            register::merge_all(&mut self.bytes, other);
        } else {
            fold_into(other, p, &mut self.bytes, self.p);
        }
    }

    /// The HyperLogLog registers (one byte each) of the same hashes at `log2m <= p`,
    /// capped at `2^regwidth - 1`.
    pub fn to_hll_registers(&self, log2m: u8, regwidth: u8) -> std::vec::Vec<u8> {
        let mut folded = vec![0u8; 1usize << log2m];
        fold_into(&self.bytes, self.p, &mut folded, log2m);
        let cap = ((1u16 << regwidth) - 1) as u8;
        folded
            .iter()
            .map(|&r| register::max_update_value(r, log2m).min(cap))
            .collect()
    }

    /// Number of non-empty registers.
    pub fn filled(&self) -> usize {
        self.bytes.iter().filter(|&&r| r != 0).count()
    }
}

impl<A: Allocator, B: Allocator> PartialEq<UllRegisters<B>> for UllRegisters<A> {
    fn eq(&self, other: &UllRegisters<B>) -> bool {
        self.p == other.p && self.bytes == other.bytes
    }
}

/// Merges registers `src` of precision `p` into `dst` of precision `q < p`: the same
/// bytes as adding every hash of `src` at precision `q`.
///
/// Source register `i` lands in `i mod 2^q`. Its dropped index bits `i >> q` become the
/// lowest bits of the hash's remainder at `q`: when they are zero, every update value
/// rises by `p - q`, which the byte's `4p - 8` offset absorbs, so the byte merges as it
/// is; otherwise the register contributes one observation, `1 + trailing zeros` of the
/// dropped bits, and its history says nothing more.
pub fn fold_into(src: &[u8], p: u8, dst: &mut [u8], q: u8) {
    debug_assert!(q <= p && src.len() == 1usize << p && dst.len() == 1usize << q);
    let mask = (1usize << q) - 1;
    for (i, &r) in src.iter().enumerate() {
        if r == 0 {
            continue;
        }
        let d = &mut dst[i & mask];
        let dropped = i >> q;
        *d = if dropped == 0 {
            register::merge(*d, r)
        } else {
            register::update(*d, dropped.trailing_zeros() + 1, q)
        };
    }
}

/// The histogram of register bytes: how many registers hold each byte value. Both
/// estimators are functions of it.
pub fn histogram(bytes: &[u8]) -> [u32; 256] {
    let mut counts = [0u32; 256];
    for &r in bytes {
        counts[usize::from(r)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: usize, seed: i64) -> impl Iterator<Item = u64> {
        (0..n as u64).map(move |i| crate::hash::hash_bytes(&i.to_le_bytes(), seed))
    }

    fn build(p: u8, n: usize, seed: i64) -> UllRegisters {
        let mut r = UllRegisters::new_in(p, Global).unwrap();
        hashes(n, seed).for_each(|h| r.add_hash(h));
        r
    }

    #[test]
    fn fold_equals_building_at_the_lower_precision() {
        for (p, q, n) in [(11, 8, 5000), (12, 4, 100), (14, 11, 200_000), (9, 9, 10)] {
            let big = build(p, n, 7);
            let mut folded = UllRegisters::new_in(q, Global).unwrap();
            folded.merge_from(big.bytes(), p);
            assert_eq!(folded, build(q, n, 7), "p {p} -> {q}, n {n}");
        }
    }

    #[test]
    fn merge_equals_building_from_both() {
        let mut a = build(11, 3000, 1);
        let b = build(11, 3000, 2);
        a.merge_from(b.bytes(), 11);
        let mut both = build(11, 3000, 1);
        hashes(3000, 2).for_each(|h| both.add_hash(h));
        assert_eq!(a, both);
    }
}
