-- ull, the UltraLogLog family: types, I/O, aggregates, unions across precisions,
-- folding, the exact bridge to hll, parallel = serial, operator classes, bad input.

CREATE TABLE ull_events AS
SELECT i AS id, (i % 20000) AS user_id, (i % 7) AS day
FROM generate_series(1, 60000) i;
ANALYZE ull_events;

-- EMPTY, its text form and parameters; typmods.
SELECT ull_empty(), ull_empty(12), ull_empty(12, 0);
SELECT (ull_info(ull_empty(14, 100))).*;
SELECT ull_empty(11)::ull(11), ull_empty(11, 0)::ull(11, 0);
SELECT sqlstate_of($$SELECT ull_empty(12)::ull(11)$$);
SELECT sqlstate_of($$SELECT ull_empty(3)$$);
SELECT sqlstate_of($$SELECT ull_empty(19)$$);
SELECT sqlstate_of($$SELECT ull_empty(11, -2)$$);
SELECT sqlstate_of($$SELECT NULL::ull(11, 5, 1)$$);
SELECT sqlstate_of($$SELECT NULL::ull(30)$$);
CREATE TABLE ull_typed (u ull(12));
SELECT sqlstate_of($$INSERT INTO ull_typed VALUES (ull_empty(11))$$);
INSERT INTO ull_typed VALUES (ull_empty(12));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'ull_typed'::regclass AND attname = 'u';

-- Exact while EXPLICIT: counts equal count(DISTINCT); the stored form lists the hashes.
SELECT ull_add_agg(hll_hash_integer(v)) FROM generate_series(1, 3) v;
SELECT day, ull_cardinality(ull_add_agg(hll_hash_integer(user_id))) AS sketch,
       count(DISTINCT user_id) AS exact
FROM ull_events WHERE user_id < 200 GROUP BY day ORDER BY day;
SELECT (ull_info(ull_add_agg(hll_hash_integer(user_id)))).kind FROM ull_events WHERE user_id < 256;
SELECT (ull_info(ull_add_agg(hll_hash_integer(user_id)))).kind FROM ull_events WHERE user_id < 257;

-- Estimates within 4 standard errors of the truth (20,000 distinct), every form.
SELECT abs(ull_cardinality(ull_add_agg(hll_hash_integer(user_id))) / 20000 - 1)
           < 4 * 0.782 / sqrt(2048) AS fgra_ok,
       abs(ull_cardinality(ull_add_agg(hll_hash_integer(user_id)), 'ml') / 20000 - 1)
           < 4 * 0.761 / sqrt(2048) AS ml_ok,
       abs(ull_cardinality(ull_add_agg(hll_hash_integer(user_id), 14)) / 20000 - 1)
           < 4 * 0.782 / sqrt(16384) AS p14_ok,
       abs(ull_count_distinct(user_id) / 20000.0 - 1) < 4 * 0.782 / sqrt(2048) AS count_ok
FROM ull_events;
SELECT sqlstate_of($$SELECT ull_cardinality(ull_empty(), 'hip')$$);
SELECT (ull_info(u)).kind, (ull_info(u)).registers_filled, (ull_info(u)).stored_bytes < 2048
FROM (SELECT ull_add_agg(hll_hash_integer(user_id)) u FROM ull_events) s;
SELECT round(ull_relative_error(ull_add_agg(hll_hash_integer(user_id)))::numeric, 5),
       ull_relative_error(ull_empty())
FROM ull_events;
SELECT lower < 20000 AND 20000 < upper AS covers, lower < estimate AND estimate < upper AS ordered
FROM ull_bounds((SELECT ull_add_agg(hll_hash_integer(user_id)) FROM ull_events));
SELECT (ull_bounds(ull_add_agg(hll_hash_integer(v)))).* FROM generate_series(1, 10) v;

-- ull_sketch hashes exactly as hll_sketch: the same hashes through ull_add_agg.
SELECT ull_sketch(user_id) = ull_add_agg(hll_hash_any(user_id)) AS any_same,
       ull_sketch(user_id::bigint) = ull_add_agg(hll_hash_bigint(user_id)) AS bigint_same,
       ull_sketch(user_id::text) = ull_add_agg(hll_hash_text(user_id::text)) AS text_same,
       ull_sketch(user_id::numeric) = ull_add_agg(hll_hash_any(user_id::numeric)) AS numeric_same
FROM ull_events;

