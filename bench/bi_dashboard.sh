#!/usr/bin/env bash
# Dashboard queries as a BI tool writes them (count(DISTINCT) in its own SQL), timed
# with hyperloglog.count_distinct_error_rate off (exact) and on (0.01: log2m 14), in one
# run, interleaved, on the demo's clickstream. Starts (and stops) a private cluster under
# target/ with the library preloaded; uses the extension as installed in the system
# PostgreSQL 15 (bash install.sh or tests/run.sh installs it).
#   bash bench/bi_dashboard.sh [--events N] [--users N] [--runs K]
# Defaults: 5,000,000 events, 500,000 users, 30 days (the demo's size), 5 runs.
# Report: stdout and bench/results/bi-dashboard-latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source tests/cluster.sh

events=5000000 users=500000 runs=5
while [ $# -gt 0 ]; do
    case $1 in
        --events) events=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
dir=$root/target/bench-bi
rm -rf "$dir"
trap 'cluster_stop "$dir"' EXIT
PGPORT_WANTED=56950 PG_EXTRA_OPTS="-c shared_buffers=4GB -c jit=off -c max_parallel_workers_per_gather=0 \
    -c session_preload_libraries=hyperloglog -c autovacuum=off -c fsync=off" cluster_start "$dir"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bi"
export PGDATABASE=bi
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION hyperloglog" -c "CREATE EXTENSION pg_prewarm"
psql -X -q -v ON_ERROR_STOP=1 -v events="$events" -v users="$users" -v days=30 -f examples/clickstream.sql
psql -X -q -c "VACUUM ANALYZE events" -c "SELECT pg_prewarm('events')" >/dev/null
python3 bench/bi_dashboard.py --runs "$runs" --events "$events" --users "$users" \
    --out bench/results/bi-dashboard-latest.md
