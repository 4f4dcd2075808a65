-- Scenario 4: a purchase funnel.
-- Unique users per step, step-to-step conversion, and the users who reached two steps,
-- from the intersection of their sketches.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS funnel_steps;
CREATE TABLE funnel_steps AS
SELECT step, array_position(ARRAY['landing', 'product_view', 'add_to_cart', 'checkout', 'purchase'], step) AS step_no,
       hll_add_agg(hll_hash_bigint(user_id), 14) AS users
FROM events GROUP BY step;

SELECT step, round(users) AS users, exact,
       round(100 * users / first_value(users) OVER (ORDER BY step_no)) AS pct_of_landing,
       round(100 * users / lag(users) OVER (ORDER BY step_no)) AS pct_of_previous
FROM (SELECT f.step, f.step_no, hll_cardinality(f.users) AS users, e.exact
      FROM funnel_steps f
      JOIN (SELECT step, count(DISTINCT user_id) AS exact FROM events GROUP BY step) e USING (step)) s
ORDER BY step_no;

-- Users who both added to cart and purchased, and who viewed a product but never
-- reached checkout: estimated by joint maximum likelihood, beside the truth.
SELECT round(o.intersection) AS cart_and_purchase,
       (SELECT count(*) FROM (SELECT user_id FROM events WHERE step = 'add_to_cart'
                              INTERSECT SELECT user_id FROM events WHERE step = 'purchase') x) AS exact,
       round(o.jaccard::numeric, 3) AS jaccard
FROM hll_overlap((SELECT users FROM funnel_steps WHERE step = 'add_to_cart'),
                 (SELECT users FROM funnel_steps WHERE step = 'purchase')) o;
SELECT round(o.only_a) AS viewed_never_checked_out,
       (SELECT count(*) FROM (SELECT user_id FROM events WHERE step = 'product_view'
                              EXCEPT SELECT user_id FROM events WHERE step = 'checkout') x) AS exact
FROM hll_overlap((SELECT users FROM funnel_steps WHERE step = 'product_view'),
                 (SELECT users FROM funnel_steps WHERE step = 'checkout')) o;
