-- Statements whose every result, message and warning must be the same on
-- postgresql-hll and on the compatible hll extension: run on both, outputs diffed.
-- (Deliberate differences are in sql/differences.sql.)
\set VERBOSITY terse
SET hyperloglog.estimator = classic;

-- Type modifiers: accepted forms, their display and stored integers, rejections.
CREATE TABLE typmods (a hll, b hll(11), c hll(12, 5), d hll(14, 6, 0), e hll(10, 4, 1024, 1),
                      f hll(4, 1, 8192, 0), g hll(17, 7, -1, 1), h hll(16, 3, 2, 0));
SELECT attname, atttypmod, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'typmods'::regclass AND attnum > 0 ORDER BY attnum;
CREATE TABLE bad (a hll(18));
CREATE TABLE bad (a hll(-1));
CREATE TABLE bad (a hll(11, 8));
CREATE TABLE bad (a hll(11, 5, 3));
CREATE TABLE bad (a hll(11, 5, 16384));
CREATE TABLE bad (a hll(11, 5, -2));
CREATE TABLE bad (a hll(11, 5, 8192, 2));
CREATE TABLE bad (a hll(11, 5, 8192, 1, 1));

-- Empty sketches in every arity, their bytes, text and metadata.
SELECT hll_empty(), hll_empty(12), hll_empty(12, 6), hll_empty(12, 6, 64), hll_empty(12, 6, 64, 0);
SELECT hll_print(hll_empty()), hll_print(hll_empty(13, 4, 0, 0)), hll_print(hll_empty(9, 5, 256, 1));
SELECT hll_schema_version(h), hll_type(h), hll_log2m(h), hll_regwidth(h), hll_expthresh(h), hll_sparseon(h)
FROM (VALUES (hll_empty()), (hll_empty(14, 6, 0, 0)), (hll_empty(10, 4, 1024, 1)),
             (E'\\x108b7f'::hll)) AS v(h);
SELECT hll_empty(18);
SELECT hll_empty(11, 8);
SELECT hll_empty(11, 5, 5);
SELECT hll_empty(11, 5, -1, 3);

-- Text forms: hex and escape input, output following bytea_output.
SELECT E'\\x128b7f8895a3f5af28cafe'::hll, E'\\021\\213\\177'::hll;
SET bytea_output = escape;
SELECT hll_empty(), hll_add(hll_empty(), hll_hash_integer(1));
RESET bytea_output;


-- Hash family: fixed values, seeds (negative ones warn), empty input.
SELECT hll_hash_boolean(true), hll_hash_boolean(false), hll_hash_smallint(1::smallint),
       hll_hash_integer(1), hll_hash_integer(2), hll_hash_integer(3), hll_hash_bigint(0),
       hll_hash_bigint(1), hll_hash_text('A'), hll_hash_text(''), hll_hash_bytea(''::bytea);
SELECT hll_hash_integer(1, 1), hll_hash_integer(1, 2147483647), hll_hash_text('', 1);
SELECT hll_hash_integer(1, -1);
SELECT hll_hash_bigint(42, -2147483648);
SELECT hll_hash_any(1), hll_hash_any(1::bigint), hll_hash_any('a'::text), hll_hash_any(true),
       hll_hash_any('a'::"char"), hll_hash_any(1.5::float8), hll_hash_any(1.5::float4),
       hll_hash_any(date '2020-01-01'), hll_hash_any('00000000-0000-0000-0000-000000000001'::uuid),
       hll_hash_any('1 day'::interval), hll_hash_any(point(1, 2)), hll_hash_any('ab'::name);

-- hll_hashval: I/O, casts, comparison.
SELECT 42::hll_hashval, (-1)::bigint::hll_hashval, 7::integer::hll_hashval, '123'::hll_hashval,
       hll_hash_integer(1) = hll_hash_integer(1), hll_hash_integer(1) <> hll_hash_integer(2),
       hll_hashval(5), hll_hashval_int4(-5);

-- Aggregates: every arity, each representation, the spec's SPARSE example.
SELECT hll_add_agg(hll_hash_integer(x)) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(x), 12) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(x), 12, 5) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(x), 12, 5, 0) FROM generate_series(1, 3) AS x;
SELECT hll_add_agg(hll_hash_integer(x), 12, 5, 0, 0) FROM generate_series(1, 3) AS x;
SELECT n, hll_type(h), md5(h::text), hll_cardinality(h), #h
FROM (SELECT n, hll_add_agg(hll_hash_bigint(x), 11, 5, -1, 1) AS h
      FROM (VALUES (1), (160), (161), (500), (700), (5000), (100000)) AS v(n),
           generate_series(1, n) AS x GROUP BY n) AS s ORDER BY n;
