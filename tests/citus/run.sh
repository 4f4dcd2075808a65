#!/usr/bin/env bash
# The compatible `hll` extension on a real Citus cluster (a coordinator and two workers
# on 127.0.0.1, project-owned, under target/citus): Citus finds the extension by its
# name `hll` and postgresql-hll's function names, pushes hll_add_agg / hll_union_agg to
# the workers, and answers count(DISTINCT) approximately with
# citus.count_distinct_error_rate.
#
# Citus comes from a source tarball (no package registry here carries it): $CITUS_TARBALL,
# or ../shared/vendor/citus-VERSION.tar.gz beside the repository. It is built once per
# machine per Citus version and PostgreSQL major into target/citus-build (a stamp for
# each) and installed into a private PostgreSQL tree: for 15 a copy of the system's
# (tests/private_tree.sh), for the other majors a copy of tests/pg_versions.sh's tree,
# target/pgMAJOR-citus. When Citus cannot be built (no tarball, no PostgreSQL tree, a
# failed build) the test prints one line, "citus VERSION on PostgreSQL MAJOR: skipped
# (why)", and counts as skipped, never as passed.
# Usage: tests/citus/run.sh [--citus VERSION] [--pg MAJOR] [--bench]
#        (default: Citus 13.2.2 on PostgreSQL 15; tests/run.sh also runs 14.0.1 on 18)
#        prints "citus VERSION on PostgreSQL MAJOR: N passed, M failed" last; --bench then
#        times every aggregate there: bench/citus.py
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh
source tests/private_tree.sh
source tests/pg_versions.sh

citus_version=13.2.2
major=15
bench=
while [ $# -gt 0 ]; do
    case $1 in
        --citus) citus_version=$2; shift 2 ;;
        --pg) major=$2; shift 2 ;;
        --bench) bench=1; shift ;;
        *) echo "tests/citus/run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
tarball=${CITUS_TARBALL:-$root/../shared/vendor/citus-$citus_version.tar.gz}
label="citus $citus_version on PostgreSQL $major"
skip() { echo "$label: skipped ($*)"; exit 0; }

if [ "$major" = 15 ]; then
    pg_config_private=$(private_tree "$root/target/pg15-private")
    features=()
else
    # A copy of the pinned tree, so that Citus is installed beside, never into, the tree
    # the other tests use; refreshed when the pinned version changes.
    mkdir -p "$root/target"
    tree_config=$(pg_tree "$major" 2>"$root/target/citus-tree-pg$major.log") || true
    [ -x "$tree_config" ] ||
        skip "no PostgreSQL $major tree (tests/pg_versions.sh): $(grep -m1 -i error \
            "$root/target/citus-tree-pg$major.log" | cut -c1-100); log: target/citus-tree-pg$major.log"
    tree=$(dirname "$(dirname "$tree_config")")
    private=$root/target/pg$major-citus
    if [ "$(cat "$private/.stamp" 2>/dev/null)" != "$(basename "$tree")" ]; then
        rm -rf "$private" && mkdir -p "$private"
        cp -a "$tree/." "$private/"
        basename "$tree" >"$private/.stamp"
    fi
    pg_config_private=$private/bin/pg_config
    features=(--features "pg$major")
fi
# A Citus of this version already in the tree (the system server's, so copied into the
# private tree, or installed by an earlier run) is used as it is; otherwise it is built
# from the tarball (once: the stamp) and installed.
control=$("$pg_config_private" --sharedir)/extension/citus.control
if ! grep -qs "^default_version = '${citus_version%.*}-" "$control"; then
    [ -f "$tarball" ] ||
        skip "Citus $citus_version is not installed and there is no source: set CITUS_TARBALL or provide $tarball"
    mkdir -p "$root/target/citus-build"
    build=$root/target/citus-build/citus-$citus_version-pg$major
    if [ ! -f "$build.built" ]; then
        echo "== building Citus $citus_version for PostgreSQL $major (once per machine, about 90 s on 2 cores)"
        started=$SECONDS
        deps=(liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libpam0g-dev libssl-dev)
        dpkg-query -W -f='${Status}\n' "${deps[@]}" 2>/dev/null | grep -c "install ok installed" |
            grep -qx "${#deps[@]}" ||
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
                "${deps[@]}" >/dev/null 2>&1 ||
            skip "the build dependencies (${deps[*]}) could not be installed with apt-get"
        rm -rf "$build" && mkdir -p "$build"
        tar xzf "$tarball" -C "$build" --strip-components=1 || skip "$tarball could not be unpacked"
        (cd "$build" && ./configure --without-libcurl PG_CONFIG="$pg_config_private" &&
            make -j"$(nproc)") >"$build.log" 2>&1 ||
            skip "the build failed: $(grep -m1 -E 'error' "$build.log" | cut -c1-100); log: $build.log"
        touch "$build.built"
        echo "   built in $((SECONDS - started)) s"
    fi
    make -C "$build" install PG_CONFIG="$pg_config_private" >"$build.install.log" 2>&1 ||
        { tail -20 "$build.install.log"; exit 1; }
