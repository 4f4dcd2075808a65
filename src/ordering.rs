//! A total order and a hash on `hll`, for btree and hash operator classes: `SELECT
//! DISTINCT`, `GROUP BY` an `hll` column, `UNION`, sorting, merge and hash joins.
//!
//! Both work on the canonical encoding (the bytes this extension writes for the
//! content), so two values that `=` calls equal (a FULL value with few registers and
//! the SPARSE value of the same registers, as other writers may store them) sort
//! together and hash alike. Values already in canonical form, as everything written
//! here is, are compared in place without decoding.

use core::cmp::Ordering;

use hll_core::StoredSketch;
use pgrx::prelude::*;

use crate::datum::{decode, varlena_bytes, Hll};
use crate::fmgr::{guarded, strict_arg, v1_function_info};
use crate::sqlstate::{check, Origin};

v1_function_info!(
    pg_finfo_hll_cmp,
    pg_finfo_hll_lt,
    pg_finfo_hll_le,
    pg_finfo_hll_gt,
    pg_finfo_hll_ge,
    pg_finfo_hll_hash_value,
    pg_finfo_hll_hash_value_extended,
);

/// The canonical bytes of argument `n`: borrowed when already canonical.
///
/// # Safety
/// `fcinfo` must be a valid call whose argument `n` is a non-null `hll`.
pub(crate) unsafe fn canonical(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> &'static [u8] {
    let bytes = unsafe { varlena_bytes(strict_arg(fcinfo, n)) };
    let stored = check(StoredSketch::parse(bytes), Origin::Stored);
    let encoded = Hll::from_sketch(&decode(&stored)).bytes();
    if encoded == bytes {
        bytes
    } else {
        encoded
    }
}

unsafe fn compare(fcinfo: pg_sys::FunctionCallInfo) -> Ordering {
    unsafe { canonical(fcinfo, 0).cmp(canonical(fcinfo, 1)) }
}

/// `hll_cmp(hll, hll) -> integer`: -1, 0 or 1 by canonical bytes.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two `hll` arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_cmp(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(compare(fcinfo) as i32) })
}

macro_rules! comparisons {
    ($($name:ident => $test:expr),*) => {
        $(
            /// A comparison of two `hll` values by canonical bytes.
            ///
            /// # Safety
            /// Called by PostgreSQL as a STRICT function with two `hll` arguments.
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $name(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                guarded(|| unsafe {
                    let test: fn(Ordering) -> bool = $test;
                    pg_sys::Datum::from(test(compare(fcinfo)))
                })
            }
        )*
    };
}
comparisons!(
    hll_lt => Ordering::is_lt,
    hll_le => Ordering::is_le,
    hll_gt => Ordering::is_gt,
    hll_ge => Ordering::is_ge
);

/// `hll_hash_value(hll) -> integer`: a hash of the canonical bytes for hash indexes,
/// hash joins and hash aggregation (xxh3, the same on every platform).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with an `hll` argument.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_value(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let hash = hll_core::hash::hash_bytes(canonical(fcinfo, 0), 0);
        pg_sys::Datum::from(hash as i32)
    })
}

/// `hll_hash_value_extended(hll, bigint) -> bigint`: the seeded 64-bit form.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with an `hll` and a `bigint` argument.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_value_extended(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe {
        let seed = strict_arg(fcinfo, 1).value() as i64;
        let hash = hll_core::hash::hash_bytes(canonical(fcinfo, 0), seed);
        pg_sys::Datum::from(hash as i64)
    })
}

extension_sql_file!(
    "../sql/ordering.sql",
    name = "ordering",
    requires = ["hll_operators"]
);
