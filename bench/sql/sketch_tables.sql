-- In each database, after `sketches` is loaded: the 10x table for query 9 (the
-- distinct sketches repeated 10 times), both kept uncompressed and in line, then
-- statistics and everything read by the benchmark loaded into shared buffers.
\set ON_ERROR_STOP on
CREATE TABLE sketches_x10 AS SELECT r * 10000000 + seg AS id, h
FROM sketches, generate_series(0, 9) r ORDER BY r, seg;
VACUUM (ANALYZE, FREEZE) sketches;
VACUUM (ANALYZE, FREEZE) sketches_x10;
SELECT pg_prewarm('events'), pg_prewarm('sketches'), pg_prewarm('sketches_x10'),
       pg_prewarm('value_groups');
