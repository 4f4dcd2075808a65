//! The `ull` aggregates' state: an `ull` value in PostgreSQL's expanded form, as
//! `hll`'s (src/state.rs, which explains the design): the state type is `ull`, so
//! parallel workers and Citus ship partial states as `ull` bytes; per group it is an
//! [`UllSketch`] in the aggregate's memory, written in the stored form only when
//! PostgreSQL asks for the flat value.

use core::ptr;

use hll_core::ull::storage::{self, StoredUll};
use hll_core::ull::{UllParams, UllSketch};
use pgrx::pg_sys;

use super::datum::from_sketch;
use super::functions::estimator;
use crate::aggregates::{aggregate_context, parameter_values_from_aggref};
use crate::datum::varlena_bytes;
use crate::fmgr::{arg, guarded, nargs, return_null, v1_function_info};
use crate::hashing::{Family, TypeInfo};
use crate::memory::PgAllocator;
use crate::sqlstate::{check, Origin};
use crate::state::{expanded_object, states_context};

/// An expanded `ull`: PostgreSQL's header, then the sketch.
#[repr(C)]
struct ExpandedUll {
    header: pg_sys::ExpandedObjectHeader,
    sketch: UllSketch<PgAllocator>,
}

static METHODS: pg_sys::ExpandedObjectMethods = pg_sys::ExpandedObjectMethods {
    get_flat_size: Some(flat_size),
    flatten_into: Some(flatten_into),
};

unsafe extern "C-unwind" fn flat_size(header: *mut pg_sys::ExpandedObjectHeader) -> pg_sys::Size {
    guarded(|| unsafe {
        pg_sys::VARHDRSZ + storage::encoded_len(&(*header.cast::<ExpandedUll>()).sketch)
    })
}

unsafe extern "C-unwind" fn flatten_into(
    header: *mut pg_sys::ExpandedObjectHeader,
    result: *mut core::ffi::c_void,
    size: pg_sys::Size,
) {
    guarded(|| unsafe {
        let sketch = &(*header.cast::<ExpandedUll>()).sketch;
        ptr::write_bytes(result.cast::<u8>(), 0, size);
        pgrx::varlena::set_varsize_4b(result.cast(), size as i32);
        let body = core::slice::from_raw_parts_mut(
            result.cast::<u8>().add(pg_sys::VARHDRSZ),
            size - pg_sys::VARHDRSZ,
        );
        check(storage::encode_into(sketch, body), Origin::Stored);
    })
}

/// A new state in the aggregate's states context holding an empty sketch.
unsafe fn new_state(fcinfo: pg_sys::FunctionCallInfo, params: UllParams) -> *mut ExpandedUll {
    unsafe {
        let context = states_context(aggregate_context(fcinfo));
        let flags = pg_sys::MCXT_ALLOC_NO_OOM as i32;
        let object = pg_sys::MemoryContextAllocExtended(context, size_of::<ExpandedUll>(), flags)
            .cast::<ExpandedUll>();
        if object.is_null() {
            check(
                Err(hll_core::Error::OutOfMemory(size_of::<ExpandedUll>())),
                Origin::Stored,
            )
        }
        let sketch = UllSketch::new_in(params, PgAllocator::in_context(context));
        ptr::addr_of_mut!((*object).sketch).write(sketch);
        pg_sys::EOH_init_header(ptr::addr_of_mut!((*object).header), &METHODS, context);
        object
    }
}

#[inline(always)]
unsafe fn datum_of(state: *mut ExpandedUll) -> pg_sys::Datum {
    unsafe { pg_sys::Datum::from((*state).header.eoh_rw_ptr.as_ptr()) }
}

#[inline(always)]
unsafe fn expanded(datum: pg_sys::Datum) -> Option<(*mut ExpandedUll, bool)> {
    unsafe { expanded_object(datum, &METHODS).map(|(h, rw)| (h.cast::<ExpandedUll>(), rw)) }
}

/// A read view of an `ull` datum that may be one of our expanded states.
enum View<'a> {
    Expanded(&'a UllSketch<PgAllocator>),
    Stored(StoredUll<'a>),
}

unsafe fn view<'a>(datum: pg_sys::Datum) -> View<'a> {
    unsafe {
        match expanded(datum) {
            Some((state, _)) => View::Expanded(&(*state).sketch),
            None => View::Stored(check(
                StoredUll::parse(varlena_bytes(datum)),
                Origin::Stored,
            )),
        }
    }
}

impl View<'_> {
    fn params(&self) -> UllParams {
        match self {
            View::Expanded(s) => s.params(),
            View::Stored(s) => s.params(),
        }
    }

    fn union_into(&self, sketch: &mut UllSketch<PgAllocator>) {
        let result = match self {
            View::Expanded(s) => sketch.union(*s),
            View::Stored(s) => sketch.union_stored(s),
        };
        check(result, Origin::Stored);
    }
}

/// Parameters `p` and `expthresh` from the optional arguments `first..` of this call;
/// defaults where they are absent or NULL.
pub(crate) unsafe fn params_from_args(fcinfo: pg_sys::FunctionCallInfo, first: usize) -> UllParams {
    unsafe {
        let n = nargs(fcinfo);
        let get = |i: usize| (first + i < n).then(|| arg(fcinfo, first + i)).flatten();
        params_of(get(0), get(1))
    }
}

