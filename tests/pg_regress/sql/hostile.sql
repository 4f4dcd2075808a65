-- Hostile calls: every function of the extension called with NULL in each argument
-- position and with extreme values in each integer position; no call may raise an
-- internal error (SQLSTATE class XX) or end the session. The calls that fail are
-- grouped by SQLSTATE, so the expected output pins the error classes users can meet.
CREATE TEMP TABLE calls (call text, outcome text);
CREATE FUNCTION sample_value(t regtype) RETURNS text LANGUAGE sql AS $$
    SELECT CASE t
        WHEN 'hll'::regtype THEN $q$hll_add_agg_sample()$q$
        WHEN 'ull'::regtype THEN $q$ull_add_agg_sample()$q$
        WHEN 'hll_hashval'::regtype THEN '7::hll_hashval'
        WHEN 'integer'::regtype THEN '11'
        WHEN 'bigint'::regtype THEN '-1::bigint'
        WHEN 'smallint'::regtype THEN '1::smallint'
        WHEN 'boolean'::regtype THEN 'true'
        WHEN 'text'::regtype THEN $q$'a'::text$q$
        WHEN 'bytea'::regtype THEN $q$'\x128b7f'::bytea$q$
        WHEN 'double precision'::regtype THEN '0.95::float8'
        WHEN 'anyelement'::regtype THEN '42'
        ELSE NULL END
$$;
-- The value given in a hostile position: NULL of the argument's type (an integer for
-- a polymorphic argument), or an extreme of an integer type.
CREATE FUNCTION hostile_values(t regtype) RETURNS text[] LANGUAGE sql AS $$
    SELECT CASE t
        WHEN 'smallint'::regtype THEN ARRAY['NULL', '-1', '0', '32767', '-32768']
        WHEN 'integer'::regtype THEN ARRAY['NULL', '-1', '0', '2147483647', '-2147483648', '99999']
        WHEN 'bigint'::regtype THEN
            ARRAY['NULL', '-1', '0', '9223372036854775807', '-9223372036854775808', '99999']
        ELSE ARRAY['NULL'] END
$$;
CREATE FUNCTION hll_add_agg_sample() RETURNS hll LANGUAGE sql AS
$$ SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 300) i $$;
CREATE FUNCTION ull_add_agg_sample() RETURNS ull LANGUAGE sql AS
$$ SELECT ull_add_agg(hll_hash_integer(i)) FROM generate_series(1, 3000) i $$;
DO $$
DECLARE
    f record;
    types regtype[];
    args text[];
    bad text;
    call text;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname, ARRAY(SELECT unnest(p.proargtypes::regtype[])) AS types
        FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
        WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
          AND p.prokind = 'f'
          -- type I/O and support functions take cstring, internal or a state
          AND NOT p.proargtypes::regtype[] && ARRAY['cstring', 'internal']::regtype[]
          AND p.prorettype <> 'internal'::regtype
          AND p.proname NOT LIKE 'hll\_%state%' AND p.proname NOT LIKE 'ull\_%state%'
        ORDER BY p.proname, p.oid
    LOOP
        types := f.types;
        CONTINUE WHEN EXISTS (SELECT FROM unnest(types) t WHERE sample_value(t) IS NULL);
        FOR position IN 1..coalesce(array_length(types, 1), 0) LOOP
            FOREACH bad IN ARRAY hostile_values(types[position]) LOOP
                SELECT array_agg(CASE WHEN i <> position THEN sample_value(t)
                                      WHEN t = 'anyelement'::regtype THEN bad || '::integer'
                                      ELSE '(' || bad || ')::' || t::text END
                                 ORDER BY i)
                INTO args
                FROM unnest(types) WITH ORDINALITY AS a(t, i);
                call := format('SELECT %s(%s)', f.proname, array_to_string(args, ', '));
                INSERT INTO calls VALUES (call, sqlstate_of(call));
            END LOOP;
        END LOOP;
    END LOOP;
END
$$;
SELECT count(*) > 150 AS enough_calls FROM calls;
SELECT call, outcome FROM calls WHERE outcome LIKE 'XX%' ORDER BY call;
-- Which functions refuse what, by SQLSTATE (the messages are in the files of each area).
SELECT split_part(call, '(', 1) AS call, split_part(outcome, ':', 1) AS sqlstate, count(*)
FROM calls WHERE outcome <> 'no error' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS calls_without_error FROM calls WHERE outcome = 'no error';
-- Typmods out of any range, through the type's own functions.
SELECT sqlstate_of($$SELECT format_type('hll'::regtype, 12345)$$);
SELECT sqlstate_of($$SELECT format_type('hll'::regtype, -2147483648)$$);
SELECT sqlstate_of($$SELECT '\x128b7f'::hll(99999)$$);
SELECT sqlstate_of($$SELECT hll_in('\x128b7f', 'hll'::regtype, 99999)$$);
SELECT sqlstate_of($$SELECT hll_typmod_out(-2147483648)$$);
SELECT sqlstate_of($$SELECT hll_typmod_out(2147483647)$$);
SELECT sqlstate_of($$SELECT hll_typmod_in(ARRAY['99999999999999999999']::cstring[])$$);
-- The support functions outside an aggregate.
SELECT sqlstate_of($$SELECT hll_add_state(NULL, 1::hll_hashval)$$);
SELECT sqlstate_of($$SELECT hll_state_combine(hll_empty(), hll_empty())$$);
SELECT sqlstate_of($$SELECT hll_union_state(NULL, hll_empty())$$);
-- A C function declared in SQL with fewer arguments than its symbol reads (only a
-- superuser can declare one): an ERROR, not a read past the call's arguments.
CREATE FUNCTION short_hash(bigint) RETURNS bigint STRICT LANGUAGE C
    AS 'hyperloglog', 'hll_hash_bigint';
SELECT sqlstate_of($$SELECT short_hash(1)$$);
SELECT sqlstate_of($$SELECT short_hash(NULL) IS NULL$$) AS strict_null_is_not_called;
DROP FUNCTION short_hash(bigint);
-- Huge text: a 20 MB text form with a bad digit at its end is refused before anything
-- is allocated for it; an 8 MB explicit body is refused, holding more values than any
-- explicit threshold allows; 50 MB of text hashes.
SELECT sqlstate_of($$SELECT ('\x128b7f' || repeat('00', 10000000) || 'zz')::hll$$);
SELECT sqlstate_of($$SELECT ('\x128b7f' || repeat('0000000000000001', 1000000))::hll$$);
SELECT hll_hash_text(repeat('x', 50000000)) = hll_hash_bytea(convert_to(repeat('x', 50000000), 'UTF8'))
    AS huge_text_hashes;
SELECT 'the session goes on' AS after;
