//! Scalar functions and operators on `hll`.

use std::fmt::Write;

use serde::Serialize;

use hll_core::{Sketch, StorageType, StoredSketch};
use pgrx::prelude::*;

use crate::datum::{decode, varlena_bytes, HashVal, Hll};
use crate::fmgr::{float8, guarded, return_null, strict_arg, v1_function_info};
use crate::settings;
use crate::sqlstate::{check, Origin};

v1_function_info!(pg_finfo_hll_cardinality);

/// `hll_cardinality(hll) -> double precision`: exact in EXPLICIT form, estimated from
/// the register histogram otherwise (read in place, nothing decoded), NULL when
/// UNDEFINED.
///
/// # Safety
/// Called by PostgreSQL as a STRICT function with an `hll` argument.
#[no_mangle]
pub unsafe extern "C" fn hll_cardinality(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    guarded(|| unsafe {
        let bytes = varlena_bytes(strict_arg(fcinfo, 0));
        match check(StoredSketch::parse(bytes), Origin::Stored)
            .cardinality_with(settings::estimator())
        {
            Some(n) => float8(n),
            None => return_null(fcinfo),
        }
    })
}

/// The union of two sketches with the same parameters.
#[pg_extern(immutable, parallel_safe)]
fn hll_union(a: Hll<'_>, b: Hll<'_>) -> Hll<'static> {
    let mut sketch = a.sketch();
    check(sketch.union(&b.stored()), Origin::Stored);
    Hll::from_sketch(&sketch)
}

/// The sketch with one more hash.
#[pg_extern(immutable, parallel_safe)]
fn hll_add(value: Hll<'_>, hash: HashVal) -> Hll<'static> {
    let mut sketch = value.sketch();
    check(sketch.add_hash(hash.0 as u64), Origin::Stored);
    Hll::from_sketch(&sketch)
}

/// `hll_add` with the arguments swapped, for `hashval || hll`.
#[pg_extern(immutable, parallel_safe)]
fn hll_add_rev(hash: HashVal, value: Hll<'_>) -> Hll<'static> {
    hll_add(value, hash)
}

/// An EMPTY sketch; parameters left NULL come from the `hyperloglog.default_*` settings.
#[pg_extern(stable, parallel_safe)]
fn hll_empty(
    log2m: default!(Option<i32>, "NULL"),
    regwidth: default!(Option<i32>, "NULL"),
    expthresh: default!(Option<i64>, "NULL"),
    sparseon: default!(Option<i32>, "NULL"),
) -> Hll<'static> {
    let params = settings::params(log2m, regwidth, expthresh, sparseon);
    Hll::from_sketch(&Sketch::new(params))
}

/// The schema version of the storage format (always 1).
#[pg_extern(immutable, parallel_safe)]
fn hll_schema_version(value: Hll<'_>) -> i32 {
    i32::from(value.stored().schema_version())
}

/// The stored type: 0 UNDEFINED, 1 EMPTY, 2 EXPLICIT, 3 SPARSE, 4 FULL.
#[pg_extern(immutable, parallel_safe)]
fn hll_type(value: Hll<'_>) -> i32 {
    value.stored().kind() as i32
}

/// log2 of the number of registers.
#[pg_extern(immutable, parallel_safe)]
fn hll_log2m(value: Hll<'_>) -> i32 {
    value.stored().params().log2m().into()
}

/// Bits per register.
#[pg_extern(immutable, parallel_safe)]
fn hll_regwidth(value: Hll<'_>) -> i32 {
    value.stored().params().regwidth().into()
}

/// The explicit threshold as specified (-1 auto, 0 off, n) and as in effect.
#[pg_extern(immutable, parallel_safe)]
fn hll_expthresh(
    value: Hll<'_>,
) -> TableIterator<'static, (name!(specified, i64), name!(effective, i64))> {
    let params = value.stored().params();
    TableIterator::once((params.expthresh_value(), params.explicit_threshold() as i64))
}

/// 1 if SPARSE may be written, else 0.
#[pg_extern(immutable, parallel_safe)]
fn hll_sparseon(value: Hll<'_>) -> i32 {
    i32::from(value.stored().params().sparseon())
}

