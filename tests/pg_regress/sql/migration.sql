-- What hyperloglog offers users of postgresql-hll: its hash family under distinct
-- names, its estimator and SPARSE rule as settings, hll.force_groupagg, and ordering.

-- postgresql-hll's hashes (its regression vectors), seeds as it treats them.
SELECT hll_murmur3_hash_integer(1), hll_murmur3_hash_integer(2), hll_murmur3_hash_bigint(0),
       hll_murmur3_hash_bigint(1), hll_murmur3_hash_text('A'), hll_murmur3_hash_text(''),
       hll_murmur3_hash_bytea(''), hll_murmur3_hash_boolean(true),
       hll_murmur3_hash_smallint(1::smallint);
SELECT hll_murmur3_hash_integer(1, -1);
SELECT hll_murmur3_hash_any(1) = hll_murmur3_hash_integer(1) AS any_int,
       hll_murmur3_hash_any(1::bigint) = hll_murmur3_hash_bigint(1) AS any_bigint,
       hll_murmur3_hash_any('x'::text) = hll_murmur3_hash_text('x') AS any_text,
       hll_murmur3_hash_any('00000000-0000-0000-0000-000000000001'::uuid) AS any_uuid;
-- The two families differ: never mix them in one sketch.
SELECT hll_hash_integer(1) = hll_murmur3_hash_integer(1) AS same_family;
-- postgresql-hll's sketch of 1, 2, 3, continued with 3 (no change) and 4.
SELECT hll_add_agg(hll_murmur3_hash_integer(x)) = '\x128b7f8895a3f5af28cafeda0ce907e4355b604848de7f7bd2a13b'::hll
FROM generate_series(1, 3) AS x;
SELECT hll_cardinality('\x128b7f8895a3f5af28cafeda0ce907e4355b604848de7f7bd2a13b'::hll
       || hll_murmur3_hash_integer(3) || hll_murmur3_hash_integer(4));

-- hyperloglog.estimator: classic reproduces postgresql-hll's numbers.
CREATE TABLE est AS SELECT hll_add_agg(hll_hash_integer(x)) AS h FROM generate_series(1, 5000) AS x;
SELECT round(hll_cardinality(h)::numeric, 3) AS improved FROM est;
SET hyperloglog.estimator = classic;
SELECT round(hll_cardinality(h)::numeric, 3) AS classic, round((#h)::numeric, 3) AS op FROM est;
SELECT hll_count_distinct(x) FROM generate_series(1, 5000) AS x;
RESET hyperloglog.estimator;
SELECT hll_count_distinct(x) FROM generate_series(1, 5000) AS x;
SELECT sqlstate_of($$SET hyperloglog.estimator = exact$$);

-- hyperloglog.max_sparse: SPARSE while at most that many registers are filled.
SET hyperloglog.max_sparse = 10;
SELECT n, hll_type(hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1))
FROM (VALUES (10), (11)) AS v(n), generate_series(1, n) AS x GROUP BY n ORDER BY n;
RESET hyperloglog.max_sparse;
SELECT hll_type(hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1)) FROM generate_series(1, 11) AS x;
SELECT sqlstate_of($$SET hyperloglog.max_sparse = -2$$);

-- hll.force_groupagg: queries with hll aggregates prefer sorted grouping.
CREATE TABLE ev AS SELECT g % 100 AS g, g AS u FROM generate_series(1, 10000) AS g;
ANALYZE ev;
EXPLAIN (COSTS OFF) SELECT g, hll_add_agg(hll_hash_integer(u)) FROM ev GROUP BY g;
SET hll.force_groupagg = on;
EXPLAIN (COSTS OFF) SELECT g, hll_add_agg(hll_hash_integer(u)) FROM ev GROUP BY g;
EXPLAIN (COSTS OFF) SELECT g, hll_count_distinct(u) FROM ev GROUP BY g HAVING count(*) > 1;
EXPLAIN (COSTS OFF) SELECT g, count(*) FROM ev GROUP BY g;
RESET hll.force_groupagg;

-- Ordering: DISTINCT, GROUP BY and sorting on sketches; FULL and SPARSE forms of the
-- same registers are equal.
CREATE TABLE sk AS SELECT g % 3 AS k, hll_add_agg(hll_hash_integer(x)) AS h
FROM generate_series(1, 6) AS g, generate_series(1, 50 * (g % 3)) AS x GROUP BY g;
SELECT count(*), count(DISTINCT h) FROM sk;
SELECT hll_cardinality(h), count(*) FROM sk GROUP BY h ORDER BY h;
SET hyperloglog.max_sparse = 0;
CREATE TABLE forms AS SELECT hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1) AS h
FROM generate_series(1, 20) AS x;
RESET hyperloglog.max_sparse;
INSERT INTO forms SELECT hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1) FROM generate_series(1, 20) AS x;
SELECT array_agg(hll_type(h) ORDER BY hll_type(h)), count(DISTINCT h),
       (SELECT count(*) FROM (SELECT h FROM forms UNION SELECT h FROM forms) AS u) AS union_rows
FROM forms;
-- ... and, hashed as values, hash alike (by hll's own hash, which follows its equality).
SELECT count(DISTINCT hll_hash_any(h)::bigint) AS hashes, hll_count_distinct(h) AS counted FROM forms;

-- Settings refuse what every call would refuse.
SELECT sqlstate_of($$SET hyperloglog.default_expthresh = 3$$);
SELECT sqlstate_of($$SET hyperloglog.default_expthresh = 1024$$), current_setting('hyperloglog.default_expthresh');
RESET hyperloglog.default_expthresh;
SELECT hll_expthresh(hll_empty());
