-- Scenario 6: real-time ingest.
-- Events arrive in micro-batches; each batch is merged into the current hour's sketch
-- with INSERT ... ON CONFLICT ... DO UPDATE. Merging is a union, so order and batching
-- do not matter: the result equals the sketch built from all events at once, byte for
-- byte. tests/concurrent_ingest.sh runs the same ingest with several concurrent writers.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS live_hourly;
CREATE TABLE live_hourly (
    hour timestamptz PRIMARY KEY,
    users hll NOT NULL
);
-- One micro-batch: the events whose id falls in the batch (of `batches`).
CREATE OR REPLACE FUNCTION ingest_batch(batch int, batches int) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO live_hourly
    SELECT date_trunc('hour', ts), hll_add_agg(hll_hash_bigint(user_id))
    FROM events WHERE event_id % batches = batch
    GROUP BY 1
    ON CONFLICT (hour) DO UPDATE SET users = hll_union(live_hourly.users, EXCLUDED.users)
$$;
SELECT count(*) AS batches_ingested FROM generate_series(0, 19) b, LATERAL ingest_batch(b, 20) i;

SELECT count(*) AS hours,
       count(*) FILTER (WHERE l.users::text = b.users::text) AS byte_identical
FROM live_hourly l
JOIN (SELECT date_trunc('hour', ts) AS hour, hll_add_agg(hll_hash_bigint(user_id)) AS users
      FROM events GROUP BY 1) b USING (hour);