-- No rows: EMPTY with the call's parameters; count 0.
SELECT ull_add_agg(hll_hash_integer(user_id)) FROM ull_events WHERE false;
SELECT ull_add_agg(hll_hash_integer(user_id), 9, 0) FROM ull_events WHERE false;
SELECT ull_count_distinct(user_id) FROM ull_events WHERE false;
SELECT ull_union_agg(u) FROM (SELECT NULL::ull u) s;

-- Union: associative and the same as building from all rows; across precisions at the
-- smaller one; || with sketches and hashes.
SELECT ull_union_agg(u) = (SELECT ull_add_agg(hll_hash_integer(user_id)) FROM ull_events) AS same
FROM (SELECT day, ull_add_agg(hll_hash_integer(user_id)) u FROM ull_events GROUP BY day) s;
SELECT (SELECT ull_add_agg(hll_hash_integer(user_id), 12) FROM ull_events WHERE day < 3)
     || (SELECT ull_add_agg(hll_hash_integer(user_id), 10) FROM ull_events WHERE day >= 3)
     = (SELECT ull_add_agg(hll_hash_integer(user_id), 10) FROM ull_events) AS across_p;
SELECT ull_empty() || hll_hash_integer(1) || hll_hash_integer(2) = ull_add_agg(hll_hash_integer(v))
FROM generate_series(1, 2) v;
SELECT hll_hash_integer(1) || ull_empty() = ull_add(ull_empty(), hll_hash_integer(1));

-- Folding is bit-identical to building at the lower precision; never upwards.
SELECT ull_fold(ull_add_agg(hll_hash_integer(user_id), 14), p)
     = (SELECT ull_add_agg(hll_hash_integer(user_id), p) FROM ull_events) AS fold_same
FROM ull_events, (VALUES (4), (8), (11), (14)) AS t(p) GROUP BY p ORDER BY p;
SELECT sqlstate_of($$SELECT ull_fold(ull_empty(10), 11)$$);

-- The bridge: ull -> hll equals hll_add_agg over the same hashes, byte for byte.
SELECT ull_to_hll(ull_add_agg(hll_hash_integer(user_id)))
     = hll_add_agg(hll_hash_integer(user_id), 11) AS default_same,
       ull_to_hll(ull_add_agg(hll_hash_integer(user_id), 13), 10, 4, 0, 0)
     = hll_add_agg(hll_hash_integer(user_id), 10, 4, 0, 0) AS folded_same,
       ull_add_agg(hll_hash_integer(user_id))::hll
     = hll_add_agg(hll_hash_integer(user_id), 11) AS cast_same
FROM ull_events;
SELECT ull_to_hll(ull_add_agg(hll_hash_integer(user_id)), 11, 5, 128, 1)
     = hll_add_agg(hll_hash_integer(user_id), 11, 5, 128, 1) AS explicit_same
FROM ull_events WHERE user_id < 100;
SELECT sqlstate_of($$SELECT ull_to_hll(ull_add_agg(hll_hash_integer(v), 10), 11)
                    FROM generate_series(1, 1000) v$$);
SELECT sqlstate_of($$SELECT ull_to_hll(ull_add_agg(hll_hash_integer(v), 10, 16), 10, 5, 64)
                    FROM generate_series(1, 1000) v$$);
-- hll -> ull only where the hashes are known.
SELECT hll_to_ull(hll_add_agg(hll_hash_integer(v))) = ull_add_agg(hll_hash_integer(v))
FROM generate_series(1, 100) v;
SELECT hll_add_agg(hll_hash_integer(v))::ull = ull_add_agg(hll_hash_integer(v))
FROM generate_series(1, 100) v;
SELECT sqlstate_of($$SELECT hll_to_ull(hll_add_agg(hll_hash_integer(v)))
                    FROM generate_series(1, 1000) v$$);

-- Parallel plans give the bytes of a serial one.
CREATE TABLE ull_big AS SELECT i, i % 100 AS g FROM generate_series(1, 200000) i;
ANALYZE ull_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ull_serial AS
    SELECT ull_add_agg(hll_hash_integer(i)) a, ull_sketch(i) b, ull_count_distinct(i) c FROM ull_big;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT ull_add_agg(hll_hash_integer(i)) FROM ull_big;
SELECT s.a = p.a AS add_agg, s.b = p.b AS sketch, s.c = p.c AS count_distinct
FROM ull_serial s,
     (SELECT ull_add_agg(hll_hash_integer(i)) a, ull_sketch(i) b, ull_count_distinct(i) c
      FROM ull_big) p;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Grouped with hash aggregation and sorting, DISTINCT, a btree and a hash index.
