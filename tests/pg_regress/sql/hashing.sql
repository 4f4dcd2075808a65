-- hll_hash_*: xxh3-64 over documented bytes, optional seed; hll_hash_any agrees with
-- the typed functions and covers every type.

-- Integers hash by value whatever their width; the values are xxh3-64 of the 8-byte
-- little-endian integer (checked against the reference implementation in the core tests).
SELECT hll_hash_smallint(1::smallint) = hll_hash_integer(1) AS small_eq_int,
       hll_hash_integer(1) = hll_hash_bigint(1) AS int_eq_big,
       hll_hash_integer(-5) = hll_hash_bigint(-5) AS negative_eq;
SELECT hll_hash_bigint(0), hll_hash_bigint(1), hll_hash_bigint(-1), hll_hash_bigint(1, 1);
SELECT hll_hash_boolean(true), hll_hash_boolean(false), hll_hash_boolean(true, 42);
SELECT hll_hash_text('A'), hll_hash_text(''), hll_hash_bytea('\x41'), hll_hash_bytea('');
SELECT hll_hash_text('A') = hll_hash_bytea('A'::bytea) AS text_eq_bytes;

-- Seeds change the hash; a seed is any integer.
SELECT count(DISTINCT hll_hash_integer(7, s)::bigint) FROM generate_series(-50, 50) s;

-- Every seed spreads sequential integers evenly: postgresql-hll's seeded hash fills
-- about half of the register indexes here; xxh3 fills about 99%.
SELECT s AS seed,
       count(DISTINCT (hll_hash_bigint(i, s)::bigint & 2047)) > 2000 AS indexes_filled,
       abs(hll_cardinality(hll_add_agg(hll_hash_bigint(i, s))) / 10000 - 1) < 0.1 AS estimate_ok
FROM generate_series(1, 10000) i, (VALUES (0), (1), (8), (42), (-7)) seeds(s)
GROUP BY s ORDER BY s;

-- hll_hash_any equals the typed function where one exists.
SELECT hll_hash_any(true) = hll_hash_boolean(true) AS bool,
       hll_hash_any(3::smallint) = hll_hash_smallint(3::smallint) AS int2,
       hll_hash_any(3) = hll_hash_integer(3) AS int4,
       hll_hash_any(3::bigint) = hll_hash_bigint(3) AS int8,
       hll_hash_any('abc'::text) = hll_hash_text('abc') AS text,
       hll_hash_any('\x0102'::bytea) = hll_hash_bytea('\x0102') AS bytea,
       hll_hash_any('abc'::varchar) = hll_hash_text('abc') AS varchar,
       hll_hash_any(3, 9) = hll_hash_integer(3, 9) AS seeded;

-- ... and covers other types: equal values hash equally, different values differently.
SELECT hll_hash_any('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)
     = hll_hash_bytea(uuid_send('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')) AS uuid_is_its_16_bytes,
       hll_hash_any('2024-01-01'::date) = hll_hash_any('2024-01-01'::date) AS date_stable,
       hll_hash_any('2024-01-01'::date) <> hll_hash_any('2024-01-02'::date) AS date_differs,
       hll_hash_any('2024-01-01 10:00'::timestamptz) <> hll_hash_any('2024-01-01 10:01'::timestamptz) AS ts,
       hll_hash_any(1.5::float8) <> hll_hash_any(2.5::float8) AS float8,
       hll_hash_any('{"a": 1}'::jsonb) = hll_hash_any('{"a":1}'::jsonb) AS jsonb_canonical,
       hll_hash_any(12.5::numeric) <> hll_hash_any(12.6::numeric) AS numeric,
       hll_hash_any('1 day'::interval) <> hll_hash_any('2 days'::interval) AS interval,
       hll_hash_any('abc'::name) <> hll_hash_any('abd'::name) AS name;

-- Long text that PostgreSQL compresses or stores out of line hashes like its bytes.
CREATE TABLE long_values (t text);
ALTER TABLE long_values ALTER COLUMN t SET STORAGE main;
INSERT INTO long_values SELECT repeat('xyz', 100000);
SELECT hll_hash_text(t) = hll_hash_text(repeat('xyz', 100000)) AS compressed_same,
       hll_hash_any(t) = hll_hash_text(t) AS any_same
FROM long_values;

-- NULL in, NULL out.
SELECT hll_hash_integer(NULL) IS NULL AS null_value, hll_hash_any(NULL::int) IS NULL AS null_any;

-- One call site, many types over its life: the cached type information is per call.
SELECT hll_hash_any(v) = hll_hash_integer(v) FROM (VALUES (1), (2)) t(v);
