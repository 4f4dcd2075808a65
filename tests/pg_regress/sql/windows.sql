-- Moving-window aggregates (issue 20): every aggregate is declared with a moving state
-- and an inverse transition, and every frame's result equals the plain aggregate over
-- that frame's rows (tests/window_diff checks thousands of random frames; this file is
-- a readable subset).
SET timezone = 'UTC';

-- The catalog: every aggregate of the extension has a moving implementation (forward,
-- inverse, final, internal state), so PostgreSQL uses it whenever the frame start moves.
SELECT p.proname AS aggregate, count(*) AS overloads,
       count(*) FILTER (WHERE a.aggmtransfn <> 0 AND a.aggminvtransfn <> 0
                          AND a.aggmfinalfn <> 0
                          AND a.aggmtranstype = 'internal'::regtype) AS moving,
       string_agg(DISTINCT a.aggmtransfn::regproc::text || ' / ' || a.aggminvtransfn::regproc::text
                  || ' / ' || a.aggmfinalfn::regproc::text, ', ') AS forward_inverse_final
FROM pg_aggregate AS a
JOIN pg_proc AS p ON p.oid = a.aggfnoid
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'hyperloglog'
GROUP BY p.proname
ORDER BY 1;

-- Raw events: 10 events of 5 users over 3 hours, with ties and a NULL user.
CREATE TABLE win_events (id int, ts timestamptz, user_id bigint, device text);
INSERT INTO win_events VALUES
    (1, '2026-01-01 10:00', 1, 'mobile'), (2, '2026-01-01 10:10', 2, 'desktop'),
    (3, '2026-01-01 10:10', 1, 'mobile'), (4, '2026-01-01 10:40', 3, 'mobile'),
    (5, '2026-01-01 11:05', NULL, 'mobile'), (6, '2026-01-01 11:20', 2, 'desktop'),
    (7, '2026-01-01 11:30', 4, 'desktop'), (8, '2026-01-01 12:45', 4, 'mobile'),
    (9, '2026-01-01 13:00', 5, 'mobile'), (10, '2026-01-01 13:00', 1, 'desktop');

-- Distinct users in the trailing hour at every event (exact while the sketch is
-- EXPLICIT), the same in the last 3 events, and on mobile only (FILTER).
SELECT id, ts, user_id,
       hll_count_distinct(user_id) OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS last_hour,
       hll_count_distinct(user_id) OVER (ORDER BY ts, id ROWS 2 PRECEDING) AS last_3_events,
       hll_count_distinct(user_id) FILTER (WHERE device = 'mobile')
           OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS mobile_last_hour,
       ull_count_distinct(user_id) OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS ull_last_hour
FROM win_events ORDER BY ts, id;

-- Byte-identical to the plain aggregate over each frame's rows (a lateral recomputation).
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w.s = (SELECT hll_sketch(e2.user_id) FROM win_events AS e2
                                     WHERE e2.ts BETWEEN w.ts - interval '1 hour' AND w.ts)) AS hll_same,
       count(*) FILTER (WHERE w.u = (SELECT ull_sketch(e2.user_id) FROM win_events AS e2
                                     WHERE e2.ts BETWEEN w.ts - interval '1 hour' AND w.ts)) AS ull_same
FROM (SELECT ts,
             hll_sketch(user_id) OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS s,
             ull_sketch(user_id) OVER (ORDER BY ts RANGE interval '1 hour' PRECEDING) AS u
      FROM win_events) AS w;

-- Frames with no rows (the first two rows' frames of ROWS BETWEEN 3 PRECEDING AND 2
-- PRECEDING): EMPTY with the call's parameters, as the plain aggregate over no rows
-- gives (never NULL), and 0 for the counts; the union of no sketches is NULL, as
-- hll_union_agg over no rows.
CREATE FUNCTION empty_frames(call text, OUT window_frames text, OUT plain_no_rows text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$SELECT string_agg(coalesce(x::text, 'NULL'), ', ' ORDER BY id)
                      FROM (SELECT id, %s OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING) AS x
                            FROM (SELECT *, hll_empty() || hll_hash_bigint(user_id) AS single,
                                         ull_empty() || hll_hash_bigint(user_id) AS usingle
                                  FROM win_events) AS e) AS w
                      WHERE id <= 2$q$, call) INTO window_frames;
    EXECUTE format($q$SELECT coalesce((%s)::text, 'NULL')
                      FROM (SELECT *, hll_empty() || hll_hash_bigint(user_id) AS single,
                                   ull_empty() || hll_hash_bigint(user_id) AS usingle
                            FROM win_events) AS e WHERE false$q$, call) INTO plain_no_rows;
