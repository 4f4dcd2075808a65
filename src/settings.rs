//! The extension's settings: default sketch parameters (`hyperloglog.default_*`), the
//! SPARSE size limit (`hyperloglog.max_sparse`), the estimator
//! (`hyperloglog.estimator`), and postgresql-hll's `hll.force_groupagg`.
//!
//! They are ordinary user settings: `SET`, `SET LOCAL` and `ALTER ROLE ... SET` work,
//! they roll back with the transaction, and parallel workers inherit them.
//! postgresql-hll's setter functions (`hll_set_defaults`, `hll_set_max_sparse`) are
//! built on them ([`crate::compat::setters`]).

use hll_core::params::{self, MAX_EXPTHRESH, MAX_LOG2M, MAX_REGWIDTH, MIN_LOG2M, MIN_REGWIDTH};
use hll_core::peer_params::peer_params;
use hll_core::{Estimator, Params};
use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::PostgresGucEnum;

use crate::sqlstate::{check, Origin};

static DEFAULT_LOG2M: GucSetting<i32> = GucSetting::<i32>::new(params::DEFAULT_LOG2M as i32);
static DEFAULT_REGWIDTH: GucSetting<i32> = GucSetting::<i32>::new(params::DEFAULT_REGWIDTH as i32);
static DEFAULT_EXPTHRESH: GucSetting<i32> =
    GucSetting::<i32>::new(params::DEFAULT_EXPTHRESH as i32);
static DEFAULT_SPARSEON: GucSetting<bool> = GucSetting::<bool>::new(params::DEFAULT_SPARSEON);
static MAX_SPARSE: GucSetting<i32> = GucSetting::<i32>::new(-1);
static ESTIMATOR: GucSetting<EstimatorSetting> =
    GucSetting::<EstimatorSetting>::new(EstimatorSetting::Improved);
static FORCE_GROUPAGG: GucSetting<bool> = GucSetting::<bool>::new(false);
static ULL_ESTIMATOR: GucSetting<UllEstimatorSetting> =
    GucSetting::<UllEstimatorSetting>::new(UllEstimatorSetting::Fgra);

/// The values of `hyperloglog.ull_estimator`.
#[derive(PostgresGucEnum, Clone, Copy, PartialEq, Eq, Debug)]
enum UllEstimatorSetting {
    #[name = c"fgra"]
    Fgra,
    #[name = c"ml"]
    Ml,
}

/// The values of `hyperloglog.estimator`.
#[derive(PostgresGucEnum, Clone, Copy, PartialEq, Eq, Debug)]
enum EstimatorSetting {
    #[name = c"improved"]
    Improved,
    #[name = c"classic"]
    Classic,
}

