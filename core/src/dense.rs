//! The in-memory dense form: one byte per register.
//!
//! A byte per register (rather than the packed `regwidth` bits of the FULL body) makes
//! adding a hash one load, one compare and one store, and lets the compiler vectorise
//! the register-wise maximum of a union. Packing happens only when bytes are written.

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::Vec;

use crate::error::Error;

/// All `m` registers, one byte each.
#[derive(Debug, Clone)]
pub struct DenseRegisters<A: Allocator = Global> {
    registers: Vec<u8, A>,
}

impl<A: Allocator> DenseRegisters<A> {
    /// `m` zero registers in memory from `alloc`.
    pub fn new_in(m: usize, alloc: A) -> Result<Self, Error> {
        let mut registers = Vec::new_in(alloc);
        registers
            .try_reserve_exact(m)
            .map_err(|_| Error::out_of_memory(m))?;
        registers.resize(m, 0);
        Ok(DenseRegisters { registers })
    }

    /// Raises register `index` to at least `value`.
    #[inline(always)]
    pub fn set_max(&mut self, index: usize, value: u8) {
        let r = &mut self.registers[index];
        *r = (*r).max(value);
    }

    /// The registers, one byte each.
    pub fn registers(&self) -> &[u8] {
        &self.registers
    }

    /// The registers, to raise.
    pub fn registers_mut(&mut self) -> &mut [u8] {
        &mut self.registers
    }

    /// Number of non-zero registers.
    pub fn filled(&self) -> usize {
        self.registers.iter().filter(|&&r| r != 0).count()
    }
}

impl<A: Allocator, B: Allocator> PartialEq<DenseRegisters<B>> for DenseRegisters<A> {
    fn eq(&self, other: &DenseRegisters<B>) -> bool {
        self.registers == other.registers
    }
}
