-- Scenario 2: rolling windows and the last hour.
-- Rolling 7-day and 30-day uniques, and "last hour" / "last 24 hours" from hourly
-- sketches, as a dashboard refreshes them.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Daily sketches (all devices) with window unions over the preceding days.
SELECT * FROM (
    SELECT day,
           round(hll_cardinality(hll_union_agg(users) OVER (ORDER BY day ROWS 6 PRECEDING))) AS rolling_7d,
           round(hll_cardinality(hll_union_agg(users) OVER (ORDER BY day ROWS 29 PRECEDING))) AS rolling_30d
    FROM (SELECT day, hll_union_agg(users) AS users FROM daily_uniques GROUP BY day) d
) r
WHERE day IN (date '2026-10-07', date '2026-10-20', date '2026-10-30')
ORDER BY day;
-- The exact rolling 7-day count for one day, for comparison.
SELECT metric_name, estimate, exact, error_pct, within_bounds
FROM hll_compare('7 days to 2026-10-20',
    $$SELECT hll_union_agg(users) FROM daily_uniques
      WHERE day BETWEEN date '2026-10-14' AND date '2026-10-20'$$,
    $$SELECT count(DISTINCT user_id) FROM events
      WHERE day BETWEEN date '2026-10-14' AND date '2026-10-20'$$);

-- Hourly sketches for the freshest numbers.
DROP TABLE IF EXISTS hourly_uniques;
CREATE TABLE hourly_uniques AS
SELECT date_trunc('hour', ts) AS hour, hll_add_agg(hll_hash_bigint(user_id), 12) AS users
FROM events GROUP BY 1;
CREATE UNIQUE INDEX ON hourly_uniques (hour);

SELECT metric_name, estimate, exact, error_pct, within_bounds FROM (
    SELECT (hll_compare('last 1 hour',
        $$SELECT hll_union_agg(users) FROM hourly_uniques
          WHERE hour > (SELECT max(hour) FROM hourly_uniques) - interval '1 hour'$$,
        $$SELECT count(DISTINCT user_id) FROM events
          WHERE date_trunc('hour', ts) > (SELECT max(date_trunc('hour', ts)) FROM events) - interval '1 hour'$$)).*
    UNION ALL
    SELECT (hll_compare('last 24 hours',
        $$SELECT hll_union_agg(users) FROM hourly_uniques
          WHERE hour > (SELECT max(hour) FROM hourly_uniques) - interval '24 hours'$$,
        $$SELECT count(DISTINCT user_id) FROM events
          WHERE date_trunc('hour', ts) > (SELECT max(date_trunc('hour', ts)) FROM events) - interval '24 hours'$$)).*
) r;
