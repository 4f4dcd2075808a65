-- Aggregate support functions (raw C functions in src/aggregates.rs) and aggregates.
-- The transition function of hll_add_agg is declared once per arity; it reads the
-- optional parameters only when it creates a group's state. It is STABLE because
-- parameters not given come from the hyperloglog.default_* settings.

CREATE FUNCTION hll_add_trans(internal, hll_hashval) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_add_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans(internal, hll_hashval, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_add_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans(internal, hll_hashval, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_add_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans(internal, hll_hashval, integer, integer, bigint) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_add_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_add_trans(internal, hll_hashval, integer, integer, bigint, integer)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_add_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_trans(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_union_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_agg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'hll_agg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_agg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_add_final(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_add_final' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_final(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_union_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE hll_add_agg(hll_hashval) (
    SFUNC = hll_add_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_add_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer) (
    SFUNC = hll_add_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_add_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer) (
    SFUNC = hll_add_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_add_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer, bigint) (
    SFUNC = hll_add_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_add_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE hll_add_agg(hll_hashval, integer, integer, bigint, integer) (
    SFUNC = hll_add_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_add_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE hll_union_agg(hll) (
    SFUNC = hll_union_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_union_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);
