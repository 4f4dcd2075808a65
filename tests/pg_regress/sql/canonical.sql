-- Equal values, equal hashes: hll_hash_any, hll_sketch and hll_count_distinct hash a
-- value's canonical form, so that values the type's equality (and count(DISTINCT))
-- takes as equal count once, in every session and on every server.

-- Floats: -0 is 0, and every NaN is the one NaN.
SELECT hll_hash_any(-0.0::float8) = hll_hash_any(0.0::float8) AS float8_zero,
       hll_hash_any('NaN'::float8) = hll_hash_any('Infinity'::float8 - 'Infinity'::float8) AS float8_nan,
       hll_hash_any(-0.0::float4) = hll_hash_any(0.0::float4) AS float4_zero,
       hll_hash_any('NaN'::float4) = hll_hash_any(('Infinity'::float4 - 'Infinity'::float4)) AS float4_nan,
       hll_hash_any(1.5::float8) = hll_hash_bytea('\x000000000000f83f') AS float8_bytes_unchanged,
       hll_hash_any(1.5::float8) <> hll_hash_any(-1.5::float8) AS float8_sign;

-- numeric: by its value, whatever its scale.
SELECT hll_hash_any(1.0::numeric) = hll_hash_any(1::numeric) AS scale,
       hll_hash_any(1.0::numeric) = hll_hash_any(1.000::numeric) AS trailing_zeros,
       hll_hash_any(1.0::numeric) = hll_hash_text('1') AS normalized_text,
       hll_hash_any(-0.00::numeric) = hll_hash_any(0::numeric) AS zero,
       hll_hash_any(100::numeric) <> hll_hash_any(1::numeric) AS hundred,
       hll_hash_any('NaN'::numeric) = hll_hash_text('NaN') AS nan;

-- interval: a day is 24 hours and a month 30 days, as interval equality has it.
SELECT hll_hash_any('1 day'::interval) = hll_hash_any('24 hours'::interval) AS day,
       hll_hash_any('1 mon'::interval) = hll_hash_any('30 days'::interval) AS month,
       hll_hash_any('1 mon'::interval) <> hll_hash_any('31 days'::interval) AS not_31;

-- char(n): trailing spaces are not part of the value.
SELECT hll_hash_any('ab'::char(5)) = hll_hash_any('ab'::char(2)) AS padded,
       hll_hash_any('ab'::char(5)) = hll_hash_text('ab') AS as_text,
       hll_hash_any(' ab'::char(5)) <> hll_hash_text('ab') AS leading_kept;

-- A type without a rule of its own hashes its bytes where its B-tree operator class
-- says equality is byte equality (oid), and PostgreSQL's own hash where it has no
-- B-tree class to say so (xid).
SELECT hll_hash_any(5::oid) = hll_hash_bytea('\x05000000') AS oid_bytes,
       hll_hash_any('5'::xid) <> hll_hash_bytea('\x05000000') AS xid_own_hash;

-- Domains hash as their base type.
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN user_name AS text;
CREATE DOMAIN money_amount AS numeric;
SELECT hll_hash_any(5::positive_int) = hll_hash_integer(5) AS domain_int,
       hll_hash_any('ann'::user_name) = hll_hash_text('ann') AS domain_text,
       hll_hash_any(2.50::money_amount) = hll_hash_any(2.5::numeric) AS domain_numeric;

-- Enums by their label: two enum types with the same labels in another order (as
-- the same type gets other OIDs on another server) hash the label alike.
CREATE TYPE device_a AS ENUM ('web', 'ios', 'android');
CREATE TYPE device_b AS ENUM ('android', 'web', 'ios');
SELECT hll_hash_any('ios'::device_a) = hll_hash_any('ios'::device_b) AS same_label,
       hll_hash_any('ios'::device_a) = hll_hash_text('ios') AS label_text,
       hll_hash_any('ios'::device_a) <> hll_hash_any('web'::device_a) AS differs;

