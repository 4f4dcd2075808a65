//! `hll_hash_*`: values to `hll_hashval`, by the byte rules of `hll_core::hash`.
//!
//! `hll_hash_any` hashes a value of any type by the same rules as the typed functions,
//! with the argument's type information looked up once per call site (cached in
//! `fn_extra`), not once per row.

use core::ffi::{c_char, CStr};

use hll_core::hash;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::prelude::*;

use crate::datum::{varlena_bytes, HashVal};
use crate::sqlstate::error;

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_boolean(value: bool, seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_boolean(value, seed.into()) as i64)
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_smallint(value: i16, seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_integer(value.into(), seed.into()) as i64)
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_integer(value: i32, seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_integer(value.into(), seed.into()) as i64)
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_bigint(value: i64, seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_integer(value, seed.into()) as i64)
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_bytea(value: &[u8], seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_bytes(value, seed.into()) as i64)
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_text(value: TextBytes<'_>, seed: default!(i32, 0)) -> HashVal {
    HashVal(hash::hash_bytes(value.0, seed.into()) as i64)
}

/// A `text` argument as its bytes in the database encoding, not checked as UTF-8
/// (a `SQL_ASCII` database may hold any bytes, and they hash all the same).
pub struct TextBytes<'a>(&'a [u8]);

impl FromDatum for TextBytes<'_> {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _typoid: pg_sys::Oid,
    ) -> Option<Self> {
        // SAFETY: a non-null text datum is a varlena.
        (!is_null).then(|| TextBytes(unsafe { varlena_bytes(datum) }))
    }
}

// SAFETY: unboxed through FromDatum.
unsafe impl<'fcx> ArgAbi<'fcx> for TextBytes<'fcx> {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        unsafe {
            arg.unbox_arg_using_from_datum()
                .expect("text argument must not be null")
        }
    }
}

// SAFETY: only used as an argument, declared as text.
unsafe impl SqlTranslatable for TextBytes<'_> {
    const TYPE_IDENT: &'static str = concat!(module_path!(), "::TextBytes");
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::As("text"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = Err(ReturnsError::Datum);
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
    pub unsafe fn of_argument(fcinfo: pg_sys::FunctionCallInfo, arg: i32) -> TypeInfo {
        unsafe {
            let flinfo = (*fcinfo).flinfo;
            let cached = (*flinfo).fn_extra.cast::<TypeInfo>();
            if !cached.is_null() {
                return *cached;
            }
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
    #[inline]
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

/// A non-null `anyelement` argument as a raw datum.
pub struct AnyDatum(pgrx::pg_sys::Datum);

impl FromDatum for AnyDatum {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _typoid: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then_some(AnyDatum(datum))
    }
}

// SAFETY: the datum is passed through untouched; TypeInfo interprets it.
unsafe impl<'fcx> ArgAbi<'fcx> for AnyDatum {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        unsafe {
            arg.unbox_arg_using_from_datum()
                .expect("anyelement argument must not be null")
        }
    }
}

// SAFETY: only used as an argument, declared as anyelement.
unsafe impl SqlTranslatable for AnyDatum {
    const TYPE_IDENT: &'static str = concat!(module_path!(), "::AnyDatum");
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::As("anyelement"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = Err(ReturnsError::Datum);
}

#[pg_extern(immutable, parallel_safe)]
fn hll_hash_any(
    value: AnyDatum,
    seed: default!(i32, 0),
    fcinfo: pg_sys::FunctionCallInfo,
) -> HashVal {
    // SAFETY: argument 0 is the anyelement this function was called with.
    unsafe {
        let info = TypeInfo::of_argument(fcinfo, 0);
        HashVal(info.hash(value.0, seed.into()) as i64)
    }
}
