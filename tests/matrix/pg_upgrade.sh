#!/usr/bin/env bash
# pg_upgrade keeps every sketch: a PostgreSQL 15 cluster (the vanilla tree; Debian's own
# 15 tags columns with an attribute option a vanilla 17 rejects) with both extensions,
# tables of sketches in every representation, views, materialized views and hll_hashval
# columns, upgraded to 17 and to 18 in copy and link mode. Afterwards every value is
# byte-identical, the functions work and ALTER EXTENSION ... UPDATE is a no-op.
# Uses the packages of packaging/build-deb.sh (built when missing).
# Usage: tests/matrix/pg_upgrade.sh   (prints "pg_upgrade: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh
source tests/pg_versions.sh

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
work=$root/target/pg_upgrade
rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
passed=0
failed=0
expect() { if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok    $1";
           else failed=$((failed + 1)); echo "  FAIL  $1: got '$2', want '$3'"; fi; }

# install_into TREE_PG_CONFIG PACKAGE_MAJOR: unpacks both packages of that major.
install_into() {
    local pg_config=$1 major=$2 package unpacked
    for package in hyperloglog hyperloglog-hll; do
        local deb=target/deb/postgresql-$major-${package}_${version}_amd64.deb
        [ -f "$deb" ] || bash packaging/build-deb.sh "$major" >/dev/null
        unpacked=$work/unpacked-$major-$package
        rm -rf "$unpacked"
        dpkg-deb -x "$deb" "$unpacked"
        cp -a "$unpacked/usr/lib/postgresql/$major/lib/." "$("$pg_config" --pkglibdir)/"
        cp -a "$unpacked/usr/share/postgresql/$major/extension/." "$("$pg_config" --sharedir)/extension/"
    done
}
old_bin=$(dirname "$(pg_tree 15)")
install_into "$old_bin/pg_config" 15

echo "== the PostgreSQL 15 cluster to upgrade"
PG_BIN=$old_bin PGPORT_WANTED=56715 cluster_start "$work/old"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE native" -c "CREATE DATABASE legacy"
psql -X -q -v ON_ERROR_STOP=1 -d native -c "CREATE EXTENSION hyperloglog" -c "
    CREATE TABLE sketches (id int PRIMARY KEY, h hll, typed hll(12, 5, -1, 1), v hll_hashval);
    INSERT INTO sketches
    SELECT n, coalesce(hll_add_agg(hll_hash_bigint(x)), hll_empty()),
           coalesce(hll_add_agg(hll_hash_bigint(x), 12, 5, -1, 1), hll_empty(12, 5, -1, 1)),
           hll_hash_bigint(n)
    FROM generate_series(0, 12) AS n LEFT JOIN LATERAL generate_series(1, (3 ^ n)::int) AS x ON true
    GROUP BY n;
    INSERT INTO sketches VALUES (100, '\x108b7f', '\x118c7f', hll_hash_bigint(0));
    CREATE VIEW estimates AS SELECT id, hll_cardinality(h) AS n, hll_type(h) AS kind FROM sketches;
    CREATE MATERIALIZED VIEW total AS SELECT hll_union_agg(h) AS h FROM sketches WHERE id < 100;"
psql -X -q -v ON_ERROR_STOP=1 -d legacy -f tests/compat/legacy.sql
snapshot() { # every value of both databases, and what the views compute
    psql -X -q -v ON_ERROR_STOP=1 -d native -c "COPY (SELECT * FROM sketches ORDER BY id) TO STDOUT" \
        -c "COPY (SELECT * FROM estimates ORDER BY id) TO STDOUT" -c "COPY (SELECT * FROM total) TO STDOUT"
    psql -X -q -v ON_ERROR_STOP=1 -d legacy \
        -c "COPY (SELECT * FROM daily_users ORDER BY day, device) TO STDOUT" \
        -c "COPY (SELECT * FROM sketch_kinds ORDER BY id) TO STDOUT" \
        -c "COPY (SELECT * FROM device_users ORDER BY device) TO STDOUT" \
        -c "COPY (SELECT * FROM weekly_users ORDER BY 1, 2) TO STDOUT"
}
snapshot >"$work/before"
PG_BIN=$old_bin cluster_stop "$work/old"
unset PGHOST PGPORT

for major in 17 18; do
    new_bin=$(dirname "$(pg_tree "$major")")
    install_into "$new_bin/pg_config" "$major"
    for mode in copy link; do
        run=$work/$major-$mode
        mkdir -p "$run" && chown postgres "$run"
        cp -a "$work/old" "$run/old"
        # 18 turns data checksums on by default; the old cluster has none.
        checksums=()
        [ "$major" -lt 18 ] || checksums=(--no-data-checksums)
        runuser -u postgres -- "$new_bin/initdb" -D "$run/new/data" -A trust -U postgres \
            "${checksums[@]}" >/dev/null
        if (cd "$run" && runuser -u postgres -- "$new_bin/pg_upgrade" -b "$old_bin" -B "$new_bin" \
            -d "$run/old/data" -D "$run/new/data" -p 56790 -P 56791 -s "$run" \
            "--$mode" >"$run/pg_upgrade.log" 2>&1); then
            expect "pg_upgrade 15 -> $major --$mode" ok ok
        else
            expect "pg_upgrade 15 -> $major --$mode" "$(tail -5 "$run/pg_upgrade.log")" ok
            continue
        fi
        PG_BIN=$new_bin PGPORT_WANTED=$((56800 + major)) cluster_start "$run/new"
        snapshot >"$run/after"
        expect "15 -> $major --$mode: every value and view byte-identical ($(wc -l <"$work/before") rows)" \
            "$(cmp -s "$work/before" "$run/after" && echo same)" same
        update=$(psql -X -At -d native -c "ALTER EXTENSION hyperloglog UPDATE" 2>&1
                 psql -X -At -d legacy -c "ALTER EXTENSION hll UPDATE" 2>&1)
        expect "15 -> $major --$mode: ALTER EXTENSION ... UPDATE is a no-op" \
            "$(grep -c 'already installed' <<<"$update")" 2
        works=$(psql -X -q -At -d native -c "
            SELECT hll_cardinality(hll_union_agg(h || hll_hash_integer(-1))) > 0
                   AND (SELECT hll_count_distinct(x) FROM generate_series(1, 100) AS x) = 100
            FROM sketches WHERE id < 100" -c "REFRESH MATERIALIZED VIEW total")
        expect "15 -> $major --$mode: functions, aggregates and refresh work" "$works" t
        PG_BIN=$new_bin cluster_stop "$run/new"
        unset PGHOST PGPORT
    done
done
echo "pg_upgrade: $passed passed, $failed failed"
[ "$failed" = 0 ]
