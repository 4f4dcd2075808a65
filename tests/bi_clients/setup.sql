-- The BI clients' database: the demo's clickstream at its small size and the daily
-- sketch table a dashboard reads (tests/bi_clients/run.sh loads it).
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION hyperloglog;
\ir ../../examples/clickstream.sql
CREATE TABLE daily_users (day date, device text, users hll NOT NULL, PRIMARY KEY (day, device));
INSERT INTO daily_users
SELECT day, device, hll_add_agg(hll_hash_bigint(user_id)) FROM events GROUP BY 1, 2;
CREATE TABLE inbox (client text, n int, users hll NOT NULL, last_user hll_hashval);