-- jsonb by its equality: 1.0 and 1.00 inside are equal.
SELECT hll_hash_any('{"a": 1.0}'::jsonb) = hll_hash_any('{"a": 1.00}'::jsonb) AS jsonb_numeric,
       hll_hash_any('{"a": 1, "b": 2}'::jsonb) = hll_hash_any('{"b": 2, "a": 1}'::jsonb) AS jsonb_keys,
       hll_hash_any('{"a": 1}'::jsonb) <> hll_hash_any('{"a": 2}'::jsonb) AS jsonb_differs;

-- Arrays: by their elements' canonical forms, dimensions and lower bounds (array
-- equality compares them), NULL elements marked.
SELECT hll_hash_any(ARRAY[1.0, 2.00]) = hll_hash_any(ARRAY[1, 2]::numeric[]) AS numeric_elements,
       hll_hash_any(ARRAY[-0.0::float8]) = hll_hash_any(ARRAY[0.0::float8]) AS float_elements,
       hll_hash_any(ARRAY[1, NULL]) <> hll_hash_any(ARRAY[NULL, 1]) AS null_position,
       hll_hash_any(ARRAY[1, 2]) <> hll_hash_any(ARRAY[[1], [2]]) AS dimensions,
       hll_hash_any('[0:1]={1,2}'::int[]) <> hll_hash_any('{1,2}'::int[]) AS lower_bound,
       hll_hash_any(ARRAY[1, 2]) <> hll_hash_any(ARRAY[1, 2, 3]) AS length,
       hll_hash_any('{}'::int[]) = hll_hash_any('{}'::int[]) AS empty;

-- Ranges and multiranges: by their bounds' canonical forms.
SELECT hll_hash_any(numrange(1.0, 2.0)) = hll_hash_any(numrange(1, 2.00)) AS numrange,
       hll_hash_any(numrange(1, 2, '[]')) <> hll_hash_any(numrange(1, 2, '[)')) AS inclusive,
       hll_hash_any(numrange(1, NULL)) <> hll_hash_any(numrange(1, 100)) AS infinite,
       hll_hash_any('empty'::numrange) = hll_hash_any(numrange(1, 1)) AS empty,
       hll_hash_any(int4range(1, 3, '[]')) = hll_hash_any(int4range(1, 4)) AS discrete,
       hll_hash_any(nummultirange(numrange(1.0, 2), numrange(3, 4))) =
           hll_hash_any(nummultirange(numrange(3, 4.00), numrange(1, 2))) AS multirange;

-- Row values by their fields' values and types: an anonymous row hashes alike in any
-- session, whatever row types the session saw before (they get session-local ids).
CREATE TABLE row_hashes (session text, h hll_hashval);
SELECT hll_hash_any(ROW(2.5, true, 'x')), hll_hash_any(ROW(now()::date, 1)) IS NOT NULL AS warm_up;
INSERT INTO row_hashes SELECT 'first', hll_hash_any(ROW(1, 'a'::text));
\c
INSERT INTO row_hashes SELECT 'second', hll_hash_any(ROW(1, 'a'::text));
SELECT count(DISTINCT h::bigint) AS distinct_hashes FROM row_hashes;
SELECT hll_hash_any(ROW(1.0, -0.0::float8)) = hll_hash_any(ROW(1.00, 0.0::float8)) AS canonical_fields,
       hll_hash_any(ROW(1, NULL::text)) <> hll_hash_any(ROW(NULL::int, 'a'::text)) AS null_fields,
       hll_hash_any(ROW(1, ROW(2.0, 'x'::text))) = hll_hash_any(ROW(1, ROW(2.00, 'x'::text))) AS nested,
       hll_hash_any(ROW(1, ROW(2.0, 'x'::text))) <> hll_hash_any(ROW(1, ROW(2, 'x'::text))) AS integer_is_not_numeric;

