//! [`SlidingUnion`]: the moving state of the union aggregates over stored sketches, a
//! two-stack queue of partial unions.
//!
//! The live inputs, oldest first, are split in two runs. The newer run (the *back*)
//! keeps its inputs in order and one union of all of them. The older run (the
//! *front*) keeps, for each input, the union of that input and every newer input of
//! the run. A new input joins the back (one union). The oldest input leaves the front;
//! when the front is empty, the back becomes the front, its suffix unions computed
//! once, newest to oldest. The frame's union is the oldest front entry's union with the
//! back's union. Each input takes part in a constant number of unions over its life:
//! one into the back's union, one copy and one union when the back turns into the
//! front, plus one copy and one union per result; the cost per row does not depend on
//! the frame's length. Memory: the live inputs, one partial union per front input and
//! the back's union, at most `2n + 1` sketches for `n` live inputs.
//!
//! # Same result as the plain aggregate
//! The plain aggregate unions the frame's inputs left to right. Over inputs of equal
//! parameters a union is commutative and associative in its content (EXPLICIT sets
//! unite, registers take the maximum, UNDEFINED absorbs, and the EXPLICIT threshold is
//! the same everywhere), so any grouping gives the same sketch, byte for byte.
//! Across parameters it is not: a union first moves both sides to common parameters,
//! and those depend on the grouping.
//! - hll: [`crate::fold::common_params`] takes the explicit threshold that keeps fewer
//!   hashes, compared at each side's own parameters, where an automatic threshold
//!   shrinks with `log2m` and `regwidth`. With `a = hll(11,5,auto)` (160 hashes),
//!   `b = hll(4,5,256)` and `c = hll(11,5,128)`: `(a u b) u c` is `hll(4,5,auto)`, but
//!   `a u (b u c)` is `hll(4,5,128)`. On a tie it keeps the left side's setting, so
//!   `hll(11,4,auto)` (128 hashes) and `hll(11,4,128)` give a different cutoff byte in
//!   each order. Folding registers to a smaller `log2m` also differs from folding the
//!   EXPLICIT hashes they came from for hashes below `2^log2m` (which set no register).
//! - ull: [`crate::ull::sketch::common_params`] compares thresholds at the common
//!   precision, so it is commutative but not associative: with `a = ull(11,auto)`,
//!   `b = ull(11,100)` and `c = ull(4,50)`, `(a u b) u c` is `ull(4,50)` and
//!   `a u (b u c)` is `ull(4,auto)`.
//!
//! So the queue answers from its partial unions while every live input has the same
//! [`WindowUnion::union_key`] (tracked in O(1) as the number of neighbouring live
//! inputs whose keys differ), and otherwise unions the live inputs left to right, as
//! the plain aggregate does: a frame that mixes parameters costs what it costs
//! without a moving aggregate, and is exactly as right.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::error::Error;
use crate::sketch::Sketch;
use crate::ull::sketch::UllSketch;

/// What [`SlidingUnion`] needs of its inputs.
pub trait WindowUnion: Sized {
    /// The allocator of the inputs; the queue allocates from it too.
    type Alloc: Allocator + Clone;
    /// Inputs whose keys are equal unite associatively and commutatively: any grouping
    /// and order of unions gives the same encoded bytes.
    type Key: Copy + Eq;
    /// This input's key.
    fn union_key(&self) -> Self::Key;
    /// A copy.
    fn try_clone(&self) -> Result<Self, Error>;
    /// Adds `other` to `self`, as the plain union aggregate does.
    fn union_with(&mut self, other: &Self) -> Result<(), Error>;
}

impl<A: Allocator + Clone> WindowUnion for Sketch<A> {
    type Alloc = A;
    type Key = crate::params::Params;
    fn union_key(&self) -> Self::Key {
        self.params()
    }
    fn try_clone(&self) -> Result<Self, Error> {
        Sketch::try_clone(self)
    }
    fn union_with(&mut self, other: &Self) -> Result<(), Error> {
        self.union(other)
    }
}

impl<A: Allocator + Clone> WindowUnion for UllSketch<A> {
    type Alloc = A;
    type Key = crate::ull::params::UllParams;
    fn union_key(&self) -> Self::Key {
        self.params()
    }
    fn try_clone(&self) -> Result<Self, Error> {
        UllSketch::try_clone(self)
    }
    fn union_with(&mut self, other: &Self) -> Result<(), Error> {
        self.union(other)
    }
}

/// The union of a moving frame of sketches: inputs enter at the back and leave from
/// the front, oldest first; the queue owns them.
pub struct SlidingUnion<S: WindowUnion> {
    /// The older run, oldest last: each input with the union of it and every newer
    /// input of the run.
    front: Vec<(S, S), S::Alloc>,
    /// The newer run, oldest first.
    back: Vec<S, S::Alloc>,
    /// The union of `back` (`None` when it is empty).
    back_union: Option<S>,
    /// Neighbouring live inputs whose keys differ.
    breaks: usize,
    alloc: S::Alloc,
}

