//! Sketch parameters: `log2m`, `regwidth`, `expthresh`, `sparseon`, validated once.
//!
//! A [`Params`] value that exists is valid; every constructor checks the ranges.
//! The two header bytes of the storage format carry them:
//!
//! ```text
//! P = ((regwidth - 1) << 5) | log2m
//! C = (sparseon << 6) | cutoff        cutoff: 63 = auto, 0 = off, k = threshold 2^(k-1)
//! ```

use std::fmt;

use crate::error::Error;

/// Smallest accepted `log2m` (16 registers; the estimator needs m > 8).
pub const MIN_LOG2M: u8 = 4;
/// Largest accepted `log2m` (about a million registers).
pub const MAX_LOG2M: u8 = 20;
/// Smallest accepted register width in bits.
pub const MIN_REGWIDTH: u8 = 1;
/// Largest accepted register width in bits.
pub const MAX_REGWIDTH: u8 = 8;
/// Largest explicit threshold code: java-hll writes up to 18 (threshold 2^17).
const MAX_CUTOFF_CODE: u8 = 18;
/// Largest fixed explicit threshold accepted (`2^(MAX_CUTOFF_CODE - 1)`).
pub const MAX_EXPTHRESH: i64 = 1 << (MAX_CUTOFF_CODE - 1);
/// Cap of the automatic explicit threshold, as postgresql-hll computes it.
const AUTO_EXPLICIT_CAP: usize = 16383;
/// Default `log2m`: 2,048 registers, a standard error of about 2.3%.
pub const DEFAULT_LOG2M: u8 = 11;
/// Default register width: 5 bits count up to about 2^31 x m distinct values.
pub const DEFAULT_REGWIDTH: u8 = 5;
/// Default explicit threshold as written in SQL: -1, automatic.
pub const DEFAULT_EXPTHRESH: i64 = -1;
/// Default for writing the SPARSE form.
pub const DEFAULT_SPARSEON: bool = true;
/// Header cutoff code meaning "automatic threshold".
const CUTOFF_AUTO: u8 = 63;

/// When the exact (EXPLICIT) form gives way to registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExplicitThreshold {
    /// Keep exact values while they take no more room than FULL registers would.
    Auto,
    /// Never keep exact values; go straight to registers.
    Off,
    /// Keep up to this many exact values (a power of two).
    Fixed(u32),
}

/// Validated sketch parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Params {
    log2m: u8,
    regwidth: u8,
    expthresh: ExplicitThreshold,
    sparseon: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            log2m: DEFAULT_LOG2M,
            regwidth: DEFAULT_REGWIDTH,
            expthresh: ExplicitThreshold::Auto,
            sparseon: DEFAULT_SPARSEON,
        }
    }
}

impl Params {
    /// Checks SQL-style parameters: expthresh is -1 (auto), 0 (off) or a power of two.
    pub fn new(log2m: i64, regwidth: i64, expthresh: i64, sparseon: i64) -> Result<Self, Error> {
        if !(i64::from(MIN_LOG2M)..=i64::from(MAX_LOG2M)).contains(&log2m) {
            return Err(Error::parameter(format!(
                "log2m = {log2m} is out of range (accepted: {MIN_LOG2M} to {MAX_LOG2M})"
            )));
        }
        if !(i64::from(MIN_REGWIDTH)..=i64::from(MAX_REGWIDTH)).contains(&regwidth) {
            return Err(Error::parameter(format!(
                "regwidth = {regwidth} is out of range (accepted: {MIN_REGWIDTH} to {MAX_REGWIDTH})"
            )));
        }
        let expthresh = match expthresh {
            -1 => ExplicitThreshold::Auto,
            0 => ExplicitThreshold::Off,
            n if n > 0 && n <= MAX_EXPTHRESH && (n as u64).is_power_of_two() => {
                ExplicitThreshold::Fixed(n as u32)
            }
            n => {
                return Err(Error::parameter(format!(
                    "expthresh = {n} is invalid (accepted: -1 for auto, 0 for off, or a power of two up to {MAX_EXPTHRESH})"
                )))
            }
        };
        let sparseon = match sparseon {
            0 => false,
            1 => true,
            n => {
                return Err(Error::parameter(format!(
                    "sparseon = {n} is invalid (accepted: 0 or 1)"
                )))
            }
        };
        Ok(Params {
            log2m: log2m as u8,
            regwidth: regwidth as u8,
            expthresh,
            sparseon,
        })
    }