-- A row of 40 fields (wider than the 32 read on the stack) hashes canonically too.
SELECT hll_hash_any(ROW(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0)) = hll_hash_any(ROW(1.00, 2.00, 3.00, 4.00, 5.00, 6.00, 7.00, 8.00, 9.00, 10.00, 11.00, 12.00, 13.00, 14.00, 15.00, 16.00, 17.00, 18.00, 19.00, 20.00, 21.00, 22.00, 23.00, 24.00, 25.00, 26.00, 27.00, 28.00, 29.00, 30.00, 31.00, 32.00, 33.00, 34.00, 35.00, 36.00, 37.00, 38.00, 39.00, 40.00)) AS wide_row;

-- A named row type, with a dropped column and a field stored compressed inside the
-- row, hashes as the same value built from literals.
CREATE TYPE event_key AS (user_id bigint, note text, amount numeric, gone int);
ALTER TYPE event_key DROP ATTRIBUTE gone;
CREATE TABLE keyed (k event_key);
INSERT INTO keyed VALUES (ROW(1, repeat('compressible ', 2000), 2.50)::event_key);
SELECT pg_column_size(k) < 2000 AS stored_compressed,
       hll_hash_any(k) = hll_hash_any(ROW(1, repeat('compressible ', 2000), 2.5)::event_key) AS same_as_literal
FROM keyed;

-- Values read from out-of-line (toasted, uncompressed) storage hash as the literal.
CREATE TABLE toasted (t text, a text[]);
ALTER TABLE toasted ALTER COLUMN t SET STORAGE EXTERNAL, ALTER COLUMN a SET STORAGE EXTERNAL;
INSERT INTO toasted SELECT string_agg(md5(i::text), ''), array_agg(md5(i::text)) FROM generate_series(1, 300) i;
SELECT pg_column_size(t) = octet_length(t) AS not_compressed,
       hll_hash_any(t) = hll_hash_any((SELECT string_agg(md5(i::text), '') FROM generate_series(1, 300) i)) AS text_same,
       hll_hash_any(a) = hll_hash_any((SELECT array_agg(md5(i::text)) FROM generate_series(1, 300) i)) AS array_same
FROM toasted;

-- hll_count_distinct equals count(DISTINCT) over every type family (exact sizes), and
-- hll_sketch equals hll_add_agg(hll_hash_any(..)).
CREATE TABLE family_values (family text, v text);
INSERT INTO family_values VALUES
    ('float8', '0'), ('float8', '-0'), ('float8', 'NaN'), ('float8', '1.5'), ('float8', '-1.5'),
    ('numeric', '1'), ('numeric', '1.0'), ('numeric', '1.00'), ('numeric', '2'), ('numeric', '-0'),
    ('interval', '1 day'), ('interval', '24 hours'), ('interval', '1 mon'), ('interval', '30 days'), ('interval', '2 days'),
    ('bpchar', 'a'), ('bpchar', 'a  '), ('bpchar', 'b'),
    ('jsonb', '{"a": 1.0}'), ('jsonb', '{"a": 1}'), ('jsonb', '[1, 2]'), ('jsonb', '[2, 1]'),
    ('numeric[]', '{1.0,2}'), ('numeric[]', '{1,2.0}'), ('numeric[]', '{2,1}'), ('numeric[]', '{1,NULL}'),
    ('numrange', '[1.0,2)'), ('numrange', '[1,2.00)'), ('numrange', 'empty'), ('numrange', '(1,2]'),
    ('tstzrange', '[2024-01-01,2024-01-02)'), ('tstzrange', '[2024-01-01 00:00+00,2024-01-02 00:00+00)');
