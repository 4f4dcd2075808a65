//! [`SlidingUnion`]: the moving state of the union aggregates over stored sketches, a
//! two-stack queue of partial unions.
//!
//! The live inputs, oldest first, are split in two runs. The newer run (the *back*)
//! keeps its inputs in order and one union of all of them. The older run (the
//! *front*) keeps, for each input, the union of that input and every newer input of
//! the run. A new input joins the back (one union into the back's union). The oldest
//! input leaves the front; when the front is empty, the back becomes the front, its
//! suffix unions computed once, newest to oldest, each by one union into the input
//! itself. The frame's union is a copy of the oldest front entry's union joined with
//! the back's union. So each input costs four unions or copies over its life, whatever
//! the frame's length (the plain aggregate costs one per input per frame it is in).
//! Memory: the back's inputs, one union per front input, and the back's union: at most
//! `n + 1` sketches for `n` live inputs (front inputs are kept too, `2n + 1`, only when
//! the back that became the front mixed keys, see below).
//!
//! # Same result as the plain aggregate
//! The plain aggregate unions the frame's inputs left to right. The queue's unions
//! group them differently, but always keep them in frame order (older on the left).
//! Over inputs of one [`WindowUnion::union_key`] a union is associative, so any
//! grouping gives the same sketch, byte for byte: EXPLICIT sets unite, registers take
//! the maximum, UNDEFINED absorbs, and every partial union's explicit threshold is at
//! least the final one, so content is promoted to registers exactly when the plain
//! union would be. Across keys it is not associative, because a union first moves both
//! sides to common parameters, and those depend on the grouping:
//! - hll: [`crate::fold::common_params`] takes the explicit threshold that keeps fewer
//!   hashes, compared at each side's own parameters, where an automatic threshold
//!   shrinks with `log2m` and `regwidth`. With `a = hll(11,5,auto)` (160 hashes),
//!   `b = hll(4,5,256)` and `c = hll(11,5,128)`: `(a u b) u c` is `hll(4,5,auto)`, but
//!   `a u (b u c)` is `hll(4,5,128)`; with `b = hll(11,3,256)` and `c = hll(11,3,128)`
//!   (automatic: 96 at regwidth 3), `hll(11,3,auto)` against `hll(11,3,128)`. Folding
//!   registers to a smaller `log2m` also differs from folding the EXPLICIT hashes they
//!   came from, for hashes below `2^log2m` (which set no register). On a tie the union
//!   keeps the left side's setting, so `hll(11,4,auto)` (128 hashes) and
//!   `hll(11,4,128)` give a different cutoff byte in each order: the union is not
//!   commutative, but the queue never swaps inputs. The key is `(log2m, regwidth)`.
//! - ull: [`crate::ull::sketch::common_params`] compares thresholds at the common
//!   precision, so it is commutative but not associative across precisions: with
//!   `a = ull(11,auto)`, `b = ull(11,100)` and `c = ull(4,50)`, `(a u b) u c` is
//!   `ull(4,50)` and `a u (b u c)` is `ull(4,auto)`. The key is `p`.
//!
//! So the queue answers from its partial unions while every live input has the same
//! key (tracked in O(1) as the number of neighbouring live inputs whose keys differ),
//! and otherwise unions left to right, as the plain aggregate does: a frame that mixes
//! keys costs what it costs without a moving aggregate, and is exactly as right. A
//! front run made from a back of one key does not keep its inputs: its union is what
//! the left-to-right union of those inputs gives, and the rest follow it.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::error::Error;
use crate::sketch::Sketch;
use crate::ull::sketch::UllSketch;

/// What [`SlidingUnion`] needs of its inputs.
pub trait WindowUnion: Sized {
    /// The allocator of the inputs; the queue allocates from it too.
    type Alloc: Allocator + Clone;
    /// Inputs whose keys are equal unite associatively: any grouping of unions that
    /// keeps the inputs in order gives the same encoded bytes.
    type Key: Copy + Eq;
    /// This input's key.
    fn union_key(&self) -> Self::Key;
    /// A copy.
    fn try_clone(&self) -> Result<Self, Error>;
    /// Adds `other` to `self`, as the plain union aggregate does.
    fn union_with(&mut self, other: &Self) -> Result<(), Error>;
}

/// hll: sketches of the same `log2m` and `regwidth` unite associatively. Their
/// explicit thresholds do not depend on the grouping (the same `log2m` and `regwidth`
/// give each setting a fixed threshold, and the union keeps the leftmost of the
/// smallest, which the queue's unions, all in frame order, also keep), and no register
/// is folded.
impl<A: Allocator + Clone> WindowUnion for Sketch<A> {
    type Alloc = A;
    type Key = (u8, u8);
    fn union_key(&self) -> Self::Key {
        (self.params().log2m(), self.params().regwidth())
    }
    fn try_clone(&self) -> Result<Self, Error> {
        Sketch::try_clone(self)
    }
    fn union_with(&mut self, other: &Self) -> Result<(), Error> {
        self.union(other)
    }
}