/// A human-readable description of the sketch and its content.
#[pg_extern(immutable, parallel_safe)]
fn hll_print(value: Hll<'_>) -> String {
    let stored = value.stored();
    let p = stored.params();
    let mut out = String::new();
    let kind = stored.kind().name();
    let _ = write!(
        out,
        "{kind}, log2m={}, regwidth={}, expthresh={} ({}), sparseon={}",
        p.log2m(),
        p.regwidth(),
        p.expthresh_value(),
        p.explicit_threshold(),
        u8::from(p.sparseon())
    );
    match stored.kind() {
        StorageType::Explicit => {
            let values: Vec<u64> = stored.explicit_values().collect();
            let _ = write!(out, ", {} values:", values.len());
            for v in values {
                let _ = write!(out, "\n{}", v as i64);
            }
        }
        StorageType::Sparse | StorageType::Full => {
            let sketch = decode(&stored);
            let nonzero: Vec<(usize, u8)> = match sketch.repr() {
                hll_core::Repr::Sparse(s) => s.iter().map(|(i, v)| (i as usize, v)).collect(),
                hll_core::Repr::Dense(d) => d
                    .registers()
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0)
                    .map(|(i, &v)| (i, v))
                    .collect(),
                _ => Vec::new(),
            };
            let _ = write!(out, ", {} of {} registers set:", nonzero.len(), p.m());
            for (i, v) in nonzero {
                let _ = write!(out, "\n{i}: {v}");
            }
        }
        _ => {}
    }
    out
}

/// What `hll_info` reports about a sketch.
#[derive(Serialize)]
struct SketchInfo {
    schema_version: u8,
    representation: &'static str,
    log2m: u8,
    regwidth: u8,
    expthresh: i64,
    expthresh_effective: usize,
    sparseon: bool,
    registers: usize,
    explicit_values: Option<usize>,
    registers_set: Option<usize>,
    size_bytes: usize,
    cardinality: Option<f64>,
    standard_error: Option<f64>,
}

/// Everything about a sketch as one `jsonb` document, for dashboards and debugging.
#[pg_extern(immutable, parallel_safe)]
fn hll_info(value: Hll<'_>) -> pgrx::JsonB {
    let stored = value.stored();
    let p = stored.params();
    let sketch = decode(&stored);
    let (explicit_values, registers_set) = match stored.kind() {
        StorageType::Explicit | StorageType::Empty => {
            (Some(stored.explicit_values().count()), None)
        }
        StorageType::Sparse | StorageType::Full => {
            (None, Some(p.m() - stored.histogram()[0] as usize))
        }
        StorageType::Undefined => (None, None),
    };
    let info = SketchInfo {
        schema_version: stored.schema_version(),
        representation: stored.kind().name(),
        log2m: p.log2m(),
        regwidth: p.regwidth(),
        expthresh: p.expthresh_value(),
        expthresh_effective: p.explicit_threshold(),
        sparseon: p.sparseon(),
        registers: p.m(),
        explicit_values,
        registers_set,
        size_bytes: value.bytes().len(),
        cardinality: stored.cardinality_with(settings::estimator()),
        standard_error: sketch.relative_standard_error(),
    };
    pgrx::JsonB(serde_json::to_value(info).expect("plain fields serialize"))
}

/// Whether two sketches hold the same content with the same parameters.
#[pg_extern(immutable, parallel_safe)]
fn hll_eq(a: Hll<'_>, b: Hll<'_>) -> bool {
    if a.bytes() == b.bytes() {
        a.stored();
        return true;
    }
    // A FULL value with few registers set (as other writers may store it) equals the
    // SPARSE value we would write: compare canonical encodings.
    Hll::from_sketch(&a.sketch()).bytes() == Hll::from_sketch(&b.sketch()).bytes()
}

/// Negation of `hll_eq`.
#[pg_extern(immutable, parallel_safe)]
fn hll_ne(a: Hll<'_>, b: Hll<'_>) -> bool {
    !hll_eq(a, b)
}

extension_sql!(
    r#"
CREATE FUNCTION hll_cardinality(hll) RETURNS double precision
    AS 'MODULE_PATHNAME', 'hll_cardinality' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR || (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_union);
CREATE OPERATOR || (LEFTARG = hll, RIGHTARG = hll_hashval, PROCEDURE = hll_add);
CREATE OPERATOR || (LEFTARG = hll_hashval, RIGHTARG = hll, PROCEDURE = hll_add_rev);
CREATE OPERATOR # (RIGHTARG = hll, PROCEDURE = hll_cardinality);
CREATE OPERATOR = (
    LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
    LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
"#,
    name = "hll_operators",
    requires = ["hll_type", hll_union, hll_add, hll_add_rev, hll_eq, hll_ne]
);
