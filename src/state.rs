//! The aggregates' state: an `hll` value in PostgreSQL's expanded form.
//!
//! `hll_add_agg`, `hll_sketch`, `hll_count_distinct` and `hll_union_agg` declare their
//! state as `hll` (not `internal`), so every consumer PostgreSQL or Citus has for a
//! state works on it: a parallel worker's partial state travels as `hll` bytes, and
//! Citus ships partial states of any aggregate whose state type has input and output
//! functions, so all four run on its workers.
//!
//! Per group the state is an expanded object ([`ExpandedHll`]): the object header
//! PostgreSQL knows, then a [`Sketch`] whose content grows in PostgreSQL memory. Its
//! flat form is the storage format, written only when PostgreSQL asks (a partial state
//! leaving a worker, Citus's output function), never per row. A transition function
//! returns the same read-write pointer it was given, which PostgreSQL keeps as is.
//!
//! The objects of one aggregate context share one child context
//! ([`states_context`]): PostgreSQL keeps a new expanded state without copying only
//! when the object's context is a child of the aggregate context, and a context per
//! group would cost a kilobyte or more for every small group. Hash aggregation sums
//! child contexts, so the states count against `work_mem` and the hash table spills.

use core::ffi::CStr;
use core::ptr;

use hll_core::{Params, Sketch, StoredSketch};
use pgrx::pg_sys;
use pgrx::prelude::*;

use crate::aggregates::{aggregate_context, params_from_aggref, params_from_args};
use crate::datum::{varlena_bytes, Hll};
use crate::fmgr::{arg, guarded, nargs, return_null, v1_function_info};
use crate::hashing::{Family, InLine, TypeInfo};
use crate::memory::PgAllocator;
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, Origin};

/// An expanded `hll`: PostgreSQL's header, then the sketch.
#[repr(C)]
struct ExpandedHll {
    header: pg_sys::ExpandedObjectHeader,
    sketch: Sketch<PgAllocator>,
    /// How `hll_sketch_state` hashes this group's values in line, set by its general
    /// path from the call site's type ([`InLine::Unknown`] until then, and for
    /// `hll_add_state`'s states, which need none).
    in_line: InLine,
}

static METHODS: pg_sys::ExpandedObjectMethods = pg_sys::ExpandedObjectMethods {
    get_flat_size: Some(flat_size),
    flatten_into: Some(flatten_into),
};

/// Name (and, by its address, identity) of the shared child context.
static STATES_CONTEXT: &CStr = c"hll aggregate states";

unsafe extern "C-unwind" fn flat_size(header: *mut pg_sys::ExpandedObjectHeader) -> pg_sys::Size {
    guarded(|| unsafe {
        let sketch = &(*header.cast::<ExpandedHll>()).sketch;
        pg_sys::VARHDRSZ + sketch.encoded_len(settings::max_sparse())
    })
}

unsafe extern "C-unwind" fn flatten_into(
    header: *mut pg_sys::ExpandedObjectHeader,
    result: *mut core::ffi::c_void,
    size: pg_sys::Size,
) {
    guarded(|| unsafe {
        let sketch = &(*header.cast::<ExpandedHll>()).sketch;
        ptr::write_bytes(result.cast::<u8>(), 0, size);
        pgrx::varlena::set_varsize_4b(result.cast(), size as i32);
        let body = core::slice::from_raw_parts_mut(
            result.cast::<u8>().add(pg_sys::VARHDRSZ),
            size - pg_sys::VARHDRSZ,
        );
        check(
            sketch.encode_into(body, settings::max_sparse()),
            Origin::Stored,
        );
    })
}

/// The child context of `aggcontext` holding its groups' states, created on first use.
///
/// Found by walking the aggregate context's children, which are few: this runs once
/// per group, and nothing per-call can cache it (Citus calls the transition function
/// through a fresh `FmgrInfo` for every row).
pub(crate) unsafe fn states_context(aggcontext: pg_sys::MemoryContext) -> pg_sys::MemoryContext {
    unsafe {
        let mut child = (*aggcontext).firstchild;
        while !child.is_null() {
            if ptr::eq((*child).name, STATES_CONTEXT.as_ptr()) {
                return child;
            }
            child = (*child).nextchild;
        }
        pg_sys::AllocSetContextCreateInternal(
            aggcontext,
            STATES_CONTEXT.as_ptr(),
            pg_sys::ALLOCSET_DEFAULT_MINSIZE as usize,
            pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
            pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
        )
    }
}

