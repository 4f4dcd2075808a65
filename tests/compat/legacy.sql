-- A database as a team using postgresql-hll has it: daily sketches per device in
-- every representation, several typmods, a view, a materialized view, a unique key
-- for upserts, an index on an expression over sketches, and hll_hashval columns.
CREATE EXTENSION hll;
CREATE TABLE daily_users (
    day date NOT NULL,
    device text NOT NULL,
    users hll(12, 5, -1, 1) NOT NULL,
    UNIQUE (day, device)
);
INSERT INTO daily_users
SELECT d, dev, coalesce(hll_add_agg(hll_hash_bigint(u), 12, 5, -1, 1), hll_empty(12, 5, -1, 1))
FROM generate_series(date '2024-01-01', date '2024-01-28', interval '1 day') AS g(d),
     unnest(ARRAY['desktop', 'mobile', 'tablet', 'tv']) AS dev
     LEFT JOIN LATERAL (SELECT (extract(doy FROM d)::bigint * 7919 + x) % 40000 AS u
              FROM generate_series(1, CASE dev WHEN 'desktop' THEN 3000 + extract(day FROM d)::int * 100
                                               WHEN 'mobile' THEN 400
                                               WHEN 'tablet' THEN 25
                                               ELSE extract(day FROM d)::int % 3 END) AS x) AS users ON true
GROUP BY d, dev;
CREATE TABLE sketch_kinds (
    id integer PRIMARY KEY,
    any_params hll,
    default_params hll(11, 5, -1, 1),
    wide hll(14, 6, 0, 0),
    small hll(10, 4, 1024, 1),
    last_user hll_hashval,
    first_user hll_hashval
);
INSERT INTO sketch_kinds
SELECT k,
       CASE WHEN k % 5 = 0 THEN E'\\x108b7f'::hll
            ELSE coalesce(hll_add_agg(hll_hash_integer(k * 100000 + x), 11 + k % 3),
                          hll_empty(11 + k % 3)) END,
       coalesce(hll_add_agg(hll_hash_integer(k * 100000 + x)), hll_empty(11, 5, -1, 1)),
       coalesce(hll_add_agg(hll_hash_text((k * 100000 + x)::text), 14, 6, 0, 0), hll_empty(14, 6, 0, 0)),
       coalesce(hll_add_agg(hll_hash_bigint(x), 10, 4, 1024, 1), hll_empty(10, 4, 1024, 1)),
       hll_hash_integer(k * 100000 + max(x)),
       hll_hash_integer(k * 100000 + min(x))
FROM generate_series(1, 20) AS k,
     LATERAL generate_series(1, (k * k * k) % 7000) AS x
GROUP BY k;
CREATE INDEX sketch_kinds_cardinality ON sketch_kinds (hll_cardinality(default_params));
CREATE VIEW weekly_users AS
SELECT date_trunc('week', day)::date AS week, device,
       hll_cardinality(hll_union_agg(users)) AS users
FROM daily_users GROUP BY 1, 2;
CREATE MATERIALIZED VIEW device_users AS
SELECT device, hll_union_agg(users) AS users, #hll_union_agg(users) AS estimate
FROM daily_users GROUP BY device;
