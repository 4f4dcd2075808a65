#!/usr/bin/env bash
# Versioned upgrades: the previous release's install script (kept in sql/releases/) is
# installed, tables, a view, a materialized view and an expression index are filled,
# then ALTER EXTENSION hyperloglog UPDATE runs the upgrade scripts of sql/. Checks that
# every stored value and view is unchanged, the new functions work, the updated catalog
# equals a fresh install's (tests/upgrade/catalog.sql: members and definitions), and a
# pg_dump / pg_restore round trip is byte-identical. Uses the installed extension.
# Usage: tests/upgrade/run.sh   (prints "upgrade: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

work=$root/target/upgrade
rm -rf "$work" && mkdir -p "$work"
extension_dir=$("$PG_BIN/pg_config" --sharedir)/extension
install -m 644 sql/releases/hyperloglog--*.sql "$extension_dir/"
trap 'cluster_stop "$work/cluster"' EXIT
PGPORT_WANTED=56980 cluster_start "$work/cluster"
passed=0
failed=0
expect() { if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok    $1";
           else failed=$((failed + 1)); echo "  FAIL  $1: got '$2', want '$3'"; fi; }
sql() { local db=$1; shift; PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

for release in sql/releases/hyperloglog--*.sql; do
    from=$(basename "$release" .sql)
    from=${from#hyperloglog--}
    echo "== from $from"
    sql postgres -c "DROP DATABASE IF EXISTS upgraded" -c "DROP DATABASE IF EXISTS fresh" \
        -c "CREATE DATABASE upgraded" -c "CREATE DATABASE fresh"
    sql upgraded -c "CREATE EXTENSION hyperloglog VERSION '$from'" -c "
        CREATE TABLE sketches (id int PRIMARY KEY, h hll, typed hll(12, 5, -1, 1), v hll_hashval);
        INSERT INTO sketches
        SELECT n, coalesce(hll_add_agg(hll_hash_bigint(x)), hll_empty()),
               coalesce(hll_add_agg(hll_hash_bigint(x), 12, 5, -1, 1), hll_empty(12, 5, -1, 1)),
               hll_hash_bigint(n)
        FROM generate_series(0, 12) AS n LEFT JOIN LATERAL generate_series(1, (3 ^ n)::int) AS x ON true
        GROUP BY n;
        INSERT INTO sketches VALUES (100, '\x108b7f', '\x118c7f', hll_hash_bigint(0));
        CREATE INDEX ON sketches (hll_cardinality(h));
        CREATE VIEW estimates AS SELECT id, hll_cardinality(h) AS n, hll_type(h) AS kind FROM sketches;
        CREATE MATERIALIZED VIEW total AS SELECT hll_union_agg(h) AS h FROM sketches WHERE id < 100;
        CREATE VIEW aggregated AS
            SELECT id % 3 AS g, hll_add_agg(v) AS a, hll_add_agg(v, 10, 4, 0, 0) AS b,
                   hll_sketch(id) AS c, hll_count_distinct(id, 11) AS d, hll_union_agg(h) AS e
            FROM sketches GROUP BY 1;"
    snapshot() {
        sql upgraded -c "COPY (SELECT * FROM sketches ORDER BY id) TO STDOUT" \
            -c "COPY (SELECT * FROM estimates ORDER BY id) TO STDOUT" -c "COPY (SELECT * FROM total) TO STDOUT" \
            -c "COPY (SELECT * FROM aggregated ORDER BY g) TO STDOUT"
    }
    snapshot >"$work/before"
    sql upgraded -c "ALTER EXTENSION hyperloglog UPDATE"
    to=$(sql upgraded -c "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")
    expect "ALTER EXTENSION hyperloglog UPDATE: $from -> $to" "$to" \
        "$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$extension_dir/hyperloglog.control")"
    snapshot >"$work/after"
    expect "every stored value, the views (one over every aggregate) and the materialized view unchanged ($(wc -l <"$work/before") rows)" \
        "$(cmp -s "$work/before" "$work/after" && echo same)" same
    works=$(sql upgraded -c "SET enable_seqscan = off" -c "
        SELECT hll_murmur3_hash_integer(1) = (-8604791237420463362)::hll_hashval
           AND (SELECT count(DISTINCT h) FROM sketches) = 14
           AND (SELECT count(*) FROM sketches AS a JOIN sketches AS b USING (h)) = 14
           AND (SELECT count(*) FROM sketches WHERE hll_cardinality(h) > 1000) = 6
           AND (SELECT ull_count_distinct(id) FROM sketches) = 14
           AND (SELECT ull_to_hll(ull_add_agg(v), 12, 5, -1, 1) FROM sketches)
               = (SELECT hll_add_agg(v, 12, 5, -1, 1) FROM sketches)" \
        -c "REFRESH MATERIALIZED VIEW total")
    expect "new functions, ordering, hash joins, the index and a refresh work after the update" "$works" t
    sql fresh -c "CREATE EXTENSION hyperloglog"
    sql upgraded -f tests/upgrade/catalog.sql >"$work/catalog.upgraded"
    sql fresh -f tests/upgrade/catalog.sql >"$work/catalog.fresh"
    expect "the updated catalog equals a fresh install ($(wc -l <"$work/catalog.fresh") lines: members and definitions)" \
        "$(cmp -s "$work/catalog.upgraded" "$work/catalog.fresh" && echo same)" same
    diff "$work/catalog.upgraded" "$work/catalog.fresh" | head -20 || true
    "$PG_BIN/pg_dump" -Fc -d upgraded -f "$work/upgraded.dump"
    sql postgres -c "DROP DATABASE IF EXISTS restored" -c "CREATE DATABASE restored"
    "$PG_BIN/pg_restore" --exit-on-error -d restored "$work/upgraded.dump"
    a=$(sql upgraded -c "COPY (SELECT * FROM sketches ORDER BY id) TO STDOUT" | md5sum)
    b=$(sql restored -c "COPY (SELECT * FROM sketches ORDER BY id) TO STDOUT" | md5sum)
    expect "pg_dump / pg_restore of the updated database: byte-identical" "$b" "$a"
done

echo "== trusted: a database owner without superuser installs it"
sql postgres -c "DROP DATABASE IF EXISTS owned" -c "DROP ROLE IF EXISTS app_owner" \
    -c "DROP ROLE IF EXISTS app_user" -c "CREATE ROLE app_owner LOGIN" -c "CREATE ROLE app_user LOGIN" \
    -c "CREATE DATABASE owned OWNER app_owner" -c "REVOKE CREATE ON DATABASE owned FROM PUBLIC"
as_role() { local role=$1; shift; PGUSER=$role sql owned "$@"; }
# Objects planted where the install script resolves names: built-ins are found in
# pg_catalog first, and the script's own objects by their full signatures.
as_role app_owner -c "CREATE FUNCTION public.to_regprocedure(text) RETURNS regprocedure
                          LANGUAGE sql AS 'SELECT NULL::regprocedure'" \
    -c "CREATE FUNCTION public.format(text, text) RETURNS text
            LANGUAGE sql AS 'SELECT NULL::text'"
refused=$(PGUSER=app_user psql -X -q -At -d owned -c "CREATE EXTENSION hyperloglog" 2>&1 || true)
expect "a role without CREATE on the database cannot install it" \
    "$(grep -c 'permission denied' <<<"$refused")" 1
installed=$(as_role app_owner -c "SELECT rolsuper FROM pg_roles WHERE rolname = current_user" \
    -c "CREATE EXTENSION hyperloglog" \
    -c "SELECT hll_cardinality(hll_add_agg(hll_hash_integer(i))) FROM generate_series(1, 100) i" | tr '\n' ' ')
expect "the database owner (not a superuser) runs CREATE EXTENSION hyperloglog and uses it" \
    "$installed" "f 100 "
sql owned -c "DROP FUNCTION public.to_regprocedure(text), public.format(text, text)"
sql owned -f tests/upgrade/catalog.sql >"$work/catalog.owned"
expect "with planted functions in its schema the catalog equals a fresh install's" \
    "$(cmp -s "$work/catalog.owned" "$work/catalog.fresh" && echo same)" same
owners=$(sql owned -c "SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc
    WHERE oid IN (SELECT objid FROM pg_depend WHERE deptype = 'e' AND refobjid =
                  (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog'))")
expect "its functions belong to the bootstrap superuser, none SECURITY DEFINER" \
    "$owners,$(sql owned -c "SELECT count(*) FROM pg_proc WHERE prosecdef AND oid IN (SELECT objid FROM pg_depend
        WHERE deptype = 'e' AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog'))")" \
    "postgres,0"
echo "upgrade: $passed passed, $failed failed"
[ "$failed" = 0 ]
