-- hll_compare(metric, sketch query, exact query): runs a query that returns one hll
-- and one that returns the exact count, and reports the estimate, the truth, the
-- relative error, the 95% bounds, whether the truth lies inside them, and both run
-- times. The examples show the deterministic columns; the demo also shows the times.
\set ON_ERROR_STOP on
CREATE OR REPLACE FUNCTION hll_compare(metric text, sketch_query text, exact_query text,
    OUT metric_name text, OUT estimate bigint, OUT exact bigint, OUT error_pct numeric,
    OUT lower_95 bigint, OUT upper_95 bigint, OUT within_bounds boolean,
    OUT sketch_ms numeric, OUT exact_ms numeric)
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz;
    sketch hll;
BEGIN
    metric_name := metric;
    started := clock_timestamp();
    EXECUTE sketch_query INTO sketch;
    sketch_ms := round(extract(epoch FROM clock_timestamp() - started)::numeric * 1000, 1);
    started := clock_timestamp();
    EXECUTE exact_query INTO exact;
    exact_ms := round(extract(epoch FROM clock_timestamp() - started)::numeric * 1000, 1);
    SELECT round(b.estimate), round(b.lower), round(b.upper)
      INTO estimate, lower_95, upper_95
      FROM hll_cardinality_bounds(coalesce(sketch, hll_empty()), 0.95) b;
    error_pct := CASE WHEN exact > 0 THEN round(100.0 * (estimate - exact) / exact, 2) ELSE 0 END;
    within_bounds := exact BETWEEN lower_95 AND upper_95;
END $$;
