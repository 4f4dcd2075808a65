-- A realistic, deterministic clickstream for the examples and the demo.
--   psql -v events=5000000 -v users=500000 -v days=30 -f examples/clickstream.sql
-- Without variables it makes a small data set (the size the test suite uses).
-- Every "random" choice is a hash of row numbers, so the same sizes give the same data.
\set ON_ERROR_STOP on
\if :{?events} \else \set events 60000 \endif
\if :{?users} \else \set users 8000 \endif
\if :{?days} \else \set days 30 \endif
SET client_min_messages = warning;

-- Uniform numbers in [0, 1) from a row number and a salt.
CREATE OR REPLACE FUNCTION demo_random(n bigint, salt int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((hashint8(n * 1000003 + salt) & 2147483647)::float8 / 2147483648.0);

DROP TABLE IF EXISTS events, ad_events, campaigns CASCADE;

-- Sessions: a few heavy users and many light ones (user = users * r^3 skews activity
-- toward low ids), evening-heavy hours, a device per user, a campaign for some.
-- Each session walks the funnel landing -> product_view -> add_to_cart -> checkout
-- -> purchase and stops early with realistic drop-off.
CREATE TABLE events AS
WITH sessions AS (
    SELECT s AS session_id,
           1 + floor(:users * power(demo_random(s, 1), 3))::bigint AS user_id,
           floor(:days * demo_random(s, 2))::int AS day_offset,
           (ARRAY[0,1,2,3,4,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13,14,14,15,15,16,16,
                  17,17,18,18,18,19,19,19,20,20,20,21,21,21,22,22,23])
               [1 + floor(45 * demo_random(s, 3))::int] AS hour,
           demo_random(s, 4) AS depth,
           CASE WHEN demo_random(s, 5) < 0.3 THEN 1 + floor(8 * demo_random(s, 6))::int END
               AS campaign_id
    FROM generate_series(1, (:events / 2.05)::bigint) s
), walks AS (
    SELECT row_number() OVER () AS event_id,
       timestamptz '2026-10-01 00:00+00' + make_interval(days => s.day_offset, hours => s.hour,
           mins => floor(60 * demo_random(s.session_id, 7))::int, secs => step * 20) AS ts,
       date '2026-10-01' + s.day_offset AS day,
       s.hour, s.user_id, s.session_id,
       (ARRAY['mobile', 'mobile', 'mobile', 'desktop', 'desktop', 'tablet'])
           [1 + (hashint8(s.user_id) & 2147483647) % 6] AS device,
       (ARRAY['landing', 'product_view', 'add_to_cart', 'checkout', 'purchase'])[step] AS step,
       s.campaign_id,
       CASE WHEN step = 5 THEN round((10 + 190 * demo_random(s.session_id, 8))::numeric, 2) END
           AS revenue
FROM sessions s,
     generate_series(1, 5) step
WHERE s.depth < (ARRAY[1.0, 0.6, 0.25, 0.12, 0.08])[step]
)
-- New vs returning: a user is new on the day of their first event.
SELECT *, day = min(day) OVER (PARTITION BY user_id) AS is_new FROM walks ORDER BY event_id;

-- Campaigns with impressions, clicks and conversions; conversions carry revenue.
CREATE TABLE campaigns AS
SELECT c AS campaign_id, 'campaign ' || c AS name,
       (ARRAY['search', 'social', 'display', 'email'])[1 + c % 4] AS channel,
       round((500 + 4500 * demo_random(c, 9))::numeric, 2) AS cost
FROM generate_series(1, 8) c;

CREATE TABLE ad_events AS
SELECT date '2026-10-01' + floor(:days * demo_random(i, 10))::int AS day,
       1 + floor(8 * power(demo_random(i, 11), 1.5))::int AS campaign_id,
       1 + floor(:users * power(demo_random(i, 12), 2))::bigint AS user_id,
       CASE WHEN demo_random(i, 13) < 0.005 THEN 'conversion'
            WHEN demo_random(i, 13) < 0.04 THEN 'click'
            ELSE 'impression' END AS kind,
       CASE WHEN demo_random(i, 13) < 0.005 THEN round((20 + 80 * demo_random(i, 14))::numeric, 2)
       END AS revenue
FROM generate_series(1, (:events * 0.6)::bigint) i;

ANALYZE events;
ANALYZE ad_events;
ANALYZE campaigns;
SELECT count(*) AS events, count(DISTINCT user_id) AS users, count(DISTINCT day) AS days,
       count(DISTINCT session_id) AS sessions
FROM events;
