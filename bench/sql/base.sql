-- The shared data set, built once in the template database `bench_base` and copied
-- into the two measured databases (CREATE DATABASE ... TEMPLATE bench_base).
-- Variables: :rows (events rows), :users (distinct bigint users).
\set ON_ERROR_STOP on
CREATE EXTENSION pg_prewarm;

-- N rows; user_id = abs(hashint8(i)) % D, so about D distinct users (N/D rows each,
-- spread evenly over the table), user_key its text form, 30 days, 3 devices.
CREATE TABLE events (id bigint, user_id bigint, user_key text, day date, device int);
INSERT INTO events
SELECT i, u, 'user-' || u, date '2024-01-01' + (i % 30)::int, (i % 3)::int
FROM (SELECT i, abs(hashint8(i)::bigint) % :users AS u FROM generate_series(1, :rows) i) s;
VACUUM (ANALYZE, FREEZE) events;

-- Server-side timing: runs q `warmup` times untimed (the first column of the first
-- warm-up row is returned as `value` when capture is true), then n times timed, and
-- returns each timed run's wall time in milliseconds, measured in this backend with
-- clock_timestamp() around EXECUTE: no EXPLAIN instrumentation, nothing sent to the
-- client (SPI produces the rows and drops them). EXECUTE without INTO runs with no
-- row limit, so parallel plans are allowed.
CREATE FUNCTION bench_time(q text, n int, warmup int DEFAULT 1, capture boolean DEFAULT false,
                           OUT times float8[], OUT value text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
BEGIN
    times := '{}';
    FOR i IN 1..warmup LOOP
        IF capture AND i = 1 THEN EXECUTE q INTO value; ELSE EXECUTE q; END IF;
    END LOOP;
    FOR i IN 1..n LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        times := times || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
    END LOOP;
END $$;

-- Peak resident memory of this backend (kB), from /proc/self/status.
CREATE FUNCTION backend_hwm_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint
$$;
