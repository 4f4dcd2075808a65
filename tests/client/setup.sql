-- The client check's database: deterministic events and the daily sketch table a BI
-- tool would query. Loaded by tests/client/run.sh; check.py also works against any
-- database where this file has been run.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hyperloglog;
DROP TABLE IF EXISTS events, daily_users, sketch_inbox;

-- 100,000 events of 20,000 users over the 28 days from Monday 2024-01-01.
-- A user's segment depends on the user: 200 enterprise users (their daily sketches
-- stay EXPLICIT), 1,800 pro users (SPARSE), the rest free (FULL).
CREATE TABLE events AS
SELECT id, user_id, day,
       CASE WHEN user_id % 100 = 0 THEN 'enterprise'
            WHEN user_id % 10 = 0 THEN 'pro' ELSE 'free' END AS segment
FROM (SELECT id,
             (hashint8extended(id, 1) & 9223372036854775807) % 20000 + 1 AS user_id,
             date '2024-01-01' + ((hashint8extended(id, 2) & 9223372036854775807) % 28)::int AS day
      FROM generate_series(1, 100000) AS id) e;

CREATE TABLE daily_users (
    day date NOT NULL,
    segment text NOT NULL,
    users hll NOT NULL,
    PRIMARY KEY (day, segment)
);
INSERT INTO daily_users
SELECT day, segment, hll_add_agg(hll_hash_bigint(user_id)) FROM events GROUP BY 1, 2;

-- Sketches written by the client.
CREATE TABLE sketch_inbox (name text PRIMARY KEY, users hll NOT NULL);
