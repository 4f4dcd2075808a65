//! `hll_hash_*`: values to `hll_hashval`, by the byte rules of `hll_core::hash` (xxh3,
//! the `hyperloglog` extension's family) or `hll_core::murmur3` (postgresql-hll's
//! family: the compatible `hll` extension's `hll_hash_*`, and `hll_murmur3_hash_*` in
//! `hyperloglog`).
//!
//! These run once per row, so they use the raw calling convention ([`crate::fmgr`]).
//! `hll_hash_any` hashes a value of any type by the same rules as the typed functions,
//! with the argument's type information looked up once per call site (cached in
//! `fn_extra`), not once per row.

use core::ffi::{c_char, CStr};

use hll_core::{hash, murmur3};
use pgrx::prelude::*;

use crate::canonical::Form;
use crate::datum::varlena_bytes;
use crate::fmgr::{guarded, nargs, strict_arg, v1_function_info};
use crate::sqlstate::error;

v1_function_info!(
    pg_finfo_hll_hash_boolean,
    pg_finfo_hll_hash_smallint,
    pg_finfo_hll_hash_integer,
    pg_finfo_hll_hash_bigint,
    pg_finfo_hll_hash_bytes,
    pg_finfo_hll_hash_any,
    pg_finfo_hll_murmur3_hash_any,
    pg_finfo_hll_hash_1byte,
    pg_finfo_hll_hash_2byte,
    pg_finfo_hll_hash_4byte,
    pg_finfo_hll_hash_8byte,
    pg_finfo_hll_hash_varlena,
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
pub unsafe extern "C" fn hll_hash_boolean(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
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
pub unsafe extern "C" fn hll_hash_smallint(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
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
pub unsafe extern "C" fn hll_hash_integer(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
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
pub unsafe extern "C" fn hll_hash_bigint(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
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
pub unsafe extern "C" fn hll_hash_bytes(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        // A value in line and uncompressed (almost every row) is hashed here, calling
        // nothing; any other goes through `varlena_bytes` (which may detoast), guarded.
        if nargs(fcinfo) >= 2 {
            if let Some(bytes) = plain_varlena_bytes(strict_arg(fcinfo, 0)) {
                return hashval(hash::hash_bytes(bytes, seed(fcinfo)));
            }
        }
        hash_bytes_general(fcinfo)
    }
}

#[inline(never)]
unsafe fn hash_bytes_general(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        hashval(hash::hash_bytes(bytes, seed(fcinfo)))
    })
}

/// The data bytes of a varlena stored in line and uncompressed (a 1-byte header, not
/// external, or a 4-byte uncompressed one): the bytes [`varlena_bytes`] returns for
/// it, without a call. `None` for a value that is external or compressed.
///
/// # Safety
/// `datum` must point to a varlena that outlives `'a`.
#[inline(always)]
unsafe fn plain_varlena_bytes<'a>(datum: pg_sys::Datum) -> Option<&'a [u8]> {
    unsafe {
        let p = datum.cast_mut_ptr::<u8>();
        let first = *p;
        let (data, len) = if first & 0x01 == 0x01 {
            // 1-byte header (VARATT_IS_1B); 0x01 alone is an external pointer.
            if first == 0x01 {
                return None;
            }
            (p.add(1), usize::from(first >> 1) - 1)
        } else if first & 0x03 == 0x00 {
            // 4-byte header, uncompressed (VARATT_IS_4B_U): length in its upper 30 bits.
            let header = p.cast::<u32>().read_unaligned();
            (p.add(4), ((header >> 2) as usize).saturating_sub(4))
        } else {
            return None;
        };
        Some(core::slice::from_raw_parts(data, len))
    }
}

/// `hll_hash_any(anyelement, integer) -> hll_hashval`: xxh3 when the function belongs
/// to the `hyperloglog` extension, postgresql-hll's murmur3 dispatch when it belongs to
/// `hll` (which names this symbol in its catalog, even one postgresql-hll wrote).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with a polymorphic first argument.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_any(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 0, Family::ByOwner);
        hashval(info.hash(strict_arg(fcinfo, 0), seed(fcinfo)))
    })
}

/// `hll_murmur3_hash_any(anyelement, integer) -> hll_hashval`: postgresql-hll's
/// `hll_hash_any`, in the `hyperloglog` extension.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with a polymorphic first argument.
#[no_mangle]
pub unsafe extern "C" fn hll_murmur3_hash_any(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 0, Family::Murmur3);
        hashval(info.hash(strict_arg(fcinfo, 0), seed(fcinfo)))
    })
}

