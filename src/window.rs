//! Moving-window aggregates: every aggregate of both families also declares a moving
//! state and an inverse transition (`MSFUNC`, `MINVFUNC`, `MFINALFUNC`), so that
//! `OVER (... ROWS/RANGE/GROUPS ... PRECEDING)` adds the rows that enter the frame and
//! removes those that leave it, instead of recomputing the whole frame for every row.
//!
//! The states are `hll_core::window`'s: over raw rows (hashes), [`SlidingHll`] and
//! [`SlidingUll`] keep the exact hashes while few and, per register, only the values a
//! later row has not yet matched or beaten, so their size does not grow with the
//! frame's row count; over stored sketches, [`SlidingUnion`] keeps a two-stack queue of
//! partial unions. Each gives, for every frame, exactly the bytes and count of the
//! plain aggregate over that frame's rows.
//!
//! PostgreSQL calls the inverse for the rows that leave, oldest first, with the same
//! arguments it gave the forward function; NULL values and rows a FILTER drops reach
//! neither, so the non-NULL rows form a queue. The moving state is `internal`: it only
//! lives inside one window node, is never combined or shipped, and sits in the
//! aggregate's memory context (freed with the partition).

use core::ptr;

use hll_core::ull::{UllParams, UllSketch};
use hll_core::window::{SlidingHll, SlidingUll, SlidingUnion};
use hll_core::{Sketch, StoredSketch};
use pgrx::pg_sys;

use crate::aggregates::{aggregate_context, params_from_aggref, params_from_args};
use crate::datum::{varlena_bytes, Hll};
use crate::fmgr::{arg, guarded, return_null, v1_function_info};
use crate::hashing::{Family, TypeInfo};
use crate::memory::PgAllocator;
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, Origin};
use crate::state::states_context;
use crate::ull::datum::from_sketch;
use crate::ull::state::{params_from_args as ull_params_from_args, params_of as ull_params_of};

/// The moving state of one window aggregate.
enum Moving {
    Hll(SlidingHll<PgAllocator>),
    Ull(SlidingUll<PgAllocator>),
    HllUnion(SlidingUnion<Sketch<PgAllocator>>),
    UllUnion(SlidingUnion<UllSketch<PgAllocator>>),
}

/// The state in argument 0, or a new one made by `create` in the aggregate's memory.
unsafe fn moving_state(
    fcinfo: pg_sys::FunctionCallInfo,
    create: impl FnOnce(PgAllocator) -> Moving,
) -> *mut Moving {
    unsafe {
        if let Some(datum) = arg(fcinfo, 0) {
            return datum.cast_mut_ptr();
        }
        let context = states_context(aggregate_context(fcinfo));
        let flags = pg_sys::MCXT_ALLOC_NO_OOM as i32;
        let state = pg_sys::MemoryContextAllocExtended(context, size_of::<Moving>(), flags)
            .cast::<Moving>();
        if state.is_null() {
            check(
                Err(hll_core::Error::OutOfMemory(size_of::<Moving>())),
                Origin::Stored,
            )
        }
        ptr::write(state, create(PgAllocator::in_context(context)));
        state
    }
}

/// The state of a call that has one (the inverse and final functions).
unsafe fn existing<'a>(fcinfo: pg_sys::FunctionCallInfo) -> Option<&'a mut Moving> {
    unsafe { arg(fcinfo, 0).map(|d| &mut *d.cast_mut_ptr::<Moving>()) }
}

/// Adds (or, for the inverse, removes) the hash of argument 1 to a hash state.
unsafe fn step(
    fcinfo: pg_sys::FunctionCallInfo,
    state: *mut Moving,
    forward: bool,
    hash_of: impl FnOnce(pg_sys::Datum) -> u64,
) -> pg_sys::Datum {
    unsafe {
        if let Some(value) = arg(fcinfo, 1) {
            let hash = hash_of(value);
            let result = match (&mut *state, forward) {
                (Moving::Hll(s), true) => s.push(hash),
                (Moving::Hll(s), false) => s.pop(hash),
                (Moving::Ull(s), true) => s.push(hash),
                (Moving::Ull(s), false) => s.pop(hash),
                _ => unreachable!("a hash aggregate's state"),
            };
            check(result, Origin::Stored);
        }
        pg_sys::Datum::from(state)
    }
}

unsafe fn new_hll(fcinfo: pg_sys::FunctionCallInfo, dialect: Dialect) -> *mut Moving {
    unsafe {
        moving_state(fcinfo, |alloc| {
            Moving::Hll(SlidingHll::new_in(
                params_from_args(fcinfo, 2, dialect),
                alloc,
            ))
        })
    }
}

