#!/usr/bin/env bash
# Every supported PostgreSQL major, from the Debian packages (tests/pg_versions.sh pins
# the servers): builds the packages (packaging/build-deb.sh), installs the one for 15
# with apt into the system server and unpacks the others into their trees, then on each
# major runs the SQL regression suite (tests/pg_regress, with its parallel-equals-serial
# checks), the recorded bytes (tests/matrix/sql/bytes.sql, the same expected output on
# every major), the compatible hll extension's regression file (14, 16-18; 15 has
# tests/compat) and the psycopg client; then restores a dump made on 14 into every
# later major, byte for byte, and runs tests/matrix/pg_upgrade.sh.
# Usage: tests/matrix/run.sh [MAJOR...]   (prints "matrix: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh
source tests/pg_versions.sh

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=("${SUPPORTED_MAJORS[@]}")
work=$root/target/matrix
rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
seconds() { echo $(($(date +%s) - $1)); }

start=$(date +%s)
bash packaging/build-deb.sh "${majors[@]}"
echo "packages built in $(seconds "$start") s"

declare -A bin host port
stop_all() { for m in "${!bin[@]}"; do PG_BIN=${bin[$m]} cluster_stop "$work/pg$m"; done; }
trap stop_all EXIT
regress_tests=(setup types hashing canonical functions aggregates statistics migration quickstart count_distinct ull windows)
for major in "${majors[@]}"; do
    started=$(date +%s)
    echo "== PostgreSQL $major"
    if [ "$major" = 15 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades \
            "./target/deb/postgresql-15-hyperloglog_${version}_amd64.deb" >/dev/null
        bin[$major]=/usr/lib/postgresql/15/bin
        ok "15: apt-get install ./postgresql-15-hyperloglog_${version}_amd64.deb"
    else
        pg_config=$(pg_tree "$major")
        for package in hyperloglog hyperloglog-hll; do
            unpacked=$work/unpacked-$major-$package
            dpkg-deb -x "target/deb/postgresql-$major-${package}_${version}_amd64.deb" "$unpacked"
            cp -a "$unpacked/usr/lib/postgresql/$major/lib/." "$("$pg_config" --pkglibdir)/"
            cp -a "$unpacked/usr/share/postgresql/$major/extension/." \
                "$("$pg_config" --sharedir)/extension/"
        done
        bin[$major]=$(dirname "$pg_config")
        ok "$major: both packages unpacked into the PostgreSQL $major tree"
    fi
    PG_BIN=${bin[$major]} PGPORT_WANTED=$((56500 + major)) cluster_start "$work/pg$major"
    host[$major]=$PGHOST
    port[$major]=$PGPORT
    server=$(psql -X -At -d postgres -c "SHOW server_version")
    regress() { # regress DB INPUTDIR TEST...
        local db=$1 inputdir=$2
        shift 2
        psql -X -q -d postgres -c "CREATE DATABASE $db"
        mkdir -p "$work/pg$major-$db" && chown postgres "$work/pg$major-$db"
        "${bin[$major]}/../lib/pgxs/src/test/regress/pg_regress" --use-existing \
            --bindir="${bin[$major]}" --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname="$db" \
            --inputdir="$inputdir" --outputdir="$work/pg$major-$db" "$@" \
            >"$work/pg$major-$db.log" 2>&1
    }
    if regress regress tests/pg_regress "${regress_tests[@]}"; then
        ok "$major ($server): SQL regression suite, ${#regress_tests[@]} files"
    else
        bad "$major ($server): SQL regression suite"; head -60 "$work/pg$major-regress/regression.diffs"
    fi
    if regress bytes tests/matrix bytes; then
        ok "$major: the recorded bytes"
    else
        bad "$major: bytes differ"; head -40 "$work/pg$major-bytes/regression.diffs"
    fi
    if [ "$major" != 15 ]; then
        if regress differences tests/compat differences; then
            ok "$major: the compatible hll extension's regression file"
        else
            bad "$major: hll extension"; head -40 "$work/pg$major-differences/regression.diffs"
        fi
    fi
    if [ "$major" != 15 ]; then
        # postgresql-hll is packaged for 15 only: its output recorded there is the reference.
        for db in same hashes; do
            psql -X -q -d postgres -c "CREATE DATABASE $db"
            psql -X -q -d $db -c "CREATE EXTENSION hll"
        done
        psql -X -a -d same -f tests/compat/same.sql >"$work/pg$major-same.out" 2>&1
        if cmp -s "$work/pg$major-same.out" tests/compat/expected/same.peer.out; then
            ok "$major: hll extension: the $(grep -c ';$' tests/compat/same.sql) statements give postgresql-hll's recorded output"
        else
            bad "$major: hll extension differs from postgresql-hll's recorded output"
            diff tests/compat/expected/same.peer.out "$work/pg$major-same.out" | head -20
        fi
        digest=$(psql -X -q -d hashes -f tests/compat/hashes.sql | md5sum | cut -d' ' -f1)
        if [ "$digest" = "$(cat tests/compat/expected/hashes.peer.md5)" ]; then
            ok "$major: hll extension: 50,000 x 23 hashes give postgresql-hll's recorded digest"
        else
            bad "$major: hll extension hashes differ from postgresql-hll's recorded digest"
        fi
    fi
    if [ "$major" = 18 ]; then
        # The rest of the full suite on the newest major (15 runs it in tests/run.sh);
        # pg_cron is not in the tree, so the scheduled-rollups example is left to 15.
        examples=(setup clickstream compare 01_daily_uniques 02_rolling_windows 03_segments
            04_funnel 05_campaigns 06_realtime_ingest 07_accuracy_monitoring 09_bi_count_distinct)
        if regress examples tests/examples "${examples[@]}"; then
            ok "$major: ${#examples[@]} analytics examples"
        else
            bad "$major: examples"; head -40 "$work/pg$major-examples/regression.diffs"
        fi
        if bash tests/concurrent_ingest.sh examples >"$work/pg$major-ingest.log" 2>&1; then
            ok "$major: $(tail -1 "$work/pg$major-ingest.log")"
        else
            bad "$major: concurrent ingest"; tail -10 "$work/pg$major-ingest.log"
        fi
        if PG_BIN=${bin[$major]} bash tests/scale_out/run.sh >"$work/pg$major-scale_out.log" 2>&1; then
            ok "$major: $(tail -1 "$work/pg$major-scale_out.log")"
        else
            bad "$major: scale-out"; tail -20 "$work/pg$major-scale_out.log"
        fi
    fi
    if PG_BIN=${bin[$major]} CLIENT_PORT=$((56600 + major)) bash tests/client/run.sh \
        >"$work/pg$major-client.log" 2>&1; then
        ok "$major: client ($(tail -1 "$work/pg$major-client.log"))"
    else
        bad "$major: client"; tail -20 "$work/pg$major-client.log"
    fi
    echo "   PostgreSQL $major took $(seconds "$started") s"
done

if [ "${majors[0]}" = 14 ] && [ ${#majors[@]} -gt 1 ]; then
    echo "== a dump made on 14 restores on every later major"
    on() { local m=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h "${host[$m]}" -p "${port[$m]}" "$@"; }
    on 14 -d postgres -c "CREATE DATABASE dumped"
    on 14 -d dumped -c "CREATE EXTENSION hyperloglog" -c "
        CREATE TABLE daily (day int PRIMARY KEY, users hll(12), last hll_hashval);
        INSERT INTO daily SELECT d, hll_add_agg(hll_hash_bigint(x), 12),
                                 hll_hash_bigint(max(x))
        FROM generate_series(1, 30) AS d, generate_series(1, d * d * 20) AS x GROUP BY d;
        CREATE MATERIALIZED VIEW total AS SELECT hll_union_agg(users) AS users FROM daily;"
    "${bin[14]}/pg_dump" -h "${host[14]}" -p "${port[14]}" -d dumped -f "$work/dump14.sql"
    expected=$(on 14 -d dumped -c "COPY (SELECT * FROM daily ORDER BY day) TO STDOUT" -c "COPY (SELECT * FROM total) TO STDOUT" | md5sum)
    for major in "${majors[@]:1}"; do
        on "$major" -d postgres -c "CREATE DATABASE restored"
        on "$major" -d restored -f "$work/dump14.sql" >/dev/null
        got=$(on "$major" -d restored -c "COPY (SELECT * FROM daily ORDER BY day) TO STDOUT" -c "COPY (SELECT * FROM total) TO STDOUT" | md5sum)
        if [ "$got" = "$expected" ]; then ok "dump of 14 restored on $major: byte-identical"; else bad "dump of 14 on $major differs"; fi
    done
fi
stop_all
trap - EXIT

if [[ " ${majors[*]} " == *" 15 "* && " ${majors[*]} " == *" 17 "* && " ${majors[*]} " == *" 18 "* ]]; then
    bash tests/matrix/pg_upgrade.sh | tee "$work/pg_upgrade.log"
    passed=$((passed + $(tail -1 "$work/pg_upgrade.log" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)))
    failed=$((failed + $(tail -1 "$work/pg_upgrade.log" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 1)))
fi
echo "matrix: $passed passed, $failed failed"
[ "$failed" = 0 ]
