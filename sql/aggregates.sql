-- Aggregates (support functions in src/state.rs). Their state is an hll value, kept in
-- expanded form per group and written in the storage format only when it leaves the
-- aggregate (a parallel worker's or a Citus shard's partial state), so partial states
-- combine anywhere hll values go.
--
-- Each aggregate over values comes in five arities: the value alone, then with log2m,
-- regwidth, expthresh and sparseon. One transition function serves every arity; it
-- reads the optional parameters only when it starts a group's state, and is STABLE
-- because parameters not given come from the hyperloglog.default_* settings.
--   hll_add_agg(hll_hashval, ...)        -> hll      the sketch of the hashes
--   hll_sketch(anyelement, ...)          -> hll      the same, hashing values inside
--                                                    exactly as hll_hash_any does
--   hll_count_distinct(anyelement, ...)  -> bigint   its (rounded) cardinality
--   hll_union_agg(hll)                   -> hll      the union of sketches
-- hll_sketch and hll_count_distinct also take the common key types by name (the same
-- transition function, the same hashes): Citus runs an aggregate on its workers only
-- when the argument types match the declared ones, which a polymorphic one never does.
CREATE FUNCTION hll_union_state(hll, hll) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_union_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_state_combine(hll, hll) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_state_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_state_or_empty(hll) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_state_or_empty' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_state_value(hll) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_state_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_state_count(hll) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hll_state_count' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE hll_union_agg(hll) (
    SFUNC = hll_union_state, STYPE = hll, SSPACE = 1024,
    FINALFUNC = hll_state_value, COMBINEFUNC = hll_state_combine, PARALLEL = SAFE
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
            ('hll_add_agg', 'hll_hashval', 'hll_add_state', 'hll_state_or_empty'),
            ('hll_sketch', 'anyelement', 'hll_sketch_state', 'hll_state_or_empty'),
            ('hll_count_distinct', 'anyelement', 'hll_sketch_state', 'hll_state_count')
        ) AS s(aggregate, input, transition, final)
        UNION ALL
        SELECT a, t, 'hll_sketch_state', f
        FROM unnest(ARRAY['smallint', 'integer', 'bigint', 'text', 'bytea', 'uuid', 'date',
                          'timestamp', 'timestamptz']) AS t,
             (VALUES ('hll_sketch', 'hll_state_or_empty'),
                     ('hll_count_distinct', 'hll_state_count')) AS g(a, f) LOOP
            -- hll_sketch and hll_count_distinct share their transition function.
            IF to_regprocedure(format('%s(hll, %s%s)', spec.transition, spec.input, params))
                IS NULL THEN
                EXECUTE format(
                    'CREATE FUNCTION %s(hll, %s%s) RETURNS hll
                         AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                    spec.transition, spec.input, params, 'MODULE_PATHNAME', spec.transition);
            END IF;
            EXECUTE format(
                'CREATE AGGREGATE %s(%s%s) (
                     SFUNC = %s, STYPE = hll, SSPACE = 1024, FINALFUNC = %s,
                     COMBINEFUNC = hll_state_combine, PARALLEL = SAFE)',
                spec.aggregate, spec.input, params, spec.transition, spec.final);
        END LOOP;
    END LOOP;
END
$$;
