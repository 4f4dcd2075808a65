-- Errors of the compatible hll extension on every path, shown with their SQLSTATE,
-- DETAIL and HINT (VERBOSITY verbose; tests/rust_internals/run.sh drops the LOCATION
-- lines), on a server whose environment has RUST_BACKTRACE=full.
\set VERBOSITY verbose
\set SHOW_CONTEXT never
CREATE EXTENSION hll;
-- The statements of issue 23, in one session.
SELECT hll_add(hll_empty(12, 5, 256, 1), hll_hash_integer(1, 0));
SELECT hll_print(hll_empty(2, 5, -1, 1));
-- Functions.
SELECT hll_empty(18);
SELECT hll_empty(11, 5, 3);
SELECT hll_set_max_sparse(-2);
SELECT hll_set_output_version(2);
-- Text input (bytea's own error, raised by PostgreSQL inside hll_in), casts, inserts
-- and typmod input.
SELECT '\xzz'::hll;
SELECT 'xyz'::hll;
SELECT E'\\x118b7f'::hll(10, 5, -1, 1);
SELECT E'\\x118b7f'::bytea::hll(11, 4, -1, 1);
CREATE TABLE typed (h hll(10));
INSERT INTO typed VALUES (hll_empty(11));
CREATE TABLE t (h hll(11, 5, 4294967296));
CREATE TABLE t (h hll(11, 5, 1.5));
CREATE TABLE t (h hll(2));
-- Aggregates.
SELECT hll_add_agg(hll_hash_integer(x), 20) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(x), 11, 5, 3) FROM generate_series(1, 3) AS x;
-- A new session: the first statement after SELECT 1 folds a constant at plan time.
\c
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SELECT 1;
SELECT hll_empty(11, 5, -1, 1)::hll(10, 5, -1, 1);
SELECT hll_print(hll_empty(2, 5, -1, 1));
SELECT 1 / 0;
SELECT 'the session goes on' AS after;
