//! Rust views of the two SQL types: `hll` (a varlena in storage format v1) and
//! `hll_hashval` (a by-value 64-bit integer).

use core::marker::PhantomData;
use core::ptr::NonNull;

use hll_core::{Allocator, Sketch, StoredSketch};
use pgrx::callconv::{Arg, ArgAbi, BoxRet, FcInfo};
use pgrx::datum::Datum;
use pgrx::nullable::Nullable;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena};

use crate::memory::PgAllocator;
use crate::sqlstate::{check, Origin};

/// The varlena behind `datum`, detoasted only when compressed or stored out of line
/// (PostgreSQL is called only then, so plain values cost no call).
///
/// # Safety
/// `datum` must point to a varlena.
#[inline]
pub unsafe fn detoast_packed(datum: pg_sys::Datum) -> *mut pg_sys::varlena {
    let p = datum.cast_mut_ptr::<pg_sys::varlena>();
    unsafe {
        if varlena::varatt_is_1b_e(p) || varlena::varatt_is_4b_c(p) {
            pg_sys::pg_detoast_datum_packed(p)
        } else {
            p
        }
    }
}

/// The payload bytes of the varlena behind `datum`, detoasted if needed.
///
/// # Safety
/// `datum` must point to a varlena that outlives `'a`.
#[inline]
pub unsafe fn varlena_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    unsafe { varlena::varlena_to_byte_slice(detoast_packed(datum)) }
}

/// An `hll` value: a pointer to a varlena whose payload is storage-format bytes.
///
/// As an argument it borrows the (detoasted if needed) datum, no copy; as a result it
/// is a freshly palloc'd varlena in the current memory context.
/// The sketch validated bytes describe, in the current memory context.
pub fn decode(stored: &StoredSketch<'_>) -> Sketch<PgAllocator> {
    check(
        Sketch::from_stored_in(stored, PgAllocator::current()),
        Origin::Stored,
    )
}

pub struct Hll<'a> {
    ptr: NonNull<pg_sys::varlena>,
    _lifetime: PhantomData<&'a [u8]>,
}

impl<'a> Hll<'a> {
    /// The storage-format bytes (not yet validated).
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        // SAFETY: `ptr` is a detoasted varlena that lives as long as 'a.
        unsafe { varlena::varlena_to_byte_slice(self.ptr.as_ptr()) }
    }

    /// The validated view of the bytes; raises XX001 on corrupt data.
    #[inline]
    pub fn stored(&self) -> StoredSketch<'a> {
        check(StoredSketch::parse(self.bytes()), Origin::Stored)
    }

    /// The decoded sketch; raises XX001 on corrupt data.
    /// The decoded sketch, in the current memory context.
    pub fn sketch(&self) -> Sketch<PgAllocator> {
        decode(&self.stored())
    }
}

impl Hll<'static> {
    /// A new varlena holding `bytes`, palloc'd in the current memory context.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let p = Hll::alloc(bytes.len());
        // SAFETY: the new varlena has room for exactly `bytes`.
        unsafe {
            let data = varlena::vardata_4b(p.ptr.as_ptr()).cast_mut().cast::<u8>();
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        }
        p
    }

    /// The payload of a value just allocated, to be filled in.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` is a 4-byte-header varlena this code allocated and owns.
        unsafe {
            let len = varlena::varsize_4b(self.ptr.as_ptr()) - pg_sys::VARHDRSZ;
            let data = varlena::vardata_4b(self.ptr.as_ptr())
                .cast_mut()
                .cast::<u8>();
            std::slice::from_raw_parts_mut(data, len)
        }
    }

    /// The storage bytes of `sketch`, written once into a new varlena.
    pub fn from_sketch<A: Allocator + Clone>(sketch: &Sketch<A>) -> Self {
        let max_sparse = crate::settings::max_sparse();
        let len = sketch.encoded_len(max_sparse);
        // SAFETY: palloc0 either returns `total` zeroed bytes or raises an ERROR; the
        // core writes exactly `len` of them.
        unsafe {
            let p = Hll::alloc(len);
            let data = varlena::vardata_4b(p.ptr.as_ptr()).cast_mut().cast::<u8>();
            let out = core::slice::from_raw_parts_mut(data, len);
            check(sketch.encode_into(out, max_sparse), Origin::Stored);
            p
        }
    }

    /// A zeroed varlena with room for `len` bytes.
    pub(crate) fn alloc(len: usize) -> Self {
        let total = len + pg_sys::VARHDRSZ;
        // SAFETY: palloc0 either returns `total` writable bytes or raises an ERROR.
        unsafe {
            let p = pg_sys::palloc0(total).cast::<pg_sys::varlena>();
            varlena::set_varsize_4b(p, total as i32);
            Hll {
                ptr: NonNull::new_unchecked(p),
                _lifetime: PhantomData,
            }
        }
    }

    /// The varlena pointer as a datum, for code that returns raw datums.
    pub fn into_raw_datum(self) -> pg_sys::Datum {
        pg_sys::Datum::from(self.ptr.as_ptr())
    }
}

