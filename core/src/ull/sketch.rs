//! An UltraLogLog sketch: parameters and content (EMPTY, the exact hashes while few,
//! then dense registers), in memory from an allocator, as the aggregates keep it.
//!
//! EXPLICIT keeps the full 64-bit hashes, as `hll` does, up to
//! [`UllParams::explicit_threshold`] of them: counts stay exact while small, a fold or
//! a change of precision replays them, and an `hll` of the same hashes can be rebuilt
//! exactly ([`UllSketch::to_hll`]) while it would itself still be EXPLICIT.

use allocator_api2::alloc::{Allocator, Global};

use super::estimate::UllEstimator;
use super::params::UllParams;
use super::registers::{histogram, UllRegisters};
use super::storage::{StoredUll, UllKind};
use crate::error::Error;
use crate::explicit::ExplicitSet;
use crate::params::Params;
use crate::sketch::{Repr, Sketch};

/// What a sketch holds.
#[derive(Debug, Clone)]
pub enum UllRepr<A: Allocator = Global> {
    /// Nothing added.
    Empty,
    /// The exact set of hashes.
    Explicit(ExplicitSet<A>),
    /// `2^p` registers.
    Dense(UllRegisters<A>),
}

/// An UltraLogLog sketch in memory from `A`.
#[derive(Debug, Clone)]
pub struct UllSketch<A: Allocator + Clone = Global> {
    params: UllParams,
    repr: UllRepr<A>,
    alloc: A,
}

impl UllSketch {
    /// An EMPTY sketch on the global heap.
    pub fn new(params: UllParams) -> Self {
        UllSketch::new_in(params, Global)
    }

    /// A sketch read from stored bytes, on the global heap.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        UllSketch::from_stored_in(&StoredUll::parse(bytes)?, Global)
    }
}

impl<A: Allocator + Clone> UllSketch<A> {
    /// An EMPTY sketch whose content will live in `alloc`.
    pub fn new_in(params: UllParams, alloc: A) -> Self {
        UllSketch {
            params,
            repr: UllRepr::Empty,
            alloc,
        }
    }

    /// A sketch holding `registers` (of precision `params.p()`), as one that reached
    /// them by adding hashes past the explicit threshold.
    pub fn from_registers(params: UllParams, registers: UllRegisters<A>, alloc: A) -> Self {
        debug_assert_eq!(registers.p(), params.p());
        UllSketch {
            params,
            repr: UllRepr::Dense(registers),
            alloc,
        }
    }

    /// The parameters.
    pub fn params(&self) -> UllParams {
        self.params
    }

    /// The content.
    pub fn repr(&self) -> &UllRepr<A> {
        &self.repr
    }

    /// Adds one hash.
    #[inline(always)]
    pub fn add_hash(&mut self, hash: u64) -> Result<(), Error> {
        if let UllRepr::Dense(registers) = &mut self.repr {
            registers.add_hash(hash);
            Ok(())
        } else {
            self.add_hash_small(hash)
        }
    }

    #[inline(never)]
    fn add_hash_small(&mut self, hash: u64) -> Result<(), Error> {
        let threshold = self.params.explicit_threshold();
        match &mut self.repr {
            UllRepr::Empty if threshold == 0 => {
                let mut registers = UllRegisters::new_in(self.params.p(), self.alloc.clone())?;
                registers.add_hash(hash);
                self.repr = UllRepr::Dense(registers);
            }
            UllRepr::Empty => {
                let mut set = ExplicitSet::new_in(self.alloc.clone());
                set.insert(hash)?;
                self.repr = UllRepr::Explicit(set);
            }
            UllRepr::Explicit(set) => {
                if set.insert(hash)? && set.len() > threshold {
                    self.promote()?;
                }
            }
            UllRepr::Dense(registers) => registers.add_hash(hash),
        }
        Ok(())
    }

    /// Replaces exact hashes by the registers they give.
    fn promote(&mut self) -> Result<(), Error> {
        if let UllRepr::Explicit(set) = &self.repr {
            let mut registers = UllRegisters::new_in(self.params.p(), self.alloc.clone())?;
            set.iter().for_each(|h| registers.add_hash(h));
            self.repr = UllRepr::Dense(registers);
        }
        Ok(())
    }

    /// A copy in the same allocator (fallible, unlike `Clone`).
    pub fn try_clone(&self) -> Result<Self, Error> {
        let mut copy = UllSketch::new_in(self.params, self.alloc.clone());
        copy.union(self)?;
        Ok(copy)
    }

