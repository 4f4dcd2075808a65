//! postgresql-hll's parameter rules: its ranges, its messages and its packing of the
//! `hll(log2m, regwidth, expthresh, sparseon)` type modifier into an integer.
//!
//! The compatible `hll` extension checks parameters this way so that scripts written
//! for postgresql-hll meet the same limits and messages, and stores column typmods in
//! the same integers, so that a catalog written by postgresql-hll (kept through an
//! in-place package swap or `pg_upgrade`) reads the same here. Values the peer accepts
//! but cannot store (log2m below 4, which no estimate can use, and regwidth 0, which
//! the header cannot encode) are refused by [`Params::new`] after these checks.

use crate::error::Error;
use crate::params::{ExplicitThreshold, Params};

/// Largest log2m postgresql-hll accepts.
pub const MAX_LOG2M: i64 = 17;
/// Largest register width postgresql-hll accepts.
pub const MAX_REGWIDTH: i64 = 7;
/// Largest explicit threshold in postgresql-hll's range check (only powers of two
/// pass, so 8192 is the largest usable).
pub const MAX_EXPTHRESH: i64 = 16383;

/// Checks parameters by postgresql-hll's rules, then by the storage format's.
pub fn peer_params(
    log2m: i64,
    regwidth: i64,
    expthresh: i64,
    sparseon: i64,
) -> Result<Params, Error> {
    if !(0..=MAX_LOG2M).contains(&log2m) {
        return Err(Error::parameter(format!(
            "log2m modifier must be between 0 and {MAX_LOG2M}"
        )));
    }
    if !(0..=MAX_REGWIDTH).contains(&regwidth) {
        return Err(Error::parameter(format!(
            "regwidth modifier must be between 0 and {MAX_REGWIDTH}"
        )));
    }
    if !(-1..=MAX_EXPTHRESH).contains(&expthresh) {
        return Err(Error::parameter(format!(
            "expthresh modifier must be between -1 and {MAX_EXPTHRESH}"
        )));
    }
    if expthresh > 0 && !(expthresh as u64).is_power_of_two() {
        return Err(Error::parameter("expthresh modifier must be power of 2"));
    }
    if !(0..=1).contains(&sparseon) {
        return Err(Error::parameter("sparseon modifier must be 0 or 1"));
    }
    Params::new(log2m, regwidth, expthresh, sparseon)
}

/// The explicit-threshold code of the typmod: 63 auto, 0 off, `k + 1` for `2^k`.
fn expthresh_code(params: &Params) -> i32 {
    match params.expthresh() {
        ExplicitThreshold::Auto => 63,
        ExplicitThreshold::Off => 0,
        ExplicitThreshold::Fixed(n) => n.trailing_zeros() as i32 + 1,
    }
}

/// postgresql-hll's typmod integer: `log2m << 10 | regwidth << 7 | code << 1 | sparseon`.
pub fn pack_typmod(params: &Params) -> i32 {
    i32::from(params.log2m()) << 10
        | i32::from(params.regwidth()) << 7
        | expthresh_code(params) << 1
        | i32::from(params.sparseon())
}

/// The parameters of a typmod integer made by [`pack_typmod`] (or by the peer).
pub fn unpack_typmod(typmod: i32) -> Result<Params, Error> {
    let code = i64::from((typmod >> 1) & 63);
    let expthresh = match code {
        63 => -1,
        0 => 0,
        k => 1i64 << (k - 1),
    };
    Params::new(
        i64::from(typmod >> 10),
        i64::from((typmod >> 7) & 7),
        expthresh,
        i64::from(typmod & 1),
    )
    .map_err(|_| Error::parameter(format!("invalid hll type modifier {typmod}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typmods read off postgresql-hll 2.17's `pg_attribute.atttypmod`.
    #[test]
    fn peer_typmods() {
        for (params, typmod) in [
            ((11, 5, -1, 1), 12031),
            ((12, 5, -1, 1), 13055),
            ((14, 6, 0, 0), 15104),
            ((10, 4, 1024, 1), 10775),
            ((4, 1, 8192, 0), 4252),
            ((17, 7, -1, 1), 18431),
        ] {
            let p = peer_params(params.0, params.1, params.2, params.3).unwrap();
            assert_eq!(pack_typmod(&p), typmod);
            assert_eq!(unpack_typmod(typmod).unwrap(), p);
        }
    }

    #[test]
    fn peer_messages() {
        let msg = |r: Result<Params, Error>| r.unwrap_err().to_string();
        assert_eq!(
            msg(peer_params(18, 5, -1, 1)),
            "log2m modifier must be between 0 and 17"
        );
        assert_eq!(
            msg(peer_params(11, 8, -1, 1)),
            "regwidth modifier must be between 0 and 7"
        );
        assert_eq!(
            msg(peer_params(11, 5, 3, 1)),
            "expthresh modifier must be power of 2"
        );
        assert_eq!(
            msg(peer_params(11, 5, 16384, 1)),
            "expthresh modifier must be between -1 and 16383"
        );
        assert_eq!(
            msg(peer_params(11, 5, -1, 2)),
            "sparseon modifier must be 0 or 1"
        );
        assert!(peer_params(3, 5, -1, 1).is_err());
        assert!(peer_params(11, 0, -1, 1).is_err());
    }
}
