//! Approximate `count(DISTINCT expr)` by a setting, for SQL that BI tools write
//! themselves: with `hyperloglog.count_distinct_error_rate` above 0, the planner hook
//! replaces every qualifying `count(DISTINCT expr)` of a query (select list, HAVING,
//! grouping sets, FILTER, subqueries, CTEs, views) by `hll_count_distinct(expr, log2m)`,
//! with log2m chosen from the rate (`hll_core::error_rate`). Both return `bigint`, so
//! nothing around the call changes; EXPLAIN VERBOSE shows the call.
//!
//! A type qualifies when its canonical hash (`crate::canonical`, the one
//! `hll_count_distinct` uses) takes values as equal exactly when `count(DISTINCT)` does,
//! on every server: integers, floats (-0 = 0), numeric (1.0 = 1.00), intervals
//! ('1 day' = '24 hours'), char(n), enums, jsonb, types whose B-tree equality is their
//! bytes (dates and times, uuid, bytea, text under a deterministic collation, ...),
//! and arrays, row values, ranges and multiranges of those, and domains over them.
//! Text under a nondeterministic collation, citext and the rest keep the exact plan
//! (README, "BI tools"). Changing the setting resets this session's cached plans, so
//! prepared statements are planned again.

use core::ffi::CStr;

use hll_core::error_rate::log2m_for_error_rate;
use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::pg_sys;

use crate::canonical;
use crate::pg_list;

static ERROR_RATE: GucSetting<f64> = GucSetting::<f64>::new(0.0);
static mut PREVIOUS_PLANNER: pg_sys::planner_hook_type = None;

/// Registers the setting and the planner hook; called once from `_PG_init`.
pub fn register() {
    GucRegistry::define_float_guc_with_hooks(
        c"hyperloglog.count_distinct_error_rate",
        c"Plans count(DISTINCT x) as hll_count_distinct(x) with this relative standard error (0: off).",
        c"Needs the library preloaded (session_preload_libraries or shared_preload_libraries).",
        &ERROR_RATE,
        0.0,
        1.0,
        GucContext::Userset,
        GucFlags::default(),
        None,
        Some(reset_plans),
        None,
    );
    // SAFETY: _PG_init runs once per backend, before this library plans anything.
    unsafe {
        PREVIOUS_PLANNER = pg_sys::planner_hook;
        pg_sys::planner_hook = Some(plan);
        if ERROR_RATE.get() > 0.0 && !preloaded() {
            pgrx::warning!(
                "hyperloglog.count_distinct_error_rate is set, but the hyperloglog library was \
                 loaded only now: statements planned before used exact count(DISTINCT). Add \
                 hyperloglog to session_preload_libraries (or shared_preload_libraries)."
            );
        }
    }
}

