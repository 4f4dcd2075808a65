-- Scenario 1: daily, weekly and monthly active users.
-- One row per (day, device, new/returning) holds the sketch of that day's users; every
-- larger number is a union of those rows, and the raw events are never read again.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS daily_uniques CASCADE;
CREATE TABLE daily_uniques (
    day date NOT NULL,
    device text NOT NULL,
    is_new boolean NOT NULL,
    users hll(12) NOT NULL,
    PRIMARY KEY (day, device, is_new)
);
INSERT INTO daily_uniques
SELECT day, device, is_new, hll_add_agg(hll_hash_bigint(user_id), 12)
FROM events GROUP BY day, device, is_new;

-- DAU, WAU and MAU against the exact counts.
SELECT metric_name, estimate, exact, error_pct, within_bounds FROM (
    SELECT (hll_compare('DAU ' || d,
        format('SELECT hll_union_agg(users) FROM daily_uniques WHERE day = %L', d),
        format('SELECT count(DISTINCT user_id) FROM events WHERE day = %L', d))).*
    FROM (VALUES (date '2026-10-01'), (date '2026-10-15')) v(d)
    UNION ALL
    SELECT (hll_compare('WAU from ' || w,
        format('SELECT hll_union_agg(users) FROM daily_uniques WHERE day >= %L AND day < %L', w, w + 7),
        format('SELECT count(DISTINCT user_id) FROM events WHERE day >= %L AND day < %L', w, w + 7))).*
    FROM (VALUES (date '2026-10-05'), (date '2026-10-12')) v(w)
    UNION ALL
    SELECT (hll_compare('MAU October',
        'SELECT hll_union_agg(users) FROM daily_uniques',
        'SELECT count(DISTINCT user_id) FROM events')).*
) r;

-- Weekly and monthly rollups as materialized views; a unique index lets them refresh
-- without blocking readers.
CREATE MATERIALIZED VIEW weekly_uniques AS
SELECT date_trunc('week', day)::date AS week, device, hll_union_agg(users) AS users
FROM daily_uniques GROUP BY 1, 2;
CREATE UNIQUE INDEX ON weekly_uniques (week, device);
CREATE MATERIALIZED VIEW monthly_uniques AS
SELECT date_trunc('month', day)::date AS month, hll_union_agg(users) AS users
FROM daily_uniques GROUP BY 1;
CREATE UNIQUE INDEX ON monthly_uniques (month);

SELECT week, device, round(#users) AS weekly_users FROM weekly_uniques
WHERE week = date '2026-10-05' ORDER BY device;

-- Late events arrive for a past day: they are added to the events, the day's rows are
-- merged with a union, and the rollups are refreshed.
INSERT INTO events (event_id, ts, day, hour, user_id, session_id, device, step, is_new)
SELECT 100000000 + i, timestamptz '2026-10-06 12:00+00', date '2026-10-06', 12,
       100000000 + i, 100000000 + i, 'mobile', 'landing', true
FROM generate_series(1, 300) i;
INSERT INTO daily_uniques
SELECT day, device, is_new, hll_add_agg(hll_hash_bigint(user_id), 12)
FROM events WHERE event_id > 100000000 GROUP BY day, device, is_new
ON CONFLICT (day, device, is_new) DO UPDATE SET users = daily_uniques.users || EXCLUDED.users;
REFRESH MATERIALIZED VIEW CONCURRENTLY weekly_uniques;
REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_uniques;
SELECT week, device, round(#users) AS weekly_users_after_refresh FROM weekly_uniques
WHERE week = date '2026-10-05' ORDER BY device;
SELECT round(#users) AS monthly_users_after_refresh FROM monthly_uniques;
