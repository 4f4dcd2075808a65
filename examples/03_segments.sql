-- Scenario 3: segments.
-- Segments side by side with FILTER; a segment without rows counts 0.
\set ON_ERROR_STOP on
SELECT day,
       round(#hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE device = 'mobile')) AS mobile,
       round(#hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE device = 'desktop')) AS desktop,
       round(#hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE is_new)) AS new_users,
       round(#hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE NOT is_new)) AS returning_users,
       round(#hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE device = 'smart-tv')) AS smart_tv
FROM events WHERE day BETWEEN date '2026-10-01' AND date '2026-10-03'
GROUP BY day ORDER BY day;

-- The same from the stored daily sketches, and against the exact counts.
SELECT metric_name, estimate, exact, error_pct, within_bounds FROM (
    SELECT (hll_compare(seg || ' users, October',
        format('SELECT hll_union_agg(users) FROM daily_uniques WHERE %s', cond),
        format('SELECT count(DISTINCT user_id) FROM events WHERE %s', cond))).*
    FROM (VALUES ('mobile', $$device = 'mobile'$$), ('desktop', $$device = 'desktop'$$),
                 ('new', 'is_new'), ('returning', 'NOT is_new'),
                 ('smart-tv', $$device = 'smart-tv'$$)) s(seg, cond)
) r;
