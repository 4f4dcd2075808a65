//! [`SlidingUll`]: the moving state of the UltraLogLog aggregates over raw rows.

use allocator_api2::alloc::{Allocator, Global};

use super::registers::UllRule;
use super::state::{Form, SlidingState};
use crate::error::Error;
use crate::ull::estimate::UllEstimator;
use crate::ull::params::UllParams;
use crate::ull::registers::UllRegisters;
use crate::ull::sketch::UllSketch;

/// The UltraLogLog sketch of a moving frame of rows: rows enter at the back and leave
/// from the front, oldest first, and [`SlidingUll::sketch`] is at every moment the
/// sketch built from the live rows' hashes (see the [module](super) documentation).
#[derive(Debug)]
pub struct SlidingUll<A: Allocator + Clone = Global> {
    params: UllParams,
    state: SlidingState<A, UllRule>,
}

impl SlidingUll {
    /// An empty frame on the global heap.
    pub fn new(params: UllParams) -> Self {
        SlidingUll::new_in(params, Global)
    }
}

impl<A: Allocator + Clone> SlidingUll<A> {
    /// An empty frame whose memory comes from `alloc` (nothing is allocated yet).
    pub fn new_in(params: UllParams, alloc: A) -> Self {
        SlidingUll {
            params,
            state: SlidingState::new_in(
                UllRule { p: params.p() },
                params.explicit_threshold(),
                alloc,
            ),
        }
    }

    /// The parameters.
    pub fn params(&self) -> UllParams {
        self.params
    }

    /// The allocator the state lives in.
    pub fn allocator(&self) -> &A {
        self.state.alloc()
    }

    /// A row of hash `hash` enters the frame. On error the state is unchanged.
    #[inline]
    pub fn push(&mut self, hash: u64) -> Result<(), Error> {
        self.state.push(hash)
    }

    /// The oldest live row leaves; `hash` is its hash, as it was pushed. An error only
    /// when no row is live.
    #[inline]
    pub fn pop(&mut self, hash: u64) -> Result<(), Error> {
        self.state.pop(hash)
    }

    /// Number of live rows (duplicates included).
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// Whether no row is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sketch of the live rows: equal to an EMPTY sketch of the same parameters
    /// after `add_hash` of each live row's hash (so the same stored bytes and
    /// estimates). EMPTY when no row is live.
    pub fn sketch(&self) -> Result<UllSketch<A>, Error> {
        let alloc = self.state.alloc().clone();
        let mut sketch = UllSketch::new_in(self.params, alloc.clone());
        match self.state.form() {
            Form::Empty => {}
            // At most T distinct hashes: the sketch stays EXPLICIT.
            Form::Exact(recent) => recent.hashes().try_for_each(|h| sketch.add_hash(h))?,
            Form::Registers(registers) => {
                let mut bytes = UllRegisters::new_in(self.params.p(), alloc.clone())?;
                for (b, v) in bytes.bytes_mut().iter_mut().zip(registers.values()) {
                    *b = v;
                }
                sketch = UllSketch::from_registers(self.params, bytes, alloc);
            }
        }
        Ok(sketch)
    }

    /// The distinct count of the live rows: what [`SlidingUll::sketch`]'s
    /// `cardinality(estimator)` gives, from the kept histogram of register bytes
    /// (256 counts) instead of the `2^p` registers. Exact while EXPLICIT, 0 when empty.
    pub fn cardinality(&self, estimator: UllEstimator) -> f64 {
        match self.state.form() {
            Form::Empty => 0.0,
            Form::Exact(recent) => recent.len() as f64,
            Form::Registers(registers) => {
                estimator.estimate(registers.histogram(), self.params.p())
            }
        }
    }

    /// Register pairs kept over all registers (0 while the frame never had more than
    /// `T` distinct hashes), for measurements.
    pub fn kept_pairs(&self) -> usize {
        self.state.pairs()
    }

    /// Bytes held, for memory accounting.
    pub fn allocated_bytes(&self) -> usize {
        self.state.allocated_bytes()
    }
}
