-- hll (by hyperloglog) hyperloglog-0.2.0 -> hyperloglog-0.4.0: hll_add_agg and
-- hll_union_agg become moving-window aggregates (src/window.rs), as in hyperloglog
-- 0.4.0: a window frame whose start moves adds the rows that enter and removes those
-- that leave. A new install runs the 0.2.0 script and then this one. The aggregates
-- keep their oids (views over them keep working): their pg_aggregate rows and the
-- dependencies CREATE AGGREGATE would record are completed in place.
\echo Use "ALTER EXTENSION hll UPDATE TO 'hyperloglog-0.4.0'" to load this file. \quit

CREATE FUNCTION hll_mfinal_peer(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_mfinal_peer' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_mtrans(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_union_mtrans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_minv(internal, hll) RETURNS internal
    AS 'MODULE_PATHNAME', 'hll_union_minv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hll_union_mfinal(internal) RETURNS hll
    AS 'MODULE_PATHNAME', 'hll_union_mfinal' LANGUAGE C IMMUTABLE PARALLEL SAFE;

DO $$
DECLARE
    spec record;
    arguments text;
    forward regprocedure;
    inverse regprocedure;
    final regprocedure;
BEGIN
    FOR spec IN
        SELECT a.aggfnoid, p.proname::text AS name
        FROM pg_catalog.pg_aggregate AS a
        JOIN pg_catalog.pg_proc AS p ON p.oid = a.aggfnoid
        JOIN pg_catalog.pg_depend AS d
          ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype = 'e'
         AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'hll')
        WHERE p.proname IN ('hll_add_agg', 'hll_union_agg')
        ORDER BY a.aggfnoid
    LOOP
        arguments := pg_catalog.pg_get_function_identity_arguments(spec.aggfnoid);
        IF spec.name = 'hll_union_agg' THEN
            forward := 'hll_union_mtrans(internal, hll)';
            inverse := 'hll_union_minv(internal, hll)';
            final := 'hll_union_mfinal(internal)';
        ELSE
            EXECUTE pg_catalog.format(
                'CREATE FUNCTION hll_add_mtrans_peer(internal, %s) RETURNS internal
                     AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                arguments, 'MODULE_PATHNAME', 'hll_add_mtrans_peer');
            EXECUTE pg_catalog.format(
                'CREATE FUNCTION hll_add_minv(internal, %s) RETURNS internal
                     AS %L, %L LANGUAGE C STABLE PARALLEL SAFE',
                arguments, 'MODULE_PATHNAME', 'hll_add_minv');
            forward := pg_catalog.format('hll_add_mtrans_peer(internal, %s)', arguments);
            inverse := pg_catalog.format('hll_add_minv(internal, %s)', arguments);
            final := 'hll_mfinal_peer(internal)';
        END IF;
        UPDATE pg_catalog.pg_aggregate
           SET aggmtransfn = forward, aggminvtransfn = inverse, aggmfinalfn = final,
               aggmtranstype = 'internal'::regtype, aggmfinalmodify = 'r'
         WHERE aggfnoid = spec.aggfnoid;
        INSERT INTO pg_catalog.pg_depend
            (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
        SELECT 'pg_proc'::regclass, spec.aggfnoid, 0, 'pg_proc'::regclass, f, 0, 'n'
          FROM unnest(ARRAY[forward, inverse, final]::oid[]) AS f;
    END LOOP;
END
$$;
