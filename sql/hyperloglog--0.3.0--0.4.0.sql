-- hyperloglog 0.3.0 -> 0.4.0: the UltraLogLog family, type ull (src/ull/), beside hll.
-- A fresh 0.4.0 install runs this same file after the 0.3.0 objects, so an updated
-- database and a new one have the same objects; tests/upgrade/run.sh compares them.
--
--   ull(p, expthresh)                 2^p one-byte registers (p 4..18, default 11); the
--                                     first expthresh distinct hashes kept exactly
--                                     (-1: 2^p/8, 0: none); stored entropy-coded
--   ull_add_agg(hll_hashval [, p [, expthresh]])    -> ull
--   ull_sketch(anyelement [, p [, expthresh]])      -> ull     hashing as hll_sketch
--   ull_count_distinct(anyelement [, ...])          -> bigint
--   ull_union_agg(ull)                              -> ull
--   ull_cardinality, ull_relative_error, ull_bounds, ull_union and ||, ull_fold,
--   ull_to_hll / hll_to_ull (and casts), ull_info, btree and hash operator classes.

CREATE TYPE ull;
CREATE FUNCTION ull_in(cstring, oid, integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_out(ull) RETURNS cstring
    AS 'MODULE_PATHNAME', 'ull_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_recv(internal, oid, integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_send(ull) RETURNS bytea
    AS 'MODULE_PATHNAME', 'ull_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'ull_typmod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_typmod_out(integer) RETURNS cstring
    AS 'MODULE_PATHNAME', 'ull_typmod_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE ull (
    INPUT = ull_in, OUTPUT = ull_out, RECEIVE = ull_recv, SEND = ull_send,
    TYPMOD_IN = ull_typmod_in, TYPMOD_OUT = ull_typmod_out,
    INTERNALLENGTH = variable, STORAGE = external
);
COMMENT ON TYPE ull IS 'UltraLogLog distinct-count sketch, entropy-coded when stored';

CREATE FUNCTION ull(ull, integer, boolean) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_enforce_typmod' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_from_bytea(bytea) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (ull AS ull) WITH FUNCTION ull(ull, integer, boolean) AS IMPLICIT;
CREATE CAST (bytea AS ull) WITH FUNCTION ull_from_bytea(bytea);
CREATE CAST (ull AS bytea) WITHOUT FUNCTION;

