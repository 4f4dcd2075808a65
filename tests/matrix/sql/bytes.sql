-- The same input gives the same bytes on every supported PostgreSQL: this file's
-- expected output was recorded once and is compared on 14, 15, 16, 17 and 18.
CREATE EXTENSION hyperloglog;
SET extra_float_digits = 0;
-- Every representation and parameter family, from integer hashes.
SELECT n, log2m, regwidth, hll_type(h), length(h::bytea), md5(h::bytea)
FROM (SELECT n, log2m, regwidth,
             hll_add_agg(hll_hash_bigint(x), log2m, regwidth, -1, 1) AS h
      FROM (VALUES (0), (1), (100), (1000), (100000)) AS nv(n),
           (VALUES (4), (11), (16)) AS lv(log2m), (VALUES (1), (5), (8)) AS rv(regwidth),
           LATERAL generate_series(1, n) AS x
      GROUP BY n, log2m, regwidth) AS s
ORDER BY 1, 2, 3;
SELECT hll_add_agg(hll_hash_bigint(x), 11, 5, 0, 0) = hll_empty(11, 5, 0, 0) AS zero_rows_empty
FROM generate_series(1, 0) AS x;
-- Values of many types hashed inside the one-call aggregate and by hll_hash_any.
SELECT md5(hll_sketch(v)::bytea) AS ints, md5(hll_sketch(v::bigint)::bytea) AS bigints,
       md5(hll_sketch(v::text)::bytea) AS texts, md5(hll_sketch(md5(v::text)::uuid)::bytea) AS uuids,
       md5(hll_sketch(v / 7.0)::bytea) AS numerics, md5(hll_sketch(v / 7.0::float8)::bytea) AS floats,
       md5(hll_sketch(date '2020-01-01' + v)::bytea) AS dates,
       md5(hll_sketch(timestamptz '2020-01-01 00:00+00' + v * interval '1 second')::bytea) AS tstz,
       md5(hll_sketch(jsonb_build_object('id', v))::bytea) AS jsonbs,
       hll_count_distinct(v % 1000) AS distinct_1000
FROM generate_series(1, 20000) AS v;
SELECT md5(string_agg(hll_hash_any(v)::text || hll_hash_any(v::text)::text
                      || hll_hash_text(v::text, 7)::text || hll_murmur3_hash_any(v)::text
                      || hll_murmur3_hash_text(v::text, 7)::text, ',' ORDER BY v))
FROM generate_series(-5000, 5000) AS v;
-- Unions, folding and reduction.
SELECT md5(hll_union_agg(h)::bytea), md5(hll_reduce(hll_union_agg(h), 9)::bytea),
       round(hll_cardinality(hll_union_agg(h))::numeric, 6)
FROM (SELECT d, hll_add_agg(hll_hash_integer(d * 1000 + x % (d * 97)), 12) AS h
      FROM generate_series(1, 30) AS d, generate_series(1, 5000) AS x GROUP BY d) AS s;
SELECT md5((hll_add_agg(hll_hash_integer(x), 13) || hll_add_agg(hll_hash_integer(-x), 11))::bytea)
FROM generate_series(1, 3000) AS x;
