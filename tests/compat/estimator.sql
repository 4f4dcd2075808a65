-- Sketches across representations and parameters (log2m 4-16, regwidth 1-7, sparse
-- on and off, explicit threshold auto and off; 1 to 30,000 values), with the
-- cardinality the server computes. Run on postgresql-hll; the compatible extension
-- then loads them, rebuilds each from the same hashes and compares bytes and the
-- classic estimate.
CREATE TABLE sketches AS
SELECT l AS log2m, r AS regwidth, s AS sparseon, n,
       hll_add_agg(hll_hash_integer(i + 1000003 * (l * 100 + r * 10 + s)),
                   l, r, CASE s WHEN 1 THEN -1 ELSE 0 END, s) AS h
FROM (VALUES (4), (5), (6), (8), (10), (11), (12), (14), (16)) AS lv(l),
     generate_series(1, 7) AS r,
     (VALUES (0), (1)) AS sv(s),
     (VALUES (1), (3), (10), (30), (100), (300), (1000), (3000), (10000), (30000)) AS nv(n),
     generate_series(1, n) AS i
GROUP BY l, r, s, n;
ALTER TABLE sketches ADD COLUMN card double precision;
UPDATE sketches SET card = hll_cardinality(h);
