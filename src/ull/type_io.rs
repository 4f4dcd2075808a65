//! The `ull` type's I/O: text is `\x` + hex of the stored bytes (as `hll` and bytea),
//! binary is the bytes. Every input (text, binary, a cast from bytea) checks the whole
//! value, CODED registers included, and that it is in its one canonical form. The
//! typmod `ull(p, expthresh)` is [`UllParams::typmod`].

use hll_core::ull::storage::StoredUll;
use hll_core::ull::UllParams;
use hll_core::{hex, Error};
use pgrx::pg_sys;
use pgrx::prelude::*;

use super::datum::{from_bytes, new_varlena};
use crate::datum::varlena_bytes;
use crate::fmgr::{cstring, guarded, strict_arg, v1_function_info};
use crate::memory::PgAllocator;
use crate::sqlstate::{check, error, Origin};

v1_function_info!(
    pg_finfo_ull_in,
    pg_finfo_ull_out,
    pg_finfo_ull_recv,
    pg_finfo_ull_send,
    pg_finfo_ull_typmod_in,
    pg_finfo_ull_typmod_out,
    pg_finfo_ull_enforce_typmod,
    pg_finfo_ull_from_bytea,
);

/// Checks `bytes` completely as an input from `origin`, and against `typmod` (-1: none).
fn validate(bytes: &[u8], typmod: i32, origin: Origin) {
    let stored = check(
        StoredUll::validate_in(bytes, PgAllocator::current()),
        origin,
    );
    enforce_typmod(stored.params(), typmod);
}

fn enforce_typmod(actual: UllParams, typmod: i32) {
    if typmod < 0 {
        return;
    }
    let expected = check(UllParams::from_typmod(typmod), Origin::Stored);
    if actual != expected {
        error(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            &format!("ull{actual} value does not match the type modifier ull{expected}"),
        );
    }
}

/// A text-form error worded for `ull` (the hex reader speaks of `hll`).
fn as_ull(e: Error) -> Error {
    match e {
        Error::Syntax(msg) => Error::CorruptUll(msg),
        other => other,
    }
}

/// `ull_in(cstring, oid, integer) -> ull`.
///
/// # Safety
/// Called by PostgreSQL as a type input function.
#[no_mangle]
pub unsafe extern "C" fn ull_in(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let text = core::ffi::CStr::from_ptr(strict_arg(fcinfo, 0).cast_mut_ptr()).to_bytes();
        let typmod = strict_arg(fcinfo, 2).value() as i32;
        let (datum, bytes) =
            new_varlena(check(hex::decoded_len(text).map_err(as_ull), Origin::Text));
        check(hex::decode_into(text, bytes).map_err(as_ull), Origin::Text);
        validate(bytes, typmod, Origin::Text);
        datum
    })
}

/// `ull_out(ull) -> cstring`.
///
/// # Safety
/// Called by PostgreSQL as a type output function.
#[no_mangle]
pub unsafe extern "C" fn ull_out(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { cstring(&hex::encode(varlena_bytes(strict_arg(fcinfo, 0)))) })
}

/// `ull_recv(internal, oid, integer) -> ull`.
///
/// # Safety
/// Called by PostgreSQL as a type receive function (argument 0 is a StringInfo).
#[no_mangle]
pub unsafe extern "C" fn ull_recv(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let si = strict_arg(fcinfo, 0).cast_mut_ptr::<pg_sys::StringInfoData>();
        let start = (*si).cursor as usize;
        let len = ((*si).len - (*si).cursor) as usize;
        (*si).cursor = (*si).len;
        let bytes = core::slice::from_raw_parts((*si).data.cast::<u8>().add(start), len);
        validate(bytes, strict_arg(fcinfo, 2).value() as i32, Origin::Binary);
        from_bytes(bytes)
    })
}

/// `ull_send(ull) -> bytea`: the stored bytes.
///
/// # Safety
/// Called by PostgreSQL as a type send function.
#[no_mangle]
pub unsafe extern "C" fn ull_send(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { from_bytes(varlena_bytes(strict_arg(fcinfo, 0))) })
}

/// `ull_typmod_in(cstring[]) -> integer`: `ull(p [, expthresh])`.
///
/// # Safety
/// Called by PostgreSQL as a typmod input function.
#[no_mangle]
pub unsafe extern "C" fn ull_typmod_in(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let array = pg_sys::pg_detoast_datum(strict_arg(fcinfo, 0).cast_mut_ptr())
            .cast::<pg_sys::ArrayType>();
        let mut n = 0;
        let values = pg_sys::ArrayGetIntegerTypmods(array, &mut n);
        let values = core::slice::from_raw_parts(values, n as usize);
        if values.is_empty() || values.len() > 2 {
            error(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                "ull takes 1 or 2 type modifiers: ull(p [, expthresh])",
            );
        }
        let expthresh = values.get(1).map_or(-1, |&e| i64::from(e));
        let params = check(
            UllParams::new(i64::from(values[0]), expthresh),
            Origin::Stored,
        );
        pg_sys::Datum::from(params.typmod())
    })
}

/// `ull_typmod_out(integer) -> cstring`: `(p,expthresh)`.
///
/// # Safety
/// Called by PostgreSQL as a typmod output function.
#[no_mangle]
pub unsafe extern "C" fn ull_typmod_out(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let typmod = strict_arg(fcinfo, 0).value() as i32;
        let text = if typmod < 0 {
            String::new()
        } else {
            check(UllParams::from_typmod(typmod), Origin::Stored).to_string()
        };
        cstring(text.as_bytes())
    })
}

/// `ull(ull, integer, boolean) -> ull`: the length-coercion cast that enforces a
/// column's typmod.
///
/// # Safety
/// Called by PostgreSQL as a STRICT cast function.
#[no_mangle]
pub unsafe extern "C" fn ull_enforce_typmod(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0);
        let stored = check(StoredUll::parse(varlena_bytes(value)), Origin::Stored);
        enforce_typmod(stored.params(), strict_arg(fcinfo, 1).value() as i32);
        value
    })
}

/// `ull_from_bytea(bytea) -> ull`: checks bytes completely and makes them an `ull`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT cast function.
#[no_mangle]
pub unsafe extern "C" fn ull_from_bytea(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        validate(bytes, -1, Origin::Binary);
        from_bytes(bytes)
    })
}