SELECT count(DISTINCT u), count(*)
FROM (SELECT g % 10 AS k, ull_add_agg(hll_hash_integer(i)) u FROM ull_big GROUP BY g) s;
CREATE TABLE ull_rollup AS
    SELECT g, ull_add_agg(hll_hash_integer(i)) u FROM ull_big GROUP BY g;
CREATE INDEX ON ull_rollup (u);
CREATE INDEX ON ull_rollup USING hash (u);
SELECT count(*) FROM ull_rollup a JOIN ull_rollup b ON a.u = b.u;
SELECT abs(ull_cardinality(ull_union_agg(u)) / 200000 - 1) < 4 * 0.782 / sqrt(2048)
FROM ull_rollup;

-- Text and binary round trips; bad input is 22P02 (text) or 22P03 (bytes), never XX.
SELECT u::text::ull = u AS text_round_trip, u::bytea::ull = u AS bytes_round_trip
FROM ull_rollup WHERE g = 1;
SELECT sqlstate_of($$SELECT '\xc1'::ull$$);
SELECT sqlstate_of($$SELECT '\xc2000b000000'::ull$$);
SELECT sqlstate_of($$SELECT '\xc1050b000000'::ull$$);
SELECT sqlstate_of($$SELECT '\xc1001f000000'::ull$$);
SELECT sqlstate_of($$SELECT '\xc1000b00000000'::ull$$);
SELECT sqlstate_of($$SELECT '\xzz'::ull$$);
SELECT sqlstate_of($$SELECT '\xc1010b00000002000000000000000100000000000000'::ull$$);
SELECT sqlstate_of($$SELECT ('\xc1020b000000' || repeat('00', 16 + 2048))::ull$$);
SELECT sqlstate_of($$SELECT ('\xc10204000000' || repeat('00', 16 + 15) || 'ff')::ull$$);
SELECT sqlstate_of($$SELECT ('\xc1030b000000' || repeat('00', 16) || repeat('ab', 40))::ull$$);
SELECT sqlstate_of($$SELECT ('\xc1030b000000' || repeat('ff', 16) || repeat('ab', 40))::ull$$);
SELECT sqlstate_of($$SELECT ('\xc1030b000000' || repeat('00', 8))::ull$$);
-- The stored estimates are those of the registers: a value whose estimates were
-- changed is refused, and the count of a stored value reads them.
SELECT sqlstate_of(format('SELECT %L::bytea::ull',
    overlay(u::bytea placing '\x0000000000000000'::bytea from 7 for 8)))
FROM ull_rollup WHERE g = 1;
SELECT round(ull_cardinality(ull_sketch(i))) = ull_count_distinct(i) AS fgra_same,
       round(ull_cardinality(ull_sketch(i), 'ml')) = (SELECT ull_count_distinct(i)
           FROM ull_big WHERE set_config('hyperloglog.ull_estimator', 'ml', true) = 'ml')
           AS ml_same
FROM ull_big;
SELECT sqlstate_of($$SELECT substring(u::bytea from 1 for 100)::ull FROM ull_rollup WHERE g = 1$$);
SELECT sqlstate_of($$SELECT (u::bytea || '\x00'::bytea)::ull FROM ull_rollup WHERE g = 1$$);

-- Every single-byte change of a stored CODED value, and every truncation, is refused
-- with 22P03 or is another valid value (then in its one canonical form); never XX.
CREATE TEMP TABLE ull_mutations AS
WITH v AS (SELECT u::bytea AS b FROM ull_rollup WHERE g = 7),
     changed AS (
        SELECT set_byte(b, i, (get_byte(b, i) + d) % 256) AS b
        FROM v, generate_series(0, length(b) - 1) i, (VALUES (1), (128), (255)) AS t(d)
        UNION ALL
        SELECT substring(b from 1 for n) FROM v, generate_series(0, length(b) - 1) n)
SELECT b, sqlstate_of(format('SELECT %L::bytea::ull', b)) AS outcome FROM changed;
SELECT split_part(outcome, ':', 1) AS sqlstate, count(*) > 0 AS seen FROM ull_mutations
GROUP BY 1 ORDER BY 1;
SELECT count(*) AS internal_errors FROM ull_mutations WHERE outcome LIKE 'XX%';
SELECT count(*) AS accepted_not_canonical FROM ull_mutations
WHERE outcome = 'no error' AND b::ull::bytea <> b;
