-- The hash family on 10,000 values per type and five seeds, one line per value and
-- seed; run on postgresql-hll and on the compatible hll extension, the outputs must be
-- identical. Values are deterministic functions of i (hashint4, md5), the same on
-- every server.
SET client_min_messages = error;
SET extra_float_digits = 0;
COPY (
    SELECT s.seed, i,
        hll_hash_boolean(i % 3 = 0, s.seed),
        hll_hash_smallint((hashint4(i) % 32768)::smallint, s.seed),
        hll_hash_integer(hashint4(i), s.seed),
        hll_hash_bigint(hashint8extended(i, 7), s.seed),
        hll_hash_text(t, s.seed),
        hll_hash_bytea(b, s.seed),
        hll_hash_any(t, s.seed),
        hll_hash_any(hashint4(i), s.seed),
        hll_hash_any(hashint8extended(i, 7), s.seed),
        hll_hash_any((hashint4(i) % 32768)::smallint, s.seed),
        hll_hash_any(i % 3 = 0, s.seed),
        hll_hash_any(b, s.seed),
        hll_hash_any(md5(i::text)::uuid, s.seed),
        hll_hash_any((hashint4(i) / 1000.0)::numeric, s.seed),
        hll_hash_any(hashint4(i) / 7.0::float8, s.seed),
        hll_hash_any((hashint4(i) / 7.0)::float4, s.seed),
        hll_hash_any(date '2000-01-01' + i, s.seed),
        hll_hash_any(timestamp '2020-01-01' + i * interval '77 seconds', s.seed),
        hll_hash_any(t::name, s.seed),
        hll_hash_any(t::varchar(20), s.seed),
        hll_hash_any(point(i, -i), s.seed),
        hll_hash_any(i * interval '1 minute', s.seed),
        hll_hash_any(ARRAY[i, -i], s.seed)
    FROM generate_series(1, 10000) AS i,
        LATERAL (SELECT CASE WHEN i % 5 = 0 THEN 'ü' ELSE '' END
                        || substr(repeat(md5(i::text), 3), 1 + i % 7, i % 50) AS t,
                        decode(substr(repeat(md5(i::text), 3), 1, 2 * (i % 45)), 'hex') AS b) v,
        (VALUES (0), (1), (-1), (2147483647), (-2147483648)) AS s(seed)
    ORDER BY 1, 2
) TO STDOUT;