/// A new state in the aggregate context, filled by `fill` with a sketch that allocates
/// in the states' context; returns its read-write datum.
unsafe fn new_state(
    fcinfo: pg_sys::FunctionCallInfo,
    fill: impl FnOnce(PgAllocator) -> Sketch<PgAllocator>,
) -> *mut ExpandedHll {
    unsafe {
        let context = states_context(aggregate_context(fcinfo));
        let flags = pg_sys::MCXT_ALLOC_NO_OOM as i32;
        let object = pg_sys::MemoryContextAllocExtended(context, size_of::<ExpandedHll>(), flags)
            .cast::<ExpandedHll>();
        if object.is_null() {
            check(
                Err(hll_core::Error::OutOfMemory(size_of::<ExpandedHll>())),
                Origin::Stored,
            )
        }
        let sketch = fill(PgAllocator::in_context(context));
        ptr::addr_of_mut!((*object).sketch).write(sketch);
        ptr::addr_of_mut!((*object).in_line).write(InLine::Unknown);
        pg_sys::EOH_init_header(ptr::addr_of_mut!((*object).header), &METHODS, context);
        object
    }
}

/// The read-write datum of a state.
#[inline(always)]
unsafe fn datum_of(state: *mut ExpandedHll) -> pg_sys::Datum {
    unsafe { pg_sys::Datum::from((*state).header.eoh_rw_ptr.as_ptr()) }
}

/// A state datum seen as one of ours: the object and whether it is the read-write
/// pointer (which the aggregate owns and may change). `None` for a flat value.
#[inline(always)]
unsafe fn expanded(datum: pg_sys::Datum) -> Option<(*mut ExpandedHll, bool)> {
    unsafe {
        expanded_object(datum, &METHODS).map(|(header, rw)| (header.cast::<ExpandedHll>(), rw))
    }
}

/// The expanded object behind `datum` if it is one with `methods` (which identify the
/// type of object), and whether `datum` is its read-write pointer.
///
/// Decoded in place (a 1-byte external header, the tag, then the pointer) rather than
/// through `DatumGetEOHP`, so that a row costs no call into PostgreSQL.
#[inline(always)]
pub(crate) unsafe fn expanded_object(
    datum: pg_sys::Datum,
    methods: &'static pg_sys::ExpandedObjectMethods,
) -> Option<(*mut pg_sys::ExpandedObjectHeader, bool)> {
    unsafe {
        let p = datum.cast_mut_ptr::<u8>();
        let tag = u32::from(*p.add(1));
        let is_expanded = *p == 0x01
            && (tag == pg_sys::vartag_external::VARTAG_EXPANDED_RW
                || tag == pg_sys::vartag_external::VARTAG_EXPANDED_RO);
        if !is_expanded {
            return None;
        }
        let header = p
            .add(2)
            .cast::<*mut pg_sys::ExpandedObjectHeader>()
            .read_unaligned();
        ptr::eq((*header).eoh_methods, methods)
            .then_some((header, tag == pg_sys::vartag_external::VARTAG_EXPANDED_RW))
    }
}

/// A read view of an `hll` datum that may be one of our expanded states.
enum View<'a> {
    Expanded(&'a Sketch<PgAllocator>),
    Stored(StoredSketch<'a>),
}

unsafe fn view<'a>(datum: pg_sys::Datum) -> View<'a> {
    unsafe {
        match expanded(datum) {
            Some((state, _)) => View::Expanded(&(*state).sketch),
            None => View::Stored(check(
                StoredSketch::parse(varlena_bytes(datum)),
                Origin::Stored,
            )),
        }
    }
}

impl View<'_> {
    fn params(&self) -> Params {
        match self {
            View::Expanded(s) => s.params(),
            View::Stored(s) => s.params(),
        }
    }

    /// Adds this value to `sketch`.
    fn union_into(&self, sketch: &mut Sketch<PgAllocator>) {
        let result = match self {
            View::Expanded(s) => sketch.union(*s),
            View::Stored(s) => sketch.union(s),
        };
        check(result, Origin::Stored);
    }
}

/// The state to update from argument 0: ours when it is our read-write object, else a
/// new one holding its value (or made by `create` when it is NULL).
#[inline(always)]
unsafe fn state_to_update(
    fcinfo: pg_sys::FunctionCallInfo,
    create: impl FnOnce() -> Params,
) -> *mut ExpandedHll {
    unsafe {
        match arg(fcinfo, 0) {
            Some(datum) => match expanded(datum) {
                Some((state, true)) => state,
                _ => copy_state(fcinfo, &view(datum)),
            },
            None => {
                let params = create();
                new_state(fcinfo, |alloc| Sketch::new_in(params, alloc))
            }
        }
    }
}

