-- hyperloglog 0.1.0 -> 0.2.0: postgresql-hll's hash family under distinct names, a btree
-- and a hash operator class, and = usable for hash and merge joins. Reviewed against
-- a fresh 0.2.0 install by tests/upgrade/run.sh (same objects, same definitions).
\echo Use "ALTER EXTENSION hyperloglog UPDATE TO '0.2.0'" to load this file. \quit

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

-- A btree and a hash operator class for hll (src/ordering.rs): by canonical bytes.
CREATE FUNCTION hll_cmp(hll, hll) RETURNS integer
    AS 'MODULE_PATHNAME', 'hll_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_lt(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_le(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_gt(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_ge(hll, hll) RETURNS boolean
    AS 'MODULE_PATHNAME', 'hll_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_value(hll) RETURNS integer
    AS 'MODULE_PATHNAME', 'hll_hash_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hll_hash_value_extended(hll, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hll_hash_value_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR < (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_lt, COMMUTATOR = >,
    NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_le, COMMUTATOR = >=,
    NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_gt, COMMUTATOR = <,
    NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = hll, RIGHTARG = hll, PROCEDURE = hll_ge, COMMUTATOR = <=,
    NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR CLASS hll_ops DEFAULT FOR TYPE hll USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 hll_cmp(hll, hll);
CREATE OPERATOR CLASS hll_hash_ops DEFAULT FOR TYPE hll USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 hll_hash_value(hll),
    FUNCTION 2 hll_hash_value_extended(hll, bigint);

-- = was declared without HASHES and MERGES in 0.1.0; ALTER OPERATOR sets them only
-- from PostgreSQL 17, so the flags are set in the catalog.
UPDATE pg_catalog.pg_operator SET oprcanhash = true, oprcanmerge = true
 WHERE oid = '=(hll,hll)'::pg_catalog.regoperator;