/// Whether a preload setting names this library.
unsafe fn preloaded() -> bool {
    [
        c"shared_preload_libraries",
        c"session_preload_libraries",
        c"local_preload_libraries",
    ]
    .iter()
    .any(|name| unsafe {
        let value = pg_sys::GetConfigOption(name.as_ptr(), true, false);
        !value.is_null()
            && CStr::from_ptr(value)
                .to_string_lossy()
                .contains("hyperloglog")
    })
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn reset_plans(_value: f64, _extra: *mut core::ffi::c_void) {
    // Cached plans were made under the old rate; plan them again.
    unsafe { pg_sys::ResetPlanCache() }
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn plan(
    parse: *mut pg_sys::Query,
    query_string: *const core::ffi::c_char,
    cursor_options: core::ffi::c_int,
    bound_params: pg_sys::ParamListInfo,
) -> *mut pg_sys::PlannedStmt {
    unsafe {
        if let Some(log2m) = log2m_for_error_rate(ERROR_RATE.get()) {
            let mut context = Rewrite { log2m };
            rewrite(parse.cast(), (&raw mut context).cast());
        }
        crate::explicit_parameters::complete(parse);
        match PREVIOUS_PLANNER {
            Some(previous) => previous(parse, query_string, cursor_options, bound_params),
            None => pg_sys::standard_planner(parse, query_string, cursor_options, bound_params),
        }
    }
}

struct Rewrite {
    log2m: u8,
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn rewrite(
    node: *mut pg_sys::Node,
    context: *mut core::ffi::c_void,
) -> bool {
    unsafe {
        if node.is_null() {
            return false;
        }
        match (*node).type_ {
            pg_sys::NodeTag::T_Query => {
                return pg_sys::query_tree_walker(node.cast(), Some(rewrite), context, 0);
            }
            pg_sys::NodeTag::T_Aggref => {
                rewrite_aggref(node.cast(), &mut *context.cast::<Rewrite>());
            }
            _ => {}
        }
        pg_sys::expression_tree_walker(node, Some(rewrite), context)
    }
}

/// Turns `count(DISTINCT x)` into `hll_count_distinct(x, log2m)` when `x` qualifies.
unsafe fn rewrite_aggref(aggref: *mut pg_sys::Aggref, context: &mut Rewrite) {
    unsafe {
        let a = &mut *aggref;
        if a.aggfnoid != pg_sys::Oid::from(pg_sys::F_COUNT_ANY)
            || a.aggdistinct.is_null()
            || a.aggstar
            || pg_list::len(a.args) != 1
        {
            return;
        }
        let Some(entry) = pg_list::pointers(a.args).next() else {
            return;
        };
        let entry = entry.cast::<pg_sys::TargetEntry>();
        let expr = (*entry).expr.cast::<pg_sys::Node>();
        if !qualifies(expr) {
            return;
        }
        let argtype = pg_sys::exprType(expr);
        let target = target(argtype);
        if target == pg_sys::InvalidOid {
            return;
        }
        let log2m = pg_sys::makeConst(
            pg_sys::INT4OID,
            -1,
            pg_sys::InvalidOid,
            4,
            pg_sys::Datum::from(i32::from(context.log2m)),
            false,
            true,
        );
        let second = pg_sys::makeTargetEntry(log2m.cast(), 2, core::ptr::null_mut(), false);
        a.args = pg_sys::lappend(a.args, second.cast());
        a.aggargtypes = pg_sys::lappend_oid(a.aggargtypes, pg_sys::INT4OID);
        a.aggdistinct = core::ptr::null_mut();
        a.aggorder = core::ptr::null_mut();
        a.aggfnoid = target;
    }
}

/// Whether `hll_count_distinct` counts the values of `expr` as `count(DISTINCT)` does:
/// their canonical hashes are equal exactly when the values are (see
/// [`crate::canonical::counts_as_distinct`]). A row expression of an anonymous row type
/// (`count(DISTINCT (a, b))`) is judged by its fields.
unsafe fn qualifies(expr: *mut pg_sys::Node) -> bool {
    unsafe {
        let typid = pg_sys::exprType(expr);
        if pg_sys::getBaseType(typid) == pg_sys::RECORDOID {
            let desc = pg_sys::get_expr_result_tupdesc(expr, true);
            return !desc.is_null() && canonical::fields_qualify(desc);
        }
        canonical::counts_as_distinct(typid, pg_sys::exprCollation(expr))
    }
}

/// The oid of this extension's `hll_count_distinct(argtype, integer)` when it takes
/// that type by name (Citus runs only those on its workers), else of
/// `hll_count_distinct(anyelement, integer)`, wherever its schema is; `InvalidOid` when
/// the extension is not installed in this database.
unsafe fn target(argtype: pg_sys::Oid) -> pg_sys::Oid {
    unsafe {
        let extension = pg_sys::get_extension_oid(c"hyperloglog".as_ptr(), true);
        if extension == pg_sys::InvalidOid {
            return pg_sys::InvalidOid;
        }
        let name = pg_sys::Datum::from(c"hll_count_distinct".as_ptr());
        let list = pg_sys::SearchSysCacheList(
            pg_sys::SysCacheIdentifier::PROCNAMEARGSNSP as i32,
            1,
            name,
            pg_sys::Datum::from(0),
            pg_sys::Datum::from(0),
        );
        let (mut exact, mut generic) = (pg_sys::InvalidOid, pg_sys::InvalidOid);
        for i in 0..(*list).n_members as usize {
            let tuple = &raw mut (**(*list).members.as_ptr().add(i)).tuple;
            let proc = (*tuple)
                .t_data
                .cast::<u8>()
                .add(usize::from((*(*tuple).t_data).t_hoff))
                .cast::<pg_sys::FormData_pg_proc>();
            if (*proc).pronargs != 2
                || pg_sys::getExtensionOfObject(pg_sys::ProcedureRelationId, (*proc).oid)
                    != extension
            {
                continue;
            }
            match (*proc).proargtypes.values.as_slice(2) {
                [t, pg_sys::INT4OID] if *t == argtype => exact = (*proc).oid,
                [pg_sys::ANYELEMENTOID, pg_sys::INT4OID] => generic = (*proc).oid,
                _ => {}
            }
        }
        pg_sys::ReleaseCatCacheList(list);
        if exact != pg_sys::InvalidOid {
            exact
        } else {
            generic
        }
    }
}