unsafe fn new_ull(fcinfo: pg_sys::FunctionCallInfo) -> *mut Moving {
    unsafe {
        moving_state(fcinfo, |alloc| {
            Moving::Ull(SlidingUll::new_in(ull_params_from_args(fcinfo, 2), alloc))
        })
    }
}

unsafe fn hash_value(value: pg_sys::Datum) -> u64 {
    value.value() as u64
}

/// The hash of a value of argument 1's type, as `hll_hash_any` computes it.
unsafe fn value_hasher(fcinfo: pg_sys::FunctionCallInfo) -> impl Fn(pg_sys::Datum) -> u64 {
    let info = unsafe { TypeInfo::of_argument(fcinfo, 1, Family::Xxh3) };
    move |value| unsafe { info.hash(value, 0) }
}

v1_function_info!(
    pg_finfo_hll_add_mtrans,
    pg_finfo_hll_add_mtrans_peer,
    pg_finfo_hll_add_minv,
    pg_finfo_hll_sketch_mtrans,
    pg_finfo_hll_sketch_minv,
    pg_finfo_hll_mfinal,
    pg_finfo_hll_mfinal_peer,
    pg_finfo_hll_mfinal_count,
    pg_finfo_hll_union_mtrans,
    pg_finfo_hll_union_minv,
    pg_finfo_hll_union_mfinal,
    pg_finfo_ull_add_mtrans,
    pg_finfo_ull_add_minv,
    pg_finfo_ull_sketch_mtrans,
    pg_finfo_ull_sketch_minv,
    pg_finfo_ull_mfinal,
    pg_finfo_ull_mfinal_count,
    pg_finfo_ull_union_mtrans,
    pg_finfo_ull_union_minv,
    pg_finfo_ull_union_mfinal,
);