#[cold]
unsafe fn copy_state(fcinfo: pg_sys::FunctionCallInfo, value: &View<'_>) -> *mut ExpandedHll {
    unsafe {
        new_state(fcinfo, |alloc| {
            let mut sketch = Sketch::new_in(value.params(), alloc);
            value.union_into(&mut sketch);
            sketch
        })
    }
}

v1_function_info!(
    pg_finfo_hll_add_state,
    pg_finfo_hll_sketch_state,
    pg_finfo_hll_union_state,
    pg_finfo_hll_state_combine,
    pg_finfo_hll_state_or_empty,
    pg_finfo_hll_state_value,
    pg_finfo_hll_state_count,
);

#[inline(always)]
unsafe fn add_to_state(
    fcinfo: pg_sys::FunctionCallInfo,
    hash_of: impl FnOnce(pg_sys::Datum) -> u64,
) -> pg_sys::Datum {
    unsafe {
        let state = state_to_update(fcinfo, || params_from_args(fcinfo, 2, Dialect::Native));
        if let Some(value) = arg(fcinfo, 1) {
            check((*state).sketch.add_hash(hash_of(value)), Origin::Stored);
        }
        datum_of(state)
    }
}

// The per-row path of `hll_add_state` and `hll_sketch_state`.
//
// Almost every row of an aggregate finds both arguments present, its group's state
// already our read-write object, and (once a group has more than a few hundred
// distinct values) dense registers. That row runs in the exported function itself,
// in a few dozen instructions and without a stack frame: it reads the call's
// arguments and the state's header (with, for `hll_sketch_state`, the byte saying
// how the group's values hash), hashes in line and raises one register, calling
// nothing, so nothing on it can raise an ERROR or panic and it needs no guard. Every other row (a group's first, a NULL, a
// value to detoast, a type hashed out of line, a state still EMPTY, EXPLICIT or
// SPARSE, a call through a fresh FmgrInfo such as Citus makes) takes the general
// path, out of line and `guarded`, exactly as before. Both add the same hash to the
// same sketch, so every result keeps its bytes.

/// The state and the value of a row that can take the per-row path: the call has both
/// arguments, neither is NULL, and the state is our read-write object.
#[inline(always)]
unsafe fn row_on_own_state(
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<(*mut ExpandedHll, pg_sys::Datum)> {
    unsafe {
        if nargs(fcinfo) < 2 {
            return None;
        }
        let args = (*fcinfo).args.as_ptr();
        let (state, value) = (&*args, &*args.add(1));
        if state.isnull || value.isnull {
            return None;
        }
        own_rw_state(state.value).map(|state| (state, value.value))
    }
}

/// The state behind `datum` if it is the read-write pointer of one of our expanded
/// objects ([`expanded`] with the read-write test first: one 2-byte compare).
#[inline(always)]
unsafe fn own_rw_state(datum: pg_sys::Datum) -> Option<*mut ExpandedHll> {
    unsafe {
        let p = datum.cast_mut_ptr::<u8>();
        // A 1-byte external header (0x01), then the tag, little-endian.
        let rw = 0x01 | (pg_sys::vartag_external::VARTAG_EXPANDED_RW as u16) << 8;
        if p.cast::<u16>().read_unaligned() != rw {
            return None;
        }
        let header = p
            .add(2)
            .cast::<*mut pg_sys::ExpandedObjectHeader>()
            .read_unaligned();
        ptr::eq((*header).eoh_methods, &METHODS).then_some(header.cast::<ExpandedHll>())
    }
}

/// Adds `hash` to our state: dense registers in line, the other forms out of line.
#[inline(always)]
unsafe fn add_to_own_state(state: *mut ExpandedHll, hash: u64) -> pg_sys::Datum {
    unsafe {
        if !(*state).sketch.add_hash_if_dense(hash) {
            add_to_small_form(state, hash);
        }
        datum_of(state)
    }
}

#[inline(never)]
unsafe fn add_to_small_form(state: *mut ExpandedHll, hash: u64) {
    guarded(|| unsafe { check((*state).sketch.add_hash(hash), Origin::Stored) })
}

/// `hll_add_state(hll, hll_hashval [, log2m [, regwidth [, expthresh [, sparseon]]]])`:
/// the transition of `hll_add_agg`; the parameters are read when a group starts.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_add_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        match row_on_own_state(fcinfo) {
            Some((state, hash)) => add_to_own_state(state, hash.value() as u64),
            None => add_state_general(fcinfo),
        }
    }
}