SELECT hll_empty(11, 6, 0, 1) || (11 + (1::bigint << 16))::hll_hashval
       || (1099 + (1::bigint << 29))::hll_hashval;
SELECT hll_print(hll_add_agg(hll_hash_integer(x), 5, 5, 0, 1)) FROM generate_series(1, 10) AS x;
SELECT hll_print(hll_add_agg(hll_hash_integer(x), 4, 5, 2, 0)) FROM generate_series(1, 2) AS x;

-- Unions, adds, operators and their precedence, equality.
CREATE TABLE days AS
SELECT d, hll_add_agg(hll_hash_integer(d * 1000 + x % (d * 50))) AS users
FROM generate_series(1, 10) AS d, generate_series(1, 2000) AS x GROUP BY d;
SELECT md5(string_agg(hll_union_agg::text, '')), count(*) FROM (
    SELECT hll_union_agg(users) FROM days
    UNION ALL SELECT hll_union_agg(users) FROM days WHERE d <= 2
    UNION ALL SELECT hll_union_agg(users) FROM days WHERE d = 1) AS s;
SELECT d, #users, hll_cardinality(users || hll_hash_integer(-1)),
       md5((hll_hash_integer(-1) || users)::text) FROM days ORDER BY d;
SELECT #a.users || b.users IS NULL FROM days AS a, days AS b WHERE a.d = 1 AND b.d = 2;
SELECT hll_cardinality(hll_union(a.users, b.users)), #(a.users || b.users)
FROM days AS a, days AS b WHERE a.d = 3 AND b.d = 4;
SELECT hll_empty() = hll_empty(), hll_empty() <> hll_empty(), hll_empty() = hll_empty(12),
       E'\\x138b7f0001'::hll = E'\\x138b7f0001'::hll;
SELECT hll_cardinality(hll_empty()), hll_cardinality(E'\\x108b7f'::hll), #hll_empty();

-- Setters: previous values, and what they change.
SELECT hll_set_defaults(10, 4, 128, 0);
SELECT hll_empty(), hll_add_agg(hll_hash_integer(x)) FROM generate_series(1, 3) AS x;
CREATE TABLE after_defaults (a hll(13));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'after_defaults'::regclass AND attnum = 1;
SELECT hll_set_defaults(11, 5, -1, 1);
SELECT hll_set_defaults(18, 5, -1, 1);
SELECT hll_set_max_sparse(10);
SELECT n, hll_type(hll_add_agg(hll_hash_integer(x), 11, 5, 0, 1))
FROM (VALUES (10), (11)) AS v(n), generate_series(1, n) AS x GROUP BY n ORDER BY n;
SELECT hll_set_max_sparse(-1);
SELECT hll_set_max_sparse(-2);
SELECT hll_set_output_version(1);
SELECT hll_set_output_version(2);
SHOW hll.force_groupagg;
-- Type modifiers read as postgresql-hll reads them (64-bit integers, C's strtoll in
-- base 0), with its range messages, and its messages for casts that do not match.
SELECT E'\\x118b7f'::hll('0x0b');
SELECT E'\\x118b7f'::hll('013');
SELECT E'\\x118b7f'::hll(abc);
SELECT E'\\x118b7f'::hll(' 11');
SELECT E'\\x118b7f'::hll('11 ');
SELECT E'\\x118b7f'::hll(4294967307);
SELECT E'\\x118b7f'::hll(11, 5, -1, 1, 1);
SELECT E'\\x118b7f'::hll(11, 5, 99999999999999999999);
SELECT E'\\x118b7f'::hll(11, 5, -1, 2);
SELECT E'\\x118b7f'::hll(11, 5, 64, 1);
SELECT E'\\x118b7f'::hll(11, 5, 0, 0);
SELECT hll_empty(11, 5, 0, 0)::hll(11, 5, -1, 1);
SELECT hll_empty(11, 5, 64, 1)::hll(11, 5, 128, 1);
SELECT hll_empty(11, 6, 64, 0)::hll(11, 5, 128, 1);
SELECT hll_typmod_in(ARRAY['1', NULL]::cstring[]);
SELECT hll_typmod_in(ARRAY[['1']]::cstring[]);