fi
bash install.sh --pg-config "$pg_config_private" "${features[@]}" \
    >"$root/target/citus-install-pg$major.log" 2>&1 ||
    { tail -20 "$root/target/citus-install-pg$major.log"; exit 1; }
# The earlier releases' install scripts (sql/releases), for the ALTER EXTENSION UPDATE check.
install -m 644 sql/releases/hyperloglog--*.sql "$("$pg_config_private" --sharedir)/extension/"

work=$root/target/citus/$citus_version-pg$major
rm -rf "$work" && mkdir -p "$work"
PG_BIN=$(dirname "$pg_config_private")
nodes=(coordinator worker1 worker2)
declare -A port
trap 'for n in "${nodes[@]}"; do cluster_stop "$work/$n"; done' EXIT
for i in 0 1 2; do
    n=${nodes[$i]}
    PGPORT_WANTED=$((57100 + 100 * (major - 14) + 10 * i)) PG_EXTRA_OPTS="-c listen_addresses=127.0.0.1 \
        -c shared_preload_libraries=citus,hyperloglog -c max_worker_processes=16" \
        cluster_start "$work/$n"
    port[$n]=$PGPORT
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION citus"
done
export PGHOST=127.0.0.1 PGPORT=${port[coordinator]}

passed=0
failed=0
expect() { # expect NAME ACTUAL WANTED
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1)); printf '  ok    %s\n' "$1"
    else
        failed=$((failed + 1)); printf '  FAIL  %s: got %s, want %s\n' "$1" "$2" "$3"
    fi
}
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

sql -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]})" \
    -c "SELECT citus_add_node('127.0.0.1', ${port[worker1]})" \
    -c "SELECT citus_add_node('127.0.0.1', ${port[worker2]})" >/dev/null
sql -c "CREATE EXTENSION hll"
workers=$(sql -c "SELECT string_agg(result, ',') FROM run_command_on_workers(
    \$\$SELECT extversion FROM pg_extension WHERE extname = 'hll'\$\$)")
hll_version=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" sql/hll/hll.control)
expect "CREATE EXTENSION hll ($hll_version) on the coordinator reaches both workers" "$workers" \
    "$hll_version,$hll_version"

echo "== 1,000,000 events distributed by user_id (32 shards), and the same rows locally"
sql -c "CREATE TABLE events (user_id bigint, day date, device text)" \
    -c "SELECT create_distributed_table('events', 'user_id', shard_count := 32)" >/dev/null
sql -c "INSERT INTO events
        SELECT (hashint4(i) & 2147483647) % ((i % 1000) * 300 + 1), date '2024-03-01' + i % 14,
               (ARRAY['desktop', 'mobile', 'tablet'])[1 + i % 3]
        FROM generate_series(1, 1000000) AS i" \
    -c "CREATE TABLE events_local AS SELECT * FROM events"

same() { # same NAME QUERY: the query over events and over events_local gives the same text
    local a b
    a=$(sql -c "${2//TABLE/events}" | md5sum)
    b=$(sql -c "${2//TABLE/events_local}" | md5sum)
    expect "$1" "$a" "$b"
}
same "hll_add_agg by day and device: byte-identical to the local table" \
    "SELECT day, device, hll_add_agg(hll_hash_bigint(user_id)) FROM TABLE GROUP BY 1, 2 ORDER BY 1, 2"
