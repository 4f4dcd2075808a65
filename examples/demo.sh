#!/usr/bin/env bash
# The main job: install what is missing, build the extension in release mode, start a
# PostgreSQL cluster owned by this project (its own data directory, port and socket,
# never the system service), generate a realistic clickstream, and run every analytics
# scenario in examples/ with a report of sketch estimates against exact counts.
#
#   bash examples/demo.sh [--events N] [--users N] [--days N]   (default 5M, 500k, 30)
#   bash examples/demo.sh stop
#
# The cluster keeps running afterwards so you can explore; the script says how.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/cluster.sh
CLUSTER_DIR=${CLUSTER_DIR:-$(pwd)/target/demo-cluster}
events=5000000
users=500000
days=30

step() { printf '\n==> %s\n' "$*"; }
elapsed() { printf '    (%s s)\n' "$(($(date +%s) - $1))"; }

while [ $# -gt 0 ]; do
    case $1 in
        stop) cluster_stop "$CLUSTER_DIR"; echo "stopped the demo cluster in $CLUSTER_DIR"; exit 0 ;;
        --events) events=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --days) days=$2; shift 2 ;;
        *) echo "usage: $0 [--events N] [--users N] [--days N] | stop" >&2; exit 2 ;;
    esac
done

t=$(date +%s)
step "installing what is missing (first run: about 8 minutes)"
bash tests/setup.sh
elapsed "$t"

t=$(date +%s)
step "building and installing the extension (release; first build about 3 minutes)"
mkdir -p target
cargo pgrx install --release --pg-config "$PG_BIN/pg_config" >target/demo-install.log 2>&1 ||
    { tail -30 target/demo-install.log; exit 1; }
elapsed "$t"

step "starting the demo cluster in $CLUSTER_DIR"
chmod o+x "$(pwd)" "$(pwd)/target" 2>/dev/null || true
cluster_stop "$CLUSTER_DIR"
PG_EXTRA_OPTS="-c shared_buffers=1GB -c work_mem=64MB -c shared_preload_libraries=pg_cron -c cron.database_name=demo" \
    cluster_start "$CLUSTER_DIR"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS demo" -c "CREATE DATABASE demo"
psql -X -q -d demo -c "CREATE EXTENSION hyperloglog"

t=$(date +%s)
step "generating a clickstream: $events events, $users users, $days days (about 40 s per 5M events)"
psql -X -q -d demo -v events="$events" -v users="$users" -v days="$days" -f examples/clickstream.sql
elapsed "$t"

psql -X -q -d demo -f examples/compare.sql
for scenario in examples/0*.sql; do
    t=$(date +%s)
    title=$(head -1 "$scenario" | sed 's/^-- //')
    step "$title"
    psql -X -q -d demo -f "$scenario"
    elapsed "$t"
done

psql -X -q -d demo -f examples/report.sql

cat <<INFO

==> done. The cluster is still running with the data and the sketch tables:
    connect:  psql -h $PGHOST -p $PGPORT -U postgres demo
    stop:     bash examples/demo.sh stop
INFO
