-- Scenario 5: campaigns.
-- Campaign reach and efficiency: unique impressions, clicks and conversions per
-- campaign, click-through and conversion rates, cost per unique click and per
-- acquisition, and return on spend.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS campaign_daily;
CREATE TABLE campaign_daily AS
SELECT day, campaign_id,
       hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE kind = 'impression') AS reached,
       hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE kind = 'click') AS clicked,
       hll_add_agg(hll_hash_bigint(user_id)) FILTER (WHERE kind = 'conversion') AS converted,
       coalesce(sum(revenue), 0) AS revenue
FROM ad_events GROUP BY day, campaign_id;

SELECT name, channel, round(reach) AS reach, round(clickers) AS clickers, round(buyers) AS buyers,
       round((100 * clickers / nullif(reach, 0))::numeric, 2) AS ctr_pct,
       round((100 * buyers / nullif(clickers, 0))::numeric, 1) AS conversion_pct,
       round(cost / nullif(clickers, 0)::numeric, 2) AS cost_per_click,
       round(cost / nullif(buyers, 0)::numeric, 2) AS cost_per_acquisition,
       round((revenue - cost) / cost, 2) AS roi
FROM (SELECT c.campaign_id, c.name, c.channel, c.cost, sum(d.revenue) AS revenue,
             coalesce(hll_cardinality(hll_union_agg(d.reached)), 0) AS reach,
             coalesce(hll_cardinality(hll_union_agg(d.clicked)), 0) AS clickers,
             coalesce(hll_cardinality(hll_union_agg(d.converted)), 0) AS buyers
      FROM campaign_daily d JOIN campaigns c USING (campaign_id)
      GROUP BY c.campaign_id, c.name, c.channel, c.cost) per_campaign
ORDER BY campaign_id;

-- Reach of one campaign and of all search campaigns together, against the truth.
SELECT metric_name, estimate, exact, error_pct, within_bounds FROM (
    SELECT (hll_compare('campaign 1 reach',
        'SELECT hll_union_agg(reached) FROM campaign_daily WHERE campaign_id = 1',
        $$SELECT count(DISTINCT user_id) FROM ad_events WHERE campaign_id = 1 AND kind = 'impression'$$)).*
    UNION ALL
    SELECT (hll_compare('search channel clickers',
        $$SELECT hll_union_agg(clicked) FROM campaign_daily JOIN campaigns USING (campaign_id)
          WHERE channel = 'search'$$,
        $$SELECT count(DISTINCT user_id) FROM ad_events JOIN campaigns USING (campaign_id)
          WHERE channel = 'search' AND kind = 'click'$$)).*
) r;
