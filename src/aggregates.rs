//! Aggregate support with an `internal` state: the functions postgresql-hll's catalog
//! names (the compatible `hll` extension, and a catalog of that extension written by
//! postgresql-hll itself) and those of `hyperloglog` 0.1.0 and 0.2.0 until
//! `ALTER EXTENSION hyperloglog UPDATE` moves its aggregates to the `hll` state of
//! [`crate::state`]. Also the parameter reading both kinds share.
//!
//! The state is allocated once per group in the aggregate memory context, and so is
//! everything its [`Sketch`] holds ([`PgAllocator`]): PostgreSQL frees it with the
//! context, and hash aggregation counts it. Serialisation for parallel plans is the
//! storage format itself, so a parallel plan produces exactly the bytes of a serial
//! one.

use core::ptr;

use hll_core::{Params, Sketch, StoredSketch};
use pgrx::pg_sys;
use pgrx::prelude::*;

use crate::datum::{varlena_bytes, Hll};
use crate::fmgr::{arg, guarded, nargs, return_null, v1_function_info};
use crate::hashing::{Family, TypeInfo};
use crate::memory::PgAllocator;
use crate::pg_list;
use crate::settings::{self, Dialect};
use crate::sqlstate::{check, error, Origin};

/// The aggregate state: the sketch, in the aggregate context like its content.
struct AggState {
    sketch: Sketch<PgAllocator>,
}

/// A new state in `context` made by `fill` with a sketch allocating there.
unsafe fn new_state(
    context: pg_sys::MemoryContext,
    fill: impl FnOnce(PgAllocator) -> Result<Sketch<PgAllocator>, hll_core::Error>,
) -> *mut AggState {
    unsafe {
        let state = pg_sys::MemoryContextAlloc(context, size_of::<AggState>()).cast::<AggState>();
        let sketch = check(fill(PgAllocator::in_context(context)), Origin::Stored);
        state.write(AggState { sketch });
        state
    }
}

/// The memory context of the aggregate calling us (ERROR 0A000 outside one).
pub(crate) unsafe fn aggregate_context(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::MemoryContext {
    let mut context: pg_sys::MemoryContext = ptr::null_mut();
    if unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut context) } == 0 {
        error(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "hll aggregate support function called outside an aggregate",
        );
    }
    context
}

#[inline(always)]
unsafe fn state_arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> *mut AggState {
    unsafe { arg(fcinfo, n).map_or(ptr::null_mut(), |d| d.cast_mut_ptr()) }
}

#[inline(always)]
unsafe fn return_state(fcinfo: pg_sys::FunctionCallInfo, state: *mut AggState) -> pg_sys::Datum {
    if state.is_null() {
        unsafe { return_null(fcinfo) }
    } else {
        pg_sys::Datum::from(state)
    }
}

/// Parameters from the optional arguments `first..` of this call, settings elsewhere.
pub(crate) unsafe fn params_from_args(
    fcinfo: pg_sys::FunctionCallInfo,
    first: usize,
    dialect: Dialect,
) -> Params {
    unsafe {
        let nargs = nargs(fcinfo);
        let get = |i: usize| {
            (first + i < nargs)
                .then(|| arg(fcinfo, first + i))
                .flatten()
        };
        settings::params_for(
            dialect,
            get(0).map(|d| d.value() as i32),
            get(1).map(|d| d.value() as i32),
            get(2).map(|d| d.value() as i64),
            get(3).map(|d| d.value() as i32),
        )
    }
}

/// The parameters of the aggregate call, for a group with no rows (whose transition
/// function never ran): the call's direct arguments after the value (never its
/// `ORDER BY` keys), each a constant, or an expression that does not depend on the
/// row (`(SELECT 12)`, `current_setting(...)::int`, a prepared statement's parameter)
/// evaluated here; a parameter that comes from a column, or that is NULL, takes the
/// setting. In a window (an empty frame) the call is found among the window node's
/// calls of aggregates with this final function; if those pass different parameters,
/// the settings apply. `None` when called outside an aggregate or window node.
pub(crate) unsafe fn params_from_aggref(
    fcinfo: pg_sys::FunctionCallInfo,
    dialect: Dialect,
) -> Option<Params> {
    unsafe {
        let values = parameter_values_from_aggref(fcinfo)?;
        Some(settings::params_for(
            dialect,
            values[0].map(|d| d.value() as i32),
            values[1].map(|d| d.value() as i32),
            values[2].map(|d| d.value() as i64),
            values[3].map(|d| d.value() as i32),
        ))
    }
}

