-- Verifies a migrated database (README, "Migrating from postgresql-hll"): run it on the
-- old server and on the new one; the outputs must be identical. One line per hll
-- column of every table and materialized view: how many sketches, a digest of their
-- bytes, and the sum of their estimates by postgresql-hll's formula (the setting is
-- ignored by postgresql-hll itself). Every value is decoded and validated on the way.
SET hyperloglog.estimator = classic;
SELECT format('SELECT %L AS "column", count(%I) AS sketches, '
              'md5(string_agg(%I::text, %L ORDER BY %I::text)) AS bytes, '
              'round(sum(hll_cardinality(%I))::numeric, 6) AS estimates FROM %s',
              c.oid::regclass || '.' || a.attname, a.attname, a.attname, ',', a.attname,
              a.attname, c.oid::regclass)
FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
WHERE a.atttypid = 'hll'::regtype AND c.relkind IN ('r', 'm') AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY c.oid::regclass::text, a.attnum
\gexec
