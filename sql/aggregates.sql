-- Aggregate support functions (raw C functions in src/aggregates.rs) and aggregates.
--
-- Each aggregate comes in five arities: the value alone, then with log2m, regwidth,
-- expthresh and sparseon. One transition function serves every arity; it reads the
-- optional parameters only when it creates a group's state, and is STABLE because
-- parameters not given come from the hyperloglog.default_* settings.
--   hll_add_agg(hll_hashval, ...)        -> hll      the sketch of the hashes
--   hll_sketch(anyelement, ...)          -> hll      the same, hashing values inside
--                                                    exactly as hll_hash_any does
--   hll_count_distinct(anyelement, ...)  -> bigint   its (rounded) cardinality
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
CREATE FUNCTION hll_count_final(internal) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hll_count_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_final(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_union_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE hll_union_agg(hll) (
    SFUNC = hll_union_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = hll_union_final, COMBINEFUNC = hll_agg_combine,
    SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
    PARALLEL = SAFE
);

DO $$
DECLARE
    params text;
    spec record;
BEGIN
    FOREACH params IN ARRAY ARRAY['', ', integer', ', integer, integer',
                                  ', integer, integer, bigint',
                                  ', integer, integer, bigint, integer'] LOOP
        FOR spec IN SELECT * FROM (VALUES
            ('hll_add_agg', 'hll_hashval', 'hll_add_trans', 'hll_add_final'),
            ('hll_sketch', 'anyelement', 'hll_sketch_trans', 'hll_add_final'),
            ('hll_count_distinct', 'anyelement', 'hll_sketch_trans', 'hll_count_final')
        ) AS s(aggregate, input, transition, final) LOOP
            -- hll_sketch and hll_count_distinct share their transition function.
            IF to_regprocedure(format('%s(internal, %s%s)', spec.transition, spec.input, params))
                IS NULL THEN
                EXECUTE format(
                    'CREATE FUNCTION %s(internal, %s%s) RETURNS internal
                         AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                    spec.transition, spec.input, params, 'MODULE_PATHNAME', spec.transition);
            END IF;
            EXECUTE format(
                'CREATE AGGREGATE %s(%s%s) (
                     SFUNC = %s, STYPE = internal, SSPACE = 1024,
                     FINALFUNC = %s, COMBINEFUNC = hll_agg_combine,
                     SERIALFUNC = hll_agg_serialize, DESERIALFUNC = hll_agg_deserialize,
                     PARALLEL = SAFE)',
                spec.aggregate, spec.input, params, spec.transition, spec.final);
        END LOOP;
    END LOOP;
END
$$;
