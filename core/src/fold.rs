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
    /// The sketch these hashes would give under `target`, which may not have more or
    /// wider registers, nor a larger explicit threshold than this sketch's.
    pub fn reduce(&self, target: Params) -> Result<Sketch<A>, Error> {
        let p = self.params();
        if target.log2m() > p.log2m() || target.regwidth() > p.regwidth() {
            return Err(Error::InvalidParameter(format!(
                "cannot reduce hll{p} to hll{target}: log2m and regwidth can only decrease"
            )));
        }
        let registered = matches!(self.repr(), Repr::Sparse(_) | Repr::Dense(_));
        if registered && target.explicit_threshold() > p.explicit_threshold() {
            return Err(Error::InvalidParameter(format!(
                "cannot reduce hll{p} to hll{target}: the exact values are gone"
            )));
        }
        if target == p {
            return self.try_clone();
        }
        let alloc = self.allocator().clone();
        Ok(match self.repr() {
            Repr::Undefined => Sketch::undefined_in(target, alloc),
            Repr::Empty => Sketch::new_in(target, alloc),
            Repr::Explicit(e) => {
                let mut s = Sketch::new_in(target, alloc);
                for h in e.iter() {
                    s.add_hash(h)?;
                }
                s
            }
            Repr::Sparse(s) => fold_registers(s.iter(), p, target, alloc)?,
            Repr::Dense(d) => fold_registers(
                d.registers()
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0)
                    .map(|(i, &v)| (i as u32, v)),
                p,
                target,
                alloc,
            )?,
        })
    }
}

/// Folds non-zero registers `(index, value)` of a sketch with parameters `from` into a
/// register sketch with parameters `to`.
fn fold_registers<A: Allocator + Clone>(
    registers: impl Iterator<Item = (u32, u8)>,
    from: Params,
    to: Params,
    alloc: A,
) -> Result<Sketch<A>, Error> {
    let shift = from.log2m() - to.log2m();
    let mask = (1u32 << to.log2m()) - 1;
    let cap = to.register_cap();
    let mut dense = DenseRegisters::new_in(to.m(), alloc.clone())?;
    for (index, value) in registers {
        let high = index >> to.log2m();
        let folded = if high != 0 {
            high.trailing_zeros() as u8 + 1
        } else {
            value.saturating_add(shift)
        };
        dense.set_max((index & mask) as usize, folded.min(cap));
    }
    Ok(Sketch::from_parts(to, Repr::Dense(dense), alloc))
}
