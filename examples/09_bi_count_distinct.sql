-- BI tools write count(DISTINCT user_id) themselves. With the library preloaded and
-- hyperloglog.count_distinct_error_rate set (per session, role or database), every
-- qualifying count(DISTINCT x) is planned as hll_count_distinct(x, log2m): exact while a
-- group is small, within the stated error above, untouched where it cannot be right.
-- (In production: session_preload_libraries = 'hyperloglog'; here LOAD does it, late,
-- after the setting: the WARNING says that statements planned before ran exact.)
SET hyperloglog.count_distinct_error_rate = 0.03;
LOAD 'hyperloglog';
SET hyperloglog.count_distinct_error_rate = 0;
\pset null '(null)'
-- What a plan computes: 'sketch', 'exact' or 'both' (from EXPLAIN VERBOSE).
CREATE OR REPLACE FUNCTION plan_uses(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    sketch boolean := false;
    exact boolean := false;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        sketch := sketch OR line LIKE '%hll_count_distinct(%';
        exact := exact OR line LIKE '%count(DISTINCT%';
    END LOOP;
    RETURN CASE WHEN sketch AND exact THEN 'both' WHEN sketch THEN 'sketch'
                WHEN exact THEN 'exact' ELSE 'neither' END;
END $$;

-- Exact answers first, with the setting off.
CREATE TEMP TABLE exact_by_day AS
SELECT day, device, count(DISTINCT user_id) AS users FROM events GROUP BY day, device;
CREATE TEMP TABLE exact_total AS
SELECT count(DISTINCT user_id) AS users, count(DISTINCT session_id) AS sessions,
       count(DISTINCT device) AS devices, count(DISTINCT campaign_id) AS campaigns
FROM events;

-- 3% relative standard error: log2m 11 (2.3%), exact up to 160 distinct per group.
SET hyperloglog.count_distinct_error_rate = 0.03;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(DISTINCT user_id) FROM events;
SELECT e.users AS exact, a.users AS approx,
       abs(a.users - e.users) <= 3 * 0.023 * e.users AS within_3_se,
       e.devices = a.devices AS devices_exact, e.campaigns = a.campaigns AS campaigns_exact
FROM exact_total AS e,
     (SELECT count(DISTINCT user_id) AS users, count(DISTINCT device) AS devices,
             count(DISTINCT campaign_id) AS campaigns FROM events) AS a;

-- GROUP BY: every group within 3 standard errors, small groups exact.
SELECT count(*) AS groups, count(*) FILTER (WHERE a.users = e.users) AS exact,
       count(*) FILTER (WHERE abs(a.users - e.users) <= 3 * 0.023 * e.users) AS within_3_se
FROM exact_by_day AS e
JOIN (SELECT day, device, count(DISTINCT user_id) AS users FROM events GROUP BY 1, 2) AS a
    USING (day, device);

-- HAVING, FILTER, ROLLUP, a CTE, a subquery, a view: all planned with the sketch.
CREATE TEMP VIEW daily_devices AS
SELECT day, device, count(DISTINCT user_id) AS users FROM events GROUP BY day, device;
SELECT plan_uses($$
    WITH by_step AS (
        SELECT step, count(DISTINCT user_id) FILTER (WHERE device = 'mobile') AS mobile_users
        FROM events GROUP BY step HAVING count(DISTINCT session_id) > 10)
    SELECT (SELECT count(DISTINCT user_id) FROM events WHERE step = 'purchase') AS buyers,
           (SELECT max(users) FROM daily_devices) AS busiest, sum(mobile_users)
    FROM by_step$$) AS cte_subquery_view_filter_having,
       plan_uses($$SELECT device, step, count(DISTINCT user_id) FROM events
                   GROUP BY ROLLUP (device, step)$$) AS rollup,
       plan_uses($$SELECT day, count(DISTINCT user_id) FROM events
                   GROUP BY GROUPING SETS ((day), (device), ())$$) AS grouping_sets,
       plan_uses($$SELECT device, step, count(DISTINCT user_id) FROM events
                   GROUP BY CUBE (device, step)$$) AS cube;
SELECT device, count(DISTINCT user_id) AS users FROM events
GROUP BY ROLLUP (device) ORDER BY 1;
SET hyperloglog.count_distinct_error_rate = 0;
SELECT device, count(DISTINCT user_id) AS users FROM events
GROUP BY ROLLUP (device) ORDER BY 1;
SET hyperloglog.count_distinct_error_rate = 0.03;

-- Untouched: count without DISTINCT, count(*), other aggregates. Rewritten: row values,
-- numeric, floats and intervals too, hashed by value (1.0 = 1.00, -0 = 0, '1 day' =
-- '24 hours'; tests/pg_regress/sql/count_distinct.sql checks each type).
SELECT plan_uses('SELECT count(user_id), count(*), sum(DISTINCT hour) FROM events') AS others,
       plan_uses('SELECT count(DISTINCT (user_id, device)) FROM events') AS row_value,
       plan_uses('SELECT count(DISTINCT revenue) FROM events') AS numeric;
SELECT plan_uses('SELECT count(DISTINCT revenue::float8) FROM events') AS float8,
       plan_uses('SELECT count(DISTINCT ts - ts) FROM events') AS interval,
       plan_uses('SELECT count(DISTINCT ts) FROM events') AS timestamptz,
       plan_uses('SELECT count(DISTINCT day) FROM events') AS date,
       plan_uses('SELECT count(DISTINCT device::varchar) FROM events') AS varchar,
       plan_uses('SELECT count(DISTINCT device COLLATE "C") FROM events') AS text_c;

-- NULLs are not counted, empty input counts 0, as exactly.
SELECT count(DISTINCT campaign_id) AS campaigns, count(DISTINCT NULL::int) AS nothing,
       (SELECT count(DISTINCT user_id) FROM events WHERE false) AS empty
FROM events;

-- Parallel plans use it too.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT plan_uses('SELECT day, count(DISTINCT user_id) FROM events GROUP BY day') AS parallel,
       (SELECT count(*) FROM (SELECT day, count(DISTINCT user_id) FROM events GROUP BY day) AS p(day, n)
        JOIN (SELECT day, hll_count_distinct(user_id, 11) FROM events GROUP BY day) AS s(day, n)
        USING (day, n)) AS days_equal_to_hll_count_distinct;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Prepared statements are planned again when the setting changes, generic plans too.
SET plan_cache_mode = force_generic_plan;
PREPARE users_on(date) AS SELECT count(DISTINCT user_id) FROM events WHERE day >= $1;
SELECT plan_uses($$EXECUTE users_on('2026-10-01')$$) AS setting_on;
SET hyperloglog.count_distinct_error_rate = 0;
SELECT plan_uses($$EXECUTE users_on('2026-10-01')$$) AS setting_off;
EXECUTE users_on('2026-10-01');
RESET plan_cache_mode;
DEALLOCATE users_on;
