//! `hll_hash_*`: values to `hll_hashval`, by the byte rules of `hll_core::hash`.
//!
//! These run once per row, so they use the raw calling convention ([`crate::fmgr`]).
//! `hll_hash_any` hashes a value of any type by the same rules as the typed functions,
//! with the argument's type information looked up once per call site (cached in
//! `fn_extra`), not once per row.

use core::ffi::{c_char, CStr};

use hll_core::hash;
use pgrx::prelude::*;

use crate::datum::varlena_bytes;
use crate::fmgr::{guarded, strict_arg, v1_function_info};
use crate::sqlstate::error;

v1_function_info!(
    pg_finfo_hll_hash_boolean,
    pg_finfo_hll_hash_smallint,
    pg_finfo_hll_hash_integer,
    pg_finfo_hll_hash_bigint,
    pg_finfo_hll_hash_bytes,
    pg_finfo_hll_hash_any,
);

/// The seed argument (an `integer`) of a hash function.
#[inline(always)]
unsafe fn seed(fcinfo: pg_sys::FunctionCallInfo) -> i64 {
    unsafe { i64::from(strict_arg(fcinfo, 1).value() as i32) }
}

#[inline(always)]
fn hashval(hash: u64) -> pg_sys::Datum {
    pg_sys::Datum::from(hash as i64)
}

/// `hll_hash_boolean(boolean, integer) -> hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_boolean(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe {
        hashval(hash::hash_boolean(
            strict_arg(fcinfo, 0).value() != 0,
            seed(fcinfo),
        ))
    })
}

/// `hll_hash_smallint(smallint, integer) -> hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_smallint(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i16;
        hashval(hash::hash_integer(value.into(), seed(fcinfo)))
    })
}

/// `hll_hash_integer(integer, integer) -> hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_integer(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i32;
        hashval(hash::hash_integer(value.into(), seed(fcinfo)))
    })
}

/// `hll_hash_bigint(bigint, integer) -> hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_bigint(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i64;
        hashval(hash::hash_integer(value, seed(fcinfo)))
    })
}

/// `hll_hash_bytea(bytea, integer)` and `hll_hash_text(text, integer) -> hll_hashval`:
/// the data bytes, whatever the database encoding.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function whose first argument is a varlena.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_bytes(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        hashval(hash::hash_bytes(bytes, seed(fcinfo)))
    })
}

/// `hll_hash_any(anyelement, integer) -> hll_hashval`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with a polymorphic first argument.
#[no_mangle]
pub unsafe extern "C-unwind" fn hll_hash_any(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 0);
        hashval(info.hash(strict_arg(fcinfo, 0), seed(fcinfo)))
    })
}

/// How to find the bytes of a value of one type.
#[derive(Clone, Copy)]
pub struct TypeInfo {
    /// Integers of any width hash by value.
    integer: bool,
    typlen: i16,
    typbyval: bool,
}

impl TypeInfo {
    /// Looks the type of argument `arg` of the called function up once, caching it in
    /// `fn_extra` (valid for the life of the call site).
    ///
    /// # Safety
    /// `fcinfo` must be a valid call whose argument `arg` is polymorphic, and no other
    /// code may use this call site's `fn_extra`.
    #[inline(always)]
    pub unsafe fn of_argument(fcinfo: pg_sys::FunctionCallInfo, arg: i32) -> TypeInfo {
        unsafe {
            let cached = (*(*fcinfo).flinfo).fn_extra.cast::<TypeInfo>();
            if cached.is_null() {
                Self::look_up(fcinfo, arg)
            } else {
                *cached
            }
        }
    }

    /// The catalog lookup behind [`TypeInfo::of_argument`], once per call site.
    #[cold]
    #[inline(never)]
    unsafe fn look_up(fcinfo: pg_sys::FunctionCallInfo, arg: i32) -> TypeInfo {
        unsafe {
            let flinfo = (*fcinfo).flinfo;
            let typoid = pg_sys::get_fn_expr_argtype(flinfo, arg);
            if typoid == pg_sys::InvalidOid {
                error(
                    PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                    "could not determine the type of the value to hash",
                );
            }
            let mut typlen: i16 = 0;
            let mut typbyval = false;
            pg_sys::get_typlenbyval(typoid, &mut typlen, &mut typbyval);
            let info = TypeInfo {
                integer: [pg_sys::INT2OID, pg_sys::INT4OID, pg_sys::INT8OID].contains(&typoid),
                typlen,
                typbyval,
            };
            let slot = pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, size_of::<TypeInfo>())
                .cast::<TypeInfo>();
            slot.write(info);
            (*flinfo).fn_extra = slot.cast();
            info
        }
    }

    /// Hash of one non-null datum of this type.
    ///
    /// # Safety
    /// `datum` must be a value of the type this information describes.
    #[inline(always)]
    pub unsafe fn hash(&self, datum: pg_sys::Datum, seed: i64) -> u64 {
        let raw = datum.value() as u64;
        if self.integer {
            // Sign-extend from the type's width so every integer type hashes by value.
            let shift = 64 - 8 * self.typlen as u32;
            return hash::hash_integer(((raw << shift) as i64) >> shift, seed);
        }
        if self.typbyval {
            let len = (self.typlen as usize).min(8);
            return hash::hash_bytes(&raw.to_le_bytes()[..len], seed);
        }
        let bytes = unsafe {
            match self.typlen {
                -1 => varlena_bytes(datum),
                -2 => CStr::from_ptr(datum.cast_mut_ptr::<c_char>()).to_bytes(),
                n => std::slice::from_raw_parts(datum.cast_mut_ptr::<u8>(), n as usize),
            }
        };
        hash::hash_bytes(bytes, seed)
    }
}

extension_sql_file!(
    "../sql/hashing.sql",
    name = "hashing",
    requires = ["casts_and_hashval_type"]
);