/// The values of the aggregate call's parameters after the value, as
/// [`params_from_aggref`] finds them: `None` for one that depends on the row or is NULL.
pub(crate) unsafe fn parameter_values_from_aggref(
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<[Option<pg_sys::Datum>; 4]> {
    unsafe {
        let context = (*fcinfo).context;
        if context.is_null() {
            return None;
        }
        let exprs = match (*context).type_ {
            pg_sys::NodeTag::T_AggState => aggregate_parameter_exprs(fcinfo)?,
            pg_sys::NodeTag::T_WindowAggState => {
                window_parameter_exprs(context.cast::<pg_sys::WindowAggState>(), fcinfo)
            }
            _ => return None,
        };
        let planstate = context.cast::<pg_sys::PlanState>();
        let mut values: [Option<pg_sys::Datum>; 4] = [None; 4];
        for (slot, expr) in values.iter_mut().zip(exprs) {
            *slot = expr.and_then(|e| row_independent_value(e, planstate));
        }
        Some(values)
    }
}

/// The parameter expressions of the Aggref being finalised: its direct arguments
/// after the value, skipping `ORDER BY` keys (resjunk entries).
unsafe fn aggregate_parameter_exprs(
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<[Option<*mut pg_sys::Expr>; 4]> {
    unsafe {
        let aggref = pg_sys::AggGetAggref(fcinfo);
        if aggref.is_null() {
            return None;
        }
        let args = (*aggref).args;
        let direct = pg_list::pointers(args)
            .map(|p| p.cast::<pg_sys::TargetEntry>())
            .filter(|&entry| !(*entry).resjunk)
            .map(|entry| (*entry).expr);
        let mut exprs = [None; 4];
        for (slot, expr) in exprs.iter_mut().zip(direct.skip(1)) {
            *slot = Some(expr);
        }
        Some(exprs)
    }
}

/// The parameter expressions of the window call being finished: the call itself when
/// [`window_call`] finds it, else those shared by the window node's calls of aggregates
/// with this final function (none when those calls pass different ones).
unsafe fn window_parameter_exprs(
    winstate: *mut pg_sys::WindowAggState,
    fcinfo: pg_sys::FunctionCallInfo,
) -> [Option<*mut pg_sys::Expr>; 4] {
    unsafe {
        let final_fn = (*(*fcinfo).flinfo).fn_oid;
        let chosen = match window_call(winstate, fcinfo) {
            Some(wfunc) => Some((*wfunc).args),
            None => match shared_window_args(winstate, final_fn) {
                Some(args) => args,
                None => return [None; 4],
            },
        };
        let mut exprs = [None; 4];
        if let Some(args) = chosen {
            for (slot, expr) in exprs.iter_mut().zip(pg_list::pointers(args).skip(1)) {
                *slot = Some(expr.cast::<pg_sys::Expr>());
            }
        }
        exprs
    }
}

/// The arguments shared by the window node's calls of aggregates finished by
/// `final_fn`: `Some(None)` when there is none, `None` when they differ.
unsafe fn shared_window_args(
    winstate: *mut pg_sys::WindowAggState,
    final_fn: pg_sys::Oid,
) -> Option<Option<*mut pg_sys::List>> {
    unsafe {
        let mut chosen: Option<*mut pg_sys::List> = None;
        for call in pg_list::pointers((*winstate).funcs) {
            let wfunc = (*call.cast::<pg_sys::WindowFuncExprState>()).wfunc;
            if !(*wfunc).winagg || !is_final_function_of((*wfunc).winfnoid, final_fn) {
                continue;
            }
            match chosen {
                None => chosen = Some((*wfunc).args),
                Some(args) => {
                    let same = pg_list::pointers(args)
                        .skip(1)
                        .zip(pg_list::pointers((*wfunc).args).skip(1))
                        .all(|(a, b)| pg_sys::equal(a.cast(), b.cast()))
                        && pg_list::len(args) == pg_list::len((*wfunc).args);
                    if !same {
                        return None;
                    }
                }
            }
        }
        Some(chosen)
    }
}

/// The head of nodeWindowAgg.c's `WindowStatePerAggData` (private to that file, the same
/// from PostgreSQL 9.4 to 18) up to `wfuncno`: a window node finishes aggregate `i`
/// through `&peragg[i].finalfn`, so the final function's `FmgrInfo` locates its
/// per-aggregate state, whose `wfuncno` names the call.
#[repr(C)]
struct WindowPerAggHead {
    transfn_oid: pg_sys::Oid,
    invtransfn_oid: pg_sys::Oid,
    finalfn_oid: pg_sys::Oid,
    transfn: pg_sys::FmgrInfo,
    invtransfn: pg_sys::FmgrInfo,
    finalfn: pg_sys::FmgrInfo,
    num_final_args: core::ffi::c_int,
    init_value: pg_sys::Datum,
    init_value_is_null: bool,
    result_value: pg_sys::Datum,
    result_value_is_null: bool,
    inputtype_len: i16,
    resulttype_len: i16,
    transtype_len: i16,
    inputtype_by_val: bool,
    resulttype_by_val: bool,
    transtype_by_val: bool,
    wfuncno: core::ffi::c_int,
}

/// The window function call whose aggregate `fcinfo` (a final function called by a
/// window node) finishes. Read from the per-aggregate state that holds the call's
/// `FmgrInfo`, and used only when everything read agrees with what the window node
/// shows: the state's final function is this function, it lies in the node's
/// per-aggregate array, and its call is one of the node's calls of an aggregate with
/// this final function; otherwise `None`.
unsafe fn window_call(
    winstate: *mut pg_sys::WindowAggState,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<*mut pg_sys::WindowFunc> {
    unsafe {
        let flinfo = (*fcinfo).flinfo.cast::<u8>();
        let peragg = (*winstate).peragg.cast::<u8>();
        let offset = core::mem::offset_of!(WindowPerAggHead, finalfn);
        if peragg.is_null() || (flinfo as usize) < peragg as usize + offset {
            return None;
        }
        let head = flinfo.sub(offset).cast::<WindowPerAggHead>();
        // The whole per-aggregate struct is the head and five more fields (under 2x
        // the head): a head past this bound is not in the node's array.
        let last = peragg as usize
            + (*winstate).numaggs.max(0) as usize * size_of::<WindowPerAggHead>() * 2;
        let final_fn = (*(*fcinfo).flinfo).fn_oid;
        if head as usize > last || (*head).finalfn_oid != final_fn {
            return None;
        }
        let wfuncno = (*head).wfuncno;
        pg_list::pointers((*winstate).funcs)
            .map(|call| call.cast::<pg_sys::WindowFuncExprState>())
            .find(|&state| (*state).wfuncno == wfuncno)
            .map(|state| (*state).wfunc)
            .filter(|&wfunc| (*wfunc).winagg && is_final_function_of((*wfunc).winfnoid, final_fn))
    }
}

/// The input types (first argument) of the window node's calls of aggregates that
/// `fcinfo`'s function finishes; nothing outside a window node.
pub(crate) unsafe fn window_aggregate_inputs(
    fcinfo: pg_sys::FunctionCallInfo,
) -> impl Iterator<Item = pg_sys::Oid> {
    unsafe {
        let context = (*fcinfo).context;
        let funcs = if !context.is_null() && (*context).type_ == pg_sys::NodeTag::T_WindowAggState {
            (*context.cast::<pg_sys::WindowAggState>()).funcs
        } else {
            ptr::null_mut()
        };
        let final_fn = (*(*fcinfo).flinfo).fn_oid;
        let exact = (!funcs.is_null())
            .then(|| window_call(context.cast(), fcinfo))
            .flatten();
        pg_list::pointers(funcs).filter_map(move |call| {
            let wfunc = (*call.cast::<pg_sys::WindowFuncExprState>()).wfunc;
            let this_call = exact.is_none_or(|e| core::ptr::eq(e, wfunc));
            ((*wfunc).winagg && this_call && is_final_function_of((*wfunc).winfnoid, final_fn))
                .then(|| pg_list::pointers((*wfunc).args).next())
                .flatten()
                .map(|arg| pg_sys::exprType(arg.cast()))
        })
    }
}

/// The leading columns of a `pg_aggregate` row (catalog/pg_aggregate.h, the same from
/// PostgreSQL 9.6 to 18; pgrx does not bind the catalog struct).
#[repr(C)]
struct AggregateRowStart {
    aggfnoid: pg_sys::Oid,
    aggkind: core::ffi::c_char,
    aggnumdirectargs: i16,
    aggtransfn: pg_sys::Oid,
    aggfinalfn: pg_sys::Oid,
    aggcombinefn: pg_sys::Oid,
    aggserialfn: pg_sys::Oid,
    aggdeserialfn: pg_sys::Oid,
    aggmtransfn: pg_sys::Oid,
    aggminvtransfn: pg_sys::Oid,
    aggmfinalfn: pg_sys::Oid,
}

/// Whether `function` is a final function (plain or moving) of aggregate `aggfnoid`.
unsafe fn is_final_function_of(aggfnoid: pg_sys::Oid, function: pg_sys::Oid) -> bool {
    unsafe {
        let (plain, moving) = aggregate_final_functions(aggfnoid);
        function == plain || function == moving
    }
}

/// The plain and moving final functions of aggregate `aggfnoid` (invalid if it is not
/// an aggregate or has none).
unsafe fn aggregate_final_functions(aggfnoid: pg_sys::Oid) -> (pg_sys::Oid, pg_sys::Oid) {
    unsafe {
        let tuple = pg_sys::SearchSysCache1(
            pg_sys::SysCacheIdentifier::AGGFNOID as i32,
            pg_sys::Datum::from(aggfnoid),
        );
        if tuple.is_null() {
            return (pg_sys::InvalidOid, pg_sys::InvalidOid);
        }
        let aggregate = pg_sys::heap_tuple_get_struct::<AggregateRowStart>(tuple);
        debug_assert_eq!((*aggregate).aggfnoid, aggfnoid);
        let finals = ((*aggregate).aggfinalfn, (*aggregate).aggmfinalfn);
        pg_sys::ReleaseSysCache(tuple);
        finals
    }
}

/// The value of a parameter expression that does not depend on the row, evaluated in
/// the aggregate or window node (its parameters and init plans); `None` when it is NULL or
/// depends on the row.
unsafe fn row_independent_value(
    expr: *mut pg_sys::Expr,
    planstate: *mut pg_sys::PlanState,
) -> Option<pg_sys::Datum> {
    unsafe {
        let node = expr.cast::<pg_sys::Node>();
        if (*node).type_ == pg_sys::NodeTag::T_Const {
            let constant = expr.cast::<pg_sys::Const>();
            return (!(*constant).constisnull).then_some((*constant).constvalue);
        }
        if pg_sys::contain_var_clause(node)
            || pg_sys::contain_agg_clause(node)
            || pg_sys::contain_window_function(node)
        {
            return None;
        }
        let state = pg_sys::ExecInitExpr(expr, planstate);
        let econtext = (*planstate).ps_ExprContext;
        let evaluate = (*state).evalfunc.expect("an initialised expression");
        let previous = pg_sys::MemoryContextSwitchTo((*econtext).ecxt_per_tuple_memory);
        let mut isnull = false;
        let value = evaluate(state, econtext, &mut isnull);
        pg_sys::MemoryContextSwitchTo(previous);
        (!isnull).then_some(value)
    }
}

v1_function_info!(
    pg_finfo_hll_add_trans,
    pg_finfo_hll_sketch_trans,
    pg_finfo_hll_count_final,
    pg_finfo_hll_union_trans,
    pg_finfo_hll_agg_combine,
    pg_finfo_hll_agg_serialize,
    pg_finfo_hll_agg_deserialize,
    pg_finfo_hll_add_final,
    pg_finfo_hll_union_final,
);

/// Adds the hash of argument 1 to the group's state, creating it on the first row.
#[inline(always)]
pub(crate) unsafe fn add_transition(
    fcinfo: pg_sys::FunctionCallInfo,
    dialect: Dialect,
    hash_of: impl FnOnce(pg_sys::Datum) -> u64,
) -> pg_sys::Datum {
    unsafe {
        let mut state = state_arg(fcinfo, 0);
        if state.is_null() {
            let params = params_from_args(fcinfo, 2, dialect);
            state = new_state(aggregate_context(fcinfo), |alloc| {
                Ok(Sketch::new_in(params, alloc))
            });
        }
        if let Some(value) = arg(fcinfo, 1) {
            check((*state).sketch.add_hash(hash_of(value)), Origin::Stored);
        }
        pg_sys::Datum::from(state)
    }
}

/// `hll_add_trans(internal, hll_hashval [, log2m [, regwidth [, expthresh [, sparseon]]]])`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_add_trans(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { add_transition(fcinfo, Dialect::Native, |hash| hash.value() as u64) })
}

/// `hll_sketch_trans(internal, anyelement [, ...])`: hashes the value as `hll_hash_any`
/// does (seed 0), with the type looked up once per call site.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_sketch_trans(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let info = TypeInfo::of_argument(fcinfo, 1, Family::Xxh3);
        add_transition(fcinfo, Dialect::Native, |value| info.hash(value, 0))
    })
}