same "hll_add_agg with parameters, by the distribution column" \
    "SELECT user_id % 7, hll_add_agg(hll_hash_bigint(user_id), 14, 5, 0, 1) FROM TABLE
     WHERE user_id < 50000 GROUP BY user_id % 7 ORDER BY 1"
same "hll_union_agg of daily sketches" \
    "SELECT device, hll_union_agg(s) FROM (SELECT day, device, hll_add_agg(hll_hash_bigint(user_id)) AS s
     FROM TABLE GROUP BY 1, 2) AS d GROUP BY device ORDER BY 1"
plan=$(sql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT day, hll_add_agg(hll_hash_bigint(user_id)) FROM events GROUP BY day")
expect "the workers compute hll_add_agg (EXPLAIN VERBOSE)" \
    "$(grep -c 'hll_add_agg(public.hll_hash_bigint' <<<"$plan" | awk '{print ($1 > 0)}')" 1

echo "== count(DISTINCT) through citus.count_distinct_error_rate"
exact=$(sql -c "SELECT count(DISTINCT user_id) FROM events_local")
approx=$(sql -c "SET citus.count_distinct_error_rate = 0.005" -c "SELECT count(DISTINCT user_id) FROM events")
plan=$(sql -c "SET citus.count_distinct_error_rate = 0.005" \
    -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT count(DISTINCT user_id) FROM events")
echo "$plan" >"$work/count_distinct.plan"
log2m=$(grep -o 'Query: SELECT public.hll_add_agg(public.hll_hash_bigint(user_id), [0-9]*)' <<<"$plan" |
    head -1 | grep -o '[0-9]*)$' | tr -d ')')
expect "count(DISTINCT): the workers run hll_add_agg(hll_hash_bigint(user_id), ${log2m:-?})" \
    "$([ -n "$log2m" ] && echo yes)" yes
expect "count(DISTINCT): the coordinator runs hll_cardinality(hll_union_agg(...))" \
    "$(grep -c 'hll_cardinality(hll_union_agg(remote_scan' <<<"$plan" | awk '{print ($1 > 0)}')" 1
# 0.005 is the requested relative standard error: within 3 of them.
expect "count(DISTINCT user_id) = $approx within 1.5% of the exact $exact" \
    "$(awk -v a="$approx" -v e="$exact" 'BEGIN { d = (a - e) / e; print (d < 0.015 && d > -0.015) }')" 1
bad=$(sql -c "SET citus.count_distinct_error_rate = 0.005" -c "
    SELECT count(*) FROM (SELECT day, count(DISTINCT user_id) AS n FROM events GROUP BY day) AS a
    JOIN (SELECT day, count(DISTINCT user_id) AS n FROM events_local GROUP BY day) AS e USING (day)
    WHERE abs(a.n - e.n) > 0.015 * e.n")
expect "count(DISTINCT) per day within 1.5% on all 14 days" "$bad" 0
off=$(sql -c "SELECT count(DISTINCT user_id) FROM events")
expect "with the setting off the count is exact" "$off" "$exact"

echo "== the native hyperloglog extension (database analytics on every node)"
for n in "${nodes[@]}"; do
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
        -p "${port[$n]}" -d postgres -c "CREATE DATABASE analytics"
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port[$n]}" -d analytics -c "CREATE EXTENSION citus"
done
adb() { psql -X -q -At -v ON_ERROR_STOP=1 -d analytics "$@"; }
on_workers() { adb -c "SELECT string_agg(result, ',' ORDER BY nodeport) FROM run_command_on_workers(\$\$$1\$\$)"; }
adb -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]})" \
    -c "SELECT citus_add_node('127.0.0.1', ${port[worker1]})" >/dev/null
previous=$(ls sql/releases | sed -n 's/^hyperloglog--\(.*\)\.sql$/\1/p' | sort -V | tail -1)
adb -c "CREATE EXTENSION hyperloglog VERSION '$previous'"
expect "CREATE EXTENSION hyperloglog VERSION '$previous' on the coordinator reaches the worker" \
    "$(on_workers "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")" "$previous"
adb -c "ALTER EXTENSION hyperloglog UPDATE"
current=$(adb -c "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")
expect "ALTER EXTENSION hyperloglog UPDATE ($previous -> $current) reaches the worker" \
    "$(on_workers "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")" "$current"
