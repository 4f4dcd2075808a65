-- Errors of the native hyperloglog extension on every path, shown with their SQLSTATE,
-- DETAIL and HINT (VERBOSITY verbose; tests/rust_internals/run.sh drops the LOCATION
-- lines), on a server whose environment has RUST_BACKTRACE=full.
\set VERBOSITY verbose
\set SHOW_CONTEXT never
CREATE EXTENSION hyperloglog;
-- Functions: a #[pg_extern] one and hand-written per-row ones.
SELECT hll_empty(99);
SELECT hll_print(hll_empty(2));
SELECT hll_add(hll_empty(12, 5, 256, 1), hll_hash_integer(1, 0));
SELECT hll_cardinality('\x118b'::bytea::hll);
-- Text input, casts and typmod input.
SELECT 'xyz'::hll;
SELECT '\x128b7f'::hll(12);
SELECT hll_empty(11)::hll(10);
CREATE TABLE t (h hll(99));
CREATE TABLE typed (h hll(10));
INSERT INTO typed VALUES (hll_empty(11));
-- Aggregates: a parameter refused in the transition function, and an error raised by
-- PostgreSQL under it.
SELECT hll_add_agg(hll_hash_integer(x), 99) FROM generate_series(1, 3) AS x;
SELECT hll_sketch(x, 99) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(10 / (x - 2))) FROM generate_series(1, 3) AS x;
-- A setting refused by its check hook (its DETAIL is ours).
SET hyperloglog.default_expthresh = 3;
-- A new session: the first statement after SELECT 1 folds a constant at plan time.
\c
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SELECT 1;
SELECT hll_empty(11)::hll(10);
SELECT hll_print(hll_empty(2));
-- With the planner hook loaded and the count(DISTINCT) rewrite on: constant folding
-- under the hook, an error of PostgreSQL's own under it, a rewritten count.
LOAD 'hyperloglog';
SET hyperloglog.count_distinct_error_rate = 0.01;
SELECT hll_print(hll_empty(2));
SELECT 1 / 0;
SELECT count(DISTINCT hll_cardinality(hll_empty(x))) FROM generate_series(1, 3) AS x;
SELECT count(DISTINCT x / (x - 2)) FROM generate_series(1, 3) AS x;
SELECT 'the session goes on' AS after;
