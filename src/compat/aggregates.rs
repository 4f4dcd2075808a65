//! postgresql-hll's aggregate support functions under its C symbols, over this
//! extension's aggregate state (which grows with its content, where the peer's takes
//! about 128 KiB per group).

use pgrx::prelude::*;

use crate::aggregates::{
    add_transition, hll_agg_combine, hll_agg_deserialize, hll_agg_serialize, hll_union_final,
    sketch_final, state_cardinality, window_aggregate_inputs,
};
use crate::fmgr::{float8, guarded, v1_function_info};
use crate::settings::Dialect;

v1_function_info!(
    pg_finfo_hll_add_trans0,
    pg_finfo_hll_add_trans1,
    pg_finfo_hll_add_trans2,
    pg_finfo_hll_add_trans3,
    pg_finfo_hll_add_trans4,
    pg_finfo_hll_pack,
    pg_finfo_hll_card_unpacked,
    pg_finfo_hll_floor_card_unpacked,
    pg_finfo_hll_ceil_card_unpacked,
    pg_finfo_hll_union_internal,
    pg_finfo_hll_serialize,
    pg_finfo_hll_deserialize,
);

macro_rules! add_transitions {
    ($($name:ident),*) => {
        $(
            /// `hll_add_transN(internal, hll_hashval, ...)`: N parameters, read when a
            /// group's state is created, by postgresql-hll's rules.
            ///
            /// # Safety
            /// Called by PostgreSQL as an aggregate transition function.
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $name(
                fcinfo: pg_sys::FunctionCallInfo,
            ) -> pg_sys::Datum {
                guarded(|| unsafe {
                    add_transition(fcinfo, Dialect::Peer, |hash| hash.value() as u64)
                })
            }
        )*
    };
}
add_transitions!(
    hll_add_trans0,
    hll_add_trans1,
    hll_add_trans2,
    hll_add_trans3,
    hll_add_trans4
);

/// Whether the aggregate being finished takes `hll` values (`hll_union_agg`), whose
/// input is a variable-length type; `hll_add_agg` takes the 8-byte `hll_hashval`. In a
/// window node, which has no Aggref to ask, the window's calls of aggregates finished by
/// this function say it: a union when every such call takes `hll` values (a window
/// clause holding both kinds finishes an empty frame as a union, NULL, which is also
/// what postgresql-hll returns for both).
unsafe fn is_union_aggregate(fcinfo: pg_sys::FunctionCallInfo) -> bool {
    unsafe {
        let takes_varlena = |t: pg_sys::Oid| pg_sys::get_typlen(t) == -1;
        let aggref = pg_sys::AggGetAggref(fcinfo);
        if !aggref.is_null() {
            let types = (*aggref).aggargtypes;
            return !types.is_null()
                && (*types).length >= 1
                && takes_varlena((*(*types).elements).oid_value);
        }
        let mut inputs = window_aggregate_inputs(fcinfo).peekable();
        inputs.peek().is_some() && inputs.any(takes_varlena)
    }
}

/// `hll_pack(internal) -> hll`, the final function of both aggregates in
/// postgresql-hll's catalog: the sketch; over zero rows an EMPTY sketch for
/// `hll_add_agg` (the peer returns NULL) and NULL for `hll_union_agg`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_pack(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        if is_union_aggregate(fcinfo) {
            return hll_union_final(fcinfo);
        }
        guarded(|| sketch_final(fcinfo, Dialect::Peer))
    }
}

/// `hll_card_unpacked(internal) -> double precision`: the cardinality of the state.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_card_unpacked(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { float8(state_cardinality(fcinfo)) })
}

/// `hll_floor_card_unpacked(internal) -> bigint`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_floor_card_unpacked(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(state_cardinality(fcinfo).floor() as i64) })
}

/// `hll_ceil_card_unpacked(internal) -> bigint`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate final function.
#[no_mangle]
pub unsafe extern "C" fn hll_ceil_card_unpacked(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe { pg_sys::Datum::from(state_cardinality(fcinfo).ceil() as i64) })
}

/// `hll_union_internal(internal, internal) -> internal`: the combine function.
///
/// # Safety
/// Called by PostgreSQL as an aggregate combine function.
#[no_mangle]
pub unsafe extern "C" fn hll_union_internal(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { hll_agg_combine(fcinfo) }
}

/// `hll_serialize(internal) -> bytea`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate serialization function.
#[no_mangle]
pub unsafe extern "C" fn hll_serialize(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { hll_agg_serialize(fcinfo) }
}

/// `hll_deserialize(bytea, internal) -> internal`.
///
/// # Safety
/// Called by PostgreSQL as an aggregate deserialization function.
#[no_mangle]
pub unsafe extern "C" fn hll_deserialize(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { hll_agg_deserialize(fcinfo) }
}