adb -c "SELECT citus_add_node('127.0.0.1', ${port[worker2]})" >/dev/null
expect "a worker added after CREATE EXTENSION gets it (citus_add_node)" \
    "$(on_workers "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")" "$current,$current"

adb -c "CREATE TABLE events (user_id bigint, day date, device text)" \
    -c "SELECT create_distributed_table('events', 'user_id', shard_count := 32)" >/dev/null
adb -c "INSERT INTO events
        SELECT (hashint4(i) & 2147483647) % ((i % 1000) * 300 + 1), date '2024-03-01' + i % 14,
               (ARRAY['desktop', 'mobile', 'tablet'])[1 + i % 3]
        FROM generate_series(1, 1000000) AS i" \
    -c "CREATE TABLE events_local AS SELECT * FROM events"

# native NAME AGGREGATE QUERY [SETTINGS]: over events and events_local the same text
# (in a session with SETTINGS), and the worker queries of EXPLAIN VERBOSE call
# AGGREGATE (or Citus's partial aggregate).
native() {
    local a b plan settings=${4:-RESET ALL}
    a=$(adb -c "$settings" -c "${3//TABLE/events}" | md5sum)
    b=$(adb -c "$settings" -c "${3//TABLE/events_local}" | md5sum)
    plan=$(adb -c "$settings" -c "EXPLAIN (VERBOSE, COSTS OFF) ${3//TABLE/events}")
    echo "$plan" >"$work/plan.$passed"
    expect "$1: byte-identical to the local table" "$a" "$b"
    expect "$1: computed on the workers" \
        "$(grep -E 'Query: SELECT' <<<"$plan" | grep -cE "$2|worker_partial_agg" | awk '{print ($1 > 0)}')" 1
}
for agg in "hll_add_agg(hll_hash_bigint(user_id)" "hll_sketch(user_id" "hll_sketch(device"; do
    name=${agg%%(*}
    native "$agg) by day and device" "$name" \
        "SELECT day, device, $agg) FROM TABLE GROUP BY 1, 2 ORDER BY 1, 2"
    native "$agg) by the distribution column" "$name" \
        "SELECT user_id, $agg) FROM TABLE WHERE user_id < 300 GROUP BY 1 ORDER BY 1"
    native "$agg) with no GROUP BY, FILTER, explicit parameters (explicit, sparse, full)" "$name" \
        "SELECT $agg), $agg) FILTER (WHERE user_id < 40), $agg, 12, 5, 0, 1) FILTER (WHERE user_id < 500),
                $agg, 10, 4, -1, 0) FROM TABLE"
done
native "hll_count_distinct by day, with parameters and FILTER" hll_count_distinct \
    "SELECT day, hll_count_distinct(user_id), hll_count_distinct(device, 12),
            hll_count_distinct(user_id) FILTER (WHERE device = 'mobile') FROM TABLE GROUP BY 1 ORDER BY 1"
native "hll_count_distinct with no GROUP BY" hll_count_distinct \
    "SELECT hll_count_distinct(user_id), hll_count_distinct(user_id, 16, 6, 0, 1) FROM TABLE"
native "hll_union_agg over per-shard daily sketches" "hll_union_agg|hll_add_agg" \
    "SELECT device, hll_union_agg(s) FROM (SELECT user_id % 2 AS half, device, hll_add_agg(hll_hash_bigint(user_id)) AS s
     FROM TABLE GROUP BY 1, 2) AS d GROUP BY device ORDER BY 1"
# The UltraLogLog family (issue 21): its aggregates keep an ull state with a combine
# function, so Citus ships partial states and runs them on the workers like hll's.
native "ull_add_agg and ull_sketch by day and device" "ull_add_agg|ull_sketch" \
    "SELECT day, device, ull_add_agg(hll_hash_bigint(user_id)), ull_sketch(device, 10)
     FROM TABLE GROUP BY 1, 2 ORDER BY 1, 2"
native "ull_count_distinct with no GROUP BY (explicit, coded, another precision)" ull_count_distinct \
    "SELECT ull_count_distinct(user_id), ull_count_distinct(user_id) FILTER (WHERE user_id < 40),
            ull_count_distinct(user_id, 14) FROM TABLE"
