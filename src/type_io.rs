//! The SQL types: `hll` (text and binary I/O, typmod, casts) and `hll_hashval`.
//!
//! `hll` text is `\x` + hex of the storage-format bytes, like bytea; binary I/O sends
//! the bytes as they are. Every input path validates the bytes completely. The typmod
//! `hll(log2m, regwidth, expthresh, sparseon)` is packed as the two header bytes
//! `P << 8 | C`, so checking a value against it is a two-byte compare.

use core::ffi::CStr;
use std::ffi::CString;

use hll_core::{hex, Params, StoredSketch};
use pgrx::prelude::*;
use pgrx::Internal;

use crate::datum::Hll;
use crate::settings;
use crate::sqlstate::{check, error, Origin};

extension_sql!(
    r#"
CREATE TYPE hll;
CREATE TYPE hll_hashval;
"#,
    name = "shell_types",
    bootstrap
);

/// Raises 22023 unless the parameters of validated `bytes` match `typmod` (-1: no
/// modifier).
fn enforce_typmod(bytes: &[u8], typmod: i32) {
    if typmod < 0 {
        return;
    }
    let expected = typmod_params(typmod);
    let actual = check(StoredSketch::parse(bytes), Origin::Stored).params();
    if actual.typmod() != typmod {
        error(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            &format!("hll{actual} value does not match the type modifier hll{expected}"),
        );
    }
}

fn typmod_params(typmod: i32) -> Params {
    check(Params::from_typmod(typmod), Origin::Stored)
}

#[pg_extern(immutable, parallel_safe, requires = ["shell_types"])]
fn hll_in(input: &CStr, _typoid: pg_sys::Oid, typmod: i32) -> Hll<'static> {
    let text = input.to_bytes();
    let mut value = Hll::alloc(check(hex::decoded_len(text), Origin::Text));
    let bytes = value.bytes_mut();
    check(hex::decode_into(text, bytes), Origin::Text);
    check(StoredSketch::parse(bytes), Origin::Text);
    enforce_typmod(bytes, typmod);
    value
}

#[pg_extern(immutable, parallel_safe, requires = ["shell_types"])]
fn hll_out(value: Hll<'_>) -> &'static CStr {
    let bytes = value.bytes();
    let len = hex::encoded_len(bytes.len());
    // SAFETY: palloc returns `len + 1` writable bytes (in the caller's context, which
    // PostgreSQL frees) or raises an ERROR; the text is NUL-terminated below and holds
    // no other NUL.
    unsafe {
        let p = pg_sys::palloc(len + 1).cast::<u8>();
        hex::encode_into(bytes, std::slice::from_raw_parts_mut(p, len));
        *p.add(len) = 0;
        CStr::from_ptr(p.cast())
    }
}

#[pg_extern(immutable, strict, parallel_safe, requires = ["shell_types"])]
fn hll_recv(buf: Internal, _typoid: pg_sys::Oid, typmod: i32) -> Hll<'static> {
    // SAFETY: the receive function's first argument is a StringInfo.
    let bytes = unsafe {
        let si = buf
            .unwrap()
            .expect("receive buffer")
            .cast_mut_ptr::<pg_sys::StringInfoData>();
        let start = (*si).cursor as usize;
        let len = ((*si).len - (*si).cursor) as usize;
        (*si).cursor = (*si).len;
        std::slice::from_raw_parts((*si).data.cast::<u8>().add(start), len)
    };
    check(StoredSketch::parse(bytes), Origin::Binary);
    enforce_typmod(bytes, typmod);
    Hll::from_bytes(bytes)
}

#[pg_extern(immutable, parallel_safe, requires = ["shell_types"])]
fn hll_send(value: Hll<'_>) -> &[u8] {
    value.bytes()
}

#[pg_extern(immutable, parallel_safe, requires = ["shell_types"])]
fn hll_typmod_in(modifiers: Array<'_, &CStr>) -> i32 {
    if modifiers.len() > 4 {
        error(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            "hll takes at most 4 type modifiers: hll(log2m, regwidth, expthresh, sparseon)",
        );
    }
    let values: Vec<i64> = modifiers
        .iter()
        .map(|m| {
            m.and_then(|s| s.to_str().ok())
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or_else(|| {
                    error(
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        "hll type modifiers must be integers",
                    )
                })
        })
        .collect();
    let narrow = |i: usize| {
        values
            .get(i)
            .map(|&v| v.clamp(i32::MIN.into(), i32::MAX.into()) as i32)
    };
    settings::params(narrow(0), narrow(1), values.get(2).copied(), narrow(3)).typmod()
}

