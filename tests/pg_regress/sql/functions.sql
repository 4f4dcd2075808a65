-- Scalars and operators on hll.

CREATE TABLE sketches AS
SELECT 'empty' AS name, hll_empty() AS h
UNION ALL SELECT 'explicit', hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 3) i
UNION ALL SELECT 'sparse', hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 300) i
UNION ALL SELECT 'full', hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 10000) i
UNION ALL SELECT 'undefined', '\x108b7f'::hll;

-- Accessors.
SELECT name, hll_schema_version(h), hll_type(h), hll_log2m(h), hll_regwidth(h),
       hll_expthresh(h), hll_sparseon(h), octet_length(h::bytea) AS bytes
FROM sketches ORDER BY hll_type(h);
SELECT hll_expthresh(hll_empty(12, 6, 256, 0)), hll_expthresh(hll_empty(4, 1, -1, 1)),
       hll_expthresh(hll_empty(20, 8));

-- Cardinality: exact in EXPLICIT form, NULL when UNDEFINED, an estimate otherwise.
SELECT name, hll_cardinality(h), #h AS hash_op FROM sketches
 WHERE name IN ('empty', 'explicit', 'undefined') ORDER BY name;
SELECT name, round(hll_cardinality(h)) AS estimate FROM sketches
 WHERE name IN ('sparse', 'full') ORDER BY name;

-- hll_empty: parameters from arguments, NULL means the setting.
SELECT hll_empty(), hll_empty(12), hll_empty(12, 6), hll_empty(12, 6, 0), hll_empty(12, 6, 0, 0),
       hll_empty(NULL, 4), hll_empty(20, 8, 131072, 1);
SELECT sqlstate_of($$SELECT hll_empty(3)$$);
SELECT sqlstate_of($$SELECT hll_empty(21)$$);
SELECT sqlstate_of($$SELECT hll_empty(11, 9)$$);
SELECT sqlstate_of($$SELECT hll_empty(11, 5, 100)$$);
SELECT sqlstate_of($$SELECT hll_empty(11, 5, -1, 5)$$);

-- hll_add and ||: the exact vectors of postgresql-hll.
SELECT hll_add(hll_empty(12, 5, 0, 1), (-8604791237420463362)::hll_hashval);
SELECT hll_empty(11, 6, 0, 1) || (11 + (1::bigint << 16))::hll_hashval
       || (1099 + (1::bigint << 29))::hll_hashval;
SELECT (-8604791237420463362)::hll_hashval || hll_empty()
       || (-2734554653617988768)::hll_hashval || 5208657608173592891::hll_hashval;

-- hll_union and ||: EMPTY is neutral, UNDEFINED absorbs, EXPLICIT merges in order.
SELECT hll_union(hll_empty(), h) = h AS empty_neutral FROM sketches WHERE name = 'full';
SELECT hll_type(hll_union(a.h, b.h)) FROM sketches a, sketches b
 WHERE a.name = 'undefined' AND b.name = 'full';
SELECT (SELECT h FROM sketches WHERE name = 'explicit') || (5::hll_hashval || hll_empty());
SELECT round(#(a.h || b.h)) FROM sketches a, sketches b WHERE a.name = 'sparse' AND b.name = 'full';
-- Different parameters fold to the common smaller ones (see statistics.sql).
SELECT hll_union(hll_empty(), hll_empty(12)), hll_empty(11, 5, -1, 1) || hll_empty(11, 5, -1, 0);

-- Equality compares content: a FULL value with few registers equals its SPARSE form.
SELECT hll_empty() = hll_empty() AS same, hll_empty() <> hll_empty(12) AS differ;
SELECT '\x14844008000000000000000000'::hll = '\x1384400080'::hll AS full_equals_sparse,
       '\x14844008000000000000000000'::hll || hll_empty(4, 5, 0, 1) AS written_back_sparse;

-- hll_print.
SELECT hll_print(h) FROM sketches WHERE name IN ('empty', 'explicit', 'undefined') ORDER BY name;
SELECT hll_print(hll_empty(11, 6, 0, 1) || (11 + (1::bigint << 16))::hll_hashval
       || (1099 + (1::bigint << 29))::hll_hashval);

-- Corrupt bytes reach functions only through the bytea cast, which refuses them (22P03).
SELECT sqlstate_of($$SELECT hll_cardinality('\x148b7f00'::bytea::hll)$$);

-- Strictness and volatility are declared truthfully.
SELECT proname, provolatile, proisstrict, proparallel FROM pg_proc
 WHERE proname LIKE 'hll%' AND proname NOT LIKE 'hll\_hash\_%'
 ORDER BY proname, pronargs;

-- hll_info: everything about a sketch as jsonb.
SELECT name, hll_info(h) FROM sketches ORDER BY hll_type(h);
SELECT (hll_info(h) ->> 'representation') AS kind, (hll_info(h) ->> 'registers_set')::int AS set,
       (hll_info(h) ->> 'size_bytes')::int AS bytes
FROM sketches WHERE name IN ('sparse', 'full') ORDER BY name;
