-- Hash functions (raw C functions in src/hashing.rs). The seed defaults to 0; text
-- and bytea share one function because both hash their data bytes.
CREATE FUNCTION hll_hash_boolean(boolean, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_boolean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_smallint(smallint, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_smallint' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_integer(integer, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_integer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_bigint(bigint, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_bigint' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_bytea(bytea, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_text(text, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_any(anyelement, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_any' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- postgresql-hll's hash family (MurmurHash3 x64-128, src/hashing.rs), to continue
-- sketches it made: never mix the two families in one sketch (README).
CREATE FUNCTION hll_murmur3_hash_boolean(boolean, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_1byte' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_smallint(smallint, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_2byte' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_integer(integer, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_4byte' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_bigint(bigint, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_8byte' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_bytea(bytea, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_varlena' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_text(text, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_hash_varlena' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_murmur3_hash_any(anyelement, seed integer DEFAULT 0) RETURNS hll_hashval
    AS 'MODULE_PATHNAME', 'hll_murmur3_hash_any' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