/// `hll_union_trans(internal, hll)`: the first non-null sketch sets the parameters.
///
/// # Safety
/// Called by PostgreSQL as an aggregate transition function.
#[no_mangle]
pub unsafe extern "C" fn hll_union_trans(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let mut state = state_arg(fcinfo, 0);
        if let Some(value) = arg(fcinfo, 1) {
            let stored = check(StoredSketch::parse(varlena_bytes(value)), Origin::Stored);
            if state.is_null() {
                state = new_state(aggregate_context(fcinfo), |alloc| {
                    Ok(Sketch::new_in(stored.params(), alloc))
                });
            }
            check((*state).sketch.union(&stored), Origin::Stored);
        }
        return_state(fcinfo, state)
    })
}

/// `hll_agg_combine(internal, internal)`: merges two partial states.
///
/// # Safety
/// Called by PostgreSQL as an aggregate combine function.
#[no_mangle]
pub unsafe extern "C" fn hll_agg_combine(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| {
        unsafe {
            let (a, b) = (state_arg(fcinfo, 0), state_arg(fcinfo, 1));
            let result = match (a.is_null(), b.is_null()) {
                (_, true) => a,
                (true, false) => {
                    // The second state may live in a shorter-lived context: copy it.
                    new_state(aggregate_context(fcinfo), |alloc| {
                        let mut copy = Sketch::new_in((*b).sketch.params(), alloc);
                        copy.union(&(*b).sketch).map(|()| copy)
                    })
                }
                (false, false) => {
                    check((*a).sketch.union(&(*b).sketch), Origin::Stored);
                    a
                }
            };
            return_state(fcinfo, result)
        }
    })
}