#[pg_extern(immutable, parallel_safe, requires = ["shell_types"])]
fn hll_typmod_out(typmod: i32) -> CString {
    let text = if typmod < 0 {
        String::new()
    } else {
        typmod_params(typmod).to_string()
    };
    CString::new(text).expect("digits contain no NUL")
}

extension_sql!(
    r#"
CREATE TYPE hll (
    INPUT = hll_in,
    OUTPUT = hll_out,
    RECEIVE = hll_recv,
    SEND = hll_send,
    TYPMOD_IN = hll_typmod_in,
    TYPMOD_OUT = hll_typmod_out,
    INTERNALLENGTH = variable,
    STORAGE = external
);
COMMENT ON TYPE hll IS 'HyperLogLog sketch in the HLL storage format v1';
"#,
    name = "hll_type",
    creates = [Type(Hll)],
    requires = [
        hll_in,
        hll_out,
        hll_recv,
        hll_send,
        hll_typmod_in,
        hll_typmod_out
    ]
);

/// Enforces a column's typmod on assignment (the length-coercion cast).
#[pg_extern(immutable, parallel_safe, name = "hll")]
fn hll_enforce_typmod(value: Hll<'_>, typmod: i32, _explicit: bool) -> Hll<'_> {
    value.stored();
    enforce_typmod(value.bytes(), typmod);
    value
}

/// Validates bytes and makes them an `hll`; bad bytes are the caller's input (22P03).
#[pg_extern(immutable, parallel_safe)]
fn hll_from_bytea(bytes: &[u8]) -> Hll<'static> {
    check(StoredSketch::parse(bytes), Origin::Binary);
    Hll::from_bytes(bytes)
}

extension_sql!(
    r#"
CREATE CAST (hll AS hll) WITH FUNCTION hll(hll, integer, boolean) AS IMPLICIT;
CREATE CAST (bytea AS hll) WITH FUNCTION hll_from_bytea(bytea);
CREATE CAST (hll AS bytea) WITHOUT FUNCTION;

CREATE FUNCTION hll_hashval_in(cstring) RETURNS hll_hashval
    AS 'int8in' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hashval_out(hll_hashval) RETURNS cstring
    AS 'int8out' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hashval_recv(internal) RETURNS hll_hashval
    AS 'int8recv' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hashval_send(hll_hashval) RETURNS bytea
    AS 'int8send' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE hll_hashval (
    INPUT = hll_hashval_in,
    OUTPUT = hll_hashval_out,
    RECEIVE = hll_hashval_recv,
    SEND = hll_hashval_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double
);
COMMENT ON TYPE hll_hashval IS 'A 64-bit hash value to add to an hll';

CREATE FUNCTION hll_hashval_eq(hll_hashval, hll_hashval) RETURNS boolean
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION hll_hashval_ne(hll_hashval, hll_hashval) RETURNS boolean
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OPERATOR = (
    LEFTARG = hll_hashval, RIGHTARG = hll_hashval, PROCEDURE = hll_hashval_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR <> (
    LEFTARG = hll_hashval, RIGHTARG = hll_hashval, PROCEDURE = hll_hashval_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE FUNCTION hll_hashval(bigint) RETURNS hll_hashval
    AS 'int8up' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION hll_hashval_int4(integer) RETURNS hll_hashval
    AS 'int48' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE CAST (bigint AS hll_hashval) WITHOUT FUNCTION;
CREATE CAST (integer AS hll_hashval) WITH FUNCTION hll_hashval_int4(integer);
CREATE CAST (hll_hashval AS bigint) WITHOUT FUNCTION;
"#,
    name = "casts_and_hashval_type",
    creates = [Type(crate::datum::HashVal)],
    requires = ["hll_type", hll_enforce_typmod, hll_from_bytea]
);