impl<S: WindowUnion> SlidingUnion<S> {
    /// An empty queue allocating from `alloc`.
    pub fn new_in(alloc: S::Alloc) -> Self {
        SlidingUnion {
            front: Vec::new_in(alloc.clone()),
            back: Vec::new_in(alloc.clone()),
            back_union: None,
            breaks: 0,
            alloc,
        }
    }

    /// The allocator.
    pub fn allocator(&self) -> &S::Alloc {
        &self.alloc
    }

    /// Number of live inputs.
    pub fn len(&self) -> usize {
        self.front.len() + self.back.len()
    }

    /// Whether no input is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The newest live input.
    fn newest(&self) -> Option<&S> {
        self.back.last().or(self.front.first().map(|(s, _)| s))
    }

    /// The live inputs, oldest first.
    pub fn inputs(&self) -> impl Iterator<Item = &S> + '_ {
        self.front
            .iter()
            .rev()
            .map(|(s, _)| s)
            .chain(self.back.iter())
    }

    /// An input enters the frame. After an error the queue is unchanged, except when
    /// the union itself failed (out of memory), after which it must be dropped.
    pub fn push(&mut self, input: S) -> Result<(), Error> {
        self.back
            .try_reserve(1)
            .map_err(|_| Error::out_of_memory((self.back.len() + 1) * core::mem::size_of::<S>()))?;
        match &mut self.back_union {
            Some(u) => u.union_with(&input)?,
            None => self.back_union = Some(input.try_clone()?),
        }
        if self
            .newest()
            .is_some_and(|n| n.union_key() != input.union_key())
        {
            self.breaks += 1;
        }
        self.back.push(input);
        Ok(())
    }

    /// The oldest input leaves the frame. An error when none is live, or when memory
    /// for the front's unions is refused (the queue is then unchanged).
    pub fn pop(&mut self) -> Result<(), Error> {
        if self.front.is_empty() {
            if self.back.is_empty() {
                return Err(Error::parameter(
                    "an input cannot leave a moving window that holds none",
                ));
            }
            self.turn_back_into_front()?;
        }
        let (oldest, _) = self.front.pop().expect("the front is not empty");
        let next = self.front.last().map(|(s, _)| s).or(self.back.first());
        if next.is_some_and(|n| n.union_key() != oldest.union_key()) {
            self.breaks -= 1;
        }
        Ok(())
    }

    /// Moves the back run, with its suffix unions, to the empty front.
    fn turn_back_into_front(&mut self) -> Result<(), Error> {
        debug_assert!(self.front.is_empty());
        let n = self.back.len();
        self.front
            .try_reserve_exact(n)
            .map_err(|_| Error::out_of_memory(n * core::mem::size_of::<(S, S)>()))?;
        while let Some(input) = self.back.last() {
            let union = match self.front.last() {
                None => input.try_clone(),
                Some((_, newer)) => input.try_clone().and_then(|mut u| {
                    u.union_with(newer)?;
                    Ok(u)
                }),
            };
            match union {
                Ok(union) => {
                    let input = self.back.pop().expect("checked above");
                    self.front.push((input, union));
                }
                Err(e) => {
                    // Put the moved inputs back; `back` keeps its capacity.
                    while let Some((input, _)) = self.front.pop() {
                        self.back.push(input);
                    }
                    return Err(e);
                }
            }
        }
        self.back_union = None;
        Ok(())
    }

    /// The union of the live inputs, as the plain aggregate computes it over them
    /// (left to right); `None` when no input is live.
    pub fn result(&self) -> Result<Option<S>, Error> {
        if self.breaks > 0 {
            let mut inputs = self.inputs();
            let Some(first) = inputs.next() else {
                return Ok(None);
            };
            let mut union = first.try_clone()?;
            for s in inputs {
                union.union_with(s)?;
            }
            return Ok(Some(union));
        }
        Ok(match (self.front.last(), &self.back_union) {
            (None, None) => None,
            (Some((_, older)), None) => Some(older.try_clone()?),
            (None, Some(newer)) => Some(newer.try_clone()?),
            (Some((_, older)), Some(newer)) => {
                let mut union = older.try_clone()?;
                union.union_with(newer)?;
                Some(union)
            }
        })
    }

    /// Whether the live inputs have different keys, so that [`SlidingUnion::result`]
    /// unions them all instead of two partial unions.
    pub fn is_mixed(&self) -> bool {
        self.breaks > 0
    }
}