native "ull_union_agg over per-shard sketches, and ull_to_hll of the result" "ull_union_agg|ull_add_agg" \
    "SELECT device, ull_union_agg(s), ull_to_hll(ull_union_agg(s)) FROM (SELECT user_id % 2 AS half, device,
     ull_add_agg(hll_hash_bigint(user_id)) AS s FROM TABLE GROUP BY 1, 2) AS d GROUP BY device ORDER BY 1"

echo "== rollups: distributed by day, a reference table, upserts with ||"
adb -c "CREATE TABLE daily (day date, device text, users hll, PRIMARY KEY (day, device))" \
    -c "SELECT create_distributed_table('daily', 'day')" \
    -c "CREATE TABLE daily_ref (day date, device text, users hll, PRIMARY KEY (day, device))" \
    -c "SELECT create_reference_table('daily_ref')" \
    -c "CREATE TABLE daily_local (day date, device text, users hll, PRIMARY KEY (day, device))" >/dev/null
for t in daily daily_ref; do
    adb -c "INSERT INTO $t SELECT day, device, hll_sketch(user_id) FROM events WHERE user_id % 2 = 0 GROUP BY 1, 2"
done
adb -c "INSERT INTO daily_local SELECT day, device, hll_sketch(user_id) FROM events_local
        WHERE user_id % 2 = 0 GROUP BY 1, 2"
# The second half of the events arrives later: upserts union it into the same rows.
for t in daily daily_ref; do
    adb -c "INSERT INTO $t AS r SELECT day, device, hll_sketch(user_id) FROM events WHERE user_id % 2 = 1
            GROUP BY 1, 2 ON CONFLICT (day, device) DO UPDATE SET users = r.users || excluded.users"
done
adb -c "INSERT INTO daily_local AS r SELECT day, device, hll_sketch(user_id) FROM events_local
        WHERE user_id % 2 = 1 GROUP BY 1, 2 ON CONFLICT (day, device) DO UPDATE SET users = r.users || excluded.users"
weekly="SELECT date_trunc('week', day)::date, device, hll_union_agg(users), #hll_union_agg(users)
        FROM TABLE GROUP BY 1, 2 ORDER BY 1, 2"
