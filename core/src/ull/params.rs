//! UltraLogLog parameters: the precision `p` (2^p registers) and the explicit threshold,
//! validated once; a [`UllParams`] that exists is valid.

use std::fmt;

use crate::error::Error;

/// Smallest accepted precision: 16 registers, as `hll`'s smallest `log2m`.
pub const MIN_P: u8 = 4;
/// Largest accepted precision: 262,144 registers (a 256 KiB dense state).
pub const MAX_P: u8 = 18;
/// Default precision: 2,048 registers, about 1.7% standard error.
pub const DEFAULT_P: u8 = 11;
/// Largest fixed explicit threshold: `hll`'s largest (2^17), so that every `hll`
/// that is still EXPLICIT can be built from an `ull` of the same hashes.
pub const MAX_EXPTHRESH: i64 = 1 << 17;

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UllParams {
    p: u8,
    /// -1: automatic (`2^p / 8`), 0: never exact, else the number of hashes kept.
    expthresh: i32,
}

impl Default for UllParams {
    fn default() -> Self {
        UllParams {
            p: DEFAULT_P,
            expthresh: -1,
        }
    }
}

impl UllParams {
    /// Checks `p` in 4..=18 and `expthresh` in -1..=131072.
    pub fn new(p: i64, expthresh: i64) -> Result<Self, Error> {
        if !(i64::from(MIN_P)..=i64::from(MAX_P)).contains(&p) {
            return Err(Error::parameter(format!(
                "ull precision p must be between {MIN_P} and {MAX_P}, not {p}"
            )));
        }
        if !(-1..=MAX_EXPTHRESH).contains(&expthresh) {
            return Err(Error::parameter(format!(
                "ull expthresh must be -1 (automatic), 0 (off) or at most {MAX_EXPTHRESH}, not {expthresh}"
            )));
        }
        Ok(UllParams {
            p: p as u8,
            expthresh: expthresh as i32,
        })
    }

    /// The precision: `2^p` registers.
    pub fn p(&self) -> u8 {
        self.p
    }

    /// Number of registers.
    pub fn m(&self) -> usize {
        1 << self.p
    }

    /// The explicit threshold as given: -1 automatic, 0 off, else a count.
    pub fn expthresh(&self) -> i64 {
        i64::from(self.expthresh)
    }

    /// How many distinct hashes are kept exactly before the registers take over. The
    /// automatic threshold, `2^p / 8` (the hashes' 8 bytes each fill what the dense
    /// registers take), is never below `hll`'s automatic threshold at `log2m <= p`, so
    /// an EXPLICIT `hll` of the same hashes can always be rebuilt from an `ull`.
    pub fn explicit_threshold(&self) -> usize {
        match self.expthresh {
            -1 => self.m() / 8,
            n => n as usize,
        }
    }

    /// The same threshold at another precision (a fold keeps an explicit threshold as
    /// given, and an automatic one stays automatic).
    pub fn with_p(&self, p: u8) -> Self {
        UllParams { p, ..*self }
    }

    /// The type modifier `ull(p, expthresh)`: `p | (expthresh + 1) << 5`.
    pub fn typmod(&self) -> i32 {
        i32::from(self.p) | (self.expthresh + 1) << 5
    }

    /// The parameters of a type modifier written by [`UllParams::typmod`].
    pub fn from_typmod(typmod: i32) -> Result<Self, Error> {
        if typmod < 0 {
            return Err(Error::parameter(format!(
                "type modifier {typmod} is not one of ull's"
            )));
        }
        UllParams::new(i64::from(typmod & 31), i64::from(typmod >> 5) - 1)
    }
}

impl fmt::Display for UllParams {
    /// `(p,expthresh)`, as the type modifier is written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.p, self.expthresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_typmod_round_trip() {
        assert!(UllParams::new(3, -1).is_err());
        assert!(UllParams::new(19, -1).is_err());
        assert!(UllParams::new(11, -2).is_err());
        assert!(UllParams::new(11, MAX_EXPTHRESH + 1).is_err());
        for (p, e) in [(4, -1), (11, 0), (18, MAX_EXPTHRESH), (11, 160)] {
            let params = UllParams::new(p, e).unwrap();
            assert_eq!(UllParams::from_typmod(params.typmod()).unwrap(), params);
        }
        assert_eq!(UllParams::default().explicit_threshold(), 256);
        assert_eq!(UllParams::default().to_string(), "(11,-1)");
    }
}
