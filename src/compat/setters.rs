//! postgresql-hll's session setters, built on this extension's real settings: each
//! changes the setting for the session (as `SET` does) and returns the previous value.

use core::ffi::CStr;
use std::ffi::CString;

use hll_core::peer_params::peer_params;
use pgrx::prelude::*;

use crate::fmgr::{guarded, record, strict_arg, v1_function_info};
use crate::settings;
use crate::sqlstate::{check, error, Origin};

v1_function_info!(
    pg_finfo_hll_set_defaults,
    pg_finfo_hll_set_max_sparse,
    pg_finfo_hll_set_output_version,
);

/// `SET name = value` for this session.
fn set(name: &CStr, value: impl ToString) {
    let value = CString::new(value.to_string()).expect("digits contain no NUL");
    // SAFETY: both strings are NUL-terminated; an invalid value raises an ERROR.
    unsafe {
        pg_sys::set_config_option(
            name.as_ptr(),
            value.as_ptr(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_SET,
            true,
            pgrx::PgLogLevel::ERROR as core::ffi::c_int,
            false,
        );
    }
}

/// `hll_set_defaults(log2m, regwidth, expthresh, sparseon)`: sets the four
/// `hyperloglog.default_*` settings, returns the previous four.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with four arguments and four OUT
/// parameters.
#[no_mangle]
pub unsafe extern "C" fn hll_set_defaults(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let log2m = strict_arg(fcinfo, 0).value() as i32;
        let regwidth = strict_arg(fcinfo, 1).value() as i32;
        let expthresh = strict_arg(fcinfo, 2).value() as i64;
        let sparseon = strict_arg(fcinfo, 3).value() as i32;
        check(
            peer_params(log2m.into(), regwidth.into(), expthresh, sparseon.into()),
            Origin::Stored,
        );
        let (old_log2m, old_regwidth, old_expthresh, old_sparseon) = settings::defaults();
        set(settings::DEFAULT_LOG2M_NAME, log2m);
        set(settings::DEFAULT_REGWIDTH_NAME, regwidth);
        set(settings::DEFAULT_EXPTHRESH_NAME, expthresh);
        set(
            settings::DEFAULT_SPARSEON_NAME,
            if sparseon == 1 { "on" } else { "off" },
        );
        record(
            fcinfo,
            &mut [
                pg_sys::Datum::from(old_log2m),
                pg_sys::Datum::from(old_regwidth),
                pg_sys::Datum::from(old_expthresh),
                pg_sys::Datum::from(old_sparseon),
            ],
        )
    })
}

/// `hll_set_max_sparse(integer) -> integer`: sets `hyperloglog.max_sparse`, returns
/// the previous value.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with one argument.
#[no_mangle]
pub unsafe extern "C" fn hll_set_max_sparse(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i32;
        if value < -1 {
            error(
                PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
                "sparse threshold must be in range [-1,MAXINT]",
            );
        }
        let previous = settings::max_sparse().map_or(-1, |n| n as i32);
        set(settings::MAX_SPARSE_NAME, value);
        pg_sys::Datum::from(previous)
    })
}

/// `hll_set_output_version(integer) -> integer`: only schema version 1 exists; returns
/// the previous (always 1).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with one argument.
#[no_mangle]
pub unsafe extern "C" fn hll_set_output_version(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        if strict_arg(fcinfo, 0).value() as i32 != 1 {
            // 22000, as postgresql-hll raises it.
            error(
                PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
                "output version must be 1",
            );
        }
        pg_sys::Datum::from(1i32)
    })
}
