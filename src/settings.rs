//! Default sketch parameters as real settings (`hyperloglog.default_*`).
//!
//! They are ordinary user settings: `SET`, `SET LOCAL` and `ALTER ROLE ... SET` work,
//! they roll back with the transaction, and parallel workers inherit them.

use hll_core::params::{MAX_EXPTHRESH, MAX_LOG2M, MAX_REGWIDTH, MIN_LOG2M, MIN_REGWIDTH};
use hll_core::Params;
use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};

use crate::sqlstate::{check, Origin};

static DEFAULT_LOG2M: GucSetting<i32> = GucSetting::<i32>::new(11);
static DEFAULT_REGWIDTH: GucSetting<i32> = GucSetting::<i32>::new(5);
static DEFAULT_EXPTHRESH: GucSetting<i32> = GucSetting::<i32>::new(-1);
static DEFAULT_SPARSEON: GucSetting<bool> = GucSetting::<bool>::new(true);

/// Registers the settings; called once from `_PG_init`.
pub fn register() {
    GucRegistry::define_int_guc(
        c"hyperloglog.default_log2m",
        c"Default log2m (log2 of the number of registers) of new hll values.",
        c"Standard error is about 1.04 / sqrt(2^log2m).",
        &DEFAULT_LOG2M,
        MIN_LOG2M.into(),
        MAX_LOG2M.into(),
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"hyperloglog.default_regwidth",
        c"Default register width in bits of new hll values.",
        c"5 bits count up to about 2^31 * 2^log2m distinct values.",
        &DEFAULT_REGWIDTH,
        MIN_REGWIDTH.into(),
        MAX_REGWIDTH.into(),
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"hyperloglog.default_expthresh",
        c"Default explicit threshold of new hll values.",
        c"-1 chooses automatically, 0 disables the exact form, else a power of two.",
        &DEFAULT_EXPTHRESH,
        -1,
        MAX_EXPTHRESH as i32,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"hyperloglog.default_sparseon",
        c"Whether new hll values may be written in the SPARSE form.",
        c"SPARSE stores only non-zero registers while that is smaller.",
        &DEFAULT_SPARSEON,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// Parameters from explicit values where given, the settings elsewhere; raises 22023.
pub fn params(
    log2m: Option<i32>,
    regwidth: Option<i32>,
    expthresh: Option<i64>,
    sparseon: Option<i32>,
) -> Params {
    check(
        Params::new(
            log2m.unwrap_or_else(|| DEFAULT_LOG2M.get()).into(),
            regwidth.unwrap_or_else(|| DEFAULT_REGWIDTH.get()).into(),
            expthresh.unwrap_or_else(|| DEFAULT_EXPTHRESH.get().into()),
            sparseon
                .unwrap_or_else(|| DEFAULT_SPARSEON.get().into())
                .into(),
        ),
        Origin::Stored,
    )
}
