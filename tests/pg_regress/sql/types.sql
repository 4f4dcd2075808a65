-- The hll type: text I/O, typmod, casts, binary I/O, and every input error.

-- Text form is \x + hex; upper case input is accepted, output is lower case.
SELECT '\x118b7f'::hll;
SELECT sqlstate_of($$SELECT '\X118B7F'::hll$$);
SELECT '\x118B7F'::hll;
SELECT '\x128b7f8895a3f5af28cafeda0ce907e4355b604848de7f7bd2a13b'::hll;

-- Text input errors: 22P02.
SELECT sqlstate_of($$SELECT 'zz'::hll$$);
SELECT sqlstate_of($$SELECT '\x118b7'::hll$$);
SELECT sqlstate_of($$SELECT '\x118b7g'::hll$$);
SELECT sqlstate_of($$SELECT ''::hll$$);
SELECT sqlstate_of($$SELECT '\x'::hll$$);
SELECT sqlstate_of($$SELECT '\x218b7f'::hll$$);
SELECT sqlstate_of($$SELECT '\x158b7f'::hll$$);
SELECT sqlstate_of($$SELECT '\x118b7f00'::hll$$);
SELECT sqlstate_of($$SELECT '\x118bff'::hll$$);
SELECT sqlstate_of($$SELECT '\x118b53'::hll$$);
SELECT sqlstate_of($$SELECT '\x118363'::hll$$);
SELECT sqlstate_of($$SELECT '\x128b7f00000000000000020000000000000001'::hll$$);
SELECT sqlstate_of($$SELECT '\x128b7f0000000000000001000000000000000100'::hll$$);
SELECT sqlstate_of($$SELECT '\x128b7f00000000000000010000000000000001'::hll$$);
SELECT sqlstate_of($$SELECT '\x13ab40016344b4c1'::hll$$);
SELECT sqlstate_of($$SELECT '\x13ab40016344b4c000'::hll$$);
SELECT sqlstate_of($$SELECT '\x13ab40896980b180'::hll$$);
SELECT sqlstate_of($$SELECT '\x148b7f00'::hll$$);

-- Typmod: shown in full, defaults filled from the settings, enforced on assignment.
CREATE TABLE typmods (a hll, b hll(12), c hll(12, 6), d hll(12, 6, 256), e hll(10, 4, 0, 0));
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'typmods'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO typmods (a, b) VALUES (hll_empty(), hll_empty(12));
SELECT sqlstate_of($$INSERT INTO typmods (b) VALUES (hll_empty())$$);
SELECT sqlstate_of($$INSERT INTO typmods (e) VALUES (hll_empty(10, 4, 0, 1))$$);
INSERT INTO typmods (e) VALUES (hll_empty(10, 4, 0, 0));
SELECT sqlstate_of($$SELECT '\x118b7f'::hll(12)$$);
SELECT '\x118c7f'::hll(12);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(3))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(21))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 0))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 9))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 5, 3))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 5, -1, 2))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 5, -1, 1, 7))$$);
SELECT sqlstate_of($$CREATE TABLE bad (h hll(11, 5, 262144))$$);
SET hyperloglog.default_log2m = 14;
CREATE TABLE typmod_defaults (h hll(10), g hll);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'typmod_defaults'::regclass AND attnum > 0 ORDER BY attnum;
RESET hyperloglog.default_log2m;

-- Casts: bytea -> hll validates (22P03), hll -> bytea keeps the bytes.
SELECT '\x118b7f'::bytea::hll;
SELECT hll_empty()::bytea;
SELECT sqlstate_of($$SELECT '\x11'::bytea::hll$$);
SELECT sqlstate_of($$SELECT '\x148b7f0000'::bytea::hll$$);

-- Binary I/O: send gives the bytes; COPY BINARY round-trips and validates.
SELECT hll_send('\x138b400001'::hll);
CREATE TABLE copied (h hll);
INSERT INTO copied SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 5000) i;
INSERT INTO copied SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 20) i;
SELECT current_setting('data_directory') || '/hyperloglog_regress_copy.bin' AS copy_file \gset
COPY copied TO :'copy_file' WITH (FORMAT binary);
CREATE TABLE copied_back (h hll);
COPY copied_back FROM :'copy_file' WITH (FORMAT binary);
SELECT count(*) AS same FROM copied JOIN copied_back USING (h);
SELECT (SELECT array_agg(h::text) FROM copied) = (SELECT array_agg(h::text) FROM copied_back) AS identical;

-- hll_hashval: casts from bigint and integer, = and <>.
SELECT 42::hll_hashval, (-1)::integer::hll_hashval, 9223372036854775807::hll_hashval;
SELECT 42::hll_hashval = 42::bigint::hll_hashval AS eq, 42::hll_hashval <> 43::hll_hashval AS ne;
SELECT hll_hashval(7), hll_hashval(7)::bigint;

-- Random and mutated bytes never crash the server: every value is either accepted
-- (and then usable) or refused with a clean error.
SELECT setseed(0.42);
DO $$
DECLARE
    good bytea[] := ARRAY[
        hll_empty()::bytea,
        (SELECT hll_add_agg(hll_hash_integer(i)) FROM generate_series(1, 50) i)::bytea,
        (SELECT hll_add_agg(hll_hash_integer(i), 8, 6, 0) FROM generate_series(1, 20) i)::bytea,
        (SELECT hll_add_agg(hll_hash_integer(i), 6, 4) FROM generate_series(1, 5000) i)::bytea];
    b bytea;
    accepted int := 0;
    refused int := 0;
    pos int;
BEGIN
    FOR i IN 1..4000 LOOP
        IF i % 2 = 0 THEN
            -- a plausible header (version 1, any type, any parameters) and random body
            b := decode(repeat('00', 3 + (random() * 40)::int), 'hex');
            b := set_byte(b, 0, 16 + (random() * 5)::int);
            FOR j IN 1..length(b) - 1 LOOP
                b := set_byte(b, j, (random() * 255)::int);
            END LOOP;
            b := set_byte(b, 2, get_byte(b, 2) & 127);
        ELSE
            -- one valid value with a flipped byte or a truncation
            b := good[1 + (i / 2) % 4];
            pos := (random() * (length(b) - 1))::int;
            IF random() < 0.5 THEN
                b := set_byte(b, pos, (get_byte(b, pos) # (1 + (random() * 254)::int)));
            ELSE
                b := substring(b FROM 1 FOR pos);
            END IF;
        END IF;
        BEGIN
            PERFORM hll_cardinality(b::hll), hll_print(b::hll), hll_union(b::hll, b::hll);
            accepted := accepted + 1;
        EXCEPTION WHEN invalid_binary_representation OR invalid_parameter_value THEN
            refused := refused + 1;
        END;
    END LOOP;
    RAISE NOTICE 'random inputs: % handled (% accepted, % refused)', accepted + refused,
        CASE WHEN accepted > 0 THEN 'some' ELSE 'none' END, CASE WHEN refused > 0 THEN 'some' ELSE 'none' END;
END $$;
