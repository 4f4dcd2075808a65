-- Every deliberate difference of the compatible hll extension from postgresql-hll
-- (README, "Migrating from postgresql-hll"), each shown; and what it adds.
CREATE EXTENSION hll;
CREATE FUNCTION sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 1. Zero rows give an EMPTY sketch with the call's parameters (postgresql-hll: NULL);
--    hll_union_agg over zero rows stays NULL, as there.
SELECT hll_add_agg(hll_hash_integer(x)), hll_add_agg(hll_hash_integer(x), 12, 6, 0, 0)
FROM generate_series(1, 0) AS x;
SELECT hll_union_agg(h) IS NULL FROM (SELECT hll_empty() AS h WHERE false) AS s;

-- 2. Unions of different parameters fold to the common ones (postgresql-hll: ERROR).
SELECT hll_union(hll_add_agg(hll_hash_integer(x), 12), hll_add_agg(hll_hash_integer(x), 11))
       = hll_add_agg(hll_hash_integer(x), 11)
FROM generate_series(1, 1000) AS x;
SELECT hll_log2m(hll_union_agg(h)) FROM (VALUES (hll_empty(13)), (hll_empty(11))) AS v(h);

-- 3. No NaN: with regwidth 6 and 7, postgresql-hll's estimate is NaN above a few
--    hundred values; both estimators here stay finite and close.
SELECT r, round(hll_cardinality(h)::numeric, -3) AS improved
FROM (SELECT r, hll_add_agg(hll_hash_integer(x), 11, r, 0, 1) AS h
      FROM generate_series(6, 7) AS r, generate_series(1, 100000) AS x GROUP BY r) AS s;
SET hyperloglog.estimator = classic;
SELECT r, round(hll_cardinality(h)::numeric, -3) AS classic
FROM (SELECT r, hll_add_agg(hll_hash_integer(x), 11, r, 0, 1) AS h
      FROM generate_series(6, 7) AS r, generate_series(1, 100000) AS x GROUP BY r) AS s;
RESET hyperloglog.estimator;

-- 4. The improved estimator is the default; classic reproduces postgresql-hll's numbers.
SELECT round(hll_cardinality(h)::numeric, 2) AS improved FROM
    (SELECT hll_add_agg(hll_hash_integer(x)) AS h FROM generate_series(1, 5000) AS x) AS s;
SET hyperloglog.estimator = classic;
SELECT round(hll_cardinality(h)::numeric, 2) AS classic FROM
    (SELECT hll_add_agg(hll_hash_integer(x)) AS h FROM generate_series(1, 5000) AS x) AS s;
RESET hyperloglog.estimator;

-- 5. Every byte string is validated: the bytea cast (postgresql-hll casts without
--    looking), SPARSE order and duplicates, lengths. Bad text is 22P02 and bad bytes
--    22P03 (postgresql-hll: 22000 for both).
SELECT sqlstate_of($$SELECT 'abc'::bytea::hll$$);
SELECT sqlstate_of($$SELECT E'\\x138b7f08010801'::hll$$);
SELECT sqlstate_of($$SELECT E'\\x148b7f'::hll$$);
SELECT sqlstate_of($$SELECT E'\\x118b'::hll$$);
SELECT sqlstate_of($$SELECT 'xyz'::hll$$);

-- 6. Parameters that postgresql-hll accepts but cannot use are refused: log2m below 4
--    (no estimate is possible) and regwidth 0 (not representable in the header).
SELECT sqlstate_of($$SELECT hll_empty(3)$$);
SELECT sqlstate_of($$SELECT hll_empty(11, 0)$$);
SELECT sqlstate_of($$CREATE TABLE t (h hll(11, 0))$$);

-- 7. No longer a difference: a value that does not match a column's type modifier
--    raises postgresql-hll's SQLSTATE (22000) and message.
CREATE TABLE typed (h hll(11, 5, -1, 1));
SELECT sqlstate_of($$INSERT INTO typed VALUES (hll_empty(12))$$);

-- 8. hll_hash_any hashes an 8-byte by-reference value by its bytes and a cstring by its
--    characters (postgresql-hll hashes the pointer, and reads a cstring as a varlena).
SELECT hll_hash_any('08:00:2b:01:02:03:04:05'::macaddr8)
     = hll_hash_any('08:00:2b:01:02:03:04:05'::macaddr8 :: text :: macaddr8);
SELECT hll_hash_any('abc'::cstring) = hll_hash_bytea('abc'::bytea);

-- 9. Setters are settings: they roll back with the transaction and are visible as
--    hyperloglog.* (postgresql-hll keeps a session variable).
BEGIN;
SELECT hll_set_defaults(12, 5, -1, 1);
SHOW hyperloglog.default_log2m;
ROLLBACK;
SHOW hyperloglog.default_log2m;
SELECT hll_set_max_sparse(100);
SHOW hyperloglog.max_sparse;
SELECT hll_set_max_sparse(-1);

-- 10. Added: btree and hash operator classes (DISTINCT, GROUP BY, UNION, ORDER BY,
--     hash joins, indexes), hll_hashval binary I/O, and the cast hll -> bytea.
CREATE TABLE sk (id int, h hll);
INSERT INTO sk SELECT g % 4, hll_add_agg(hll_hash_integer(x))
FROM generate_series(1, 8) AS g, generate_series(1, g % 4 * 100) AS x GROUP BY g;
INSERT INTO sk VALUES (9, hll_empty());
SELECT count(*) AS rows, count(DISTINCT h) AS distinct_sketches FROM sk;
SELECT hll_cardinality(h), count(*) FROM sk GROUP BY h ORDER BY 1;
SELECT count(*) FROM (SELECT h FROM sk UNION SELECT h FROM sk) AS u;
SELECT id, hll_type(h) FROM sk ORDER BY h, id;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM sk AS a JOIN sk AS b ON a.h = b.h;
SELECT count(*) FROM sk AS a JOIN sk AS b ON a.h = b.h;
RESET enable_mergejoin;
RESET enable_nestloop;
CREATE INDEX ON sk USING btree (h);
CREATE INDEX ON sk USING hash (h);
SELECT h::bytea FROM sk WHERE id = 9;
SELECT hll_hashval_send(hll_hash_integer(1)), hll_send(hll_empty());
-- The same registers written FULL (as other writers may store them) and SPARSE are one
-- value for =, DISTINCT and ordering.
SELECT hll_set_max_sparse(0);
CREATE TABLE forms AS
SELECT hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1) AS h FROM generate_series(1, 20) AS x;
SELECT hll_set_max_sparse(-1);
INSERT INTO forms
SELECT hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1) FROM generate_series(1, 20) AS x;
SELECT array_agg(hll_type(h) ORDER BY hll_type(h)) AS types, count(DISTINCT h),
       bool_and(h = (SELECT f.h FROM forms AS f ORDER BY h LIMIT 1)) AS all_equal
FROM forms;