/// `hll_agg_serialize(internal) -> bytea`: the storage format of the partial sketch.
///
/// # Safety
/// Called by PostgreSQL as an aggregate serialization function.
#[no_mangle]
pub unsafe extern "C" fn hll_agg_serialize(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { Hll::from_sketch(&(*state_arg(fcinfo, 0)).sketch).into_raw_datum() })
}

/// `hll_agg_deserialize(bytea, internal) -> internal`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate deserialization function.
#[no_mangle]
pub unsafe extern "C" fn hll_agg_deserialize(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| {
        unsafe {
            let bytes = varlena_bytes(arg(fcinfo, 0).expect("strict function"));
            // Runs in a per-call context: the combine function copies what it keeps.
            let state = new_state(pg_sys::CurrentMemoryContext, |alloc| {
                Sketch::decode_in(bytes, alloc)
            });
            pg_sys::Datum::from(state)
        }
    })
}

/// `hll_add_final(internal) -> hll`: an EMPTY sketch when no row was aggregated.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_add_final(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { sketch_final(fcinfo, Dialect::Native) })
}

/// The sketch of the state; with no state, an EMPTY sketch with the call's constant
/// parameters, or NULL when they are not known here.
pub(crate) unsafe fn sketch_final(
    fcinfo: pg_sys::FunctionCallInfo,
    dialect: Dialect,
) -> pg_sys::Datum {
    unsafe {
        let state = state_arg(fcinfo, 0);
        if !state.is_null() {
            return Hll::from_sketch(&(*state).sketch).into_raw_datum();
        }
        match params_from_aggref(fcinfo, dialect) {
            Some(params) => Hll::from_sketch(&Sketch::new(params)).into_raw_datum(),
            None => return_state(fcinfo, ptr::null_mut()),
        }
    }
}

/// The cardinality of the state by the chosen estimator; 0 with no state.
pub(crate) unsafe fn state_cardinality(fcinfo: pg_sys::FunctionCallInfo) -> f64 {
    unsafe {
        let state = state_arg(fcinfo, 0);
        if state.is_null() {
            0.0
        } else {
            (*state)
                .sketch
                .cardinality_with(settings::estimator())
                .unwrap_or(0.0)
        }
    }
}

/// `hll_count_final(internal) -> bigint`: the rounded cardinality, 0 for no rows.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_count_final(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(state_cardinality(fcinfo).round() as i64) })
}

/// `hll_union_final(internal) -> hll`: NULL when no sketch was aggregated.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_union_final(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let state = state_arg(fcinfo, 0);
        if state.is_null() {
            return return_state(fcinfo, state);
        }
        Hll::from_sketch(&(*state).sketch).into_raw_datum()
    })
}