local=$(adb -c "${weekly//TABLE/daily_local}" | md5sum)
expect "INSERT .. SELECT and || upserts into a table distributed by day: weekly unions byte-identical" \
    "$(adb -c "${weekly//TABLE/daily}" | md5sum)" "$local"
expect "the same into a reference table" "$(adb -c "${weekly//TABLE/daily_ref}" | md5sum)" "$local"
expect "and equal to sketching the whole week at once" "$local" "$(adb -c "
    SELECT date_trunc('week', day)::date, device, hll_sketch(user_id), #hll_sketch(user_id)
    FROM events_local GROUP BY 1, 2 ORDER BY 1, 2" | md5sum)"

echo "== approximate count(DISTINCT) with hyperloglog.count_distinct_error_rate"
exact=$(adb -c "SELECT count(DISTINCT user_id) FROM events_local")
approx=$(adb -c "SET hyperloglog.count_distinct_error_rate = 0.01" -c "SELECT count(DISTINCT user_id) FROM events")
plan=$(adb -c "SET hyperloglog.count_distinct_error_rate = 0.01" \
    -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT count(DISTINCT user_id) FROM events")
# With Citus loaded the parameters are written out in full (log2m 14 and the session's
# others), so that the workers use them.
expect "count(DISTINCT user_id) runs as hll_count_distinct(user_id, 14, ...) on the workers" \
    "$(grep 'Query: SELECT' <<<"$plan" | grep 'hll_count_distinct(bigint,' | grep -c 'ROW(user_id, 14,' |
        awk '{print ($1 > 0)}')" 1
# 0.01 is the requested relative standard error: within 3 of them.
expect "count(DISTINCT user_id) = $approx within 3% of the exact $exact" \
    "$(awk -v a="$approx" -v e="$exact" 'BEGIN { d = (a - e) / e; print (d < 0.03 && d > -0.03) }')" 1

echo "== a session's settings reach the workers (parameters written into the worker queries)"
settings="SET hyperloglog.default_log2m = 12; SET hyperloglog.default_regwidth = 4;
          SET hyperloglog.default_expthresh = 0"
for agg in "hll_add_agg(hll_hash_bigint(user_id))" "hll_sketch(user_id)" "hll_count_distinct(device)"; do
    native "SET hyperloglog.default_*, then $agg by day" "${agg%%(*}" \
        "SELECT day, $agg FROM TABLE GROUP BY 1 ORDER BY 1" "$settings"
done
got=$(adb -c "$settings" -c "SELECT DISTINCT hll_log2m(h) || ',' || hll_regwidth(h) || ',' || hll_expthresh(h)
    FROM (SELECT day, hll_sketch(user_id) AS h FROM events GROUP BY day) AS d")
expect "the distributed sketches have the session's parameters" "$got" "12,4,(0,0)"
plan=$(adb -c "$settings" -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT hll_sketch(user_id) FROM events")
expect "the worker query carries them: ROW(user_id, 12, 4, '0'::bigint, 1)" \
    "$(grep -c "ROW(user_id, 12, 4, '0'::bigint, 1)" <<<"$plan" | awk '{print ($1 > 0)}')" 1
empty=$(adb -c "$settings" -c "SELECT hll_add_agg(hll_hash_bigint(user_id))::text FROM events WHERE false")
expect "an empty distributed input gives EMPTY with the session's parameters" "$empty" \
    "$(adb -c "SELECT hll_empty(12, 4, 0, 1)::text")"

echo "== rolling windows partitioned by the distribution column run on the workers (issue 20)"
# window NAME DB QUERY: over the distributed table and its local copy (TABLE replaced by
# NAME and NAME_local) the same text, and EXPLAIN VERBOSE shows the window in the worker
# query with no WindowAgg on the coordinator (above the Citus scan).
window() {
    local run a b plan
    run=$([ "$2" = analytics ] && echo adb || echo sql)
    a=$($run -c "${4//TABLE/$3}" | md5sum)
    b=$($run -c "${4//TABLE/$3_local}" | md5sum)
    plan=$($run -c "EXPLAIN (VERBOSE, COSTS OFF) ${4//TABLE/$3}")
    echo "$plan" >"$work/window-plan.$passed"
    expect "$1: equal to the local computation" "$a" "$b"
    expect "$1: the window runs on the workers" \
        "$(grep 'Query: SELECT' <<<"$plan" | grep ' OVER ' | grep -c 'PARTITION BY' | awk '{print ($1 > 0)}'),$(
            sed -n '1,/Custom Scan (Citus/p' <<<"$plan" | grep -c WindowAgg)" "1,0"
}
for db in analytics postgres; do
    run=$([ "$db" = analytics ] && echo adb || echo sql)
    agg=$([ "$db" = analytics ] && echo "hll_sketch(user_id)" || echo "hll_add_agg(hll_hash_bigint(user_id))")
    $run -c "CREATE TABLE device_daily (device text, day date, users hll, PRIMARY KEY (device, day))" \
        -c "SELECT create_distributed_table('device_daily', 'device')" \
        -c "INSERT INTO device_daily SELECT device, day, $agg FROM events GROUP BY 1, 2" \
        -c "CREATE TABLE device_daily_local AS SELECT * FROM device_daily" >/dev/null
    window "$db: rolling 7-day hll_union_agg over a rollup distributed by device, PARTITION BY device" \
        "$db" device_daily "SELECT device, day, hll_union_agg(users) OVER (PARTITION BY device ORDER BY day
            ROWS 6 PRECEDING) AS wau FROM TABLE ORDER BY 1, 2"
done
window "analytics: hll_count_distinct, hll_sketch and ull_count_distinct over raw events, PARTITION BY user_id" \
    analytics events "SELECT user_id, day, device,
        hll_count_distinct(device) OVER w, hll_sketch(device, 10) OVER w, ull_count_distinct(device) OVER w
        FROM TABLE WHERE user_id < 400
        WINDOW w AS (PARTITION BY user_id ORDER BY day RANGE BETWEEN interval '2 days' PRECEDING AND CURRENT ROW)
        ORDER BY 1, 2, 3"

echo "$label: $passed passed, $failed failed"
if [ -n "$bench" ]; then
    PGHOST=127.0.0.1 PGPORT=${port[coordinator]} python3 bench/citus.py
fi
[ "$failed" = 0 ]