SELECT 'float8' AS family, count(DISTINCT v::float8), hll_count_distinct(v::float8)
FROM family_values WHERE family = 'float8'
UNION ALL
SELECT 'numeric', count(DISTINCT v::numeric), hll_count_distinct(v::numeric)
FROM family_values WHERE family = 'numeric'
UNION ALL
SELECT 'interval', count(DISTINCT v::interval), hll_count_distinct(v::interval)
FROM family_values WHERE family = 'interval'
UNION ALL
SELECT 'bpchar', count(DISTINCT v::char(3)), hll_count_distinct(v::char(3))
FROM family_values WHERE family = 'bpchar'
UNION ALL
SELECT 'jsonb', count(DISTINCT v::jsonb), hll_count_distinct(v::jsonb)
FROM family_values WHERE family = 'jsonb'
UNION ALL
SELECT 'numeric[]', count(DISTINCT v::numeric[]), hll_count_distinct(v::numeric[])
FROM family_values WHERE family = 'numeric[]'
UNION ALL
SELECT 'numrange', count(DISTINCT v::numrange), hll_count_distinct(v::numrange)
FROM family_values WHERE family = 'numrange'
UNION ALL
SELECT 'tstzrange', count(DISTINCT v::tstzrange), hll_count_distinct(v::tstzrange)
FROM family_values WHERE family = 'tstzrange'
UNION ALL
SELECT 'record', count(DISTINCT ROW(v::numeric, v::numeric * 2)), hll_count_distinct(ROW(v::numeric, v::numeric * 2))
FROM family_values WHERE family = 'numeric'
UNION ALL
SELECT 'event_key', count(DISTINCT k), hll_count_distinct(k)
FROM (SELECT k FROM keyed UNION ALL SELECT ROW(1, repeat('compressible ', 2000), 2.5)::event_key) s;
SELECT hll_sketch(v::numeric)::text = hll_add_agg(hll_hash_any(v::numeric))::text AS sketch_is_hash_any
FROM family_values WHERE family = 'numeric';

-- The murmur3 family keeps postgresql-hll's bytes: -0.0 and 0.0 differ there.
SELECT hll_murmur3_hash_any(-0.0::float8) <> hll_murmur3_hash_any(0.0::float8) AS murmur3_unchanged;

-- Every column of every system catalog whose type count(DISTINCT) can compare, with
-- the catalog's own rows: hll_count_distinct in explicit mode (exact up to 8,192
-- values) counts what count(DISTINCT) counts. The internal one-byte type "char" is
-- passed as text: hll_count_distinct("char") is ambiguous between the text overload
-- and anyelement (README).
CREATE FUNCTION catalog_distinct_check() RETURNS TABLE (columns int, types int, mismatches text[])
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    exact bigint;
    counted bigint;
    types oid[] := '{}';
    bad text[] := '{}';
BEGIN
    columns := 0;
    FOR r IN SELECT c.oid::regclass AS tab, a.attname, a.atttypid,
                    CASE a.atttypid WHEN '"char"'::regtype THEN '::text' ELSE '' END AS cast_to
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY 1, a.attnum
    LOOP
        BEGIN
            EXECUTE format('SELECT count(DISTINCT %1$I), hll_count_distinct(%1$I%3$s, 14, 5, 8192::bigint, 1) FROM %2$s',
                           r.attname, r.tab, r.cast_to)
                INTO exact, counted;
        EXCEPTION WHEN undefined_function OR ambiguous_function THEN
            CONTINUE;  -- no ordering (aclitem[], xid, pg_node_tree...)
        END;
        CONTINUE WHEN exact > 8192;
        columns := columns + 1;
        IF NOT r.atttypid = ANY (types) THEN
            types := types || r.atttypid;
        END IF;
        IF exact <> counted THEN
            bad := bad || format('%s.%s (%s): %s <> %s', r.tab, r.attname, r.atttypid::regtype, exact, counted);
        END IF;
    END LOOP;
    catalog_distinct_check.types := cardinality(types);
    mismatches := bad;
    RETURN NEXT;
END $$;
SELECT columns > 400 AS many_columns, types >= 18 AS many_types, mismatches FROM catalog_distinct_check();
