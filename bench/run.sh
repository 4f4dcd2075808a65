#!/usr/bin/env bash
# The benchmark suite: hyperloglog against postgresql-hll (the peer) and the plain
# baselines, on one private PostgreSQL 15 cluster started (and stopped) by this script.
#
#   bash bench/run.sh [--rows N] [--users D] [--runs K] [--quick] [--pg MAJOR] [--ull [--perf]]
#
# Defaults: N = 10,000,000 rows, D = 1,000,000 distinct users, K = 5 timed runs after
# one warm-up, 100,000 stored sketches (and 1,000,000 for query 9). --quick: 1,000,000
# rows, 100,000 users, 3 runs, 10,000 and 100,000 stored sketches (a smoke test).
# Uses the extensions as installed (it never builds or installs): the system PostgreSQL
# 15 by default; --pg MAJOR uses that major's server (tests/pg_versions.sh) with the
# package unpacked into it by tests/matrix/run.sh. postgresql-hll is packaged for 15
# only, so on other majors its columns read n/a and the ratios are to count and
# count(DISTINCT). Report: stdout, bench/results/<date>-<host>[-pgMAJOR].md and
# latest[-pgMAJOR].md. --ull: the ull speed benchmark instead (bench/ull.py, same events;
# report bench/results/ull-<date>-<host>.md and ull-latest.md). --window: the
# rolling-window benchmark instead (bench/window.py, its own data; report
# bench/results/window-<date>-<host>.md and window-latest.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source tests/cluster.sh
source tests/pg_versions.sh

rows=10000000 users=1000000 runs=5 sketches=100000 groups=20000 mode=full major=15 ull=no ull_args=()
window=no
while [ $# -gt 0 ]; do
    case $1 in
        --rows) rows=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --quick) rows=1000000 users=100000 runs=3 sketches=10000 groups=2000 mode=quick; shift ;;
        --pg) major=$2; shift 2 ;;
        --ull) ull=yes; shift ;;
        --window) window=yes; shift ;;
        --perf) ull_args+=(--perf); shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
step() { printf '==> %s\n' "$*" >&2; }

# BENCH_PG_BIN: another server build (a relocated copy holding the library to measure).
PG_BIN=${BENCH_PG_BIN:-$(dirname "$(pg_config_of "$major")")}
if [ ! -f "$("$PG_BIN/pg_config" --sharedir)/extension/hyperloglog.control" ]; then
    echo "hyperloglog is not installed for PostgreSQL $major: run 'bash tests/matrix/run.sh $major'" >&2
    exit 1
fi
peer=yes
[ "$major" = 15 ] || peer=no

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
dir=$root/target/bench/cluster
[ "$window" = no ] || dir=$root/target/bench/window-cluster
[ "$ull" = no ] || dir+=-ull
rm -rf "$dir" && mkdir -p "$root/target/bench"
trap 'cluster_stop "$dir"; rm -rf "$dir"' EXIT
# Table and stored sketches fit in shared buffers; serial plans unless a query asks.
export PG_EXTRA_OPTS="-c shared_buffers=8GB -c jit=off -c max_parallel_workers_per_gather=0 \
-c autovacuum=off -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
-c max_wal_size=20GB -c checkpoint_timeout=1h"
step "starting a private cluster in $dir"
cluster_start "$dir"
start=$(date +%s)

if [ "$window" = yes ]; then # bench_time and backend_hwm_kb from base.sql, on a token table
    q -d postgres -c "CREATE DATABASE ours"
    q -d ours -v rows=1000 -v users=100 -f bench/sql/base.sql >/dev/null
    q -d ours -c "CREATE EXTENSION hyperloglog"
    python3 bench/window.py --runs "$runs" "${ull_args[@]}" --load-start $load_start \
        --library "$("$PG_BIN/pg_config" --pkglibdir)/hyperloglog.so" --out-dir bench/results
    exit
fi
step "generating events: $rows rows, $users users"
q -d postgres -c "CREATE DATABASE bench_base"
q -d bench_base -v rows="$rows" -v users="$users" -f bench/sql/base.sql
if [ "$ull" = yes ]; then
    q -d postgres -c "ALTER DATABASE bench_base RENAME TO ours"
    q -d ours -c "CREATE EXTENSION hyperloglog"
    python3 bench/ull.py --runs "$runs" --mode "$mode" --sketches "$sketches" "${ull_args[@]}" \
        --library "$("$PG_BIN/pg_config" --pkglibdir)/hyperloglog.so" --setup-seconds "$(($(date +%s) - start))" \
        --load-start "$load_start" --out-dir bench/results
    exit
fi
step "generating $groups groups of 1,300 values"
q -d bench_base -v groups="$groups" -f bench/sql/groups.sql
q -d postgres -c "CREATE DATABASE ours TEMPLATE bench_base"
[ "$peer" = no ] || q -d postgres -c "CREATE DATABASE peer TEMPLATE bench_base"
q -d postgres -c "DROP DATABASE bench_base"
q -d ours -c "CREATE EXTENSION hyperloglog"
[ "$peer" = no ] || q -d peer -c "CREATE EXTENSION hll"

step "building $sketches stored sketches (and $((sketches * 10)) for query 9)"
q -d ours -v sketches="$sketches" -f bench/sql/ours_sketches.sql
databases=(ours)
if [ "$peer" = yes ]; then
    q -d peer -c "CREATE TABLE sketches (seg int, h hll)"
    q -d ours -c "COPY sketches TO STDOUT" | q -d peer -c "COPY sketches FROM STDIN"
    databases+=(peer)
fi
for db in "${databases[@]}"; do
    q -d "$db" -f bench/sql/sketch_tables.sql >/dev/null
done
q -d postgres -c CHECKPOINT
setup=$(($(date +%s) - start))
step "setup took $setup s"

python3 bench/bench.py --runs "$runs" --mode "$mode" --rows "$rows" --users "$users" --pg "$major" \
    --library "$("$PG_BIN/pg_config" --pkglibdir)/hyperloglog.so" \
    --server-log "$dir/server.log" --setup-seconds "$setup" --load-start "$load_start" --out-dir bench/results
step "total $(($(date +%s) - start)) s"
