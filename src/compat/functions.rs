//! postgresql-hll's scalar functions under its C symbols: comparison, union, add,
//! `hll_print`, `hll_empty` in every arity, and the metadata accessors.

use hll_core::peer_print::peer_print;
use hll_core::{Sketch, StoredSketch};
use pgrx::prelude::*;

use crate::datum::{decode, varlena_bytes, Hll};
use crate::fmgr::{arg, cstring, guarded, nargs, record, strict_arg, v1_function_info};
use crate::ordering::canonical;
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, Origin};

v1_function_info!(
    pg_finfo_hll_eq,
    pg_finfo_hll_ne,
    pg_finfo_hll_union,
    pg_finfo_hll_add,
    pg_finfo_hll_add_rev,
    pg_finfo_hll_print,
    pg_finfo_hll_empty0,
    pg_finfo_hll_empty1,
    pg_finfo_hll_empty2,
    pg_finfo_hll_empty3,
    pg_finfo_hll_empty4,
    pg_finfo_hll_schema_version,
    pg_finfo_hll_type,
    pg_finfo_hll_log2m,
    pg_finfo_hll_regwidth,
    pg_finfo_hll_expthresh,
    pg_finfo_hll_sparseon,
);

/// The validated stored sketch of argument `n`.
unsafe fn stored<'a>(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> StoredSketch<'a> {
    unsafe {
        check(
            StoredSketch::parse(varlena_bytes(strict_arg(fcinfo, n))),
            Origin::Stored,
        )
    }
}

/// Equal content and parameters, whatever the representation each was written in:
/// the same canonical bytes the operator classes order and hash by.
unsafe fn equal(fcinfo: pg_sys::FunctionCallInfo) -> bool {
    unsafe { canonical(fcinfo, 0) == canonical(fcinfo, 1) }
}

/// `hll_eq(hll, hll) -> boolean`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two `hll` arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_eq(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(equal(fcinfo)) })
}

/// `hll_ne(hll, hll) -> boolean`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two `hll` arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_ne(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(!equal(fcinfo)) })
}

/// `hll_union(hll, hll) -> hll`: different parameters fold to the common ones (the
/// peer raises an error).
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with two `hll` arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_union(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let mut sketch = decode(&stored(fcinfo, 0));
        check(sketch.union(&stored(fcinfo, 1)), Origin::Stored);
        Hll::from_sketch(&sketch).into_raw_datum()
    })
}

unsafe fn add(fcinfo: pg_sys::FunctionCallInfo, sketch_arg: usize) -> pg_sys::Datum {
    unsafe {
        let mut sketch = decode(&stored(fcinfo, sketch_arg));
        let hash = strict_arg(fcinfo, 1 - sketch_arg).value() as u64;
        check(sketch.add_hash(hash), Origin::Stored);
        Hll::from_sketch(&sketch).into_raw_datum()
    }
}

/// `hll_add(hll, hll_hashval) -> hll`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with these arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_add(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add(fcinfo, 0) })
}

/// `hll_add_rev(hll_hashval, hll) -> hll`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with these arguments.
#[no_mangle]
pub unsafe extern "C" fn hll_add_rev(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add(fcinfo, 1) })
}

/// `hll_print(hll) -> cstring`: postgresql-hll's text.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with an `hll` argument.
#[no_mangle]
pub unsafe extern "C" fn hll_print(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let stored = stored(fcinfo, 0);
        let text = peer_print(&stored, || decode(&stored).register_values());
        cstring(text.as_bytes())
    })
}

/// An EMPTY sketch with the given leading parameters and the defaults for the rest.
unsafe fn empty(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let get = |i: usize| (i < nargs(fcinfo)).then(|| arg(fcinfo, i)).flatten();
        let params = settings::params_for(
            Dialect::Peer,
            get(0).map(|d| d.value() as i32),
            get(1).map(|d| d.value() as i32),
            get(2).map(|d| d.value() as i64),
            get(3).map(|d| d.value() as i32),
        );
        Hll::from_sketch(&Sketch::new(params)).into_raw_datum()
    }
}

macro_rules! empty_arities {
    ($($name:ident),*) => {
        $(
            /// `hll_empty(...)` with this many parameters.
            ///
            /// # Safety
            /// Called by PostgreSQL as a STRICT function with integer parameters.
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $name(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                guarded(|| unsafe { empty(fcinfo) })
            }
        )*
    };
}
empty_arities!(hll_empty0, hll_empty1, hll_empty2, hll_empty3, hll_empty4);

macro_rules! accessors {
    ($($name:ident => $body:expr),* $(,)?) => {
        $(
            /// A metadata accessor of postgresql-hll (`integer` result).
            ///
            /// # Safety
            /// Called by PostgreSQL as a STRICT function with an `hll` argument.
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $name(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                guarded(|| unsafe {
                    let f: fn(&StoredSketch<'_>) -> i32 = $body;
                    pg_sys::Datum::from(f(&stored(fcinfo, 0)))
                })
            }
        )*
    };
}
accessors!(
    hll_schema_version => |s| i32::from(s.schema_version()),
    hll_type => |s| s.kind() as i32,
    hll_log2m => |s| i32::from(s.params().log2m()),
    hll_regwidth => |s| i32::from(s.params().regwidth()),
    hll_sparseon => |s| i32::from(s.params().sparseon()),
);

/// `hll_expthresh(hll, OUT specified bigint, OUT effective bigint)`.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with an `hll` argument and two OUT
/// parameters.
#[no_mangle]
pub unsafe extern "C" fn hll_expthresh(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let p = stored(fcinfo, 0).params();
        record(
            fcinfo,
            &mut [
                pg_sys::Datum::from(p.expthresh_value()),
                pg_sys::Datum::from(p.explicit_threshold() as i64),
            ],
        )
    })
}
