//! Scalar functions on `ull`: counts and their error, unions, folding, the bridge to
//! and from `hll`, the description, and the ordering and hashing the operator classes
//! use. Stored values are canonical (every input checks it), so comparing and hashing
//! look at bytes.

use core::cmp::Ordering;

use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::storage::UllKind;
use hll_core::ull::UllSketch;
use hll_core::{Sketch, StoredSketch};
use pgrx::pg_sys;
use pgrx::prelude::*;

use super::datum::{from_sketch, sketch, stored};
use super::state::{params_from_args, params_of};
use crate::datum::{varlena_bytes, Hll};
use crate::fmgr::{arg, float8, guarded, nargs, record, strict_arg, v1_function_info};
use crate::memory::PgAllocator;
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, error, Origin};

/// The estimator `hyperloglog.ull_estimator` names.
pub fn estimator() -> UllEstimator {
    settings::ull_estimator()
}

v1_function_info!(
    pg_finfo_ull_cardinality,
    pg_finfo_ull_cardinality_with,
    pg_finfo_ull_empty,
    pg_finfo_ull_add,
    pg_finfo_ull_add_rev,
    pg_finfo_ull_union,
    pg_finfo_ull_fold,
    pg_finfo_ull_to_hll,
    pg_finfo_hll_to_ull,
    pg_finfo_ull_relative_error,
    pg_finfo_ull_bounds,
    pg_finfo_ull_info,
    pg_finfo_ull_cmp,
    pg_finfo_ull_eq,
    pg_finfo_ull_ne,
    pg_finfo_ull_lt,
    pg_finfo_ull_le,
    pg_finfo_ull_gt,
    pg_finfo_ull_ge,
    pg_finfo_ull_hash_value,
    pg_finfo_ull_hash_value_extended,
);

unsafe fn cardinality(fcinfo: pg_sys::FunctionCallInfo, estimator: UllEstimator) -> f64 {
    unsafe { stored(strict_arg(fcinfo, 0)) }.cardinality(estimator)
}

/// `ull_cardinality(ull) -> double precision`: exact while EXPLICIT, else the estimate
/// of `hyperloglog.ull_estimator`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_cardinality(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { float8(cardinality(fcinfo, estimator())) })
}

unsafe fn estimator_arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> UllEstimator {
    let name = unsafe { varlena_bytes(strict_arg(fcinfo, n)) };
    match name {
        b"fgra" => UllEstimator::Fgra,
        b"ml" => UllEstimator::MaximumLikelihood,
        _ => error(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            &format!(
                "unknown ull estimator \"{}\": use 'fgra' or 'ml'",
                String::from_utf8_lossy(name)
            ),
        ),
    }
}

/// `ull_cardinality(ull, estimator text) -> double precision`: with the estimator named
/// (`fgra` or `ml`).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_cardinality_with(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { float8(cardinality(fcinfo, estimator_arg(fcinfo, 1))) })
}

/// `ull_empty([p [, expthresh]]) -> ull`: an EMPTY sketch (NULL parameters: defaults).
///
/// # Safety
/// Called by PostgreSQL.
#[no_mangle]
pub unsafe extern "C" fn ull_empty(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { from_sketch(&UllSketch::new(params_from_args(fcinfo, 0))) })
}

unsafe fn add(fcinfo: pg_sys::FunctionCallInfo, value: usize, hash: usize) -> pg_sys::Datum {
    unsafe {
        let mut s = sketch(strict_arg(fcinfo, value));
        check(
            s.add_hash(strict_arg(fcinfo, hash).value() as u64),
            Origin::Stored,
        );
        from_sketch(&s)
    }
}

/// `ull_add(ull, hll_hashval) -> ull` and the operator `ull || hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_add(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add(fcinfo, 0, 1) })
}

/// `ull_add_rev(hll_hashval, ull) -> ull`, for `hll_hashval || ull`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_add_rev(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add(fcinfo, 1, 0) })
}

/// `ull_union(ull, ull) -> ull` and `ull || ull`: across precisions, at the smaller.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_union(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let mut s = sketch(strict_arg(fcinfo, 0));
        check(
            s.union_stored(&stored(strict_arg(fcinfo, 1))),
            Origin::Stored,
        );
        from_sketch(&s)
    })
}

/// `ull_fold(ull, p) -> ull`: the sketch the same hashes give at precision `p`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_fold(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let s = sketch(strict_arg(fcinfo, 0));
        let p = strict_arg(fcinfo, 1).value() as i32;
        let target = params_of(Some(pg_sys::Datum::from(p)), None);
        from_sketch(&check(s.fold(target.p()), Origin::Stored))
    })
}

/// `ull_to_hll(ull [, log2m [, regwidth [, expthresh [, sparseon]]]]) -> hll`: the
/// `hll` that `hll_add_agg` builds from the same hashes; `log2m` defaults to `p`, the
/// rest to the `hyperloglog.default_*` settings.
///
/// # Safety
/// Called by PostgreSQL.
#[no_mangle]
pub unsafe extern "C" fn ull_to_hll(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let s = sketch(strict_arg(fcinfo, 0));
        let get = |i: usize| (i < nargs(fcinfo)).then(|| arg(fcinfo, i)).flatten();
        let params = settings::params_for(
            Dialect::Native,
            Some(get(1).map_or(i32::from(s.params().p()), |d| d.value() as i32)),
            get(2).map(|d| d.value() as i32),
            get(3).map(|d| d.value() as i64),
            get(4).map(|d| d.value() as i32),
        );
        let hll = check(s.to_hll(params), Origin::Stored);
        Hll::from_sketch(&hll).into_raw_datum()
    })
}