    /// Adds everything `other` holds. Sketches of different parameters combine under
    /// [`common_params`]: the smaller precision (this sketch folds first when `other`'s
    /// is smaller) and the smaller explicit threshold.
    pub fn union<B: Allocator + Clone>(&mut self, other: &UllSketch<B>) -> Result<(), Error> {
        self.adopt(common_params(self.params, other.params))?;
        match &other.repr {
            UllRepr::Empty => Ok(()),
            UllRepr::Explicit(set) => set.iter().try_for_each(|h| self.add_hash(h)),
            UllRepr::Dense(registers) => self.merge_registers(registers.bytes(), other.params.p()),
        }
    }

    /// [`UllSketch::union`] with stored bytes, read in place.
    pub fn union_stored(&mut self, other: &StoredUll<'_>) -> Result<(), Error> {
        self.adopt(common_params(self.params, other.params()))?;
        match other.kind() {
            UllKind::Empty => Ok(()),
            UllKind::Explicit => other.explicit_hashes().try_for_each(|h| self.add_hash(h)),
            UllKind::Dense | UllKind::Coded => {
                let p = other.params().p();
                if p == self.params.p() {
                    let registers = self.dense_registers()?;
                    other.merge_registers_into(registers.bytes_mut())
                } else {
                    let mut decoded = UllRegisters::new_in(p, self.alloc.clone())?;
                    other.registers_into(decoded.bytes_mut())?;
                    self.merge_registers(decoded.bytes(), p)
                }
            }
        }
    }

    /// Merges registers of precision `p >= self.p()`.
    fn merge_registers(&mut self, bytes: &[u8], p: u8) -> Result<(), Error> {
        let registers = self.dense_registers()?;
        registers.merge_from(bytes, p);
        Ok(())
    }

    /// The registers, made dense first (from EMPTY or EXPLICIT) if need be.
    fn dense_registers(&mut self) -> Result<&mut UllRegisters<A>, Error> {
        match self.repr {
            UllRepr::Dense(_) => {}
            UllRepr::Empty => {
                self.repr =
                    UllRepr::Dense(UllRegisters::new_in(self.params.p(), self.alloc.clone())?)
            }
            UllRepr::Explicit(_) => self.promote()?,
        }
        match &mut self.repr {
            UllRepr::Dense(registers) => Ok(registers),
            _ => unreachable!("made dense above"),
        }
    }

    /// Moves to `params` (never a larger precision): folds registers, and replays
    /// exact hashes under the new threshold.
    fn adopt(&mut self, params: UllParams) -> Result<(), Error> {
        if params == self.params {
            return Ok(());
        }
        debug_assert!(params.p() <= self.params.p());
        let old = core::mem::replace(&mut self.repr, UllRepr::Empty);
        let old_p = self.params.p();
        self.params = params;
        match old {
            UllRepr::Empty => {}
            UllRepr::Explicit(set) => set.iter().try_for_each(|h| self.add_hash(h))?,
            UllRepr::Dense(registers) => self.merge_registers(registers.bytes(), old_p)?,
        }
        Ok(())
    }

    /// The sketch the same hashes give at precision `p` (at most this one's),
    /// bit-identical to building it there.
    pub fn fold(&self, p: u8) -> Result<Self, Error> {
        if p > self.params.p() {
            return Err(Error::parameter(format!(
                "cannot fold an ull of precision {} to the larger precision {p}",
                self.params.p()
            )));
        }
        let mut folded = UllSketch::new_in(self.params.with_p(p), self.alloc.clone());
        folded.union(self)?;
        Ok(folded)
    }

    /// The histogram of register bytes (EMPTY and EXPLICIT: of the registers their
    /// hashes would give).
    pub fn histogram(&self) -> Result<[u32; 256], Error> {
        match &self.repr {
            UllRepr::Dense(registers) => Ok(histogram(registers.bytes())),
            _ => {
                let mut registers = UllRegisters::new_in(self.params.p(), self.alloc.clone())?;
                if let UllRepr::Explicit(set) = &self.repr {
                    set.iter().for_each(|h| registers.add_hash(h));
                }
                Ok(histogram(registers.bytes()))
            }
        }
    }

    /// The estimated number of distinct hashes: exact while EXPLICIT.
    pub fn cardinality(&self, estimator: UllEstimator) -> f64 {
        match &self.repr {
            UllRepr::Empty => 0.0,
            UllRepr::Explicit(set) => set.len() as f64,
            UllRepr::Dense(registers) => {
                estimator.estimate(&histogram(registers.bytes()), self.params.p())
            }
        }
    }

