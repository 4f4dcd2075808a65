#!/usr/bin/env bash
# The main job: install what is missing, build the extension in release mode, start a
# PostgreSQL cluster owned by this project (its own data directory, port and socket,
# never the system service), create the extension and run the analytics example.
# The cluster keeps running afterwards so you can explore; the script says how to
# connect and how to stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/cluster.sh
CLUSTER_DIR=${CLUSTER_DIR:-$(pwd)/target/demo-cluster}

step() { printf '\n==> %s\n' "$*"; }

if [ "${1:-}" = stop ]; then
    cluster_stop "$CLUSTER_DIR" && echo "stopped the demo cluster in $CLUSTER_DIR"
    exit 0
fi

step "installing what is missing (first run: about 8 minutes)"
bash tests/setup.sh

step "building and installing the extension (release)"
cargo pgrx install --release --pg-config "$PG_BIN/pg_config" >target/demo-install.log 2>&1 ||
    { tail -30 target/demo-install.log; exit 1; }

step "starting the demo cluster in $CLUSTER_DIR"
chmod o+x "$(pwd)" "$(pwd)/target" 2>/dev/null || true
cluster_stop "$CLUSTER_DIR"
cluster_start "$CLUSTER_DIR"
psql -X -q -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'demo'" | grep -q 1 ||
    psql -X -q -d postgres -c "CREATE DATABASE demo"
psql -X -q -d demo -c "CREATE EXTENSION IF NOT EXISTS hyperloglog"

step "running examples/quickstart.sql"
psql -X -d demo -f examples/quickstart.sql

cat <<INFO

==> done. The cluster is still running:
    connect:  psql -h $PGHOST -p $PGPORT -U postgres demo
    stop:     bash examples/demo.sh stop
INFO
