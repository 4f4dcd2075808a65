-- Many groups of many values (queries 10 and 11), built in the template database:
-- :groups groups of 1,300 distinct values each, stored group after group (as a day's
-- events arrive together). Query 10 reads v <= 1000 (1,000 values per group: EXPLICIT
-- at log2m 14 and 16, whose thresholds are 1,280 and 5,120), query 11 all 1,300 (past
-- log2m 14's threshold: 16 KiB of dense registers per group).
\set ON_ERROR_STOP on
CREATE TABLE value_groups AS
SELECT g, g::bigint * 100000 + v AS v, v AS n
FROM generate_series(1, :groups) AS g, generate_series(1, 1300) AS v
ORDER BY g, v;
VACUUM (ANALYZE, FREEZE) value_groups;
