-- Equal values, equal hashes under nondeterministic collations: where the type's
-- equality under the call's collation is not byte equality (the B-tree operator
-- class says so), a value hashes by PostgreSQL's own hash under that collation, so
-- hll_count_distinct agrees with count(DISTINCT). Needs ICU (the main suite's
-- PostgreSQL); the matrix trees are built without it.
CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION accent_insensitive (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE names (id int, name text COLLATE case_insensitive, plain text, fixed char(8) COLLATE case_insensitive);
INSERT INTO names
SELECT i, n, n, n
FROM unnest(ARRAY['Ana', 'ana', 'ANA', 'Bob', 'bob', 'Çelik', 'celik', 'Zoë', 'zoe', 'Zoe']) WITH ORDINALITY AS v(n, i);

-- A column with a nondeterministic collation, a COLLATE clause, a domain with one,
-- char(n): each as count(DISTINCT) counts it.
CREATE DOMAIN ci_text AS text COLLATE case_insensitive;
SELECT count(DISTINCT name) AS column_distinct, hll_count_distinct(name) AS column_hll,
       count(DISTINCT plain) AS plain_distinct, hll_count_distinct(plain) AS plain_hll,
       count(DISTINCT plain COLLATE accent_insensitive) AS accents_distinct,
       hll_count_distinct(plain COLLATE accent_insensitive) AS accents_hll,
       count(DISTINCT plain::ci_text) AS domain_distinct, hll_count_distinct(plain::ci_text) AS domain_hll,
       count(DISTINCT fixed) AS char_distinct, hll_count_distinct(fixed) AS char_hll
FROM names;
SELECT hll_cardinality(hll_sketch(name)) AS sketch, hll_cardinality(hll_add_agg(hll_hash_any(name))) AS hash_any
FROM names;

-- The hash is the collation's: equal under it, the same; not equal, different;
-- under a deterministic collation, still the bytes (the text hash).
SELECT hll_hash_any('Ana'::text COLLATE case_insensitive) = hll_hash_any('aNA'::text COLLATE case_insensitive) AS case_folded,
       hll_hash_any('Ana'::text COLLATE case_insensitive) <> hll_hash_any('Bob'::text COLLATE case_insensitive) AS others_differ,
       hll_hash_any('Çelik'::text COLLATE case_insensitive) <> hll_hash_any('celik'::text COLLATE case_insensitive) AS accents_kept,
       hll_hash_any('Çelik'::text COLLATE accent_insensitive) = hll_hash_any('CELIK'::text COLLATE accent_insensitive) AS accents_folded,
       hll_hash_any('Ana'::text COLLATE "C") = hll_hash_text('Ana') AS c_is_bytes,
       hll_hash_any('Ana'::text COLLATE "POSIX") = hll_hash_any('Ana'::text) AS posix_is_default;

-- Inside arrays (the array's collation), row values (the field's), ranges (the
-- range type's).
CREATE TYPE person AS (name text COLLATE case_insensitive, age int);
CREATE TYPE ci_range AS RANGE (subtype = text, collation = case_insensitive);
SELECT count(DISTINCT ARRAY[name, 'x']) AS array_distinct, hll_count_distinct(ARRAY[name, 'x']) AS array_hll,
       count(DISTINCT ROW(plain, 30)::person) AS row_distinct, hll_count_distinct(ROW(plain, 30)::person) AS row_hll,
       count(DISTINCT ci_range(name, 'zzz')) AS range_distinct, hll_count_distinct(ci_range(name, 'zzz')) AS range_hll
FROM names;

-- Sketches built in pieces combine to the whole.
SELECT hll_union_agg(part)::text = (SELECT hll_sketch(name)::text FROM names) AS pieces_combine
FROM (SELECT hll_sketch(name) AS part FROM names GROUP BY id % 3) s;

-- citext's equality ignores case: through hll_hash_any it counts so. The typed
-- overloads take text, which citext is cast to before the call, so they count the
-- text (documented in the README).
CREATE EXTENSION citext;
SELECT count(DISTINCT plain::citext) AS citext_distinct,
       hll_cardinality(hll_add_agg(hll_hash_any(plain::citext))) AS citext_hash_any,
       hll_count_distinct(plain::citext) AS citext_text_overload
FROM names;

-- Element and field forms are remembered per session and forgotten when the catalog
-- changes: an equalimage function added to citext's operator family (saying, wrongly,
-- that equal citext values have equal bytes) takes effect in the same session.
SELECT hll_hash_any(ARRAY['a'::citext]) = hll_hash_any(ARRAY['A'::citext]) AS by_equality;
ALTER OPERATOR FAMILY citext_ops USING btree ADD FUNCTION 4 (citext) btequalimage(oid);
SELECT hll_hash_any(ARRAY['a'::citext]) = hll_hash_any(ARRAY['A'::citext]) AS by_bytes;
ALTER OPERATOR FAMILY citext_ops USING btree DROP FUNCTION 4 (citext, citext);
SELECT hll_hash_any(ARRAY['a'::citext]) = hll_hash_any(ARRAY['A'::citext]) AS by_equality_again;

-- The BI rewrite leaves count(DISTINCT) under a nondeterministic collation exact
-- (and rewrites the same column under its deterministic one).
SET hyperloglog.count_distinct_error_rate = 0.01;
SELECT count(DISTINCT name) AS not_rewritten FROM names;
EXPLAIN (COSTS OFF, VERBOSE) SELECT count(DISTINCT name) FROM names;
EXPLAIN (COSTS OFF, VERBOSE) SELECT count(DISTINCT name COLLATE "default") FROM names;
RESET hyperloglog.count_distinct_error_rate;