/// ull: sketches of the same precision unite associatively and commutatively: their
/// thresholds compare at that precision, the smallest wins (the smaller setting on a
/// tie), and no register is folded.
impl<A: Allocator + Clone> WindowUnion for UllSketch<A> {
    type Alloc = A;
    type Key = u8;
    fn union_key(&self) -> Self::Key {
        self.params().p()
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
    /// The older run, oldest last: each input's union with every newer input of the
    /// run, and the input itself only when the run mixes keys.
    front: Vec<(Option<S>, S), S::Alloc>,
    /// The newer run, oldest first.
    back: Vec<S, S::Alloc>,
    /// The union of `back` (`None` when it is empty).
    back_union: Option<S>,
    /// Neighbouring live inputs whose keys differ.
    breaks: usize,
    /// The error that left the queue incomplete, if any: every later call returns it.
    failed: Option<Error>,
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
            failed: None,
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

    /// Whether the live inputs have different keys, so that [`SlidingUnion::result`]
    /// unions them left to right instead of joining two partial unions.
    pub fn is_mixed(&self) -> bool {
        self.breaks > 0
    }

    fn check(&self) -> Result<(), Error> {
        match &self.failed {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Records an error after which the partial unions are incomplete.
    fn fail(&mut self, e: Error) -> Error {
        self.failed = Some(e.clone());
        e
    }

    /// The key of the live input `i` places from the oldest.
    fn key_at(&self, i: usize) -> Option<S::Key> {
        let front = self.front.len();
        if i < front {
            let (raw, union) = &self.front[front - 1 - i];
            // A front without its inputs has one key: its unions carry it.
            Some(raw.as_ref().unwrap_or(union).union_key())
        } else {
            self.back.get(i - front).map(S::union_key)
        }
    }

    /// An input enters the frame. An error leaves the queue unusable (every later call
    /// returns it): drop it.
    pub fn push(&mut self, input: S) -> Result<(), Error> {
        self.check()?;
        if self.back.try_reserve(1).is_err() {
            let bytes = (self.back.len() + 1) * core::mem::size_of::<S>();
            return Err(self.fail(Error::out_of_memory(bytes)));
        }
        let union = match self.back_union.as_mut() {
            Some(u) => u.union_with(&input),
            None => input.try_clone().map(|u| self.back_union = Some(u)),
        };
        if let Err(e) = union {
            return Err(self.fail(e));
        }
        let n = self.len();
        if n > 0 && self.key_at(n - 1) != Some(input.union_key()) {
            self.breaks += 1;
        }
        self.back.push(input);
        Ok(())
    }

    /// The oldest input leaves the frame. An error when none is live; any other error
    /// leaves the queue unusable.
    pub fn pop(&mut self) -> Result<(), Error> {
        self.check()?;
        if self.front.is_empty() {
            if self.back.is_empty() {
                return Err(Error::parameter(
                    "an input cannot leave a moving window that holds none",
                ));
            }
            if let Err(e) = self.turn_back_into_front() {
                return Err(self.fail(e));
            }
        }
        let oldest = self.key_at(0);
        self.front.pop();
        if !self.is_empty() && self.key_at(0) != oldest {
            self.breaks -= 1;
        }
        Ok(())
    }

    /// Moves the back run to the empty front, computing its suffix unions newest to
    /// oldest, each by one union into the input (kept apart only when keys differ).
    fn turn_back_into_front(&mut self) -> Result<(), Error> {
        debug_assert!(self.front.is_empty());
        let n = self.back.len();
        let mixed = self.breaks > 0;
        self.front
            .try_reserve_exact(n)
            .map_err(|_| Error::out_of_memory(n * core::mem::size_of::<(Option<S>, S)>()))?;
        while let Some(input) = self.back.pop() {
            let (raw, mut union) = if mixed {
                let copy = input.try_clone()?;
                (Some(input), copy)
            } else {
                (None, input)
            };
            if let Some((_, newer)) = self.front.last() {
                union.union_with(newer)?;
            }
            self.front.push((raw, union));
        }
        self.back_union = None;
        Ok(())
    }

    /// The union of the live inputs, byte for byte what the plain aggregate computes
    /// over them (left to right); `None` when no input is live.
    pub fn result(&self) -> Result<Option<S>, Error> {
        self.check()?;
        let oldest_front = self.front.last().map(|(_, union)| union);
        if self.breaks == 0 {
            return Ok(match (oldest_front, &self.back_union) {
                (None, None) => None,
                (Some(older), None) => Some(older.try_clone()?),
                (None, Some(newer)) => Some(newer.try_clone()?),
                (Some(older), Some(newer)) => {
                    let mut union = older.try_clone()?;
                    union.union_with(newer)?;
                    Some(union)
                }
            });
        }
        // Left to right. A front run that does not keep its inputs has one key, so
        // its union is what the left-to-right union of its inputs is.
        let front_has_inputs = self.front.first().is_some_and(|(raw, _)| raw.is_some());
        let mut inputs: Box<dyn Iterator<Item = &S> + '_> = if front_has_inputs {
            Box::new(
                self.front
                    .iter()
                    .rev()
                    .filter_map(|(raw, _)| raw.as_ref())
                    .chain(self.back.iter()),
            )
        } else {
            Box::new(oldest_front.into_iter().chain(self.back.iter()))
        };
        let Some(first) = inputs.next() else {
            return Ok(None);
        };
        let mut union = first.try_clone()?;
        for s in inputs {
            union.union_with(s)?;
        }
        Ok(Some(union))
    }
}
