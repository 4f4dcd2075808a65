-- The count(DISTINCT) rewrite (hyperloglog.count_distinct_error_rate) covers every type
-- whose hashing is canonical: on values that are equal but written differently
-- (1.0 and 1.00, -0 and 0, '1 day' and '24 hours', 'a' and 'a  ' as char(n), ...), the
-- rewritten count equals the exact one. The groups are small, so the sketch counts
-- exactly when its hashes follow the type's equality, and overcounts when they do not.
-- Each row shows: how the plan counts, the rows, their distinct text forms (more than
-- the distinct values: the data does hold equal values written differently), the exact
-- count, and the count with the setting on.
LOAD 'hyperloglog';
-- rewrite_of(name, rows, columns, counted): count(DISTINCT counted) over
-- (VALUES rows) AS v(columns).
CREATE FUNCTION rewrite_of(name text, rows_sql text, columns text DEFAULT 'x',
                           counted text DEFAULT 'x')
RETURNS TABLE (type text, plan text, rows bigint, texts bigint, exact bigint, rewritten bigint)
LANGUAGE plpgsql AS $$
DECLARE
    query text := format('SELECT count(DISTINCT %s) FROM (VALUES %s) AS v(%s)',
                         counted, rows_sql, columns);
    line text;
BEGIN
    type := name;
    PERFORM set_config('hyperloglog.count_distinct_error_rate', '0', true);
    EXECUTE format('SELECT count(*), count(DISTINCT (%s)::text) FROM (VALUES %s) AS v(%s)',
                   counted, rows_sql, columns)
        INTO rows, texts;
    EXECUTE query INTO exact;
    PERFORM set_config('hyperloglog.count_distinct_error_rate', '0.01', true);
    EXECUTE query INTO rewritten;
    plan := 'exact';
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line LIKE '%hll_count_distinct(%' THEN
            plan := 'sketch';
        END IF;
    END LOOP;
    PERFORM set_config('hyperloglog.count_distinct_error_rate', '0', true);
    RETURN NEXT;
END $$;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (n numeric, c char(4));
CREATE DOMAIN amount AS numeric;
CREATE TABLE pairs (p pair);
INSERT INTO pairs VALUES (ROW(1.0, 'a')), (ROW(1.00, 'a  ')), (ROW(1, 'b')), (ROW(2, 'a'));

-- Rewritten: every type whose hashing is canonical.
SELECT * FROM rewrite_of('numeric', $$(1.0), (1.00), (1), (2.50), (2.5), (-0.0), (0), (0.000),
    ('NaN'), ('nan'), (1e3), (1000), ('Infinity'), (NULL)$$)
UNION ALL SELECT * FROM rewrite_of('amount (a domain over numeric)',
    $$(1.0::amount), (1.00::amount), (2::amount), (2.000::amount)$$)
UNION ALL SELECT * FROM rewrite_of('real', $$('-0'::real), ('0'::real), ('NaN'::real),
    ('NaN'::real * -1), ('1'::real), ('1e0'::real), ('Infinity'::real)$$)
UNION ALL SELECT * FROM rewrite_of('double precision', $$('-0'::float8), (0::float8),
    ('NaN'::float8), ('NaN'::float8 * -1), (0.1::float8 + 0.2), (0.3::float8), (1::float8)$$)
UNION ALL SELECT * FROM rewrite_of('interval', $$('1 day'::interval), ('24 hours'), ('1440 minutes'),
    ('1 month'), ('30 days'), ('720 hours'), ('1 year'), ('12 months'), ('360 days'),
    ('1 day -24 hours'), ('0'), ('-1 day'), ('-24 hours')$$)
UNION ALL SELECT * FROM rewrite_of('char(5)', $$('a'::char(5)), ('a  '), ('a    '), ('b'), (' a')$$)
UNION ALL SELECT * FROM rewrite_of('numeric[]', $$('{1.0,2}'::numeric[]), ('{1.00,2.0}'), ('{1,2}'),
    ('[0:1]={1,2}'), ('{{1,2}}'), ('{1,NULL}'), ('{1.0,NULL}'), ('{}')$$)
UNION ALL SELECT * FROM rewrite_of('interval[]', $$(ARRAY['1 day', '1 hour']::interval[]),
    (ARRAY['24 hours', '60 minutes']::interval[]), (ARRAY['1 day']::interval[])$$)
UNION ALL SELECT * FROM rewrite_of('numrange', $$('[1.0,2.0)'::numrange), ('[1.00,2.00)'), ('(1,2]'),
    ('empty'), ('[3,3)'), ('[1,)'), ('[1.0,)')$$)