/// The parameters of optional `p` and `expthresh` integer datums (defaults for `None`).
pub(crate) fn params_of(p: Option<pg_sys::Datum>, expthresh: Option<pg_sys::Datum>) -> UllParams {
    let default = UllParams::default();
    check(
        UllParams::new(
            p.map_or(i64::from(default.p()), |d| i64::from(d.value() as i32)),
            expthresh.map_or(default.expthresh(), |d| i64::from(d.value() as i32)),
        ),
        Origin::Stored,
    )
}

#[inline(always)]
unsafe fn state_to_update(
    fcinfo: pg_sys::FunctionCallInfo,
    create: impl FnOnce() -> UllParams,
) -> *mut ExpandedUll {
    unsafe {
        match arg(fcinfo, 0) {
            Some(datum) => match expanded(datum) {
                Some((state, true)) => state,
                _ => copy_state(fcinfo, &view(datum)),
            },
            None => new_state(fcinfo, create()),
        }
    }
}

#[cold]
unsafe fn copy_state(fcinfo: pg_sys::FunctionCallInfo, value: &View<'_>) -> *mut ExpandedUll {
    unsafe {
        let state = new_state(fcinfo, value.params());
        value.union_into(&mut (*state).sketch);
        state
    }
}

v1_function_info!(
    pg_finfo_ull_add_state,
    pg_finfo_ull_sketch_state,
    pg_finfo_ull_union_state,
    pg_finfo_ull_state_or_empty,
    pg_finfo_ull_state_value,
    pg_finfo_ull_state_count,
);

#[inline(always)]
unsafe fn add_to_state(
    fcinfo: pg_sys::FunctionCallInfo,
    hash_of: impl FnOnce(pg_sys::Datum) -> u64,
) -> pg_sys::Datum {
    unsafe {
        let state = state_to_update(fcinfo, || params_from_args(fcinfo, 2));
        if let Some(value) = arg(fcinfo, 1) {
            check((*state).sketch.add_hash(hash_of(value)), Origin::Stored);
        }
        datum_of(state)
    }
}

/// `ull_add_state(ull, hll_hashval [, p [, expthresh]])`: the transition of
/// `ull_add_agg`; the parameters are read when a group starts.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn ull_add_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add_to_state(fcinfo, |hash| hash.value() as u64) })
}

/// `ull_sketch_state(ull, anyelement [, ...])`: the transition of `ull_sketch` and
/// `ull_count_distinct`, hashing values exactly as `hll_sketch` does.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn ull_sketch_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 1, Family::Xxh3);
        add_to_state(fcinfo, |value| info.hash(value, 0))
    })
}

/// `ull_union_state(ull, ull)`: the transition of `ull_union_agg` and the combine
/// function of every `ull` aggregate; NULL stays NULL.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition or combine function.
#[no_mangle]
pub unsafe extern "C" fn ull_union_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let Some(value) = arg(fcinfo, 1) else {
            return match arg(fcinfo, 0) {
                Some(state) => state,
                None => return_null(fcinfo),
            };
        };
        let value = view(value);
        let state = match arg(fcinfo, 0) {
            None => copy_state(fcinfo, &value),
            Some(_) => {
                let state = state_to_update(fcinfo, || unreachable!("argument 0 is not NULL"));
                value.union_into(&mut (*state).sketch);
                state
            }
        };
        datum_of(state)
    })
}

/// `ull_state_or_empty(ull) -> ull`: the final function of `ull_add_agg` and
/// `ull_sketch`: the sketch, or for a group without rows an EMPTY sketch with the
/// call's parameters where they do not depend on the row (defaults otherwise).
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn ull_state_or_empty(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        match arg(fcinfo, 0) {
            Some(state) => flat(state),
            None => {
                let values = parameter_values_from_aggref(fcinfo).unwrap_or([None; 4]);
                from_sketch(&UllSketch::new(params_of(values[0], values[1])))
            }
        }
    })
}

/// `ull_state_value(ull) -> ull` (STRICT): the final function of `ull_union_agg`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn ull_state_value(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { flat(arg(fcinfo, 0).expect("strict function")) })
}

unsafe fn flat(state: pg_sys::Datum) -> pg_sys::Datum {
    unsafe {
        match view(state) {
            View::Expanded(sketch) => from_sketch(sketch),
            View::Stored(_) => super::datum::from_bytes(varlena_bytes(state)),
        }
    }
}

/// `ull_state_count(ull) -> bigint`: the final function of `ull_count_distinct`: the
/// rounded estimate (exact while EXPLICIT), 0 for no rows.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn ull_state_count(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let estimator = estimator();
        let count = match arg(fcinfo, 0).map(|state| view(state)) {
            None => 0.0,
            Some(View::Expanded(sketch)) => sketch.cardinality(estimator),
            Some(View::Stored(stored)) => stored.cardinality(estimator),
        };
        pg_sys::Datum::from(count.round() as i64)
    })
}
