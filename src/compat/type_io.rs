//! The types `hll` and `hll_hashval` as postgresql-hll declares them: text input by
//! bytea's rules (hex or escape), text output as bytea (following `bytea_output`), its
//! typmod integers and messages, and `hll_hashval` as a bigint.

use hll_core::peer_params::{pack_typmod, unpack_typmod};
use hll_core::StoredSketch;
use pgrx::prelude::*;

use crate::datum::{varlena_bytes, Hll};
use crate::fmgr::{cstring, guarded, strict_arg, v1_function_info};
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, error, Origin};

v1_function_info!(
    pg_finfo_hll_in,
    pg_finfo_hll_out,
    pg_finfo_hll_recv,
    pg_finfo_hll_send,
    pg_finfo_hll_typmod_in,
    pg_finfo_hll_typmod_out,
    pg_finfo_hll,
    pg_finfo_hll_hashval_in,
    pg_finfo_hll_hashval_out,
    pg_finfo_hll_hashval_eq,
    pg_finfo_hll_hashval_ne,
    pg_finfo_hll_hashval,
    pg_finfo_hll_hashval_int4,
);

/// Raises 22000, as postgresql-hll does, unless the parameters of `bytes` are those of
/// `typmod` (-1: no modifier).
fn enforce_typmod(bytes: &[u8], typmod: i32) {
    if typmod == -1 {
        return;
    }
    let expected = check(unpack_typmod(typmod), Origin::Stored);
    let actual = check(StoredSketch::parse(bytes), Origin::Stored).params();
    if actual != expected {
        error(
            PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
            &format!("hll{actual} value does not match the type modifier hll{expected}"),
        );
    }
}

/// `hll_in(cstring, oid, integer) -> hll`.
///
/// # Safety
/// Called by PostgreSQL as a type input function.
#[no_mangle]
pub unsafe extern "C" fn hll_in(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytea = pg_sys::OidFunctionCall1Coll(
            pg_sys::Oid::from(pg_sys::F_BYTEAIN),
            pg_sys::InvalidOid,
            strict_arg(fcinfo, 0),
        );
        let bytes = varlena_bytes(bytea);
        check(StoredSketch::parse(bytes), Origin::Text);
        enforce_typmod(bytes, strict_arg(fcinfo, 2).value() as i32);
        bytea
    })
}

/// `hll_out(hll) -> cstring`: as bytea prints.
///
/// # Safety
/// Called by PostgreSQL as a type output function.
#[no_mangle]
pub unsafe extern "C" fn hll_out(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        pg_sys::OidFunctionCall1Coll(
            pg_sys::Oid::from(pg_sys::F_BYTEAOUT),
            pg_sys::InvalidOid,
            strict_arg(fcinfo, 0),
        )
    })
}

/// `hll_recv(internal) -> hll`: the remaining message bytes, validated.
///
/// # Safety
/// Called by PostgreSQL as a type receive function.
#[no_mangle]
pub unsafe extern "C" fn hll_recv(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let si = strict_arg(fcinfo, 0).cast_mut_ptr::<pg_sys::StringInfoData>();
        let start = (*si).cursor as usize;
        let len = ((*si).len - (*si).cursor) as usize;
        (*si).cursor = (*si).len;
        let bytes = std::slice::from_raw_parts((*si).data.cast::<u8>().add(start), len);
        check(StoredSketch::parse(bytes), Origin::Binary);
        Hll::from_bytes(bytes).into_raw_datum()
    })
}

/// `hll_send(hll) -> bytea`: the stored bytes.
///
/// # Safety
/// Called by PostgreSQL as a type send function.
#[no_mangle]
pub unsafe extern "C" fn hll_send(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { Hll::from_bytes(varlena_bytes(strict_arg(fcinfo, 0))).into_raw_datum() })
}

/// `hll_typmod_in(cstring[]) -> integer`: up to four integers, the rest from the
/// defaults, checked by postgresql-hll's rules and packed as it packs them.
///
/// # Safety
/// Called by PostgreSQL as a typmod input function.
#[no_mangle]
pub unsafe extern "C" fn hll_typmod_in(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let array = strict_arg(fcinfo, 0).cast_mut_ptr::<pg_sys::ArrayType>();
        let mut n: core::ffi::c_int = 0;
        let values = pg_sys::ArrayGetIntegerTypmods(array, &mut n);
        if !(1..=4).contains(&n) {
            error(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                "invalid number of type modifiers",
            );
        }
        let values = std::slice::from_raw_parts(values, n as usize);
        let params = settings::params_for(
            Dialect::Peer,
            values.first().copied(),
            values.get(1).copied(),
            values.get(2).map(|&v| i64::from(v)),
            values.get(3).copied(),
        );
        pg_sys::Datum::from(pack_typmod(&params))
    })
}

/// `hll_typmod_out(integer) -> cstring`: `(log2m,regwidth,expthresh,sparseon)`.
///
/// # Safety
/// Called by PostgreSQL as a typmod output function.
#[no_mangle]
pub unsafe extern "C" fn hll_typmod_out(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let typmod = strict_arg(fcinfo, 0).value() as i32;
        let text = match unpack_typmod(typmod) {
            Ok(p) if typmod >= 0 => format!(
                "({},{},{},{})",
                p.log2m(),
                p.regwidth(),
                p.expthresh_value(),
                u8::from(p.sparseon())
            ),
            _ => String::new(),
        };
        cstring(text.as_bytes())
    })
}

/// `hll(hll, integer, boolean) -> hll`: the typmod check of an assignment.
///
/// # Safety
/// Called by PostgreSQL as a length-coercion cast function.
#[no_mangle]
pub unsafe extern "C" fn hll(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0);
        enforce_typmod(varlena_bytes(value), strict_arg(fcinfo, 1).value() as i32);
        value
    })
}

/// `hll_hashval_in(cstring, oid, integer) -> hll_hashval`: a bigint.
///
/// # Safety
/// Called by PostgreSQL as a type input function.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval_in(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        pg_sys::OidFunctionCall1Coll(
            pg_sys::Oid::from(pg_sys::F_INT8IN),
            pg_sys::InvalidOid,
            strict_arg(fcinfo, 0),
        )
    })
}

/// `hll_hashval_out(hll_hashval) -> cstring`.
///
/// # Safety
/// Called by PostgreSQL as a type output function.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval_out(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i64;
        cstring(value.to_string().as_bytes())
    })
}

/// `hll_hashval_eq(hll_hashval, hll_hashval) -> boolean`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval_eq(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { pg_sys::Datum::from(strict_arg(fcinfo, 0) == strict_arg(fcinfo, 1)) }
}

/// `hll_hashval_ne(hll_hashval, hll_hashval) -> boolean`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval_ne(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { pg_sys::Datum::from(strict_arg(fcinfo, 0) != strict_arg(fcinfo, 1)) }
}

/// `hll_hashval(bigint) -> hll_hashval`: the same 64 bits.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with one argument.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { strict_arg(fcinfo, 0) }
}

/// `hll_hashval_int4(integer) -> hll_hashval`: the integer widened with its sign.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with one argument.
#[no_mangle]
pub unsafe extern "C" fn hll_hashval_int4(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { pg_sys::Datum::from(i64::from(strict_arg(fcinfo, 0).value() as i32)) }
}
