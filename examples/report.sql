-- The demo's closing report: for each headline metric, the sketch estimate, the exact
-- count, the error, the 95% bounds, and how long each query took.
\set ON_ERROR_STOP on
\pset footer off
\echo
\echo '==> Sketch against exact count (COUNT(DISTINCT) over the raw events), with timings'
SELECT metric_name AS metric, estimate, exact, error_pct AS "error %",
       lower_95 || ' .. ' || upper_95 AS "95% bounds", within_bounds AS "truth inside",
       sketch_ms AS "sketch ms", exact_ms AS "exact ms",
       round(exact_ms / nullif(sketch_ms, 0)) || 'x' AS speedup
FROM (
    SELECT (hll_compare('DAU, last day',
        $$SELECT hll_union_agg(users) FROM daily_uniques WHERE day = (SELECT max(day) FROM daily_uniques)$$,
        $$SELECT count(DISTINCT user_id) FROM events WHERE day = (SELECT max(day) FROM events)$$)).*
    UNION ALL
    SELECT (hll_compare('WAU, last 7 days',
        $$SELECT hll_union_agg(users) FROM daily_uniques WHERE day > (SELECT max(day) FROM daily_uniques) - 7$$,
        $$SELECT count(DISTINCT user_id) FROM events WHERE day > (SELECT max(day) FROM events) - 7$$)).*
    UNION ALL
    SELECT (hll_compare('MAU, all days',
        'SELECT hll_union_agg(users) FROM daily_uniques',
        'SELECT count(DISTINCT user_id) FROM events')).*
    UNION ALL
    SELECT (hll_compare('mobile users, all days',
        $$SELECT hll_union_agg(users) FROM daily_uniques WHERE device = 'mobile'$$,
        $$SELECT count(DISTINCT user_id) FROM events WHERE device = 'mobile'$$)).*
    UNION ALL
    SELECT (hll_compare('new users, all days',
        'SELECT hll_union_agg(users) FROM daily_uniques WHERE is_new',
        'SELECT count(DISTINCT user_id) FROM events WHERE is_new')).*
    UNION ALL
    SELECT (hll_compare('purchasers',
        $$SELECT users FROM funnel_steps WHERE step = 'purchase'$$,
        $$SELECT count(DISTINCT user_id) FROM events WHERE step = 'purchase'$$)).*
    UNION ALL
    SELECT (hll_compare('campaign 1 reach',
        'SELECT hll_union_agg(reached) FROM campaign_daily WHERE campaign_id = 1',
        $$SELECT count(DISTINCT user_id) FROM ad_events WHERE campaign_id = 1 AND kind = 'impression'$$)).*
    UNION ALL
    SELECT (hll_compare('one call: hll_sketch(user_id) over all events',
        'SELECT hll_sketch(user_id) FROM events',
        'SELECT count(DISTINCT user_id) FROM events')).*
) r;
SELECT pg_size_pretty(pg_total_relation_size('events')) AS raw_events,
       pg_size_pretty(pg_total_relation_size('daily_uniques')) AS daily_sketches,
       (SELECT count(*) FROM daily_uniques) AS sketch_rows;
