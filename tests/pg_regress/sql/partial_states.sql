-- Partial aggregation the way Citus runs it, without Citus: every aggregate's state is
-- an hll, so a shard's partial state leaves through hll's output function as text,
-- travels to another database (the coordinator), is read back by hll's input function,
-- combined and finalised there. The result must be the single-node result, byte for byte.
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TABLE events_all AS
SELECT (i * 7919) % 40000 AS user_id, i % 5 AS day, (i % 3)::text AS device
FROM generate_series(1, 200000) AS i;
-- Four shards of a table distributed by user_id.
DO $$
BEGIN
    FOR k IN 0..3 LOOP
        EXECUTE format('CREATE TABLE shard_%s AS SELECT * FROM events_all WHERE user_id %% 4 = %s', k, k);
        -- and each shard's daily sketches per device, for hll_union_agg
        EXECUTE format('CREATE TABLE rollup_%s AS SELECT day, device, hll_add_agg(hll_hash_integer(user_id)) AS h
                        FROM shard_%s GROUP BY day, device', k, k);
    END LOOP;
END
$$;
-- A shard's partial aggregate: the transition function and state type of the
-- extension's aggregates without their final function, so the result is the state.
CREATE AGGREGATE partial_sketch(anyelement) (SFUNC = hll_sketch_state, STYPE = hll);
CREATE AGGREGATE partial_sketch(anyelement, integer, integer, bigint, integer)
    (SFUNC = hll_sketch_state, STYPE = hll);
CREATE AGGREGATE partial_add(hll_hashval, integer) (SFUNC = hll_add_state, STYPE = hll);
CREATE AGGREGATE partial_union(hll) (SFUNC = hll_union_state, STYPE = hll);
-- The coordinator: a database of its own holding the states as text.
SELECT format('dbname=partial_coordinator host=%s port=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port')) AS coordinator \gset
DROP DATABASE IF EXISTS partial_coordinator;
CREATE DATABASE partial_coordinator;
SELECT dblink_exec(:'coordinator', $$
    CREATE EXTENSION hyperloglog;
    CREATE TABLE partials (aggregate text, day int, state text);
    CREATE AGGREGATE combine_sketch(hll)
        (SFUNC = hll_state_combine, STYPE = hll, FINALFUNC = hll_state_or_empty);
    CREATE AGGREGATE combine_count(hll)
        (SFUNC = hll_state_combine, STYPE = hll, FINALFUNC = hll_state_count);
    CREATE AGGREGATE combine_union(hll)
        (SFUNC = hll_state_combine, STYPE = hll, FINALFUNC = hll_state_value)$$);
-- Each shard computes its partial states per day and ships them as text.
CREATE FUNCTION ship(aggregate text, partial text, source text DEFAULT 'shard')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    rows text;
BEGIN
    FOR k IN 0..3 LOOP
        EXECUTE format('SELECT string_agg(format(%L, %L, day, state), %L)
                        FROM (SELECT day, (%s)::text AS state FROM %s_%s GROUP BY day) AS s',
                       '(%L, %s, %L)', aggregate, ', ', partial, source, k)
            INTO rows;
        PERFORM dblink_exec(current_setting('test.coordinator'),
                            'INSERT INTO partials VALUES ' || rows);
    END LOOP;
END
$$;
SET test.coordinator = :'coordinator';
SELECT ship('sketch', 'partial_sketch(user_id)');
SELECT ship('sketch_params', 'partial_sketch(user_id::bigint, 13, 6, 0, 0)');
SELECT ship('add', 'partial_add(hll_hash_integer(user_id), 12)');
SELECT ship('union', 'partial_union(h)', 'rollup');
SELECT count(*) AS shipped_states, sum(length(state)) > 0 AS as_text
FROM dblink(:'coordinator', 'SELECT aggregate, day, state FROM partials')
    AS p(aggregate text, day int, state text);
-- The coordinator combines what it received; the results come back as text.
CREATE TABLE combined AS
SELECT * FROM dblink(:'coordinator', $$
    SELECT aggregate, day, combine_sketch(state::hll)::text, combine_count(state::hll),
           combine_union(state::hll)::text
    FROM partials GROUP BY aggregate, day$$)
    AS c(aggregate text, day int, sketch text, count bigint, union_ text);
-- Single-node results over the whole table.
SELECT c.aggregate, count(*) AS days,
       bool_and(CASE c.aggregate
           WHEN 'sketch' THEN c.sketch = l.sketch::text AND c.count = l.count
           WHEN 'sketch_params' THEN c.sketch = l.sketch_params::text
           WHEN 'add' THEN c.sketch = l.add::text
           WHEN 'union' THEN c.union_ = l.union_::text END) AS byte_identical
FROM combined AS c
JOIN (SELECT day, hll_sketch(user_id) AS sketch, hll_count_distinct(user_id) AS count,
             hll_sketch(user_id::bigint, 13, 6, 0, 0) AS sketch_params,
             hll_add_agg(hll_hash_integer(user_id), 12) AS add,
             hll_add_agg(hll_hash_integer(user_id)) AS union_
      FROM events_all GROUP BY day) AS l USING (day)
GROUP BY c.aggregate ORDER BY 1;
-- A shard without rows sends a NULL state; the coordinator still answers.
SELECT partial_sketch(user_id) IS NULL AS empty_shard_state FROM shard_0 WHERE false;
SELECT * FROM dblink(:'coordinator', $$
    SELECT combine_count(state::hll), hll_cardinality(combine_sketch(state::hll))
    FROM (VALUES (NULL::text)) AS p(state)$$) AS c(count bigint, estimate float8);
-- Parallel plans of the one-call aggregates combine partial states too.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT day, hll_count_distinct(user_id) FROM events_all GROUP BY day;
CREATE TABLE parallel_counts AS
SELECT day, hll_count_distinct(user_id) AS n, hll_sketch(device)::text AS d FROM events_all GROUP BY day;
RESET ALL;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS parallel_equals_serial
FROM parallel_counts AS p
JOIN (SELECT day, hll_count_distinct(user_id) AS n, hll_sketch(device)::text AS d
      FROM events_all GROUP BY day) AS s USING (day, n, d);
RESET ALL;
SELECT dblink_exec(format('dbname=postgres host=%s port=%s',
                          split_part(current_setting('unix_socket_directories'), ',', 1),
                          current_setting('port')),
                   'DROP DATABASE partial_coordinator');