/// Declares moving transition functions: `name(internal, value [, params]) -> internal`.
macro_rules! transitions {
    ($($(#[$doc:meta])* $name:ident => |$fcinfo:ident| $body:expr;)*) => {
        $(
            $(#[$doc])*
            ///
            /// # Safety
            /// Called by PostgreSQL as a moving-aggregate support function.
            #[no_mangle]
            pub unsafe extern "C" fn $name($fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                guarded(|| unsafe { $body })
            }
        )*
    };
}

transitions! {
    /// `hll_add_agg`'s moving transition: a row's hash enters the frame.
    hll_add_mtrans => |f| step(f, new_hll(f, Dialect::Native), true, |v| hash_value(v));
    /// The same for the compatible `hll` extension (postgresql-hll's parameter ranges).
    hll_add_mtrans_peer => |f| step(f, new_hll(f, Dialect::Peer), true, |v| hash_value(v));
    /// `hll_add_agg`'s inverse transition: the oldest row's hash leaves the frame.
    hll_add_minv => |f| step(f, existing_ptr(f), false, |v| hash_value(v));
    /// `hll_sketch`'s and `hll_count_distinct`'s moving transition.
    hll_sketch_mtrans => |f| {
        let hasher = value_hasher(f);
        step(f, new_hll(f, Dialect::Native), true, hasher)
    };
    /// Their inverse transition.
    hll_sketch_minv => |f| {
        let hasher = value_hasher(f);
        step(f, existing_ptr(f), false, hasher)
    };
    /// `ull_add_agg`'s moving transition.
    ull_add_mtrans => |f| step(f, new_ull(f), true, |v| hash_value(v));
    /// `ull_add_agg`'s inverse transition.
    ull_add_minv => |f| step(f, existing_ptr(f), false, |v| hash_value(v));
    /// `ull_sketch`'s and `ull_count_distinct`'s moving transition.
    ull_sketch_mtrans => |f| {
        let hasher = value_hasher(f);
        step(f, new_ull(f), true, hasher)
    };
    /// Their inverse transition.
    ull_sketch_minv => |f| {
        let hasher = value_hasher(f);
        step(f, existing_ptr(f), false, hasher)
    };
    /// `hll_union_agg`'s moving transition: a stored sketch enters the frame.
    hll_union_mtrans => |f| {
        let state = moving_state(f, |alloc| Moving::HllUnion(SlidingUnion::new_in(alloc)));
        if let (Some(value), Moving::HllUnion(queue)) = (arg(f, 1), &mut *state) {
            let stored = check(StoredSketch::parse(varlena_bytes(value)), Origin::Stored);
            let sketch = check(Sketch::from_stored_in(&stored, *queue.allocator()), Origin::Stored);
            check(queue.push(sketch), Origin::Stored);
        }
        pg_sys::Datum::from(state)
    };
    /// `hll_union_agg`'s inverse transition: the oldest sketch leaves.
    hll_union_minv => |f| pop_union(f);
    /// `ull_union_agg`'s moving transition.
    ull_union_mtrans => |f| {
        let state = moving_state(f, |alloc| Moving::UllUnion(SlidingUnion::new_in(alloc)));
        if let (Some(value), Moving::UllUnion(queue)) = (arg(f, 1), &mut *state) {
            let stored = crate::ull::datum::stored(value);
            let sketch = check(UllSketch::from_stored_in(&stored, *queue.allocator()), Origin::Stored);
            check(queue.push(sketch), Origin::Stored);
        }
        pg_sys::Datum::from(state)
    };
    /// `ull_union_agg`'s inverse transition.
    ull_union_minv => |f| pop_union(f);
}

unsafe fn existing_ptr(fcinfo: pg_sys::FunctionCallInfo) -> *mut Moving {
    unsafe {
        existing(fcinfo).map_or_else(
            || unreachable!("an inverse transition follows a forward one"),
            |s| s as *mut Moving,
        )
    }
}

unsafe fn pop_union(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let state = existing_ptr(fcinfo);
        if arg(fcinfo, 1).is_some() {
            let result = match &mut *state {
                Moving::HllUnion(queue) => queue.pop(),
                Moving::UllUnion(queue) => queue.pop(),
                _ => unreachable!("a union aggregate's state"),
            };
            check(result, Origin::Stored);
        }
        pg_sys::Datum::from(state)
    }
}

/// The sketch of the frame (or, for a frame that never had a row, an EMPTY sketch with
/// the call's parameters, as the plain final function gives).
unsafe fn mfinal_sketch(fcinfo: pg_sys::FunctionCallInfo, dialect: Dialect) -> pg_sys::Datum {
    unsafe {
        match existing(fcinfo) {
            Some(Moving::Hll(s)) => {
                Hll::from_sketch(&check(s.sketch(), Origin::Stored)).into_raw_datum()
            }
            Some(Moving::Ull(s)) => from_sketch(&check(s.sketch(), Origin::Stored)),
            Some(_) => unreachable!("a hash aggregate's state"),
            None => match params_from_aggref(fcinfo, dialect) {
                Some(params) => Hll::from_sketch(&Sketch::new(params)).into_raw_datum(),
                None => return_null(fcinfo),
            },
        }
    }
}

transitions! {
    /// The moving final function of `hll_add_agg` and `hll_sketch`.
    hll_mfinal => |f| mfinal_sketch(f, Dialect::Native);
    /// The same in the compatible `hll` extension.
    hll_mfinal_peer => |f| mfinal_sketch(f, Dialect::Peer);
    /// The moving final function of `hll_count_distinct`.
    hll_mfinal_count => |f| {
        let n = existing(f).map_or(0.0, |s| match s {
            Moving::Hll(s) => s.cardinality(settings::estimator()),
            _ => unreachable!("a hash aggregate's state"),
        });
        pg_sys::Datum::from(n.round() as i64)
    };
    /// The moving final function of `ull_add_agg` and `ull_sketch`.
    ull_mfinal => |f| match existing(f) {
        Some(_) => mfinal_sketch(f, Dialect::Native),
        None => {
            let values = crate::aggregates::parameter_values_from_aggref(f).unwrap_or([None; 4]);
            let params: UllParams = ull_params_of(values[0], values[1]);
            from_sketch(&UllSketch::new(params))
        }
    };
    /// The moving final function of `ull_count_distinct`.
    ull_mfinal_count => |f| {
        let n = existing(f).map_or(0.0, |s| match s {
            Moving::Ull(s) => s.cardinality(settings::ull_estimator()),
            _ => unreachable!("a hash aggregate's state"),
        });
        pg_sys::Datum::from(n.round() as i64)
    };
    /// The moving final function of `hll_union_agg`: NULL for a frame without sketches.
    hll_union_mfinal => |f| match existing(f) {
        Some(Moving::HllUnion(queue)) => match check(queue.result(), Origin::Stored) {
            Some(sketch) => Hll::from_sketch(&sketch).into_raw_datum(),
            None => return_null(f),
        },
        _ => return_null(f),
    };
    /// The moving final function of `ull_union_agg`.
    ull_union_mfinal => |f| match existing(f) {
        Some(Moving::UllUnion(queue)) => match check(queue.result(), Origin::Stored) {
            Some(sketch) => from_sketch(&sketch),
            None => return_null(f),
        },
        _ => return_null(f),
    };
}