#[inline(never)]
unsafe fn add_state_general(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add_to_state(fcinfo, |hash| hash.value() as u64) })
}

/// `hll_sketch_state(hll, anyelement [, ...])`: the transition of `hll_sketch` and
/// `hll_count_distinct`, hashing the value as `hll_hash_any` does (seed 0).
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_sketch_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        if let Some((state, value)) = row_on_own_state(fcinfo) {
            // The group's own record of how its values hash: one byte beside the
            // header just read (nothing from the call site, so a call through a fresh
            // FmgrInfo, as Citus makes, takes this path too).
            if let Some(hash) = (*state).in_line.hash(value, 0) {
                return add_to_own_state(state, hash);
            }
        }
        sketch_state_general(fcinfo)
    }
}

#[inline(never)]
unsafe fn sketch_state_general(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 1, Family::Xxh3);
        let result = add_to_state(fcinfo, |value| info.hash(value, 0));
        // A state takes values of one type, the aggregate call's: record how they
        // hash in line, for the group's next rows.
        if let Some(state) = own_rw_state(result) {
            (*state).in_line = InLine::of(&info);
        }
        result
    })
}

/// `hll_union_state(hll, hll)`: the transition of `hll_union_agg`; the first non-null
/// sketch sets the parameters.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_union_state(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { combine(fcinfo) })
}

/// `hll_state_combine(hll, hll)`: merges a partial state (a worker's, a shard's) into
/// the state.
///
/// # Safety
/// Called by PostgreSQL as an aggregate combine function.
#[no_mangle]
pub unsafe extern "C" fn hll_state_combine(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { combine(fcinfo) })
}

/// Argument 1 added into the state of argument 0; NULL stays NULL.
unsafe fn combine(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let Some(value) = arg(fcinfo, 1) else {
            return match arg(fcinfo, 0) {
                Some(state) => state,
                None => return_null(fcinfo),
            };
        };
        let value = view(value);
        match arg(fcinfo, 0) {
            None => datum_of(copy_state(fcinfo, &value)),
            Some(_) => {
                let state = state_to_update(fcinfo, || unreachable!("argument 0 is not NULL"));
                value.union_into(&mut (*state).sketch);
                datum_of(state)
            }
        }
    }
}

/// `hll_state_or_empty(hll) -> hll`: the final function of `hll_add_agg` and
/// `hll_sketch`: the sketch, or for a group without rows an EMPTY sketch with the
/// call's constant parameters (NULL when they are not constants).
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_state_or_empty(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        match arg(fcinfo, 0) {
            Some(state) => flat(state),
            None => match params_from_aggref(fcinfo, Dialect::Native) {
                Some(params) => Hll::from_sketch(&Sketch::new(params)).into_raw_datum(),
                None => return_null(fcinfo),
            },
        }
    })
}

/// `hll_state_value(hll) -> hll` (STRICT): the final function of `hll_union_agg`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_state_value(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { flat(arg(fcinfo, 0).expect("strict function")) })
}

/// The storage bytes of a state.
unsafe fn flat(state: pg_sys::Datum) -> pg_sys::Datum {
    unsafe {
        match view(state) {
            View::Expanded(sketch) => Hll::from_sketch(sketch).into_raw_datum(),
            View::Stored(_) => Hll::from_bytes(varlena_bytes(state)).into_raw_datum(),
        }
    }
}

/// `hll_state_count(hll) -> bigint`: the final function of `hll_count_distinct`: the
/// rounded cardinality by the chosen estimator, 0 for no rows.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_state_count(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let estimator = settings::estimator();
        let count = match arg(fcinfo, 0).map(|state| view(state)) {
            None => Some(0.0),
            Some(View::Expanded(sketch)) => sketch.cardinality_with(estimator),
            Some(View::Stored(stored)) => stored.cardinality_with(estimator),
        };
        pg_sys::Datum::from(count.unwrap_or(0.0).round() as i64)
    })
}

extension_sql_file!(
    "../sql/aggregates.sql",
    name = "aggregates",
    requires = ["casts_and_hashval_type"]
);