END $$;
SELECT call, f.*
FROM unnest(ARRAY['hll_add_agg(hll_hash_bigint(user_id), 12)', 'hll_sketch(user_id, 10, 4, 0)',
                  'hll_count_distinct(user_id)', 'ull_sketch(user_id, 6)',
                  'ull_add_agg(hll_hash_bigint(user_id), 8, 0)', 'ull_count_distinct(user_id)',
                  'hll_union_agg(single)', 'ull_union_agg(usingle)']) AS call,
     empty_frames(call) AS f;

-- Representations follow the frame both ways: with log2m 4 and an explicit threshold of
-- 2, the sketch is EMPTY (1), EXPLICIT (2), SPARSE (3) or, with sparseon 0, FULL (4)
-- as the values 1 to 16 enter a frame of 8 rows and leave it (rows 17 to 24 are NULL),
-- and each frame equals the sketch built from its rows alone.
SELECT g AS row, hll_type(sparse) AS sparse_on, hll_type(full_) AS sparse_off,
       sparse = (SELECT hll_add_agg(hll_hash_bigint(v), 4, 5, 2, 1) FROM generate_series(1, 16) AS v
                 WHERE v BETWEEN g - 7 AND g)
       AND full_ = (SELECT hll_add_agg(hll_hash_bigint(v), 4, 5, 2, 0) FROM generate_series(1, 16) AS v
                    WHERE v BETWEEN g - 7 AND g) AS same
FROM (SELECT g,
             hll_add_agg(hll_hash_bigint(v), 4, 5, 2, 1) OVER w AS sparse,
             hll_add_agg(hll_hash_bigint(v), 4, 5, 2, 0) OVER w AS full_
      FROM (SELECT g, CASE WHEN g <= 16 THEN g END AS v FROM generate_series(1, 24) AS g) AS r
      WINDOW w AS (ORDER BY g ROWS BETWEEN 7 PRECEDING AND CURRENT ROW)) AS w
WHERE g IN (1, 2, 3, 8, 9, 16, 17, 22, 23, 24)
ORDER BY g;

-- Rolling 3-day uniques over stored daily sketches: hll_union_agg and ull_union_agg
-- as window functions, equal to the union of each frame's days.
CREATE TABLE win_daily AS
SELECT day, hll_add_agg(hll_hash_bigint(u)) AS users, ull_add_agg(hll_hash_bigint(u)) AS ull_users
FROM generate_series(date '2026-01-01', date '2026-01-06', interval '1 day') AS day,
     generate_series(extract(day FROM day)::int * 100, extract(day FROM day)::int * 100 + 299) AS u
GROUP BY day;
SELECT day::date,
       round(hll_cardinality(hll_union_agg(users) OVER w)) AS rolling_3d,
       hll_union_agg(users) OVER w = (SELECT hll_union_agg(d2.users) FROM win_daily AS d2
                                      WHERE d2.day BETWEEN w_day - 2 AND w_day) AS same,
       round(ull_cardinality(ull_union_agg(ull_users) OVER w)) AS ull_rolling_3d
FROM (SELECT *, day::date AS w_day FROM win_daily) AS d
WINDOW w AS (ORDER BY day RANGE interval '2 days' PRECEDING)
ORDER BY day;

-- Parameters from the settings, as the plain aggregate reads them.
SET hyperloglog.default_log2m = 5;
SET hyperloglog.default_expthresh = 0;
SELECT id, hll_log2m(s) AS log2m, hll_type(s) AS type,
       s = (SELECT hll_sketch(e2.user_id) FROM win_events AS e2
            WHERE e2.id BETWEEN w.id - 2 AND w.id) AS same
FROM (SELECT id, hll_sketch(user_id) OVER (ORDER BY id ROWS 2 PRECEDING) AS s
      FROM win_events) AS w
ORDER BY id;
RESET hyperloglog.default_log2m;
RESET hyperloglog.default_expthresh;

-- Invalid parameters: the same error as the plain aggregate.
SELECT sqlstate_of($$SELECT hll_add_agg(hll_hash_bigint(user_id), 30) FROM win_events$$) AS plain,
       sqlstate_of($$SELECT hll_add_agg(hll_hash_bigint(user_id), 30)
                     OVER (ORDER BY id ROWS 1 PRECEDING) FROM win_events$$) AS window;

-- A view over a window aggregate.
CREATE VIEW win_rolling AS
SELECT id, hll_count_distinct(user_id) OVER (ORDER BY ts RANGE interval '2 hours' PRECEDING) AS users_2h
FROM win_events;
SELECT * FROM win_rolling ORDER BY id;
DROP VIEW win_rolling;
DROP TABLE win_events, win_daily;
DROP FUNCTION empty_frames(text);
