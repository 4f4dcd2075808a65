-- The compatible `hll` extension: postgresql-hll's SQL API under its names, signatures
-- and C symbols (so a catalog postgresql-hll wrote runs on this library too), over
-- hyperloglog's core (src/compat). Differences from postgresql-hll are deliberate and
-- listed in README.md ("Migrating from postgresql-hll").
\echo Use "CREATE EXTENSION hll" to load this file. \quit

-- The sketch type. Text input takes bytea's forms (hex or escape) and output follows
-- bytea_output, as postgresql-hll's do; every input is validated.
CREATE TYPE hll;
CREATE FUNCTION hll_in(cstring, oid, integer) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_out(hll) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_recv(internal) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_send(hll) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_typmod_out(integer) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE hll (
    INTERNALLENGTH = variable,
    INPUT = hll_in, OUTPUT = hll_out, RECEIVE = hll_recv, SEND = hll_send,
    TYPMOD_IN = hll_typmod_in, TYPMOD_OUT = hll_typmod_out,
    STORAGE = external
);
CREATE FUNCTION hll(hll, integer, boolean) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE CAST (hll AS hll) WITH FUNCTION hll(hll, integer, boolean) AS IMPLICIT;
-- postgresql-hll casts bytea to hll without looking at the bytes; this cast validates.
CREATE FUNCTION hll_from_bytea(bytea) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_from_bytea_wrapper' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE CAST (bytea AS hll) WITH FUNCTION hll_from_bytea(bytea);
CREATE CAST (hll AS bytea) WITHOUT FUNCTION;

