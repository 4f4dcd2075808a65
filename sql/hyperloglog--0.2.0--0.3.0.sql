-- hyperloglog 0.2.0 -> 0.3.0: the aggregates' state becomes an hll value (expanded in
-- memory, src/state.rs) instead of internal, so that Citus runs hll_sketch and
-- hll_count_distinct on its workers and every state lives in PostgreSQL memory.
-- Reviewed against a fresh 0.3.0 install by tests/upgrade/run.sh (same objects, same
-- definitions, same dependencies).
--
-- An aggregate's state type cannot be changed by ALTER AGGREGATE, and dropping the
-- aggregates would fail (or, with CASCADE, drop) every view and materialized view
-- that uses them. So each aggregate keeps its oid, and its pg_aggregate row and the
-- dependencies CREATE AGGREGATE would record are rewritten in place; the old support
-- functions are dropped after. The library still serves the old functions, so a
-- session that loaded a plan before the update keeps working.
\echo Use "ALTER EXTENSION hyperloglog UPDATE TO '0.3.0'" to load this file. \quit

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

DO $$
DECLARE
    params text;
    spec record;
    aggregate regprocedure;
    transition regprocedure;
    final regprocedure;
    combine regprocedure := 'hll_state_combine(hll, hll)';
BEGIN
    FOREACH params IN ARRAY ARRAY['', ', integer', ', integer, integer',
                                  ', integer, integer, bigint',
                                  ', integer, integer, bigint, integer'] LOOP
        FOR spec IN SELECT * FROM (VALUES
            ('hll_add_agg', 'hll_hashval', 'hll_add_state', 'hll_state_or_empty'),
            ('hll_sketch', 'anyelement', 'hll_sketch_state', 'hll_state_or_empty'),
            ('hll_count_distinct', 'anyelement', 'hll_sketch_state', 'hll_state_count'),
            ('hll_union_agg', 'hll', 'hll_union_state', 'hll_state_value')
        ) AS s(aggregate, input, transition, final) LOOP
            CONTINUE WHEN spec.aggregate = 'hll_union_agg' AND params <> '';
            IF to_regprocedure(format('%s(hll, %s%s)', spec.transition, spec.input, params))
                IS NULL AND spec.aggregate <> 'hll_union_agg' THEN
                EXECUTE format(
                    'CREATE FUNCTION %s(hll, %s%s) RETURNS hll
                         AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                    spec.transition, spec.input, params, 'MODULE_PATHNAME', spec.transition);
            END IF;
            aggregate := format('%s(%s%s)', spec.aggregate, spec.input, params);
            transition := format('%s(hll, %s%s)', spec.transition, spec.input, params);
            final := format('%s(hll)', spec.final);
            UPDATE pg_catalog.pg_aggregate
               SET aggtransfn = transition, aggfinalfn = final, aggcombinefn = combine,
                   aggserialfn = 0, aggdeserialfn = 0, aggtranstype = 'hll'::regtype
             WHERE aggfnoid = aggregate;
            -- What CREATE AGGREGATE records: its support functions.
            DELETE FROM pg_catalog.pg_depend
             WHERE classid = 'pg_proc'::regclass AND objid = aggregate
               AND refclassid = 'pg_proc'::regclass AND deptype = 'n';
            INSERT INTO pg_catalog.pg_depend
                (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
            SELECT 'pg_proc'::regclass, aggregate, 0, 'pg_proc'::regclass, f, 0, 'n'
              FROM unnest(ARRAY[transition, final, combine]::oid[]) AS f;
        END LOOP;
    END LOOP;
END
$$;

-- hll_sketch and hll_count_distinct over the common key types by name, so that Citus
-- runs them on its workers (it checks argument types against the declared ones).
DO $$
DECLARE
    params text;
    spec record;
BEGIN
    FOREACH params IN ARRAY ARRAY['', ', integer', ', integer, integer',
                                  ', integer, integer, bigint',
                                  ', integer, integer, bigint, integer'] LOOP
        FOR spec IN
            SELECT a AS aggregate, t AS input, f AS final
            FROM unnest(ARRAY['smallint', 'integer', 'bigint', 'text', 'bytea', 'uuid', 'date',
                              'timestamp', 'timestamptz']) AS t,
                 (VALUES ('hll_sketch', 'hll_state_or_empty'),
                         ('hll_count_distinct', 'hll_state_count')) AS g(a, f) LOOP
            IF to_regprocedure(format('hll_sketch_state(hll, %s%s)', spec.input, params)) IS NULL THEN
                EXECUTE format(
                    'CREATE FUNCTION hll_sketch_state(hll, %s%s) RETURNS hll
                         AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                    spec.input, params, 'MODULE_PATHNAME', 'hll_sketch_state');
            END IF;
            EXECUTE format(
                'CREATE AGGREGATE %s(%s%s) (
                     SFUNC = hll_sketch_state, STYPE = hll, SSPACE = 1024, FINALFUNC = %s,
                     COMBINEFUNC = hll_state_combine, PARALLEL = SAFE)',
                spec.aggregate, spec.input, params, spec.final);
        END LOOP;
    END LOOP;
END
$$;

DO $$
DECLARE
    params text;
BEGIN
    FOREACH params IN ARRAY ARRAY['', ', integer', ', integer, integer',
                                  ', integer, integer, bigint',
                                  ', integer, integer, bigint, integer'] LOOP
        EXECUTE format('DROP FUNCTION hll_add_trans(internal, hll_hashval%s)', params);
        EXECUTE format('DROP FUNCTION hll_sketch_trans(internal, anyelement%s)', params);
    END LOOP;
END
$$;
DROP FUNCTION hll_union_trans(internal, hll);
DROP FUNCTION hll_agg_combine(internal, internal);
DROP FUNCTION hll_agg_serialize(internal);
DROP FUNCTION hll_agg_deserialize(bytea, internal);
DROP FUNCTION hll_add_final(internal);
DROP FUNCTION hll_count_final(internal);
DROP FUNCTION hll_union_final(internal);