    /// Reads the parameters from the header bytes `P` and `C` of stored data.
    pub fn from_header(p: u8, c: u8) -> Result<Self, Error> {
        let log2m = p & 0x1f;
        let regwidth = (p >> 5) + 1;
        if c & 0x80 != 0 {
            return Err(Error::corrupt("reserved bit 7 of the cutoff byte is set"));
        }
        let sparseon = (c >> 6) & 1;
        let expthresh = match c & 0x3f {
            CUTOFF_AUTO => -1,
            0 => 0,
            k if k <= MAX_CUTOFF_CODE => 1i64 << (k - 1),
            k => {
                return Err(Error::corrupt(format!(
                    "explicit cutoff code {k} is not supported (accepted: 0 to {MAX_CUTOFF_CODE}, or 63)"
                )))
            }
        };
        Params::new(log2m.into(), regwidth.into(), expthresh, sparseon.into())
            .map_err(|e| Error::corrupt(e.to_string()))
    }

    /// The parameter byte `P` of the header.
    pub fn p_byte(&self) -> u8 {
        ((self.regwidth - 1) << 5) | self.log2m
    }

    /// The cutoff byte `C` of the header.
    pub fn c_byte(&self) -> u8 {
        let cutoff = match self.expthresh {
            ExplicitThreshold::Auto => CUTOFF_AUTO,
            ExplicitThreshold::Off => 0,
            ExplicitThreshold::Fixed(n) => n.trailing_zeros() as u8 + 1,
        };
        (u8::from(self.sparseon) << 6) | cutoff
    }

    /// log2 of the number of registers.
    pub fn log2m(&self) -> u8 {
        self.log2m
    }

    /// Bits per register.
    pub fn regwidth(&self) -> u8 {
        self.regwidth
    }

    /// Whether SPARSE may be written.
    pub fn sparseon(&self) -> bool {
        self.sparseon
    }

    /// The explicit threshold setting.
    pub fn expthresh(&self) -> ExplicitThreshold {
        self.expthresh
    }

    /// The explicit threshold as SQL shows it: -1 auto, 0 off, or the fixed count.
    pub fn expthresh_value(&self) -> i64 {
        match self.expthresh {
            ExplicitThreshold::Auto => -1,
            ExplicitThreshold::Off => 0,
            ExplicitThreshold::Fixed(n) => n.into(),
        }
    }

    /// Number of registers, `m = 2^log2m`.
    pub fn m(&self) -> usize {
        1 << self.log2m
    }

    /// Largest register value, `2^regwidth - 1`.
    pub fn register_cap(&self) -> u8 {
        ((1u16 << self.regwidth) - 1) as u8
    }

    /// The type modifier of a column of these parameters: the header bytes P and C as
    /// one integer, so that a value matches its column when its header does.
    pub fn typmod(&self) -> i32 {
        i32::from(self.p_byte()) << 8 | i32::from(self.c_byte())
    }

    /// The parameters of a type modifier written by [`Params::typmod`].
    pub fn from_typmod(typmod: i32) -> Result<Self, Error> {
        if !(0..=0xffff).contains(&typmod) {
            return Err(Error::parameter(format!(
                "type modifier {typmod} is not one of hll's"
            )));
        }
        Params::from_header((typmod >> 8) as u8, typmod as u8).map_err(|e| match e {
            Error::Corrupt(msg) => Error::parameter(format!("type modifier {typmod}: {msg}")),
            other => other,
        })
    }

    /// Bytes of a FULL body: `ceil(m * regwidth / 8)`.
    pub fn full_body_len(&self) -> usize {
        (self.m() * usize::from(self.regwidth)).div_ceil(8)
    }

