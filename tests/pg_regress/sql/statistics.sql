-- Error bars, intersections and precision folding.

-- Standard error: 0 when exact, NULL when UNDEFINED, near 1.04/sqrt(m) for large counts
-- and smaller in the small range.
SELECT hll_standard_error(hll_empty()) AS empty,
       hll_standard_error(hll_add_agg(hll_hash_integer(i))) AS explicit
FROM generate_series(1, 100) i;
SELECT hll_standard_error('\x108b7f'::hll) IS NULL AS undefined_is_null;
SELECT round((hll_standard_error(h) / (1.04 / sqrt(2048)))::numeric, 2) AS large_vs_theory
FROM (SELECT hll_add_agg(hll_hash_integer(i)) h FROM generate_series(1, 1000000) i) s;
SELECT hll_standard_error(h) < 1.04 / sqrt(2048) AS small_range_is_tighter
FROM (SELECT hll_add_agg(hll_hash_integer(i)) h FROM generate_series(1, 300) i) s;

-- Bounds: exact (zero width) while EXPLICIT; bracketing the estimate otherwise, and
-- covering the truth here.
SELECT * FROM hll_cardinality_bounds((SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 42) i));
SELECT round(estimate) AS estimate, lower <= 50000 AND 50000 <= upper AS covers_truth,
       round(((upper - lower) / estimate * 100)::numeric, 1) AS width_pct
FROM hll_cardinality_bounds((SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 50000) i));
SELECT c AS confidence, round(((upper - lower) / estimate * 100)::numeric, 1) AS width_pct
FROM (SELECT hll_add_agg(hll_hash_integer(i)) h FROM generate_series(1, 50000) i) s,
     unnest(ARRAY[0.5, 0.9, 0.95, 0.99]) c, hll_cardinality_bounds(h, c)
ORDER BY c;
SELECT sqlstate_of($$SELECT * FROM hll_cardinality_bounds(hll_empty(), 1.5)$$);
SELECT count(*) AS no_rows_for_undefined FROM hll_cardinality_bounds('\x108b7f'::hll);

-- Intersections: exact when both are EXPLICIT.
CREATE TABLE funnel AS
SELECT 'view' AS step, hll_add_agg(hll_hash_integer(u), 12, 5, 4096) AS users FROM generate_series(1, 3000) u
UNION ALL
SELECT 'cart', hll_add_agg(hll_hash_integer(u), 12, 5, 4096) FROM generate_series(2001, 3500) u;
SELECT * FROM hll_overlap((SELECT users FROM funnel WHERE step = 'view'),
                          (SELECT users FROM funnel WHERE step = 'cart'));
-- ... estimated, never negative, otherwise (log2m 14: about 5% error on a 10,000
-- overlap of sets of 100,000 and 30,000).
CREATE TABLE big_funnel AS
SELECT 'view' AS step, hll_add_agg(hll_hash_integer(u), 14) AS users FROM generate_series(1, 100000) u
UNION ALL
SELECT 'cart', hll_add_agg(hll_hash_integer(u), 14) FROM generate_series(90001, 120000) u
UNION ALL
SELECT 'other', hll_add_agg(hll_hash_integer(u), 14) FROM generate_series(500001, 520000) u;
SELECT abs(hll_intersection(a.users, b.users) / 10000 - 1) < 0.15 AS near_10000,
       abs(hll_jaccard(a.users, b.users) / (10000.0 / 120000) - 1) < 0.15 AS jaccard_near,
       hll_intersection(a.users, c.users) >= 0 AS disjoint_not_negative,
       hll_intersection(a.users, c.users) < 1500 AS disjoint_small
FROM big_funnel a, big_funnel b, big_funnel c
WHERE a.step = 'view' AND b.step = 'cart' AND c.step = 'other';
SELECT hll_intersection('\x108b7f'::hll, hll_empty()) IS NULL AS undefined_is_null;

-- Folding: hll_reduce gives the sketch built with fewer registers, byte for byte.
SELECT hll_reduce(h14, 11) = h11 AS same_content, hll_reduce(h14, 11)::text = h11::text AS same_bytes,
       hll_reduce(h14, 10, 4)::text = h10_4::text AS also_narrower
FROM (SELECT hll_add_agg(hll_hash_integer(i), 14) h14, hll_add_agg(hll_hash_integer(i), 11) h11,
             hll_add_agg(hll_hash_integer(i), 10, 4) h10_4
      FROM generate_series(1, 20000) i) s;
SELECT hll_reduce(hll_add_agg(hll_hash_integer(i), 14), 11)
     = hll_add_agg(hll_hash_integer(i), 11) AS explicit_rethresholded
FROM generate_series(1, 200) i;
SELECT sqlstate_of($$SELECT hll_reduce(hll_empty(11), 12)$$);
SELECT sqlstate_of($$SELECT hll_reduce(hll_empty(11), 3)$$);

-- Unions of different precision fold to the common smaller one instead of failing.
SELECT hll_log2m(u), hll_regwidth(u), u = hll_add_agg_all AS equals_direct
FROM (SELECT hll_union(hll_add_agg(hll_hash_integer(i), 14, 6) FILTER (WHERE i <= 6000),
                       hll_add_agg(hll_hash_integer(i), 12, 5) FILTER (WHERE i > 4000)) u,
             hll_add_agg(hll_hash_integer(i), 12, 5) hll_add_agg_all
      FROM generate_series(1, 10000) i) s;
SELECT hll_log2m(hll_union_agg(h)), round(#hll_union_agg(h)) FROM (
  SELECT hll_add_agg(hll_hash_integer(i), 10 + (i % 4)) h FROM generate_series(1, 40000) i GROUP BY i % 4
) s;