/// The seed argument of a murmur3 hash: postgresql-hll warns about negative seeds
/// (they work, as their unsigned bits), and so do we.
#[inline(always)]
unsafe fn murmur3_seed(fcinfo: pg_sys::FunctionCallInfo) -> i32 {
    let seed = unsafe { strict_arg(fcinfo, 1).value() as i32 };
    if seed < 0 {
        warn_negative_seed();
    }
    seed
}

#[cold]
#[inline(never)]
fn warn_negative_seed() {
    ereport!(
        PgLogLevel::WARNING,
        PgSqlErrorCode::ERRCODE_WARNING,
        "negative seed values not compatible"
    );
}

/// `hll_hash_1byte(boolean, integer)`: postgresql-hll's `hll_hash_boolean`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_1byte(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as u8;
        hashval(murmur3::hash_bytes(&[value], murmur3_seed(fcinfo)))
    })
}

/// `hll_hash_2byte(smallint, integer)`: postgresql-hll's `hll_hash_smallint`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_2byte(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i16;
        hashval(murmur3::hash_smallint(value, murmur3_seed(fcinfo)))
    })
}

/// `hll_hash_4byte(integer, integer)`: postgresql-hll's `hll_hash_integer`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_4byte(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i32;
        hashval(murmur3::hash_integer(value, murmur3_seed(fcinfo)))
    })
}

/// `hll_hash_8byte(bigint, integer)`: postgresql-hll's `hll_hash_bigint`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_8byte(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let value = strict_arg(fcinfo, 0).value() as i64;
        hashval(murmur3::hash_bigint(value, murmur3_seed(fcinfo)))
    })
}

/// `hll_hash_varlena(text or bytea, integer)`: postgresql-hll's `hll_hash_text` and
/// `hll_hash_bytea`, over the data bytes.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function whose first argument is a varlena.
#[no_mangle]
pub unsafe extern "C" fn hll_hash_varlena(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        hashval(murmur3::hash_bytes(bytes, murmur3_seed(fcinfo)))
    })
}

/// The last type information found by a function's declaration (backend-local; the
/// backend runs one statement at a time).
static mut BY_DECLARATION: Option<(pg_sys::Oid, i32, pg_sys::Oid, TypeInfo)> = None;

/// How a value of one type hashes without a call, for the aggregates' per-row path:
/// the cases of [`TypeInfo::hash`] that read only the datum's own bits or bytes.
/// `hll_sketch_state` keeps one in each group's state, set from its call site's
/// [`TypeInfo`].
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum InLine {
    /// Not known, or not hashed in line: every value takes [`TypeInfo::hash`].
    Unknown,
    /// `bigint` (xxh3 family, by value).
    Int8,
    Int4,
    Int2,
    /// Other by-value types of 8, 4, 2 and 1 bytes: their bytes, little-endian.
    Bytes8,
    Bytes4,
    Bytes2,
    Bytes1,
    /// Variable-length values hashed by their data bytes (`text`, `bytea`), when
    /// stored in line and uncompressed.
    Varlena,
}

impl InLine {
    /// The in-line form of values `info` describes.
    pub fn of(info: &TypeInfo) -> InLine {
        match *info {
            TypeInfo::Xxh3(Form::Integer { width: 8 }) => InLine::Int8,
            TypeInfo::Xxh3(Form::Integer { width: 4 }) => InLine::Int4,
            TypeInfo::Xxh3(Form::Integer { width: 2 }) => InLine::Int2,
            TypeInfo::Xxh3(Form::ByValue { len: 8 }) => InLine::Bytes8,
            TypeInfo::Xxh3(Form::ByValue { len: 4 }) => InLine::Bytes4,
            TypeInfo::Xxh3(Form::ByValue { len: 2 }) => InLine::Bytes2,
            TypeInfo::Xxh3(Form::ByValue { len: 1 }) => InLine::Bytes1,
            TypeInfo::Xxh3(Form::Varlena) => InLine::Varlena,
            _ => InLine::Unknown,
        }
    }