-- Hash values: a bigint by another name; binary I/O added (postgresql-hll has none).
CREATE TYPE hll_hashval;
CREATE FUNCTION hll_hashval_in(cstring, oid, integer) RETURNS hll_hashval
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval_out(hll_hashval) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval_recv(internal) RETURNS hll_hashval
    AS 'int8recv' LANGUAGE internal STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval_send(hll_hashval) RETURNS bytea
    AS 'int8send' LANGUAGE internal STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE hll_hashval (
    INTERNALLENGTH = 8, PASSEDBYVALUE, ALIGNMENT = double,
    INPUT = hll_hashval_in, OUTPUT = hll_hashval_out,
    RECEIVE = hll_hashval_recv, SEND = hll_hashval_send
);
CREATE FUNCTION hll_hashval_eq(hll_hashval, hll_hashval) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval_ne(hll_hashval, hll_hashval) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval(bigint) RETURNS hll_hashval
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hashval_int4(integer) RETURNS hll_hashval
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE OPERATOR = (
    LEFTARG = hll_hashval, RIGHTARG = hll_hashval, PROCEDURE = hll_hashval_eq,
    COMMUTATOR = '=', NEGATOR = '<>', RESTRICT = eqsel, JOIN = eqjoinsel, MERGES
);
CREATE OPERATOR <> (
    LEFTARG = hll_hashval, RIGHTARG = hll_hashval, PROCEDURE = hll_hashval_ne,
    COMMUTATOR = '<>', NEGATOR = '=', RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE CAST (bigint AS hll_hashval) WITHOUT FUNCTION;
CREATE CAST (integer AS hll_hashval) WITH FUNCTION hll_hashval_int4(integer);

-- Scalars.
CREATE FUNCTION hll_eq(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_ne(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
-- Immutable as in postgresql-hll, so indexes and generated columns over them restore;
-- hyperloglog.estimator and hyperloglog.max_sparse are meant to be set per role or
-- database, not flipped between statements of one session.
CREATE FUNCTION hll_cardinality(hll) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union(hll, hll) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_add(hll, hll_hashval) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_rev(hll_hashval, hll) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_print(hll) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_empty() RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_empty0' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_empty(integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_empty1' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_empty(integer, integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_empty2' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_empty(integer, integer, bigint) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_empty3' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_empty(integer, integer, bigint, integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_empty4' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_schema_version(hll) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_type(hll) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_log2m(hll) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_regwidth(hll) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_expthresh(hll, OUT specified bigint, OUT effective bigint)
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_sparseon(hll) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- Session setters over the real settings (hyperloglog.default_*, hyperloglog.max_sparse);
-- volatile, since they change state.
CREATE FUNCTION hll_set_output_version(integer) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION hll_set_max_sparse(integer) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION hll_set_defaults(IN i_log2m integer, IN i_regwidth integer,
                                 IN i_expthresh bigint, IN i_sparseon integer,
                                 OUT o_log2m integer, OUT o_regwidth integer,
                                 OUT o_expthresh bigint, OUT o_sparseon integer)
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT VOLATILE;

-- postgresql-hll's hash family: MurmurHash3 x64-128, bit for bit.
CREATE FUNCTION hll_hash_boolean(boolean, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_1byte' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_smallint(smallint, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_2byte' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_integer(integer, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_4byte' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_bigint(bigint, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_8byte' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_bytea(bytea, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_varlena' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_text(text, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_varlena' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_hash_any(anyelement, integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_any' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- Operators; `||` and `#` keep their grammar precedence, as with postgresql-hll.
CREATE OPERATOR = (
    LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_eq,
    COMMUTATOR = '=', NEGATOR = '<>', RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
    LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_ne,
    COMMUTATOR = '<>', NEGATOR = '=', RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR || (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_union);
CREATE OPERATOR || (LEFTARG = hll, RIGHTARG = hll_hashval, PROCEDURE = hll_add);
CREATE OPERATOR || (LEFTARG = hll_hashval, RIGHTARG = hll, PROCEDURE = hll_add_rev);
CREATE OPERATOR # (RIGHTARG = hll, PROCEDURE = hll_cardinality);

-- Aggregates: postgresql-hll's support functions, hyperloglog's state.
CREATE FUNCTION hll_union_trans(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION hll_add_trans0(internal, hll_hashval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans1(internal, hll_hashval, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans2(internal, hll_hashval, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans3(internal, hll_hashval, integer, integer, bigint)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans4(internal, hll_hashval, integer, integer, bigint, integer)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_pack(internal) RETURNS hll
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_card_unpacked(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_floor_card_unpacked(internal) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_ceil_card_unpacked(internal) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_internal(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION hll_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE hll_union_agg(hll) (
    SFUNC = hll_union_trans, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval) (
    SFUNC = hll_add_trans0, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer) (
    SFUNC = hll_add_trans1, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer) (
    SFUNC = hll_add_trans2, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer, bigint) (
    SFUNC = hll_add_trans3, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer, bigint, integer) (
    SFUNC = hll_add_trans4, STYPE = internal, SSPACE = 1024, FINALFUNC = hll_pack,
    COMBINEFUNC = hll_union_internal, SERIALFUNC = hll_serialize,
    DESERIALFUNC = hll_deserialize, PARALLEL = SAFE
);

-- A btree and a hash operator class (postgresql-hll has none): by canonical bytes.
CREATE FUNCTION hll_cmp(hll, hll) RETURNS integer
    AS 'MODULE_PATHNAME', 'hll_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_lt(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_le(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_gt(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_ge(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_value(hll) RETURNS integer
    AS 'MODULE_PATHNAME', 'hll_hash_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_value_extended(hll, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hll_hash_value_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR < (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_lt, COMMUTATOR = >,
    NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_le, COMMUTATOR = >=,
    NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_gt, COMMUTATOR = <,
    NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_ge, COMMUTATOR = <=,
    NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR CLASS hll_ops DEFAULT FOR TYPE hll USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 hll_cmp(hll, hll);
CREATE OPERATOR CLASS hll_hash_ops DEFAULT FOR TYPE hll USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 hll_hash_value(hll),
    FUNCTION 2 hll_hash_value_extended(hll, bigint);