UNION ALL SELECT * FROM rewrite_of('int4range', $$('[1,3)'::int4range), ('[1,2]'), ('(0,3)'),
    ('empty'), ('[5,5)'), ('[1,4)')$$)
UNION ALL SELECT * FROM rewrite_of('nummultirange', $$('{[1.0,2.0)}'::nummultirange),
    ('{[1.00,1.5),[1.5,2)}'), ('{}'), ('{[1,2),[3,4)}')$$)
UNION ALL SELECT * FROM rewrite_of('row (numeric, char(4), float8)', $$(1.0, 'a'::char(4), '-0'::float8),
    (1.00, 'a  ', 0), (1, 'b', 0), (-0.0, 'a', 0), (0, 'a', '-0')$$, 'n, c, f', '(n, c, f)')
UNION ALL SELECT * FROM rewrite_of('pair (a named row type)', $$((SELECT p FROM pairs LIMIT 1)),
    (ROW(1.00, 'a  ')::pair), (ROW(1, 'a')::pair), (ROW(1, 'b')::pair)$$)
UNION ALL SELECT * FROM rewrite_of('jsonb', $$('{"a": 1.0}'::jsonb), ('{"a":1.00}'), ('{ "a" : 1 }'),
    ('[1, 2]'), ('[1,2.0]'), ('"x"')$$)
UNION ALL SELECT * FROM rewrite_of('mood (an enum)', $$('sad'::mood), ('ok'), ('sad'), ('happy')$$)
UNION ALL SELECT * FROM rewrite_of('timestamptz', $$('2024-01-01 00:00+00'::timestamptz),
    ('2024-01-01 01:00+01'), ('2024-01-01 00:00+01')$$)
UNION ALL SELECT * FROM rewrite_of('text', $$('a'::text), ('a'), ('A'), ('b')$$);

-- The same with a column read from a table, grouped, and inside a HAVING and FILTER.
-- Half the rows of each group hold their values written another way.
CREATE TABLE amounts AS
SELECT g, g % 3 AS grp, (g % 7)::numeric / 2 AS n, make_interval(hours => 24 * (g % 5)) AS span
FROM generate_series(1, 300) AS g;
UPDATE amounts SET n = n * 1.000, span = make_interval(days => (g % 5)::int) WHERE g % 2 = 0;
SELECT count(DISTINCT n::text) AS n_texts, count(DISTINCT n) AS n_values,
       count(DISTINCT span::text) AS span_texts, count(DISTINCT span) AS span_values
FROM amounts;
CREATE TEMP TABLE exact AS
SELECT grp, count(DISTINCT n) AS n, count(DISTINCT span) AS spans,
       count(DISTINCT (n, span)) FILTER (WHERE n > 1) AS rows
FROM amounts GROUP BY grp HAVING count(DISTINCT n) > 1;
SET hyperloglog.count_distinct_error_rate = 0.01;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT grp, count(DISTINCT n), count(DISTINCT span),
       count(DISTINCT (n, span)) FILTER (WHERE n > 1)
FROM amounts GROUP BY grp HAVING count(DISTINCT n) > 1;
SELECT grp, count(DISTINCT n) AS n, count(DISTINCT span) AS spans,
       count(DISTINCT (n, span)) FILTER (WHERE n > 1) AS rows
FROM amounts GROUP BY grp HAVING count(DISTINCT n) > 1
EXCEPT SELECT * FROM exact;
RESET hyperloglog.count_distinct_error_rate;

-- Left exact (README, "BI tools"): text under a nondeterministic collation and
-- collatable types with their own hash (that hash follows the collation provider's
-- version, which may differ between the servers one query combines); types whose
-- equality is neither their bytes nor backed by a hash function (tsvector, tsquery);
-- anonymous row values the planner sees only as "record" (a column of a VALUES list or
-- a subquery that holds ROW(...), or inside an array): their fields are unknown when
-- planning.
SELECT * FROM rewrite_of('tsvector', $$('a b'::tsvector), ('b a'), ('a:1 b'), ('a b:2')$$)
UNION ALL SELECT * FROM rewrite_of('record (a column of VALUES)',
    $$(ROW(1.0, 'a'::char(4))), (ROW(1.00, 'a  '::char(4))), (ROW(1::numeric, 'b'::char(4)))$$)
UNION ALL SELECT * FROM rewrite_of('record[]', $$(ARRAY[ROW(1.0, 2)]), (ARRAY[ROW(1.00, 2)])$$);