    /// The hash [`TypeInfo::hash`] gives `datum` (the same bytes `Form::hash` hashes,
    /// read from registers), or `None` when it needs a call: [`InLine::Unknown`], or
    /// a variable-length value that is external or compressed. Never raises an ERROR
    /// or panics, so it can run outside [`guarded`].
    ///
    /// # Safety
    /// `datum` must be a non-null value of the type this form was made for.
    #[inline(always)]
    pub unsafe fn hash(self, datum: pg_sys::Datum, seed: i64) -> Option<u64> {
        let raw = datum.value() as u64;
        // Integers by value, sign-extended from the type's width; other by-value
        // types by `raw.to_le_bytes()[..len]`.
        Some(match self {
            InLine::Int8 => hash::hash_integer(raw as i64, seed),
            InLine::Varlena => {
                return unsafe { plain_varlena_bytes(datum) }.map(|b| hash::hash_bytes(b, seed))
            }
            InLine::Int4 => hash::hash_integer(i64::from(raw as i32), seed),
            InLine::Int2 => hash::hash_integer(i64::from(raw as i16), seed),
            InLine::Bytes8 => hash::hash_bytes(&raw.to_le_bytes(), seed),
            InLine::Bytes4 => hash::hash_bytes(&(raw as u32).to_le_bytes(), seed),
            InLine::Bytes2 => hash::hash_bytes(&(raw as u16).to_le_bytes(), seed),
            InLine::Bytes1 => hash::hash_bytes(&[raw as u8], seed),
            InLine::Unknown => return None,
        })
    }
}

/// Which hash family a call site uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// xxh3 by `hll_core::hash`'s byte rules.
    Xxh3,
    /// postgresql-hll's murmur3 dispatch.
    Murmur3,
    /// Decided once per call site: murmur3 when the function belongs to the `hll`
    /// extension, xxh3 otherwise.
    ByOwner,
}

/// How to hash a value of one type.
#[derive(Clone, Copy)]
pub enum TypeInfo {
    /// xxh3 over the value's canonical form.
    Xxh3(Form),
    /// postgresql-hll's murmur3 dispatch.
    Murmur3 {
        typlen: i16,
        typbyval: bool,
        /// The type's binary output function, which murmur3 hashes fixed-length types
        /// other than 1, 2, 4 and 8 bytes through, as postgresql-hll does.
        send: pg_sys::Oid,
    },
}

impl TypeInfo {
    /// Looks the type of argument `arg` of the called function up once, caching it in
    /// `fn_extra` (valid for the life of the call site).
    ///
    /// # Safety
    /// `fcinfo` must be a valid call whose argument `arg` is polymorphic, and no other
    /// code may use this call site's `fn_extra`.
    #[inline(always)]
    pub unsafe fn of_argument(
        fcinfo: pg_sys::FunctionCallInfo,
        arg: i32,
        family: Family,
    ) -> TypeInfo {
        unsafe {
            let cached = (*(*fcinfo).flinfo).fn_extra.cast::<TypeInfo>();
            if cached.is_null() {
                Self::look_up(fcinfo, arg, family)
            } else {
                *cached
            }
        }
    }