/// Names of the settings, for code that sets them by name.
pub const DEFAULT_LOG2M_NAME: &core::ffi::CStr = c"hyperloglog.default_log2m";
/// See [`DEFAULT_LOG2M_NAME`].
pub const DEFAULT_REGWIDTH_NAME: &core::ffi::CStr = c"hyperloglog.default_regwidth";
/// See [`DEFAULT_LOG2M_NAME`].
pub const DEFAULT_EXPTHRESH_NAME: &core::ffi::CStr = c"hyperloglog.default_expthresh";
/// See [`DEFAULT_LOG2M_NAME`].
pub const DEFAULT_SPARSEON_NAME: &core::ffi::CStr = c"hyperloglog.default_sparseon";
/// See [`DEFAULT_LOG2M_NAME`].
pub const MAX_SPARSE_NAME: &core::ffi::CStr = c"hyperloglog.max_sparse";

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn replan_int(_value: i32, _extra: *mut core::ffi::c_void) {
    unsafe { pgrx::pg_sys::ResetPlanCache() }
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn replan_bool(_value: bool, _extra: *mut core::ffi::c_void) {
    unsafe { pgrx::pg_sys::ResetPlanCache() }
}

/// Registers the settings; called once from `_PG_init`.
pub fn register() {
    // SAFETY: the hooks are plain functions valid for the life of the library. A
    // change of a default replans the session's cached statements: with Citus the
    // defaults are written into plans (crate::explicit_parameters).
    unsafe {
        GucRegistry::define_int_guc_with_hooks(
            DEFAULT_LOG2M_NAME,
            c"Default log2m (log2 of the number of registers) of new hll values.",
            c"Standard error is about 1.04 / sqrt(2^log2m).",
            &DEFAULT_LOG2M,
            MIN_LOG2M.into(),
            MAX_LOG2M.into(),
            GucContext::Userset,
            GucFlags::default(),
            None,
            Some(replan_int),
            None,
        );
        GucRegistry::define_int_guc_with_hooks(
            DEFAULT_REGWIDTH_NAME,
            c"Default register width in bits of new hll values.",
            c"5 bits count up to about 2^31 * 2^log2m distinct values.",
            &DEFAULT_REGWIDTH,
            MIN_REGWIDTH.into(),
            MAX_REGWIDTH.into(),
            GucContext::Userset,
            GucFlags::default(),
            None,
            Some(replan_int),
            None,
        );
        GucRegistry::define_int_guc_with_hooks(
            DEFAULT_EXPTHRESH_NAME,
            c"Default explicit threshold of new hll values.",
            c"-1 chooses automatically, 0 disables the exact form, else a power of two.",
            &DEFAULT_EXPTHRESH,
            -1,
            MAX_EXPTHRESH as i32,
            GucContext::Userset,
            GucFlags::default(),
            Some(check_expthresh),
            Some(replan_int),
            None,
        );
        GucRegistry::define_bool_guc_with_hooks(
            DEFAULT_SPARSEON_NAME,
            c"Whether new hll values may be written in the SPARSE form.",
            c"SPARSE stores only non-zero registers while that is smaller.",
            &DEFAULT_SPARSEON,
            GucContext::Userset,
            GucFlags::default(),
            None,
            Some(replan_bool),
            None,
        );
    }
    GucRegistry::define_int_guc(
        MAX_SPARSE_NAME,
        c"Largest number of filled registers written in the SPARSE form (-1: while smaller).",
        c"postgresql-hll's hll_set_max_sparse; -1 writes SPARSE while it is smaller than FULL.",
        &MAX_SPARSE,
        -1,
        i32::MAX,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_enum_guc(
        c"hyperloglog.estimator",
        c"How hll_cardinality turns registers into a count: improved or classic.",
        c"improved (Ertl) is more accurate; classic returns what postgresql-hll returns.",
        &ESTIMATOR,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_enum_guc(
        c"hyperloglog.ull_estimator",
        c"How ull_cardinality turns UltraLogLog registers into a count: fgra or ml.",
        c"fgra (closed form, hash4j's default) or ml (maximum likelihood, about 3% less error, slower).",
        &ULL_ESTIMATOR,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"hll.force_groupagg",
        c"Plans queries that use hll aggregates with group aggregation, not hashing.",
        c"postgresql-hll's setting, read by Citus; hll states here grow with their content.",
        &FORCE_GROUPAGG,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// Refuses what every call would refuse (a threshold that is not -1, 0 or a power of
/// two), so that a bad `SET` fails at once instead of breaking later calls.
#[pgrx::pg_guard]
unsafe extern "C-unwind" fn check_expthresh(
    value: *mut core::ffi::c_int,
    _extra: *mut *mut core::ffi::c_void,
    _source: pgrx::pg_sys::GucSource::Type,
) -> bool {
    let value = unsafe { *value };
    match Params::new(11, 5, value.into(), 1) {
        Ok(_) => true,
        Err(e) => {
            let detail = std::ffi::CString::new(e.to_string()).expect("messages contain no NUL");
            // SAFETY: PostgreSQL reads and frees this palloc'd string after the hook.
            unsafe {
                pgrx::pg_sys::GUC_check_errdetail_string = pgrx::pg_sys::pstrdup(detail.as_ptr())
            };
            false
        }
    }
}

/// The SPARSE limit of `hyperloglog.max_sparse` (`None`: SPARSE while smaller).
#[inline]
pub fn max_sparse() -> Option<usize> {
    usize::try_from(MAX_SPARSE.get()).ok()
}

/// The estimator chosen by `hyperloglog.estimator`.
#[inline]
pub fn estimator() -> Estimator {
    match ESTIMATOR.get() {
        EstimatorSetting::Improved => Estimator::Improved,
        EstimatorSetting::Classic => Estimator::Classic,
    }
}

/// The UltraLogLog estimator chosen by `hyperloglog.ull_estimator`.
#[inline]
pub fn ull_estimator() -> hll_core::ull::estimate::UllEstimator {
    use hll_core::ull::estimate::UllEstimator;
    match ULL_ESTIMATOR.get() {
        UllEstimatorSetting::Fgra => UllEstimator::Fgra,
        UllEstimatorSetting::Ml => UllEstimator::MaximumLikelihood,
    }
}

/// Whether `hll.force_groupagg` is on.
pub fn force_groupagg() -> bool {
    FORCE_GROUPAGG.get()
}

/// The current default parameters, as SQL integers (log2m, regwidth, expthresh,
/// sparseon).
pub fn defaults() -> (i32, i32, i64, i32) {
    (
        DEFAULT_LOG2M.get(),
        DEFAULT_REGWIDTH.get(),
        DEFAULT_EXPTHRESH.get().into(),
        DEFAULT_SPARSEON.get().into(),
    )
}

/// Whose parameter rules apply: this extension's, or postgresql-hll's (its ranges and
/// messages, for the compatible `hll` extension).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `hyperloglog`: the storage format's full ranges.
    Native,
    /// `hll`: postgresql-hll's ranges and messages.
    Peer,
}

/// Parameters from explicit values where given, the settings elsewhere; raises 22023.
pub fn params(
    log2m: Option<i32>,
    regwidth: Option<i32>,
    expthresh: Option<i64>,
    sparseon: Option<i32>,
) -> Params {
    params_for(Dialect::Native, log2m, regwidth, expthresh, sparseon)
}

/// [`params`] by the rules of `dialect`.
pub fn params_for(
    dialect: Dialect,
    log2m: Option<i32>,
    regwidth: Option<i32>,
    expthresh: Option<i64>,
    sparseon: Option<i32>,
) -> Params {
    let (log2m, regwidth, expthresh, sparseon) = (
        log2m.unwrap_or_else(|| DEFAULT_LOG2M.get()).into(),
        regwidth.unwrap_or_else(|| DEFAULT_REGWIDTH.get()).into(),
        expthresh.unwrap_or_else(|| DEFAULT_EXPTHRESH.get().into()),
        sparseon
            .unwrap_or_else(|| DEFAULT_SPARSEON.get().into())
            .into(),
    );
    let result = match dialect {
        Dialect::Native => Params::new(log2m, regwidth, expthresh, sparseon),
        Dialect::Peer => peer_params(log2m, regwidth, expthresh, sparseon),
    };
    check(result, Origin::Stored)
}