    /// Whether the count is exact (EMPTY or EXPLICIT).
    pub fn is_exact(&self) -> bool {
        !matches!(self.repr, UllRepr::Dense(_))
    }

    /// The `hll` the same hashes give under `params`, byte for byte what
    /// `hll_add_agg` builds. Exact content converts under any parameters; registers
    /// only where they determine the result: `log2m <= p`, and an explicit threshold
    /// that cannot have kept the hashes this sketch no longer has.
    pub fn to_hll(&self, params: Params) -> Result<Sketch<A>, Error> {
        let mut hll = Sketch::new_in(params, self.alloc.clone());
        match &self.repr {
            UllRepr::Empty => {}
            UllRepr::Explicit(set) => set.iter().try_for_each(|h| hll.add_hash(h))?,
            UllRepr::Dense(registers) => {
                if params.log2m() > self.params.p() {
                    return Err(Error::parameter(format!(
                        "an ull of precision {} has too few registers for an hll of log2m {}",
                        self.params.p(),
                        params.log2m()
                    )));
                }
                if params.explicit_threshold() > self.params.explicit_threshold() {
                    return Err(Error::parameter(format!(
                        "an hll with expthresh {} keeps up to {} exact hashes, more than this \
                         ull kept ({}); convert with a smaller expthresh",
                        params.expthresh_value(),
                        params.explicit_threshold(),
                        self.params.explicit_threshold()
                    )));
                }
                let values = registers.to_hll_registers(params.log2m(), params.regwidth());
                let mut dense =
                    crate::dense::DenseRegisters::new_in(params.m(), self.alloc.clone())?;
                dense.registers_mut().copy_from_slice(&values);
                hll = Sketch::from_parts(params, Repr::Dense(dense), self.alloc.clone());
            }
        }
        Ok(hll)
    }

    /// The `ull` of an `hll`'s hashes: only EMPTY and EXPLICIT `hll` values know them.
    pub fn from_hll<B: Allocator + Clone>(
        hll: &Sketch<B>,
        params: UllParams,
        alloc: A,
    ) -> Result<Self, Error> {
        let mut ull = UllSketch::new_in(params, alloc);
        match hll.repr() {
            Repr::Empty => {}
            Repr::Explicit(set) => set.iter().try_for_each(|h| ull.add_hash(h))?,
            _ => {
                return Err(Error::parameter(
                    "only an EMPTY or EXPLICIT hll converts to ull: registers of an hll do \
                     not record what an UltraLogLog register does (rebuild from the hashes)",
                ))
            }
        }
        Ok(ull)
    }

    /// A sketch read from stored bytes (already parsed), in memory from `alloc`.
    pub fn from_stored_in(stored: &StoredUll<'_>, alloc: A) -> Result<Self, Error> {
        let mut sketch = UllSketch::new_in(stored.params(), alloc);
        sketch.union_stored(stored)?;
        Ok(sketch)
    }

    /// The register bytes (dense content), if any.
    pub fn registers(&self) -> Option<&[u8]> {
        match &self.repr {
            UllRepr::Dense(registers) => Some(registers.bytes()),
            _ => None,
        }
    }

    /// The allocator the content lives in.
    pub fn allocator(&self) -> &A {
        &self.alloc
    }
}

impl<A: Allocator + Clone, B: Allocator + Clone> PartialEq<UllSketch<B>> for UllSketch<A> {
    /// Same parameters and content.
    fn eq(&self, other: &UllSketch<B>) -> bool {
        self.params == other.params
            && match (&self.repr, &other.repr) {
                (UllRepr::Empty, UllRepr::Empty) => true,
                (UllRepr::Explicit(a), UllRepr::Explicit(b)) => {
                    a.len() == b.len() && a.iter().all(|h| b.contains(h))
                }
                (UllRepr::Dense(a), UllRepr::Dense(b)) => a == b,
                _ => false,
            }
    }
}

/// The parameters two sketches combine under: the smaller precision and the explicit
/// threshold that keeps fewer hashes there (the smaller setting on a tie), so that the
/// result does not depend on the order of the inputs.
pub fn common_params(a: UllParams, b: UllParams) -> UllParams {
    let p = a.p().min(b.p());
    let (a, b) = (a.with_p(p), b.with_p(p));
    let key = |x: UllParams| (x.explicit_threshold(), x.expthresh());
    if key(b) < key(a) {
        b
    } else {
        a
    }
}
