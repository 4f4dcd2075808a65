-- hll_add_agg and hll_union_agg: groups, empty input, windows, parallel plans, settings.

CREATE TABLE events AS
SELECT i AS id, (i % 1000) AS user_id, (i % 7) AS day, (i % 3 = 0) AS mobile
FROM generate_series(1, 30000) i;
ANALYZE events;

-- The exact vector of postgresql-hll for three hashes.
SELECT hll_add_agg(v::hll_hashval)
FROM (VALUES (-8604791237420463362), (-2734554653617988768), (5208657608173592891)) t(v);

-- Exact counts while EXPLICIT (up to 160 distinct values with the defaults).
SELECT day, hll_cardinality(hll_add_agg(hll_hash_integer(user_id))) AS sketch,
       count(DISTINCT user_id) AS exact
FROM events WHERE user_id < 100 GROUP BY day ORDER BY day;

-- Estimates past the threshold, with every parameter form.
SELECT round(#hll_add_agg(hll_hash_integer(user_id))) AS defaults,
       round(#hll_add_agg(hll_hash_integer(user_id), 14)) AS log2m_14,
       round(#hll_add_agg(hll_hash_integer(user_id), 14, 6)) AS regwidth_6,
       round(#hll_add_agg(hll_hash_integer(user_id), 14, 6, 0)) AS no_explicit,
       round(#hll_add_agg(hll_hash_integer(user_id), 14, 6, 2048, 0)) AS explicit_2048
FROM events;
SELECT hll_log2m(h), hll_regwidth(h), hll_expthresh(h), hll_sparseon(h)
FROM (SELECT hll_add_agg(hll_hash_integer(user_id), 12, 6, 256, 0) h FROM events) s;

-- Zero rows or every row filtered out: an EMPTY sketch with the requested parameters.
SELECT hll_add_agg(hll_hash_integer(user_id)) FROM events WHERE false;
SELECT hll_add_agg(hll_hash_integer(user_id), 12, 6) FROM events WHERE false;
SELECT hll_add_agg(hll_hash_integer(user_id)) FILTER (WHERE day > 100),
       hll_add_agg(hll_hash_integer(user_id), 13) FILTER (WHERE day > 100) FROM events;
SELECT day, #hll_add_agg(hll_hash_integer(user_id)) FILTER (WHERE mobile AND day = 0)
FROM events WHERE day < 2 GROUP BY day ORDER BY day;
SELECT hll_add_agg(NULL::hll_hashval);
-- The parameters are the call's direct arguments, never its ORDER BY keys; those that
-- do not depend on the row are evaluated for a group without rows; one that comes from
-- a column takes the setting there.
SELECT hll_print(hll_add_agg(hll_hash_integer(user_id) ORDER BY 5)) AS order_by_key_ignored,
       hll_print(hll_add_agg(hll_hash_integer(user_id) ORDER BY 'x')) AS order_by_text_ignored,
       hll_print(hll_add_agg(hll_hash_integer(user_id), 12 ORDER BY 5)) AS with_log2m
FROM events WHERE false;
SELECT hll_print(hll_add_agg(hll_hash_integer(user_id), (SELECT 12))) AS subquery,
       hll_print(hll_add_agg(hll_hash_integer(user_id),
                             current_setting('hyperloglog.default_regwidth')::int + 8)) AS setting,
       hll_print(hll_sketch(user_id, 10, 4, 0, 0)) AS constants,
       hll_print(hll_add_agg(hll_hash_integer(user_id), day + 10)) AS from_a_column
FROM events WHERE false;
SELECT day, hll_print(hll_add_agg(hll_hash_integer(user_id), (SELECT 13)) FILTER (WHERE false))
FROM events WHERE day < 2 GROUP BY day ORDER BY day;
PREPARE empty_sketch(int, int) AS
SELECT hll_print(hll_add_agg(hll_hash_integer(user_id), $1, $2)) FROM events WHERE false;
SET plan_cache_mode = force_generic_plan;
EXECUTE empty_sketch(9, 3);
RESET plan_cache_mode;
DEALLOCATE empty_sketch;
-- Empty window frames: EMPTY with the call's parameters, each call its own even when
-- one window clause holds several calls with different ones.
SELECT day, hll_print(hll_add_agg(hll_hash_integer(user_id), (SELECT 13), 4)
                          OVER (ORDER BY day ROWS BETWEEN 5 FOLLOWING AND 6 FOLLOWING)) AS empty_frame,
       hll_print(hll_sketch(user_id, 9) FILTER (WHERE false) OVER (ORDER BY day)) AS filtered,
       hll_count_distinct(user_id) FILTER (WHERE false) OVER () AS zero
FROM (SELECT DISTINCT day, 1 AS user_id FROM events WHERE day < 2) d ORDER BY day;
SELECT hll_print(hll_add_agg(hll_hash_integer(u), 10) FILTER (WHERE false) OVER ()) AS first_call,
       hll_print(hll_add_agg(hll_hash_integer(u), 12) FILTER (WHERE false) OVER ()) AS second_call
FROM (VALUES (1)) v(u);

-- Invalid parameters: 22023.
SELECT sqlstate_of($$SELECT hll_add_agg(hll_hash_integer(user_id), 22) FROM events$$);
SELECT sqlstate_of($$SELECT hll_add_agg(hll_hash_integer(user_id), 11, 5, 7) FROM events$$);

-- hll_union_agg: nothing gives NULL, NULLs are skipped, the union equals one pass.
SELECT hll_union_agg(h) IS NULL AS null_for_no_rows FROM (SELECT NULL::hll h WHERE false) s;
SELECT hll_union_agg(NULL::hll) IS NULL AS null_for_nulls;
CREATE TABLE daily AS
SELECT day, hll_add_agg(hll_hash_integer(user_id)) AS users FROM events GROUP BY day;
INSERT INTO daily VALUES (99, NULL);
SELECT hll_union_agg(users) = (SELECT hll_add_agg(hll_hash_integer(user_id)) FROM events)
       AS union_equals_single_pass,
       round(#hll_union_agg(users)) AS estimate
FROM daily;
SELECT hll_union_agg(h) FROM (VALUES (hll_empty(12)), (hll_empty(11, 5, 0, 1))) t(h);

-- Window aggregates: rolling 3-day uniques. Day d sees users 100d .. 100d+299, and an
-- explicit threshold of 1024 keeps the counts exact: 300, 400, then 500 every day.
CREATE TABLE visits AS
SELECT d AS day, hll_add_agg(hll_hash_integer(u), 11, 5, 1024) AS users
FROM generate_series(0, 6) d, generate_series(100 * d, 100 * d + 299) u GROUP BY d;
SELECT day, #hll_union_agg(users) OVER (ORDER BY day ROWS 2 PRECEDING) AS rolling_3d,
       #users AS daily
FROM visits ORDER BY day;

-- Hash and sort aggregation give the same bytes.
SET enable_hashagg = off;
CREATE TABLE by_sort AS SELECT day, hll_add_agg(hll_hash_integer(user_id)) h FROM events GROUP BY day;
RESET enable_hashagg;
SET enable_sort = off;
CREATE TABLE by_hash AS SELECT day, hll_add_agg(hll_hash_integer(user_id)) h FROM events GROUP BY day;
RESET enable_sort;
SELECT count(*) AS groups_identical FROM by_sort JOIN by_hash USING (day) WHERE by_sort.h::text = by_hash.h::text;

-- A parallel plan gives the same bytes as a serial one.
CREATE TABLE big AS SELECT i AS user_id, i % 4 AS k FROM generate_series(1, 200000) i;
ANALYZE big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_result AS
SELECT hll_add_agg(hll_hash_bigint(user_id)) AS h,
       hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE user_id < 50) AS small FROM big;
CREATE TABLE serial_groups AS
SELECT k, hll_add_agg(hll_hash_bigint(user_id)) AS h FROM big GROUP BY k;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT hll_add_agg(hll_hash_bigint(user_id)) FROM big;
SELECT s.h = p.h AND s.h::text = p.h::text AS same_bytes, s.small::text = p.small::text AS same_small
FROM serial_result s,
     (SELECT hll_add_agg(hll_hash_bigint(user_id)) AS h,
             hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE user_id < 50) AS small FROM big) p;
EXPLAIN (COSTS OFF) SELECT k, hll_add_agg(hll_hash_bigint(user_id)) FROM big GROUP BY k;
SELECT count(*) AS parallel_groups_identical FROM
  (SELECT k, hll_add_agg(hll_hash_bigint(user_id))::text h FROM big GROUP BY k) p
  JOIN (SELECT k, h::text FROM serial_groups) s USING (k, h);
CREATE TABLE big_sketches AS SELECT k, hll_add_agg(hll_hash_bigint(user_id)) h FROM big GROUP BY k;
EXPLAIN (COSTS OFF) SELECT hll_union_agg(h) FROM big_sketches;

-- Settings: SET LOCAL is transactional and parallel workers see the setting.
BEGIN;
SET LOCAL hyperloglog.default_log2m = 13;
SELECT hll_log2m(hll_add_agg(hll_hash_bigint(user_id))) AS parallel_log2m FROM big;
SELECT hll_log2m(hll_empty());
COMMIT;
SELECT hll_log2m(hll_empty()) AS after_commit;
RESET ALL;
SHOW hyperloglog.default_log2m;
SHOW hyperloglog.default_regwidth;
SHOW hyperloglog.default_expthresh;
SHOW hyperloglog.default_sparseon;
SELECT sqlstate_of($$SET hyperloglog.default_log2m = 30$$);
-- A threshold calls would refuse is refused by SET itself, and calls go on working.
SELECT sqlstate_of($$SET hyperloglog.default_expthresh = 100$$);
SELECT sqlstate_of($$SELECT hll_empty()$$);
RESET hyperloglog.default_expthresh;

-- One-call aggregates: hll_sketch hashes inside, byte-identical to hll_add_agg over
-- hll_hash_any; hll_count_distinct returns the rounded count directly.
SELECT hll_sketch(user_id) = hll_add_agg(hll_hash_any(user_id)) AS int_same,
       hll_sketch(user_id)::text = hll_add_agg(hll_hash_integer(user_id))::text AS int_bytes,
       hll_sketch(user_id::text) = hll_add_agg(hll_hash_text(user_id::text)) AS text_same,
       hll_sketch(user_id::bigint, 13, 6, 0, 0) = hll_add_agg(hll_hash_bigint(user_id), 13, 6, 0, 0) AS params_same,
       hll_count_distinct(user_id) AS approx, count(DISTINCT user_id) AS exact
FROM events;
SELECT day, hll_count_distinct(user_id) FILTER (WHERE user_id < 50) AS exact_below_threshold,
       hll_count_distinct(user_id) FILTER (WHERE false) AS zero_not_null
FROM events WHERE day < 3 GROUP BY day ORDER BY day;
SELECT hll_sketch(x), hll_sketch(x, 13), hll_count_distinct(x) FROM (SELECT 1 WHERE false) s(x);
SELECT hll_count_distinct(u) AS two_uuids, hll_sketch(u) = hll_add_agg(hll_hash_any(u)) AS uuid_same
FROM (VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid), (NULL),
             ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12')) t(u);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT hll_sketch(user_id) FROM big;
SELECT hll_sketch(user_id)::text = (SELECT h::text FROM serial_result) AS parallel_same_bytes,
       hll_count_distinct(user_id) = round(#(SELECT h FROM serial_result)) AS parallel_same_count
FROM big;
RESET ALL;
