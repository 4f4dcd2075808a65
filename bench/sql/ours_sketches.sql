-- Stored sketches, built with this extension in the `ours` database; the same bytes
-- are copied into the peer's database (the storage format is shared).
-- Variables: :sketches (number of distinct stored sketches, 100k by default).
\set ON_ERROR_STOP on
-- One sketch per segment over 1000-1499 distinct values: past the SPARSE limit, so
-- FULL log2m-11 sketches of 1283 bytes (checked below). Distinct content per segment.
CREATE TABLE sketches (seg int, h hll);
INSERT INTO sketches
SELECT g, (SELECT hll_add_agg(hll_hash_bigint(g::bigint * 1000000 + j))
           FROM generate_series(1, 1000 + g % 500) j)
FROM generate_series(1, :sketches) g;