impl FromDatum for Hll<'_> {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _typoid: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null || datum.is_null() {
            return None;
        }
        // SAFETY: a non-null hll datum is a varlena.
        let p = unsafe { detoast_packed(datum) };
        NonNull::new(p).map(|ptr| Hll {
            ptr,
            _lifetime: PhantomData,
        })
    }
}

impl IntoDatum for Hll<'_> {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        Some(pg_sys::Datum::from(self.ptr.as_ptr()))
    }

    fn type_oid() -> pg_sys::Oid {
        // SAFETY: a catalog lookup by name in the current search path.
        unsafe { pg_sys::TypenameGetTypid(c"hll".as_ptr()) }
    }
}

// SAFETY: arguments are unboxed through FromDatum, as pgrx does for bytea.
unsafe impl<'fcx> ArgAbi<'fcx> for Hll<'fcx> {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe {
            arg.unbox_arg_using_from_datum()
                .unwrap_or_else(|| panic!("argument {index} must not be null"))
        }
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> Nullable<Self> {
        unsafe { arg.unbox_arg_using_from_datum().into() }
    }
}

// SAFETY: the varlena pointer is the datum.
unsafe impl BoxRet for Hll<'_> {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        unsafe { fcinfo.return_raw_datum(pg_sys::Datum::from(self.ptr.as_ptr())) }
    }
}

// SAFETY: `hll` is created by this extension (the `hll_type` SQL block).
unsafe impl SqlTranslatable for Hll<'_> {
    const TYPE_IDENT: &'static str = concat!(module_path!(), "::Hll");
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::ThisExtension;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::As("hll"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::As("hll")));
}

/// An `hll_hashval`: a 64-bit hash, passed by value like bigint.
#[derive(Clone, Copy)]
pub struct HashVal(pub i64);

impl FromDatum for HashVal {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _typoid: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then(|| HashVal(datum.value() as i64))
    }
}

impl IntoDatum for HashVal {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        Some(pg_sys::Datum::from(self.0))
    }

    fn type_oid() -> pg_sys::Oid {
        // SAFETY: a catalog lookup by name in the current search path.
        unsafe { pg_sys::TypenameGetTypid(c"hll_hashval".as_ptr()) }
    }
}

// SAFETY: by-value 8-byte datum, unboxed through FromDatum.
unsafe impl<'fcx> ArgAbi<'fcx> for HashVal {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe {
            arg.unbox_arg_using_from_datum()
                .unwrap_or_else(|| panic!("argument {index} must not be null"))
        }
    }
}

// SAFETY: the value is the datum.
unsafe impl BoxRet for HashVal {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        unsafe { fcinfo.return_raw_datum(pg_sys::Datum::from(self.0)) }
    }
}

// SAFETY: `hll_hashval` is created by this extension (the `hll_hashval_type` SQL block).
unsafe impl SqlTranslatable for HashVal {
    const TYPE_IDENT: &'static str = concat!(module_path!(), "::HashVal");
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::ThisExtension;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::As("hll_hashval"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::As("hll_hashval")));
}
