-- Scenario 7: accuracy monitoring.
-- A view compares the sketch estimates of a sampled day with exact counts: relative
-- error, whether the truth is inside the 95% bounds, and a status (OK, WARNING above 5%
-- error, CRITICAL above 10%).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP VIEW IF EXISTS sketch_accuracy;
CREATE VIEW sketch_accuracy AS
WITH sampled AS (SELECT date '2026-10-09' AS day),
sketches AS (
    SELECT device, hll_union_agg(users) AS users
    FROM daily_uniques WHERE day = (SELECT day FROM sampled) GROUP BY device
),
exact AS (
    SELECT device, count(DISTINCT user_id) AS users
    FROM events WHERE day = (SELECT day FROM sampled) GROUP BY device
)
SELECT (SELECT day FROM sampled) AS day, s.device,
       round(b.estimate) AS estimate, e.users AS exact,
       round((100 * (b.estimate - e.users) / e.users)::numeric, 2) AS error_pct,
       e.users BETWEEN floor(b.lower) AND ceil(b.upper) AS within_95,
       CASE WHEN abs(b.estimate - e.users) > 0.10 * e.users THEN 'CRITICAL'
            WHEN abs(b.estimate - e.users) > 0.05 * e.users THEN 'WARNING'
            ELSE 'OK' END AS status
FROM sketches s JOIN exact e USING (device), hll_cardinality_bounds(s.users) b;

SELECT * FROM sketch_accuracy ORDER BY device;
SELECT count(*) FILTER (WHERE status = 'OK') AS ok, count(*) AS checked FROM sketch_accuracy;