-- Counts read hyperloglog.ull_estimator, so they are STABLE.
CREATE FUNCTION ull_cardinality(ull) RETURNS double precision
    AS 'MODULE_PATHNAME', 'ull_cardinality' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_cardinality(ull, estimator text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'ull_cardinality_with' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_relative_error(ull) RETURNS double precision
    AS 'MODULE_PATHNAME', 'ull_relative_error' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_bounds(ull, confidence double precision DEFAULT 0.95,
        OUT estimate double precision, OUT lower double precision, OUT upper double precision)
    AS 'MODULE_PATHNAME', 'ull_bounds' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_info(ull, OUT kind text, OUT p integer, OUT expthresh integer,
        OUT explicit_threshold integer, OUT exact_hashes integer,
        OUT registers_filled integer, OUT stored_bytes integer)
    AS 'MODULE_PATHNAME', 'ull_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION ull_empty() RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_empty' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_empty(p integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_empty' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_empty(p integer, expthresh integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_empty' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_add(ull, hll_hashval) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_add_rev(hll_hashval, ull) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_add_rev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_union(ull, ull) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_fold(ull, p integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_fold' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR || (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_union);
CREATE OPERATOR || (LEFTARG = ull, RIGHTARG = hll_hashval, PROCEDURE = ull_add);
CREATE OPERATOR || (LEFTARG = hll_hashval, RIGHTARG = ull, PROCEDURE = ull_add_rev);

-- The bridge: ull -> hll is exact (hll's parameters default to log2m = p and the
-- hyperloglog.default_* settings, hence STABLE); hll -> ull only from EMPTY or EXPLICIT.
CREATE FUNCTION ull_to_hll(ull) RETURNS hll
    AS 'MODULE_PATHNAME', 'ull_to_hll' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_to_hll(ull, log2m integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'ull_to_hll' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_to_hll(ull, log2m integer, regwidth integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'ull_to_hll' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_to_hll(ull, log2m integer, regwidth integer, expthresh bigint) RETURNS hll
    AS 'MODULE_PATHNAME', 'ull_to_hll' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_to_hll(ull, log2m integer, regwidth integer, expthresh bigint,
        sparseon integer) RETURNS hll
    AS 'MODULE_PATHNAME', 'ull_to_hll' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_to_ull(hll) RETURNS ull
    AS 'MODULE_PATHNAME', 'hll_to_ull' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_to_ull(hll, p integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'hll_to_ull' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_to_ull(hll, p integer, expthresh integer) RETURNS ull
    AS 'MODULE_PATHNAME', 'hll_to_ull' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (ull AS hll) WITH FUNCTION ull_to_hll(ull);
CREATE CAST (hll AS ull) WITH FUNCTION hll_to_ull(hll);

-- Ordering and hashing by the stored bytes, which are canonical.
CREATE FUNCTION ull_cmp(ull, ull) RETURNS integer
    AS 'MODULE_PATHNAME', 'ull_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_eq(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_ne(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_lt(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_le(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_gt(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_ge(ull, ull) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ull_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_hash_value(ull) RETURNS integer
    AS 'MODULE_PATHNAME', 'ull_hash_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_hash_value_extended(ull, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ull_hash_value_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR = (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_eq, COMMUTATOR = =,
    NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_ne, COMMUTATOR = <>,
    NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_lt, COMMUTATOR = >,
    NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_le, COMMUTATOR = >=,
    NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_gt, COMMUTATOR = <,
    NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = ull, RIGHTARG = ull, PROCEDURE = ull_ge, COMMUTATOR = <=,
    NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR CLASS ull_ops DEFAULT FOR TYPE ull USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 ull_cmp(ull, ull);
CREATE OPERATOR CLASS ull_hash_ops DEFAULT FOR TYPE ull USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 ull_hash_value(ull),
    FUNCTION 2 ull_hash_value_extended(ull, bigint);

-- Aggregates: the state is an ull, expanded in memory per group (src/ull/state.rs),
-- so parallel workers and Citus combine partial states as ull values.
CREATE FUNCTION ull_union_state(ull, ull) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_union_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_state_or_empty(ull) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_state_or_empty' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_state_value(ull) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_state_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ull_state_count(ull) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ull_state_count' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE ull_union_agg(ull) (
    SFUNC = ull_union_state, STYPE = ull, SSPACE = 2048,
    FINALFUNC = ull_state_value, COMBINEFUNC = ull_union_state, PARALLEL = SAFE
);

DO $$
DECLARE
    params text;
    spec record;
BEGIN
    FOREACH params IN ARRAY ARRAY['', ', integer', ', integer, integer'] LOOP
        FOR spec IN SELECT * FROM (VALUES
            ('ull_add_agg', 'hll_hashval', 'ull_add_state', 'ull_state_or_empty'),
            ('ull_sketch', 'anyelement', 'ull_sketch_state', 'ull_state_or_empty'),
            ('ull_count_distinct', 'anyelement', 'ull_sketch_state', 'ull_state_count')
        ) AS s(aggregate, input, transition, final)
        UNION ALL
        SELECT a, t, 'ull_sketch_state', f
        FROM unnest(ARRAY['smallint', 'integer', 'bigint', 'text', 'bytea', 'uuid', 'date',
                          'timestamp', 'timestamptz']) AS t,
             (VALUES ('ull_sketch', 'ull_state_or_empty'),
                     ('ull_count_distinct', 'ull_state_count')) AS g(a, f) LOOP
            IF to_regprocedure(format('%s(ull, %s%s)', spec.transition, spec.input, params))
                IS NULL THEN
                EXECUTE format(
                    'CREATE FUNCTION %s(ull, %s%s) RETURNS ull
                         AS %L, %L LANGUAGE C IMMUTABLE PARALLEL SAFE',
                    spec.transition, spec.input, params, 'MODULE_PATHNAME', spec.transition);
            END IF;
            EXECUTE format(
                'CREATE AGGREGATE %s(%s%s) (
                     SFUNC = %s, STYPE = ull, SSPACE = 2048, FINALFUNC = %s,
                     COMBINEFUNC = ull_union_state, PARALLEL = SAFE)',
                spec.aggregate, spec.input, params, spec.transition, spec.final);
        END LOOP;
    END LOOP;
END
$$;

-- Moving-window aggregates (src/window.rs): every aggregate gets a moving state and an
-- inverse transition, so that a window frame whose start moves adds the rows that
-- enter and removes those that leave instead of recomputing the frame for every row.
-- The moving state is internal (it never leaves its window node). The hll aggregates
-- exist since earlier releases and views may use them: their pg_aggregate rows and the
-- dependencies CREATE AGGREGATE would record are completed in place; the ull ones just
-- created are completed the same way, so both families are declared alike.
CREATE FUNCTION hll_mfinal(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_mfinal' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_mfinal_count(internal) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hll_mfinal_count' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_mtrans(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_union_mtrans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_minv(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_union_minv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_mfinal(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_union_mfinal' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_mfinal(internal) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_mfinal' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_mfinal_count(internal) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ull_mfinal_count' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION ull_union_mtrans(internal, ull) RETURNS internal
    AS 'MODULE_PATHNAME', 'ull_union_mtrans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_union_minv(internal, ull) RETURNS internal
    AS 'MODULE_PATHNAME', 'ull_union_minv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ull_union_mfinal(internal) RETURNS ull
    AS 'MODULE_PATHNAME', 'ull_union_mfinal' LANGUAGE C IMMUTABLE PARALLEL SAFE;

DO $$
DECLARE
    spec record;
    arguments text;
    forward regprocedure;
    inverse regprocedure;
    final regprocedure;
BEGIN
    FOR spec IN
        SELECT a.aggfnoid, p.proname::text AS name, m.forward, m.inverse, m.final, m.volatility
        FROM pg_catalog.pg_aggregate AS a
        JOIN pg_catalog.pg_proc AS p ON p.oid = a.aggfnoid
        JOIN (VALUES
            ('hll_add_agg', 'hll_add_mtrans', 'hll_add_minv', 'hll_mfinal', 'STABLE'),
            ('hll_sketch', 'hll_sketch_mtrans', 'hll_sketch_minv', 'hll_mfinal', 'STABLE'),
            ('hll_count_distinct', 'hll_sketch_mtrans', 'hll_sketch_minv', 'hll_mfinal_count',
             'STABLE'),
            ('hll_union_agg', 'hll_union_mtrans', 'hll_union_minv', 'hll_union_mfinal', 'IMMUTABLE'),
            ('ull_add_agg', 'ull_add_mtrans', 'ull_add_minv', 'ull_mfinal', 'IMMUTABLE'),
            ('ull_sketch', 'ull_sketch_mtrans', 'ull_sketch_minv', 'ull_mfinal', 'IMMUTABLE'),
            ('ull_count_distinct', 'ull_sketch_mtrans', 'ull_sketch_minv', 'ull_mfinal_count',
             'IMMUTABLE'),
            ('ull_union_agg', 'ull_union_mtrans', 'ull_union_minv', 'ull_union_mfinal', 'IMMUTABLE')
        ) AS m(aggregate, forward, inverse, final, volatility) ON m.aggregate = p.proname
        WHERE p.pronamespace = '@extschema@'::regnamespace
        ORDER BY a.aggfnoid
    LOOP
        arguments := pg_catalog.pg_get_function_identity_arguments(spec.aggfnoid);
        forward := pg_catalog.to_regprocedure(
            pg_catalog.format('%s(internal, %s)', spec.forward, arguments));
        inverse := pg_catalog.to_regprocedure(
            pg_catalog.format('%s(internal, %s)', spec.inverse, arguments));
        IF forward IS NULL THEN
            EXECUTE pg_catalog.format(
                'CREATE FUNCTION %s(internal, %s) RETURNS internal
                     AS %L, %L LANGUAGE C %s PARALLEL SAFE',
                spec.forward, arguments, 'MODULE_PATHNAME', spec.forward, spec.volatility);
            forward := pg_catalog.to_regprocedure(
                pg_catalog.format('%s(internal, %s)', spec.forward, arguments));
        END IF;
        IF inverse IS NULL THEN
            EXECUTE pg_catalog.format(
                'CREATE FUNCTION %s(internal, %s) RETURNS internal
                     AS %L, %L LANGUAGE C %s PARALLEL SAFE',
                spec.inverse, arguments, 'MODULE_PATHNAME', spec.inverse, spec.volatility);
            inverse := pg_catalog.to_regprocedure(
                pg_catalog.format('%s(internal, %s)', spec.inverse, arguments));
        END IF;
        final := pg_catalog.format('%s(internal)', spec.final)::regprocedure;
        UPDATE pg_catalog.pg_aggregate
           SET aggmtransfn = forward, aggminvtransfn = inverse, aggmfinalfn = final,
               aggmtranstype = 'internal'::regtype, aggmfinalmodify = 'r'
         WHERE aggfnoid = spec.aggfnoid;
        INSERT INTO pg_catalog.pg_depend
            (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
        SELECT 'pg_proc'::regclass, spec.aggfnoid, 0, 'pg_proc'::regclass, f, 0, 'n'
          FROM unnest(ARRAY[forward, inverse, final]::oid[]) AS f
         WHERE NOT EXISTS (
            SELECT FROM pg_catalog.pg_depend
             WHERE classid = 'pg_proc'::regclass AND objid = spec.aggfnoid
               AND refclassid = 'pg_proc'::regclass AND refobjid = f AND deptype = 'n');
    END LOOP;
END
$$;