/// `hll_to_ull(hll [, p [, expthresh]]) -> ull`: only an EMPTY or EXPLICIT `hll`, whose
/// hashes are known; `p` defaults to the `hll`'s `log2m` (within 4..=18).
///
/// # Safety
/// Called by PostgreSQL.
#[no_mangle]
pub unsafe extern "C" fn hll_to_ull(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let stored_hll = check(
            StoredSketch::parse(varlena_bytes(strict_arg(fcinfo, 0))),
            Origin::Stored,
        );
        let hll = check(
            Sketch::from_stored_in(&stored_hll, PgAllocator::current()),
            Origin::Stored,
        );
        let get = |i: usize| (i < nargs(fcinfo)).then(|| arg(fcinfo, i)).flatten();
        let default_p = hll.params().log2m().clamp(4, 18);
        let p = get(1).unwrap_or(pg_sys::Datum::from(i32::from(default_p)));
        let params = params_of(Some(p), get(2));
        let ull = check(
            UllSketch::from_hll(&hll, params, PgAllocator::current()),
            Origin::Stored,
        );
        from_sketch(&ull)
    })
}

/// The relative standard error of a value's count (0 while exact).
unsafe fn relative_error(fcinfo: pg_sys::FunctionCallInfo) -> (UllKind, f64) {
    let value = unsafe { stored(strict_arg(fcinfo, 0)) };
    let error = match value.kind() {
        UllKind::Empty | UllKind::Explicit => 0.0,
        UllKind::Dense | UllKind::Coded => estimator().relative_standard_error(value.params().p()),
    };
    (value.kind(), error)
}

/// `ull_relative_error(ull) -> double precision`: the relative standard error of
/// `ull_cardinality` (0 while exact).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_relative_error(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { float8(relative_error(fcinfo).1) })
}

/// `ull_bounds(ull, confidence) -> (estimate, lower, upper)`: the count and its
/// two-sided confidence interval (the count itself while exact).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function returning a record.
#[no_mangle]
pub unsafe extern "C" fn ull_bounds(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let confidence = f64::from_bits(strict_arg(fcinfo, 1).value() as u64);
        if !(confidence > 0.0 && confidence < 1.0) {
            error(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                &format!("confidence must be between 0 and 1 (exclusive), not {confidence}"),
            );
        }
        let value = stored(strict_arg(fcinfo, 0));
        let estimate = cardinality(fcinfo, estimator());
        let (lower, upper) = match value.kind() {
            UllKind::Empty | UllKind::Explicit => (estimate, estimate),
            UllKind::Dense | UllKind::Coded => {
                estimator().bounds(estimate, value.params().p(), confidence)
            }
        };
        record(
            fcinfo,
            &mut [float8(estimate), float8(lower), float8(upper)],
        )
    })
}

fn text(s: &str) -> pg_sys::Datum {
    // SAFETY: copies `s` into a new text in the current memory context.
    unsafe {
        pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(
            s.as_ptr().cast(),
            s.len() as i32,
        ))
    }
}

/// `ull_info(ull) -> (kind, p, expthresh, explicit_threshold, exact_hashes,
/// registers_filled, stored_bytes)`: what a value holds and how it is stored.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function returning a record.
#[no_mangle]
pub unsafe extern "C" fn ull_info(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        let value = stored(strict_arg(fcinfo, 0));
        let s = sketch(strict_arg(fcinfo, 0));
        let exact = value.explicit_hashes().count();
        let filled = s
            .registers()
            .map_or(0, |r| r.iter().filter(|&&b| b != 0).count());
        let int = |v: i64| pg_sys::Datum::from(v as i32);
        record(
            fcinfo,
            &mut [
                text(value.kind().name()),
                int(i64::from(value.params().p())),
                int(value.params().expthresh()),
                int(value.params().explicit_threshold() as i64),
                int(exact as i64),
                int(filled as i64),
                int(bytes.len() as i64),
            ],
        )
    })
}

unsafe fn compare(fcinfo: pg_sys::FunctionCallInfo) -> Ordering {
    unsafe { varlena_bytes(strict_arg(fcinfo, 0)).cmp(varlena_bytes(strict_arg(fcinfo, 1))) }
}

/// `ull_cmp(ull, ull) -> integer`: the btree order (by stored bytes).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_cmp(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(compare(fcinfo) as i32) })
}

macro_rules! comparisons {
    ($($name:ident => $test:expr),*) => {
        $(
            /// A comparison of two `ull` values by their (canonical) stored bytes.
            ///
            /// # Safety
            /// Called by PostgreSQL as a STRICT function with two `ull` arguments.
            #[no_mangle]
            pub unsafe extern "C" fn $name(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                guarded(|| unsafe {
                    let test: fn(Ordering) -> bool = $test;
                    pg_sys::Datum::from(test(compare(fcinfo)))
                })
            }
        )*
    };
}
comparisons!(
    ull_eq => Ordering::is_eq,
    ull_ne => Ordering::is_ne,
    ull_lt => Ordering::is_lt,
    ull_le => Ordering::is_le,
    ull_gt => Ordering::is_gt,
    ull_ge => Ordering::is_ge
);

/// `ull_hash_value(ull) -> integer`: the hash operator class's hash.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_hash_value(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let hash = hll_core::hash::hash_bytes(varlena_bytes(strict_arg(fcinfo, 0)), 0);
        pg_sys::Datum::from(hash as i32)
    })
}

/// `ull_hash_value_extended(ull, bigint) -> bigint`: the seeded 64-bit hash.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function.
#[no_mangle]
pub unsafe extern "C" fn ull_hash_value_extended(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe {
        let seed = strict_arg(fcinfo, 1).value() as i64;
        let hash = hll_core::hash::hash_bytes(varlena_bytes(strict_arg(fcinfo, 0)), seed);
        pg_sys::Datum::from(hash as i64)
    })
}
