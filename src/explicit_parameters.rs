//! Parameters that travel with the query, for Citus.
//!
//! `hll_add_agg(x)`, `hll_sketch(x)` and `hll_count_distinct(x)` without all four
//! parameters take the missing ones from the `hyperloglog.default_*` settings of the
//! backend that runs them. On Citus that is a worker, which does not see the
//! coordinator's `SET`. So when Citus is loaded, the planner hook completes every such
//! call to the five-argument form, the session's settings written as constants, before
//! Citus deparses the worker queries: the workers build the sketches the session asked
//! for, and an empty group gets an EMPTY sketch with those parameters. Only the plan
//! changes (view definitions keep their text), and without Citus nothing changes.

use core::ffi::CStr;

use pgrx::pg_sys;

use crate::settings;

/// Whether Citus is loaded in this backend.
fn citus_loaded() -> bool {
    // SAFETY: a lookup of a setting by name; NULL when no library defined it.
    unsafe { !pg_sys::GetConfigOption(c"citus.version".as_ptr(), true, false).is_null() }
}

/// Completes the parameters of this extension's aggregates in `parse` (with Citus).
///
/// # Safety
/// `parse` must be a valid query tree about to be planned.
pub unsafe fn complete(parse: *mut pg_sys::Query) {
    if citus_loaded() {
        let mut extension = Extension::Unknown;
        unsafe { walk(parse.cast(), (&raw mut extension).cast()) };
    }
}

/// The oid of the `hyperloglog` extension, looked up on the first candidate call.
enum Extension {
    Unknown,
    Known(pg_sys::Oid),
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn walk(node: *mut pg_sys::Node, context: *mut core::ffi::c_void) -> bool {
    unsafe {
        if node.is_null() {
            return false;
        }
        match (*node).type_ {
            pg_sys::NodeTag::T_Query => {
                return pg_sys::query_tree_walker(node.cast(), Some(walk), context, 0);
            }
            pg_sys::NodeTag::T_Aggref => {
                complete_aggref(node.cast(), &mut *context.cast::<Extension>());
            }
            _ => {}
        }
        pg_sys::expression_tree_walker(node, Some(walk), context)
    }
}

/// The SQL types of the four parameters, in order.
const PARAMETER_TYPES: [pg_sys::Oid; 4] = [
    pg_sys::INT4OID,
    pg_sys::INT4OID,
    pg_sys::INT8OID,
    pg_sys::INT4OID,
];

unsafe fn complete_aggref(aggref: *mut pg_sys::Aggref, extension: &mut Extension) {
    unsafe {
        let a = &mut *aggref;
        let given = if a.args.is_null() {
            0
        } else {
            (*a.args).length as usize
        };
        if !(1..5).contains(&given) || !a.aggdistinct.is_null() || !a.aggorder.is_null() {
            return;
        }
        let name = pg_sys::get_func_name(a.aggfnoid);
        if name.is_null()
            || ![c"hll_add_agg", c"hll_sketch", c"hll_count_distinct"]
                .contains(&CStr::from_ptr(name))
        {
            return;
        }
        let ours = match *extension {
            Extension::Known(oid) => oid,
            Extension::Unknown => {
                let oid = pg_sys::get_extension_oid(c"hyperloglog".as_ptr(), true);
                *extension = Extension::Known(oid);
                oid
            }
        };
        let owner = pg_sys::getExtensionOfObject(pg_sys::ProcedureRelationId, a.aggfnoid);
        if ours == pg_sys::InvalidOid || owner != ours {
            return;
        }
        let mut types = [pg_sys::InvalidOid; 5];
        let mut nargs = 0;
        let mut declared: *mut pg_sys::Oid = core::ptr::null_mut();
        pg_sys::get_func_signature(a.aggfnoid, &mut declared, &mut nargs);
        types[0] = *declared;
        types[1..].copy_from_slice(&PARAMETER_TYPES);
        let qualified = pg_sys::list_make2_impl(
            pg_sys::NodeTag::T_List,
            pg_sys::ListCell {
                ptr_value: pg_sys::makeString(pg_sys::get_namespace_name(
                    pg_sys::get_func_namespace(a.aggfnoid),
                ))
                .cast(),
            },
            pg_sys::ListCell {
                ptr_value: pg_sys::makeString(name).cast(),
            },
        );
        let full = pg_sys::LookupFuncName(qualified, 5, types.as_ptr(), true);
        if full == pg_sys::InvalidOid {
            return;
        }
        let (log2m, regwidth, expthresh, sparseon) = settings::defaults();
        let values = [
            pg_sys::Datum::from(log2m),
            pg_sys::Datum::from(regwidth),
            pg_sys::Datum::from(expthresh),
            pg_sys::Datum::from(sparseon),
        ];
        for position in given..5 {
            let typid = types[position];
            let constant = pg_sys::makeConst(
                typid,
                -1,
                pg_sys::InvalidOid,
                if typid == pg_sys::INT8OID { 8 } else { 4 },
                values[position - 1],
                false,
                true,
            );
            let entry = pg_sys::makeTargetEntry(
                constant.cast(),
                (position + 1) as i16,
                core::ptr::null_mut(),
                false,
            );
            a.args = pg_sys::lappend(a.args, entry.cast());
            a.aggargtypes = pg_sys::lappend_oid(a.aggargtypes, typid);
        }
        a.aggfnoid = full;
    }
}
