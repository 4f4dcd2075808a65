//! `ull` values as the functions see them: stored bytes read in place (checked before
//! use), and results written once into a new varlena.

use hll_core::ull::storage::{self, StoredUll};
use hll_core::ull::UllSketch;
use hll_core::Allocator;
use pgrx::{pg_sys, varlena};

use crate::datum::varlena_bytes;
use crate::memory::PgAllocator;
use crate::sqlstate::{check, Origin};

/// The checked stored form of the `ull` datum `datum`.
///
/// # Safety
/// `datum` must be a varlena that outlives `'a`.
pub unsafe fn stored<'a>(datum: pg_sys::Datum) -> StoredUll<'a> {
    check(
        StoredUll::parse(unsafe { varlena_bytes(datum) }),
        Origin::Stored,
    )
}

/// The sketch of the `ull` datum `datum`, in the current memory context.
///
/// # Safety
/// `datum` must be a varlena.
pub unsafe fn sketch(datum: pg_sys::Datum) -> UllSketch<PgAllocator> {
    let stored = unsafe { stored(datum) };
    check(
        UllSketch::from_stored_in(&stored, PgAllocator::current()),
        Origin::Stored,
    )
}

/// A new varlena of `len` payload bytes in the current context, and its payload.
pub fn new_varlena(len: usize) -> (pg_sys::Datum, &'static mut [u8]) {
    let total = len + pg_sys::VARHDRSZ;
    // SAFETY: palloc0 returns `total` zeroed writable bytes or raises an ERROR.
    unsafe {
        let p = pg_sys::palloc0(total).cast::<pg_sys::varlena>();
        varlena::set_varsize_4b(p, total as i32);
        let data = varlena::vardata_4b(p).cast_mut().cast::<u8>();
        (
            pg_sys::Datum::from(p),
            core::slice::from_raw_parts_mut(data, len),
        )
    }
}

/// A new `ull` datum holding the stored form of `sketch`.
pub fn from_sketch<A: Allocator + Clone>(sketch: &UllSketch<A>) -> pg_sys::Datum {
    let (datum, out) = new_varlena(storage::encoded_len(sketch));
    check(storage::encode_into(sketch, out), Origin::Stored);
    datum
}

/// A new varlena datum holding `bytes`.
pub fn from_bytes(bytes: &[u8]) -> pg_sys::Datum {
    let (datum, out) = new_varlena(bytes.len());
    out.copy_from_slice(bytes);
    datum
}
