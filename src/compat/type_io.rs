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

/// Raises 22000 with postgresql-hll's message unless the parameters of `bytes` are
/// those of `typmod` (-1: no modifier). The checks run in its order (register width,
/// register count, explicit threshold, sparse flag), so the first difference is the one
/// named, as there: scripts and tests written against postgresql-hll match these texts.
fn enforce_typmod(bytes: &[u8], typmod: i32) {
    if typmod == -1 {
        return;
    }
    let dest = check(unpack_typmod(typmod), Origin::Stored);
    let source = check(StoredSketch::parse(bytes), Origin::Stored).params();
    let mismatch = |what: &str, source: i64, dest: i64| {
        error(
            PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
            &format!("{what} does not match: source uses {source} and dest uses {dest}"),
        )
    };
    if source.regwidth() != dest.regwidth() {
        mismatch(
            "register width",
            source.regwidth().into(),
            dest.regwidth().into(),
        );
    }
    if source.log2m() != dest.log2m() {
        mismatch("register count", source.m() as i64, dest.m() as i64);
    }
    if source.expthresh_value() != dest.expthresh_value() {
        mismatch(
            "explicit threshold",
            source.expthresh_value(),
            dest.expthresh_value(),
        );
    }
    if source.sparseon() != dest.sparseon() {
        mismatch(
            "sparse enable",
            source.sparseon().into(),
            dest.sparseon().into(),
        );
    }
}

/// The integers of a typmod's `cstring[]`, read as postgresql-hll reads them: 64-bit,
/// by C's `strtoll` with base 0 (so `hll(11, 5, 4294967296)` meets the explicit
/// threshold's range check, not an int4 overflow), with its messages and SQLSTATEs.
///
/// # Safety
/// `array` must be a valid array.
unsafe fn typmod_integers(array: *mut pg_sys::ArrayType) -> Vec<i64> {
    unsafe extern "C" {
        fn strtoll(
            s: *const core::ffi::c_char,
            end: *mut *mut core::ffi::c_char,
            base: core::ffi::c_int,
        ) -> core::ffi::c_longlong;
    }
    unsafe {
        if (*array).elemtype != pg_sys::CSTRINGOID {
            error(
                PgSqlErrorCode::ERRCODE_ARRAY_ELEMENT_ERROR,
                "typmod array must be type cstring[]",
            );
        }
        if (*array).ndim != 1 {
            // ERRCODE_ARRAY_SUBSCRIPT_ERROR in PostgreSQL, the same 2202E (pgrx names
            // the code once).
            error(
                PgSqlErrorCode::ERRCODE_ARRAY_ELEMENT_ERROR,
                "typmod array must be one-dimensional",
            );
        }
        if pg_sys::array_contains_nulls(array) {
            error(
                PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
                "typmod array must not contain nulls",
            );
        }
        let mut elements: *mut pg_sys::Datum = core::ptr::null_mut();
        let mut n: core::ffi::c_int = 0;
        // cstring: length -2, by reference, char alignment.
        pg_sys::deconstruct_array(
            array,
            pg_sys::CSTRINGOID,
            -2,
            false,
            b'c' as core::ffi::c_char,
            &mut elements,
            core::ptr::null_mut(),
            &mut n,
        );
        (0..n as usize)
            .map(|i| {
                let text = (*elements.add(i)).cast_mut_ptr::<core::ffi::c_char>();
                let mut end: *mut core::ffi::c_char = core::ptr::null_mut();
                let value = strtoll(text, &mut end, 0);
                if *end != 0 {
                    error(
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        "typmod array must contain integers",
                    );
                }
                value
            })
            .collect()
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
        let values = typmod_integers(strict_arg(fcinfo, 0).cast_mut_ptr::<pg_sys::ArrayType>());
        if !(1..=4).contains(&values.len()) {
            error(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                "invalid number of type modifiers",
            );
        }
        // postgresql-hll keeps log2m, regwidth and sparseon in 32-bit integers (the
        // conversion keeps the low 32 bits) and the explicit threshold in 64.
        let params = settings::params_for(
            Dialect::Peer,
            values.first().map(|&v| v as i32),
            values.get(1).map(|&v| v as i32),
            values.get(2).copied(),
            values.get(3).map(|&v| v as i32),
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
