-- Scenario 10: rolling unique visitors with moving-window aggregates.
-- "Unique visitors in the last hour / 24 hours / 7 days / 30 days", as of every hour,
-- from the raw events and from hourly and daily sketch tables; rolling 7- and 30-day
-- actives per segment in a materialized view. Every aggregate of the extension is a
-- moving aggregate, so a window whose frame start moves adds the rows that enter and
-- removes those that leave: the cost per row does not grow with the frame.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET timezone = 'UTC';

-- 1. From raw events: distinct users in the trailing hour and 24 hours at every event
-- (RANGE frames on the timestamp), read as of the last event of each hour. Shown for
-- the evening of 2026-10-20 against count(DISTINCT) over the same rows.
DROP TABLE IF EXISTS rolling_raw;
CREATE TABLE rolling_raw AS
SELECT DISTINCT ON (date_trunc('hour', ts)) date_trunc('hour', ts) AS hour, ts AS as_of,
       hll_count_distinct(user_id) OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS last_1h,
       hll_count_distinct(user_id) OVER (ORDER BY ts RANGE interval '24 hours' PRECEDING) AS last_24h
FROM events
ORDER BY date_trunc('hour', ts), ts DESC;
SELECT r.hour, r.last_1h,
       (SELECT count(DISTINCT user_id) FROM events
        WHERE ts BETWEEN r.as_of - interval '1 hour' AND r.as_of) AS exact_1h,
       r.last_24h,
       (SELECT count(DISTINCT user_id) FROM events
        WHERE ts BETWEEN r.as_of - interval '24 hours' AND r.as_of) AS exact_24h
FROM rolling_raw AS r
WHERE r.hour BETWEEN timestamptz '2026-10-20 18:00+00' AND timestamptz '2026-10-20 21:00+00'
ORDER BY r.hour;

-- 2. From an hourly sketch table (one sketch per hour, as a rollup job writes it):
-- the last 24 hours, 7 days and 30 days as of every hour are unions of 24, 168 and 720
-- hourly sketches, each a window over the same table.
DROP TABLE IF EXISTS hourly_users;
CREATE TABLE hourly_users AS
SELECT date_trunc('hour', ts) AS hour, hll_add_agg(hll_hash_bigint(user_id), 12) AS users
FROM events GROUP BY 1;
CREATE UNIQUE INDEX ON hourly_users (hour);
DROP TABLE IF EXISTS rolling_hourly;
CREATE TABLE rolling_hourly AS
SELECT hour,
       round(hll_cardinality(hll_union_agg(users) OVER (ORDER BY hour RANGE interval '23 hours' PRECEDING))) AS last_24h,
       round(hll_cardinality(hll_union_agg(users) OVER (ORDER BY hour RANGE interval '167 hours' PRECEDING))) AS last_7d,
       round(hll_cardinality(hll_union_agg(users) OVER (ORDER BY hour RANGE interval '719 hours' PRECEDING))) AS last_30d
FROM hourly_users;
SELECT h.hour, h.last_24h, h.last_7d, h.last_30d,
       (SELECT count(DISTINCT user_id) FROM events
        WHERE date_trunc('hour', ts) BETWEEN h.hour - interval '23 hours' AND h.hour) AS exact_24h,
       (SELECT count(DISTINCT user_id) FROM events
        WHERE date_trunc('hour', ts) BETWEEN h.hour - interval '167 hours' AND h.hour) AS exact_7d,
       (SELECT count(DISTINCT user_id) FROM events
        WHERE date_trunc('hour', ts) BETWEEN h.hour - interval '719 hours' AND h.hour) AS exact_30d
FROM rolling_hourly AS h
WHERE h.hour IN (timestamptz '2026-10-07 23:00+00', timestamptz '2026-10-20 21:00+00',
                 timestamptz '2026-10-30 23:00+00')
ORDER BY h.hour;
-- The windowed union is the same sketch, byte for byte, as the union of the frame's
-- hourly rows (here for every hour and the 24-hour frame).
SELECT count(*) AS hours,
       count(*) FILTER (WHERE w.users = (SELECT hll_union_agg(h2.users) FROM hourly_users AS h2
                                         WHERE h2.hour BETWEEN w.hour - interval '23 hours' AND w.hour))
           AS identical_to_the_plain_union
FROM (SELECT hour, hll_union_agg(users) OVER (ORDER BY hour RANGE interval '23 hours' PRECEDING) AS users
      FROM hourly_users) AS w;

-- 3. From a daily sketch table per segment (device): rolling 7- and 30-day actives for
-- every day and segment, kept in a materialized view that a nightly job refreshes
-- (REFRESH ... CONCURRENTLY with the unique index). PARTITION BY the segment keeps each
-- segment's frames apart; a day without rows in a segment just has no row (RANGE
-- frames count days, not rows).
DROP TABLE IF EXISTS daily_users CASCADE;
CREATE TABLE daily_users AS
SELECT day, device, hll_add_agg(hll_hash_bigint(user_id), 12) AS users
FROM events GROUP BY day, device;
CREATE MATERIALIZED VIEW rolling_actives AS
SELECT day, device,
       hll_union_agg(users) OVER (PARTITION BY device ORDER BY day RANGE interval '6 days' PRECEDING) AS wau,
       hll_union_agg(users) OVER (PARTITION BY device ORDER BY day RANGE interval '29 days' PRECEDING) AS mau
FROM daily_users;
CREATE UNIQUE INDEX ON rolling_actives (day, device);
REFRESH MATERIALIZED VIEW CONCURRENTLY rolling_actives;
SELECT device, day, round(hll_cardinality(wau)) AS wau, round(hll_cardinality(mau)) AS mau,
       round((hll_cardinality(wau) / hll_cardinality(mau))::numeric, 2) AS stickiness,
       (SELECT count(DISTINCT user_id) FROM events AS e
        WHERE e.device = a.device AND e.day BETWEEN a.day - 6 AND a.day) AS exact_wau,
       (SELECT count(DISTINCT user_id) FROM events AS e
        WHERE e.device = a.device AND e.day BETWEEN a.day - 29 AND a.day) AS exact_mau
FROM rolling_actives AS a
WHERE day IN (date '2026-10-07', date '2026-10-30')
ORDER BY device, day;
-- All segments together, from the same view's rows: the union of the segments' sketches.
SELECT day, round(hll_cardinality(hll_union_agg(wau))) AS wau, round(hll_cardinality(hll_union_agg(mau))) AS mau
FROM rolling_actives WHERE day = date '2026-10-30' GROUP BY day;

-- 4. Rolling counts straight from raw rows with UltraLogLog (smaller sketches and
-- errors at the same memory): the trailing 24 hours as of the same hours as in 1.
SELECT hour, last_24h, ull_last_24h FROM (
    SELECT DISTINCT ON (date_trunc('hour', ts)) date_trunc('hour', ts) AS hour,
           hll_count_distinct(user_id) OVER w AS last_24h,
           ull_count_distinct(user_id) OVER w AS ull_last_24h
    FROM events
    WINDOW w AS (ORDER BY ts RANGE interval '24 hours' PRECEDING)
    ORDER BY date_trunc('hour', ts), ts DESC
) AS r
WHERE hour BETWEEN timestamptz '2026-10-20 18:00+00' AND timestamptz '2026-10-20 21:00+00'
ORDER BY hour;
