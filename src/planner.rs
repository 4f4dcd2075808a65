//! `hll.force_groupagg`: postgresql-hll's setting that makes the planner prefer sorted
//! group aggregation to hashing for queries that use hll aggregates. Here the states
//! grow with their content, so hashing is usually right; the setting exists because
//! scripts and Citus set it, and it does what it says: hashed aggregation paths of such
//! queries are priced out (not removed, so a query that can only hash still runs).

use core::ffi::CStr;

use pgrx::pg_sys;

use crate::pg_list;
use crate::settings;

static mut PREVIOUS_HOOK: pg_sys::create_upper_paths_hook_type = None;

/// Installs the hook; called once from `_PG_init`.
pub fn register() {
    // SAFETY: _PG_init runs once per backend, before any planning, single-threaded.
    unsafe {
        PREVIOUS_HOOK = pg_sys::create_upper_paths_hook;
        pg_sys::create_upper_paths_hook = Some(force_groupagg_hook);
    }
}

/// The aggregates of this library, by name.
const HLL_AGGREGATES: [&[u8]; 4] = [
    b"hll_add_agg",
    b"hll_union_agg",
    b"hll_sketch",
    b"hll_count_distinct",
];

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn force_groupagg_hook(
    root: *mut pg_sys::PlannerInfo,
    stage: pg_sys::UpperRelationKind::Type,
    input_rel: *mut pg_sys::RelOptInfo,
    output_rel: *mut pg_sys::RelOptInfo,
    extra: *mut core::ffi::c_void,
) {
    unsafe {
        if let Some(previous) = PREVIOUS_HOOK {
            previous(root, stage, input_rel, output_rel, extra);
        }
        if stage != pg_sys::UpperRelationKind::UPPERREL_GROUP_AGG
            || !settings::force_groupagg()
            || !uses_hll_aggregate((*root).parse)
        {
            return;
        }
        for path in pg_list::pointers((*output_rel).pathlist) {
            let path = path.cast::<pg_sys::Path>();
            if (*path).type_ == pg_sys::NodeTag::T_AggPath
                && (*path.cast::<pg_sys::AggPath>()).aggstrategy == pg_sys::AggStrategy::AGG_HASHED
            {
                (*path).startup_cost += pg_sys::disable_cost;
                (*path).total_cost += pg_sys::disable_cost;
            }
        }
    }
}

/// Whether the query's target list or HAVING clause calls an hll aggregate.
unsafe fn uses_hll_aggregate(query: *mut pg_sys::Query) -> bool {
    unsafe {
        !query.is_null()
            && (*query).hasAggs
            && (finds_hll_aggregate((*query).targetList.cast(), core::ptr::null_mut())
                || finds_hll_aggregate((*query).havingQual, core::ptr::null_mut()))
    }
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn finds_hll_aggregate(
    node: *mut pg_sys::Node,
    context: *mut core::ffi::c_void,
) -> bool {
    unsafe {
        if node.is_null() {
            return false;
        }
        if (*node).type_ == pg_sys::NodeTag::T_Aggref {
            let name = pg_sys::get_func_name((*node.cast::<pg_sys::Aggref>()).aggfnoid);
            return !name.is_null() && HLL_AGGREGATES.contains(&CStr::from_ptr(name).to_bytes());
        }
        pg_sys::expression_tree_walker(node, Some(finds_hll_aggregate), context)
    }
}
