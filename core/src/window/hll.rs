//! [`SlidingHll`]: the moving state of the HyperLogLog aggregates over raw rows.

use allocator_api2::alloc::{Allocator, Global};

use super::registers::HllRule;
use super::state::{Form, SlidingState};
use crate::classic::Estimator;
use crate::dense::DenseRegisters;
use crate::error::Error;
use crate::explicit::ExplicitSet;
use crate::params::Params;
use crate::sketch::{Repr, Sketch};
use crate::sparse::SparseRegisters;

/// Sparse entries a [`Sketch`] keeps before it makes its registers dense (its private
/// `sparse_limit`): `min(m / 4, 2048)`. A sketch built hash by hash holds dense
/// registers exactly when at least this many are filled; [`SlidingHll::sketch`] picks
/// the same in-memory form, so the result equals a built sketch even under `==`
/// (the encoded bytes do not depend on it).
fn sparse_limit(params: &Params) -> usize {
    (params.m() / 4).min(2048)
}

/// The HyperLogLog sketch of a moving frame of rows: rows enter at the back and leave
/// from the front, oldest first, and [`SlidingHll::sketch`] is at every moment the
/// sketch built from the live rows' hashes (see the [module](super) documentation).
#[derive(Debug)]
pub struct SlidingHll<A: Allocator + Clone = Global> {
    params: Params,
    state: SlidingState<A, HllRule>,
}

impl SlidingHll {
    /// An empty frame on the global heap.
    pub fn new(params: Params) -> Self {
        SlidingHll::new_in(params, Global)
    }
}

impl<A: Allocator + Clone> SlidingHll<A> {
    /// An empty frame whose memory comes from `alloc` (nothing is allocated yet).
    pub fn new_in(params: Params, alloc: A) -> Self {
        let rule = HllRule {
            log2m: params.log2m(),
            cap: params.register_cap(),
        };
        SlidingHll {
            params,
            state: SlidingState::new_in(rule, params.explicit_threshold(), alloc),
        }
    }

    /// The parameters.
    pub fn params(&self) -> Params {
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

    /// The sketch of the live rows: equal (`==`, and so in encoded bytes and every
    /// estimate) to an EMPTY sketch of the same parameters after `add_hash` of each
    /// live row's hash. EMPTY when no row is live.
    pub fn sketch(&self) -> Result<Sketch<A>, Error> {
        let alloc = self.state.alloc().clone();
        let repr = match self.state.form() {
            Form::Empty => Repr::Empty,
            Form::Exact(recent) => {
                let mut set = ExplicitSet::new_in(alloc.clone());
                for h in recent.hashes() {
                    set.insert(h)?;
                }
                Repr::Explicit(set)
            }
            Form::Registers(registers) => {
                let filled = registers.filled();
                if filled >= sparse_limit(&self.params) {
                    let mut dense = DenseRegisters::new_in(self.params.m(), alloc.clone())?;
                    for (r, v) in dense.registers_mut().iter_mut().zip(registers.values()) {
                        *r = v;
                    }
                    Repr::Dense(dense)
                } else {
                    let mut sparse = SparseRegisters::new_in(alloc.clone());
                    sparse.reserve(filled)?;
                    for (i, v) in registers.values().enumerate() {
                        if v != 0 {
                            sparse.push_sorted(i as u32, v);
                        }
                    }
                    Repr::Sparse(sparse)
                }
            }
        };
        Ok(Sketch::from_parts(self.params, repr, alloc))
    }

    /// The distinct count of the live rows: what [`SlidingHll::sketch`]'s
    /// `cardinality_with(estimator)` gives, from the kept histogram of register values
    /// (256 counts) instead of the `m` registers. Exact while EXPLICIT, 0 when empty.
    pub fn cardinality(&self, estimator: Estimator) -> f64 {
        match self.state.form() {
            Form::Empty => 0.0,
            Form::Exact(recent) => recent.len() as f64,
            Form::Registers(registers) => estimator.estimate(registers.histogram(), &self.params),
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