    /// How many distinct hashes the EXPLICIT form holds before promotion.
    pub fn explicit_threshold(&self) -> usize {
        match self.expthresh {
            ExplicitThreshold::Auto => (self.full_body_len() / 8).min(AUTO_EXPLICIT_CAP),
            ExplicitThreshold::Off => 0,
            ExplicitThreshold::Fixed(n) => n as usize,
        }
    }

    /// Bits of one SPARSE word: `log2m + regwidth`.
    pub fn sparse_word_bits(&self) -> usize {
        usize::from(self.log2m) + usize::from(self.regwidth)
    }

    /// Whether registers with `filled` non-zero entries are written as SPARSE: while
    /// that is smaller than FULL, or, with a `max_sparse` limit (postgresql-hll's
    /// `hll_set_max_sparse`), while at most that many registers are filled.
    pub fn writes_sparse(&self, filled: usize, max_sparse: Option<usize>) -> bool {
        self.sparseon
            && match max_sparse {
                None => filled * self.sparse_word_bits() < self.m() * usize::from(self.regwidth),
                Some(limit) => filled <= limit,
            }
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({},{},{},{})",
            self.log2m,
            self.regwidth,
            self.expthresh_value(),
            u8::from(self.sparseon)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_postgresql_hll() {
        let p = Params::default();
        assert_eq!(p, Params::new(11, 5, -1, 1).unwrap());
        assert_eq!(p.p_byte(), 0x8b);
        assert_eq!(p.c_byte(), 0x7f);
        assert_eq!(p.explicit_threshold(), 160);
        assert_eq!(p.full_body_len(), 1280);
        assert_eq!(p.to_string(), "(11,5,-1,1)");
    }

    #[test]
    fn header_round_trip_for_every_valid_combination() {
        for log2m in MIN_LOG2M..=MAX_LOG2M {
            for regwidth in MIN_REGWIDTH..=MAX_REGWIDTH {
                for exp in [-1i64, 0, 1, 2, 64, 8192, MAX_EXPTHRESH] {
                    for sparse in [0, 1] {
                        let p = Params::new(log2m.into(), regwidth.into(), exp, sparse).unwrap();
                        assert_eq!(Params::from_header(p.p_byte(), p.c_byte()).unwrap(), p);
                    }
                }
            }
        }
    }

    #[test]
    fn rejects_out_of_range() {
        for (l, r, e, s) in [
            (3, 5, -1, 1),
            (21, 5, -1, 1),
            (11, 0, -1, 1),
            (11, 9, -1, 1),
            (11, 5, -2, 1),
            (11, 5, 3, 1),
            (11, 5, MAX_EXPTHRESH * 2, 1),
            (11, 5, -1, 2),
        ] {
            assert!(matches!(
                Params::new(l, r, e, s),
                Err(Error::InvalidParameter(_))
            ));
        }
        assert!(Params::from_header(0x8b, 0xff).is_err());
        assert!(Params::from_header(0x8b, 0x40 | 19).is_err());
        assert!(Params::from_header(0x83, 0x7f).is_err());
    }

    #[test]
    fn explicit_threshold_rules() {
        assert_eq!(Params::new(4, 1, -1, 1).unwrap().explicit_threshold(), 0);
        assert_eq!(
            Params::new(20, 8, -1, 1).unwrap().explicit_threshold(),
            16383
        );
        assert_eq!(Params::new(11, 5, 0, 1).unwrap().explicit_threshold(), 0);
        assert_eq!(
            Params::new(11, 5, 256, 1).unwrap().explicit_threshold(),
            256
        );
        assert_eq!(Params::new(11, 5, 256, 1).unwrap().c_byte(), 0x49);
    }

    #[test]
    fn sparse_rule_is_strict() {
        let p = Params::default();
        // 2048 * 5 = 10240 bits; words are 16 bits: 639 words fit, 640 do not.
        assert!(p.writes_sparse(639, None));
        assert!(!p.writes_sparse(640, None));
        assert!(!Params::new(11, 5, -1, 0).unwrap().writes_sparse(1, None));
        assert!(p.writes_sparse(10, Some(10)));
        assert!(!p.writes_sparse(11, Some(10)));
    }
}
