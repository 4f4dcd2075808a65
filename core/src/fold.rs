//! Precision folding: turning a sketch into the one the same hashes would have built
//! with fewer registers or narrower registers, so that sketches built with different
//! parameters can be combined.
//!
//! A hash `v` lands in register `i = v mod 2^p` with `rho` counted on `v >> p`. With
//! `p' < p` registers it lands in `i' = i mod 2^p'`, and its rank is counted on
//! `v >> p'`, whose low `p - p'` bits are `h = i >> p'`:
//!
//! ```text
//!   v:  | w (64 - p bits)          | h (p - p') | i' (p') |
//!   h != 0:  rho' = trailing_zeros(h) + 1         (whatever w is)
//!   h == 0:  rho' = rho + (p - p')                 (w shifted up by p - p')
//! ```
//!
//! so every old register determines its contribution to the new one, and the folded
//! sketch equals the one built at `p'` byte for byte. (The only exception is a hash
//! whose `w` is zero, which the old sketch ignores; a random 64-bit hash is such with
//! probability 2^-(64-p).) Narrower registers cap values at the new maximum, which is
//! also what building with them does. EXPLICIT content is re-added under the new
//! threshold.

use crate::error::Error;
use crate::params::{ExplicitThreshold, Params};
use allocator_api2::alloc::Allocator;

use crate::content::{Content, SketchSource};
use crate::dense::DenseRegisters;
use crate::sketch::{Repr, Sketch};

/// The parameters two sketches are combined under: the smaller `log2m` and `regwidth`,
/// the explicit threshold that keeps fewer values, and SPARSE only if both allow it.
pub fn common_params(a: Params, b: Params) -> Params {
    let expthresh = if b.explicit_threshold() < a.explicit_threshold() {
        b.expthresh()
    } else {
        a.expthresh()
    };
    Params::new(
        a.log2m().min(b.log2m()).into(),
        a.regwidth().min(b.regwidth()).into(),
        match expthresh {
            ExplicitThreshold::Auto => -1,
            ExplicitThreshold::Off => 0,
            ExplicitThreshold::Fixed(n) => n.into(),
        },
        (a.sparseon() && b.sparseon()).into(),
    )
    .expect("the smaller of two valid parameter sets is valid")
}

impl<A: Allocator + Clone> Sketch<A> {
    /// The sketch these hashes would give under `target` ([`reduce`]).
    pub fn reduce(&self, target: Params) -> Result<Sketch<A>, Error> {
        reduce(self, target, self.allocator().clone())
    }
}

/// The sketch the hashes of `source` (a sketch, or stored bytes read in place) would
/// give under `target`, in memory from `alloc`. `target` may not have more or wider
/// registers, nor a larger explicit threshold when the content is registers.
pub fn reduce<S: SketchSource + ?Sized, A: Allocator + Clone>(
    source: &S,
    target: Params,
    alloc: A,
) -> Result<Sketch<A>, Error> {
    let p = source.params();
    if target.log2m() > p.log2m() || target.regwidth() > p.regwidth() {
        return Err(Error::InvalidParameter(format!(
            "cannot reduce hll{p} to hll{target}: log2m and regwidth can only decrease"
        )));
    }
    let content = source.content();
    let registered = matches!(content, Content::Sparse(_) | Content::Dense(_));
    if registered && target.explicit_threshold() > p.explicit_threshold() {
        return Err(Error::InvalidParameter(format!(
            "cannot reduce hll{p} to hll{target}: the exact values are gone"
        )));
    }
    let mut sketch = Sketch::new_in(target, alloc.clone());
    if target == p {
        sketch.union(source)?;
        return Ok(sketch);
    }
    match content {
        Content::Undefined => Ok(Sketch::undefined_in(target, alloc)),
        Content::Empty => Ok(sketch),
        Content::Explicit(hashes) => {
            for h in hashes.iter() {
                sketch.add_hash(h)?;
            }
            Ok(sketch)
        }
        Content::Sparse(list) => {
            let mut folded = Folded::new(p, target, alloc.clone())?;
            list.iter().for_each(|(i, v)| folded.add(i, v));
            Ok(Sketch::from_parts(
                target,
                Repr::Dense(folded.registers),
                alloc,
            ))
        }
        Content::Dense(array) => {
            let mut folded = Folded::new(p, target, alloc.clone())?;
            array.nonzero(|i, v| folded.add(i, v));
            Ok(Sketch::from_parts(
                target,
                Repr::Dense(folded.registers),
                alloc,
            ))
        }
    }
}

/// Dense registers under `to` being filled from the non-zero registers of a sketch
/// with parameters `from`.
struct Folded<A: Allocator> {
    registers: DenseRegisters<A>,
    shift: u8,
    mask: u32,
    log2m: u8,
    cap: u8,
}

impl<A: Allocator> Folded<A> {
    fn new(from: Params, to: Params, alloc: A) -> Result<Self, Error> {
        Ok(Folded {
            registers: DenseRegisters::new_in(to.m(), alloc)?,
            shift: from.log2m() - to.log2m(),
            mask: (1u32 << to.log2m()) - 1,
            log2m: to.log2m(),
            cap: to.register_cap(),
        })
    }

    /// Folds register `index` holding `value` into its new register.
    fn add(&mut self, index: u32, value: u8) {
        let high = index >> self.log2m;
        let folded = if high != 0 {
            high.trailing_zeros() as u8 + 1
        } else {
            value.saturating_add(self.shift)
        };
        self.registers
            .set_max((index & self.mask) as usize, folded.min(self.cap));
    }
}