    /// The catalog lookup behind [`TypeInfo::of_argument`], once per call site.
    #[cold]
    #[inline(never)]
    unsafe fn look_up(fcinfo: pg_sys::FunctionCallInfo, arg: i32, family: Family) -> TypeInfo {
        unsafe {
            let flinfo = (*fcinfo).flinfo;
            if arg >= i32::from((*fcinfo).nargs) {
                error(
                    PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                    "the value to hash is missing",
                );
            }
            let mut typoid = pg_sys::get_fn_expr_argtype(flinfo, arg);
            if typoid == pg_sys::InvalidOid {
                // Called without an expression (Citus's partial aggregates call the
                // transition function so, through a new FmgrInfo for every row): a
                // function declared for one type names it, and its information is
                // kept for the next call, since declared types never change.
                if let Some((oid, n, collation, info)) = BY_DECLARATION {
                    if oid == (*flinfo).fn_oid && n == arg && collation == (*fcinfo).fncollation {
                        return info;
                    }
                }
                typoid = declared_argument_type((*flinfo).fn_oid, arg);
            }
            if typoid == pg_sys::InvalidOid {
                error(
                    PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                    "could not determine the type of the value to hash",
                );
            }
            let family = match family {
                Family::ByOwner if owned_by_hll_extension((*flinfo).fn_oid) => Family::Murmur3,
                Family::ByOwner => Family::Xxh3,
                f => f,
            };
            let info = if family == Family::Murmur3 {
                let mut typlen: i16 = 0;
                let mut typbyval = false;
                pg_sys::get_typlenbyval(typoid, &mut typlen, &mut typbyval);
                let mut send = pg_sys::InvalidOid;
                if typlen > 0 && !matches!(typlen, 1 | 2 | 4 | 8) {
                    let mut is_varlena = false;
                    pg_sys::getTypeBinaryOutputInfo(typoid, &mut send, &mut is_varlena);
                }
                TypeInfo::Murmur3 {
                    typlen,
                    typbyval,
                    send,
                }
            } else {
                TypeInfo::Xxh3(Form::of_type(typoid, (*fcinfo).fncollation))
            };
            if (*flinfo).fn_expr.is_null() {
                BY_DECLARATION = Some(((*flinfo).fn_oid, arg, (*fcinfo).fncollation, info));
            }
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
        match *self {
            TypeInfo::Xxh3(form) => unsafe { form.hash(datum, seed) },
            TypeInfo::Murmur3 {
                typlen,
                typbyval,
                send,
            } => unsafe { murmur3_hash(typlen, typbyval, send, datum, seed as i32) },
        }
    }
}

/// postgresql-hll's `hll_hash_any`: 1, 2, 4 and 8-byte values by their bytes at
/// their width, variable-length values by their data bytes, other fixed-length
/// values by the bytes of their binary output function. Two deliberate differences:
/// an 8-byte type passed by reference hashes its bytes (the peer hashes the
/// pointer), and a cstring hashes its characters (the peer reads it as a varlena).
unsafe fn murmur3_hash(
    typlen: i16,
    typbyval: bool,
    send: pg_sys::Oid,
    datum: pg_sys::Datum,
    seed: i32,
) -> u64 {
    if seed < 0 {
        warn_negative_seed();
    }
    let raw = datum.value() as u64;
    unsafe {
        match (typlen, typbyval) {
            (1 | 2 | 4 | 8, true) => {
                murmur3::hash_bytes(&raw.to_le_bytes()[..typlen as usize], seed)
            }
            (8, false) => murmur3::hash_bytes(
                std::slice::from_raw_parts(datum.cast_mut_ptr::<u8>(), 8),
                seed,
            ),
            (-1, _) => murmur3::hash_bytes(varlena_bytes(datum), seed),
            (-2, _) => murmur3::hash_bytes(
                CStr::from_ptr(datum.cast_mut_ptr::<c_char>()).to_bytes(),
                seed,
            ),
            _ => {
                let sent = pg_sys::OidSendFunctionCall(send, datum);
                murmur3::hash_bytes(varlena_bytes(pg_sys::Datum::from(sent)), seed)
            }
        }
    }
}

/// Whether function `fn_oid` belongs to the extension named `hll`.
unsafe fn owned_by_hll_extension(fn_oid: pg_sys::Oid) -> bool {
    unsafe {
        let extension = pg_sys::getExtensionOfObject(pg_sys::ProcedureRelationId, fn_oid);
        if extension == pg_sys::InvalidOid {
            return false;
        }
        let name = pg_sys::get_extension_name(extension);
        !name.is_null() && CStr::from_ptr(name).to_bytes() == b"hll"
    }
}

extension_sql_file!(
    "../sql/hashing.sql",
    name = "hashing",
    requires = ["casts_and_hashval_type"]
);

/// The declared type of argument `arg` of function `fn_oid`; invalid when polymorphic.
unsafe fn declared_argument_type(fn_oid: pg_sys::Oid, arg: i32) -> pg_sys::Oid {
    unsafe {
        let mut types: *mut pg_sys::Oid = core::ptr::null_mut();
        let mut nargs = 0;
        pg_sys::get_func_signature(fn_oid, &mut types, &mut nargs);
        if arg >= nargs {
            return pg_sys::InvalidOid;
        }
        let typoid = *types.add(arg as usize);
        let polymorphic = [
            pg_sys::ANYELEMENTOID,
            pg_sys::ANYOID,
            pg_sys::ANYNONARRAYOID,
            pg_sys::ANYCOMPATIBLEOID,
            pg_sys::ANYCOMPATIBLENONARRAYOID,
        ];
        if polymorphic.contains(&typoid) {
            pg_sys::InvalidOid
        } else {
            typoid
        }
    }
}
