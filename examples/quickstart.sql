-- Quick start: daily sketches per device, then weekly and monthly uniques from them.
-- Run by examples/demo.sh against a database with the extension;
-- tests/pg_regress/sql/quickstart.sql links here, so the test suite checks its output.
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
SET hyperloglog.default_log2m = 12;

-- 30 days of page views: 50,000 users, heavy users visit often, light users rarely.
DROP TABLE IF EXISTS page_views;
CREATE TABLE page_views AS
SELECT date '2026-10-01' + (v % 30) AS day,
       (ARRAY['mobile', 'desktop', 'tablet'])[1 + (u % 10 > 5)::int + (u % 10 > 8)::int] AS device,
       u AS user_id
FROM generate_series(1, 200000) v,
     LATERAL (SELECT (floor(50000 * power(((v * 2654435761::bigint) % 1000003) / 1000003.0, 2)))::int + 1 AS u) s;

-- One row per day and device, each holding a sketch of that day's users.
DROP TABLE IF EXISTS daily_users;
CREATE TABLE daily_users AS
SELECT day, device, hll_add_agg(hll_hash_integer(user_id)) AS users
FROM page_views GROUP BY day, device;

-- Daily uniques per device: sketch estimate beside the exact count.
SELECT d.day, d.device, round(hll_cardinality(d.users)) AS estimate, e.exact,
       round((100 * (hll_cardinality(d.users) / e.exact - 1))::numeric, 2) AS error_pct
FROM daily_users d
JOIN (SELECT day, device, count(DISTINCT user_id) AS exact FROM page_views GROUP BY 1, 2) e
  USING (day, device)
WHERE d.day < date '2026-10-03' ORDER BY d.day, d.device;

-- Weekly and monthly uniques: a union of the daily sketches, no raw events needed.
SELECT w.week, round(hll_cardinality(w.users)) AS estimate, e.exact
FROM (SELECT date_trunc('week', day)::date AS week, hll_union_agg(users) AS users
      FROM daily_users GROUP BY 1) w
JOIN (SELECT date_trunc('week', day)::date AS week, count(DISTINCT user_id) AS exact
      FROM page_views GROUP BY 1) e USING (week)
ORDER BY w.week;

SELECT round(hll_cardinality(hll_union_agg(users))) AS month_estimate,
       (SELECT count(DISTINCT user_id) FROM page_views) AS month_exact,
       pg_size_pretty(sum(pg_column_size(users))) AS sketch_storage,
       floor(pg_total_relation_size('page_views') / 1048576.0) || ' MB' AS raw_event_storage
FROM daily_users;
